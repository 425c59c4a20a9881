//! Context fields taken whole (simple `<name>text</name>` children, without
//! events) against the general path: the same envelope, ID index and in-pass
//! digests, or the same error, for a signed request and damaged variants.

use crate::soap::parser::parse_for_verification;
use crate::wss::tests::{sign_at, REQUEST};
use crate::xml::reader::GENERAL_PATH_ONLY;
use crate::{Input, Limits, UtcTime};

fn signed() -> String {
    sign_at(REQUEST, UtcTime::parse("2030-01-01T12:00:00Z").unwrap())
}

/// Everything a verification pass gives, or its error; `general`: every token an event.
fn pass(doc: &str, general: bool) -> String {
    let limits = Limits::default();
    let Ok(input) = Input::new(doc.as_bytes(), &limits) else { return "input".into() };
    GENERAL_PATH_ONLY.with(|g| g.set(general));
    let parsed = parse_for_verification(&input, &limits, &Default::default(), None, None);
    GENERAL_PATH_ONLY.with(|g| g.set(false));
    match parsed {
        Ok(p) => {
            let digests: Vec<_> =
                p.inline_digests.iter().map(|d| (d.reference, d.span, d.digest.as_ref().to_vec())).collect();
            format!("{:?}\n{:?}\n{digests:?}", p.envelope, p.index)
        }
        Err(e) => format!("{e:?}"),
    }
}

#[test]
fn fields_taken_whole_read_as_the_general_path() {
    let doc = signed();
    let field = "<ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>";
    assert!(doc.contains(field), "{doc}");
    let variants = [
        "<ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID><ns3:UserUUID>x</ns3:UserUUID>",
        "<ns3:Unknown>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:Unknown>",
        "<ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>text",
        "<ns3:UserUUID>09a821f7&amp;</ns3:UserUUID>",
        "<ns3:UserUUID/>",
        "<ns3:UserUUID></ns3:UserUUID>",
        "<ns3:UserUUID><!--c-->09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>",
        "<ns3:UserUUID a=\"1\">09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>",
        "<ns9:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns9:UserUUID>",
        "<ns3:UserUUID><x/></ns3:UserUUID>",
        "<ns3:UserUUID><![CDATA[09a821f7-16a6-4f05-a480-f89e8c39219b]]></ns3:UserUUID>",
        "<ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUIDx>",
        "<ns:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b</ns:UserUUID>",
        "<ns3:UserUUID xmlns:ns3=\"urn:other\">09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>",
        "<ns3:UserUUID>09a821f7-16a6-4f05-a480-f89e8c39219b>\n</ns3:UserUUID>",
        "<ns3:UserUUID>\r\n09a821f7-16a6-4f05-a480-f89e8c39219b</ns3:UserUUID>",
        "",
    ];
    let mut cases = vec![doc.clone()];
    cases.extend(variants.iter().map(|v| doc.replacen(field, v, 1)));
    cases.push(doc.replacen("<ns3:AccountingInfo>Borgerservice, Ydelseskontoret", "<ns3:AccountingInfo>æøå &lt; ]", 1));
    for case in &cases {
        let general = pass(case, true);
        assert_eq!(pass(case, false), general, "{case}");
    }
    assert!(!pass(&doc, false).contains("Err"), "the signed request reads");
}

//! Runs of simple markup against events: a handler that takes runs and
//! reads each back into the lines the events give sees the same document
//! or the same error at the same byte (`tests.rs` compares every corpus
//! file and its shortcut shapes this way, at every cut); and shapes around
//! the runs' edges.

use super::parser::StreamParser;
use super::readback::{events_taking_runs, lines_with, Recorder};
use super::tests::{corpus_files, rng};
use super::{StreamEvent, StreamLimits};
use crate::Limits;

/// Shapes at the runs' edges: the same lines, or the same error at the
/// same byte, as events give, at every cut and byte by byte.
#[test]
fn run_edges_read_as_events_read_them() {
    let docs = [
        r#"<r xmlns:p="u" xmlns:q="v"><p:a><p:b>x</p:b><q:c/><p:d/>y &amp; &lt;z&gt;</p:a></r>"#,
        r#"<r xmlns="u"><a><b/><c>t</c></a><d xmlns=""><e/></d></r>"#,
        r#"<r xmlns:p="u"><p:a><p:b></p:a></r>"#,
        r#"<r xmlns:p="u"><p:a><q:b/></p:a></r>"#,
        r#"<r xmlns:p="u"><p:a><p:b x="1">t</p:b></p:a></r>"#,
        "<r><a>x]]>y</a></r>",
        "<r><a>x]]y</a><b>]</b><c>]]</c></r>",
        "<r><a>x &bad; y</a></r>",
        "<r><a>x &#65; y &amp</a></r>",
        "<r><a>x\r\ny\rz</a><b>\r</b>\n<c/></r>",
        "<r><a><!--c--><?p i?><![CDATA[<&>]]></a></r>",
        "<r><a></a ><b/ ></r>",
        "<r><a></a></r><s/>",
        "<r><a></a></r>x",
        "<r><a>é</a><æ>ø</æ><a:ø xmlns:a='u'/></r>",
        "<r><a/></r>  <!--c-->",
        r#"<r><a b="1" c="2">x</a><a c="2" b="1"/><a b='1'/><a  b="1"/><a b="1" /><a b="">y</a></r>"#,
        r#"<r><a Id="x"/><a ID="x">t</a><a id="x"/><a xmlns="u"/><a xmlns:p="u" p:b="1"/></r>"#,
        "<r><a b=\"x&amp;y\"/><a b=\"x&#9;y\"/><a b=\"x\ty\"/><a b=\"x\ny\"/><a b=\"a>b\">c</a></r>",
        r#"<r><a b="1" b="2"/></r>"#,
        r#"<r><a b="1"c="2"/></r>"#,
        r#"<r><a b ="1"/></r>"#,
        r#"<r><a b="x<y"/></r>"#,
        r#"<r><a b="1><b/></r>"#,
        r#"<r xmlns:p="u"><p:a æ="1" ø="2"><p:b x="é">é</p:b></p:a></r>"#,
    ];
    for doc in docs.map(str::as_bytes) {
        let name = String::from_utf8_lossy(doc);
        for floor in [1, 2] {
            let reference = events_taking_runs(doc, &[], 0);
            assert_eq!(events_taking_runs(doc, &[], floor), reference, "{name}");
            for cut in 1..doc.len() {
                assert_eq!(events_taking_runs(doc, &[cut], floor), reference, "{name} cut at {cut}");
            }
            let every: Vec<usize> = (1..doc.len()).collect();
            assert_eq!(events_taking_runs(doc, &every, floor), reference, "{name} byte by byte");
        }
    }
}

/// Limits a run would cross are left to the general path, which reports them.
#[test]
fn limits_end_runs() {
    let deep = format!("<r>{}{}</r>", "<a>".repeat(40), "</a>".repeat(40));
    let cases = [
        (Limits { max_depth: 20, ..Limits::default() }, deep.as_str()),
        (Limits { max_text_bytes: 4, ..Limits::default() }, "<r><a>1234</a><b>12345</b></r>"),
        (Limits { max_text_bytes: 4, ..Limits::default() }, "<r><a>1&amp;</a><b>&lt;&gt;</b></r>"),
        (Limits { max_name_bytes: 3, ..Limits::default() }, "<r><abc/><a:b xmlns:a='u'><a:bc/></a:b><abcd/></r>"),
        (Limits { max_name_bytes: 3, ..Limits::default() }, r#"<r><a abc="1"/><a abcd="1"/></r>"#),
        (Limits { max_attributes: 2, ..Limits::default() }, r#"<r><a b="1" c="2">t</a><a b="1" c="2" d="3"/></r>"#),
        (Limits { max_attribute_value_bytes: 3, ..Limits::default() }, r#"<r><a b="123">x</a><a b="1234"/></r>"#),
    ];
    for (limits, doc) in cases {
        let doc = doc.as_bytes();
        let reference = lines_with(doc, &[], 0, limits);
        assert!(reference.is_err(), "{}", String::from_utf8_lossy(doc));
        for cut in 0..doc.len() {
            let cuts: &[usize] = if cut == 0 { &[] } else { &[cut] };
            assert_eq!(lines_with(doc, cuts, 1, limits), reference, "{} cut at {cut}", String::from_utf8_lossy(doc));
        }
    }
}

/// The records of a large answer are taken as runs (not only read right).
#[test]
fn runs_are_taken() {
    let doc = b"<r xmlns:p='u'><p:a><p:b>1</p:b><p:c/>\n</p:a><p:a><p:b>2</p:b></p:a></r>";
    let mut p = StreamParser::new(StreamLimits::default());
    let mut h = Recorder { out: Vec::new(), floor: 1, open: Vec::new(), cursor: 0, ends: 0, runs: 0, leaves: 0 };
    p.feed_runs(doc, &mut h).unwrap();
    p.finish_runs(&mut h).unwrap();
    let events = h.out.len();
    let mut plain = 0;
    let mut count = |_: &StreamEvent<'_>| {
        plain += 1;
        Ok(())
    };
    let mut p = StreamParser::new(StreamLimits::default());
    p.feed(doc, &mut count).unwrap();
    p.finish(&mut count).unwrap();
    assert_eq!(events, plain);
    assert_eq!(h.runs, 1, "one run from the first <p:a> to </r>");
    assert_eq!(h.leaves, 2, "<p:b>1</p:b>, <p:b>2</p:b>");
}

/// Damaged corpus messages (a byte replaced by one that matters to runs)
/// read with runs as with events: the same lines or the same error at
/// the same byte, whole and cut at random.
#[test]
fn damaged_messages_read_as_events_read_them() {
    const INTERESTING: &[u8] = b"<>&;/: =\"'\r\n]x#\xC3";
    let mut seed = 0x5DEE_CE66_D1CE_4E5Du64;
    let files = corpus_files();
    let messages: Vec<_> = files.iter().filter(|f| f.to_string_lossy().contains("messages")).collect();
    let (mut read, mut refused) = (0, 0);
    for f in messages {
        let original = std::fs::read(f).unwrap();
        for _ in 0..200 {
            let mut doc = original.clone();
            for _ in 0..1 + rng(&mut seed) % 2 {
                let at = rng(&mut seed) as usize % doc.len();
                doc[at] = INTERESTING[rng(&mut seed) as usize % INTERESTING.len()];
            }
            let cut = 1 + rng(&mut seed) as usize % (doc.len() - 1);
            for cuts in [&[][..], &[cut]] {
                let events = super::readback::events_only(&doc, cuts);
                (read, refused) = (read + 1, refused + usize::from(events.is_err()));
                for floor in [1, 2] {
                    let taken = events_taking_runs(&doc, cuts, floor);
                    assert_eq!(
                        taken,
                        events,
                        "{} damaged, cut {cuts:?}: {}",
                        f.display(),
                        String::from_utf8_lossy(&doc)
                    );
                }
            }
        }
    }
    assert!(read > 1000 && refused > read / 4 && refused < read, "{read} read, {refused} refused");
}

//! Runs of simple markup against the general path: documents read with
//! `read_to_end_of` taking runs whole and with every token an event
//! ([`GENERAL_PATH_ONLY`]) give the same canonical bytes (captures and
//! in-pass digests, nested), the same ID index and the same error (kind
//! and offset); and the captured subtrees equal the node-set
//! canonicalizer's (a separate implementation) where the document reads.

use crate::c14n::{canonicalize_node_set, AttributeNode, C14nMethod, ElementNode, NodeFilter};
use crate::dsig::DigestAlgorithm;
use crate::xml::reader::{Event, Reader, GENERAL_PATH_ONLY};
use crate::xml::{Input, Span, XmlErrorKind};
use crate::Limits;

const WSU: &str = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd";

/// What one reading saw: captures of the elements named `T` (read to their
/// end), digests of the element with `wsu:Id="w"`, the ID index.
#[derive(Debug, PartialEq)]
struct Seen {
    captured: Vec<String>,
    ends: Vec<Span>,
    digests: Vec<(usize, Span, Vec<u8>, Option<usize>)>,
    index: Vec<(String, Span, u32)>,
}

type Outcome = Result<Seen, (XmlErrorKind, usize)>;

/// Reads `doc`: each element named `T` captured and read to its end, each
/// named `S` read to its end, the element with ID `w` digested in the pass.
fn read(doc: &str, limits: &Limits, general: bool) -> Outcome {
    let fail = |e: crate::xml::XmlError| (e.kind(), e.offset());
    let input = Input::new(doc.as_bytes(), limits).map_err(fail)?;
    let doc = input.as_str();
    GENERAL_PATH_ONLY.with(|g| g.set(general));
    let mut r = Reader::new(doc, input.content_start(), limits);
    GENERAL_PATH_ONLY.with(|g| g.set(false));
    r.enable_index();
    r.taps().want(0, "w".into(), C14nMethod::Exclusive, &[], DigestAlgorithm::Sha256);
    let (mut captured, mut ends) = (Vec::new(), Vec::new());
    loop {
        match r.next().map_err(fail)? {
            Event::Start(t) if t.name.local(doc) == "T" => {
                r.with_taps(|taps, r| taps.capture_here(r, &t));
                ends.push(r.skip_element().map_err(fail)?);
                let bytes = r.taps().take_captured(t.span.start()).unwrap_or_default();
                captured.push(String::from_utf8(bytes).unwrap());
            }
            Event::Start(t) if t.name.local(doc) == "S" => ends.push(r.skip_element().map_err(fail)?),
            Event::Eof => break,
            _ => {}
        }
    }
    let done = r.take_taps().map(|t| t.into_done()).unwrap_or_default();
    let digests = done.into_iter().map(|d| (d.reference, d.span, d.digest.as_ref().to_vec(), d.excluded)).collect();
    let index = r.take_index().unwrap_or_default();
    let index = index.entries.iter().map(|e| (e.local.to_owned(), e.span, e.depth)).collect();
    Ok(Seen { captured, ends, digests, index })
}

/// Both ways alike; the outcome.
fn both(doc: &str, limits: &Limits) -> Outcome {
    let fused = read(doc, limits, false);
    assert_eq!(fused, read(doc, limits, true), "{doc}");
    fused
}

/// The subtrees of the elements named `T`, as a node-set.
struct WithinT;

impl NodeFilter for WithinT {
    fn element(&mut self, e: &ElementNode<'_>) -> bool {
        e.path.iter().any(|q| q.local == "T")
    }
    fn attribute(&mut self, e: &ElementNode<'_>, _: &AttributeNode<'_>) -> bool {
        self.element(e)
    }
    fn namespace(&mut self, e: &ElementNode<'_>, _: &str, _: &str) -> bool {
        self.element(e)
    }
    fn text(&mut self, e: &ElementNode<'_>, _: &str) -> bool {
        self.element(e)
    }
    fn comment(&mut self, e: Option<&ElementNode<'_>>) -> bool {
        e.is_some_and(|e| self.element(e))
    }
}

/// Both ways alike, and for a document that reads, the captures (one `T`,
/// not nested) equal to the node-set canonicalizer's.
fn checked(doc: &str) -> Outcome {
    let outcome = both(doc, &Limits::default());
    if let Ok(seen) = &outcome {
        let input = Input::new(doc.as_bytes(), &Limits::default()).unwrap();
        let reference =
            canonicalize_node_set(&input, C14nMethod::Exclusive, &[], &mut WithinT, &Limits::default(), Vec::new());
        assert_eq!(seen.captured.concat(), String::from_utf8(reference.unwrap()).unwrap(), "{doc}");
    }
    outcome
}

#[test]
fn namespaces_in_runs_render_as_on_the_general_path() {
    let docs = [
        // A prefix redeclared to another namespace inside the run, and back.
        r#"<r xmlns:p="urn:1"><T><p:a><p:b>t</p:b><p:c xmlns:p="urn:2"><p:d>x</p:d><p:e/></p:c><p:f/></p:a></T></r>"#,
        // The default namespace undeclared inside the run.
        r#"<r xmlns="urn:d"><T><a><b xmlns=""><c/><d>t</d></b><e>u</e></a></T></r>"#,
        // Declarations each start tag needs, on empty elements too.
        r#"<r xmlns:p="urn:p" xmlns:q="urn:q"><T><p:a/><q:b><p:c/><q:d/></q:b><p:e><p:f>1</p:f></p:e></T></r>"#,
        // A binding the apex renders holds below it.
        r#"<r xmlns:p="urn:p"><p:T><p:a><p:b/></p:a></p:T></r>"#,
        r#"<r xmlns:p="urn:p"><T xmlns:p="urn:o"><p:a/><x><p:b>y</p:b></x></T></r>"#,
        r#"<r><T><xml:a>t</xml:a><b/></T></r>"#,
    ];
    for doc in docs {
        checked(doc).unwrap();
    }
    let out = checked(docs[2]).unwrap();
    let expected = r#"<T><p:a xmlns:p="urn:p"></p:a><q:b xmlns:q="urn:q"><p:c xmlns:p="urn:p"></p:c><q:d></q:d></q:b><p:e xmlns:p="urn:p"><p:f>1</p:f></p:e></T>"#;
    assert_eq!(out.captured, [expected]);
}

#[test]
fn text_and_markup_runs_do_not_take_read_as_on_the_general_path() {
    let docs = [
        "<r><T><a>x&quot;y</a><b>&#65;&amp;&lt;&gt;</b><c>a>b</c><d>a\r\nb</d><e>]x]</e></T></r>",
        "<r><T><a><![CDATA[<x>&]]></a><!--c--><?p d?><b>t</b><c>]]</c></T></r>",
        "<r><T><a x='1'><b/></a><c\n>t</c><d ></d><e></e ></T></r>",
        "<r><T><æble>ø</æble><b>ÆØÅ ☃</b><c:d xmlns:c='urn:c'>é</c:d></T></r>",
        "<r><T>\n  <a>\n    <b>t</b>\n  </a>\n</T>\n</r>",
        "<r><T><f>1 &amp; 2 &lt; 3 &gt; 0</f><g>&amp;</g><h>&lt;&gt;&amp;&quot;</h><i>&amp;&#x3E;</i></T></r>",
        "<r><T/><T></T><T><a/></T><T>t</T></r>",
    ];
    for doc in docs {
        checked(doc).unwrap();
    }
}

#[test]
fn errors_in_runs_are_the_general_paths() {
    let cases: [(&str, XmlErrorKind, usize); 10] = [
        ("<r><T><a>x&amp</a></T></r>", XmlErrorKind::UndefinedEntity, 10),
        ("<r><T><a>&lt;&gt]]></a></T></r>", XmlErrorKind::UndefinedEntity, 13),
        ("<r><T><a><b>t</c></a></T></r>", XmlErrorKind::MismatchedEndTag, 13),
        ("<r><T><a><b>t</b></a>", XmlErrorKind::UnclosedElement, 21),
        ("<r><T><a><q:b/></a></T></r>", XmlErrorKind::UndeclaredPrefix, 10),
        ("<r><T><a>x]]>y</a></T></r>", XmlErrorKind::CdataEndInText, 10),
        ("<r><T><a>x&y;</a></T></r>", XmlErrorKind::UndefinedEntity, 10),
        ("<r><T><a></a></T></T></r>", XmlErrorKind::MismatchedEndTag, 17),
        ("<r><S><a><b></a></b></S></r>", XmlErrorKind::MismatchedEndTag, 12),
        ("<r><T><a><1b/></a></T></r>", XmlErrorKind::InvalidName, 10),
    ];
    for (doc, kind, at) in cases {
        assert_eq!(checked(doc).unwrap_err(), (kind, at), "{doc}");
    }
}

#[test]
fn limits_at_their_edge_are_the_general_paths() {
    let limits = |depth, name, text| Limits {
        max_depth: depth,
        max_name_bytes: name,
        max_text_bytes: text,
        ..Limits::default()
    };
    let doc = "<r><T><a><bb><ccc>1234</ccc></bb></a></T></r>";
    assert!(both(doc, &limits(5, 3, 4)).is_ok());
    assert_eq!(both(doc, &limits(4, 3, 4)).unwrap_err(), (XmlErrorKind::TooDeep { limit: 4 }, 13));
    assert_eq!(both(doc, &limits(5, 2, 4)).unwrap_err(), (XmlErrorKind::NameTooLong { limit: 2 }, 14));
    assert_eq!(both(doc, &limits(5, 3, 3)).unwrap_err(), (XmlErrorKind::TextTooLong { limit: 3 }, 21));
    // Text with references at the text limit, and one byte past it.
    assert!(both("<r><T><a>&lt;1</a></T></r>", &limits(5, 9, 5)).is_ok());
    assert_eq!(
        both("<r><T><a>&lt;1</a></T></r>", &limits(5, 9, 4)).unwrap_err(),
        (XmlErrorKind::TextTooLong { limit: 4 }, 13)
    );
    assert_eq!(
        both("<r><T><a>1&gt;</a></T></r>", &limits(5, 9, 4)).unwrap_err(),
        (XmlErrorKind::TextTooLong { limit: 4 }, 13)
    );
    // An empty element at the depth limit, and one past it.
    assert!(both("<r><T><a><b/></a></T></r>", &limits(4, 9, 9)).is_ok());
    assert_eq!(
        both("<r><T><a><b/></a></T></r>", &limits(3, 9, 9)).unwrap_err(),
        (XmlErrorKind::TooDeep { limit: 3 }, 9)
    );
}

#[test]
fn ids_inside_runs_are_indexed_and_digested_alike() {
    let doc = format!(
        "<r xmlns:wsu='{WSU}'><T><a><b wsu:Id='w'><c>t</c><d/></b><e wsu:Id='x'/></a><f>u</f></T>\
         <S><g><h wsu:Id='y'>v</h></g></S><i wsu:Id='w'/></r>"
    );
    let seen = checked(&doc).unwrap();
    assert_eq!(seen.digests.len(), 1);
    assert_eq!(seen.index.len(), 3);
    // The digested element nested in a capture: its end is the general path's.
    let nested = format!("<r xmlns:wsu='{WSU}'><S><a><T><b wsu:Id='w'><c><d>t</d></c></b><e/></T></a></S></r>");
    assert_eq!(both(&nested, &Limits::default()).unwrap().digests.len(), 1);
}

#[test]
fn runs_ending_at_the_end_of_what_is_read() {
    for doc in ["<T><a>t</a></T>", "<r><T><a><b>t</b></a></T></r>", "<r><T><a/></T><S><b><c/></b></S></r>", "<T/>"] {
        checked(doc).unwrap();
    }
    // A fragment reader's range ends the run: the rest of the source is not read.
    let src = "<r><a><b>t</b></a><c>";
    let mut r = Reader::fragment(src, 3..18, &[], Default::default(), &Limits::default());
    assert!(matches!(r.next(), Ok(Event::Start(_))));
    assert_eq!(r.skip_element().unwrap(), Span::new(14, 18));
    assert!(matches!(r.next(), Ok(Event::Eof)));
}

/// Read to the end "at depth 0", after the root: what follows is outside
/// the root, where a start tag is a second root and text an error.
#[test]
fn nothing_outside_the_root_is_a_run() {
    for (doc, kind, at) in
        [("<a/><b>t</b>", XmlErrorKind::MultipleRoots, 4), ("<a/>t<b/>", XmlErrorKind::TextOutsideRoot, 4)]
    {
        for general in [false, true] {
            GENERAL_PATH_ONLY.with(|g| g.set(general));
            let mut r = Reader::new(doc, 0, &Limits::default());
            GENERAL_PATH_ONLY.with(|g| g.set(false));
            assert!(matches!(r.next(), Ok(Event::Start(_))));
            assert!(matches!(r.next(), Ok(Event::End { .. })));
            let e = r.skip_element().unwrap_err();
            assert_eq!((e.kind(), e.offset()), (kind, at), "{doc}");
        }
    }
}

/// A small deterministic generator (xorshift) of documents mixing simple
/// markup with everything that ends a run, some of them malformed.
struct Gen(u64);

impl Gen {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn pick<'s>(&mut self, from: &[&'s str]) -> &'s str {
        from[self.below(from.len())]
    }

    fn element(&mut self, out: &mut String, depth: usize) {
        let name = match self.below(60) {
            0 => "x:u",
            _ => self.pick(&["T", "S", "a", "p:b", "q:c", "p:T", "S", "æ", "q:elementx", "p:elementxy"]),
        };
        let attrs = match self.below(16) {
            0 => " xmlns:p=\"urn:p2\"",
            1 => " xmlns=\"\"",
            2 => " xmlns=\"urn:d\"",
            3 => " wsu:Id=\"w\"",
            4 => " a=\"1\"",
            5 => " ",
            _ => "",
        };
        out.push_str(&format!("<{name}{attrs}"));
        if depth > 5 || self.below(5) == 0 {
            out.push_str(if self.below(40) == 0 { "/ >" } else { "/>" });
            return;
        }
        out.push('>');
        for _ in 0..self.below(4) {
            match self.below(3) {
                0 => self.element(out, depth + 1),
                _ => self.text(out),
            }
        }
        let close = match self.below(80) {
            0 => "p:b",
            1 => "a ",
            _ => name,
        };
        out.push_str(&format!("</{close}>"));
    }

    fn text(&mut self, out: &mut String) {
        let parts = ["t", "xyz", " ", "\n", "&amp;", "&lt;", "&gt;", "&quot;", "&#65;", ">", "]", "\r\n", "ø", "tuvw"];
        for _ in 0..=self.below(4) {
            out.push_str(self.pick(&parts));
        }
        match self.below(60) {
            0 | 1 => out.push_str("<!--c-->"),
            2 | 3 => out.push_str("<![CDATA[<&>]]>"),
            4 | 5 => out.push_str("<?pi d?>"),
            6 => out.push_str("&bad;"),
            7 => out.push_str("]]>"),
            _ => {}
        }
    }
}

#[test]
fn generated_documents_read_alike_both_ways() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut failed) = (0, 0);
    for _ in 0..6000 {
        let mut doc = format!("<r xmlns:p=\"urn:p\" xmlns:q=\"urn:q\" xmlns:wsu=\"{WSU}\">");
        for _ in 0..=g.below(3) {
            g.element(&mut doc, 1);
        }
        doc.push_str("</r>");
        let limits = Limits {
            max_depth: 3 + g.below(6),
            // The root's `xmlns:wsu` is 9 bytes.
            max_name_bytes: 9 + g.below(3),
            max_text_bytes: 4 + g.below(16),
            ..Limits::default()
        };
        let limits = if g.below(3) == 0 { Limits::default() } else { limits };
        match both(&doc, &limits) {
            Ok(_) => ok += 1,
            Err(_) => failed += 1,
        }
    }
    // Both kinds are exercised.
    assert!(ok > 500 && failed > 500, "{ok} read, {failed} refused");
}

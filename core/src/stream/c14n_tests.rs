//! The streamed exclusive canonicalizer against the whole-document one, on
//! shapes that leave its fast paths (a prefix redeclared to another URI,
//! `xmlns=""`, attributes, references, `>` and carriage returns in text),
//! with the input cut at every byte.

use aws_lc_rs::digest;

use super::c14n::ExcC14n;
use super::error::StreamError;
use super::parser::{Handler, RunStart, Runs};
use super::{StreamEvent, StreamLimits, StreamParser};
use crate::{canonicalize_document, C14nMethod, DigestAlgorithm, Input, Limits};

const DOCS: &[&str] = &[
    r#"<a:r xmlns:a="urn:a"><a:x>t</a:x><a:y xmlns:a="urn:b"><a:z>1</a:z></a:y><b:q xmlns:b="urn:a"/><a:w/></a:r>"#,
    r#"<r xmlns="urn:d"><x>t</x><y xmlns=""><z a="1" b:c="2" xmlns:b="urn:b"/></y><w xmlns="urn:e"><v/></w></r>"#,
    r#"<p:r xmlns:p="urn:p" xmlns:q="urn:q"><p:s b="2" a="1" q:c="3">x</p:s><p:t q:o="1"/><p:u k="&amp;&lt;&#x9;&quot;"/></p:r>"#,
    "<r>a &amp; b &lt; c &gt; d &#62; e &#x26; f &quot; g &apos; h ]] &#13; i</r>",
    "<r>a > b &amp; c</r>",
    "<r>a\r\nb\rc &amp;\r</r>",
    "<r>&amp;\r\n&amp;\r&lt;\n<s>&amp;&amp;</s>&gt;\r</r>",
    "<r><![CDATA[x<&>\r\n]]>&amp;</r>",
    r#"<a:r xmlns:a="urn:a"><a:s a:at="1" at="2"><a:t/></a:s><a:s at="&amp;"/></a:r>"#,
    r#"<a:r xmlns:a="urn:a"><a:s >x</a:s ><a:t></a:t  ><a:u/></a:r >"#,
    r#"<r><x xml:lang="da">y</x><xml:z/></r>"#,
    r#"<p:rø xmlns:p="urn:ø"><p:xæ å="1">å &amp; ø</p:xæ><p:xæ/><æ/></p:rø>"#,
    "<r><!--c--><?pi x?><s/></r>",
    r#"<r><xml:a><xml:b>t</xml:b><xml:c xml:lang="da"/></xml:a><s xmlns="urn:s"><t/><xml:u><v/></xml:u></s></r>"#,
    r#"<a:r xmlns:a="urn:a"><a:s><a:t xmlns:a="urn:b"><a:u><a:v/></a:u></a:t><a:w><a:x/></a:w></a:s></a:r>"#,
    "<r>a long text with a reference &amp; and more than sixty-four bytes of plain text &lt; in it</r>",
    "<r>a long text with a greater-than sign > and more than sixty-four bytes of plain text &amp; </r>",
    r#"<r xmlns:a="urn:a" xmlns="urn:d"><a:x><y/></a:x><x xmlns:a="urn:a2"><a:y/></x></r>"#,
    r#"<r xmlns:a="urn:a" xmlns:b="urn:b"><a:x><b:y><b:z/><a:w/>t &amp; u</b:y><b:v/>\n</a:x><a:x/></r>"#,
    r#"<a:r xmlns:a="urn:a" xmlns:b="urn:b"><a:x><a:y>1</a:y><b:y><a:z/></b:y></a:x><x xmlns="urn:d"><y><z/></y></x></a:r>"#,
    "<r>\r\n<a>\r</a>\n<b>x\r</b>\n\n<c/>\r</r>",
    r#"<r xmlns:a="urn:a"><a:x b="1" c="2"><a:y d="&amp;" e="x>y"/><y f="1" g="2"/></a:x><x c="2" b="1">t</x></r>"#,
    r#"<r xmlns:a="urn:a" xmlns="urn:d"><a:x k="v"><y k="v" l="w">t</y><a:z k="v"/></a:x><x xmlns="" k="v"/></r>"#,
    r#"<r xmlns:a='urn:"a">' xmlns='urn:"d"'><a:x/><b><a:y/><c/></b><a:z><d>t</d></a:z></r>"#,
];

fn sha256(bytes: &[u8]) -> Vec<u8> {
    digest::digest(&digest::SHA256, bytes).as_ref().to_vec()
}

fn whole(doc: &str, prefixes: &[&str]) -> Vec<u8> {
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).unwrap();
    let out = canonicalize_document(&input, C14nMethod::Exclusive, prefixes, &limits, Vec::new()).unwrap();
    sha256(&out)
}

/// The canonical form's digest, from events only; the same from runs of
/// simple markup below the root, or the test fails.
fn streamed(doc: &[u8], cuts: &[usize], prefixes: &[&str]) -> Vec<u8> {
    let events = streamed_with(doc, cuts, prefixes, false);
    assert_eq!(streamed_with(doc, cuts, prefixes, true), events, "runs: {}", String::from_utf8_lossy(doc));
    events
}

/// The canonicalizer as a handler, taking runs below the root or not.
struct Canonical(ExcC14n, bool);

impl Handler for Canonical {
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        self.0.event(ev);
        Ok(())
    }
}

impl Runs for Canonical {
    fn run_floor(&mut self) -> Option<u32> {
        self.1.then_some(1)
    }
    fn run_begin(&mut self, window: &[u8], at: usize) {
        self.0.run_begin(window, at);
    }
    fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        self.0.run_start(window, s);
    }
    fn run_end(&mut self) {
        self.0.run_end();
    }
    fn run_done(&mut self, window: &[u8], at: usize) {
        self.0.run_done(window, at);
    }
}

fn streamed_with(doc: &[u8], cuts: &[usize], prefixes: &[&str], runs: bool) -> Vec<u8> {
    let list = prefixes.iter().map(|p| if *p == "#default" { String::new() } else { p.to_string() }).collect();
    let mut handler = Canonical(ExcC14n::new(DigestAlgorithm::Sha256, list), runs);
    let mut parser = StreamParser::new(StreamLimits::default());
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
        parser.feed_runs(&doc[from..c], &mut handler).unwrap();
        from = c;
    }
    parser.finish_runs(&mut handler).unwrap();
    handler.0.finish().as_ref().to_vec()
}

#[test]
fn streamed_exclusive_c14n_matches_the_whole_document_at_every_cut() {
    for doc in DOCS {
        for prefixes in [&[][..], &["#default"], &["a", "q"]] {
            let expected = whole(doc, prefixes);
            let bytes = doc.as_bytes();
            assert_eq!(streamed(bytes, &[], prefixes), expected, "{doc} {prefixes:?}");
            for cut in 1..bytes.len() {
                assert_eq!(streamed(bytes, &[cut], prefixes), expected, "{doc} cut at {cut}");
            }
            let every: Vec<usize> = (1..bytes.len()).collect();
            assert_eq!(streamed(bytes, &every, prefixes), expected, "{doc} byte by byte");
        }
    }
}

/// A small deterministic generator.
fn next(seed: &mut u64) -> usize {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    (*seed >> 16) as usize
}

const TEXTS: [&str; 10] = ["x", "&amp;", "&lt;", "&gt;", ">", "\r\n", "\r", "&#x26;", "]x", " é "];
const DECLS: [&str; 6] =
    [r#" xmlns:a="urn:1""#, r#" xmlns:a="urn:2""#, r#" xmlns:b="urn:1""#, r#" xmlns="""#, r#" xmlns="urn:d""#, ""];

/// A random element: prefixes declared and redeclared, default namespaces
/// set and undone, attributes with and without prefixes, text with
/// references, `>` and carriage returns.
fn element(out: &mut String, depth: usize, in_scope: &[&'static str], seed: &mut u64) {
    let decl = DECLS[next(seed) % DECLS.len()];
    let mut scope = in_scope.to_vec();
    for p in ["a", "b"] {
        if decl.contains(&format!("xmlns:{p}=")) && !scope.contains(&p) {
            scope.push(p);
        }
    }
    let choices: Vec<&str> = std::iter::once("").chain(scope.iter().copied()).collect();
    let prefix = choices[next(seed) % choices.len()];
    let name = if prefix.is_empty() { format!("e{depth}") } else { format!("{prefix}:e{depth}") };
    out.push_str(&format!("<{name}{decl}"));
    for (i, p) in choices.iter().enumerate().take(next(seed) % 3) {
        let sep = if p.is_empty() { "" } else { ":" };
        out.push_str(&format!(" {p}{sep}t{i}=\"v{}\"", next(seed) % 10));
    }
    out.push('>');
    for _ in 0..next(seed) % 4 {
        if depth < 4 && next(seed) % 2 == 0 {
            element(out, depth + 1, &scope, seed);
        } else {
            out.push_str(TEXTS[next(seed) % TEXTS.len()]);
        }
    }
    out.push_str(&format!("</{name}>"));
}

#[test]
fn random_documents_canonicalize_as_the_whole_document_does() {
    let mut seed = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..1000 {
        let mut doc = String::from(r#"<r xmlns:a="urn:1">"#);
        element(&mut doc, 1, &["a"], &mut seed);
        doc.push_str("</r>");
        let prefixes: &[&str] = match next(&mut seed) % 3 {
            0 => &[],
            1 => &["#default"],
            _ => &["a", "b"],
        };
        let expected = whole(&doc, prefixes);
        let bytes = doc.as_bytes();
        assert_eq!(streamed(bytes, &[], prefixes), expected, "{doc}");
        let cuts: Vec<usize> = (1..bytes.len()).filter(|_| next(&mut seed) % 5 == 0).collect();
        assert_eq!(streamed(bytes, &cuts, prefixes), expected, "{doc} cut at {cuts:?}");
    }
}

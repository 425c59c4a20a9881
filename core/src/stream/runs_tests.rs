//! Runs of simple markup against events: a handler that takes runs and
//! reads each back into the lines the events give sees the same document
//! or the same error at the same byte (`tests.rs` compares every corpus
//! file and its shortcut shapes this way, at every cut); and shapes around
//! the runs' edges.

use memchr::memchr;

use super::error::StreamError;
use super::parser::{Handler, RunStart, Runs, StreamParser};
use super::tests::{event_line, push};
use super::{StreamEvent, StreamLimits};
use crate::xml::lex::QSpan;
use crate::Limits;

/// Records events, and runs as the events they stand for.
struct Recorder {
    out: Vec<String>,
    floor: u32,
    /// The open elements' namespaces and local names.
    open: Vec<(String, String)>,
    /// Where the run's bytes not read back yet begin.
    cursor: usize,
    /// End tags of the run not read back yet (`run_end` has no window).
    ends: usize,
    /// Runs taken, leaves in them.
    runs: usize,
    leaves: usize,
}

impl Recorder {
    /// The run's text up to `to`, then its pending end tags.
    fn text_to(&mut self, window: &[u8], to: usize) {
        while self.ends > 0 {
            let tag = self.cursor + memchr(b'<', &window[self.cursor..]).expect("an end tag");
            self.text(window, tag);
            self.cursor = tag + memchr(b'>', &window[tag..]).expect("its end") + 1;
            let (ns, local) = self.open.pop().expect("an open element");
            push(&mut self.out, format!("E{} {{{ns}}}{local}", self.open.len() + 1));
            self.ends -= 1;
        }
        self.text(window, to);
    }

    fn text(&mut self, window: &[u8], to: usize) {
        if to > self.cursor {
            push(&mut self.out, format!("T {}", String::from_utf8_lossy(&window[self.cursor..to])));
        }
        self.cursor = to;
    }
}

impl Handler for Recorder {
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        match ev {
            StreamEvent::Start(s) => self.open.push((s.name.ns.to_string(), s.name.local.to_string())),
            StreamEvent::End { .. } => drop(self.open.pop()),
            _ => {}
        }
        push(&mut self.out, event_line(ev));
        Ok(())
    }
}

impl Runs for Recorder {
    fn run_floor(&mut self) -> Option<u32> {
        (self.floor > 0).then_some(self.floor)
    }

    fn run_begin(&mut self, _: &[u8], at: usize) {
        (self.cursor, self.ends) = (at, 0);
        self.runs += 1;
    }

    fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        self.text_to(window, s.name.start as usize - 1);
        let qname = String::from_utf8_lossy(&window[s.name.start as usize..s.name.end as usize]).into_owned();
        let local = qname.rsplit(':').next().unwrap_or_default().to_string();
        let prefix = qname.strip_suffix(&local).unwrap_or_default().trim_end_matches(':');
        assert!(prefix == s.prefix || s.prefix.is_empty() && s.parent_ns, "{prefix} {}", s.prefix);
        let attrs = attrs(&window[s.name.end as usize..s.end - if s.empty { 2 } else { 1 }]);
        push(&mut self.out, format!("S{} {{{}}}{local} {attrs:?} []", self.open.len() + 1, s.ns));
        self.open.push((s.ns.to_string(), local));
        self.cursor = s.end;
        if s.empty {
            let (ns, local) = self.open.pop().expect("the element just opened");
            push(&mut self.out, format!("E{} {{{ns}}}{local}", self.open.len() + 1));
        }
    }

    fn run_end(&mut self) {
        self.ends += 1;
    }

    fn run_leaf(&mut self, window: &[u8], name: QSpan, tag_end: usize, end: usize) {
        self.text_to(window, name.start as usize - 1);
        let ns = self.open.last().expect("a parent").0.clone();
        let s = RunStart { name, prefix: "", ns: &ns, parent_ns: true, end: tag_end, empty: false };
        self.run_start(window, &s);
        self.run_end();
        self.text_to(window, end);
        self.leaves += 1;
    }

    fn run_done(&mut self, window: &[u8], at: usize) {
        self.text_to(window, at);
        assert_eq!(self.cursor, at, "the run read back to its end");
    }
}

/// Attributes ` name="value"` as the event lines write them.
fn attrs(mut tag: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(rest) = tag.strip_prefix(b" ") {
        let eq = memchr(b'=', rest).expect("=");
        let close = eq + 2 + memchr(b'"', &rest[eq + 2..]).expect("a closing quote");
        let (name, value) = (&rest[..eq], &rest[eq + 2..close]);
        out.push(format!("{{}}{}={}", String::from_utf8_lossy(name), String::from_utf8_lossy(value)));
        tag = &rest[close + 1..];
    }
    assert!(tag.is_empty(), "{}", String::from_utf8_lossy(tag));
    out
}

/// The lines of `doc` cut at `cuts`, with runs above `floor` taken.
pub(super) fn events_taking_runs(doc: &[u8], cuts: &[usize], floor: u32) -> Result<Vec<String>, (String, u64)> {
    lines_with(doc, cuts, floor, Limits::default())
}

/// As [`events_taking_runs`], with `limits` (no runs at floor 0).
fn lines_with(doc: &[u8], cuts: &[usize], floor: u32, limits: Limits) -> Result<Vec<String>, (String, u64)> {
    let mut p = StreamParser::new(StreamLimits::like_whole(limits));
    let mut h = Recorder { out: Vec::new(), floor, open: Vec::new(), cursor: 0, ends: 0, runs: 0, leaves: 0 };
    let mut from = 0;
    let run = (|| {
        for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
            p.feed_runs(&doc[from..c], &mut h)?;
            from = c;
        }
        p.finish_runs(&mut h)
    })();
    run.map_err(|e| (e.code().to_string(), e.offset()))?;
    Ok(h.out)
}

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
    let files = super::tests::corpus_files();
    let messages: Vec<_> = files.iter().filter(|f| f.to_string_lossy().contains("messages")).collect();
    let (mut read, mut refused) = (0, 0);
    for f in messages {
        let original = std::fs::read(f).unwrap();
        for _ in 0..200 {
            let mut doc = original.clone();
            for _ in 0..1 + super::tests::rng(&mut seed) % 2 {
                let at = super::tests::rng(&mut seed) as usize % doc.len();
                doc[at] = INTERESTING[super::tests::rng(&mut seed) as usize % INTERESTING.len()];
            }
            let cut = 1 + super::tests::rng(&mut seed) as usize % (doc.len() - 1);
            for cuts in [&[][..], &[cut]] {
                let events = super::tests::events_only(&doc, cuts);
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

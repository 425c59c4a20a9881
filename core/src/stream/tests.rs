//! The push parser against the whole-input reader, over every corpus file,
//! fed whole, in every single split and in small random chunks.

use std::path::PathBuf;

use super::readback::{events_only, events_taking_runs, push};
use crate::xml::reader::{Event, Reader};
use crate::xml::NsId;
use crate::{Input, Limits};

/// The events of `doc` fed in chunks cut at `cuts`; the same, with runs of
/// simple markup taken (and read back into lines), or the test fails.
fn stream_events(doc: &[u8], cuts: &[usize]) -> Result<Vec<String>, (String, u64)> {
    let events = events_only(doc, cuts);
    for floor in [1, 2] {
        let taken = events_taking_runs(doc, cuts, floor);
        assert_eq!(taken, events, "runs above {floor}: {} cut at {cuts:?}", String::from_utf8_lossy(doc));
    }
    events
}

fn whole_events(doc: &[u8]) -> Result<Vec<String>, (String, u64)> {
    let limits = Limits::default();
    let input = Input::new(doc, &limits).map_err(|e| (e.code().to_string(), e.offset() as u64))?;
    let src = input.as_str();
    let mut r = Reader::new(src, input.content_start(), &limits);
    let mut out = Vec::new();
    let mut open = Vec::new();
    loop {
        let ev = r.next().map_err(|e| (e.code().to_string(), e.offset() as u64))?;
        let names = r.names();
        let line = match ev {
            Event::Start(t) => {
                let attrs: Vec<String> = r
                    .attrs()
                    .iter()
                    .map(|a| format!("{{{}}}{}={}", names.uri(a.ns), a.name.local(src), &src[a.value.range()]))
                    .collect();
                let decl: Vec<String> = r
                    .declared_here()
                    .iter()
                    .map(|b| format!("{}={}", b.prefix, if b.ns == NsId::NONE { "" } else { names.uri(b.ns) }))
                    .collect();
                open.push(names.uri(t.ns));
                format!("S{} {{{}}}{} {:?} {:?}", t.depth, names.uri(t.ns), t.name.local(src), attrs, decl)
            }
            Event::End { depth, name, .. } => {
                let ns = open.pop().unwrap_or("?");
                format!("E{} {{{}}}{}", depth, ns, name.local(src))
            }
            Event::Text { span, .. } => format!("T {}", &src[span.range()]),
            Event::CData(s) => format!("C {}", &src[s.range()]),
            Event::Comment(s) => format!("M {}", &src[s.range()]),
            Event::Pi(s) => format!("P {}", &src[s.range()]),
            Event::Eof => return Ok(out),
        };
        push(&mut out, line);
    }
}

pub(super) fn corpus_files() -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../corpus"));
    let mut files = Vec::new();
    let mut dirs = vec![root.join("messages"), root.join("negative")];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "xml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() > 50, "corpus not found");
    files
}

/// A small deterministic generator.
pub(super) fn rng(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

fn random_cuts(len: usize, max: usize, seed: &mut u64) -> Vec<usize> {
    let mut cuts = Vec::new();
    let mut at = 0;
    loop {
        at += 1 + (rng(seed) as usize % max);
        if at >= len {
            return cuts;
        }
        cuts.push(at);
    }
}

#[test]
fn whole_stream_matches_whole_reader() {
    for f in corpus_files() {
        let doc = std::fs::read(&f).unwrap();
        let latin1 = doc.windows(6).any(|w| w.eq_ignore_ascii_case(b"latin1") || w.eq_ignore_ascii_case(b"8859-1"));
        let whole = whole_events(&doc);
        let streamed = stream_events(&doc, &[]);
        match (&whole, &streamed) {
            (Ok(w), Ok(s)) => assert_eq!(w, s, "{}", f.display()),
            (Err(w), Err(s)) if !latin1 => assert_eq!(w, s, "{}", f.display()),
            (Err(_), Err(_)) => {}
            (Ok(_), Err(e)) if latin1 && e.0 == "xml.unsupported_encoding" => {}
            _ => panic!("{}: whole {:?} stream {:?}", f.display(), whole.map(|_| ()), streamed.map(|_| ())),
        }
    }
}

#[test]
fn every_split_and_random_chunks_give_the_same_result() {
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for f in corpus_files() {
        let doc = std::fs::read(&f).unwrap();
        let reference = stream_events(&doc, &[]);
        // Every split of the messages; hostile files (up to 100 kB) at 200 points.
        let step = if doc.len() <= 8192 { 1 } else { doc.len() / 200 };
        for cut in (1..doc.len()).step_by(step) {
            assert_eq!(stream_events(&doc, &[cut]), reference, "{} cut at {cut}", f.display());
        }
        for max in [1, 2, 3, 7, 64] {
            let cuts = random_cuts(doc.len(), max, &mut seed);
            assert_eq!(stream_events(&doc, &cuts), reference, "{} chunks up to {max}", f.display());
        }
    }
}

/// Shapes around the parser's shortcuts (end tags matched without the
/// lexer, namespaces inherited from the parent): the same events or the
/// same error at the same byte as the whole reader, at every cut.
#[test]
fn shortcut_shapes_read_as_the_whole_reader_reads_them() {
    let docs = [
        r#"<a:b xmlns:a="u"><a:c></a:cc></a:b>"#,
        r#"<a:b xmlns:a="u"><a:cc></a:c></a:b>"#,
        r#"<a:b xmlns:a="u"><a:c></a:c ></a:b>"#,
        r#"<a:b xmlns:a="u"><a:c></a:c/></a:b>"#,
        r#"<a:b xmlns:a="u"><a:c xmlns:a="v"><a:d/><a:d></a:d></a:c><a:e><a:f/></a:e></a:b>"#,
        r#"<b xmlns="u"><c xmlns=""><d/></c><e><f/></e></b>"#,
        r#"<a:b xmlns:a="u"><c:d/></a:b>"#,
        r#"<a:b xmlns:a="u"><a:c></a:c"#,
        r#"<a:b xmlns:a="u"></a:b></a:b>"#,
        "<x><y></x>",
        "<x><y></y></x><z></z>",
        r#"<p:rø xmlns:p="urn:ø"><p:xæ>å</p:xæ><p:xæ/><æ/></p:rø>"#,
        r#"<p:ø xmlns:p="urn:ø"/>"#,
        r#"<a:b xmlns:a="u"><a:c/><a:c b:d="1" xmlns:b="w"/></a:b>"#,
    ];
    for doc in docs.map(str::as_bytes) {
        let reference = stream_events(doc, &[]);
        let whole = whole_events(doc);
        assert_eq!(reference, whole, "{}", String::from_utf8_lossy(doc));
        for cut in 1..doc.len() {
            assert_eq!(stream_events(doc, &[cut]), reference, "{} cut at {cut}", String::from_utf8_lossy(doc));
        }
        let every: Vec<usize> = (1..doc.len()).collect();
        assert_eq!(stream_events(doc, &every), reference, "{}", String::from_utf8_lossy(doc));
    }
}

fn pipeline_report(doc: &[u8], cuts: &[usize]) -> Result<super::StreamReport, (String, u64)> {
    let mut p = super::Pipeline::new(super::StreamLimits::default());
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
        p.feed(&doc[from..c]).map_err(|e| (e.code().to_string(), e.offset()))?;
        from = c;
    }
    let mut r = p.finish().map_err(|e| (e.code().to_string(), e.offset()))?;
    r.elapsed = Default::default();
    r.peak_buffered = 0;
    Ok(r)
}

#[test]
fn pipeline_metadata_matches_the_envelope_reader() {
    let mut seed = 7u64;
    let mut checked = 0;
    for f in corpus_files().iter().filter(|f| f.to_string_lossy().contains("messages")) {
        let doc = std::fs::read(f).unwrap();
        let limits = Limits::default();
        let Ok(input) = Input::new(&doc, &limits) else { continue };
        let Ok(env) = crate::Envelope::parse(&input, &limits) else { continue };
        let Ok(report) = pipeline_report(&doc, &[]) else {
            assert!(f.to_string_lossy().contains("latin1"), "{}", f.display());
            continue;
        };
        let a = env.addressing();
        let text = |v: &Option<crate::TextValue<'_>>| v.as_ref().map(|t| t.trimmed().to_string());
        assert_eq!(report.relates_to, text(&a.relates_to), "{}", f.display());
        assert_eq!(report.message_id, text(&a.message_id), "{}", f.display());
        assert_eq!(report.action, text(&a.action), "{}", f.display());
        let sec = env.security_header().map(|h| (h.span.start() as u64, h.span.end() as u64));
        assert_eq!(report.security_header, sec, "{}", f.display());
        assert_eq!(report.fault.as_ref().map(|f| f.0.as_str()), env.fault().map(|f| f.code.local.as_ref()));
        let op = env.operation().map(|o| (o.name.ns.to_string(), o.name.local.to_string()));
        assert_eq!(report.operation, op, "{}", f.display());
        assert_eq!(report.bytes, doc.len() as u64);
        for max in [1, 5, 100] {
            let cuts = random_cuts(doc.len(), max, &mut seed);
            assert_eq!(pipeline_report(&doc, &cuts), Ok(report.clone()), "{}", f.display());
        }
        checked += 1;
    }
    assert!(checked >= 10, "{checked}");
}

#[test]
fn service_level() {
    use std::time::Duration;
    let ok = super::ServiceLevel::of(3_000_000, Duration::from_secs(10));
    assert!(ok.applies && ok.met());
    let slow = super::ServiceLevel::of(2_000_000, Duration::from_secs(14));
    assert!(slow.within_time && !slow.fast_enough && !slow.met());
    assert!(super::ServiceLevel::of(500, Duration::from_secs(60)).met());
}

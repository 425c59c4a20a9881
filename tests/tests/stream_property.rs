//! Property: the push parser's results do not depend on where the chunks
//! are cut, for every corpus message and for damaged variants of them
//! (the same events, or the same error at the same byte). The core's unit
//! tests add the comparison with the whole-input reader.

use std::sync::OnceLock;

use kuvert::{Limits, StreamEvent, StreamLimits, StreamParser};
use proptest::prelude::*;
use proptest::sample::Index;

fn corpus() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| kuvert_tests::corpus_messages().iter().map(|p| kuvert_tests::read(p)).collect())
}

/// Events as lines, text pieces merged; or the error's code and offset.
fn run(doc: &[u8], cuts: &[usize]) -> Result<Vec<String>, (String, u64)> {
    let mut p = StreamParser::new(StreamLimits::like_whole(Limits::default()));
    let mut out: Vec<String> = Vec::new();
    let mut h = |ev: &StreamEvent<'_>| {
        let line = match ev {
            StreamEvent::Start(s) => {
                let attrs: Vec<String> = s.attrs().map(|a| format!("{}|{}", a.name.ns, a.name.local)).collect();
                format!("S{} {}|{} {attrs:?}", s.depth, s.name.ns, s.name.local)
            }
            StreamEvent::End { depth, name, .. } => format!("E{depth} {}|{}", name.ns, name.local),
            StreamEvent::Text { raw, .. } => format!("T {}", String::from_utf8_lossy(raw)),
            StreamEvent::CData { raw, .. } | StreamEvent::Comment { raw, .. } | StreamEvent::Pi { raw, .. } => {
                format!("M {}", String::from_utf8_lossy(raw))
            }
        };
        match (out.last_mut(), line.strip_prefix("T ")) {
            (Some(last), Some(rest)) if last.starts_with("T ") => last.push_str(rest),
            _ => out.push(line),
        }
        Ok(())
    };
    let mut from = 0;
    let mut result = Ok(());
    for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
        result = p.feed(&doc[from..c], &mut h).map(|_| ());
        if result.is_err() {
            break;
        }
        from = c;
    }
    result.and_then(|_| p.finish(&mut h)).map_err(|e| (e.code().to_string(), e.offset()))?;
    Ok(out)
}

const INTERESTING: &[u8] = b"<>&;]\"'=/: \r\n!?-x#\xC3\x80\xEF\x01";

fn cuts_of(len: usize, seeds: &[u16]) -> Vec<usize> {
    let mut v: Vec<usize> = seeds.iter().map(|&s| s as usize % len.max(1)).filter(|&c| c > 0).collect();
    v.sort_unstable();
    v.dedup();
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 600, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn chunk_cuts_do_not_change_the_result(
        file in any::<Index>(),
        damage in prop::collection::vec((any::<Index>(), any::<Index>()), 0..3),
        seeds in prop::collection::vec(any::<u16>(), 1..40),
    ) {
        let mut doc = corpus()[file.index(corpus().len())].clone();
        for (at, b) in &damage {
            let i = at.index(doc.len());
            doc[i] = INTERESTING[b.index(INTERESTING.len())];
        }
        let whole = run(&doc, &[]);
        let cuts = cuts_of(doc.len(), &seeds);
        prop_assert_eq!(run(&doc, &cuts), whole.clone(), "cuts {:?}", cuts);
        let bytewise: Vec<usize> = (1..doc.len()).collect();
        prop_assert_eq!(run(&doc, &bytewise), whole);
    }
}

/// Found by the property test: a bad reference just before a good one,
/// cut between them, must not read as an incomplete one.
#[test]
fn a_bad_reference_before_a_good_one_at_any_cut() {
    let docs: [&[u8]; 4] =
        [b"<a>Erhverv&&amp; Turisme</a>", b"<a>x&lt&gt;y</a>", b"<a>x]]&amp;]]>y</a>", b"<a b='&&amp;'>x</a>"];
    for doc in docs {
        let whole = run(doc, &[]);
        assert!(whole.is_err());
        for c in 1..doc.len() {
            assert_eq!(run(doc, &[c]), whole, "{} cut at {c}", String::from_utf8_lossy(doc));
        }
        let bytewise: Vec<usize> = (1..doc.len()).collect();
        assert_eq!(run(doc, &bytewise), whole);
    }
}

/// Found by the property test: text before the root that holds a bad
/// reference reports the reference, as the run read whole does.
#[test]
fn text_outside_the_root_is_judged_when_its_run_ends() {
    for doc in [&b"<?xml version='1.0'?>\nx &bad <a/>"[..], b"<a/>\n y &#0; ", b" x<a/>", b"<a/>y"] {
        let whole = run(doc, &[]);
        assert!(whole.is_err());
        let bytewise: Vec<usize> = (1..doc.len()).collect();
        assert_eq!(run(doc, &bytewise), whole, "{}", String::from_utf8_lossy(doc));
    }
}

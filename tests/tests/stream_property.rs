//! Property: the push parser's results do not depend on where the chunks
//! are cut, for every corpus message and for damaged variants of them
//! (the same events, or the same error at the same byte). The core's unit
//! tests add the comparison with the whole-input reader.

use std::sync::OnceLock;

use kuvert_fuzz_targets::{stream_outcome, StreamOutcome};
use proptest::prelude::*;
use proptest::sample::Index;

fn corpus() -> &'static [Vec<u8>] {
    static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| kuvert_tests::corpus_messages().iter().map(|p| kuvert_tests::read(p)).collect())
}

/// Events as lines, text pieces merged; or the error's code and offset
/// (the same reading the `stream` fuzz target compares).
fn run(doc: &[u8], cuts: &[usize]) -> StreamOutcome {
    stream_outcome(doc, cuts)
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

//! Robustness: damaged versions of every corpus message (truncated, one byte
//! replaced, inserted or deleted) are read without a panic, giving either a
//! view or a typed error whose offset lies within the input.

use std::sync::OnceLock;

use kuvert::{Envelope, Input, Limits};
use kuvert_tests::{corpus_messages, read, View};
use proptest::prelude::*;
use proptest::sample::Index;

fn corpus() -> &'static [(String, Vec<u8>)] {
    static CORPUS: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    CORPUS.get_or_init(|| corpus_messages().into_iter().map(|p| (p.display().to_string(), read(&p))).collect())
}

/// Reads `bytes`; checks that an error is typed and placed within the input.
/// Returns whether the input was accepted.
fn check(bytes: &[u8]) -> Result<bool, TestCaseError> {
    let limits = Limits::default();
    let outcome = Input::new(bytes, &limits)
        .map_err(kuvert::EnvelopeError::from)
        .and_then(|input| Envelope::parse(&input, &limits).map(|e| View::of(&e)));
    match outcome {
        Ok(_) => Ok(true),
        Err(e) => {
            let code = e.code();
            prop_assert!(
                ["xml.", "soap.", "context.", "limit."].iter().any(|p| code.starts_with(p)),
                "untyped error code {code}"
            );
            prop_assert!(e.offset() <= bytes.len(), "{code} at {} past the end ({})", e.offset(), bytes.len());
            prop_assert!(!e.to_string().is_empty());
            let _ = kuvert::line_column(bytes, e.offset());
            Ok(false)
        }
    }
}

#[derive(Clone, Debug)]
enum Damage {
    Truncate(Index),
    Replace(Index, u8),
    Insert(Index, u8),
    Delete(Index),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<Index>().prop_map(Damage::Truncate),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Replace(i, b)),
        // Bytes that matter to the grammar, more often than chance would pick them.
        (any::<Index>(), prop::sample::select(b"<>&;/:=\"' ]-?!\x00\xC3\xFF".to_vec()))
            .prop_map(|(i, b)| Damage::Replace(i, b)),
        (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Damage::Insert(i, b)),
        any::<Index>().prop_map(Damage::Delete),
    ]
}

fn apply(original: &[u8], d: &Damage) -> Vec<u8> {
    let mut v = original.to_vec();
    match *d {
        Damage::Truncate(i) => v.truncate(i.index(original.len() + 1)),
        Damage::Replace(i, b) => v[i.index(original.len())] = b,
        Damage::Insert(i, b) => v.insert(i.index(original.len() + 1), b),
        Damage::Delete(i) => {
            v.remove(i.index(original.len()));
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn damaged_messages_never_panic(file in any::<Index>(), d in damage()) {
        let (name, original) = &corpus()[file.index(corpus().len())];
        let damaged = apply(original, &d);
        check(&damaged).map_err(|e| TestCaseError::fail(format!("{name} with {d:?}: {e}")))?;
    }

    /// Several damages at once.
    #[test]
    fn multiply_damaged_messages_never_panic(file in any::<Index>(), ds in prop::collection::vec(damage(), 2..6)) {
        let (name, original) = &corpus()[file.index(corpus().len())];
        let mut bytes = original.clone();
        for d in &ds {
            if bytes.is_empty() {
                break;
            }
            bytes = apply(&bytes, d);
        }
        check(&bytes).map_err(|e| TestCaseError::fail(format!("{name} with {ds:?}: {e}")))?;
    }
}

/// Every prefix of the smaller messages: nothing cut before the end of the
/// root element is accepted, and errors lie within the prefix.
#[test]
fn every_truncation_of_small_messages_is_refused() {
    let mut checked = 0;
    for (name, original) in corpus().iter().filter(|(_, b)| b.len() <= 3 << 10) {
        let root_end = original.iter().rposition(|&b| b == b'>').unwrap() + 1;
        for len in 0..original.len() {
            let accepted = check(&original[..len]).unwrap_or_else(|e| panic!("{name}[..{len}]: {e}"));
            assert!(!accepted || len >= root_end, "{name}: prefix of {len} bytes (root ends at {root_end}) accepted");
            checked += 1;
        }
    }
    assert!(checked > 5_000, "only {checked} prefixes checked");
}

/// Flipping each byte of a small message to a few grammar-relevant values.
#[test]
fn every_position_of_a_small_message() {
    let (name, original) = corpus()
        .iter()
        .find(|(n, _)| n.ends_with("cpr-person-lookup-comments-cdata.request.xml"))
        .expect("the comments/CDATA sample");
    for i in 0..original.len() {
        for b in [b'<', b'&', b'"', 0u8, 0xC3] {
            let mut v = original.clone();
            v[i] = b;
            check(&v).unwrap_or_else(|e| panic!("{name} byte {i} = {b:#x}: {e}"));
        }
    }
}

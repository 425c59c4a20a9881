//! The kuvert corpus: sample messages (in `messages/` and `negative/` beside
//! this crate) and generators for large messages of a given size.
//!
//! All personal data is fictitious: CPR numbers use dates that do not exist
//! (30 and 31 February), names are invented, CVR numbers are test numbers.

use std::path::PathBuf;

pub mod large;

/// The `corpus/` directory of the source tree.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fictitious CPR number for index `i`: day 30 or 31 of February, which
/// does not exist, so no real person can have it.
pub fn fictitious_cpr(i: u64) -> String {
    let day = 30 + (i % 2);
    let year = (i / 2) % 100;
    let serial = (i * 7919) % 10_000;
    format!("{day:02}02{year:02}{serial:04}")
}

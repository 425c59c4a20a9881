//! The kuvert corpus: sample messages (in `messages/` and `negative/` beside
//! this crate), generators for large messages of a given size, and random
//! service-agreement registries ([`registry`]).
//!
//! All personal data is fictitious: CPR numbers use dates that do not exist
//! (30 and 31 February), names are invented, CVR numbers are test numbers.

use std::path::PathBuf;

pub mod chunked;
pub mod large;
pub mod registry;
pub mod sts;

/// The directory of sample messages (`corpus/messages/`), one sub-directory per kind.
pub fn messages_dir() -> PathBuf {
    corpus_dir().join("messages")
}

/// The directory of refused inputs (`corpus/negative/`) with its `EXPECTED.tsv` manifest.
pub fn negative_dir() -> PathBuf {
    corpus_dir().join("negative")
}

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

/// Parses a size such as `4096`, `64K`, `50M` or `1G` (binary multiples:
/// K = 1024, M = 1024², G = 1024³; an optional trailing `B` or `iB` and any
/// letter case are accepted).
///
/// ```
/// assert_eq!(kuvert_corpus::parse_size("50M"), Ok(50 << 20));
/// assert_eq!(kuvert_corpus::parse_size("64k"), Ok(64 << 10));
/// assert!(kuvert_corpus::parse_size("M").is_err());
/// ```
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let unit_start = lower.find(|c: char| !c.is_ascii_digit()).unwrap_or(lower.len());
    let (digits, unit) = lower.split_at(unit_start);
    if digits.is_empty() {
        return Err(format!("invalid size {s:?}: expected a number with an optional K, M or G suffix"));
    }
    let shift = match unit {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("invalid size suffix in {s:?}: use K, M or G")),
    };
    let n: usize = digits.parse().map_err(|_| format!("invalid size {s:?}"))?;
    n.checked_mul(1usize << shift).ok_or_else(|| format!("size {s:?} is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_with_suffixes() {
        assert_eq!(parse_size("0"), Ok(0));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert_eq!(parse_size("2K"), Ok(2048));
        assert_eq!(parse_size("50M"), Ok(50 << 20));
        assert_eq!(parse_size("50mb"), Ok(50 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        for bad in ["", "K", "1T", "1.5M", "-1", "12 M"] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn corpus_directories_exist() {
        assert!(messages_dir().is_dir());
        assert!(negative_dir().join("EXPECTED.tsv").is_file());
    }
}

//! The bodies of kuvert's fuzz targets.
//!
//! Each public function takes the fuzzer's bytes and panics only on a bug:
//! a panic inside kuvert, an error offset outside the input, a span that does
//! not slice its source, a verified view exposing an unsigned part, or two
//! code paths that disagree (whole-document and node-set canonicalization;
//! a fault built and read back). The cargo-fuzz binaries in `fuzz/fuzz_targets`
//! call them, and so does the replay test `tests/tests/fuzz_replay.rs`, on
//! every seed and every past crash input.
//!
//! Fixed inputs (trust anchors, the STS certificate, the registry, the time)
//! are the corpus's TEST ONLY material, compiled in.
#![forbid(unsafe_code)]

mod c14n;
mod der;
mod envelope;
mod fault;
pub mod fixtures;
pub mod gen;
pub mod seeds;
mod signature;
mod stream;

pub use c14n::{c14n, c14n_structured, check_c14n};
pub use der::{der, der_reaches};
pub use envelope::{authz, call_context, envelope, registry_json};
pub use fault::fault_roundtrip;
pub use signature::{assertion, sign_template, sign_token_verify, sign_verify, token, verify};
pub use stream::{stream, stream_outcome, Outcome as StreamOutcome};

/// A target: the function the fuzzer and the replay test call with raw bytes.
pub type Target = fn(&[u8]);

/// Every target by name (the names of the cargo-fuzz binaries and of the
/// directories under `fuzz/corpus`, `fuzz/regressions`).
pub const TARGETS: &[(&str, Target)] = &[
    ("envelope", envelope),
    ("call_context", call_context),
    ("c14n", c14n),
    ("c14n_structured", c14n_structured),
    ("verify", verify),
    ("sign_verify", sign_verify),
    ("sign_template", sign_template),
    ("sign_token_verify", sign_token_verify),
    ("token", token),
    ("assertion", assertion),
    ("authz", authz),
    ("registry_json", registry_json),
    ("fault_roundtrip", fault_roundtrip),
    ("stream", stream),
    ("der", der),
];

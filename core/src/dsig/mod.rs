//! XML-DSig: algorithms, signature parsing, core validation and signing.

mod algorithms;

pub use algorithms::{DigestAlgorithm, SignatureAlgorithm, UnknownAlgorithm};

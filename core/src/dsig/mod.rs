//! XML-DSig: algorithms, signature parsing, core validation and signing.

mod algorithms;
pub(crate) mod base64;
pub(crate) mod error;
pub(crate) mod holes;
pub(crate) mod keyinfo;
pub(crate) mod model;
pub(crate) mod parse;
pub(crate) mod shape;
pub(crate) mod sign;
pub(crate) mod template;
pub(crate) mod verify;

pub use algorithms::{DigestAlgorithm, SignatureAlgorithm, UnknownAlgorithm};
pub use error::{SignatureError, SignatureErrorKind, SignedPart, Unsupported, VerifyError};
pub use parse::SignatureLimits;
pub use sign::{KeyError, SigningKey};

//! WS-Security 1.0/1.1: the Security header, the verification policy, the
//! verifier and its result.

mod document;
pub(crate) mod header;
pub(crate) mod header_shape;
mod policy;
pub(crate) mod sign;
pub(crate) mod sign_pass;
pub(crate) mod verified;
pub(crate) mod verifier;

pub use policy::{RequiredCoverage, VerifyPolicy};
pub use sign::{sign_message, sign_template, SignError, SignOptions};
pub use verified::{SignedElement, Verified, VerifiedDocument};
pub use verifier::Verifier;

#[cfg(test)]
mod sign_pass_tests;
#[cfg(test)]
pub(crate) mod tests;

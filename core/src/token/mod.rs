//! The KombitToken security model (OIO-IDWS / Liberty Basic SOAP Binding):
//! SAML 2.0 holder-of-key assertions issued by an STS, messages signed with
//! the holder-of-key key, MessageID replay protection, and producing such
//! messages.

pub(crate) mod assertion;
mod claims;
mod digests;
mod error;
pub(crate) mod in_pass;
mod policy;
mod privileges;
mod replay;
mod sign;
mod verified;
mod verifier;

pub use claims::TokenClaims;
pub use error::{RequiredHeader, TokenAttribute, TokenError, TokenErrorKind};
pub use policy::{Audience, Profile, SamlLimits, TokenPolicy};
pub use privileges::{PrivilegeConstraint, PrivilegeGroup, PrivilegeList};
pub use replay::{MemoryReplayCache, ReplayCache, ReplayError};
pub use sign::{sign_token_request, TokenSignOptions};
pub use verified::TokenVerified;
pub use verifier::TokenVerifier;

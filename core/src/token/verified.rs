//! The result of a token-model verification: the message view (only what the
//! holder-of-key signature covered) and the assertion's claims.

use std::sync::Arc;

use super::claims::TokenClaims;
use super::privileges::PrivilegeList;
use crate::authz::TokenCall;
use crate::cert::CertificateIdentity;
use crate::ids::Cvr;
use crate::wss::Verified;
use crate::xml::Span;

/// A verified token-model message.
#[derive(Debug)]
pub struct TokenVerified<'a> {
    message: Verified<'a>,
    claims: Arc<TokenClaims>,
    assertion: Span,
}

impl<'a> TokenVerified<'a> {
    pub(crate) fn new(message: Verified<'a>, claims: Arc<TokenClaims>, assertion: Span) -> Self {
        TokenVerified { message, claims, assertion }
    }

    /// The message, exposing only what the signature covered.
    pub fn message(&self) -> &Verified<'a> {
        &self.message
    }

    /// The assertion's claims (shared: cheap to keep past the message).
    pub fn claims(&self) -> &Arc<TokenClaims> {
        &self.claims
    }

    /// The caller: the holder-of-key certificate that signed the message.
    pub fn caller(&self) -> &CertificateIdentity {
        self.claims.holder()
    }

    /// The authority the call is made for (the assertion's CVR attribute).
    pub fn authority_cvr(&self) -> Cvr {
        self.claims.cvr()
    }

    /// The privileges the STS granted.
    pub fn privileges(&self) -> &PrivilegeList {
        self.claims.privileges()
    }

    /// What the service-agreement decision needs (`Credentials::KombitToken`):
    /// the audience, the authority CVR, the holder certificate and the
    /// privileges. Borrowed; nothing is allocated.
    pub fn token_call(&self) -> TokenCall<'_> {
        TokenCall {
            audience: self.audience().unwrap_or(""),
            authority_cvr: self.claims.cvr(),
            holder: self.claims.caller(),
            privileges: self.claims.privileges(),
        }
    }

    /// The audience the assertion is for: the first one named in every
    /// `AudienceRestriction` (they all must hold).
    pub fn audience(&self) -> Option<&str> {
        let first = self.claims.audience_restrictions().first()?;
        first.iter().map(String::as_str).find(|a| self.claims.is_for(a))
    }

    /// The assertion element in the message.
    pub fn assertion_span(&self) -> Span {
        self.assertion
    }
}

//! What a verified assertion says, owned (shared through an `Arc` by the
//! assertion cache): issuer, subject, validity, audiences, the authority's
//! CVR, the privileges, and the holder-of-key certificate.

use std::sync::Arc;

use super::assertion::AssertionInfo;
use super::digests::Memo;
use super::error::{TokenAttribute, TokenError, TokenErrorKind as K};
use super::policy::SamlLimits;
use super::privileges::{self, PrivilegeList};
use crate::authz::CallerCertificate;
use crate::cert::{CertificateIdentity, ValidatedCert};
use crate::ids::Cvr;
use crate::time::UtcTime;

pub(crate) const ATTR_CVR: &str = "dk:gov:saml:attribute:CvrNumberIdentifier";
pub(crate) const ATTR_ASSURANCE: &str = "dk:gov:saml:attribute:AssuranceLevel";
pub(crate) const ATTR_SPEC_VER: &str = "dk:gov:saml:attribute:SpecVer";
pub(crate) const ATTR_PRIVILEGES: &str = "dk:gov:saml:attribute:Privileges_intermediate";

/// The claims of a verified SAML 2.0 holder-of-key assertion.
#[derive(Clone, Debug)]
pub struct TokenClaims {
    pub(crate) id: String,
    pub(crate) issuer: String,
    pub(crate) issue_instant: UtcTime,
    pub(crate) subject: Option<String>,
    pub(crate) audience_restrictions: Vec<Vec<String>>,
    pub(crate) not_before: Option<UtcTime>,
    pub(crate) not_on_or_after: UtcTime,
    pub(crate) recipient: Option<String>,
    pub(crate) cvr: Cvr,
    pub(crate) assurance_level: Option<String>,
    pub(crate) spec_version: Option<String>,
    pub(crate) privileges: PrivilegeList,
    pub(crate) holder: Arc<ValidatedCert>,
    /// The holder as the service-agreement registry looks it up.
    pub(crate) caller: CallerCertificate,
    pub(crate) issuer_certificate: Option<CertificateIdentity>,
    /// `SubjectConfirmationData` NotBefore / NotOnOrAfter.
    pub(crate) confirmation: (Option<UtcTime>, Option<UtcTime>),
    /// When the issuer's and the holder's certificates are both valid.
    pub(crate) certificates: (UtcTime, UtcTime),
    /// Message-side digests of the assertion, for recurring use.
    pub(crate) memo: Vec<Memo>,
    /// Whether an element inside the assertion carries an ID (then the
    /// envelope pass reads it even when it recurs, to index those IDs).
    pub(crate) ids_inside: bool,
}

impl TokenClaims {
    /// The assertion's `ID`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// `Issuer` (the STS entity ID).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// `IssueInstant`.
    pub fn issue_instant(&self) -> UtcTime {
        self.issue_instant
    }

    /// `Subject/NameID`, whole (text around comments joined) and trimmed.
    pub fn subject(&self) -> Option<&str> {
        self.subject.as_deref()
    }

    /// One list per `AudienceRestriction`: the assertion is for an audience
    /// that appears in every list.
    pub fn audience_restrictions(&self) -> &[Vec<String>] {
        &self.audience_restrictions
    }

    /// Whether the assertion is for `audience` (in every restriction).
    pub fn is_for(&self, audience: &str) -> bool {
        !self.audience_restrictions.is_empty()
            && self.audience_restrictions.iter().all(|list| list.iter().any(|a| a == audience))
    }

    /// The first audience named (the service's entity ID, as the STS issues it).
    pub fn audience(&self) -> Option<&str> {
        self.audience_restrictions.first().and_then(|l| l.first()).map(String::as_str)
    }

    /// `Conditions/@NotBefore`.
    pub fn not_before(&self) -> Option<UtcTime> {
        self.not_before
    }

    /// `Conditions/@NotOnOrAfter` (required).
    pub fn not_on_or_after(&self) -> UtcTime {
        self.not_on_or_after
    }

    /// `SubjectConfirmationData/@Recipient`.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient.as_deref()
    }

    /// The authority's CVR (`dk:gov:saml:attribute:CvrNumberIdentifier`).
    pub fn cvr(&self) -> Cvr {
        self.cvr
    }

    /// `dk:gov:saml:attribute:AssuranceLevel`.
    pub fn assurance_level(&self) -> Option<&str> {
        self.assurance_level.as_deref()
    }

    /// `dk:gov:saml:attribute:SpecVer`.
    pub fn spec_version(&self) -> Option<&str> {
        self.spec_version.as_deref()
    }

    /// The decoded `Privileges_intermediate` list (empty when absent).
    pub fn privileges(&self) -> &PrivilegeList {
        &self.privileges
    }

    /// The holder-of-key certificate: the key that signed the message.
    pub fn holder(&self) -> &CertificateIdentity {
        &self.holder.identity
    }

    /// The holder-of-key certificate as the service-agreement registry looks it up.
    pub fn caller(&self) -> &CallerCertificate {
        &self.caller
    }

    /// Whether the issuer's and the holder's certificates are valid at `at`.
    pub(crate) fn certificates_valid_at(&self, at: UtcTime) -> bool {
        self.certificates.0 <= at && at <= self.certificates.1
    }

    /// The issuer's (STS) certificate, when it was carried in the signature.
    pub fn issuer_certificate(&self) -> Option<&CertificateIdentity> {
        self.issuer_certificate.as_ref()
    }
}

/// The claims of a parsed, issuer-verified assertion.
pub(crate) fn claims_of(
    a: &AssertionInfo<'_>,
    holder: Arc<ValidatedCert>,
    issuer_certificate: Option<CertificateIdentity>,
    limits: &SamlLimits,
) -> Result<TokenClaims, TokenError> {
    let at = a.span.start();
    let conditions = a.conditions.as_ref().ok_or(TokenError::token(K::MalformedAssertion, at))?;
    let not_on_or_after = conditions.not_on_or_after.ok_or(TokenError::token(K::MalformedAssertion, conditions.at))?;
    let cvr_text = single(a, ATTR_CVR, TokenAttribute::Cvr)?
        .ok_or(TokenError::token(K::MissingAttribute(TokenAttribute::Cvr), at))?;
    let cvr = Cvr::parse(cvr_text.1).map_err(|_| TokenError::token(K::InvalidCvr, cvr_text.0))?;
    let privileges = match single(a, ATTR_PRIVILEGES, TokenAttribute::Privileges)? {
        None => PrivilegeList::default(),
        Some((p_at, value)) => privileges::decode(value, limits.max_privilege_bytes, limits.max_privileges)
            .map_err(|_| TokenError::token(K::InvalidPrivileges, p_at))?,
    };
    let other = |name| single(a, name, TokenAttribute::Other).map(|v| v.map(|(_, s)| s.to_owned()));
    Ok(TokenClaims {
        id: a.id.to_string(),
        issuer: a.issuer.to_string(),
        issue_instant: a.issue_instant,
        subject: a.name_id.as_ref().map(|(v, _)| v.to_string()),
        audience_restrictions: conditions
            .audience_restrictions
            .iter()
            .map(|l| l.iter().map(|s| s.to_string()).collect())
            .collect(),
        not_before: conditions.not_before,
        not_on_or_after,
        recipient: a.holders.first().and_then(|h| h.recipient.as_ref()).map(|r| r.to_string()),
        cvr,
        assurance_level: other(ATTR_ASSURANCE)?,
        spec_version: other(ATTR_SPEC_VER)?,
        privileges,
        certificates: (holder.valid_from, holder.valid_until),
        caller: CallerCertificate::from_identity(&holder.identity),
        holder,
        issuer_certificate,
        confirmation: (None, None),
        memo: Vec::new(),
        ids_inside: true,
    })
}

/// The one value of attribute `name`: `None` when absent; an error when the
/// attribute is repeated or has no or several values.
fn single<'s>(
    a: &'s AssertionInfo<'_>,
    name: &str,
    which: TokenAttribute,
) -> Result<Option<(usize, &'s str)>, TokenError> {
    let mut found = a.attributes.iter().filter(|attr| attr.name == name);
    let Some(first) = found.next() else {
        return Ok(None);
    };
    if let Some(second) = found.next() {
        return Err(TokenError::token(K::MissingAttribute(which), second.at));
    }
    match first.values.as_slice() {
        [value] => Ok(Some((first.at, value.as_ref()))),
        _ => Err(TokenError::token(K::MissingAttribute(which), first.at)),
    }
}

//! Why a call is refused: a typed reason with a stable code, and the
//! platform fault it turns into.

use std::borrow::Cow;
use std::fmt;

use super::model::{AgreementState, Environment, SecurityModel, SecurityModels};
use crate::ids::{Cvr, Uuid};
use crate::soap::{FaultBuilder, SoapVersion, StandardCode};
use crate::time::UtcTime;

/// The reason a call is refused. [`code`](DenyReason::code) is stable.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DenyReason {
    /// `authz.unknown_endpoint`: no service is received on the called endpoint.
    UnknownEndpoint,
    /// `authz.security_model_not_allowed`: the call uses no security model, or
    /// one the service does not accept.
    SecurityModelNotAllowed {
        /// The models the service accepts.
        supported: SecurityModels,
    },
    /// `authz.audience_mismatch`: the token's audience is not the service's entity ID.
    AudienceMismatch,
    /// `authz.unknown_certificate`: the certificate is registered for no system.
    UnknownCertificate,
    /// `authz.wrong_environment`: the system is registered for the other environment.
    WrongEnvironment {
        /// The system's environment.
        system: Environment,
    },
    /// `authz.no_connection`: the system's connection agreement does not grant the service.
    NoConnection,
    /// `authz.system_mismatch`: `UserSystemUUID` is not the certificate's system.
    SystemMismatch,
    /// `authz.service_mismatch`: `ServiceUUID` is not the called endpoint's service.
    ServiceMismatch,
    /// `authz.unknown_agreement`: `ServiceAgreementUUID` names no agreement.
    UnknownAgreement,
    /// `authz.agreement_wrong_system`: the agreement belongs to another system.
    AgreementWrongSystem,
    /// `authz.agreement_wrong_authority`: the agreement is with another authority than `UserUUID`.
    AgreementWrongAuthority,
    /// `authz.agreement_wrong_service`: the agreement does not name the called service.
    AgreementWrongService,
    /// `authz.agreement_not_approved`: the agreement is requested, rejected or revoked.
    AgreementNotApproved {
        /// Its state.
        state: AgreementState,
    },
    /// `authz.agreement_not_yet_valid`: the call came before the agreement's `valid_from`.
    AgreementNotYetValid,
    /// `authz.agreement_expired`: the call came at or after the agreement's `valid_to`.
    AgreementExpired,
    /// `authz.unknown_authority`: the CVR is no registered authority.
    UnknownAuthority,
    /// `authz.no_agreement`: no approved agreement valid now for this system, authority and service.
    NoAgreement,
    /// `authz.ambiguous_agreement`: several are (the registry check prevents it).
    AmbiguousAgreement,
    /// `authz.privilege_missing`: the token's privileges do not grant the service's privilege for the CVR.
    PrivilegeMissing,
    /// `authz.case_not_covered`: the agreement is limited to case types or areas the call is not in.
    CaseNotCovered,
}

impl DenyReason {
    /// The stable code, e.g. `authz.no_agreement`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::UnknownEndpoint => "authz.unknown_endpoint",
            Self::SecurityModelNotAllowed { .. } => "authz.security_model_not_allowed",
            Self::AudienceMismatch => "authz.audience_mismatch",
            Self::UnknownCertificate => "authz.unknown_certificate",
            Self::WrongEnvironment { .. } => "authz.wrong_environment",
            Self::NoConnection => "authz.no_connection",
            Self::SystemMismatch => "authz.system_mismatch",
            Self::ServiceMismatch => "authz.service_mismatch",
            Self::UnknownAgreement => "authz.unknown_agreement",
            Self::AgreementWrongSystem => "authz.agreement_wrong_system",
            Self::AgreementWrongAuthority => "authz.agreement_wrong_authority",
            Self::AgreementWrongService => "authz.agreement_wrong_service",
            Self::AgreementNotApproved { .. } => "authz.agreement_not_approved",
            Self::AgreementNotYetValid => "authz.agreement_not_yet_valid",
            Self::AgreementExpired => "authz.agreement_expired",
            Self::UnknownAuthority => "authz.unknown_authority",
            Self::NoAgreement => "authz.no_agreement",
            Self::AmbiguousAgreement => "authz.ambiguous_agreement",
            Self::PrivilegeMissing => "authz.privilege_missing",
            Self::CaseNotCovered => "authz.case_not_covered",
        }
    }

    /// The text sent to the caller.
    pub fn message(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            Self::SecurityModelNotAllowed { supported } => {
                return Cow::Owned(format!(
                    "Security model for the called operation was not provided. The following are supported: {supported}"
                ))
            }
            Self::WrongEnvironment { system } => {
                return Cow::Owned(format!("The calling system is registered for the {} environment", system.as_str()))
            }
            Self::AgreementNotApproved { state } => {
                return Cow::Owned(format!("The service agreement is not approved (state: {})", state.as_str()))
            }
            Self::UnknownEndpoint => "No service is offered on the called endpoint",
            Self::AudienceMismatch => "The token's audience is not the called service",
            Self::UnknownCertificate => "The client certificate is not registered for any IT system",
            Self::NoConnection => "The calling system's connection agreement does not include the called service",
            Self::SystemMismatch => "UserSystemUUID does not match the IT system of the client certificate",
            Self::ServiceMismatch => "ServiceUUID does not match the called service",
            Self::UnknownAgreement => "ServiceAgreementUUID names no service agreement",
            Self::AgreementWrongSystem => "The service agreement belongs to another IT system",
            Self::AgreementWrongAuthority => "The service agreement is not with the authority in UserUUID",
            Self::AgreementWrongService => "The service agreement does not include the called service",
            Self::AgreementNotYetValid => "The service agreement is not valid yet",
            Self::AgreementExpired => "The service agreement has ended",
            Self::UnknownAuthority => "The authority's CVR number is not registered",
            Self::NoAgreement => "No approved service agreement exists for the IT system, authority and service",
            Self::AmbiguousAgreement => "Several service agreements match the IT system, authority and service",
            Self::PrivilegeMissing => "The token does not grant the service's privilege for the authority",
            Self::CaseNotCovered => "The service agreement does not cover the case type or case area",
        })
    }
}

impl fmt::Display for DenyReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A refused call: the reason, and what the decision had identified before
/// it refused (for the audit trail). Small and `Copy`: refusing allocates nothing.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Denial {
    /// Why.
    pub reason: DenyReason,
    /// The security model the call used, if any.
    pub model: Option<SecurityModel>,
    /// The calling system, when known.
    pub system: Option<Uuid>,
    /// The authority, when named by UUID or found by CVR.
    pub authority: Option<Uuid>,
    /// The authority's CVR, when the call named one or the authority is known.
    pub authority_cvr: Option<Cvr>,
    /// The called service, when the endpoint is known.
    pub service: Option<Uuid>,
    /// The agreement, when the call named one or one was found.
    pub agreement: Option<Uuid>,
}

impl Denial {
    pub(super) fn new(reason: DenyReason, model: Option<SecurityModel>) -> Self {
        Denial { reason, model, system: None, authority: None, authority_cvr: None, service: None, agreement: None }
    }

    /// The stable code of the reason.
    pub fn code(&self) -> &'static str {
        self.reason.code()
    }

    /// The platform fault for this refusal: a `Client`/`Sender` fault whose
    /// reason ends with the CallUUID and the time received, and whose
    /// `ServiceplatformFault` holds the code and the text.
    pub fn fault_xml(&self, version: SoapVersion, call_uuid: Uuid, received: UtcTime) -> String {
        let message = self.reason.message();
        FaultBuilder::new(version, StandardCode::Sender, &message)
            .error(self.code(), &message)
            .call(call_uuid, received)
            .to_xml()
    }
}

impl fmt::Display for Denial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.reason)
    }
}

impl std::error::Error for Denial {}

//! The per-call decision: a handful of hash look-ups, no allocation.

use super::certificate::CallerCertificate;
use super::denial::{Denial, DenyReason};
use super::model::{Agreement, AgreementState, Authority, Environment, SecurityModel, SecurityModels, Service, System};
use super::registry::{pair, Registry, Scope};
use crate::ids::{Cvr, Uuid};
use crate::soap::InvocationContext;
use crate::time::UtcTime;

/// The four UUIDs of an `InvocationContext`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvocationIds {
    /// `ServiceAgreementUUID`.
    pub service_agreement: Uuid,
    /// `UserSystemUUID`.
    pub user_system: Uuid,
    /// `UserUUID`: the authority.
    pub user: Uuid,
    /// `ServiceUUID`.
    pub service: Uuid,
}

impl From<&InvocationContext<'_>> for InvocationIds {
    fn from(c: &InvocationContext<'_>) -> Self {
        InvocationIds {
            service_agreement: c.service_agreement,
            user_system: c.user_system,
            user: c.user,
            service: c.service,
        }
    }
}

/// What the token layer vouches for in a verified KombitToken call's privileges.
///
/// The token layer implements it on its verified assertion; tests can
/// implement it on anything.
pub trait PrivilegeGrants {
    /// Whether the privilege list grants `privilege` (a privilege URI) for the
    /// authority `scope` (its CVR).
    fn grants(&self, scope: Cvr, privilege: &str) -> bool;
}

/// What a verified KombitToken gives the decision.
#[derive(Clone, Copy)]
pub struct TokenCall<'a> {
    /// The assertion's `Audience`.
    pub audience: &'a str,
    /// The assertion's `dk:gov:saml:attribute:CvrNumberIdentifier`.
    pub authority_cvr: Cvr,
    /// The holder-of-key certificate (the one that signed the message).
    pub holder: &'a CallerCertificate,
    /// The assertion's privilege list.
    pub privileges: &'a dyn PrivilegeGrants,
}

impl std::fmt::Debug for TokenCall<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCall")
            .field("audience", &self.audience)
            .field("authority_cvr", &self.authority_cvr)
            .field("holder", &self.holder)
            .finish_non_exhaustive()
    }
}

/// How the call identifies itself: one of the three security models, or none.
#[derive(Clone, Copy, Debug)]
pub enum Credentials<'a> {
    /// The InvocationContext model: TLS client certificate and the four UUIDs.
    InvocationContext {
        /// The TLS client certificate.
        certificate: &'a CallerCertificate,
        /// The UUIDs from the Body.
        ids: InvocationIds,
    },
    /// The AuthorityContext model: TLS client certificate and the municipality's CVR.
    AuthorityContext {
        /// The TLS client certificate.
        certificate: &'a CallerCertificate,
        /// `MunicipalityCVR`.
        cvr: Cvr,
    },
    /// The KombitToken model: a verified token.
    KombitToken(TokenCall<'a>),
    /// No security model was provided.
    None,
}

impl Credentials<'_> {
    /// The security model, if any.
    pub fn model(&self) -> Option<SecurityModel> {
        match self {
            Credentials::InvocationContext { .. } => Some(SecurityModel::InvocationContext),
            Credentials::AuthorityContext { .. } => Some(SecurityModel::AuthorityContext),
            Credentials::KombitToken(_) => Some(SecurityModel::KombitToken),
            Credentials::None => None,
        }
    }
}

/// The case a Byg og Miljø call handles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CaseRef<'a> {
    /// The case type (sagstype).
    pub case_type: Option<&'a str>,
    /// The case area (sagsområde).
    pub case_area: Option<&'a str>,
}

/// One call to decide on.
#[non_exhaustive]
#[derive(Clone, Copy, Debug)]
pub struct Call<'a> {
    /// The environment the gateway serves.
    pub environment: Environment,
    /// The endpoint path the call was received on.
    pub endpoint: &'a str,
    /// When it was received: agreements must be valid then.
    pub received: UtcTime,
    /// How it identifies itself.
    pub credentials: Credentials<'a>,
    /// The case it handles, for agreements restricted to case types or areas.
    pub case: Option<CaseRef<'a>>,
}

impl<'a> Call<'a> {
    /// A call without case information.
    pub fn new(environment: Environment, endpoint: &'a str, received: UtcTime, credentials: Credentials<'a>) -> Self {
        Call { environment, endpoint, received, credentials, case: None }
    }

    /// This call with the case it handles.
    pub fn with_case(mut self, case: CaseRef<'a>) -> Self {
        self.case = Some(case);
        self
    }
}

/// An allowed call: the registry entries it was allowed by.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allowed<'r> {
    /// The security model used.
    pub model: SecurityModel,
    /// The calling system.
    pub system: &'r System,
    /// The authority that pays.
    pub authority: &'r Authority,
    /// The called service.
    pub service: &'r Service,
    /// The agreement that allows the call.
    pub agreement: &'r Agreement,
}

/// The decision so far: the refusal carries what is known.
struct Trail {
    denial: Denial,
}

impl Trail {
    fn deny<T>(&self, reason: DenyReason) -> Result<T, Denial> {
        Err(Denial { reason, ..self.denial })
    }
}

impl Registry {
    /// Decides whether a call is served: `Ok` with the entries that allow it,
    /// or the [`Denial`] with its reason. Hash look-ups only; allocates nothing.
    ///
    /// Rules, in the order they are checked:
    /// 1. the endpoint is a registered service, and the service accepts the
    ///    call's security model (none given counts as not accepted);
    /// 2. (token) the audience is the service's entity ID;
    /// 3. the certificate (TLS, or the token's holder-of-key) is registered for
    ///    a system; that system is registered for this environment, and its
    ///    connection agreement grants the service (test: every service);
    /// 4. InvocationContext: `UserSystemUUID` is that system, `ServiceUUID` the
    ///    service; the agreement exists, is the system's, with the authority
    ///    `UserUUID`, names the service, is approved and valid at `received`;
    /// 5. AuthorityContext and token: the CVR is a registered authority, with
    ///    exactly one approved agreement valid at `received` for (system,
    ///    authority, service); token: the privileges grant the service's
    ///    privilege for that CVR;
    /// 6. an agreement limited to case types or areas covers the call's case.
    pub fn authorize<'r>(&'r self, call: &Call<'_>) -> Result<Allowed<'r>, Denial> {
        let mut t = Trail { denial: Denial::new(DenyReason::NoAgreement, call.credentials.model()) };
        let service = self.called_service(call, &mut t)?;
        let allowed = match call.credentials {
            Credentials::InvocationContext { certificate, ids } => {
                let system = self.calling_system(call, certificate, service, &mut t)?;
                self.by_invocation(call, ids, (system, service), &mut t)?
            }
            Credentials::AuthorityContext { certificate, cvr } => {
                let system = self.calling_system(call, certificate, service, &mut t)?;
                self.by_authority(call, cvr, (system, service), &mut t)?
            }
            Credentials::KombitToken(token) => {
                if token.audience != self.services[service as usize].entity_id {
                    return t.deny(DenyReason::AudienceMismatch);
                }
                let system = self.calling_system(call, token.holder, service, &mut t)?;
                let allowed = self.by_authority(call, token.authority_cvr, (system, service), &mut t)?;
                let privilege = allowed.service.privilege.as_deref().unwrap_or("");
                if privilege.is_empty() || !token.privileges.grants(token.authority_cvr, privilege) {
                    return t.deny(DenyReason::PrivilegeMissing);
                }
                allowed
            }
            // Rule 1 refuses a call without a model before this.
            Credentials::None => {
                return t.deny(DenyReason::SecurityModelNotAllowed { supported: SecurityModels::NONE })
            }
        };
        if !covers_case(allowed.agreement, call.case) {
            return t.deny(DenyReason::CaseNotCovered);
        }
        Ok(allowed)
    }

    /// Rule 1: the endpoint's service, accepting the call's model.
    fn called_service(&self, call: &Call<'_>, t: &mut Trail) -> Result<u32, Denial> {
        let Some(&index) = self.ix.service_by_endpoint.get(call.endpoint) else {
            return t.deny(DenyReason::UnknownEndpoint);
        };
        let service = &self.services[index as usize];
        t.denial.service = Some(service.uuid);
        match call.credentials.model() {
            Some(model) if service.security_models.contains(model) => Ok(index),
            _ => t.deny(DenyReason::SecurityModelNotAllowed { supported: service.security_models }),
        }
    }

    /// Rule 3: the certificate's system, in this environment, connected to the service.
    fn calling_system(
        &self,
        call: &Call<'_>,
        certificate: &CallerCertificate,
        service: u32,
        t: &mut Trail,
    ) -> Result<u32, Denial> {
        let Some(index) = self.system_index(certificate) else {
            return t.deny(DenyReason::UnknownCertificate);
        };
        let system = &self.systems[index as usize];
        t.denial.system = Some(system.uuid);
        if system.environment != call.environment {
            return t.deny(DenyReason::WrongEnvironment { system: system.environment });
        }
        let connected = match self.ix.scope[index as usize] {
            Scope::All => true,
            Scope::Listed => self.ix.connected.contains(&pair(index, service)),
            Scope::None => false,
        };
        if !connected {
            return t.deny(DenyReason::NoConnection);
        }
        Ok(index)
    }

    /// Rule 4: the InvocationContext UUIDs against the agreement they name.
    fn by_invocation<'r>(
        &'r self,
        call: &Call<'_>,
        ids: InvocationIds,
        (system, service): (u32, u32),
        t: &mut Trail,
    ) -> Result<Allowed<'r>, Denial> {
        t.denial.authority = Some(ids.user);
        t.denial.agreement = Some(ids.service_agreement);
        t.denial.authority_cvr = self.authority(ids.user).map(|a| a.cvr);
        if ids.user_system != self.systems[system as usize].uuid {
            return t.deny(DenyReason::SystemMismatch);
        }
        if ids.service != self.services[service as usize].uuid {
            return t.deny(DenyReason::ServiceMismatch);
        }
        let Some(&index) = self.ix.agreement_by_uuid.get(&ids.service_agreement) else {
            return t.deny(DenyReason::UnknownAgreement);
        };
        let agreement = &self.agreements[index as usize];
        let (owner, authority) = self.ix.agreement_parties[index as usize];
        if owner != system {
            return t.deny(DenyReason::AgreementWrongSystem);
        }
        if self.authorities[authority as usize].uuid != ids.user {
            return t.deny(DenyReason::AgreementWrongAuthority);
        }
        if !self.ix.agreement_service.contains(&pair(index, service)) {
            return t.deny(DenyReason::AgreementWrongService);
        }
        if agreement.state != AgreementState::Approved {
            return t.deny(DenyReason::AgreementNotApproved { state: agreement.state });
        }
        if agreement.valid_from.is_some_and(|from| call.received < from) {
            return t.deny(DenyReason::AgreementNotYetValid);
        }
        if agreement.valid_to.is_some_and(|to| call.received >= to) {
            return t.deny(DenyReason::AgreementExpired);
        }
        Ok(self.allowed(call, (system, authority, service), agreement))
    }

    /// Rule 5: the one approved agreement valid now for (system, CVR's authority, service).
    fn by_authority<'r>(
        &'r self,
        call: &Call<'_>,
        cvr: Cvr,
        (system, service): (u32, u32),
        t: &mut Trail,
    ) -> Result<Allowed<'r>, Denial> {
        t.denial.authority_cvr = Some(cvr);
        let Some(&authority) = self.ix.authority_by_cvr.get(&cvr) else {
            return t.deny(DenyReason::UnknownAuthority);
        };
        t.denial.authority = Some(self.authorities[authority as usize].uuid);
        let (start, len) = self.ix.active.get(&(system, authority, service)).copied().unwrap_or((0, 0));
        let mut found = None;
        for &i in &self.ix.active_list[start as usize..(start + len) as usize] {
            let agreement = &self.agreements[i as usize];
            if agreement.is_valid_at(call.received) {
                if found.is_some() {
                    t.denial.agreement = None;
                    return t.deny(DenyReason::AmbiguousAgreement);
                }
                t.denial.agreement = Some(agreement.uuid);
                found = Some(agreement);
            }
        }
        match found {
            Some(agreement) => Ok(self.allowed(call, (system, authority, service), agreement)),
            None => t.deny(DenyReason::NoAgreement),
        }
    }

    fn allowed<'r>(
        &'r self,
        call: &Call<'_>,
        (system, authority, service): (u32, u32, u32),
        agreement: &'r Agreement,
    ) -> Allowed<'r> {
        Allowed {
            model: call.credentials.model().unwrap_or(SecurityModel::InvocationContext),
            system: &self.systems[system as usize],
            authority: &self.authorities[authority as usize],
            service: &self.services[service as usize],
            agreement,
        }
    }
}

/// Rule 6: an unrestricted agreement covers every call; a restricted one
/// needs the call's case type or area in its lists.
fn covers_case(agreement: &Agreement, case: Option<CaseRef<'_>>) -> bool {
    if !agreement.is_case_restricted() {
        return true;
    }
    let Some(case) = case else { return false };
    let type_ok = case.case_type.is_some_and(|t| agreement.case_types.iter().any(|x| x == t));
    let area_ok = case.case_area.is_some_and(|a| agreement.case_areas.iter().any(|x| x == a));
    type_ok || area_ok
}

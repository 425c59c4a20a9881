//! The registry's entries: IT systems and their certificates, authorities,
//! services, connection agreements and service agreements.
//!
//! Entries name each other by UUID; [`Registry`](super::Registry) resolves
//! and checks those references when it is built.

use std::fmt;

use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

/// Where a system runs and a call is received: the external test
/// environment or production.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Environment {
    /// The external test environment: a connection grants every service.
    Test,
    /// Production: a connection grants only the services it lists.
    Production,
}

impl Environment {
    /// `test` or `production`, as the registry JSON writes it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Environment::Test => "test",
            Environment::Production => "production",
        }
    }

    /// Parses `test` or `production`.
    pub fn parse(s: &str) -> Option<Environment> {
        match s {
            "test" => Some(Environment::Test),
            "production" => Some(Environment::Production),
            _ => None,
        }
    }
}

/// What a service does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ServiceKind {
    /// `lookup`: reads one record.
    Lookup,
    /// `extract`: reads many records.
    Extract,
    /// `update`: changes data.
    Update,
    /// `function`: anything else (printing, distribution...).
    Function,
}

impl ServiceKind {
    /// The JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ServiceKind::Lookup => "lookup",
            ServiceKind::Extract => "extract",
            ServiceKind::Update => "update",
            ServiceKind::Function => "function",
        }
    }

    /// Parses a JSON name.
    pub fn parse(s: &str) -> Option<ServiceKind> {
        [ServiceKind::Lookup, ServiceKind::Extract, ServiceKind::Update, ServiceKind::Function]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// The response-time class the platform promises for a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ResponseClass {
    /// `simple`: 1.0 s.
    Simple,
    /// `medium`: 1.5 s.
    Medium,
    /// `complex`: 4.0 s.
    Complex,
    /// `large`: responses over 1 MB, 15 s at 200 kB/s or more.
    Large,
}

impl ResponseClass {
    /// The JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseClass::Simple => "simple",
            ResponseClass::Medium => "medium",
            ResponseClass::Complex => "complex",
            ResponseClass::Large => "large",
        }
    }

    /// Parses a JSON name.
    pub fn parse(s: &str) -> Option<ResponseClass> {
        [ResponseClass::Simple, ResponseClass::Medium, ResponseClass::Complex, ResponseClass::Large]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One of the platform's three security models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SecurityModel {
    /// Mutual TLS and the four UUIDs of `InvocationContext` in the Body.
    InvocationContext,
    /// Mutual TLS and the municipality's CVR in `AuthorityContext`.
    AuthorityContext,
    /// An STS-issued SAML holder-of-key token (OIO-IDWS).
    KombitToken,
}

impl SecurityModel {
    /// The name the platform uses (`InvocationContext`, `AuthorityContext`, `KombitToken`).
    pub const fn as_str(self) -> &'static str {
        match self {
            SecurityModel::InvocationContext => "InvocationContext",
            SecurityModel::AuthorityContext => "AuthorityContext",
            SecurityModel::KombitToken => "KombitToken",
        }
    }

    /// Parses a platform name.
    pub fn parse(s: &str) -> Option<SecurityModel> {
        SecurityModels::ALL.iter().find(|m| m.as_str() == s)
    }

    const fn bit(self) -> u8 {
        match self {
            SecurityModel::InvocationContext => 1,
            SecurityModel::AuthorityContext => 2,
            SecurityModel::KombitToken => 4,
        }
    }
}

/// A set of security models. Lists in the platform's order:
/// KombitToken, AuthorityContext, InvocationContext.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SecurityModels(u8);

impl SecurityModels {
    /// Every model.
    pub const ALL: SecurityModels = SecurityModels(7);
    /// No model.
    pub const NONE: SecurityModels = SecurityModels(0);

    /// This set with `model` added.
    pub const fn with(self, model: SecurityModel) -> Self {
        SecurityModels(self.0 | model.bit())
    }

    /// Whether `model` is in the set.
    pub const fn contains(self, model: SecurityModel) -> bool {
        self.0 & model.bit() != 0
    }

    /// Whether the set is empty.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The models in the set, in the platform's order.
    pub fn iter(self) -> impl Iterator<Item = SecurityModel> {
        [SecurityModel::KombitToken, SecurityModel::AuthorityContext, SecurityModel::InvocationContext]
            .into_iter()
            .filter(move |m| self.contains(*m))
    }
}

impl FromIterator<SecurityModel> for SecurityModels {
    fn from_iter<I: IntoIterator<Item = SecurityModel>>(iter: I) -> Self {
        iter.into_iter().fold(SecurityModels::NONE, SecurityModels::with)
    }
}

impl fmt::Display for SecurityModels {
    /// `[KombitToken, AuthorityContext]`, as the platform's fault text writes it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, m) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m.as_str())?;
        }
        f.write_str("]")
    }
}

impl fmt::Debug for SecurityModels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SecurityModels({self})")
    }
}

/// Where a service agreement is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AgreementState {
    /// Requested by the supplier, not yet answered.
    Requested,
    /// Approved by the authority: calls are allowed (and billed) in its validity period.
    Approved,
    /// Rejected by the authority.
    Rejected,
    /// Ended after approval.
    Revoked,
}

impl AgreementState {
    /// The JSON name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AgreementState::Requested => "requested",
            AgreementState::Approved => "approved",
            AgreementState::Rejected => "rejected",
            AgreementState::Revoked => "revoked",
        }
    }

    /// Parses a JSON name.
    pub fn parse(s: &str) -> Option<AgreementState> {
        [AgreementState::Requested, AgreementState::Approved, AgreementState::Rejected, AgreementState::Revoked]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A certificate registered for a system: by SHA-256 thumbprint, by serial
/// number and issuer, or both (then both must match).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegisteredCertificate {
    /// The serial number's big-endian magnitude, leading zero bytes stripped.
    pub serial: Option<Vec<u8>>,
    /// The issuer as an RFC 4514 string, as [`CertificateIdentity::issuer`](crate::CertificateIdentity) writes it.
    pub issuer: Option<String>,
    /// SHA-256 of the certificate's DER.
    pub sha256: Option<[u8; 32]>,
}

impl RegisteredCertificate {
    /// A certificate registered by its SHA-256 thumbprint.
    pub fn by_sha256(sha256: [u8; 32]) -> Self {
        RegisteredCertificate { serial: None, issuer: None, sha256: Some(sha256) }
    }

    /// A certificate registered by serial number (big-endian bytes) and issuer.
    pub fn by_serial(serial: &[u8], issuer: impl Into<String>) -> Self {
        let serial = super::certificate::magnitude(serial).to_vec();
        RegisteredCertificate { serial: Some(serial), issuer: Some(issuer.into()), sha256: None }
    }

    /// This registration with the thumbprint added.
    pub fn with_sha256(mut self, sha256: [u8; 32]) -> Self {
        self.sha256 = Some(sha256);
        self
    }
}

/// An IT system (anvendersystem) registered by a supplier.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct System {
    /// The system's UUID (`UserSystemUUID`).
    pub uuid: Uuid,
    /// Its name.
    pub name: String,
    /// The supplier's CVR.
    pub supplier_cvr: Cvr,
    /// The environment it is registered in.
    pub environment: Environment,
    /// Its certificates.
    pub certificates: Vec<RegisteredCertificate>,
}

impl System {
    /// A system without certificates.
    pub fn new(uuid: Uuid, name: impl Into<String>, supplier_cvr: Cvr, environment: Environment) -> Self {
        System { uuid, name: name.into(), supplier_cvr, environment, certificates: Vec::new() }
    }

    /// This system with a certificate added.
    pub fn with_certificate(mut self, certificate: RegisteredCertificate) -> Self {
        self.certificates.push(certificate);
        self
    }
}

/// An authority (municipality).
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authority {
    /// The authority's UUID (`UserUUID`).
    pub uuid: Uuid,
    /// Its CVR (`MunicipalityCVR`, the token's CVR).
    pub cvr: Cvr,
    /// Its name.
    pub name: String,
}

impl Authority {
    /// An authority.
    pub fn new(uuid: Uuid, cvr: Cvr, name: impl Into<String>) -> Self {
        Authority { uuid, cvr, name: name.into() }
    }
}

/// A service offered on the platform.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    /// The service's UUID (`ServiceUUID`).
    pub uuid: Uuid,
    /// Its name.
    pub name: String,
    /// Its entity ID: the token's required `Audience`.
    pub entity_id: String,
    /// The endpoint path the gateway receives it on, e.g. `/service/CPR/PersonBaseDataExtended/5`.
    pub endpoint: String,
    /// What it does.
    pub kind: ServiceKind,
    /// Its response-time class.
    pub class: ResponseClass,
    /// The security models it accepts.
    pub security_models: SecurityModels,
    /// The privilege a token must grant for the KombitToken model.
    pub privilege: Option<String>,
}

impl Service {
    /// A service; no privilege.
    pub fn new(
        uuid: Uuid,
        name: impl Into<String>,
        entity_id: impl Into<String>,
        endpoint: impl Into<String>,
        (kind, class): (ServiceKind, ResponseClass),
        security_models: SecurityModels,
    ) -> Self {
        Service {
            uuid,
            name: name.into(),
            entity_id: entity_id.into(),
            endpoint: endpoint.into(),
            kind,
            class,
            security_models,
            privilege: None,
        }
    }

    /// This service with the privilege the token model requires.
    pub fn with_privilege(mut self, privilege: impl Into<String>) -> Self {
        self.privilege = Some(privilege.into());
        self
    }
}

/// A service agreement: one system, one authority, one or more services.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agreement {
    /// The agreement's UUID (`ServiceAgreementUUID`).
    pub uuid: Uuid,
    /// The system it grants.
    pub system: Uuid,
    /// The authority that approves it and pays for the calls.
    pub authority: Uuid,
    /// The services it names.
    pub services: Vec<Uuid>,
    /// Its state.
    pub state: AgreementState,
    /// First instant it is valid (none: since always).
    pub valid_from: Option<UtcTime>,
    /// First instant it is no longer valid (none: open-ended). The period is `[valid_from, valid_to)`.
    pub valid_to: Option<UtcTime>,
    /// The environment it is for (the system's).
    pub environment: Environment,
    /// Byg og Miljø: the case types it is restricted to (empty with empty
    /// `case_areas`: unrestricted).
    pub case_types: Vec<String>,
    /// Byg og Miljø: the case areas it is restricted to.
    pub case_areas: Vec<String>,
}

impl Agreement {
    /// An agreement without validity bounds or case restrictions.
    pub fn new(
        uuid: Uuid,
        (system, authority): (Uuid, Uuid),
        services: Vec<Uuid>,
        state: AgreementState,
        environment: Environment,
    ) -> Self {
        Agreement {
            uuid,
            system,
            authority,
            services,
            state,
            valid_from: None,
            valid_to: None,
            environment,
            case_types: Vec::new(),
            case_areas: Vec::new(),
        }
    }

    /// This agreement with a validity period `[from, to)`.
    pub fn with_validity(mut self, from: Option<UtcTime>, to: Option<UtcTime>) -> Self {
        self.valid_from = from;
        self.valid_to = to;
        self
    }

    /// This agreement restricted to case types and case areas (Byg og Miljø).
    pub fn with_cases(mut self, case_types: Vec<String>, case_areas: Vec<String>) -> Self {
        self.case_types = case_types;
        self.case_areas = case_areas;
        self
    }

    /// Whether `at` lies in `[valid_from, valid_to)`.
    pub fn is_valid_at(&self, at: UtcTime) -> bool {
        self.valid_from.map_or(true, |from| at >= from) && self.valid_to.map_or(true, |to| at < to)
    }

    /// Whether the agreement is limited to some case types or areas.
    pub fn is_case_restricted(&self) -> bool {
        !self.case_types.is_empty() || !self.case_areas.is_empty()
    }
}

/// A connection agreement (tilslutningsaftale): a system attached to an
/// environment. In test it grants every service (`services` is `None`); in
/// production only the listed ones.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// The system.
    pub system: Uuid,
    /// The environment (the system's).
    pub environment: Environment,
    /// The services it grants; `None` for every service (test only).
    pub services: Option<Vec<Uuid>>,
}

impl Connection {
    /// A connection.
    pub fn new(system: Uuid, environment: Environment, services: Option<Vec<Uuid>>) -> Self {
        Connection { system, environment, services }
    }
}

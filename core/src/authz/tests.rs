//! Every rule and every denial reason, per security model, on one small registry.

use super::*;
use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

pub(super) const SYS_A: &str = "00000000-0000-4000-8000-00000000a001";
pub(super) const SYS_B: &str = "00000000-0000-4000-8000-00000000a002";
pub(super) const SYS_P: &str = "00000000-0000-4000-8000-00000000a003";
pub(super) const AUTH_1: &str = "00000000-0000-4000-8000-00000000b001";
pub(super) const AUTH_2: &str = "00000000-0000-4000-8000-00000000b002";
pub(super) const LOOKUP: &str = "00000000-0000-4000-8000-00000000c001";
pub(super) const PRINT: &str = "00000000-0000-4000-8000-00000000c002";
pub(super) const OTHER: &str = "00000000-0000-4000-8000-00000000c003";
pub(super) const AG_OK: &str = "00000000-0000-4000-8000-00000000d001";
pub(super) const AG_REQUESTED: &str = "00000000-0000-4000-8000-00000000d002";
pub(super) const AG_REVOKED: &str = "00000000-0000-4000-8000-00000000d003";
pub(super) const AG_B: &str = "00000000-0000-4000-8000-00000000d004";
pub(super) const AG_PROD: &str = "00000000-0000-4000-8000-00000000d005";
pub(super) const AG_CASES: &str = "00000000-0000-4000-8000-00000000d006";
pub(super) const ISSUER: &str = "CN=TEST ONLY CA,O=kuvert,C=DK";

pub(super) fn fixture_json() -> String {
    let sha = |b: u8| format!("{b:02x}").repeat(32);
    format!(
        r#"{{
  "systems": [
    {{"uuid": "{SYS_A}", "name": "A", "supplier_cvr": "11111111", "environment": "test",
      "certificates": [{{"sha256": "{}"}}]}},
    {{"uuid": "{SYS_B}", "name": "B", "supplier_cvr": "22222222", "environment": "test",
      "certificates": [{{"sha256": "{}", "serial": "0b0b", "issuer": "{ISSUER}"}}]}},
    {{"uuid": "{SYS_P}", "name": "P", "supplier_cvr": "11111111", "environment": "production",
      "certificates": [{{"serial": "00FF01", "issuer": "{ISSUER}"}}]}}
  ],
  "authorities": [
    {{"uuid": "{AUTH_1}", "cvr": "29189846", "name": "Viborg"}},
    {{"uuid": "{AUTH_2}", "cvr": "12345678", "name": "Testby"}}
  ],
  "services": [
    {{"uuid": "{LOOKUP}", "name": "Lookup", "entity_id": "http://lookup.example/service/1", "endpoint": "/service/lookup",
      "kind": "lookup", "class": "simple",
      "security_models": ["InvocationContext", "AuthorityContext", "KombitToken"], "privilege": "urn:priv:lookup"}},
    {{"uuid": "{PRINT}", "name": "Print", "entity_id": "http://print.example/service/1", "endpoint": "/service/print",
      "kind": "function", "class": "large", "security_models": ["AuthorityContext"]}},
    {{"uuid": "{OTHER}", "name": "Other", "entity_id": "http://other.example/service/1", "endpoint": "/service/other",
      "kind": "update", "class": "medium", "security_models": ["InvocationContext"]}}
  ],
  "agreements": [
    {{"uuid": "{AG_OK}", "system": "{SYS_A}", "authority": "{AUTH_1}", "services": ["{LOOKUP}"],
      "state": "approved", "valid_from": "2025-01-01T00:00:00Z", "valid_to": "2027-01-01T00:00:00Z", "environment": "test"}},
    {{"uuid": "{AG_REQUESTED}", "system": "{SYS_A}", "authority": "{AUTH_1}", "services": ["{PRINT}", "{OTHER}"],
      "state": "requested", "environment": "test"}},
    {{"uuid": "{AG_REVOKED}", "system": "{SYS_A}", "authority": "{AUTH_2}", "services": ["{LOOKUP}"],
      "state": "revoked", "environment": "test"}},
    {{"uuid": "{AG_B}", "system": "{SYS_B}", "authority": "{AUTH_1}", "services": ["{LOOKUP}", "{OTHER}"],
      "state": "approved", "environment": "test", "valid_to": null}},
    {{"uuid": "{AG_PROD}", "system": "{SYS_P}", "authority": "{AUTH_1}", "services": ["{LOOKUP}", "{OTHER}"],
      "state": "approved", "environment": "production"}},
    {{"uuid": "{AG_CASES}", "system": "{SYS_A}", "authority": "{AUTH_2}", "services": ["{PRINT}"],
      "state": "approved", "environment": "test", "case_types": ["BYG"], "case_areas": ["MILJO"]}}
  ],
  "connections": [
    {{"system": "{SYS_P}", "environment": "production", "services": ["{LOOKUP}"]}}
  ]
}}"#,
        sha(0xaa),
        sha(0xbb)
    )
}

pub(super) fn fixture() -> Registry {
    Registry::from_json(fixture_json().as_bytes()).expect("fixture registry")
}

pub(super) fn u(s: &str) -> Uuid {
    Uuid::parse_lower(s).unwrap()
}

pub(super) fn cvr(s: &str) -> Cvr {
    Cvr::parse(s).unwrap()
}

pub(super) fn now() -> UtcTime {
    UtcTime::parse("2026-03-01T12:00:00Z").unwrap()
}

pub(super) fn cert_a() -> CallerCertificate {
    CallerCertificate::new([0xaa; 32], &[1], "CN=whatever")
}

fn cert_b() -> CallerCertificate {
    CallerCertificate::new([0xbb; 32], &[0x0b, 0x0b], ISSUER)
}

fn cert_p() -> CallerCertificate {
    CallerCertificate::new([0x11; 32], &[0, 0xff, 1], ISSUER)
}

pub(super) fn ids(agreement: &str, system: &str, user: &str, service: &str) -> InvocationIds {
    InvocationIds { service_agreement: u(agreement), user_system: u(system), user: u(user), service: u(service) }
}

fn invocation(
    registry: &Registry,
    cert: &CallerCertificate,
    ids: InvocationIds,
    endpoint: &str,
) -> Result<(), DenyReason> {
    let call = Call::new(Environment::Test, endpoint, now(), Credentials::InvocationContext { certificate: cert, ids });
    registry.authorize(&call).map(drop).map_err(|d| d.reason)
}

fn authority(registry: &Registry, cert: &CallerCertificate, cvr_text: &str, endpoint: &str) -> Result<(), DenyReason> {
    let call = Call::new(
        Environment::Test,
        endpoint,
        now(),
        Credentials::AuthorityContext { certificate: cert, cvr: cvr(cvr_text) },
    );
    registry.authorize(&call).map(drop).map_err(|d| d.reason)
}

/// Grants exactly the listed (CVR, privilege) pairs.
pub(super) struct Grants(pub(super) Vec<(Cvr, &'static str)>);

impl PrivilegeGrants for Grants {
    fn grants(&self, scope: Cvr, privilege: &str) -> bool {
        self.0.iter().any(|(c, p)| *c == scope && *p == privilege)
    }
}

fn token(
    registry: &Registry,
    holder: &CallerCertificate,
    audience: &str,
    cvr_text: &str,
    grants: &Grants,
) -> Result<(), DenyReason> {
    let t = TokenCall { audience, authority_cvr: cvr(cvr_text), holder, privileges: grants };
    let call = Call::new(Environment::Test, "/service/lookup", now(), Credentials::KombitToken(t));
    registry.authorize(&call).map(drop).map_err(|d| d.reason)
}

#[test]
fn invocation_context_allows_and_reports_the_entries() {
    let r = fixture();
    let cert = cert_a();
    let call = Call::new(
        Environment::Test,
        "/service/lookup",
        now(),
        Credentials::InvocationContext { certificate: &cert, ids: ids(AG_OK, SYS_A, AUTH_1, LOOKUP) },
    );
    let allowed = r.authorize(&call).unwrap();
    assert_eq!(allowed.model, SecurityModel::InvocationContext);
    assert_eq!(allowed.agreement.uuid, u(AG_OK));
    assert_eq!(allowed.authority.cvr, cvr("29189846"));
    assert_eq!(allowed.service.class, ResponseClass::Simple);
    assert_eq!(allowed.system.uuid, u(SYS_A));
}

#[test]
fn invocation_context_denials() {
    let r = fixture();
    let a = cert_a();
    let ok = ids(AG_OK, SYS_A, AUTH_1, LOOKUP);
    let lookup = "/service/lookup";
    assert_eq!(invocation(&r, &a, ok, "/service/nope"), Err(DenyReason::UnknownEndpoint));
    let supported = SecurityModels::NONE.with(SecurityModel::AuthorityContext);
    assert_eq!(invocation(&r, &a, ok, "/service/print"), Err(DenyReason::SecurityModelNotAllowed { supported }));
    let stranger = CallerCertificate::new([0xcc; 32], &[1], ISSUER);
    assert_eq!(invocation(&r, &stranger, ok, lookup), Err(DenyReason::UnknownCertificate));
    assert_eq!(invocation(&r, &a, ids(AG_OK, SYS_B, AUTH_1, LOOKUP), lookup), Err(DenyReason::SystemMismatch));
    assert_eq!(invocation(&r, &a, ids(AG_OK, SYS_A, AUTH_1, OTHER), lookup), Err(DenyReason::ServiceMismatch));
    assert_eq!(invocation(&r, &a, ids(SYS_A, SYS_A, AUTH_1, LOOKUP), lookup), Err(DenyReason::UnknownAgreement));
    assert_eq!(invocation(&r, &a, ids(AG_B, SYS_A, AUTH_1, LOOKUP), lookup), Err(DenyReason::AgreementWrongSystem));
    assert_eq!(invocation(&r, &a, ids(AG_OK, SYS_A, AUTH_2, LOOKUP), lookup), Err(DenyReason::AgreementWrongAuthority));
    let other = "/service/other";
    assert_eq!(invocation(&r, &a, ids(AG_OK, SYS_A, AUTH_1, OTHER), other), Err(DenyReason::AgreementWrongService));
    let state = AgreementState::Requested;
    let requested = ids(AG_REQUESTED, SYS_A, AUTH_1, OTHER);
    assert_eq!(invocation(&r, &a, requested, other), Err(DenyReason::AgreementNotApproved { state }));
    let state = AgreementState::Revoked;
    let revoked = ids(AG_REVOKED, SYS_A, AUTH_2, LOOKUP);
    assert_eq!(invocation(&r, &a, revoked, lookup), Err(DenyReason::AgreementNotApproved { state }));
}

#[test]
fn validity_period_is_half_open() {
    let r = fixture();
    let cert = cert_a();
    let at = |t: &str| {
        let c = Call::new(
            Environment::Test,
            "/service/lookup",
            UtcTime::parse(t).unwrap(),
            Credentials::InvocationContext { certificate: &cert, ids: ids(AG_OK, SYS_A, AUTH_1, LOOKUP) },
        );
        r.authorize(&c).map(drop).map_err(|d| d.reason)
    };
    assert_eq!(at("2024-12-31T23:59:59.999Z"), Err(DenyReason::AgreementNotYetValid));
    assert_eq!(at("2025-01-01T00:00:00Z"), Ok(()));
    assert_eq!(at("2026-12-31T23:59:59.999Z"), Ok(()));
    assert_eq!(at("2027-01-01T00:00:00Z"), Err(DenyReason::AgreementExpired));
    let ac = |t: &str| {
        let c = Call::new(
            Environment::Test,
            "/service/lookup",
            UtcTime::parse(t).unwrap(),
            Credentials::AuthorityContext { certificate: &cert, cvr: cvr("29189846") },
        );
        r.authorize(&c).map(drop).map_err(|d| d.reason)
    };
    assert_eq!(ac("2027-01-01T00:00:00Z"), Err(DenyReason::NoAgreement));
    assert_eq!(ac("2026-01-01T00:00:00Z"), Ok(()));
}

#[test]
fn environment_and_connection_rules() {
    let r = fixture();
    let p = cert_p();
    let call = |env, endpoint, ids| {
        let c = Call::new(env, endpoint, now(), Credentials::InvocationContext { certificate: &p, ids });
        r.authorize(&c).map(|a| a.agreement.uuid).map_err(|d| d.reason)
    };
    let lookup = ids(AG_PROD, SYS_P, AUTH_1, LOOKUP);
    assert_eq!(call(Environment::Production, "/service/lookup", lookup), Ok(u(AG_PROD)));
    let system = Environment::Production;
    assert_eq!(call(Environment::Test, "/service/lookup", lookup), Err(DenyReason::WrongEnvironment { system }));
    // The agreement names OTHER, but the production connection lists only LOOKUP.
    let other = ids(AG_PROD, SYS_P, AUTH_1, OTHER);
    assert_eq!(call(Environment::Production, "/service/other", other), Err(DenyReason::NoConnection));
    let a = cert_a();
    let c = Call::new(
        Environment::Production,
        "/service/lookup",
        now(),
        Credentials::InvocationContext { certificate: &a, ids: ids(AG_OK, SYS_A, AUTH_1, LOOKUP) },
    );
    assert_eq!(r.authorize(&c).unwrap_err().reason, DenyReason::WrongEnvironment { system: Environment::Test });
}

#[test]
fn production_system_without_connection_is_refused() {
    let mut json = fixture_json();
    let start = json.find("\"connections\"").unwrap();
    json.replace_range(start.., "\"connections\": []}");
    let json = json.replace("],\n  \"connections\"", "], \"connections\"");
    let r = Registry::from_json(json.as_bytes()).unwrap();
    let p = cert_p();
    let c = Call::new(
        Environment::Production,
        "/service/lookup",
        now(),
        Credentials::InvocationContext { certificate: &p, ids: ids(AG_PROD, SYS_P, AUTH_1, LOOKUP) },
    );
    assert_eq!(r.authorize(&c).unwrap_err().reason, DenyReason::NoConnection);
}

#[test]
fn certificates_match_by_thumbprint_or_serial_and_issuer() {
    let r = fixture();
    assert_eq!(r.system_for_certificate(&cert_a()).unwrap().uuid, u(SYS_A));
    assert_eq!(r.system_for_certificate(&cert_p()).unwrap().uuid, u(SYS_P));
    // Registered with both: both must match.
    assert_eq!(r.system_for_certificate(&cert_b()).unwrap().uuid, u(SYS_B));
    let wrong_serial = CallerCertificate::new([0xbb; 32], &[9], ISSUER);
    assert!(r.system_for_certificate(&wrong_serial).is_none());
    let same_serial_other_cert = CallerCertificate::new([0x12; 32], &[0x0b, 0x0b], ISSUER);
    assert!(r.system_for_certificate(&same_serial_other_cert).is_none());
    let other_issuer = CallerCertificate::new([0x13; 32], &[0xff, 1], "CN=Other CA");
    assert!(r.system_for_certificate(&other_issuer).is_none());
}

#[test]
fn authority_context_decisions() {
    let r = fixture();
    let a = cert_a();
    assert_eq!(authority(&r, &a, "29189846", "/service/lookup"), Ok(()));
    assert_eq!(authority(&r, &a, "99999999", "/service/lookup"), Err(DenyReason::UnknownAuthority));
    // AUTH_2's LOOKUP agreement is revoked.
    assert_eq!(authority(&r, &a, "12345678", "/service/lookup"), Err(DenyReason::NoAgreement));
    // AUTH_1's PRINT agreement is only requested.
    assert_eq!(authority(&r, &a, "29189846", "/service/print"), Err(DenyReason::NoAgreement));
    let supported = SecurityModels::NONE.with(SecurityModel::InvocationContext);
    let refused = authority(&r, &a, "29189846", "/service/other");
    assert_eq!(refused, Err(DenyReason::SecurityModelNotAllowed { supported }));
    let stranger = CallerCertificate::new([0xcc; 32], &[1], ISSUER);
    assert_eq!(authority(&r, &stranger, "29189846", "/service/lookup"), Err(DenyReason::UnknownCertificate));
}

#[test]
fn case_restricted_agreements_byg_og_miljo() {
    let r = fixture();
    let a = cert_a();
    let call = |case: Option<CaseRef<'static>>| {
        let mut c = Call::new(
            Environment::Test,
            "/service/print",
            now(),
            Credentials::AuthorityContext { certificate: &a, cvr: cvr("12345678") },
        );
        if let Some(case) = case {
            c = c.with_case(case);
        }
        r.authorize(&c).map(drop).map_err(|d| d.reason)
    };
    assert_eq!(call(None), Err(DenyReason::CaseNotCovered));
    assert_eq!(call(Some(CaseRef { case_type: Some("BYG"), case_area: None })), Ok(()));
    assert_eq!(call(Some(CaseRef { case_type: None, case_area: Some("MILJO") })), Ok(()));
    assert_eq!(
        call(Some(CaseRef { case_type: Some("NATUR"), case_area: Some("VAND") })),
        Err(DenyReason::CaseNotCovered)
    );
}

#[test]
fn kombit_token_decisions() {
    let r = fixture();
    let a = cert_a();
    let aud = "http://lookup.example/service/1";
    let viborg = cvr("29189846");
    let good = Grants(vec![(viborg, "urn:priv:lookup")]);
    assert_eq!(token(&r, &a, aud, "29189846", &good), Ok(()));
    assert_eq!(token(&r, &a, "http://print.example/service/1", "29189846", &good), Err(DenyReason::AudienceMismatch));
    let stranger = CallerCertificate::new([0xcc; 32], &[1], ISSUER);
    assert_eq!(token(&r, &stranger, aud, "29189846", &good), Err(DenyReason::UnknownCertificate));
    assert_eq!(token(&r, &a, aud, "99999999", &good), Err(DenyReason::UnknownAuthority));
    assert_eq!(token(&r, &a, aud, "12345678", &good), Err(DenyReason::NoAgreement));
    let other_scope = Grants(vec![(cvr("12345678"), "urn:priv:lookup")]);
    assert_eq!(token(&r, &a, aud, "29189846", &other_scope), Err(DenyReason::PrivilegeMissing));
    let other_privilege = Grants(vec![(viborg, "urn:priv:print")]);
    assert_eq!(token(&r, &a, aud, "29189846", &other_privilege), Err(DenyReason::PrivilegeMissing));
}

#[test]
fn missing_model_gets_the_platform_text_and_fault() {
    let r = fixture();
    let call = Call::new(Environment::Test, "/service/lookup", now(), Credentials::None);
    let denial = r.authorize(&call).unwrap_err();
    assert_eq!(denial.code(), "authz.security_model_not_allowed");
    assert_eq!(denial.service, Some(u(LOOKUP)));
    let text = denial.reason.message();
    assert_eq!(
        text,
        "Security model for the called operation was not provided. The following are supported: \
         [KombitToken, AuthorityContext, InvocationContext]"
    );
    let call_uuid = u("cca459ba-ee11-4030-8ae1-25ea95b0318c");
    let received = UtcTime::parse("2025-10-23T13:06:14.306Z").unwrap();
    let xml = denial.fault_xml(crate::SoapVersion::Soap11, call_uuid, received);
    assert!(xml.contains("<faultcode>soap:Client</faultcode>"), "{xml}");
    assert!(xml.contains("CallUUID: cca459ba-ee11-4030-8ae1-25ea95b0318c"), "{xml}");
    assert!(xml.contains("<sp:ErrorCode>authz.security_model_not_allowed</sp:ErrorCode>"), "{xml}");
    let limits = crate::Limits::default();
    let input = crate::Input::new(xml.as_bytes(), &limits).unwrap();
    let envelope = crate::Envelope::parse(&input, &limits).unwrap();
    assert!(envelope.fault().is_some());
}

#[test]
fn denial_carries_what_was_identified() {
    let r = fixture();
    let a = cert_a();
    let c = Call::new(
        Environment::Test,
        "/service/lookup",
        now(),
        Credentials::InvocationContext { certificate: &a, ids: ids(AG_REVOKED, SYS_A, AUTH_2, LOOKUP) },
    );
    let d = r.authorize(&c).unwrap_err();
    assert_eq!(d.model, Some(SecurityModel::InvocationContext));
    assert_eq!((d.system, d.service, d.agreement), (Some(u(SYS_A)), Some(u(LOOKUP)), Some(u(AG_REVOKED))));
    assert_eq!((d.authority, d.authority_cvr), (Some(u(AUTH_2)), Some(cvr("12345678"))));
}

#[test]
fn ambiguous_agreements_are_refused_when_not_checked_at_load() {
    let json = fixture_json().replace(
        &format!("\"uuid\": \"{AG_REVOKED}\", \"system\": \"{SYS_A}\", \"authority\": \"{AUTH_2}\", \"services\": [\"{LOOKUP}\"],\n      \"state\": \"revoked\""),
        &format!("\"uuid\": \"{AG_REVOKED}\", \"system\": \"{SYS_A}\", \"authority\": \"{AUTH_1}\", \"services\": [\"{LOOKUP}\"],\n      \"state\": \"approved\""),
    );
    let err = Registry::from_json(json.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "registry.overlapping_agreements");
    assert_eq!(err.path(), "$.agreements[2]");
    assert!(err.to_string().contains("$.agreements[0]"), "{err}");
    let mut b = RegistryBuilder::new();
    let raw: Registry = Registry::from_json(fixture_json().as_bytes()).unwrap();
    for s in raw.systems() {
        b.system(s.clone());
    }
    for a in raw.authorities() {
        b.authority(a.clone());
    }
    for s in raw.services() {
        b.service(s.clone());
    }
    for a in raw.agreements() {
        let mut a = a.clone();
        if a.uuid == u(AG_REVOKED) {
            a.authority = u(AUTH_1);
            a.state = AgreementState::Approved;
        }
        b.agreement(a);
    }
    let r = b.build_checked(false).unwrap();
    assert_eq!(authority(&r, &cert_a(), "29189846", "/service/lookup"), Err(DenyReason::AmbiguousAgreement));
}

#[test]
fn every_code_is_distinct_and_namespaced() {
    let reasons = [
        DenyReason::UnknownEndpoint,
        DenyReason::SecurityModelNotAllowed { supported: SecurityModels::ALL },
        DenyReason::AudienceMismatch,
        DenyReason::UnknownCertificate,
        DenyReason::WrongEnvironment { system: Environment::Test },
        DenyReason::NoConnection,
        DenyReason::SystemMismatch,
        DenyReason::ServiceMismatch,
        DenyReason::UnknownAgreement,
        DenyReason::AgreementWrongSystem,
        DenyReason::AgreementWrongAuthority,
        DenyReason::AgreementWrongService,
        DenyReason::AgreementNotApproved { state: AgreementState::Rejected },
        DenyReason::AgreementNotYetValid,
        DenyReason::AgreementExpired,
        DenyReason::UnknownAuthority,
        DenyReason::NoAgreement,
        DenyReason::AmbiguousAgreement,
        DenyReason::PrivilegeMissing,
        DenyReason::CaseNotCovered,
    ];
    let mut codes: Vec<_> = reasons.iter().map(|r| r.code()).collect();
    assert!(codes.iter().all(|c| c.starts_with("authz.")));
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), reasons.len());
    assert!(reasons.iter().all(|r| !r.message().is_empty()));
}

#[path = "tests_load.rs"]
mod load;
#[path = "tests_usage.rs"]
mod usage;

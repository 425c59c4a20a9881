//! Loading: every inconsistency is reported with its JSON path; a bad file
//! never replaces a good registry.

use super::*;

/// Loads the fixture with `from` replaced by `to` (which must occur).
fn load_edited(from: &str, to: &str) -> Result<Registry, RegistryError> {
    let json = fixture_json();
    assert!(json.contains(from), "fixture lacks {from}");
    Registry::from_json(json.replacen(from, to, 1).as_bytes())
}

fn refused(from: &str, to: &str) -> (String, &'static str) {
    let e = load_edited(from, to).unwrap_err();
    (e.path().to_owned(), e.code())
}

#[test]
fn fixture_loads() {
    let r = fixture();
    assert_eq!((r.systems().len(), r.authorities().len(), r.services().len()), (3, 2, 3));
    assert_eq!((r.agreements().len(), r.connections().len()), (6, 1));
    assert_eq!(r.authority_by_cvr(cvr("29189846")).unwrap().name, "Viborg");
    assert_eq!(r.service_by_endpoint("/service/print").unwrap().kind, ServiceKind::Function);
    assert_eq!(r.agreement(u(AG_CASES)).unwrap().case_types, vec!["BYG".to_owned()]);
    // The serial is kept without leading zeros, whatever the case of the hex.
    assert_eq!(r.system(u(SYS_P)).unwrap().certificates[0].serial, Some(vec![0xff, 1]));
}

#[test]
fn syntax_and_type_errors() {
    let e = Registry::from_json(b"{\"systems\": [}").unwrap_err();
    assert_eq!((e.path(), e.code()), ("$", "registry.syntax"));
    assert!(matches!(e.kind(), RegistryErrorKind::Syntax { line: 1, .. }));
    let e = Registry::from_json(b"[]").unwrap_err();
    assert_eq!((e.path(), e.code()), ("$", "registry.wrong_type"));
    let e = Registry::from_json(b"{\"systems\": {}}").unwrap_err();
    assert_eq!((e.path(), e.code()), ("$.systems", "registry.wrong_type"));
    let e = Registry::from_json(b"{\"sytems\": []}").unwrap_err();
    assert_eq!((e.path(), e.code()), ("$.sytems", "registry.unknown_key"));
    assert!(Registry::from_json(b"{}").unwrap().systems().is_empty());
}

#[test]
fn value_errors_carry_their_path() {
    let cases = [
        ("\"name\": \"A\"", "\"name\": 7", "$.systems[0].name", "registry.wrong_type"),
        (
            "\"supplier_cvr\": \"22222222\"",
            "\"supplier_cvr\": \"2222222\"",
            "$.systems[1].supplier_cvr",
            "registry.invalid_cvr",
        ),
        (
            "\"environment\": \"production\"",
            "\"environment\": \"prod\"",
            "$.systems[2].environment",
            "registry.invalid_value",
        ),
        (
            "\"serial\": \"00FF01\"",
            "\"serial\": \"0xFF\"",
            "$.systems[2].certificates[0].serial",
            "registry.invalid_value",
        ),
        ("\"sha256\": \"aaaa", "\"sha256\": \"aaa", "$.systems[0].certificates[0].sha256", "registry.invalid_value"),
        ("\"cvr\": \"12345678\"", "\"cvr\": \"1234567x\"", "$.authorities[1].cvr", "registry.invalid_cvr"),
        (
            "\"uuid\": \"00000000-0000-4000-8000-00000000b002\"",
            "\"uuid\": \"00000000-0000-4000-8000-00000000B002\"",
            "$.authorities[1].uuid",
            "registry.invalid_uuid",
        ),
        ("\"kind\": \"update\"", "\"kind\": \"write\"", "$.services[2].kind", "registry.invalid_value"),
        ("\"class\": \"large\"", "\"class\": \"huge\"", "$.services[1].class", "registry.invalid_value"),
        (
            "[\"AuthorityContext\"]",
            "[\"AuthorityContext\", \"Basic\"]",
            "$.services[1].security_models[1]",
            "registry.invalid_value",
        ),
        ("\"state\": \"revoked\"", "\"state\": \"ended\"", "$.agreements[2].state", "registry.invalid_value"),
        (
            "\"valid_from\": \"2025-01-01T00:00:00Z\"",
            "\"valid_from\": \"2025-01-01\"",
            "$.agreements[0].valid_from",
            "registry.invalid_time",
        ),
        ("\"case_types\": [\"BYG\"]", "\"case_types\": [7]", "$.agreements[5].case_types[0]", "registry.wrong_type"),
        (
            "\"name\": \"Viborg\"",
            "\"name\": \"Viborg\", \"region\": \"M\"",
            "$.authorities[0].region",
            "registry.unknown_key",
        ),
        (
            "\"endpoint\": \"/service/print\"",
            "\"endpoint\": \"service/print\"",
            "$.services[1].endpoint",
            "registry.invalid_value",
        ),
    ];
    for (from, to, path, code) in cases {
        assert_eq!(refused(from, to), (path.to_owned(), code), "{to}");
    }
}

#[test]
fn missing_keys() {
    let cases = [
        ("\"name\": \"A\", ", "", "$.systems[0].name"),
        (
            "\"services\": [\"00000000-0000-4000-8000-00000000c001\"],\n      \"state\": \"approved\", \"valid_from\"",
            "\"state\": \"approved\", \"valid_from\"",
            "$.agreements[0].services",
        ),
        ("\"kind\": \"lookup\", ", "", "$.services[0].kind"),
        (", \"security_models\": [\"AuthorityContext\"]", "", "$.services[1].security_models"),
    ];
    for (from, to, path) in cases {
        assert_eq!(refused(from, to), (path.to_owned(), "registry.missing_key"), "{path}");
    }
}

#[test]
fn duplicates_and_references() {
    let a2 = "\"uuid\": \"00000000-0000-4000-8000-00000000b002\"";
    let a1 = "\"uuid\": \"00000000-0000-4000-8000-00000000b001\"";
    let e = load_edited(a2, a1).unwrap_err();
    assert_eq!((e.path(), e.code()), ("$.authorities[1].uuid", "registry.duplicate"));
    assert!(e.to_string().contains("$.authorities[0].uuid"), "{e}");
    assert_eq!(
        refused("\"cvr\": \"12345678\"", "\"cvr\": \"29189846\""),
        ("$.authorities[1].cvr".into(), "registry.duplicate")
    );
    assert_eq!(
        refused("\"/service/print\"", "\"/service/lookup\""),
        ("$.services[1].endpoint".into(), "registry.duplicate")
    );
    let print_entity = "\"entity_id\": \"http://print.example/service/1\"";
    let lookup_entity = "\"entity_id\": \"http://lookup.example/service/1\"";
    assert_eq!(refused(print_entity, lookup_entity), ("$.services[1].entity_id".into(), "registry.duplicate"));
    assert_eq!(
        refused(&"bb".repeat(32), &"aa".repeat(32)),
        ("$.systems[1].certificates[0]".into(), "registry.duplicate")
    );
    assert_eq!(refused("\"0b0b\"", "\"00FF01\""), ("$.systems[2].certificates[0]".into(), "registry.duplicate"));
    let first_agreement = "\"uuid\": \"00000000-0000-4000-8000-00000000d002\"";
    let dup = "\"uuid\": \"00000000-0000-4000-8000-00000000d001\"";
    assert_eq!(refused(first_agreement, dup), ("$.agreements[1].uuid".into(), "registry.duplicate"));
    let services = format!("\"services\": [\"{PRINT}\", \"{OTHER}\"]");
    let doubled = format!("\"services\": [\"{PRINT}\", \"{PRINT}\"]");
    assert_eq!(refused(&services, &doubled), ("$.agreements[1].services[1]".into(), "registry.duplicate"));
    let unknown = format!("\"services\": [\"{PRINT}\", \"{SYS_A}\"]");
    assert_eq!(refused(&services, &unknown), ("$.agreements[1].services[1]".into(), "registry.unknown_reference"));
    let agreement_system = format!("\"system\": \"{SYS_B}\", \"authority\"");
    let unknown_system = format!("\"system\": \"{AUTH_1}\", \"authority\"");
    assert_eq!(
        refused(&agreement_system, &unknown_system),
        ("$.agreements[3].system".into(), "registry.unknown_reference")
    );
    let owner = format!("\"authority\": \"{AUTH_2}\", \"services\": [\"{LOOKUP}\"]");
    let stranger = format!("\"authority\": \"{SYS_A}\", \"services\": [\"{LOOKUP}\"]");
    assert_eq!(refused(&owner, &stranger), ("$.agreements[2].authority".into(), "registry.unknown_reference"));
    let conn = format!("\"environment\": \"production\", \"services\": [\"{LOOKUP}\"]");
    let conn_bad = format!("\"environment\": \"production\", \"services\": [\"{AG_OK}\"]");
    assert_eq!(refused(&conn, &conn_bad), ("$.connections[0].services[0]".into(), "registry.unknown_reference"));
}

#[test]
fn rules_between_entries() {
    let prod_agreement = "\"state\": \"approved\", \"environment\": \"production\"";
    let test_env = "\"state\": \"approved\", \"environment\": \"test\"";
    assert_eq!(
        refused(prod_agreement, test_env),
        ("$.agreements[4].environment".into(), "registry.environment_mismatch")
    );
    let period = "\"valid_to\": \"2027-01-01T00:00:00Z\"";
    let empty = "\"valid_to\": \"2025-01-01T00:00:00Z\"";
    assert_eq!(refused(period, empty), ("$.agreements[0].valid_to".into(), "registry.empty_period"));
    let privilege = ", \"privilege\": \"urn:priv:lookup\"";
    assert_eq!(refused(privilege, ""), ("$.services[0].privilege".into(), "registry.missing_privilege"));
    assert_eq!(refused("[\"AuthorityContext\"]", "[]"), ("$.services[1].security_models".into(), "registry.rule"));
    let conn = "\"environment\": \"production\", \"services\"";
    assert_eq!(
        refused(conn, "\"environment\": \"test\", \"services\""),
        ("$.connections[0].environment".into(), "registry.environment_mismatch")
    );
    let list = format!(", \"services\": [\"{LOOKUP}\"]}}\n  ]");
    assert_eq!(refused(&list, "}\n  ]"), ("$.connections[0].services".into(), "registry.rule"));
    let cert = "{\"serial\": \"00FF01\", \"issuer\"";
    assert_eq!(refused(cert, "{\"issuer\""), ("$.systems[2].certificates[0]".into(), "registry.rule"));
    let no_key = format!("{{\"serial\": \"00FF01\", \"issuer\": \"{ISSUER}\"}}");
    assert_eq!(refused(&no_key, "{}"), ("$.systems[2].certificates[0]".into(), "registry.rule"));
}

#[test]
fn overlap_rules() {
    // Back-to-back periods do not overlap; an open end overlaps everything after it.
    let second = |from: &str, to: &str| {
        fixture_json().replacen(
            &format!("\"uuid\": \"{AG_REVOKED}\", \"system\": \"{SYS_A}\", \"authority\": \"{AUTH_2}\", \"services\": [\"{LOOKUP}\"],\n      \"state\": \"revoked\""),
            &format!("\"uuid\": \"{AG_REVOKED}\", \"system\": \"{SYS_A}\", \"authority\": \"{AUTH_1}\", \"services\": [\"{LOOKUP}\"],\n      \"state\": \"approved\", \"valid_from\": {from}, \"valid_to\": {to}"),
            1,
        )
    };
    assert!(Registry::from_json(second("\"2027-01-01T00:00:00Z\"", "null").as_bytes()).is_ok());
    assert!(Registry::from_json(second("\"2020-01-01T00:00:00Z\"", "\"2025-01-01T00:00:00Z\"").as_bytes()).is_ok());
    for (from, to) in [("\"2026-12-31T00:00:00Z\"", "null"), ("null", "\"2025-01-01T00:00:01Z\""), ("null", "null")] {
        let e = Registry::from_json(second(from, to).as_bytes()).unwrap_err();
        assert_eq!((e.path(), e.code()), ("$.agreements[2]", "registry.overlapping_agreements"), "{from} {to}");
    }
}

#[test]
fn shared_registry_keeps_a_good_registry_on_a_bad_file() {
    let shared = SharedRegistry::new(fixture());
    let before = shared.snapshot();
    let e = shared.replace_from_json(b"{\"systems\": [{\"uuid\": \"nope\"}]}").unwrap_err();
    assert_eq!(e.path(), "$.systems[0].uuid");
    assert!(std::sync::Arc::ptr_eq(&before, &shared.snapshot()));
    let old = shared.replace_from_json(b"{}").unwrap();
    assert!(std::sync::Arc::ptr_eq(&before, &old));
    assert_eq!(shared.with(|r| r.systems().len()), 0);
    // A snapshot taken before the swap still decides against the old registry.
    assert_eq!(before.systems().len(), 3);
}

#[test]
fn builder_gives_the_same_paths() {
    let mut b = RegistryBuilder::new();
    b.authority(Authority::new(u(AUTH_1), cvr("29189846"), "Viborg"));
    b.agreement(Agreement::new(
        u(AG_OK),
        (u(SYS_A), u(AUTH_1)),
        vec![u(LOOKUP)],
        AgreementState::Approved,
        Environment::Test,
    ));
    let e = b.build().unwrap_err();
    assert_eq!((e.path(), e.code()), ("$.agreements[0].system", "registry.unknown_reference"));
}

//! The corpus (`corpus/`): every sample message parses, every refused input
//! gives exactly the code and offset of `corpus/negative/EXPECTED.tsv`, the
//! large-message generators produce messages kuvert reads, and parser-level
//! properties that the samples were written to show (names resolved by
//! namespace URI, comments, PIs, CDATA and references inside values).

use std::collections::BTreeSet;
use std::path::Path;

use kuvert::Limits;
use kuvert_corpus::large;
use kuvert_tests::{corpus_messages, negative_cases, ns, parse, parse_with, read, refusal, relative, View};

fn message(rel: &str) -> Vec<u8> {
    read(&kuvert_corpus::messages_dir().join(rel))
}

fn view(rel: &str) -> View {
    parse(&message(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn every_message_parses() {
    for path in corpus_messages() {
        let rel = relative(&path, &kuvert_corpus::messages_dir());
        let v = parse(&read(&path)).unwrap_or_else(|e| panic!("{rel}: refused: {} at {}", e.code(), e.offset()));
        // Every sample is a request, a response or a fault.
        assert!(v.operation.is_some() || v.fault.is_some(), "{rel}: neither operation nor fault");
        let golden = kuvert_tests::golden_path(&path);
        assert!(golden.is_file(), "{rel}: golden file {} is missing", golden.display());
    }
}

/// The text of every element whose qualified name contains `name_part`.
fn element_texts<'t>(text: &'t str, name_part: &str) -> Vec<&'t str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let name_end = rest.find(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace()).unwrap_or(rest.len());
        if rest[..name_end].contains(name_part) {
            let after = &rest[rest.find('>').map_or(rest.len(), |p| p + 1)..];
            out.push(&after[..after.find('<').unwrap_or(after.len())]);
        }
    }
    out
}

/// Every CPR number and birth date in the corpus is fictitious: day 30 or 31 of February.
#[test]
fn cpr_numbers_are_fictitious() {
    let mut seen = 0;
    for path in corpus_messages() {
        let text = String::from_utf8_lossy(&read(&path)).into_owned();
        for value in element_texts(&text, "PNR").into_iter().chain(element_texts(&text, "CPR")) {
            seen += 1;
            assert!(
                value.len() == 10 && value.bytes().all(|b| b.is_ascii_digit()),
                "{}: CPR {value:?}",
                path.display()
            );
            assert!(
                value.starts_with("3002") || value.starts_with("3102"),
                "{}: {value} is a possible date",
                path.display()
            );
        }
        for value in element_texts(&text, "foedselsdato") {
            assert!(value.ends_with("-02-30") || value.ends_with("-02-31"), "{}: birth date {value}", path.display());
        }
    }
    assert!(seen >= 5, "expected CPR numbers in the corpus, found {seen}");
}

/// The benchmark reads this message by path and relies on its size and content.
#[test]
fn ws_security_sample_is_about_five_kilobytes() {
    let rel = "invocation-context/cpr-person-lookup-ws-security.request.xml";
    let bytes = message(rel);
    assert!((4500..=5500).contains(&bytes.len()), "{rel} is {} bytes", bytes.len());
    let v = view(rel);
    assert!(v.security);
    assert_eq!(v.body_id.as_deref(), Some("id-body"));
    assert_eq!(v.transaction_uuid.as_deref(), Some("2cc20d05-d91b-41b1-abe6-ec636b26873a"));
    assert!(v.invocation.is_some());
    let text = String::from_utf8(bytes).unwrap();
    for needle in ["<wsu:Timestamp", "<wsse:BinarySecurityToken", "<ds:SignedInfo", "xml-exc-c14n#", "#rsa-sha256"] {
        assert!(text.contains(needle), "{rel} lacks {needle}");
    }
    assert_eq!(text.matches("<ds:Reference ").count(), 5);
}

#[test]
fn lib_bas_sample_has_the_platform_structure() {
    let rel = "kombit-token/lib-bas-request.soap11.xml";
    let v = view(rel);
    assert_eq!(v.soap_version, "1.1");
    assert_eq!(v.framework, Some(("2.0".to_owned(), Some("urn:liberty:sb:profile:basic".to_owned()))));
    assert!(v.security);
    assert_eq!(v.reply_to.as_deref(), Some("http://www.w3.org/2005/08/addressing/anonymous"));
    let text = String::from_utf8(message(rel)).unwrap();
    assert!(!text.contains("\n<"), "{rel} must be compact (not pretty-printed)");
    // The message signature has 9 references, the assertion's own signature one more.
    assert_eq!(text.matches("<ds:Reference ").count(), 10);
    assert!(text.contains("urn:oasis:names:tc:SAML:2.0:cm:holder-of-key"));
    assert!(text.contains("#SAMLID\">_5d85e2a4-d0fc-4719-8241-5b8a9d168075<"));
    assert!(text.contains("dk:gov:saml:attribute:CvrNumberIdentifier"));
    assert!(text.contains("TEST-ONLY"));
}

#[test]
fn negative_files_give_their_code_and_offset() {
    let cases = negative_cases();
    let mut failures = Vec::new();
    for case in &cases {
        let bytes = read(&case.path());
        let got = match parse(&bytes) {
            Ok(_) => ("accepted", 0),
            Err(e) => (e.code(), e.offset()),
        };
        if got != (case.code.as_str(), case.offset) {
            failures
                .push(format!("{}: expected {} at {}, got {} at {}", case.file, case.code, case.offset, got.0, got.1));
        }
        assert!(got.1 <= bytes.len(), "{}: offset past the end", case.file);
    }
    assert!(failures.is_empty(), "{} negative files disagree:\n{}", failures.len(), failures.join("\n"));
}

/// Every file in `corpus/negative/` is in the manifest and every manifest line has its file.
#[test]
fn negative_manifest_is_complete() {
    let listed: BTreeSet<String> = negative_cases().into_iter().map(|c| c.file).collect();
    let dir = kuvert_corpus::negative_dir();
    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !matches!(n.as_str(), "EXPECTED.tsv" | "README.md"))
        .collect();
    assert_eq!(listed, on_disk);
}

/// Every error kind that a document can cause has at least one negative file.
#[test]
fn negative_corpus_covers_every_error_kind() {
    let covered: BTreeSet<String> = negative_cases().into_iter().map(|c| c.code).collect();
    let want = [
        "xml.invalid_utf8",
        "xml.illegal_char",
        "xml.unsupported_encoding",
        "xml.unsupported_bom",
        "xml.unsupported_version",
        "xml.malformed_declaration",
        "xml.misplaced_declaration",
        "xml.doctype_forbidden",
        "xml.unexpected_eof",
        "xml.syntax",
        "xml.invalid_name",
        "xml.mismatched_end_tag",
        "xml.unmatched_end_tag",
        "xml.unclosed_element",
        "xml.duplicate_attribute",
        "xml.undeclared_prefix",
        "xml.invalid_namespace_declaration",
        "xml.invalid_namespace_uri",
        "xml.undefined_entity",
        "xml.invalid_char_ref",
        "xml.lt_in_attribute_value",
        "xml.cdata_end_in_text",
        "xml.double_hyphen_in_comment",
        "xml.reserved_pi_target",
        "xml.text_outside_root",
        "xml.multiple_roots",
        "xml.no_root",
        "limit.depth",
        "limit.attributes",
        "limit.name_length",
        "limit.attribute_value_length",
        "limit.namespace_declarations",
        "limit.namespaces_in_scope",
        "limit.header_blocks",
        "soap.not_an_envelope",
        "soap.version_mismatch",
        "soap.mixed_versions",
        "soap.missing_body",
        "soap.duplicate_body",
        "soap.misplaced_header",
        "soap.unexpected_element",
        "soap.unexpected_text",
        "soap.unqualified_header_block",
        "soap.invalid_must_understand",
        "soap.duplicate_header",
        "soap.invalid_addressing",
        "soap.invalid_framework",
        "soap.invalid_request_header",
        "soap.unexpected_child_element",
        "soap.invalid_fault",
        "context.invalid_uuid",
        "context.invalid_cvr",
        "context.too_long",
        "context.missing_field",
        "context.duplicate_field",
        "context.unknown_field",
        "context.duplicate_context",
        "context.after_payload",
        "context.unexpected_content",
    ];
    let missing: Vec<&str> = want.iter().copied().filter(|c| !covered.contains(*c)).collect();
    assert!(missing.is_empty(), "no negative file for {missing:?}");
    // The two limits whose defaults force a large input are checked with generated input below.
}

/// Refusals happen before anything large is built: the hostile inputs are
/// refused at the offset where the attack starts (or where the limit is crossed).
#[test]
fn hostile_inputs_are_refused_early() {
    for case in negative_cases().iter().filter(|c| c.file.starts_with("hostile-")) {
        let bytes = read(&case.path());
        let (code, at) = refusal(&bytes);
        assert_eq!((code, at), (case.code.as_str(), case.offset), "{}", case.file);
        match code {
            "xml.doctype_forbidden" => assert!(at < 64, "{}: DOCTYPE refused late ({at})", case.file),
            "limit.depth" => assert!(at < 1024, "{}", case.file),
            "limit.attribute_value_length" => assert!(at < bytes.len() - 1024, "{}", case.file),
            other => panic!("{}: unexpected {other}", case.file),
        }
    }
}

#[test]
fn default_limits_that_need_large_inputs() {
    // limit.document_size: one byte over the default 16 MiB, refused before decoding.
    let limits = Limits::default();
    let mut big = large::records_response(limits.max_document_bytes + 1).into_bytes();
    big.truncate(limits.max_document_bytes + 1);
    assert_eq!(refusal(&big), ("limit.document_size", limits.max_document_bytes));

    // limit.text_length: a text run one byte over the default 8 MiB.
    let head = format!(r#"<s:Envelope xmlns:s="{}"><s:Body><x>"#, ns::SOAP11);
    let mut doc = head.clone().into_bytes();
    doc.resize(head.len() + limits.max_text_bytes + 1, b'A');
    doc.extend_from_slice(b"</x></s:Body></s:Envelope>");
    assert_eq!(refusal(&doc), ("limit.text_length", head.len() + limits.max_text_bytes));
    doc.truncate(head.len() + limits.max_text_bytes);
    doc.extend_from_slice(b"</x></s:Body></s:Envelope>");
    assert!(parse(&doc).is_ok(), "exactly max_text_bytes of text is allowed");

    // The same limit for a comment.
    let mut doc = format!("{head}<!--").into_bytes();
    let content_start = doc.len();
    doc.resize(content_start + limits.max_text_bytes + 10, b'c');
    doc.extend_from_slice(b"--></x></s:Body></s:Envelope>");
    assert_eq!(refusal(&doc), ("limit.text_length", content_start + limits.max_text_bytes));
}

#[test]
fn large_generators_produce_readable_messages() {
    let limits = Limits { max_document_bytes: 64 << 20, max_text_bytes: 64 << 20, ..Limits::default() };
    let records = large::records_response(3 << 20);
    assert!(records.len() >= 3 << 20);
    let v = parse_with(records.as_bytes(), &limits).unwrap();
    assert_eq!(
        v.operation,
        Some((
            "http://serviceplatformen.dk/xml/wsdl/soap11/CPR/PersonList/1/".to_owned(),
            "PersonListResponse".to_owned()
        ))
    );
    assert_eq!(v.operation_children.len(), 1);

    let b64 = large::base64_response(3 << 20);
    assert!(b64.len() >= 3 << 20);
    let v = parse_with(b64.as_bytes(), &limits).unwrap();
    assert_eq!(v.operation.as_ref().map(|o| o.1.as_str()), Some("HentDokumentResponse"));

    // Above the default size limit they are refused unless the limit is raised.
    let big = large::records_response(17 << 20);
    assert_eq!(refusal(big.as_bytes()).0, "limit.document_size");
    assert!(parse_with(big.as_bytes(), &limits).is_ok());
}

/// The same call written with different prefixes, default namespaces, and
/// prefixes bound to misleading namespaces reads the same.
#[test]
fn names_resolve_by_namespace_not_prefix() {
    let prefixed = view("invocation-context/cpr-person-lookup.request.xml");
    let default_ns = view("invocation-context/cpr-person-lookup-default-ns.request.xml");
    let odd = view("invocation-context/cpr-person-lookup-odd-prefixes.request.xml");
    assert_eq!(prefixed, default_ns);
    assert_eq!(prefixed, odd);
    let inv = prefixed.invocation.as_ref().unwrap();
    assert_eq!(
        inv.uuids,
        [
            "c944b0f8-c43d-4638-b048-918d9f2e18b5",
            "0afcc9ff-1d08-4af1-833d-cdeba89d6d4f",
            "09a821f7-16a6-4f05-a480-f89e8c39219b",
            "a10c463a-500b-42e5-822d-06281c81119a"
        ]
    );
    assert_eq!(inv.on_behalf_of_user.as_deref(), Some("sagsbehandler-4711"));
    assert_eq!(inv.callers_service_call_identifier.as_deref(), Some("kuvert-test-000001"));
    assert_eq!(inv.accounting_info.as_deref(), Some("Borgerservice, Ydelseskontoret"));
    // The WS-Security variant carries the same four UUIDs.
    let wss = view("invocation-context/cpr-person-lookup-ws-security.request.xml");
    assert_eq!(wss.invocation.unwrap().uuids, inv.uuids);
}

/// A context element in the right local name but another namespace is not a context,
/// and a look-alike prefix does not make one.
#[test]
fn context_look_alikes_are_payload() {
    let doc = format!(
        r#"<s:Envelope xmlns:s="{s}"><s:Body><op:Req xmlns:op="urn:op" xmlns:ic="urn:not-the-context">
<ic:InvocationContext><ic:ServiceAgreementUUID>NOT-A-UUID</ic:ServiceAgreementUUID></ic:InvocationContext>
<InvocationContext><UserUUID>x</UserUUID></InvocationContext>
</op:Req></s:Body></s:Envelope>"#,
        s = ns::SOAP11
    );
    let v = parse(doc.as_bytes()).unwrap();
    assert_eq!(v.invocation, None);
    assert_eq!(
        v.operation_children,
        [
            ("urn:not-the-context".to_owned(), "InvocationContext".to_owned()),
            (String::new(), "InvocationContext".to_owned())
        ]
    );
}

/// Comments, PIs, CDATA sections and references inside context values do not
/// truncate or change them.
#[test]
fn comments_pis_cdata_and_references_in_values() {
    let v = view("invocation-context/cpr-person-lookup-comments-cdata.request.xml");
    let inv = v.invocation.unwrap();
    assert_eq!(
        inv.uuids,
        [
            "c944b0f8-c43d-4638-b048-918d9f2e18b5",
            "0afcc9ff-1d08-4af1-833d-cdeba89d6d4f",
            "09a821f7-16a6-4f05-a480-f89e8c39219b",
            "a10c463a-500b-42e5-822d-06281c81119a"
        ]
    );
    assert_eq!(inv.on_behalf_of_user.as_deref(), Some("sagsbehandler <4711> & co"));
    assert_eq!(inv.callers_service_call_identifier.as_deref(), Some("kuvert-test-000001"));
    assert_eq!(inv.accounting_info.as_deref(), Some("Borgerservice & Ydelseskontoret ÆØÅ \"'<>"));
}

/// The comment-truncation attack (ruby-saml's node_text_attack) on a context value:
/// a comment splitting a UUID must not leave only the part before it.
#[test]
fn comment_inside_uuid_does_not_truncate() {
    let uuid = "c944b0f8-c43d-4638-b048-918d9f2e18b5";
    for (split, kind) in [("<!---->", "comment"), ("<?x?>", "pi"), ("<![CDATA[]]>", "empty cdata")] {
        for cut in [1, 8, 9, 35] {
            let written = format!("{}{split}{}", &uuid[..cut], &uuid[cut..]);
            let doc = format!(
                r#"<s:Envelope xmlns:s="{s}"><s:Body><op:Req xmlns:op="urn:op" xmlns:ic="{ic}"><ic:InvocationContext><ic:ServiceAgreementUUID>{written}</ic:ServiceAgreementUUID><ic:UserSystemUUID>{uuid}</ic:UserSystemUUID><ic:UserUUID>{uuid}</ic:UserUUID><ic:ServiceUUID>{uuid}</ic:ServiceUUID></ic:InvocationContext></op:Req></s:Body></s:Envelope>"#,
                s = ns::SOAP11,
                ic = ns::INVOCATION_CONTEXT
            );
            let v = parse(doc.as_bytes()).unwrap_or_else(|e| panic!("{kind} at {cut}: {e}"));
            assert_eq!(v.invocation.unwrap().uuids[0], uuid, "{kind} at {cut}");
            // A truncated value would have been a prefix; a UUID split by a
            // comment around an invalid character is still refused whole.
            let bad = format!("{}{split}X{}", &uuid[..cut], &uuid[cut + 1..]);
            let doc = doc.replacen(&written, &bad, 1);
            assert_eq!(refusal(doc.as_bytes()).0, "context.invalid_uuid", "{kind} at {cut}");
        }
    }
}

/// CDATA carries markup characters literally in every kind of value kuvert reads.
#[test]
fn cdata_in_values() {
    let doc = format!(
        r#"<s:Envelope xmlns:s="{s}" xmlns:wsa="{wsa}"><s:Header><wsa:Action><![CDATA[urn:a&b<c>]]></wsa:Action><wsa:MessageID> <![CDATA[urn:uuid:1]]> </wsa:MessageID><rh:RequestHeader xmlns:rh="{rh}"><rh:TransactionUUID><![CDATA[2cc20d05-d91b-41b1-abe6-ec636b26873a]]></rh:TransactionUUID></rh:RequestHeader></s:Header><s:Body><op:Req xmlns:op="urn:op" xmlns:cc="{cc}" xmlns:ac="{ac}"><ac:AuthorityContext><ac:MunicipalityCVR><![CDATA[29189846]]></ac:MunicipalityCVR></ac:AuthorityContext><cc:CallContext><cc:AccountingInfo>a<![CDATA[ & ]]>b</cc:AccountingInfo></cc:CallContext></op:Req></s:Body></s:Envelope>"#,
        s = ns::SOAP11,
        wsa = ns::WSA,
        rh = ns::KOMBIT_REQUEST_HEADER,
        cc = ns::CALL_CONTEXT,
        ac = ns::AUTHORITY_CONTEXT
    );
    let v = parse(doc.as_bytes()).unwrap();
    assert_eq!(v.action.as_deref(), Some("urn:a&b<c>"));
    assert_eq!(v.message_id.as_deref(), Some("urn:uuid:1"));
    assert_eq!(v.transaction_uuid.as_deref(), Some("2cc20d05-d91b-41b1-abe6-ec636b26873a"));
    assert_eq!(v.authority_cvr.as_deref(), Some("29189846"));
    assert_eq!(v.call.unwrap().accounting_info.as_deref(), Some("a & b"));
}

/// The Latin-1 sample is transcoded: values come out as UTF-8 text.
#[test]
fn latin1_sample_is_transcoded() {
    let raw = message("encoding/latin1-authority-context.request.xml");
    assert!(std::str::from_utf8(&raw).is_err(), "the sample must hold real Latin-1 bytes");
    assert!(raw.windows(5).any(|w| w == b"\xc5rhus"));
    let v = parse(&raw).unwrap();
    assert_eq!(v.authority_cvr.as_deref(), Some("11111111"));
    let call = v.call.unwrap();
    assert_eq!(call.on_behalf_of_user.as_deref(), Some("Søren Æbeløe"));
    assert_eq!(call.accounting_info.as_deref(), Some("Byggesag § 7, Århus-kontoret"));
}

#[test]
fn fault_samples() {
    let v = view("faults/serviceplatform-fault.soap11.xml");
    let f = v.fault.unwrap();
    assert_eq!(f.code, format!("{{{}}}Client", ns::SOAP11));
    assert_eq!(f.call_uuid.as_deref(), Some("5d2f8a61-0c4b-4e3a-9b7d-1f6e2a8c9d04"));
    assert_eq!(f.received.as_deref(), Some("2026-02-10T09:15:02.412Z"));
    assert!(f
        .reason
        .contains("For further information contact Serviceplatformen Helpdesk and inform:\n    CallUUID: "));
    assert_eq!(f.errors.len(), 2);
    assert_eq!(f.errors[0].0, "100");
    assert!(f.errors[0].1.ends_with("KombitToken <Security> blev fundet"));

    let f = view("faults/sender-fault.soap12.xml").fault.unwrap();
    assert_eq!(f.code, format!("{{{}}}Sender", ns::SOAP12));
    assert_eq!(f.subcode, Some(format!("{{{}}}InvalidRequest", ns::SP_FAULT)));
    assert!(f.reason.starts_with("Forespørgslen er ugyldig"), "the first Reason/Text is kept");
    assert_eq!(f.actor.as_deref(), Some("http://www.w3.org/2003/05/soap-envelope/role/ultimateReceiver"));
    assert_eq!(f.errors, [("400".to_owned(), "MaksimalAntalKvantitet: 5000 > 500".to_owned())]);

    let v = view("faults/framework-version-mismatch.soap11.xml");
    let f = v.fault.unwrap();
    assert_eq!(f.code, "{urn:liberty:sb:2006-08}FrameworkVersionMismatch");
    assert_eq!(
        f.actor.as_deref(),
        Some("https://exttest.serviceplatformen.dk/service/Organisation/OrganisationEnhed/5")
    );
    assert_eq!(v.framework, Some(("2.0".to_owned(), None)));
}

#[test]
fn golden_files_exist_only_for_messages() {
    let dir = kuvert_corpus::messages_dir();
    for golden in kuvert_tests::files_under(&dir, &[".inspect.json"]) {
        let name = golden.file_name().unwrap().to_str().unwrap();
        let xml = golden.with_file_name(name.replace(".inspect.json", ".xml"));
        assert!(Path::new(&xml).is_file(), "{} has no message", golden.display());
    }
}

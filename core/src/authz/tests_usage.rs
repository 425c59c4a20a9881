//! Accounting and the audit trail.

use std::io::{self, Write};

use super::*;

fn allowed_call<'r>(r: &'r Registry, cert: &CallerCertificate) -> Allowed<'r> {
    let c = Call::new(
        Environment::Test,
        "/service/lookup",
        now(),
        Credentials::InvocationContext { certificate: cert, ids: ids(AG_OK, SYS_A, AUTH_1, LOOKUP) },
    );
    r.authorize(&c).unwrap()
}

#[test]
fn quarters() {
    let q = |t: &str| Quarter::of(UtcTime::parse(t).unwrap()).to_string();
    assert_eq!(q("2026-03-31T23:59:59.999Z"), "2026-Q1");
    assert_eq!(q("2026-04-01T00:00:00Z"), "2026-Q2");
    assert_eq!(q("2026-12-31T23:59:59Z"), "2026-Q4");
    assert_eq!(q("2024-02-29T00:00:00+01:00"), "2024-Q1");
    assert!(Quarter::new(2026, 5).is_none());
}

#[test]
fn counts_and_invoice() {
    let r = fixture();
    let cert = cert_a();
    let a = allowed_call(&r, &cert);
    let acc = Accounting::default();
    acc.record(&a, now(), Some("Borgerservice, Ydelse"), 100);
    acc.record(&a, now(), Some("Borgerservice, Ydelse"), 50);
    acc.record(&a, now(), None, 7);
    acc.add_bytes(&a, now(), None, 3);
    acc.record(&a, now(), Some("=HYPERLINK(\"x\")"), 1);
    let next_quarter = UtcTime::parse("2026-04-02T00:00:00Z").unwrap();
    acc.record(&a, next_quarter, None, 1);
    let q1 = Quarter::new(2026, 1).unwrap();
    let rows = acc.usage(q1);
    assert_eq!(rows.len(), 3);
    assert_eq!(rows.iter().map(|r| r.calls).sum::<u64>(), 4);
    let csv = acc.invoice_csv(q1);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "authority,service,accounting_info,calls,bytes,period");
    let service = LOOKUP;
    assert_eq!(lines[1], format!("29189846,{service},,1,10,2026-Q1"));
    assert_eq!(lines[2], format!("29189846,{service},\"'=HYPERLINK(\"\"x\"\")\",1,1,2026-Q1"));
    assert_eq!(lines[3], format!("29189846,{service},\"Borgerservice, Ydelse\",2,150,2026-Q1"));
    assert_eq!(acc.supplier_calls(q1), vec![(cvr("11111111"), 4)]);
    acc.forget(q1);
    assert!(acc.usage(q1).is_empty());
    assert_eq!(acc.usage(Quarter::new(2026, 2).unwrap()).len(), 1);
    assert_eq!(acc.keys(), 1);
}

#[test]
fn key_limit_moves_new_infos_to_overflow() {
    let r = fixture();
    let cert = cert_a();
    let a = allowed_call(&r, &cert);
    let acc = Accounting::new(AccountingLimits { max_keys: 3, shards: 4 });
    for i in 0..10 {
        acc.record(&a, now(), Some(&format!("info-{i}")), 10);
    }
    acc.record(&a, now(), Some("info-0"), 10);
    assert_eq!(acc.keys(), 3);
    assert_eq!(acc.overflowed_calls(), 7);
    let rows = acc.usage(Quarter::of(now()));
    assert_eq!(rows.len(), 4);
    assert_eq!(rows.iter().map(|r| r.calls).sum::<u64>(), 11);
    let overflow = rows.iter().find(|r| r.accounting_info == AccountingInfo::Overflow).unwrap();
    assert_eq!((overflow.calls, overflow.bytes), (7, 70));
    assert!(acc.invoice_csv(Quarter::of(now())).contains(",(overflow),7,70,"));
}

#[test]
fn long_accounting_info_is_cut_at_a_char_boundary() {
    let r = fixture();
    let cert = cert_a();
    let a = allowed_call(&r, &cert);
    let acc = Accounting::default();
    let long = "æ".repeat(600);
    acc.record(&a, now(), Some(&long), 1);
    let rows = acc.usage(Quarter::of(now()));
    let AccountingInfo::Text(kept) = &rows[0].accounting_info else { panic!("text expected") };
    assert_eq!(kept.len(), 1020);
    assert!(long.starts_with(kept.as_str()));
}

#[test]
fn audit_lines_are_json_with_every_key() {
    let r = fixture();
    let cert = cert_a();
    let mut info = CallInfo::new(u("cca459ba-ee11-4030-8ae1-25ea95b0318c"), now());
    info.on_behalf_of_user = Some("sagsbehandler \"4711\"\n\u{2028}");
    info.message_id = Some("urn:uuid:432bb6d6-dcf1-4cea-9b14-c07f66daf1a7");
    let allow = audit_line(&info, &Ok(allowed_call(&r, &cert)));
    assert!(allow.ends_with("}\n") && allow.matches('\n').count() == 1, "{allow}");
    assert!(allow.contains("\"decision\":\"allow\",\"code\":null,\"reason\":null,\"model\":\"InvocationContext\""));
    assert!(allow.contains(&format!("\"agreement\":\"{AG_OK}\"")));
    assert!(allow.contains("\"on_behalf_of_user\":\"sagsbehandler \\\"4711\\\"\\n\\u2028\""), "{allow}");
    assert!(allow.contains("\"received\":\"2026-03-01T12:00:00.000Z\""));
    // Identifiers are written without the formatting machinery: the same text as Display.
    let allowed = allowed_call(&r, &cert);
    for (key, value) in [
        ("call_uuid", info.call_uuid.to_string()),
        ("system", allowed.system.uuid.to_string()),
        ("authority", allowed.authority.uuid.to_string()),
        ("authority_cvr", allowed.authority.cvr.to_string()),
        ("service", allowed.service.uuid.to_string()),
        ("agreement", allowed.agreement.uuid.to_string()),
    ] {
        assert!(allow.contains(&format!("\"{key}\":\"{value}\",")), "{key}: {allow}");
    }
    let denied = Call::new(Environment::Test, "/nope", now(), Credentials::None);
    let deny = audit_line(&info, &r.authorize(&denied));
    assert!(deny.contains("\"decision\":\"deny\",\"code\":\"authz.unknown_endpoint\""), "{deny}");
    assert!(deny.contains("\"system\":null"));
    for key in ["call_uuid", "transaction_uuid", "message_id", "accounting_info", "callers_service_call_identifier"] {
        assert!(deny.contains(&format!("\"{key}\":")), "{key}");
    }
}

#[test]
fn audit_channel_applies_back_pressure_and_drops_nothing() {
    let (tx, drain) = audit_channel(2);
    let info = CallInfo::new(u(AG_OK), now());
    let r = fixture();
    let call = Call::new(Environment::Test, "/nope", now(), Credentials::None);
    let decision = r.authorize(&call);
    tx.send(&info, &decision).unwrap();
    tx.send(&info, &decision).unwrap();
    // The channel is full: a third send waits until the drain runs.
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx2, sent2) = (tx.clone(), sent.clone());
    let line = audit_line(&info, &decision);
    let waiter = std::thread::spawn(move || {
        tx2.send_line(line).unwrap();
        sent2.store(true, std::sync::atomic::Ordering::SeqCst);
    });
    std::thread::sleep(std::time::Duration::from_millis(50));
    assert!(!sent.load(std::sync::atomic::Ordering::SeqCst), "send did not wait");
    drop(tx);
    let (lines, out) = drain.run(Vec::new()).unwrap();
    waiter.join().unwrap();
    assert_eq!(lines, 3);
    assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 3);
}

/// Accepts `ok` writes, then fails.
#[derive(Debug)]
struct Failing {
    ok: usize,
}

impl Write for Failing {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.ok == 0 {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "disk full"));
        }
        self.ok -= 1;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn audit_writer_error_is_surfaced_to_run_and_senders() {
    let (tx, drain) = audit_channel(8);
    for i in 0..4 {
        tx.send_line(format!("{{\"n\":{i}}}\n")).unwrap();
    }
    let err = drain.run(Failing { ok: 1 }).unwrap_err();
    let AuditError::WriterFailed { kind, unwritten, .. } = &err else { panic!("{err:?}") };
    assert_eq!((*kind, *unwritten), (io::ErrorKind::StorageFull, 3));
    assert_eq!(tx.send_line("{}\n".into()).unwrap_err(), err);
    let (tx, drain) = audit_channel(1);
    drop(drain);
    assert_eq!(tx.send_line("{}\n".into()).unwrap_err(), AuditError::Closed);
}

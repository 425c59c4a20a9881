//! `kuvert stream` end to end: the bytes pass unchanged, the exit code and
//! the `--stats` line tell the verdict, and a refused envelope's last chunk
//! is never passed on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn kuvert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kuvert"))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn pki(name: &str) -> PathBuf {
    workspace().join("corpus/pki").join(name)
}

fn pem_of(der: &Path) -> String {
    const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let der = std::fs::read(der).unwrap();
    let mut b64 = String::new();
    for c in der.chunks(3) {
        let n = c.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | (u32::from(b) << (16 - 8 * i)));
        for i in 0..4 {
            b64.push(if i <= c.len() { B64[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
        }
    }
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n"))
}

fn scratch(name: &str, bytes: &[u8]) -> PathBuf {
    // One file per call: tests run in parallel, and a file rewritten while
    // another test's `kuvert` reads it would be read half written.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let path = std::env::temp_dir().join(format!("kuvert-cli-stream-{}-{n}-{name}", std::process::id()));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn signed_message() -> Vec<u8> {
    let cert = scratch("leaf.pem", pem_of(&pki("oces2-leaf.der")).as_bytes());
    let message = workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let out = kuvert()
        .args(["sign", "--key"])
        .arg(pki("oces2-leaf.key.pem"))
        .arg("--cert")
        .arg(&cert)
        .args(["--at", "2030-01-01T12:00:00Z"])
        .arg(message)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn stream(input: &[u8], args: &[&str]) -> Output {
    let mut child = kuvert()
        .arg("stream")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

fn stats(out: &Output) -> Value {
    let err = String::from_utf8_lossy(&out.stderr);
    let line = err.lines().last().unwrap_or("");
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {err}"))
}

fn trust_args() -> Vec<String> {
    let ca = scratch("ca.pem", pem_of(&pki("oces2-ca.der")).as_bytes());
    let bundle = pki("trust-bundle.pem");
    vec![
        "--trust".into(),
        bundle.to_string_lossy().into(),
        "--intermediate".into(),
        ca.to_string_lossy().into(),
        "--at".into(),
        "2030-01-01T12:01:00Z".into(),
        "--chunk".into(),
        "100".into(),
        "--stats".into(),
    ]
}

#[test]
fn a_signed_message_passes_unchanged_and_verified() {
    let signed = signed_message();
    let args = trust_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = stream(&signed, &args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(out.stdout, signed);
    let s = stats(&out);
    assert_eq!(s["signature"], "valid");
    assert_eq!(s["bytes"], signed.len());
    assert!(s["peak_buffered_bytes"].as_u64().unwrap() > 0);
}

#[test]
fn a_tampered_message_is_cut_before_its_end() {
    let signed = signed_message();
    let text = String::from_utf8(signed).unwrap();
    let bad = text.replacen("sagsbehandler-4711", "sagsbehandler-4712", 1).into_bytes();
    let args = trust_args();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = stream(&bad, &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.len() < bad.len() && bad.starts_with(&out.stdout));
    assert_eq!(stats(&out)["signature"], "invalid");
}

#[test]
fn without_trust_only_well_formedness_is_checked() {
    let message = std::fs::read(workspace().join("corpus/messages/faults/sender-fault.soap12.xml")).unwrap();
    let out = stream(&message, &["--stats", "--chunk", "7"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout, message);
    let s = stats(&out);
    assert_eq!(s["signature"], "not_checked");
    assert!(s["fault"].is_string());
    let out = stream(b"<a><b></a>", &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("xml.mismatched_end_tag"));
}

#[test]
fn an_unsigned_message_is_refused_when_a_signature_is_required() {
    let message =
        std::fs::read(workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml")).unwrap();
    let args = trust_args();
    let mut args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = stream(&message, &args);
    assert_eq!(out.status.code(), Some(0), "unsigned passes without --require-signature");
    assert_eq!(stats(&out)["signature"], "unsigned");
    args.push("--require-signature");
    let out = stream(&message, &args);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.len() < message.len(), "the last chunk is held back");
    assert_eq!(stats(&out)["signature"], "unsigned");
    let signed = signed_message();
    let out = stream(&signed, &args);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
}

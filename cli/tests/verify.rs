//! `kuvert sign`, `kuvert verify` and `kuvert speed` end to end, with the
//! TEST ONLY PKI of `corpus/pki`: the JSON a verification prints, the exit
//! codes (0 valid, 1 refused, 2 usage or I/O), tampering, a plain document
//! with an enveloped signature, and the shape of a speed report.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

const SIGN_AT: &str = "2030-01-01T12:00:00Z";
const VERIFY_AT: &str = "2030-01-01T12:01:00Z";

/// A scratch directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(label: &str) -> Scratch {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kuvert-cli-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() { B64[(n >> (18 - 6 * i)) as usize & 63] as char } else { '=' });
        }
    }
    out
}

/// A DER certificate of `corpus/pki` written as PEM into `dir`.
fn pem(dir: &Scratch, der_name: &str) -> PathBuf {
    let der = std::fs::read(pki(der_name)).unwrap();
    let b64 = base64(&der);
    let lines: Vec<&str> = b64.as_bytes().chunks(64).map(|c| std::str::from_utf8(c).unwrap()).collect();
    dir.write(
        &format!("{der_name}.pem"),
        format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", lines.join("\n")),
    )
}

fn json(out: &Output, what: &str) -> Value {
    let text = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!("{what}: stdout is not JSON ({e}): {text}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    })
}

/// `kuvert sign` of `message` with `corpus/pki/{leaf}` at [`SIGN_AT`].
fn sign(dir: &Scratch, message: &Path, leaf: &str) -> PathBuf {
    let cert = pem(dir, &format!("{leaf}.der"));
    let out = kuvert()
        .args(["sign", "--key"])
        .arg(pki(&format!("{leaf}.key.pem")))
        .arg("--cert")
        .arg(&cert)
        .args(["--at", SIGN_AT])
        .arg(message)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "sign: {}", String::from_utf8_lossy(&out.stderr));
    dir.write(&format!("signed-{leaf}.xml"), &out.stdout)
}

/// `kuvert verify` trusting both TEST ONLY roots, with both issuing CAs as intermediates.
fn verify(dir: &Scratch, file: &Path, extra: &[&str]) -> Output {
    let (ca2, ca3) = (pem(dir, "oces2-ca.der"), pem(dir, "oces3-ca.der"));
    kuvert()
        .arg("verify")
        .arg("--trust")
        .arg(pki("trust-bundle.pem"))
        .arg("--intermediate")
        .arg(&ca2)
        .arg("--intermediate")
        .arg(&ca3)
        .args(["--at", VERIFY_AT])
        .args(extra)
        .arg(file)
        .output()
        .unwrap()
}

fn sha256_hex(path: &Path) -> Option<String> {
    let out = Command::new("openssl").args(["dgst", "-sha256", "-r"]).arg(path).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or("").to_owned())
}

#[test]
fn sign_then_verify_prints_what_was_signed() {
    let dir = Scratch::new("verify-ok");
    let cases = [
        ("invocation-context/cpr-person-lookup.request.xml", "oces2-leaf", "http://schemas.xmlsoap.org/soap/envelope/"),
        ("soap12/organisation-soeg.request.xml", "oces3-leaf", "http://www.w3.org/2003/05/soap-envelope"),
        ("authority-context/cvr-lookup.request.xml", "ec-p256-leaf", "http://schemas.xmlsoap.org/soap/envelope/"),
    ];
    for (message, leaf, soap_ns) in cases {
        let signed = sign(&dir, &workspace().join("corpus/messages").join(message), leaf);
        let out = verify(&dir, &signed, &[]);
        assert_eq!(out.status.code(), Some(0), "{message}: {}", String::from_utf8_lossy(&out.stdout));
        let v = json(&out, message);
        assert_eq!(v["valid"], Value::Bool(true), "{v}");
        let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(top, ["algorithms", "signed", "signer", "valid"], "{message}: top-level keys");

        // signed: [{ns, name, id}], the Body and the Timestamp among them.
        let signed_parts = v["signed"].as_array().unwrap();
        for part in signed_parts {
            let keys: Vec<&str> = part.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["id", "name", "ns"], "{part}");
            assert!(part["id"].as_str().is_some_and(|id| !id.is_empty()), "{part}");
        }
        let has = |ns: &str, name: &str| signed_parts.iter().any(|p| p["ns"] == ns && p["name"] == name);
        assert!(has(soap_ns, "Body"), "{message}: Body not listed: {v}");
        assert!(has("http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd", "Timestamp"));

        // signer: {subject, serial, cvr, fid, uid?, uuid?, sha256}.
        let signer = &v["signer"];
        assert!(signer["subject"].as_str().is_some_and(|s| s.contains("TEST ONLY")), "{signer}");
        assert!(
            signer["serial"].as_str().is_some_and(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit())),
            "{signer}"
        );
        let sha = signer["sha256"].as_str().unwrap();
        assert!(sha.len() == 64 && sha.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')), "{signer}");
        if let Some(expected) = sha256_hex(&pki(&format!("{leaf}.der"))) {
            assert_eq!(sha, expected, "sha256 is the certificate's SHA-256");
        }
        match leaf {
            "oces2-leaf" => {
                assert_eq!(signer["cvr"], "11111111", "the serialNumber CVR, not the decoy in O");
                assert_eq!(signer["fid"], "12345678");
                assert_eq!(signer["serial"], "9f1e2d3c4b5a69788796");
                assert!(signer.get("uuid").is_none() && signer.get("uid").is_none(), "{signer}");
            }
            "oces3-leaf" => {
                assert_eq!(signer["cvr"], "29189846");
                assert_eq!(signer["uuid"], "7a3c0b1e-2f4d-4c5e-9a8b-1c2d3e4f5a6b");
                assert!(signer.get("fid").is_none(), "{signer}");
            }
            _ => {}
        }

        // algorithms: {signature, canonicalization, digests}.
        let algs = &v["algorithms"];
        let expected_sig = if leaf.starts_with("ec-") {
            "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        } else {
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
        };
        assert_eq!(algs["signature"], expected_sig);
        assert_eq!(algs["canonicalization"], "http://www.w3.org/2001/10/xml-exc-c14n#");
        assert_eq!(algs["digests"], serde_json::json!(["http://www.w3.org/2001/04/xmlenc#sha256"]));
    }
}

#[test]
fn refusals_exit_1_with_the_error() {
    let dir = Scratch::new("verify-refused");
    let signed =
        sign(&dir, &workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml"), "oces2-leaf");
    let text = std::fs::read_to_string(&signed).unwrap();
    let check = |name: &str, doc: &str, extra: &[&str], kind: &str| {
        let file = dir.write(&format!("{name}.xml"), doc);
        let out = verify(&dir, &file, extra);
        assert_eq!(out.status.code(), Some(1), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        let v = json(&out, name);
        let top: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(top, ["error", "valid"], "{name}: {v}");
        assert_eq!(v["valid"], Value::Bool(false));
        let error: Vec<&str> = v["error"].as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(error, ["kind", "message", "offset"], "{name}: {v}");
        assert_eq!(v["error"]["kind"], kind, "{name}: {v}");
        assert!(v["error"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        v["error"]["offset"].as_u64().expect("offset is a number") as usize
    };
    // The PNR changed inside the signed Body: the Body reference's digest breaks.
    let tampered = text.replacen("3102013757", "3102013758", 1);
    let offset = check("tampered", &tampered, &[], "signature.digest_mismatch");
    let body_ref = text.find(&format!("<ds:Reference URI=\"#{}\"", body_id(&text))).unwrap();
    assert_eq!(offset, body_ref, "the offset is the Body's Reference");
    // Too late: the Timestamp has expired.
    let expired = dir.write("expired-input.xml", &text);
    let out = kuvert()
        .args(["verify", "--trust"])
        .arg(pki("trust-bundle.pem"))
        .args(["--at", "2030-01-01T13:00:00Z"])
        .arg(&expired)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // Without the issuing CA the chain cannot be built.
    let out = kuvert()
        .args(["verify", "--trust"])
        .arg(pki("trust-bundle.pem"))
        .args(["--at", VERIFY_AT])
        .arg(&signed)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out, "no intermediate")["error"]["kind"], "cert.untrusted_issuer");
    // Not signed at all, and not XML at all.
    let plain =
        std::fs::read_to_string(workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml"))
            .unwrap();
    check("unsigned", &plain, &[], "signature.none");
    check("not-xml", "this is not XML", &[], "xml.text_outside_root");
    // Read from standard input too.
    let out = kuvert()
        .args(["verify", "--trust"])
        .arg(pki("trust-bundle.pem"))
        .arg("--intermediate")
        .arg(pem(&dir, "oces2-ca.der"))
        .args(["--at", VERIFY_AT, "-"])
        .stdin(std::fs::File::open(dir.write("stdin.xml", &tampered)).unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out, "stdin")["error"]["kind"], "signature.digest_mismatch");
}

fn body_id(signed: &str) -> String {
    let at = signed.find("<soapenv:Body").unwrap();
    let tag = &signed[at..at + signed[at..].find('>').unwrap()];
    let id = &tag[tag.find("wsu:Id=\"").unwrap() + 8..];
    id[..id.find('"').unwrap()].to_owned()
}

#[test]
fn usage_and_io_errors_exit_2() {
    let dir = Scratch::new("verify-usage");
    let message = workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml");
    let not_pem = dir.write("not.pem", "no certificate here");
    let cases: Vec<(&str, Vec<std::ffi::OsString>)> = vec![
        ("missing input file", vec!["verify".into(), dir.0.join("no-such-file.xml").into()]),
        ("unknown option", vec!["verify".into(), "--no-such-option".into(), message.clone().into()]),
        (
            "missing --trust file",
            vec!["verify".into(), "--trust".into(), dir.0.join("no-such.pem").into(), message.clone().into()],
        ),
        ("--trust that is not PEM", vec!["verify".into(), "--trust".into(), not_pem.into(), message.clone().into()]),
        ("bad --at", vec!["verify".into(), "--at".into(), "yesterday".into(), message.clone().into()]),
        ("--at without a value", vec!["verify".into(), "--at".into()]),
        (
            "sign without --key",
            vec!["sign".into(), "--cert".into(), pki("oces2-root.pem").into(), message.clone().into()],
        ),
        (
            "sign with a missing key file",
            vec![
                "sign".into(),
                "--key".into(),
                dir.0.join("none.pem").into(),
                "--cert".into(),
                pki("oces2-root.pem").into(),
                message.clone().into(),
            ],
        ),
        (
            "speed with a missing file",
            vec!["speed".into(), "--iterations".into(), "5".into(), dir.0.join("none.xml").into()],
        ),
        ("no subcommand", vec![]),
    ];
    for (what, args) in cases {
        let out = kuvert().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{what}: stdout {} stderr {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!out.stderr.is_empty(), "{what}: a usage or I/O error is explained on stderr");
    }
}

// ---------------------------------------------------------------------------
// A plain document with an enveloped signature
// ---------------------------------------------------------------------------

/// The shared data directory, as the kuvert-tests crate finds it (`KUVERT_SHARED`,
/// default `<workspace>/../shared`); `None` to skip, a panic under `CI=true`.
fn shared() -> Option<PathBuf> {
    let dir = match std::env::var_os("KUVERT_SHARED") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            if p.is_absolute() {
                p
            } else {
                workspace().join(p)
            }
        }
        _ => workspace().join("..").join("shared"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        !std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true")),
        "{} is missing and CI=true",
        dir.display()
    );
    eprintln!("note: {} not found (set KUVERT_SHARED); skipping", dir.display());
    None
}

const PHAOS: &str = "vectors/xmlsec/tests/phaos-xmldsig-three";

#[test]
fn phaos_enveloped_signature_with_allow_sha1() {
    let Some(shared) = shared() else { return };
    let dir = Scratch::new("phaos");
    let phaos = shared.join(PHAOS);
    let der = std::fs::read(phaos.join("certs/rsa-cert.der")).unwrap();
    let cert = dir
        .write("rsa-cert.pem", format!("-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n", base64(&der)));
    let out = kuvert()
        .args(["verify", "--allow-sha1", "--min-rsa-bits", "1024", "--at", "2005-01-01T00:00:00Z", "--trust"])
        .arg(&cert)
        .arg(phaos.join("signature-rsa-enveloped.xml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out, "phaos");
    assert_eq!(v["signed"], serde_json::json!([{"ns": "", "name": "player"}]));
}

/// `openssl dgst {args}` over `data`.
fn openssl_dgst(dir: &Scratch, args: &[&str], data: &[u8]) -> Option<Vec<u8>> {
    let input = dir.write("dgst-input", data);
    let out = Command::new("openssl").arg("dgst").args(args).arg(&input).output().ok()?;
    out.status.success().then_some(out.stdout)
}

/// Selects the document without the `ds:Signature` subtree (the
/// enveloped-signature transform), or only the `ds:SignedInfo` subtree.
struct Select {
    signed_info: bool,
}

impl Select {
    fn keep(&self, e: &kuvert::ElementNode<'_>) -> bool {
        let ds = "http://www.w3.org/2000/09/xmldsig#";
        if self.signed_info {
            e.within(ds, "SignedInfo")
        } else {
            !e.within(ds, "Signature")
        }
    }
}

impl kuvert::NodeFilter for Select {
    fn element(&mut self, e: &kuvert::ElementNode<'_>) -> bool {
        self.keep(e)
    }
    fn attribute(&mut self, e: &kuvert::ElementNode<'_>, _: &kuvert::AttributeNode<'_>) -> bool {
        self.keep(e)
    }
    fn namespace(&mut self, e: &kuvert::ElementNode<'_>, _: &str, _: &str) -> bool {
        self.keep(e)
    }
    fn text(&mut self, parent: &kuvert::ElementNode<'_>, _: &str) -> bool {
        self.keep(parent)
    }
    fn comment(&mut self, _: Option<&kuvert::ElementNode<'_>>) -> bool {
        false
    }
    fn pi(&mut self, parent: Option<&kuvert::ElementNode<'_>>) -> bool {
        parent.map_or(!self.signed_info, |p| self.keep(p))
    }
}

fn canonical(doc: &str, signed_info: bool) -> Vec<u8> {
    let limits = kuvert::Limits::default();
    let input = kuvert::Input::new(doc.as_bytes(), &limits).unwrap();
    kuvert::canonicalize_node_set(
        &input,
        kuvert::C14nMethod::Inclusive,
        &[],
        &mut Select { signed_info },
        &limits,
        Vec::new(),
    )
    .unwrap()
}

fn replace_content(doc: &str, open: &str, close: &str, content: &str) -> String {
    let start = doc.find(open).unwrap() + open.len();
    let end = start + doc[start..].find(close).unwrap();
    format!("{}{content}{}", &doc[..start], &doc[end..])
}

/// phaos' signature-rsa-enveloped.xml (RSA-SHA1, SHA-1 digest, enveloped,
/// X509Certificate) re-signed by the test with the TEST ONLY OCES2 leaf
/// (RSA-2048), so that the CLI's default key-size policy applies: the
/// digest and the signature are made with openssl over kuvert's canonical
/// forms. It verifies only with --allow-sha1.
#[test]
fn enveloped_plain_document_with_allow_sha1() {
    let Some(shared) = shared() else { return };
    let dir = Scratch::new("enveloped");
    let original = std::fs::read_to_string(shared.join(PHAOS).join("signature-rsa-enveloped.xml")).unwrap();
    let oces2 = std::fs::read(pki("oces2-leaf.der")).unwrap();
    let doc = replace_content(&original, "<dsig:X509Certificate>", "</dsig:X509Certificate>", &base64(&oces2));
    let Some(digest) = openssl_dgst(&dir, &["-sha1", "-binary"], &canonical(&doc, false)) else {
        assert!(!std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true")), "openssl is missing and CI=true");
        eprintln!("note: openssl not found; skipping");
        return;
    };
    let doc = replace_content(&doc, "<dsig:DigestValue>", "</dsig:DigestValue>", &base64(&digest));
    let key = pki("oces2-leaf.key.pem").display().to_string();
    let value = openssl_dgst(&dir, &["-sha1", "-sign", &key], &canonical(&doc, true)).expect("openssl signs");
    let doc = replace_content(&doc, "<dsig:SignatureValue>", "</dsig:SignatureValue>", &base64(&value));
    let file = dir.write("enveloped.xml", &doc);

    let out = verify(&dir, &file, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(json(&out, "without --allow-sha1")["error"]["kind"], "signature.algorithm_not_allowed");

    let out = verify(&dir, &file, &["--allow-sha1"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v = json(&out, "with --allow-sha1");
    assert_eq!(v["valid"], Value::Bool(true));
    // URI="": the whole document, named by its root element, without an ID.
    assert_eq!(v["signed"], serde_json::json!([{"ns": "", "name": "player"}]));
    assert_eq!(v["signer"]["cvr"], "11111111");
    assert_eq!(v["algorithms"]["signature"], "http://www.w3.org/2000/09/xmldsig#rsa-sha1");
    assert_eq!(v["algorithms"]["canonicalization"], "http://www.w3.org/TR/2001/REC-xml-c14n-20010315");
    assert_eq!(v["algorithms"]["digests"], serde_json::json!(["http://www.w3.org/2000/09/xmldsig#sha1"]));

    // The enveloping document changed after signing.
    let file = dir.write("enveloped-tampered.xml", doc.replacen("Alfonso", "Alfonzo", 1));
    let out = verify(&dir, &file, &["--allow-sha1"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out, "tampered")["error"]["kind"], "signature.digest_mismatch");
}

// ---------------------------------------------------------------------------
// speed
// ---------------------------------------------------------------------------

#[test]
fn speed_reports_its_measurement_as_json() {
    let dir = Scratch::new("speed");
    let signed =
        sign(&dir, &workspace().join("corpus/messages/invocation-context/cpr-person-lookup.request.xml"), "oces2-leaf");
    let ca = pem(&dir, "oces2-ca.der");
    for op in ["verify", "parse"] {
        let out = kuvert()
            .args(["speed", "--op", op, "--iterations", "5", "--at", VERIFY_AT, "--trust"])
            .arg(pki("trust-bundle.pem"))
            .arg("--intermediate")
            .arg(&ca)
            .arg(&signed)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{op}: {}", String::from_utf8_lossy(&out.stderr));
        let v = json(&out, op);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["iterations", "mb_per_s", "op", "ops_per_s"], "{v}");
        assert_eq!(v["op"], op);
        assert_eq!(v["iterations"], 5);
        // Only the shape: the figures are measurements, not test conditions.
        assert!(v["ops_per_s"].is_number() && v["mb_per_s"].is_number(), "{v}");
    }
    // A message that does not verify is not measured.
    let out = kuvert().args(["speed", "--iterations", "5", "--at", VERIFY_AT]).arg(&signed).output().unwrap();
    assert_ne!(
        out.status.code(),
        Some(0),
        "an untrusted signer cannot be measured: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// A reader that goes away (`kuvert sign … | head -c 100`) is an I/O error:
/// exit code 2 with the error on standard error, not a panic. The signed
/// message (~300 KB) cannot fit the pipe, so the write meets the closed end.
#[test]
fn a_closed_standard_output_is_an_io_error_not_a_panic() {
    let dir = Scratch::new("closed-stdout");
    let text = "x".repeat(300 << 10);
    let message = dir.write(
        "big.xml",
        format!(
            "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><p xmlns=\"urn:p\">{text}</p></s:Body></s:Envelope>"
        ),
    );
    let cert = pem(&dir, "oces2-leaf.der");
    let mut child = kuvert()
        .args(["sign", "--key"])
        .arg(pki("oces2-leaf.key.pem"))
        .arg("--cert")
        .arg(&cert)
        .args(["--at", SIGN_AT])
        .arg(&message)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("standard output") && !stderr.contains("panicked"), "{stderr}");
}

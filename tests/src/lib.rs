//! Shared helpers for kuvert's integration tests (`tests/tests/*.rs`):
//! where the shared reference data and the corpus are, the negative-corpus
//! manifest, and an owned, comparable view of a parsed envelope.

use std::path::{Path, PathBuf};

use kuvert::{Envelope, EnvelopeError, Input, Limits};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

/// The shared data directory (platform reference samples and attack vectors),
/// which lives beside the project and is never copied into it.
///
/// Taken from `KUVERT_SHARED` (a relative path is relative to the workspace
/// root), by default `<workspace root>/../shared`. When the directory is
/// missing, the test fails if `CI=true` (CI must run these tests) and is
/// skipped with a note otherwise (`None`).
pub fn shared_dir() -> Option<PathBuf> {
    let dir = match std::env::var_os("KUVERT_SHARED") {
        Some(v) if !v.is_empty() => {
            let p = PathBuf::from(v);
            if p.is_absolute() {
                p
            } else {
                workspace_root().join(p)
            }
        }
        _ => workspace_root().join("..").join("shared"),
    };
    if dir.is_dir() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"));
    if ci {
        panic!(
            "shared data directory {} is missing (set KUVERT_SHARED to the shared/ directory); \
             CI=true, so tests that need it fail instead of being skipped",
            dir.display()
        );
    }
    eprintln!("note: shared data directory {} not found (set KUVERT_SHARED); skipping this test", dir.display());
    None
}

/// A directory under the shared data directory, or `None` (skip) as [`shared_dir`] decides.
/// A missing sub-directory of a present shared directory is always a failure.
pub fn shared_subdir(rel: &str) -> Option<PathBuf> {
    let dir = shared_dir()?.join(rel);
    assert!(dir.is_dir(), "{} is missing from the shared data directory", dir.display());
    Some(dir)
}

/// All files under `dir` (recursively) whose name ends with one of `suffixes`, sorted.
pub fn files_under(dir: &Path, suffixes: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("cannot list {}: {e}", d.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().and_then(|n| n.to_str()).is_some_and(|n| suffixes.iter().any(|s| n.ends_with(s)))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// `path` relative to `base`, with `/` separators.
pub fn relative(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Reads a file, panicking with its name.
pub fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The corpus sample messages (`corpus/messages/**/*.xml`), sorted.
pub fn corpus_messages() -> Vec<PathBuf> {
    let files = files_under(&kuvert_corpus::messages_dir(), &[".xml"]);
    assert!(files.len() >= 15, "corpus/messages looks incomplete: {} files", files.len());
    files
}

/// The golden `kuvert inspect` output beside a corpus message (`x.xml` → `x.inspect.json`).
pub fn golden_path(message: &Path) -> PathBuf {
    message.with_extension("inspect.json")
}

/// One line of `corpus/negative/EXPECTED.tsv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NegativeCase {
    /// File name inside `corpus/negative/`.
    pub file: String,
    /// The expected [`EnvelopeError::code`].
    pub code: String,
    /// The byte offset the error must have.
    pub offset: usize,
}

impl NegativeCase {
    /// The file's path.
    pub fn path(&self) -> PathBuf {
        kuvert_corpus::negative_dir().join(&self.file)
    }
}

fn tsv_rows(name: &str) -> Vec<Vec<String>> {
    let path = kuvert_corpus::negative_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// The negative-corpus manifest.
pub fn negative_cases() -> Vec<NegativeCase> {
    let cases: Vec<NegativeCase> = tsv_rows("EXPECTED.tsv")
        .into_iter()
        .map(|row| {
            assert_eq!(row.len(), 3, "EXPECTED.tsv: want file<TAB>code<TAB>offset, got {row:?}");
            let offset = row[2].parse().unwrap_or_else(|_| panic!("EXPECTED.tsv: bad offset in {row:?}"));
            NegativeCase { file: row[0].clone(), code: row[1].clone(), offset }
        })
        .collect();
    assert!(cases.len() > 100, "EXPECTED.tsv looks incomplete");
    cases
}

/// Decodes and parses `bytes` with `limits`, returning an owned view.
pub fn parse_with(bytes: &[u8], limits: &Limits) -> Result<View, EnvelopeError> {
    let input = Input::new(bytes, limits)?;
    let envelope = Envelope::parse(&input, limits)?;
    Ok(View::of(&envelope))
}

/// [`parse_with`] and the default limits.
pub fn parse(bytes: &[u8]) -> Result<View, EnvelopeError> {
    parse_with(bytes, &Limits::default())
}

/// The error code and offset of a refused input (panics if it is accepted).
pub fn refusal(bytes: &[u8]) -> (&'static str, usize) {
    match parse(bytes) {
        Ok(v) => panic!("expected a refusal, got {v:#?}"),
        Err(e) => (e.code(), e.offset()),
    }
}

/// One header block as the tests compare it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderView {
    /// Namespace URI.
    pub ns: String,
    /// Local name.
    pub name: String,
    /// `mustUnderstand`.
    pub must_understand: bool,
    /// `actor` / `role`.
    pub actor: Option<String>,
    /// `wsu:Id`.
    pub id: Option<String>,
}

/// The InvocationContext as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvocationView {
    /// ServiceAgreementUUID, UserSystemUUID, UserUUID, ServiceUUID.
    pub uuids: [String; 4],
    /// OnBehalfOfUser.
    pub on_behalf_of_user: Option<String>,
    /// CallersServiceCallIdentifier.
    pub callers_service_call_identifier: Option<String>,
    /// AccountingInfo.
    pub accounting_info: Option<String>,
}

/// The CallContext as strings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallView {
    /// OnBehalfOfUser.
    pub on_behalf_of_user: Option<String>,
    /// CallersServiceCallIdentifier.
    pub callers_service_call_identifier: Option<String>,
    /// AccountingInfo.
    pub accounting_info: Option<String>,
}

/// A fault as strings; codes as `{ns}local`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultView {
    /// `{ns}local` of faultcode / Code/Value.
    pub code: String,
    /// `{ns}local` of Code/Subcode/Value.
    pub subcode: Option<String>,
    /// faultstring / first Reason/Text, as written (not trimmed).
    pub reason: String,
    /// faultactor / Role, trimmed.
    pub actor: Option<String>,
    /// Node, trimmed.
    pub node: Option<String>,
    /// ServiceplatformFault errors (code, text), as written.
    pub errors: Vec<(String, String)>,
    /// `Fault::call_uuid`.
    pub call_uuid: Option<String>,
    /// `Fault::received`.
    pub received: Option<String>,
}

/// Everything kuvert extracts from an envelope, owned, so that two parses
/// can be compared with `==` and a mismatch is printed in full. Values that
/// the API exposes trimmed (addressing, framework) are trimmed here too;
/// context values are as the infoset has them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct View {
    /// `"1.1"` or `"1.2"`.
    pub soap_version: &'static str,
    /// (namespace, local name) of the operation element.
    pub operation: Option<(String, String)>,
    /// (namespace, local name) of the operation's children.
    pub operation_children: Vec<(String, String)>,
    /// Whether there is a Header element.
    pub has_header: bool,
    /// The header blocks in order.
    pub headers: Vec<HeaderView>,
    /// wsa:Action.
    pub action: Option<String>,
    /// wsa:MessageID.
    pub message_id: Option<String>,
    /// wsa:To.
    pub to: Option<String>,
    /// wsa:From/Address.
    pub from: Option<String>,
    /// wsa:ReplyTo/Address.
    pub reply_to: Option<String>,
    /// wsa:FaultTo/Address.
    pub fault_to: Option<String>,
    /// wsa:RelatesTo (reply).
    pub relates_to: Option<String>,
    /// sbf:Framework (version, profile).
    pub framework: Option<(String, Option<String>)>,
    /// RequestHeader/TransactionUUID, trimmed.
    pub transaction_uuid: Option<String>,
    /// Local name of the Security header for the ultimate receiver.
    pub security: bool,
    /// The Body's wsu:Id.
    pub body_id: Option<String>,
    /// InvocationContext.
    pub invocation: Option<InvocationView>,
    /// AuthorityContext/MunicipalityCVR.
    pub authority_cvr: Option<String>,
    /// CallContext.
    pub call: Option<CallView>,
    /// The fault.
    pub fault: Option<FaultView>,
}

fn own(v: Option<&kuvert::TextValue<'_>>) -> Option<String> {
    v.map(|t| t.trimmed().to_owned())
}

fn code_string(c: &kuvert::FaultCode<'_>) -> String {
    format!("{{{}}}{}", c.ns, c.local)
}

impl View {
    /// The view of a parsed envelope.
    pub fn of(e: &Envelope<'_>) -> View {
        let a = e.addressing();
        View {
            soap_version: e.version().as_str(),
            operation: e.operation().map(|o| (o.name.ns.to_owned(), o.name.local.to_owned())),
            operation_children: e
                .operation_children()
                .iter()
                .map(|c| (c.name.ns.to_owned(), c.name.local.to_owned()))
                .collect(),
            has_header: e.header().is_some(),
            headers: e
                .header_blocks()
                .iter()
                .map(|h| HeaderView {
                    ns: h.name.ns.to_owned(),
                    name: h.name.local.to_owned(),
                    must_understand: h.must_understand,
                    actor: h.actor.as_deref().map(str::to_owned),
                    id: h.id.as_deref().map(str::to_owned),
                })
                .collect(),
            action: own(a.action.as_ref()),
            message_id: own(a.message_id.as_ref()),
            to: own(a.to.as_ref()),
            from: own(a.from.as_ref()),
            reply_to: own(a.reply_to.as_ref()),
            fault_to: own(a.fault_to.as_ref()),
            relates_to: own(a.relates_to.as_ref()),
            framework: e.framework().map(|f| (f.version.to_string(), f.profile.as_deref().map(str::to_owned))),
            transaction_uuid: own(e.transaction_uuid()),
            security: e.security_header().is_some(),
            body_id: e.body_id().map(str::to_owned),
            invocation: e.invocation_context().map(|c| InvocationView {
                uuids: [
                    c.service_agreement.to_string(),
                    c.user_system.to_string(),
                    c.user.to_string(),
                    c.service.to_string(),
                ],
                on_behalf_of_user: c.on_behalf_of_user.as_deref().map(str::to_owned),
                callers_service_call_identifier: c.callers_service_call_identifier.as_deref().map(str::to_owned),
                accounting_info: c.accounting_info.as_deref().map(str::to_owned),
            }),
            authority_cvr: e.authority_context().map(|c| c.municipality_cvr.to_string()),
            call: e.call_context().map(|c| CallView {
                on_behalf_of_user: c.on_behalf_of_user.as_deref().map(str::to_owned),
                callers_service_call_identifier: c.callers_service_call_identifier.as_deref().map(str::to_owned),
                accounting_info: c.accounting_info.as_deref().map(str::to_owned),
            }),
            fault: e.fault().map(|f| FaultView {
                code: code_string(&f.code),
                subcode: f.subcode.as_ref().map(code_string),
                reason: f.reason.as_str().to_owned(),
                actor: own(f.actor.as_ref()),
                node: own(f.node.as_ref()),
                errors: f.errors.iter().map(|x| (x.code.as_str().to_owned(), x.text.as_str().to_owned())).collect(),
                call_uuid: f.call_uuid().map(|u| u.to_string()),
                received: f.received().map(str::to_owned),
            }),
        }
    }

    /// The header blocks as `(namespace, local name)` pairs, for short assertions.
    pub fn header_names(&self) -> Vec<(&str, &str)> {
        self.headers.iter().map(|h| (h.ns.as_str(), h.name.as_str())).collect()
    }

    /// The header block with this namespace and local name (the first one).
    pub fn header(&self, ns: &str, name: &str) -> &HeaderView {
        self.headers
            .iter()
            .find(|h| h.ns == ns && h.name == name)
            .unwrap_or_else(|| panic!("no header {{{ns}}}{name} in {:?}", self.header_names()))
    }
}

/// Namespace URIs used in assertions.
pub use kuvert::ns;
pub use kuvert_corpus::sts::{certificate_spki, pem_encode};

// ---------------------------------------------------------------------------
// Helpers for the conformance, interop and attack tests.
// ---------------------------------------------------------------------------

/// Whether `CI=true` is set (tests that need a tool or data then fail instead of skipping).
pub fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true"))
}

/// Whether the command-line tool `name` can be run (`name --version`). When it
/// cannot, a test that needs it fails under `CI=true` (CI installs it) and is
/// skipped with a note otherwise (`false`).
pub fn require_tool(name: &str, package: &str) -> bool {
    let ok = std::process::Command::new(name)
        .arg("--version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok();
    if ok {
        return true;
    }
    if ci() {
        panic!("`{name}` is missing (Debian package {package}); CI=true, so this test fails instead of being skipped");
    }
    eprintln!("note: `{name}` not found (Debian package {package}); skipping this test");
    false
}

/// A directory under the system temporary directory, removed when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty directory whose name starts with `kuvert-{label}-`.
    pub fn new(label: &str) -> TempDir {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("kuvert-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.0
    }

    /// A path inside the directory.
    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `bytes` to `name` inside the directory and returns the path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.join(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes base64, ignoring whitespace; panics on other characters.
pub fn base64_decode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        let v = B64.iter().position(|&a| a == c).unwrap_or_else(|| panic!("not base64: {:?}", c as char));
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The body of the first PEM block labelled `label`, decoded.
pub fn pem_decode(pem: &[u8], label: &str) -> Vec<u8> {
    let text = std::str::from_utf8(pem).expect("PEM is ASCII");
    let begin = format!("-----BEGIN {label}-----");
    let start = text.find(&begin).unwrap_or_else(|| panic!("no {label} PEM block")) + begin.len();
    let stop = start + text[start..].find("-----END").expect("PEM end line");
    base64_decode(&text[start..stop])
}

fn der(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn der_unsigned(big_endian: &[u8]) -> Vec<u8> {
    let start = big_endian.iter().position(|&b| b != 0).unwrap_or(big_endian.len());
    let mut content = Vec::new();
    if !matches!(big_endian.get(start), Some(&b) if b & 0x80 == 0) {
        content.push(0);
    }
    content.extend_from_slice(&big_endian[start..]);
    der(0x02, &content)
}

/// The SubjectPublicKeyInfo (DER) of an RSA public key given as the big-endian
/// modulus and exponent of an `RSAKeyValue`.
pub fn rsa_spki(modulus: &[u8], exponent: &[u8]) -> Vec<u8> {
    let algorithm = [0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00];
    let mut key = der_unsigned(modulus);
    key.extend(der_unsigned(exponent));
    let key = der(0x30, &key);
    let mut bits = vec![0u8];
    bits.extend(key);
    let mut spki = algorithm.to_vec();
    spki.extend(der(0x03, &bits));
    der(0x30, &spki)
}

/// The text of the first element named `local` (any prefix) in `xml`, e.g. `Modulus`.
pub fn element_text<'x>(xml: &'x str, local: &str) -> Option<&'x str> {
    let mut from = 0;
    while let Some(i) = xml[from..].find('<') {
        let at = from + i + 1;
        let name_end = at + xml[at..].find(|c: char| c == '>' || c == '/' || c.is_whitespace())?;
        let name = &xml[at..name_end];
        if name.rsplit(':').next() == Some(local) {
            let open_end = at + xml[at..].find('>')? + 1;
            let close = open_end + xml[open_end..].find("</")?;
            return Some(&xml[open_end..close]);
        }
        from = at;
    }
    None
}

/// Prints a result table: a title, then one `| a | b | ... |` row per entry.
pub fn print_table(title: &str, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        format!("| {} |", padded.join(" | "))
    };
    let mut out = format!("\n{title}\n");
    out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    out.push('\n');
    for row in rows {
        out.push_str(&line(row.clone()));
        out.push('\n');
    }
    println!("{out}");
}

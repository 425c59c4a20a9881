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

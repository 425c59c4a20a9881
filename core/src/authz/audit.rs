//! The audit trail: one JSON line per decision, through a bounded channel to
//! a writer the caller runs on a thread of its choice.
//!
//! ```
//! use kuvert::{audit_channel, CallInfo, UtcTime, Uuid};
//! let (sender, drain) = audit_channel(1024);
//! let call = CallInfo::new(Uuid::new_v4([7; 16]), UtcTime::from_unix_millis(0));
//! let writer = std::thread::spawn(move || drain.run(Vec::new()));
//! # let registry = kuvert::RegistryBuilder::new().build()?;
//! # let cert = kuvert::CallerCertificate::new([0; 32], &[1], "CN=x");
//! # let decision = registry.authorize(&kuvert::Call::new(kuvert::Environment::Test, "/x",
//! #     UtcTime::from_unix_millis(0), kuvert::Credentials::None));
//! sender.send(&call, &decision)?;
//! drop(sender);
//! let (lines, out) = writer.join().unwrap()?;
//! assert_eq!(lines, 1);
//! assert!(String::from_utf8(out).unwrap().contains("\"decision\":\"deny\""));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::io::{self, Write};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::decide::Allowed;
use super::denial::Denial;
use crate::ids::Uuid;
use crate::soap::{CallContext, Envelope, InvocationContext, TextValue};
use crate::time::UtcTime;
use crate::wss::Verified;

/// What is known about a call besides the decision: its id, when it came,
/// and the optional fields the platform logs.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CallInfo<'a> {
    /// The CallUUID the gateway gave the call (quoted in faults).
    pub call_uuid: Uuid,
    /// When the call was received.
    pub received: UtcTime,
    /// `OnBehalfOfUser`.
    pub on_behalf_of_user: Option<&'a str>,
    /// `CallersServiceCallIdentifier`.
    pub callers_service_call_identifier: Option<&'a str>,
    /// `AccountingInfo`.
    pub accounting_info: Option<&'a str>,
    /// The `TransactionUUID` header.
    pub transaction_uuid: Option<&'a str>,
    /// The WS-Addressing `MessageID`.
    pub message_id: Option<&'a str>,
}

impl<'a> CallInfo<'a> {
    /// A call with only its id and time.
    pub fn new(call_uuid: Uuid, received: UtcTime) -> Self {
        CallInfo {
            call_uuid,
            received,
            on_behalf_of_user: None,
            callers_service_call_identifier: None,
            accounting_info: None,
            transaction_uuid: None,
            message_id: None,
        }
    }

    /// The fields of an envelope: from its `InvocationContext`, else its
    /// `CallContext`; `TransactionUUID`; `MessageID`.
    pub fn from_envelope(envelope: &'a Envelope<'_>, call_uuid: Uuid, received: UtcTime) -> Self {
        let parts = Parts {
            invocation: envelope.invocation_context(),
            call: envelope.call_context(),
            transaction: envelope.transaction_uuid(),
            message_id: envelope.addressing().message_id.as_ref(),
        };
        parts.into_info(call_uuid, received)
    }

    /// The same fields from a verified message, taken only from what its
    /// signature covered (so the trail never records an unsigned value as the
    /// caller's): the gateway need not read the envelope a second time.
    pub fn from_verified(message: &'a Verified<'_>, call_uuid: Uuid, received: UtcTime) -> Self {
        let parts = Parts {
            invocation: message.invocation_context(),
            call: message.call_context(),
            transaction: message.transaction_uuid(),
            message_id: message.message_id(),
        };
        parts.into_info(call_uuid, received)
    }
}

/// Where the optional fields of a [`CallInfo`] come from.
struct Parts<'a, 'm> {
    invocation: Option<&'a InvocationContext<'m>>,
    call: Option<&'a CallContext<'m>>,
    transaction: Option<&'a TextValue<'m>>,
    message_id: Option<&'a TextValue<'m>>,
}

impl<'a> Parts<'a, '_> {
    fn into_info(self, call_uuid: Uuid, received: UtcTime) -> CallInfo<'a> {
        let mut info = CallInfo::new(call_uuid, received);
        if let Some(ic) = self.invocation {
            info.on_behalf_of_user = ic.on_behalf_of_user.as_deref();
            info.callers_service_call_identifier = ic.callers_service_call_identifier.as_deref();
            info.accounting_info = ic.accounting_info.as_deref();
        } else if let Some(cc) = self.call {
            info.on_behalf_of_user = cc.on_behalf_of_user.as_deref();
            info.callers_service_call_identifier = cc.callers_service_call_identifier.as_deref();
            info.accounting_info = cc.accounting_info.as_deref();
        }
        info.transaction_uuid = self.transaction.map(|t| t.trimmed());
        info.message_id = self.message_id.map(|m| m.trimmed());
        info
    }
}

/// The audit record of a decision as one JSON line (with its `\n`).
///
/// Keys, always present, `null` when unknown: `call_uuid`, `received`
/// (RFC 3339, ms, `Z`), `decision` (`allow` or `deny`), `code` and `reason`
/// (`null` when allowed), `model`, `system`, `authority`, `authority_cvr`,
/// `service`, `agreement`, `on_behalf_of_user`,
/// `callers_service_call_identifier`, `accounting_info`, `transaction_uuid`,
/// `message_id`.
pub fn audit_line(info: &CallInfo<'_>, decision: &Result<Allowed<'_>, Denial>) -> String {
    let mut w = JsonLine::new();
    w.with("call_uuid", |out| info.call_uuid.push_to(out));
    w.with("received", |out| info.received.push_to(out));
    match decision {
        Ok(a) => {
            w.str("decision", Some("allow"));
            w.str("code", None);
            w.str("reason", None);
            w.str("model", Some(a.model.as_str()));
            w.with("system", |out| a.system.uuid.push_to(out));
            w.with("authority", |out| a.authority.uuid.push_to(out));
            w.with("authority_cvr", |out| a.authority.cvr.push_to(out));
            w.with("service", |out| a.service.uuid.push_to(out));
            w.with("agreement", |out| a.agreement.uuid.push_to(out));
        }
        Err(d) => {
            w.str("decision", Some("deny"));
            w.str("code", Some(d.code()));
            w.str("reason", Some(&d.reason.message()));
            w.str("model", d.model.map(|m| m.as_str()));
            w.uuid("system", d.system);
            w.uuid("authority", d.authority);
            match d.authority_cvr {
                Some(cvr) => w.with("authority_cvr", |out| cvr.push_to(out)),
                None => w.str("authority_cvr", None),
            }
            w.uuid("service", d.service);
            w.uuid("agreement", d.agreement);
        }
    }
    w.str("on_behalf_of_user", info.on_behalf_of_user);
    w.str("callers_service_call_identifier", info.callers_service_call_identifier);
    w.str("accounting_info", info.accounting_info);
    w.str("transaction_uuid", info.transaction_uuid);
    w.str("message_id", info.message_id);
    w.finish()
}

/// Writes one JSON object on one line. Keys are the fixed ASCII names
/// above (nothing to escape); values are escaped unless written by a
/// formatter known to give plain ASCII (UUIDs, times, CVR numbers).
struct JsonLine(String);

impl JsonLine {
    fn new() -> Self {
        JsonLine(String::with_capacity(512))
    }

    fn key(&mut self, key: &str) {
        self.0.push(if self.0.is_empty() { '{' } else { ',' });
        self.0.push('"');
        self.0.push_str(key);
        self.0.push_str("\":");
    }

    fn str(&mut self, key: &str, value: Option<&str>) {
        self.key(key);
        match value {
            Some(v) => json_string(&mut self.0, v),
            None => self.0.push_str("null"),
        }
    }

    /// A value `plain` writes: characters that need no JSON escape.
    fn with(&mut self, key: &str, plain: impl FnOnce(&mut String)) {
        self.key(key);
        self.0.push('"');
        plain(&mut self.0);
        self.0.push('"');
    }

    fn uuid(&mut self, key: &str, value: Option<Uuid>) {
        match value {
            Some(u) => self.with(key, |out| u.push_to(out)),
            None => self.str(key, None),
        }
    }

    fn finish(mut self) -> String {
        self.0.push_str("}\n");
        self.0
    }
}

fn json_string(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    if !may_need_escape(s.as_bytes()) {
        out.push_str(s);
        out.push('"');
        return;
    }
    let bytes = s.as_bytes();
    let mut clean = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escaped = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            // U+2028 and U+2029 are E2 80 A8 and E2 80 A9.
            0xe2 if matches!(bytes.get(i + 1..i + 3), Some([0x80, 0xa8 | 0xa9])) => "",
            _ => continue,
        };
        out.push_str(&s[clean..i]);
        let c = s[i..].chars().next().unwrap_or_default();
        clean = i + c.len_utf8();
        match escaped {
            "" => out.push_str(&format!("\\u{:04x}", c as u32)),
            e => out.push_str(e),
        }
    }
    out.push_str(&s[clean..]);
    out.push('"');
}

/// Whether `bytes` holds a byte that may need escaping (a quote, a backslash,
/// a control character, or E2, the lead byte of U+2028/U+2029). Checked in
/// blocks without early exit, which the compiler turns into vector code: most
/// audit values need no escape at all.
fn may_need_escape(bytes: &[u8]) -> bool {
    bytes.chunks(32).any(|block| {
        block.iter().fold(false, |found, &b| found | (b < 0x20) | (b == b'"') | (b == b'\\') | (b == 0xe2))
    })
}

/// The audit trail failed.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditError {
    /// The writer failed; every later send fails with this too. The gateway
    /// must stop serving: `unwritten` records were queued and not written.
    WriterFailed {
        /// The I/O error's kind.
        kind: io::ErrorKind,
        /// The I/O error's text.
        message: String,
        /// Records queued but not written when the writer failed.
        unwritten: u64,
    },
    /// The drain was dropped without running, or has ended.
    Closed,
}

impl fmt::Display for AuditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuditError::WriterFailed { message, unwritten, .. } => {
                write!(f, "audit writer failed: {message} ({unwritten} records not written)")
            }
            AuditError::Closed => f.write_str("audit trail closed"),
        }
    }
}

impl std::error::Error for AuditError {}

type Failure = Arc<Mutex<Option<AuditError>>>;

/// Sends audit records; clone it for each thread. [`send`](AuditSender::send)
/// blocks while the channel is full (back-pressure): records are never dropped.
#[derive(Clone, Debug)]
pub struct AuditSender {
    tx: SyncSender<String>,
    failure: Failure,
}

/// The drain's nap while the channel is empty (see [`AuditDrain::with_idle_nap`]).
const IDLE_NAP: Duration = Duration::from_millis(5);
/// Naps in a row that find the channel empty before the drain parks.
const IDLE_POLLS: u32 = 8;

/// Writes the records; run it on a thread of your choice.
#[derive(Debug)]
pub struct AuditDrain {
    rx: Receiver<String>,
    failure: Failure,
    idle_nap: Duration,
}

/// A bounded audit channel holding up to `capacity` lines (at least 1).
pub fn audit_channel(capacity: usize) -> (AuditSender, AuditDrain) {
    let (tx, rx) = mpsc::sync_channel(capacity.max(1));
    let failure = Failure::default();
    (AuditSender { tx, failure: failure.clone() }, AuditDrain { rx, failure, idle_nap: IDLE_NAP })
}

impl AuditSender {
    /// Queues the record of a decision; waits while the channel is full.
    pub fn send(&self, info: &CallInfo<'_>, decision: &Result<Allowed<'_>, Denial>) -> Result<(), AuditError> {
        self.send_line(audit_line(info, decision))
    }

    /// Queues a line made by [`audit_line`].
    pub fn send_line(&self, line: String) -> Result<(), AuditError> {
        if let Some(e) = self.failure() {
            return Err(e);
        }
        self.tx.send(line).map_err(|_| self.failure().unwrap_or(AuditError::Closed))
    }

    fn failure(&self) -> Option<AuditError> {
        self.failure.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl AuditDrain {
    /// How long the drain naps when it finds the channel empty, before it
    /// looks again (default 5 ms; after eight empty looks it parks until
    /// the next record). A record waits at most this long in a channel
    /// that ran empty. Under load every nap is a timer and a wake-up taken
    /// from the threads serving calls (on a 2-vCPU virtual machine at 2,500
    /// signed round trips a second, ~7 µs each): longer naps batch more
    /// records per wake-up; shorter ones write sooner.
    pub fn with_idle_nap(mut self, nap: Duration) -> Self {
        self.idle_nap = nap;
        self
    }

    /// Writes every line until all senders are dropped, flushing whenever the
    /// channel runs empty; returns the number of lines written and the writer.
    /// A write or flush error ends the run and is returned; senders then fail
    /// with the same error.
    pub fn run<W: Write>(self, mut writer: W) -> Result<(u64, W), AuditError> {
        let mut written = 0u64;
        loop {
            let line = match self.rx.try_recv() {
                Ok(line) => line,
                Err(TryRecvError::Disconnected) => break,
                Err(TryRecvError::Empty) => {
                    if let Err(e) = writer.flush() {
                        return Err(self.fail(&e, 0));
                    }
                    match self.wait() {
                        Some(line) => line,
                        None => break,
                    }
                }
            };
            if let Err(e) = writer.write_all(line.as_bytes()) {
                return Err(self.fail(&e, 1));
            }
            written += 1;
        }
        match writer.flush() {
            Ok(()) => Ok((written, writer)),
            Err(e) => Err(self.fail(&e, 0)),
        }
    }

    /// The next line once the channel ran empty, `None` when every sender is
    /// gone. Under load it polls a few times with short naps before it parks:
    /// a parked drain makes every send a wake-up system call, and at tens of
    /// thousands of calls a second those cost more than the naps.
    fn wait(&self) -> Option<String> {
        for _ in 0..IDLE_POLLS {
            std::thread::sleep(self.idle_nap);
            match self.rx.try_recv() {
                Ok(line) => return Some(line),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
        }
        self.rx.recv().ok()
    }

    /// Records the failure for the senders, counts what stays unwritten.
    fn fail(&self, e: &io::Error, lost: u64) -> AuditError {
        let mut error = AuditError::WriterFailed { kind: e.kind(), message: e.to_string(), unwritten: lost };
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
        let queued = self.rx.try_iter().count() as u64;
        if let AuditError::WriterFailed { unwritten, .. } = &mut error {
            *unwritten += queued;
        }
        *self.failure.lock().unwrap_or_else(|p| p.into_inner()) = Some(error.clone());
        error
    }
}

#[cfg(test)]
mod tests {
    use super::{audit_channel, json_string};

    #[test]
    fn the_drain_writes_every_line_whatever_its_nap() {
        for nap in [std::time::Duration::ZERO, std::time::Duration::from_millis(1), super::IDLE_NAP] {
            let (sender, drain) = audit_channel(2);
            let drain = std::thread::spawn(move || drain.with_idle_nap(nap).run(Vec::new()));
            for i in 0..20 {
                sender.send_line(format!("{i}\n")).unwrap();
                if i % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(2));
                }
            }
            drop(sender);
            let (written, out) = drain.join().unwrap().unwrap();
            assert_eq!(written, 20);
            let expected: String = (0..20).map(|i| format!("{i}\n")).collect();
            assert_eq!(String::from_utf8(out).unwrap(), expected);
        }
    }

    fn quoted(s: &str) -> String {
        let mut out = String::new();
        json_string(&mut out, s);
        out
    }

    #[test]
    fn json_strings_escape_exactly_what_json_and_javascript_need() {
        assert_eq!(quoted(""), "\"\"");
        assert_eq!(quoted("Søren \"Fiktiv\" \\ æøå"), "\"Søren \\\"Fiktiv\\\" \\\\ æøå\"");
        assert_eq!(quoted("a\u{1}b\u{1f}\t\r\n"), "\"a\\u0001b\\u001f\\t\\r\\n\"");
        assert_eq!(quoted("\u{2028}x\u{2029}"), "\"\\u2028x\\u2029\"");
        // Other characters starting with E2 80 pass unchanged (U+2026, U+20AC).
        assert_eq!(quoted("\u{2026}\u{20ac}"), "\"\u{2026}\u{20ac}\"");
        let long = format!("{}\"{}", "x".repeat(70), "y".repeat(40));
        assert_eq!(quoted(&long), format!("\"{}\\\"{}\"", "x".repeat(70), "y".repeat(40)));
        for s in ["plain", "ends with escape\n", "\u{7f}\u{80}\u{ffff}\u{10ffff}", &long] {
            let parsed: String = serde_json_like(&quoted(s));
            assert_eq!(parsed, s);
        }
    }

    /// Undoes exactly the escapes `json_string` writes.
    fn serde_json_like(q: &str) -> String {
        let inner = &q[1..q.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some('t') => out.push('\t'),
                Some('u') => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                Some(c) => out.push(c),
                None => panic!("dangling escape"),
            }
        }
        out
    }
}

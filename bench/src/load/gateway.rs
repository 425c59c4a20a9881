//! One call through the whole kuvert pipeline, as a gateway runs it:
//! request parse → token check → service-agreement decision → audit → the
//! stub source system's answer (signed by the platform under the token
//! model) → response check (streamed, signature verified) → accounting.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::sync::Arc;

use kuvert::{
    sign_message, Accounting, Audience, AuditSender, Call, CallInfo, CallerCertificate, Credentials, Envelope,
    Environment, FaultBuilder, Input, Limits, MemoryReplayCache, Profile, Registry, ReplayCache, ReplayError,
    SignOptions, SigningKey, SoapVersion, StandardCode, TextValue, TokenPolicy, TokenVerifier, TrustAnchors, UtcTime,
    Uuid, Verifier, VerifyPolicy,
};
use kuvert_corpus::sts::{self, TestSts};

use super::response::{check_response, ResponseStats};
use super::world::{self, Answer, Expect, Model, Scenario};

/// What one call produced.
#[derive(Clone, Copy, Debug, Default)]
pub struct Outcome {
    /// Bytes of the answer passed back to the caller (answer or fault).
    pub response_bytes: u64,
    /// The most bytes the response check held at once.
    pub peak_buffered: u64,
}

/// The gateway's long-lived state, shared by all workers.
pub struct Gateway {
    registry: Registry,
    /// The calling system's TLS client certificate (InvocationContext, AuthorityContext).
    caller: CallerCertificate,
    tokens: TokenVerifier,
    /// Verifies the signed answers (platform and source-system signatures).
    answers: Arc<Verifier>,
    /// Signs answers under the token model, as the platform does.
    platform_key: SigningKey,
    accounting: Accounting,
    audit: AuditSender,
    limits: Limits,
}

thread_local! {
    /// The pass over a token pool the current call belongs to (see [`PassReplay`]).
    static PASS: Cell<u64> = const { Cell::new(0) };
    /// The replay key of the current call's pass, reused (no allocation per call).
    static PASS_KEY: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The replay cache of the harness: the in-memory cache, with each pass over
/// a pre-signed request pool keyed apart (the harness resends its own
/// requests on purpose; the look-up and insert are still made on every call).
struct PassReplay(MemoryReplayCache);

impl ReplayCache for PassReplay {
    fn check_and_record(&self, id: &str, until: UtcTime, now: UtcTime) -> Result<(), ReplayError> {
        let pass = PASS.with(Cell::get);
        if pass == 0 {
            return self.0.check_and_record(id, until, now);
        }
        PASS_KEY.with(|key| {
            let mut key = key.borrow_mut();
            key.clear();
            let _ = write!(key, "{pass}/{id}");
            self.0.check_and_record(&key, until, now)
        })
    }
}

impl Gateway {
    /// The gateway with its audit trail going to `audit`; `assertion_cache`
    /// 0 verifies every assertion as new; signed answers of up to
    /// `max_answer_bytes` are read.
    pub fn new(audit: AuditSender, assertion_cache: usize, max_answer_bytes: usize) -> Result<Gateway, String> {
        let caller = CallerCertificate::from_der(&sts::pem_der(include_bytes!(
            "../../../corpus/keys/test-only-system.cert.pem"
        )))
        .map_err(|e| e.to_string())?;
        Ok(Gateway {
            registry: world::registry()?,
            caller,
            tokens: token_verifier(assertion_cache)?,
            answers: answer_verifier(max_answer_bytes)?,
            platform_key: world::answer_signer(),
            accounting: Accounting::default(),
            audit,
            limits: Limits::default(),
        })
    }

    /// The usage recorded so far.
    pub fn accounting(&self) -> &Accounting {
        &self.accounting
    }

    /// Runs call number `seq` of `scenario`, received at `received`, answer included.
    pub fn call(&self, scenario: &Scenario, seq: u64, received: UtcTime) -> Result<Outcome, String> {
        self.run(scenario, seq, received, true)
    }

    /// Admission only: the request read, verified, decided and audited; no answer.
    pub fn admit(&self, scenario: &Scenario, seq: u64, received: UtcTime) -> Result<Outcome, String> {
        self.run(scenario, seq, received, false)
    }

    fn run(&self, scenario: &Scenario, seq: u64, received: UtcTime, answer: bool) -> Result<Outcome, String> {
        let pool = &scenario.requests;
        let request = &pool[(seq % pool.len() as u64) as usize];
        PASS.with(|p| p.set(seq / pool.len() as u64));
        let input = Input::new(request, &self.limits).map_err(|e| format!("request: {e}"))?;
        let call_uuid = call_uuid(seq);
        let (envelope, token);
        // A token-model request is read once, by the verifier; the audit line
        // takes its fields from what the signature covered.
        let (credentials, info, request) = match scenario.model {
            Model::KombitToken => {
                token = self
                    .tokens
                    .verify_message(&input, received, Audience::Expect(sts::TEST_AUDIENCE))
                    .map_err(|e| format!("token: {e}"))?;
                let message = token.message();
                let request = Request { version: message.version(), message_id: message.message_id() };
                let info = CallInfo::from_verified(message, call_uuid, received);
                (Credentials::KombitToken(token.token_call()), info, request)
            }
            model => {
                envelope = Envelope::parse(&input, &self.limits).map_err(|e| format!("request: {e}"))?;
                let credentials = match model {
                    Model::InvocationContext => {
                        let ic = envelope.invocation_context().ok_or("no InvocationContext")?;
                        Credentials::InvocationContext { certificate: &self.caller, ids: ic.into() }
                    }
                    _ => {
                        let ac = envelope.authority_context().ok_or("no AuthorityContext")?;
                        Credentials::AuthorityContext { certificate: &self.caller, cvr: ac.municipality_cvr }
                    }
                };
                let request =
                    Request { version: envelope.version(), message_id: envelope.addressing().message_id.as_ref() };
                (credentials, CallInfo::from_envelope(&envelope, call_uuid, received), request)
            }
        };
        let decision = self.registry.authorize(&Call::new(Environment::Test, scenario.endpoint, received, credentials));
        self.audit.send(&info, &decision).map_err(|e| format!("audit: {e}"))?;
        match (decision, scenario.expect) {
            (Ok(_), Expect::Allow) | (Err(_), Expect::Deny) if !answer => Ok(Outcome::default()),
            (Ok(allowed), Expect::Allow) => {
                let answered = self.answer(scenario, &request, seq, (call_uuid, received))?;
                self.accounting.record(&allowed, received, info.accounting_info, answered.response_bytes);
                Ok(answered)
            }
            (Err(denial), Expect::Deny) => {
                let fault = denial.fault_xml(request.version, call_uuid, received);
                Ok(stats(check_response(fault.as_bytes(), None, received)?))
            }
            (Ok(_), Expect::Deny) => Err(format!("{}: allowed, expected a denial", scenario.name)),
            (Err(d), Expect::Allow) => Err(format!("{}: refused: {}", scenario.name, d.code())),
        }
    }

    /// The source system's answer, passed back through the response check.
    fn answer(
        &self,
        scenario: &Scenario,
        request: &Request<'_, '_>,
        seq: u64,
        (call_uuid, received): (Uuid, UtcTime),
    ) -> Result<Outcome, String> {
        match &scenario.answer {
            Answer::Plain(bytes) => Ok(stats(check_response(bytes, None, received)?)),
            Answer::Signed(answers) => {
                let bytes = &answers[(seq % answers.len() as u64) as usize];
                Ok(stats(check_response(bytes, Some(&self.answers), received)?))
            }
            Answer::TokenResponse { around_relates_to } => {
                let relates_to = request.message_id.ok_or("no MessageID")?.trimmed();
                let (before, after) = around_relates_to.as_ref();
                let unsigned = [before.as_str(), relates_to, after.as_str()].concat();
                let input = Input::new(unsigned.as_bytes(), &self.limits).map_err(|e| e.to_string())?;
                // Signing is the answer's check: the signer reads the source
                // system's answer whole (well-formed, within the limits, an
                // envelope without duplicate IDs) and refuses it otherwise;
                // what it adds is its own. The signature is the caller's to
                // verify, not the gateway's.
                let signed = sign_message(&input, &self.platform_key, received, &SignOptions::default())
                    .map_err(|e| format!("signing the answer: {e}"))?;
                let bytes = signed.len() as u64;
                Ok(Outcome { response_bytes: bytes, peak_buffered: bytes })
            }
            Answer::SourceFault => {
                let fault = FaultBuilder::new(SoapVersion::Soap11, StandardCode::Receiver, "Kilden svarede ikke")
                    .error("SF-9001", "Kildesystemet er midlertidigt utilgængeligt (TEST ONLY)")
                    .call(call_uuid, received)
                    .to_xml();
                Ok(stats(check_response(fault.as_bytes(), None, received)?))
            }
        }
    }

    /// The platform's RSA-2048 signing key, for the signing-rate reference.
    pub fn platform_key(&self) -> &SigningKey {
        &self.platform_key
    }
}

/// What the answer needs from the request.
struct Request<'r, 'a> {
    version: SoapVersion,
    message_id: Option<&'r TextValue<'a>>,
}

fn stats(s: ResponseStats) -> Outcome {
    Outcome { response_bytes: s.bytes, peak_buffered: s.peak_buffered }
}

/// A version-4 CallUUID made from the call's number.
fn call_uuid(seq: u64) -> Uuid {
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&0x6b75_7665_7274_0000u64.to_be_bytes());
    bytes[8..].copy_from_slice(&seq.to_be_bytes());
    Uuid::new_v4(bytes)
}

fn token_verifier(assertion_cache: usize) -> Result<TokenVerifier, String> {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).map_err(|e| e.to_string())?;
    let mut policy = TokenPolicy::new(Profile::LibBas);
    policy.assertion_cache = assertion_cache;
    let mut verifier = TokenVerifier::new(anchors, policy);
    verifier.set_replay_cache(Arc::new(PassReplay(MemoryReplayCache::new(1 << 20))));
    Ok(verifier)
}

fn answer_verifier(max_answer_bytes: usize) -> Result<Arc<Verifier>, String> {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(world::SIGNER_ROOT).map_err(|e| e.to_string())?;
    let policy = VerifyPolicy { limits: super::response_limits(max_answer_bytes), ..VerifyPolicy::default() };
    let mut verifier = Verifier::new(anchors, policy);
    verifier.add_intermediate(world::SIGNER_CA);
    Ok(Arc::new(verifier))
}

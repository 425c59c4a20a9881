//! The world the harness runs in: the registry, keys, verifiers and the
//! scenarios (request pools and source-system answers), built once from the
//! embedded corpus. Everything here is TEST ONLY material from `corpus/`.

use std::sync::Arc;

use kuvert::{
    sign_message, sign_token_request, Input, Limits, Profile, Registry, SignOptions, SigningKey, TokenSignOptions,
    UtcTime,
};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};

use super::Class;

const DEMO_REGISTRY: &str = include_str!("../../../corpus/registry/demo.json");
const IC_LOOKUP: &str = include_str!("../../../corpus/messages/invocation-context/cpr-person-lookup.request.xml");
const IC_ANSWER: &str = include_str!("../../../corpus/messages/invocation-context/cpr-person-lookup.response.xml");
const AC_LOOKUP: &str = include_str!("../../../corpus/messages/authority-context/cvr-lookup.request.xml");
const AC_ANSWER: &str = include_str!("../../../corpus/messages/authority-context/cvr-lookup.response.xml");
const AC_PRINT: &str =
    include_str!("../../../corpus/messages/authority-context/print-send-with-attachment.request.xml");
/// The TEST ONLY OCES2-style function certificate the source systems and the
/// platform sign answers with (RSA-2048), its issuing CA and root.
pub(crate) const SIGNER_KEY: &[u8] = include_bytes!("../../../corpus/pki/oces2-leaf.key.pem");
pub(crate) const SIGNER_CERT: &[u8] = include_bytes!("../../../corpus/pki/oces2-leaf.der");
pub(crate) const SIGNER_CA: &[u8] = include_bytes!("../../../corpus/pki/oces2-ca.der");
pub(crate) const SIGNER_ROOT: &[u8] = include_bytes!("../../../corpus/pki/oces2-root.der");

/// A service the harness adds to the demo registry so the complex class has one.
const COMPLEX_SERVICE: &str = "5b8d2f4a-6c1e-4a7b-9d3f-0e2c4a6b8d10";
const COMPLEX_AGREEMENT: &str = "6c9e3a5b-7d2f-4b8c-8e4a-1f3d5b7c9e21";
const COMPLEX_ENDPOINT: &str = "/service/SagDokument/Sagsoverblik/1";
const IC_AGREEMENT: &str = "c944b0f8-c43d-4638-b048-918d9f2e18b5";
const IC_SERVICE: &str = "a10c463a-500b-42e5-822d-06281c81119a";
/// An agreement UUID the registry does not hold: the call is refused.
const UNKNOWN_AGREEMENT: &str = "00000000-0000-4000-8000-00000000dead";

/// How the caller proves who it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// TLS client certificate + `InvocationContext` in the Body.
    InvocationContext,
    /// TLS client certificate + `AuthorityContext` (municipality CVR).
    AuthorityContext,
    /// A holder-of-key SAML assertion from the STS; the request signed with the holder's key.
    KombitToken,
}

/// What the stub source system answers.
#[derive(Clone, Debug)]
pub enum Answer {
    /// An unsigned answer, the same bytes every call.
    Plain(Arc<[u8]>),
    /// Answers signed by the source system, in turn (large documents of several sizes).
    Signed(Vec<Arc<[u8]>>),
    /// A search answer related to the request's MessageID, signed by the
    /// platform on each call (the token model): the source system's text
    /// before and after the `RelatesTo` value (made once; the stub writes the
    /// request's MessageID between them).
    TokenResponse { around_relates_to: Arc<(String, String)> },
    /// A `ServiceplatformFault` built on each call.
    SourceFault,
}

/// Whether the registry must allow the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Allow,
    Deny,
}

/// One kind of call in the mix.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Name used by `--mix`.
    pub name: &'static str,
    /// The response class whose budget its latency is checked against.
    pub class: Class,
    pub model: Model,
    /// The endpoint path the gateway received the call on.
    pub endpoint: &'static str,
    pub expect: Expect,
    /// Requests used in turn; token requests each carry their own MessageID.
    pub requests: Arc<Vec<Vec<u8>>>,
    pub answer: Answer,
}

/// Sizes and pool lengths the world is built with.
#[derive(Clone, Debug)]
pub struct WorldOptions {
    /// Sizes of the large answers, used in turn.
    pub large_sizes: Vec<usize>,
    /// Size of the complex answer.
    pub complex_bytes: usize,
    /// Token requests per pool (each with its own MessageID).
    pub token_pool: usize,
    /// The simulated clock's start: messages are signed at this instant.
    pub epoch: UtcTime,
}

impl Default for WorldOptions {
    fn default() -> Self {
        WorldOptions {
            large_sizes: vec![1 << 20, 10 << 20, 100 << 20],
            complex_bytes: 100 << 10,
            token_pool: 512,
            epoch: UtcTime::from_unix_millis(1_803_902_400_000), // 2027-03-01T12:00:00Z
        }
    }
}

/// The registry: the corpus's demo registry plus one complex-class service and its agreement.
pub fn registry() -> Result<Registry, String> {
    let mut json: serde_json::Value = serde_json::from_str(DEMO_REGISTRY).map_err(|e| e.to_string())?;
    let service = serde_json::json!({
        "uuid": COMPLEX_SERVICE, "name": "TEST ONLY Sagsoverblik (complex)",
        "entity_id": "http://sagdokument.serviceplatformen.dk/service/sagsoverblik/1",
        "endpoint": COMPLEX_ENDPOINT, "kind": "lookup", "class": "complex",
        "security_models": ["InvocationContext"],
    });
    let agreement = serde_json::json!({
        "uuid": COMPLEX_AGREEMENT, "system": "0afcc9ff-1d08-4af1-833d-cdeba89d6d4f",
        "authority": "09a821f7-16a6-4f05-a480-f89e8c39219b", "services": [COMPLEX_SERVICE],
        "state": "approved", "environment": "test",
    });
    push(&mut json, "services", service)?;
    push(&mut json, "agreements", agreement)?;
    Registry::from_json(json.to_string().as_bytes()).map_err(|e| format!("harness registry: {e}"))
}

fn push(json: &mut serde_json::Value, key: &str, value: serde_json::Value) -> Result<(), String> {
    json.get_mut(key).and_then(|v| v.as_array_mut()).ok_or(format!("demo registry has no {key}"))?.push(value);
    Ok(())
}

/// The key the platform and the source systems sign answers with.
pub fn answer_signer() -> SigningKey {
    SigningKey::from_der(&sts::pem_der(SIGNER_KEY), SIGNER_CERT).expect("the corpus's TEST ONLY signing key")
}

/// Every scenario of the mix, with its pools and answers.
pub fn scenarios(options: &WorldOptions) -> Result<Vec<Scenario>, String> {
    let one = |text: &str| Arc::new(vec![text.as_bytes().to_vec()]);
    let complex_request = IC_LOOKUP.replace(IC_AGREEMENT, COMPLEX_AGREEMENT).replace(IC_SERVICE, COMPLEX_SERVICE);
    let denied_request = IC_LOOKUP.replace(IC_AGREEMENT, UNKNOWN_AGREEMENT);
    let plain = |text: String| Answer::Plain(text.into_bytes().into());
    let ic = |name, class, endpoint, requests, expect, answer| Scenario {
        name,
        class,
        model: Model::InvocationContext,
        endpoint,
        expect,
        requests,
        answer,
    };
    let cpr = "/service/CPR/PersonBaseDataExtended/5";
    Ok(vec![
        ic("ic-lookup", Class::Simple, cpr, one(IC_LOOKUP), Expect::Allow, plain(IC_ANSWER.to_owned())),
        Scenario {
            name: "ac-lookup",
            class: Class::Simple,
            model: Model::AuthorityContext,
            endpoint: "/service/CVR/Online/2",
            expect: Expect::Allow,
            requests: one(AC_LOOKUP),
            answer: plain(AC_ANSWER.to_owned()),
        },
        ic("ic-denied", Class::Simple, cpr, one(&denied_request), Expect::Deny, plain(String::new())),
        ic("ic-source-fault", Class::Simple, cpr, one(IC_LOOKUP), Expect::Allow, Answer::SourceFault),
        Scenario {
            name: "token-search",
            class: Class::Medium,
            model: Model::KombitToken,
            endpoint: "/service/Organisation/OrganisationEnhed/5",
            expect: Expect::Allow,
            requests: Arc::new(token_requests(options, TokenAssertions::Recurring, "1")),
            answer: token_response(20),
        },
        ic(
            "ic-complex",
            Class::Complex,
            COMPLEX_ENDPOINT,
            one(&complex_request),
            Expect::Allow,
            plain(kuvert_corpus::large::records_response(options.complex_bytes)),
        ),
        Scenario {
            name: "ac-large",
            class: Class::Large,
            model: Model::AuthorityContext,
            endpoint: "/service/Print/Print/2",
            expect: Expect::Allow,
            requests: one(AC_PRINT),
            answer: Answer::Signed(signed_large_answers(options)?),
        },
    ])
}

/// Whether every token request brings its own assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenAssertions {
    /// One assertion for the whole pool, as clients keep a token for its 8 hours.
    Recurring,
    /// A new assertion in every request.
    Fresh,
}

/// A pool of LIB-BAS token requests signed with the TEST ONLY system key at
/// the epoch, each with its own MessageID (`tag` keeps pools apart).
pub fn token_requests(options: &WorldOptions, assertions: TokenAssertions, tag: &str) -> Vec<Vec<u8>> {
    let sts = TestSts::test_only();
    let key = sts::test_system_key();
    let epoch = options.epoch;
    let issued = epoch.add_millis(-60_000);
    let shared = sts.issue(&AssertionRequest::for_test_system(issued));
    let limits = Limits::default();
    let sign = |i: usize| {
        let assertion = match assertions {
            TokenAssertions::Recurring => shared.clone(),
            TokenAssertions::Fresh => sts.issue(&AssertionRequest::for_test_system(issued)),
        };
        let id = format!("urn:uuid:00000000-0000-4{tag:0>3}-8000-{i:012}");
        let body = sts::token_request_soap11(1, &id);
        let input = Input::new(body.as_bytes(), &limits).expect("corpus token request reads");
        let options = TokenSignOptions::new(Profile::LibBas);
        sign_token_request(&input, assertion.as_bytes(), &key, epoch, &options)
            .expect("corpus token request signs")
            .into_bytes()
    };
    parallel_map(options.token_pool, sign)
}

/// The large answers, signed once by the source system (RSA-2048, BST).
fn signed_large_answers(options: &WorldOptions) -> Result<Vec<Arc<[u8]>>, String> {
    let key = answer_signer();
    let sign = |i: usize| -> Result<Arc<[u8]>, String> {
        let text = kuvert_corpus::large::base64_response(options.large_sizes[i]);
        let limits = super::response_limits(text.len() + (64 << 10));
        let input = Input::new(text.as_bytes(), &limits).map_err(|e| e.to_string())?;
        // Signed once for the whole run: valid for a day of simulated time.
        let sign_options = SignOptions { limits, ttl_seconds: 86_400, ..SignOptions::default() };
        let signed = sign_message(&input, &key, options.epoch, &sign_options).map_err(|e| e.to_string())?;
        Ok(signed.into_bytes().into())
    };
    parallel_map(options.large_sizes.len(), sign).into_iter().collect()
}

/// `f(0..n)` on all cores, in order.
fn parallel_map<T: Send>(n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism().map_or(1, |p| p.get()).min(n.max(1));
    let mut parts: Vec<Vec<(usize, T)>> = Vec::new();
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let f = &f;
                s.spawn(move || (t..n).step_by(threads).map(|i| (i, f(i))).collect::<Vec<_>>())
            })
            .collect();
        parts = handles.into_iter().map(|h| h.join().expect("setup worker")).collect();
    });
    let mut all: Vec<(usize, T)> = parts.into_iter().flatten().collect();
    all.sort_by_key(|(i, _)| *i);
    all.into_iter().map(|(_, v)| v).collect()
}

/// A token-model answer of `units` results, split around its `RelatesTo` value.
fn token_response(units: usize) -> Answer {
    const MARK: &str = "\u{0}relates-to\u{0}";
    let text = sts::token_response_soap11(MARK, units);
    let (before, after) = text.split_once(MARK).expect("the answer relates to the request");
    Answer::TokenResponse { around_relates_to: Arc::new((before.to_owned(), after.to_owned())) }
}

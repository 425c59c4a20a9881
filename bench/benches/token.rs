//! KombitToken request verification (LIB-BAS, SOAP 1.1): a ~12 KB request
//! with the assertion in its Security header, nine references (one through
//! the STR-Transform), an RSA-2048 holder-of-key key and an RSA-2048 STS key;
//! the STS certificate is pinned and the holder certificate's checks are
//! cached.
//!
//! ```text
//! cargo bench -p kuvert-bench --bench token
//! ```
//!
//! - `token/verify/fresh`: the assertion cache is off, so every call verifies
//!   the assertion (parse, issuer signature, claims, privilege list) as if
//!   each call brought a new one;
//! - `token/verify/recurring`: the same assertion in every call (clients keep a
//!   token for its 8 hours): served from the assertion cache.
//!
//! Every call has its own MessageID; the replay store is the in-memory one,
//! emptied of the bench's IDs between passes over the message set (so the
//! store's look-up and insert are in the figure).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use kuvert::{
    Audience, Input, Limits, MemoryReplayCache, Profile, ReplayCache, ReplayError, TokenPolicy, TokenSignOptions,
    TokenVerifier, TrustAnchors, UtcTime,
};
use kuvert_corpus::sts::{self, AssertionRequest, TestSts};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MESSAGES: usize = 512;
/// Search criteria in the Body: makes the request about 12 KB.
const CRITERIA: usize = 1;

fn now() -> UtcTime {
    UtcTime::parse("2030-01-01T12:00:00Z").expect("time")
}

/// The in-memory replay cache, with each pass over the message set in a fresh
/// generation (the bench replays its own messages on purpose).
struct Generations {
    current: std::sync::Mutex<Arc<MemoryReplayCache>>,
}

impl Generations {
    fn renew(&self) {
        *self.current.lock().expect("lock") = Arc::new(MemoryReplayCache::new(1 << 18));
    }
}

impl ReplayCache for Generations {
    fn check_and_record(&self, id: &str, until: UtcTime, now: UtcTime) -> Result<(), ReplayError> {
        let cache = Arc::clone(&self.current.lock().expect("lock"));
        cache.check_and_record(id, until, now)
    }
}

fn requests(shared_assertion: bool) -> Vec<Vec<u8>> {
    let sts = TestSts::test_only();
    let key = sts::test_system_key();
    let shared = sts.issue(&AssertionRequest::for_test_system(now().add_millis(-60_000)));
    let limits = Limits::default();
    (0..MESSAGES)
        .map(|i| {
            let assertion = match shared_assertion {
                true => shared.clone(),
                false => sts.issue(&AssertionRequest::for_test_system(now().add_millis(-60_000))),
            };
            let body = sts::token_request_soap11(CRITERIA, &format!("urn:uuid:00000000-0000-4000-8000-{i:012}"));
            let input = Input::new(body.as_bytes(), &limits).expect("input");
            let options = TokenSignOptions::new(Profile::LibBas);
            kuvert::sign_token_request(&input, assertion.as_bytes(), &key, now(), &options).expect("sign").into_bytes()
        })
        .collect()
}

fn verifier(cache: usize, replay: Arc<Generations>) -> TokenVerifier {
    let mut anchors = TrustAnchors::new();
    anchors.add_der(TestSts::test_only().certificate()).expect("STS certificate");
    let mut policy = TokenPolicy::new(Profile::LibBas);
    policy.assertion_cache = cache;
    let mut v = TokenVerifier::new(anchors, policy);
    v.set_replay_cache(replay);
    v
}

fn bench_case(c: &mut Criterion, name: &str, messages: &[Vec<u8>], cache: usize) {
    let replay = Arc::new(Generations { current: std::sync::Mutex::new(Arc::new(MemoryReplayCache::new(1 << 18))) });
    let v = verifier(cache, Arc::clone(&replay));
    let limits = Limits::default();
    let at = now().add_millis(30_000);
    let mut group = c.benchmark_group("token/verify");
    group.throughput(Throughput::Bytes(messages[0].len() as u64));
    let mut i = 0;
    group.bench_function(name, |b| {
        b.iter(|| {
            if i % MESSAGES == 0 {
                replay.renew();
            }
            let m = &messages[i % MESSAGES];
            i += 1;
            let input = Input::new(m, &limits).expect("input");
            let ok = v.verify_message(&input, at, Audience::Expect(sts::TEST_AUDIENCE)).expect("verifies");
            black_box(ok.authority_cvr());
        })
    });
    group.finish();
}

fn token(c: &mut Criterion) {
    let fresh = requests(false);
    let recurring = requests(true);
    eprintln!("LIB-BAS request: {} bytes", fresh[0].len());
    bench_case(c, "fresh", &fresh, 0);
    bench_case(c, "recurring", &recurring, 1024);
}

criterion_group!(benches, token);
criterion_main!(benches);

//! `sign_message`'s own work on the round trip's answer (a 6 KB search
//! answer of 20 units): signing with an ECDSA P-256 key (a signature costs
//! ~19 µs, not RSA-2048's ~660) against the key's bare signature of 700
//! bytes, three rounds of 20,000 each, alternating.
//!
//! ```sh
//! cargo run --release -p kuvert-bench --example sign_overhead
//! ```

use std::hint::black_box;
use std::time::Instant;

use kuvert::{sign_message, Input, Limits, SignOptions, SignatureAlgorithm, SigningKey, UtcTime};

const KEY: &[u8] = include_bytes!("../../corpus/pki/ec-p256-leaf.key.pem");
const CERT: &[u8] = include_bytes!("../../corpus/pki/ec-p256-leaf.der");
const ROUNDS: usize = 3;
const PER_ROUND: u32 = 20_000;

fn main() {
    let key = SigningKey::from_der(&kuvert_corpus::sts::pem_der(KEY), CERT).expect("the corpus's TEST ONLY key");
    let answer = kuvert_corpus::sts::token_response_soap11("urn:uuid:7f0c1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b", 20);
    let limits = Limits::default();
    let at = UtcTime::from_unix_millis(1_795_000_000_000);
    let options = SignOptions::default();
    let signed_info = [0x5a_u8; 700];
    println!("answer {} bytes, signed {} bytes", answer.len(), sign(&answer, &key, at, &options, &limits).len());
    for _ in 0..ROUNDS {
        let whole = per_call(|| sign(&answer, &key, at, &options, &limits).len());
        let bare = per_call(|| key.sign(SignatureAlgorithm::EcdsaP256Sha256, &signed_info).expect("signs").len());
        println!(
            "sign_message {whole:.1} µs, signature alone {bare:.1} µs, sign_message's own work {:.1} µs",
            whole - bare
        );
    }
}

fn sign(answer: &str, key: &SigningKey, at: UtcTime, options: &SignOptions, limits: &Limits) -> String {
    let input = Input::new(answer.as_bytes(), limits).expect("the answer reads");
    sign_message(&input, key, at, options).expect("the answer signs")
}

/// Microseconds per call of `f`, over [`PER_ROUND`] calls.
fn per_call(mut f: impl FnMut() -> usize) -> f64 {
    let start = Instant::now();
    for _ in 0..PER_ROUND {
        black_box(f());
    }
    start.elapsed().as_secs_f64() * 1e6 / f64::from(PER_ROUND)
}

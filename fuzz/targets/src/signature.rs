//! Message signature and token verification with fixed TEST ONLY anchors and time.

use kuvert::{Audience, Call, Credentials, Environment, Input, Limits, Profile, Span, Verified, Verifier};

use crate::{fixtures, seeds};

fn within(inner: Span, outer: Span) -> bool {
    outer.start() <= inner.start() && inner.end() <= outer.end()
}

/// Whatever the verified view hands out lies inside a signed element.
fn only_signed(v: &Verified<'_>) {
    let signed = |s: Span| v.signed_elements().iter().any(|e| within(s, e.span));
    for e in v.signed_elements() {
        assert!(e.span.end() <= v.source().len(), "signed element outside the source");
        let _ = &v.source()[e.span.range()];
    }
    if let Some(body) = v.body() {
        assert!(signed(body), "an unsigned Body exposed");
    }
    for e in v.operation().into_iter().chain(v.operation_children()) {
        assert!(signed(e.span), "an unsigned operation element exposed");
    }
    if let Some(ctx) = v.invocation_context() {
        assert!(signed(ctx.span), "an unsigned InvocationContext exposed");
    }
    if let Some(ctx) = v.authority_context() {
        assert!(signed(ctx.span), "an unsigned AuthorityContext exposed");
    }
    let a = v.addressing();
    for t in [&a.action, &a.message_id, &a.to, &a.from, &a.reply_to, &a.fault_to, &a.relates_to].into_iter().flatten() {
        assert!(signed(t.span()), "an unsigned WS-Addressing header exposed");
    }
    if let Some(f) = v.framework() {
        assert!(signed(f.span), "an unsigned Framework exposed");
    }
    for h in v.signed_header_blocks() {
        assert!(signed(h.span), "an unsigned header block exposed");
    }
    let _ = (v.signer(), v.signature_algorithm(), v.canonicalization(), v.digest_algorithms(), v.timestamp());
}

/// `Verifier::verify_message` with the default policy at the fixed time, by
/// a fresh verifier and by one that has first verified the seeds' signed
/// messages, twice: the latter recognizes `SignedInfo` and the Security
/// header by the shapes it learned (the seeds', then this input's own), the
/// former reads them; all answers are the same. Then `verify_document` on the same bytes.
pub fn verify(data: &[u8]) {
    let limits = Limits::default();
    let Ok(input) = Input::new(data, &limits) else { return };
    let bound = data.len().max(input.as_str().len());
    let fresh = verify_outcome(&fixtures::verifier(), &input, bound);
    let warmed = fixtures::verifier();
    // A year later the warm messages' Timestamps have expired: the verifier
    // refuses them right after reading them (and learning their shapes),
    // before any key or certificate work.
    let later = fixtures::now().add_millis(365 * 86_400_000);
    for message in warm_messages() {
        if let Ok(warm) = Input::new(message.as_bytes(), &limits) {
            let _ = warmed.verify_message(&warm, later);
        }
    }
    for _ in 0..2 {
        let again = verify_outcome(&warmed, &input, bound);
        assert_eq!(again, fresh, "a verifier that learned shapes answers otherwise");
    }
    // The same bytes as a plain document with a top-level signature.
    match warmed.verify_document(&input, fixtures::now()) {
        Ok(v) => {
            for e in v.signed_elements() {
                assert!(e.span.end() <= input.as_str().len(), "signed element outside the source");
            }
        }
        Err(e) => assert!(e.offset() <= bound, "document error {e} past the end"),
    }
}

/// What verifying gives: the signed elements' spans, or the error's code and offset.
type VerifyOutcome = Result<Vec<Span>, (&'static str, usize)>;

fn verify_outcome(verifier: &Verifier, input: &Input<'_>, bound: usize) -> VerifyOutcome {
    match verifier.verify_message(input, fixtures::now()) {
        Ok(v) => {
            only_signed(&v);
            Ok(v.signed_elements().iter().map(|e| e.span).collect())
        }
        Err(e) => {
            assert!(e.offset() <= bound, "verify error {e} past the end");
            Err((e.code(), e.offset()))
        }
    }
}

/// The seeds' signed messages (a request signed with the TEST ONLY OCES2
/// leaf, a LIB-BAS token request), made once.
fn warm_messages() -> &'static [String] {
    static MESSAGES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    MESSAGES.get_or_init(|| vec![seeds::signed(seeds::REQUEST, "oces2-leaf"), seeds::token_request(Profile::LibBas)])
}

/// The token profile a target's first byte picks (bit 0).
fn profile(pick: u8) -> Profile {
    if pick & 1 == 0 {
        Profile::LibBas
    } else {
        Profile::OioIdws
    }
}

/// Whether a target's first byte has the audience checked (bit 1 clear).
fn audience(pick: u8) -> Audience<'static> {
    if pick & 2 == 0 {
        Audience::Expect(kuvert_corpus::sts::TEST_AUDIENCE)
    } else {
        Audience::CheckedByCaller
    }
}

/// A token target's input: its first byte (bit 0 picks the profile, bit 1
/// whether the audience is checked; the targets read more bits) and the rest
/// read as a document, with the bound for error offsets.
struct Picked<'a> {
    pick: u8,
    profile: Profile,
    audience: Audience<'static>,
    input: Input<'a>,
    bound: usize,
}

fn picked(data: &[u8]) -> Option<Picked<'_>> {
    let (&pick, rest) = data.split_first()?;
    let input = Input::new(rest, &Limits::default()).ok()?;
    let bound = rest.len().max(input.as_str().len());
    Some(Picked { pick, profile: profile(pick), audience: audience(pick), input, bound })
}

/// `TokenVerifier::verify_assertion` on a standalone assertion document,
/// trusting the TEST ONLY STS at the fixed time; the first byte picks the
/// profile and whether the audience is checked. Verified claims are read
/// whole and must be valid at that time; an error's offset lies in the input.
pub fn assertion(data: &[u8]) {
    let Some(Picked { profile, audience, input, bound, .. }) = picked(data) else { return };
    match fixtures::token_verifier(profile).verify_assertion(&input, fixtures::now(), audience) {
        Ok(claims) => {
            assert!(claims.not_on_or_after() > fixtures::now(), "an expired assertion verified");
            assert!(claims.not_before().is_none_or(|t| t <= fixtures::now()), "a future assertion verified");
            let _ = (claims.id(), claims.issuer(), claims.issue_instant(), claims.subject(), claims.audience());
            let _ = (claims.recipient(), claims.cvr(), claims.assurance_level(), claims.spec_version());
            let _ = (claims.privileges(), claims.holder(), claims.caller(), claims.issuer_certificate());
        }
        Err(e) => assert!(e.offset() <= bound, "assertion error {e} past the end"),
    }
}

/// `TokenVerifier::verify_message` trusting the TEST ONLY STS at the fixed
/// time; the first byte picks the profile and whether the audience is
/// checked. A verified token is then authorized on the demo registry.
pub fn token(data: &[u8]) {
    let Some(Picked { pick, profile, audience, input, bound }) = picked(data) else { return };
    let verifier = fixtures::token_verifier(profile);
    if pick & 4 != 0 {
        return token_twice(&verifier, &input, audience, bound);
    }
    match verifier.verify_message(&input, fixtures::now(), audience) {
        Ok(token) => {
            only_signed(token.message());
            let claims = token.claims();
            let _ = (token.caller(), token.authority_cvr(), token.privileges(), token.audience(), claims);
            let assertion = token.assertion_span();
            assert!(assertion.end() <= token.message().source().len(), "assertion outside the source");
            let call = Call::new(
                Environment::Test,
                "/service/CPR/PersonBaseDataExtended/5",
                fixtures::now(),
                Credentials::KombitToken(token.token_call()),
            );
            let _ = fixtures::registry().authorize(&call);
        }
        Err(e) => assert!(e.offset() <= bound, "token error {e} past the end"),
    }
}

/// The same message verified twice by one verifier: the second time its
/// assertion may come from the cache, its bytes passed over by the envelope
/// pass; the verdict must be the first one's (the error and its offset),
/// except that an accepted message is now a replay.
fn token_twice(verifier: &kuvert::TokenVerifier, input: &Input<'_>, audience: Audience<'_>, bound: usize) {
    let verdict = |r: Result<kuvert::TokenVerified<'_>, kuvert::TokenError>| match r {
        Ok(_) => "ok".to_owned(),
        Err(e) => {
            assert!(e.offset() <= bound, "token error {e} past the end");
            format!("{} at {}", e.code(), e.offset())
        }
    };
    let first = verdict(verifier.verify_message(input, fixtures::now(), audience));
    let second = verdict(verifier.verify_message(input, fixtures::now(), audience));
    if first == "ok" {
        assert!(second.starts_with("token.replay at"), "accepted, then {second}");
    } else {
        assert_eq!(first, second, "the cached assertion changed the verdict");
    }
}

/// Sign, then verify: any message `sign_message` signs (with the TEST ONLY
/// OCES3 leaf, at the fixed time) verifies, and the verified view reads the
/// same operation and call context as the unsigned envelope.
pub fn sign_verify(data: &[u8]) {
    let limits = limits_for(data);
    let Ok(input) = Input::new(data, &limits) else { return };
    let Ok(before) = kuvert::Envelope::parse(&input, &limits) else { return };
    let options = kuvert::SignOptions { limits, ..kuvert::SignOptions::default() };
    let Ok(signed) = kuvert::sign_message(&input, fixtures::signing_key(), fixtures::now(), &options) else { return };
    let signed_input = Input::new(signed.as_bytes(), &limits).expect("a signed message reads");
    let policy = kuvert::VerifyPolicy { limits, ..kuvert::VerifyPolicy::default() };
    let verifier = std::sync::Arc::new(fixtures::verifier_with(policy));
    let verified = verifier
        .verify_message(&signed_input, fixtures::now())
        .unwrap_or_else(|e| panic!("kuvert does not verify what it signed: {e}\n{signed}"));
    only_signed(&verified);
    stream_agrees(signed.as_bytes(), &limits, verifier, data.len());
    let name = |e: Option<&kuvert::Element<'_>>| e.map(|e| (e.name.ns.to_owned(), e.name.local.to_owned()));
    assert_eq!(name(verified.operation()), name(before.operation()), "another operation read after signing");
    assert_eq!(
        verified.invocation_context().map(|c| c.service_agreement),
        before.invocation_context().map(|c| c.service_agreement),
        "another InvocationContext read after signing"
    );
    assert_eq!(
        verified.authority_context().map(|c| c.municipality_cvr),
        before.authority_context().map(|c| c.municipality_cvr),
        "another AuthorityContext read after signing"
    );
}

/// The streaming verifier, a separate canonicalizer with its own reader
/// (and runs of simple markup), fed the signed message in chunks (sizes from
/// the input's length): it verifies what the whole-input signer wrote. The
/// only refusals allowed are its own size limits (the prelude it buffers,
/// the stream's length); a digest or signature mismatch, a well-formedness
/// or limit error the whole reader did not raise, or any other refusal is
/// a disagreement between the two readers or canonicalizers.
fn stream_agrees(signed: &[u8], limits: &Limits, verifier: std::sync::Arc<Verifier>, seed: usize) {
    let stream_limits = kuvert::StreamLimits::like_whole(*limits);
    let mut pipeline = kuvert::Pipeline::verifying(stream_limits, verifier, fixtures::now());
    let mismatch = |e: &kuvert::StreamError| {
        assert!(
            matches!(e.code(), "limit.prelude_size" | "limit.stream_size"),
            "the streaming verifier refuses what kuvert signed ({}): {e}\n{}",
            e.code(),
            String::from_utf8_lossy(signed)
        );
    };
    for chunk in signed.chunks(1 + seed % 97) {
        if let Err(e) = pipeline.feed(chunk) {
            return mismatch(&e);
        }
    }
    if let Err(e) = pipeline.finish() {
        mismatch(&e);
    }
}

/// The limits an input is signed and verified under (the same on both
/// sides): one input in three (by length) under tight ones, near what a
/// signer adds (attributes, declarations, bindings in scope, depth, and
/// attribute values just above the signer's own longest, so an element's
/// own ID can be too long to be a reference's `URI`).
fn limits_for(data: &[u8]) -> Limits {
    match data.len() % 3 {
        0 => Limits {
            max_attributes: 6,
            max_namespace_declarations: 4,
            max_namespaces_in_scope: 10,
            max_depth: 10,
            max_header_blocks: 6,
            max_attribute_value_bytes: 192,
            ..Limits::default()
        },
        _ => Limits::default(),
    }
}

/// `sign_template` on any document: it signs or refuses without panicking,
/// and what it signs is well-formed XML (its canonical form reads).
pub fn sign_template(data: &[u8]) {
    let limits = Limits::default();
    let Ok(input) = Input::new(data, &limits) else { return };
    let Ok(signed) = kuvert::sign_template(&input, fixtures::signing_key(), &limits) else { return };
    let out = Input::new(signed.as_bytes(), &limits).unwrap_or_else(|e| panic!("signed output does not read: {e}"));
    kuvert::canonicalize_document(&out, kuvert::C14nMethod::Exclusive, &[], &limits, Vec::new())
        .unwrap_or_else(|e| panic!("signed output is not well-formed: {e}\n{signed}"));
}

/// `sign_token_request` on any message (the first byte picks the profile),
/// with the TEST ONLY STS's assertion and system key at the fixed time; a
/// message it signs is never refused by `TokenVerifier` for its signature,
/// its coverage, the assertion's placement or a duplicate ID: kuvert
/// verifies what it signs. (Refusals of the message's own content, such as a
/// wrong Framework version or SOAP version, are the verifier's to make.)
pub fn sign_token_verify(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let profile = profile(pick);
    let limits = Limits::default();
    let Ok(input) = Input::new(rest, &limits) else { return };
    let options = kuvert::TokenSignOptions::new(profile);
    let key = fixtures::system_key();
    let Ok(signed) =
        kuvert::sign_token_request(&input, fixtures::assertion().as_bytes(), key, fixtures::now(), &options)
    else {
        return;
    };
    let signed_input = Input::new(signed.as_bytes(), &limits).expect("a signed message reads");
    let audience = Audience::Expect(kuvert_corpus::sts::TEST_AUDIENCE);
    if let Err(e) = fixtures::token_verifier(profile).verify_message(&signed_input, fixtures::now(), audience) {
        let code = e.code();
        let ours = code.starts_with("signature.")
            || code.starts_with("policy.")
            || matches!(code, "token.assertion_misplaced" | "token.key_not_holder" | "token.assertion_not_covered");
        assert!(!ours, "kuvert refused what it signed: {e} [{code}]\n{signed}");
    }
}

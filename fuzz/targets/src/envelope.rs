//! Envelope reading, call-context extraction and authorization.

use kuvert::{Call, Credentials, Envelope, Environment, Input, InvocationIds, Limits, Registry, Span, TextValue};

use crate::fixtures;

/// `Input::new` then `Envelope::parse`; every span of the result must slice
/// its source, every error offset must lie inside the input.
pub fn envelope(data: &[u8]) {
    let limits = Limits::default();
    let input = match Input::new(data, &limits) {
        Ok(input) => input,
        Err(e) => return assert!(e.offset() <= data.len(), "input error {e} past the end ({})", data.len()),
    };
    match Envelope::parse(&input, &limits) {
        Ok(env) => walk(&env),
        Err(e) => assert!(e.offset() <= data.len(), "envelope error {e} past the end ({})", data.len()),
    }
}

fn slice_ok(env: &Envelope<'_>, span: Span) {
    assert!(span.start() <= span.end() && span.end() <= env.source().len(), "span {span:?} outside the source");
    let _ = env.slice(span);
}

fn text_ok(env: &Envelope<'_>, value: &Option<TextValue<'_>>) {
    if let Some(v) = value {
        slice_ok(env, v.span());
        if v.is_borrowed() {
            assert!(env.slice(v.span()).contains(v.as_str()), "borrowed value {:?} is not in its span", v.as_str());
        }
    }
}

fn walk(env: &Envelope<'_>) {
    slice_ok(env, env.span());
    slice_ok(env, env.body());
    assert!(env.span().start() <= env.body().start() && env.body().end() <= env.span().end());
    if let Some(h) = env.header() {
        slice_ok(env, h);
    }
    for block in env.header_blocks() {
        slice_ok(env, block.span);
    }
    for e in env.operation().into_iter().chain(env.operation_children()) {
        slice_ok(env, e.span);
        assert!(env.body().start() <= e.span.start() && e.span.end() <= env.body().end(), "operation outside Body");
    }
    let a = env.addressing();
    for v in [&a.action, &a.message_id, &a.to, &a.from, &a.reply_to, &a.fault_to, &a.relates_to] {
        text_ok(env, v);
    }
    if let Some(f) = env.framework() {
        slice_ok(env, f.span);
    }
    text_ok(env, &env.transaction_uuid().cloned());
    if let Some(f) = env.fault() {
        slice_ok(env, f.span);
        text_ok(env, &Some(f.reason.clone()));
        let _ = (f.call_uuid(), f.received());
        for e in &f.errors {
            text_ok(env, &Some(e.code.clone()));
            text_ok(env, &Some(e.text.clone()));
        }
    }
}

/// The call context the gateway acts on: InvocationContext, AuthorityContext,
/// CallContext: each read from inside the message's Body (Envelope for
/// CallContext), and owned copies equal to the borrowed ones.
pub fn call_context(data: &[u8]) {
    let limits = Limits::default();
    let Ok(input) = Input::new(data, &limits) else { return };
    let Ok(env) = Envelope::parse(&input, &limits) else { return };
    if let Some(ctx) = env.invocation_context() {
        slice_ok(&env, ctx.span);
        assert!(within(ctx.span, env.body()), "InvocationContext read outside the Body");
        let owned = ctx.clone().into_owned();
        assert_eq!(&owned, ctx);
    }
    if let Some(ctx) = env.authority_context() {
        slice_ok(&env, ctx.span);
        assert!(within(ctx.span, env.body()), "AuthorityContext read outside the Body");
        assert!(ctx.municipality_cvr.value() < 100_000_000, "a CVR has eight digits");
    }
    if let Some(ctx) = env.call_context() {
        slice_ok(&env, ctx.span);
        assert!(within(ctx.span, env.span()), "CallContext read outside the Envelope");
        let owned = ctx.clone().into_owned();
        assert_eq!(&owned, ctx);
    }
}

fn within(inner: Span, outer: Span) -> bool {
    outer.start() <= inner.start() && inner.end() <= outer.end()
}

/// Authorization of whatever context the message carries, on the demo
/// registry, with the registered TEST ONLY certificate, in both environments
/// and on every endpoint the first byte picks.
pub fn authz(data: &[u8]) {
    const ENDPOINTS: &[&str] = &[
        "/service/CPR/PersonBaseDataExtended/5",
        "/service/CVR/Online/2",
        "/service/Print/Print/2",
        "/service/BygOgMiljoe/Ansoegning/1",
        "/service/Organisation/OrganisationEnhed/5",
        "/organisation/organisation/6/",
        "/unknown",
    ];
    let Some((&pick, rest)) = data.split_first() else { return };
    let limits = Limits::default();
    let Ok(input) = Input::new(rest, &limits) else { return };
    let Ok(env) = Envelope::parse(&input, &limits) else { return };
    let registry = fixtures::registry();
    let certificate = fixtures::caller();
    let endpoint = ENDPOINTS[usize::from(pick) % ENDPOINTS.len()];
    let environment = if pick & 0x80 == 0 { Environment::Test } else { Environment::Production };
    let mut credentials = vec![Credentials::None];
    if let Some(ctx) = env.invocation_context() {
        credentials.push(Credentials::InvocationContext { certificate, ids: InvocationIds::from(ctx) });
    }
    if let Some(ctx) = env.authority_context() {
        credentials.push(Credentials::AuthorityContext { certificate, cvr: ctx.municipality_cvr });
    }
    for c in credentials {
        decide(registry, &Call::new(environment, endpoint, fixtures::now(), c));
    }
}

fn decide(registry: &Registry, call: &Call<'_>) {
    match registry.authorize(call) {
        Ok(allowed) => {
            assert_eq!(Some(allowed.model), call.credentials.model());
            assert_eq!(allowed.service.endpoint, call.endpoint, "allowed on another endpoint");
        }
        Err(denial) => {
            let _ = denial.code();
        }
    }
}

/// Loading a registry from JSON: refused with a typed error or loaded, and a
/// loaded registry answers a call.
pub fn registry_json(data: &[u8]) {
    match Registry::from_json(data) {
        Ok(registry) => {
            let certificate = fixtures::caller();
            let cvr = kuvert::Cvr::parse("29189846").expect("a CVR");
            for endpoint in ["/service/CPR/PersonBaseDataExtended/5", ""] {
                let c = Credentials::AuthorityContext { certificate, cvr };
                decide(&registry, &Call::new(Environment::Test, endpoint, fixtures::now(), c));
            }
        }
        Err(e) => {
            let _ = (e.code(), e.to_string());
        }
    }
}

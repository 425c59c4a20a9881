//! The allow decision equals a plain reference implementation of the
//! platform's rules (linear scans over the generated registry) for random
//! registries and random calls, for all three security models.

use kuvert::{
    Call, CallerCertificate, Credentials, Cvr, Environment, InvocationIds, PrivilegeGrants, Registry, TokenCall,
    UtcTime, Uuid,
};
use kuvert_corpus::registry::{GenRegistry, GenSystem, Rng, Shape, EPOCH};
use proptest::prelude::*;

/// A random call, as plain data.
#[derive(Clone, Debug)]
struct PlainCall {
    model: usize,
    production: bool,
    endpoint: String,
    cert: ([u8; 32], Vec<u8>, String),
    at: i64,
    ids: [String; 4],
    cvr: String,
    audience: String,
    grants: Vec<(String, String)>,
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.below(items.len())]
}

fn random_call(rng: &mut Rng, g: &GenRegistry) -> PlainCall {
    // Most calls follow an agreement of the registry, so that allows are frequent.
    let anchor = (!g.agreements.is_empty() && rng.chance(70)).then(|| pick(rng, &g.agreements).clone());
    let (service, system, authority) = match &anchor {
        Some(a) => (&g.services[*pick(rng, &a.services)], &g.systems[a.system], &g.authorities[a.authority]),
        None => (pick(rng, &g.services), pick(rng, &g.systems), pick(rng, &g.authorities)),
    };
    let cert = match rng.below(10) {
        0 => ([0x5a; 32], vec![1, 2, 3], system.certificate.2.clone()),
        1 => (system.certificate.0, vec![9, 9], system.certificate.2.clone()),
        2 => ([0x77; 32], system.certificate.1.clone(), system.certificate.2.clone()),
        _ => system.certificate.clone(),
    };
    let agreement = match &anchor {
        Some(a) if rng.chance(90) => a.uuid.clone(),
        _ if g.agreements.is_empty() || rng.chance(20) => rng.uuid(),
        _ => pick(rng, &g.agreements).uuid.clone(),
    };
    let ids = [
        agreement,
        if rng.chance(90) { system.uuid.clone() } else { pick(rng, &g.systems).uuid.clone() },
        if rng.chance(90) { authority.uuid.clone() } else { pick(rng, &g.authorities).uuid.clone() },
        if rng.chance(90) { service.uuid.clone() } else { pick(rng, &g.services).uuid.clone() },
    ];
    let cvr = if rng.chance(90) { authority.cvr.clone() } else { "99999999".to_owned() };
    let mut grants: Vec<(String, String)> = (0..rng.below(3))
        .map(|_| (pick(rng, &g.authorities).cvr.clone(), pick(rng, &g.services).privilege.clone()))
        .collect();
    if rng.chance(60) {
        grants.push((cvr.clone(), service.privilege.clone()));
    }
    PlainCall {
        model: rng.below(4),
        production: if rng.chance(90) { system.production } else { rng.chance(50) },
        endpoint: if rng.chance(95) { service.endpoint.clone() } else { "/service/none".to_owned() },
        cert,
        at: EPOCH + (rng.below(2000) as i64 - 1000) * 86_400 + rng.below(86_400) as i64,
        ids,
        cvr,
        audience: if rng.chance(90) { service.entity_id.clone() } else { pick(rng, &g.services).entity_id.clone() },
        grants,
    }
}

// ---- the reference implementation: the rules as written, no indexes ----

fn registration_matches(s: &GenSystem, cert: &([u8; 32], Vec<u8>, String)) -> bool {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let trim = |s: &str| s.trim_start_matches('0').to_owned();
    let sha_ok = s.sha256.as_ref().is_none_or(|h| *h == hex(&cert.0));
    let serial_ok = s
        .serial_issuer
        .as_ref()
        .is_none_or(|(serial, issuer)| trim(serial) == trim(&hex(&cert.1)) && *issuer == cert.2);
    sha_ok && serial_ok
}

fn calling_system(g: &GenRegistry, call: &PlainCall) -> Option<usize> {
    let with_sha = (0..g.systems.len())
        .find(|&i| g.systems[i].sha256.is_some() && registration_matches(&g.systems[i], &call.cert));
    with_sha.or_else(|| {
        (0..g.systems.len()).find(|&i| g.systems[i].sha256.is_none() && registration_matches(&g.systems[i], &call.cert))
    })
}

fn valid_at(a: &kuvert_corpus::registry::GenAgreement, t: i64) -> bool {
    a.valid_from.is_none_or(|f| t >= f) && a.valid_to.is_none_or(|to| t < to)
}

/// The UUID of the agreement that allows the call, or `None`.
fn reference(g: &GenRegistry, call: &PlainCall) -> Option<String> {
    const MODELS: [&str; 3] = ["InvocationContext", "AuthorityContext", "KombitToken"];
    let service = g.services.iter().position(|s| s.endpoint == call.endpoint)?;
    let model = *MODELS.get(call.model)?;
    if !g.services[service].models.contains(&model) {
        return None;
    }
    if model == "KombitToken" && call.audience != g.services[service].entity_id {
        return None;
    }
    let system = calling_system(g, call)?;
    if g.systems[system].production != call.production {
        return None;
    }
    let connected = !g.systems[system].production
        || g.connections.iter().any(|c| c.system == system && c.services.contains(&service));
    if !connected {
        return None;
    }
    if model == "InvocationContext" {
        let [agreement, user_system, user, service_uuid] = &call.ids;
        let a = g.agreements.iter().find(|a| &a.uuid == agreement)?;
        let ok = *user_system == g.systems[system].uuid
            && *service_uuid == g.services[service].uuid
            && a.system == system
            && g.authorities[a.authority].uuid == *user
            && a.services.contains(&service)
            && a.state == "approved"
            && valid_at(a, call.at);
        return ok.then(|| a.uuid.clone());
    }
    let authority = g.authorities.iter().position(|a| a.cvr == call.cvr)?;
    let active: Vec<_> = g
        .agreements
        .iter()
        .filter(|a| a.system == system && a.authority == authority && a.services.contains(&service))
        .filter(|a| a.state == "approved" && valid_at(a, call.at))
        .collect();
    if active.len() != 1 {
        return None;
    }
    if model == "KombitToken" && !call.grants.contains(&(call.cvr.clone(), g.services[service].privilege.clone())) {
        return None;
    }
    Some(active[0].uuid.clone())
}

// ---- the same call through kuvert ----

struct Grants<'a>(&'a [(String, String)]);

impl PrivilegeGrants for Grants<'_> {
    fn grants(&self, scope: Cvr, privilege: &str) -> bool {
        self.0.iter().any(|(c, p)| *c == scope.to_string() && p == privilege)
    }
}

fn kuvert_decision(registry: &Registry, call: &PlainCall) -> Option<String> {
    let cert = CallerCertificate::new(call.cert.0, &call.cert.1, &call.cert.2);
    let u = |s: &String| Uuid::parse_lower(s).unwrap();
    let cvr = Cvr::parse(&call.cvr).unwrap();
    let grants = Grants(&call.grants);
    let credentials = match call.model {
        0 => Credentials::InvocationContext {
            certificate: &cert,
            ids: InvocationIds {
                service_agreement: u(&call.ids[0]),
                user_system: u(&call.ids[1]),
                user: u(&call.ids[2]),
                service: u(&call.ids[3]),
            },
        },
        1 => Credentials::AuthorityContext { certificate: &cert, cvr },
        2 => Credentials::KombitToken(TokenCall {
            audience: &call.audience,
            authority_cvr: cvr,
            holder: &cert,
            privileges: &grants,
        }),
        _ => Credentials::None,
    };
    let env = if call.production { Environment::Production } else { Environment::Test };
    let at = UtcTime::from_unix_millis(call.at * 1000);
    let decision = registry.authorize(&Call::new(env, &call.endpoint, at, credentials));
    decision.ok().map(|a| a.agreement.uuid.to_string())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn allow_equals_the_reference(
        seed in any::<u64>(),
        systems in 1usize..6,
        authorities in 1usize..4,
        services in 1usize..5,
        agreements in 0usize..40,
    ) {
        let shape = Shape { systems, authorities, services, agreements, max_services_per_agreement: 3 };
        let g = GenRegistry::generate(shape, seed);
        let registry = Registry::from_json(g.to_json().as_bytes()).expect("generated registries load");
        let mut rng = Rng::new(seed ^ 0xA5A5_A5A5);
        for _ in 0..300 {
            let call = random_call(&mut rng, &g);
            let expected = reference(&g, &call);
            prop_assert_eq!(kuvert_decision(&registry, &call), expected, "{:?}", call);
        }
    }
}

/// The generator and the random calls reach allows and denials of every model.
#[test]
fn the_property_sees_allows_for_every_model() {
    let shape = Shape { systems: 3, authorities: 2, services: 3, agreements: 30, max_services_per_agreement: 3 };
    let mut per_model = [0usize; 3];
    let mut denied = 0;
    for seed in 0..20 {
        let g = GenRegistry::generate(shape, seed);
        let registry = Registry::from_json(g.to_json().as_bytes()).unwrap();
        let mut rng = Rng::new(seed);
        for _ in 0..300 {
            let call = random_call(&mut rng, &g);
            match kuvert_decision(&registry, &call) {
                Some(_) => per_model[call.model] += 1,
                None => denied += 1,
            }
        }
    }
    assert!(per_model.iter().all(|&n| n > 20), "allows per model: {per_model:?}");
    assert!(denied > 1000);
}

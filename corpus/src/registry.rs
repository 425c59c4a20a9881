//! Random service-agreement registries (fictitious systems, authorities,
//! services and agreements) for property tests and benches, as plain data
//! and as registry JSON (the format in the README, "Service agreements").
//!
//! The same seed and shape give the same registry. Approved agreements for
//! the same system, authority and service never overlap in time (a registry
//! must not be ambiguous), so every generated registry loads.

use std::collections::HashMap;
use std::fmt::Write as _;

/// How big a registry to make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    /// IT systems.
    pub systems: usize,
    /// Authorities.
    pub authorities: usize,
    /// Services.
    pub services: usize,
    /// Service agreements.
    pub agreements: usize,
    /// Most services named by one agreement (at least 1).
    pub max_services_per_agreement: usize,
}

impl Shape {
    /// The bench shape: 100,000 agreements over 5,000 systems, 98 authorities and 300 services.
    pub const LARGE: Shape =
        Shape { systems: 5_000, authorities: 98, services: 300, agreements: 100_000, max_services_per_agreement: 3 };
}

/// A system: its certificate is registered by thumbprint, by serial and issuer, or both.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenSystem {
    /// Lower-case UUID.
    pub uuid: String,
    /// Supplier CVR.
    pub supplier_cvr: String,
    /// Registered for production (else test).
    pub production: bool,
    /// SHA-256 thumbprint (64 hex digits), or the registration has none.
    pub sha256: Option<String>,
    /// Serial (hex) and issuer, or the registration has none.
    pub serial_issuer: Option<(String, String)>,
    /// The certificate the system really calls with: thumbprint, serial, issuer.
    pub certificate: ([u8; 32], Vec<u8>, String),
}

/// An authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAuthority {
    /// Lower-case UUID.
    pub uuid: String,
    /// CVR.
    pub cvr: String,
}

/// A service.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenService {
    /// Lower-case UUID.
    pub uuid: String,
    /// Entity ID.
    pub entity_id: String,
    /// Endpoint path.
    pub endpoint: String,
    /// Security model names.
    pub models: Vec<&'static str>,
    /// Privilege for the token model.
    pub privilege: String,
}

/// A service agreement; indexes point into the registry's lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenAgreement {
    /// Lower-case UUID.
    pub uuid: String,
    /// Index of the system.
    pub system: usize,
    /// Index of the authority.
    pub authority: usize,
    /// Indexes of the services.
    pub services: Vec<usize>,
    /// `requested`, `approved`, `rejected` or `revoked`.
    pub state: &'static str,
    /// Unix seconds, inclusive.
    pub valid_from: Option<i64>,
    /// Unix seconds, exclusive.
    pub valid_to: Option<i64>,
}

/// A production system's connection agreement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenConnection {
    /// Index of the system.
    pub system: usize,
    /// Indexes of the services.
    pub services: Vec<usize>,
}

/// A generated registry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenRegistry {
    /// Systems.
    pub systems: Vec<GenSystem>,
    /// Authorities.
    pub authorities: Vec<GenAuthority>,
    /// Services.
    pub services: Vec<GenService>,
    /// Agreements.
    pub agreements: Vec<GenAgreement>,
    /// Connections of production systems (some have none).
    pub connections: Vec<GenConnection>,
}

/// splitmix64: small, fast, reproducible.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A version-4 UUID, lower case.
    pub fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let a = (a & !0xF000) | 0x4000;
        let b = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xFFFF,
            a & 0xFFFF,
            b >> 48,
            b & 0xFFFF_FFFF_FFFF
        )
    }
}

/// 2024-01-01T00:00:00Z in Unix seconds: generated periods lie around it.
pub const EPOCH: i64 = 1_704_067_200;
const DAY: i64 = 86_400;

impl GenRegistry {
    /// A random registry of `shape` from `seed`.
    pub fn generate(shape: Shape, seed: u64) -> GenRegistry {
        let mut rng = Rng::new(seed);
        let systems = (0..shape.systems).map(|i| gen_system(&mut rng, i)).collect::<Vec<_>>();
        let authorities = (0..shape.authorities)
            .map(|i| GenAuthority { uuid: rng.uuid(), cvr: format!("{:08}", 10_000_000 + i * 7_919) })
            .collect();
        let services = (0..shape.services).map(|i| gen_service(&mut rng, i)).collect::<Vec<_>>();
        let mut g = GenRegistry { systems, authorities, services, agreements: Vec::new(), connections: Vec::new() };
        g.agreements = gen_agreements(&mut rng, &g, shape);
        for system in 0..g.systems.len() {
            if g.systems[system].production && rng.chance(80) {
                let services = (0..g.services.len()).filter(|_| rng.chance(60)).collect();
                g.connections.push(GenConnection { system, services });
            }
        }
        g
    }

    /// The registry as JSON.
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(256 * (self.agreements.len() + self.systems.len() + 16));
        out.push_str("{\n\"systems\": [\n");
        join(&mut out, &self.systems, write_system);
        out.push_str("],\n\"authorities\": [\n");
        join(&mut out, &self.authorities, |o, a| {
            let _ = write!(o, r#"{{"uuid": "{}", "cvr": "{}", "name": "Authority {}"}}"#, a.uuid, a.cvr, a.cvr);
        });
        out.push_str("],\n\"services\": [\n");
        join(&mut out, &self.services, write_service);
        out.push_str("],\n\"agreements\": [\n");
        join(&mut out, &self.agreements, |o, a| self.write_agreement(o, a));
        out.push_str("],\n\"connections\": [\n");
        join(&mut out, &self.connections, |o, c| {
            let _ = write!(
                o,
                r#"{{"system": "{}", "environment": "production", "services": ["#,
                self.systems[c.system].uuid
            );
            self.write_service_list(o, &c.services);
            o.push_str("]}");
        });
        out.push_str("]\n}\n");
        out
    }

    fn write_agreement(&self, o: &mut String, a: &GenAgreement) {
        let system = &self.systems[a.system];
        let _ = write!(
            o,
            r#"{{"uuid": "{}", "system": "{}", "authority": "{}", "state": "{}", "environment": "{}", "services": ["#,
            a.uuid,
            system.uuid,
            self.authorities[a.authority].uuid,
            a.state,
            environment(system.production)
        );
        self.write_service_list(o, &a.services);
        o.push(']');
        if let Some(t) = a.valid_from {
            let _ = write!(o, r#", "valid_from": "{}""#, rfc3339(t));
        }
        if let Some(t) = a.valid_to {
            let _ = write!(o, r#", "valid_to": "{}""#, rfc3339(t));
        }
        o.push('}');
    }

    fn write_service_list(&self, o: &mut String, services: &[usize]) {
        for (i, &s) in services.iter().enumerate() {
            let _ = write!(o, r#"{}"{}""#, if i > 0 { ", " } else { "" }, self.services[s].uuid);
        }
    }
}

fn environment(production: bool) -> &'static str {
    if production {
        "production"
    } else {
        "test"
    }
}

fn join<T>(out: &mut String, items: &[T], mut write: impl FnMut(&mut String, &T)) {
    for (i, item) in items.iter().enumerate() {
        write(out, item);
        out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
    }
}

fn gen_system(rng: &mut Rng, i: usize) -> GenSystem {
    let mut sha = [0u8; 32];
    for chunk in sha.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_be_bytes());
    }
    let serial = rng.next_u64().to_be_bytes()[..6].to_vec();
    let issuer = format!("CN=TEST ONLY Issuing CA {},O=kuvert test,C=DK", i % 3);
    let how = rng.below(3);
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    GenSystem {
        uuid: rng.uuid(),
        supplier_cvr: format!("{:08}", 20_000_000 + (i % 50) * 3),
        production: rng.chance(30),
        sha256: (how != 1).then(|| hex(&sha)),
        serial_issuer: (how != 0).then(|| (hex(&serial), issuer.clone())),
        certificate: (sha, serial, issuer),
    }
}

fn gen_service(rng: &mut Rng, i: usize) -> GenService {
    const MODELS: [&str; 3] = ["InvocationContext", "AuthorityContext", "KombitToken"];
    let mut models: Vec<&'static str> = MODELS.iter().copied().filter(|_| rng.chance(70)).collect();
    if models.is_empty() {
        models.push(MODELS[rng.below(3)]);
    }
    GenService {
        uuid: rng.uuid(),
        entity_id: format!("http://service{i}.example.invalid/service/{i}/1"),
        endpoint: format!("/service/Gen/Service{i}/1"),
        models,
        privilege: format!("http://example.invalid/privilege/service{i}"),
    }
}

/// A random period around [`EPOCH`]: open or bounded at either end.
fn gen_period(rng: &mut Rng) -> (Option<i64>, Option<i64>) {
    let from = rng.chance(70).then(|| EPOCH + (rng.below(1460) as i64 - 730) * DAY);
    let to = rng.chance(50).then(|| from.unwrap_or(EPOCH - 1000 * DAY) + (1 + rng.below(900) as i64) * DAY);
    (from, to)
}

fn overlaps(a: (Option<i64>, Option<i64>), b: (Option<i64>, Option<i64>)) -> bool {
    let starts_before_end =
        |(from, _): (Option<i64>, Option<i64>), (_, to): (Option<i64>, Option<i64>)| match (from, to) {
            (Some(f), Some(t)) => f < t,
            _ => true,
        };
    starts_before_end(a, b) && starts_before_end(b, a)
}

type Periods = HashMap<(usize, usize, usize), Vec<(Option<i64>, Option<i64>)>>;

fn gen_agreements(rng: &mut Rng, g: &GenRegistry, shape: Shape) -> Vec<GenAgreement> {
    const STATES: [&str; 4] = ["approved", "requested", "rejected", "revoked"];
    let mut approved: Periods = HashMap::new();
    let mut out = Vec::with_capacity(shape.agreements);
    if g.systems.is_empty() || g.authorities.is_empty() || g.services.is_empty() {
        return out;
    }
    for _ in 0..shape.agreements {
        let (system, authority) = (rng.below(g.systems.len()), rng.below(g.authorities.len()));
        let count = 1 + rng.below(shape.max_services_per_agreement.max(1));
        let mut services: Vec<usize> = (0..count).map(|_| rng.below(g.services.len())).collect();
        services.sort_unstable();
        services.dedup();
        let mut state = if rng.chance(75) { STATES[0] } else { STATES[1 + rng.below(3)] };
        let period = gen_period(rng);
        if state == "approved" {
            let clash = services.iter().any(|&s| {
                approved.get(&(system, authority, s)).is_some_and(|ps| ps.iter().any(|&p| overlaps(p, period)))
            });
            if clash {
                state = "requested";
            } else {
                for &s in &services {
                    approved.entry((system, authority, s)).or_default().push(period);
                }
            }
        }
        let (valid_from, valid_to) = period;
        out.push(GenAgreement { uuid: rng.uuid(), system, authority, services, state, valid_from, valid_to });
    }
    out
}

fn write_system(o: &mut String, s: &GenSystem) {
    let _ = write!(
        o,
        r#"{{"uuid": "{}", "name": "System {}", "supplier_cvr": "{}", "environment": "{}", "certificates": [{{"#,
        s.uuid,
        &s.uuid[..8],
        s.supplier_cvr,
        environment(s.production)
    );
    let mut parts = Vec::new();
    if let Some(sha) = &s.sha256 {
        parts.push(format!(r#""sha256": "{sha}""#));
    }
    if let Some((serial, issuer)) = &s.serial_issuer {
        parts.push(format!(r#""serial": "{serial}", "issuer": "{issuer}""#));
    }
    o.push_str(&parts.join(", "));
    o.push_str("}]}");
}

fn write_service(o: &mut String, s: &GenService) {
    let models = s.models.iter().map(|m| format!("\"{m}\"")).collect::<Vec<_>>().join(", ");
    let _ = write!(
        o,
        r#"{{"uuid": "{}", "name": "Service {}", "entity_id": "{}", "endpoint": "{}", "kind": "lookup", "class": "simple", "security_models": [{}], "privilege": "{}"}}"#,
        s.uuid,
        &s.uuid[..8],
        s.entity_id,
        s.endpoint,
        models,
        s.privilege
    );
}

/// Unix seconds as `YYYY-MM-DDTHH:MM:SSZ`.
pub fn rfc3339(t: i64) -> String {
    let (days, secs) = (t.div_euclid(DAY), t.rem_euclid(DAY));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproducible_and_well_formed() {
        let shape = Shape { systems: 5, authorities: 3, services: 4, agreements: 40, max_services_per_agreement: 2 };
        let a = GenRegistry::generate(shape, 7);
        assert_eq!(a, GenRegistry::generate(shape, 7));
        assert_ne!(a, GenRegistry::generate(shape, 8));
        assert_eq!(a.agreements.len(), 40);
        let json = a.to_json();
        assert!(json.starts_with("{\n\"systems\": [") && json.ends_with("]\n}\n"));
        assert_eq!(rfc3339(EPOCH), "2024-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        let u = Rng::new(1).uuid();
        assert_eq!((u.len(), &u[14..15]), (36, "4"));
    }
}

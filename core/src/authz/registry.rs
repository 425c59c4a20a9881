//! The registry snapshot: entries plus the hash indexes one decision needs,
//! built and checked once.
//!
//! Index keys are 16-byte UUIDs, CVR numbers, 32-byte thumbprints and
//! endpoint paths, hashed with foldhash (seeded per map). The maps are
//! read-only after the build and their keys come from the checked registry,
//! so a caller choosing the key it looks up cannot lengthen a probe sequence:
//! the fast hasher is safe here. (Accounting, whose map grows with caller
//! input, uses SipHash.)

use std::collections::{HashMap, HashSet};

use super::certificate::{serial_issuer_key, CallerCertificate};
use super::error::{RegistryError, RegistryErrorKind as K};
use super::model::{Agreement, AgreementState, Authority, Connection, Environment, SecurityModel, Service, System};
use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

pub(super) type FastMap<Key, V> = HashMap<Key, V, foldhash::fast::RandomState>;
type FastSet<Key> = HashSet<Key, foldhash::fast::RandomState>;

/// Collects registry entries; [`build`](RegistryBuilder::build) checks them
/// and makes the [`Registry`]. Errors name entries by JSON path with the
/// insertion order as index (`$.agreements[3]` is the fourth agreement added).
#[derive(Clone, Debug, Default)]
pub struct RegistryBuilder {
    systems: Vec<System>,
    authorities: Vec<Authority>,
    services: Vec<Service>,
    agreements: Vec<Agreement>,
    connections: Vec<Connection>,
}

impl RegistryBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        RegistryBuilder::default()
    }

    /// Adds an IT system.
    pub fn system(&mut self, system: System) -> &mut Self {
        self.systems.push(system);
        self
    }

    /// Adds an authority.
    pub fn authority(&mut self, authority: Authority) -> &mut Self {
        self.authorities.push(authority);
        self
    }

    /// Adds a service.
    pub fn service(&mut self, service: Service) -> &mut Self {
        self.services.push(service);
        self
    }

    /// Adds a service agreement.
    pub fn agreement(&mut self, agreement: Agreement) -> &mut Self {
        self.agreements.push(agreement);
        self
    }

    /// Adds a connection agreement.
    pub fn connection(&mut self, connection: Connection) -> &mut Self {
        self.connections.push(connection);
        self
    }

    /// Checks every entry and reference and builds the indexes.
    pub fn build(self) -> Result<Registry, RegistryError> {
        self.build_checked(true)
    }

    pub(super) fn build_checked(self, check_overlaps: bool) -> Result<Registry, RegistryError> {
        let mut ix = Index::default();
        ix.add_systems(&self.systems)?;
        ix.add_authorities(&self.authorities)?;
        ix.add_services(&self.services)?;
        ix.add_agreements(&self.agreements, &self.systems)?;
        ix.add_active(&self.agreements, &self.services, check_overlaps)?;
        ix.add_connections(&self.connections, &self.systems)?;
        Ok(Registry {
            systems: self.systems,
            authorities: self.authorities,
            services: self.services,
            agreements: self.agreements,
            connections: self.connections,
            ix,
        })
    }
}

/// An immutable, checked registry: who may call what. Share it as an
/// `Arc<Registry>`, or through [`SharedRegistry`](super::SharedRegistry)
/// to swap in a new one while calls run.
#[derive(Debug)]
pub struct Registry {
    pub(super) systems: Vec<System>,
    pub(super) authorities: Vec<Authority>,
    pub(super) services: Vec<Service>,
    pub(super) agreements: Vec<Agreement>,
    pub(super) connections: Vec<Connection>,
    pub(super) ix: Index,
}

/// What a system is connected to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Scope {
    /// No connection agreement.
    None,
    /// Every service (test).
    All,
    /// The services in `Index::connected`.
    Listed,
}

/// A certificate registration found by thumbprint.
#[derive(Debug)]
pub(super) struct ShaEntry {
    pub(super) system: u32,
    /// When the registration also names serial and issuer, they must match too.
    pub(super) serial_issuer: Option<Box<[u8]>>,
}

#[derive(Debug, Default)]
pub(super) struct Index {
    pub(super) system_by_uuid: FastMap<Uuid, u32>,
    pub(super) by_sha256: FastMap<[u8; 32], ShaEntry>,
    /// Registrations by serial and issuer that give no thumbprint.
    pub(super) by_serial_issuer: FastMap<Box<[u8]>, u32>,
    pub(super) authority_by_uuid: FastMap<Uuid, u32>,
    pub(super) authority_by_cvr: FastMap<Cvr, u32>,
    pub(super) service_by_uuid: FastMap<Uuid, u32>,
    pub(super) service_by_endpoint: FastMap<Box<str>, u32>,
    pub(super) agreement_by_uuid: FastMap<Uuid, u32>,
    /// (system, authority) of each agreement, by agreement index.
    pub(super) agreement_parties: Vec<(u32, u32)>,
    /// `agreement << 32 | service` for every service an agreement names.
    pub(super) agreement_service: FastSet<u64>,
    /// Approved agreements by (system, authority, service): a range of `active_list`.
    pub(super) active: FastMap<(u32, u32, u32), (u32, u32)>,
    pub(super) active_list: Vec<u32>,
    /// Connection scope by system index.
    pub(super) scope: Vec<Scope>,
    /// `system << 32 | service` for production connections.
    pub(super) connected: FastSet<u64>,
}

/// (system, authority, service), valid_from, agreement: one approved agreement's service.
type ActiveRow = ((u32, u32, u32), Option<UtcTime>, u32);

pub(super) fn pair(a: u32, b: u32) -> u64 {
    u64::from(a) << 32 | u64::from(b)
}

fn index_of(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Inserts `key` → `i`, or reports the duplicate at `path(i)` with the first at `path(first)`.
fn insert_unique<Key: std::hash::Hash + Eq>(
    map: &mut FastMap<Key, u32>,
    key: Key,
    i: usize,
    path: impl Fn(usize) -> String,
) -> Result<(), RegistryError> {
    if let Some(&first) = map.get(&key) {
        return Err(RegistryError::new(path(i), K::Duplicate { first: path(first as usize) }));
    }
    map.insert(key, index_of(i));
    Ok(())
}

impl Index {
    fn add_systems(&mut self, systems: &[System]) -> Result<(), RegistryError> {
        let mut serial_seen: FastMap<Box<[u8]>, String> = FastMap::default();
        let mut sha_seen: FastMap<[u8; 32], String> = FastMap::default();
        for (i, s) in systems.iter().enumerate() {
            insert_unique(&mut self.system_by_uuid, s.uuid, i, |i| format!("$.systems[{i}].uuid"))?;
            for (j, c) in s.certificates.iter().enumerate() {
                let at = format!("$.systems[{i}].certificates[{j}]");
                let si = match (&c.serial, &c.issuer) {
                    (Some(serial), Some(issuer)) => Some(serial_issuer_key(serial, issuer)),
                    (None, None) => None,
                    _ => return Err(RegistryError::new(at, K::Rule("serial and issuer go together"))),
                };
                if si.is_none() && c.sha256.is_none() {
                    return Err(RegistryError::new(at, K::Rule("a certificate needs sha256, or serial and issuer")));
                }
                if let Some(key) = &si {
                    if let Some(first) = serial_seen.insert(key.clone(), at.clone()) {
                        return Err(RegistryError::new(at, K::Duplicate { first }));
                    }
                }
                match c.sha256 {
                    Some(sha) => {
                        if let Some(first) = sha_seen.insert(sha, at.clone()) {
                            return Err(RegistryError::new(at, K::Duplicate { first }));
                        }
                        self.by_sha256.insert(sha, ShaEntry { system: index_of(i), serial_issuer: si });
                    }
                    None => {
                        self.by_serial_issuer.insert(si.unwrap_or_default(), index_of(i));
                    }
                }
            }
        }
        self.scope =
            systems.iter().map(|s| if s.environment == Environment::Test { Scope::All } else { Scope::None }).collect();
        Ok(())
    }

    fn add_authorities(&mut self, authorities: &[Authority]) -> Result<(), RegistryError> {
        for (i, a) in authorities.iter().enumerate() {
            insert_unique(&mut self.authority_by_uuid, a.uuid, i, |i| format!("$.authorities[{i}].uuid"))?;
            insert_unique(&mut self.authority_by_cvr, a.cvr, i, |i| format!("$.authorities[{i}].cvr"))?;
        }
        Ok(())
    }

    fn add_services(&mut self, services: &[Service]) -> Result<(), RegistryError> {
        let mut entity_ids: FastMap<&str, u32> = FastMap::default();
        for (i, s) in services.iter().enumerate() {
            insert_unique(&mut self.service_by_uuid, s.uuid, i, |i| format!("$.services[{i}].uuid"))?;
            if !s.endpoint.starts_with('/') {
                let at = format!("$.services[{i}].endpoint");
                return Err(RegistryError::new(at, K::InvalidValue { expected: "a path starting with /" }));
            }
            let endpoint: Box<str> = s.endpoint.as_str().into();
            insert_unique(&mut self.service_by_endpoint, endpoint, i, |i| format!("$.services[{i}].endpoint"))?;
            if s.entity_id.is_empty() {
                let at = format!("$.services[{i}].entity_id");
                return Err(RegistryError::new(at, K::InvalidValue { expected: "a non-empty entity ID" }));
            }
            insert_unique(&mut entity_ids, s.entity_id.as_str(), i, |i| format!("$.services[{i}].entity_id"))?;
            if s.security_models.is_empty() {
                let at = format!("$.services[{i}].security_models");
                return Err(RegistryError::new(at, K::Rule("a service needs at least one security model")));
            }
            let needs_privilege = s.security_models.contains(SecurityModel::KombitToken);
            if needs_privilege && s.privilege.as_deref().map_or(true, str::is_empty) {
                return Err(RegistryError::new(format!("$.services[{i}].privilege"), K::MissingPrivilege));
            }
        }
        Ok(())
    }

    fn add_agreements(&mut self, agreements: &[Agreement], systems: &[System]) -> Result<(), RegistryError> {
        self.agreement_parties.reserve(agreements.len());
        for (i, a) in agreements.iter().enumerate() {
            insert_unique(&mut self.agreement_by_uuid, a.uuid, i, |i| format!("$.agreements[{i}].uuid"))?;
            let at = |key: &str| format!("$.agreements[{i}].{key}");
            let unknown = |key: &str, kind| RegistryError::new(at(key), K::UnknownReference { kind });
            let system = *self.system_by_uuid.get(&a.system).ok_or_else(|| unknown("system", "system"))?;
            let authority =
                *self.authority_by_uuid.get(&a.authority).ok_or_else(|| unknown("authority", "authority"))?;
            if systems[system as usize].environment != a.environment {
                return Err(RegistryError::new(at("environment"), K::EnvironmentMismatch));
            }
            if let (Some(from), Some(to)) = (a.valid_from, a.valid_to) {
                if to <= from {
                    return Err(RegistryError::new(at("valid_to"), K::EmptyPeriod));
                }
            }
            if a.services.is_empty() {
                return Err(RegistryError::new(at("services"), K::Rule("an agreement names at least one service")));
            }
            for (j, s) in a.services.iter().enumerate() {
                let path = || format!("$.agreements[{i}].services[{j}]");
                let service = *self
                    .service_by_uuid
                    .get(s)
                    .ok_or_else(|| RegistryError::new(path(), K::UnknownReference { kind: "service" }))?;
                if !self.agreement_service.insert(pair(index_of(i), service)) {
                    let first = a.services.iter().position(|x| x == s).unwrap_or(0);
                    let first = format!("$.agreements[{i}].services[{first}]");
                    return Err(RegistryError::new(path(), K::Duplicate { first }));
                }
            }
            self.agreement_parties.push((system, authority));
        }
        Ok(())
    }

    /// Indexes approved agreements by (system, authority, service) and
    /// refuses overlapping periods.
    fn add_active(
        &mut self,
        agreements: &[Agreement],
        services: &[Service],
        check_overlaps: bool,
    ) -> Result<(), RegistryError> {
        let mut rows: Vec<ActiveRow> = Vec::with_capacity(agreements.len() * 2);
        for (i, a) in agreements.iter().enumerate() {
            if a.state != AgreementState::Approved {
                continue;
            }
            let (system, authority) = self.agreement_parties[i];
            for s in &a.services {
                let service = self.service_by_uuid[s];
                rows.push(((system, authority, service), a.valid_from, index_of(i)));
            }
        }
        rows.sort_unstable_by_key(|r| (r.0, r.1, r.2));
        self.active_list = rows.iter().map(|r| r.2).collect();
        let mut start = 0;
        while start < rows.len() {
            let key = rows[start].0;
            let len = rows[start..].iter().take_while(|r| r.0 == key).count();
            if check_overlaps {
                check_overlap(&rows[start..start + len], agreements, services)?;
            }
            self.active.insert(key, (index_of(start), index_of(len)));
            start += len;
        }
        Ok(())
    }

    fn add_connections(&mut self, connections: &[Connection], systems: &[System]) -> Result<(), RegistryError> {
        let mut seen: FastMap<u32, u32> = FastMap::default();
        for (i, c) in connections.iter().enumerate() {
            let at = |key: &str| format!("$.connections[{i}].{key}");
            let Some(&system) = self.system_by_uuid.get(&c.system) else {
                return Err(RegistryError::new(at("system"), K::UnknownReference { kind: "system" }));
            };
            insert_unique(&mut seen, system, i, |i| format!("$.connections[{i}].system"))?;
            if systems[system as usize].environment != c.environment {
                return Err(RegistryError::new(at("environment"), K::EnvironmentMismatch));
            }
            match (c.environment, &c.services) {
                (Environment::Test, Some(_)) => {
                    let rule = "a test connection grants every service: leave out services";
                    return Err(RegistryError::new(at("services"), K::Rule(rule)));
                }
                (Environment::Production, None) => {
                    let rule = "a production connection lists its services";
                    return Err(RegistryError::new(at("services"), K::Rule(rule)));
                }
                (Environment::Test, None) => self.scope[system as usize] = Scope::All,
                (Environment::Production, Some(list)) => {
                    self.scope[system as usize] = Scope::Listed;
                    for (j, s) in list.iter().enumerate() {
                        let Some(&service) = self.service_by_uuid.get(s) else {
                            let path = format!("$.connections[{i}].services[{j}]");
                            return Err(RegistryError::new(path, K::UnknownReference { kind: "service" }));
                        };
                        self.connected.insert(pair(system, service));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Rows of one (system, authority, service), sorted by `valid_from`: each
/// must start at or after every earlier one's end.
fn check_overlap(rows: &[ActiveRow], agreements: &[Agreement], services: &[Service]) -> Result<(), RegistryError> {
    let mut latest: Option<(u32, Option<UtcTime>)> = None;
    for &(key, from, i) in rows {
        if let Some((prev, prev_to)) = latest {
            let overlaps = match (prev_to, from) {
                (None, _) | (_, None) => true,
                (Some(to), Some(from)) => from < to,
            };
            if overlaps {
                let (first, second) = (prev.min(i), prev.max(i));
                let service = services[key.2 as usize].uuid.to_string();
                let other = format!("$.agreements[{first}]");
                return Err(RegistryError::new(format!("$.agreements[{second}]"), K::Overlap { other, service }));
            }
        }
        let to = agreements[i as usize].valid_to;
        let later = match (latest.map(|l| l.1), to) {
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some(a.max(b)),
            (None, Some(b)) => Some(b),
        };
        latest = Some((i, later));
    }
    Ok(())
}

impl Registry {
    /// The IT systems, in registry order.
    pub fn systems(&self) -> &[System] {
        &self.systems
    }

    /// The authorities, in registry order.
    pub fn authorities(&self) -> &[Authority] {
        &self.authorities
    }

    /// The services, in registry order.
    pub fn services(&self) -> &[Service] {
        &self.services
    }

    /// The service agreements, in registry order.
    pub fn agreements(&self) -> &[Agreement] {
        &self.agreements
    }

    /// The connection agreements, in registry order.
    pub fn connections(&self) -> &[Connection] {
        &self.connections
    }

    /// The system with this UUID.
    pub fn system(&self, uuid: Uuid) -> Option<&System> {
        self.ix.system_by_uuid.get(&uuid).map(|&i| &self.systems[i as usize])
    }

    /// The authority with this UUID.
    pub fn authority(&self, uuid: Uuid) -> Option<&Authority> {
        self.ix.authority_by_uuid.get(&uuid).map(|&i| &self.authorities[i as usize])
    }

    /// The authority with this CVR.
    pub fn authority_by_cvr(&self, cvr: Cvr) -> Option<&Authority> {
        self.ix.authority_by_cvr.get(&cvr).map(|&i| &self.authorities[i as usize])
    }

    /// The service with this UUID.
    pub fn service(&self, uuid: Uuid) -> Option<&Service> {
        self.ix.service_by_uuid.get(&uuid).map(|&i| &self.services[i as usize])
    }

    /// The service received on this endpoint path (exact match).
    pub fn service_by_endpoint(&self, endpoint: &str) -> Option<&Service> {
        self.ix.service_by_endpoint.get(endpoint).map(|&i| &self.services[i as usize])
    }

    /// The agreement with this UUID.
    pub fn agreement(&self, uuid: Uuid) -> Option<&Agreement> {
        self.ix.agreement_by_uuid.get(&uuid).map(|&i| &self.agreements[i as usize])
    }

    /// The system a certificate is registered for: a registration matches
    /// when every field it gives (thumbprint; serial and issuer) equals the
    /// certificate's. Registrations with a thumbprint are tried first, then
    /// those by serial and issuer alone.
    pub fn system_for_certificate(&self, certificate: &CallerCertificate) -> Option<&System> {
        self.system_index(certificate).map(|i| &self.systems[i as usize])
    }

    pub(super) fn system_index(&self, certificate: &CallerCertificate) -> Option<u32> {
        if let Some(entry) = self.ix.by_sha256.get(certificate.sha256()) {
            if entry.serial_issuer.as_deref().map_or(true, |k| k == certificate.serial_issuer_key()) {
                return Some(entry.system);
            }
        }
        self.ix.by_serial_issuer.get(certificate.serial_issuer_key()).copied()
    }
}

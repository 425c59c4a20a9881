//! Reading a registry from JSON (feature `registry-json`). Every value is
//! checked where it stands, so each error carries its JSON path; unknown keys
//! are refused (they are usually typos). The format is in the README,
//! section "Service agreements".

use serde_json::{Map, Value};

use super::certificate::parse_hex;
use super::error::{RegistryError, RegistryErrorKind as K};
use super::model::{
    Agreement, AgreementState, Authority, Connection, Environment, RegisteredCertificate, ResponseClass, SecurityModel,
    SecurityModels, Service, ServiceKind, System,
};
use super::registry::{Registry, RegistryBuilder};
use crate::ids::{Cvr, Uuid};
use crate::time::UtcTime;

impl Registry {
    /// Reads and checks a registry file. A bad file is refused whole, with
    /// the JSON path of the first problem.
    pub fn from_json(json: &[u8]) -> Result<Registry, RegistryError> {
        let root: Value = serde_json::from_slice(json)
            .map_err(|e| RegistryError::new("$", K::Syntax { line: e.line(), column: e.column() }))?;
        let root = Obj::new(&root, Path::root())?;
        root.only(&["systems", "authorities", "services", "agreements", "connections"])?;
        let mut b = RegistryBuilder::new();
        root.each("systems", |v| {
            b.system(system(&v)?);
            Ok(())
        })?;
        root.each("authorities", |v| {
            b.authority(authority(&v)?);
            Ok(())
        })?;
        root.each("services", |v| {
            b.service(service(&v)?);
            Ok(())
        })?;
        root.each("agreements", |v| {
            b.agreement(agreement(&v)?);
            Ok(())
        })?;
        root.each("connections", |v| {
            b.connection(connection(&v)?);
            Ok(())
        })?;
        b.build()
    }
}

/// A JSON path, built on the stack and rendered only for an error.
#[derive(Clone, Copy)]
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    key: Option<&'static str>,
    index: usize,
}

impl<'p> Path<'p> {
    fn root() -> Path<'static> {
        Path { parent: None, key: None, index: 0 }
    }

    fn key(&'p self, key: &'static str) -> Path<'p> {
        Path { parent: Some(self), key: Some(key), index: 0 }
    }

    fn index(&'p self, index: usize) -> Path<'p> {
        Path { parent: Some(self), key: None, index }
    }

    fn render(&self) -> String {
        let mut out = match self.parent {
            None => return "$".to_owned(),
            Some(p) => p.render(),
        };
        match self.key {
            Some(k) => {
                out.push('.');
                out.push_str(k);
            }
            None => out.push_str(&format!("[{}]", self.index)),
        }
        out
    }

    fn err(&self, kind: K) -> RegistryError {
        RegistryError::new(self.render(), kind)
    }
}

/// A JSON object at a path.
struct Obj<'v, 'p> {
    map: &'v Map<String, Value>,
    path: Path<'p>,
}

/// A JSON value at a path.
struct At<'v, 'p> {
    value: &'v Value,
    path: Path<'p>,
}

impl<'v, 'p> Obj<'v, 'p> {
    fn new(value: &'v Value, path: Path<'p>) -> Result<Self, RegistryError> {
        match value {
            Value::Object(map) => Ok(Obj { map, path }),
            _ => Err(path.err(K::WrongType { expected: "an object" })),
        }
    }

    /// Refuses keys outside `allowed`.
    fn only(&self, allowed: &[&'static str]) -> Result<(), RegistryError> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(RegistryError::new(format!("{}.{k}", self.path.render()), K::UnknownKey)),
            None => Ok(()),
        }
    }

    fn opt(&self, key: &'static str) -> Option<&'v Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    fn req_str(&self, key: &'static str) -> Result<&'v str, RegistryError> {
        match self.opt(key) {
            Some(Value::String(s)) => Ok(s),
            Some(_) => Err(self.path.key(key).err(K::WrongType { expected: "a string" })),
            None => Err(self.path.key(key).err(K::MissingKey)),
        }
    }

    fn opt_str(&self, key: &'static str) -> Result<Option<&'v str>, RegistryError> {
        match self.opt(key) {
            None => Ok(None),
            Some(_) => self.req_str(key).map(Some),
        }
    }

    fn uuid(&self, key: &'static str) -> Result<Uuid, RegistryError> {
        Uuid::parse_lower(self.req_str(key)?).map_err(|_| self.path.key(key).err(K::InvalidUuid))
    }

    fn cvr(&self, key: &'static str) -> Result<Cvr, RegistryError> {
        Cvr::parse(self.req_str(key)?).map_err(|_| self.path.key(key).err(K::InvalidCvr))
    }

    fn time(&self, key: &'static str) -> Result<Option<UtcTime>, RegistryError> {
        match self.opt_str(key)? {
            None => Ok(None),
            Some(s) => UtcTime::parse(s).map(Some).map_err(|_| self.path.key(key).err(K::InvalidTime)),
        }
    }

    /// A string from a fixed set, by its parser.
    fn choice<T>(
        &self,
        key: &'static str,
        parse: fn(&str) -> Option<T>,
        expected: &'static str,
    ) -> Result<T, RegistryError> {
        parse(self.req_str(key)?).ok_or_else(|| self.path.key(key).err(K::InvalidValue { expected }))
    }

    /// Calls `f` on each element of the array at `key` (absent: no call).
    fn each(
        &self,
        key: &'static str,
        mut f: impl FnMut(At<'v, '_>) -> Result<(), RegistryError>,
    ) -> Result<(), RegistryError> {
        let here = self.path.key(key);
        match self.opt(key) {
            None => Ok(()),
            Some(Value::Array(items)) => {
                for (i, value) in items.iter().enumerate() {
                    f(At { value, path: here.index(i) })?;
                }
                Ok(())
            }
            Some(_) => Err(here.err(K::WrongType { expected: "an array" })),
        }
    }

    fn uuids(&self, key: &'static str) -> Result<Vec<Uuid>, RegistryError> {
        let mut out = Vec::new();
        self.each(key, |v| {
            out.push(v.uuid()?);
            Ok(())
        })?;
        Ok(out)
    }

    fn strings(&self, key: &'static str) -> Result<Vec<String>, RegistryError> {
        let mut out = Vec::new();
        self.each(key, |v| {
            out.push(v.str()?.to_owned());
            Ok(())
        })?;
        Ok(out)
    }
}

impl<'v, 'p> At<'v, 'p> {
    fn obj(&self) -> Result<Obj<'v, '_>, RegistryError> {
        Obj::new(self.value, self.path)
    }

    fn str(&self) -> Result<&'v str, RegistryError> {
        self.value.as_str().ok_or_else(|| self.path.err(K::WrongType { expected: "a string" }))
    }

    fn uuid(&self) -> Result<Uuid, RegistryError> {
        Uuid::parse_lower(self.str()?).map_err(|_| self.path.err(K::InvalidUuid))
    }
}

fn system(v: &At<'_, '_>) -> Result<System, RegistryError> {
    let o = v.obj()?;
    o.only(&["uuid", "name", "supplier_cvr", "environment", "certificates"])?;
    let (uuid, name, supplier) = (o.uuid("uuid")?, o.req_str("name")?, o.cvr("supplier_cvr")?);
    let mut s = System::new(uuid, name, supplier, o.choice("environment", Environment::parse, "test or production")?);
    o.each("certificates", |c| {
        s.certificates.push(certificate(&c)?);
        Ok(())
    })?;
    Ok(s)
}

fn certificate(v: &At<'_, '_>) -> Result<RegisteredCertificate, RegistryError> {
    let o = v.obj()?;
    o.only(&["serial", "issuer", "sha256"])?;
    let serial = match o.opt_str("serial")? {
        None => None,
        Some(s) => {
            Some(parse_hex(s).ok_or_else(|| o.path.key("serial").err(K::InvalidValue { expected: "hex digits" }))?)
        }
    };
    let sha256 = match o.opt_str("sha256")? {
        None => None,
        Some(s) => {
            let bytes = parse_hex(s).filter(|b| s.len() == 64 && b.len() == 32);
            let bytes = bytes.ok_or_else(|| o.path.key("sha256").err(K::InvalidValue { expected: "64 hex digits" }))?;
            let mut out = [0u8; 32];
            out.copy_from_slice(&bytes);
            Some(out)
        }
    };
    let issuer = o.opt_str("issuer")?.map(str::to_owned);
    let serial = serial.map(|s| super::certificate::magnitude(&s).to_vec());
    Ok(RegisteredCertificate { serial, issuer, sha256 })
}

fn authority(v: &At<'_, '_>) -> Result<Authority, RegistryError> {
    let o = v.obj()?;
    o.only(&["uuid", "cvr", "name"])?;
    Ok(Authority::new(o.uuid("uuid")?, o.cvr("cvr")?, o.req_str("name")?))
}

fn service(v: &At<'_, '_>) -> Result<Service, RegistryError> {
    let o = v.obj()?;
    o.only(&["uuid", "name", "entity_id", "endpoint", "kind", "class", "security_models", "privilege"])?;
    let kind = o.choice("kind", ServiceKind::parse, "lookup, extract, update or function")?;
    let class = o.choice("class", ResponseClass::parse, "simple, medium, complex or large")?;
    let mut models = SecurityModels::NONE;
    if o.opt("security_models").is_none() {
        return Err(o.path.key("security_models").err(K::MissingKey));
    }
    o.each("security_models", |m| {
        let expected = "InvocationContext, AuthorityContext or KombitToken";
        let model = SecurityModel::parse(m.str()?).ok_or_else(|| m.path.err(K::InvalidValue { expected }))?;
        models = models.with(model);
        Ok(())
    })?;
    let mut s = Service::new(
        o.uuid("uuid")?,
        o.req_str("name")?,
        o.req_str("entity_id")?,
        o.req_str("endpoint")?,
        (kind, class),
        models,
    );
    s.privilege = o.opt_str("privilege")?.map(str::to_owned);
    Ok(s)
}

fn agreement(v: &At<'_, '_>) -> Result<Agreement, RegistryError> {
    let o = v.obj()?;
    o.only(&[
        "uuid",
        "system",
        "authority",
        "services",
        "state",
        "valid_from",
        "valid_to",
        "environment",
        "case_types",
        "case_areas",
    ])?;
    if o.opt("services").is_none() {
        return Err(o.path.key("services").err(K::MissingKey));
    }
    let state = o.choice("state", AgreementState::parse, "requested, approved, rejected or revoked")?;
    let env = o.choice("environment", Environment::parse, "test or production")?;
    let a =
        Agreement::new(o.uuid("uuid")?, (o.uuid("system")?, o.uuid("authority")?), o.uuids("services")?, state, env);
    Ok(a.with_validity(o.time("valid_from")?, o.time("valid_to")?)
        .with_cases(o.strings("case_types")?, o.strings("case_areas")?))
}

fn connection(v: &At<'_, '_>) -> Result<Connection, RegistryError> {
    let o = v.obj()?;
    o.only(&["system", "environment", "services"])?;
    let env = o.choice("environment", Environment::parse, "test or production")?;
    let services = match o.opt("services") {
        None => None,
        Some(_) => Some(o.uuids("services")?),
    };
    Ok(Connection::new(o.uuid("system")?, env, services))
}

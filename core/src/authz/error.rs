//! Why a registry was refused, and where.

use std::fmt;

/// A registry was refused. [`path`](RegistryError::path) says where, as a
/// JSON path into the registry file (`$.agreements[3].services[1]`); a
/// registry built in code uses the same paths, with the entries' insertion
/// order as the array index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistryError {
    path: String,
    kind: RegistryErrorKind,
}

/// What is wrong with a registry.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistryErrorKind {
    /// Not JSON; `line` and `column` are 1-based.
    Syntax {
        /// Line of the error.
        line: usize,
        /// Column of the error.
        column: usize,
    },
    /// A required key is missing.
    MissingKey,
    /// A key the format does not have (often a typo).
    UnknownKey,
    /// A value of the wrong JSON type.
    WrongType {
        /// The type expected.
        expected: &'static str,
    },
    /// A value outside its allowed set or format.
    InvalidValue {
        /// What was expected.
        expected: &'static str,
    },
    /// Not a lower-case UUID.
    InvalidUuid,
    /// Not an eight-digit CVR number.
    InvalidCvr,
    /// Not an RFC 3339 time with a time zone.
    InvalidTime,
    /// The same UUID (or CVR, endpoint, entity ID, certificate) is used by an earlier entry.
    Duplicate {
        /// The earlier entry's path.
        first: String,
    },
    /// A UUID that names no entry of the expected kind.
    UnknownReference {
        /// What it should name: `system`, `authority` or `service`.
        kind: &'static str,
    },
    /// The agreement's or connection's environment is not its system's.
    EnvironmentMismatch,
    /// `valid_to` is not after `valid_from`.
    EmptyPeriod,
    /// Two approved agreements for the same system, authority and service
    /// overlap in time: AuthorityContext and token calls could not choose.
    Overlap {
        /// The other agreement's path.
        other: String,
        /// The service they share.
        service: String,
    },
    /// A service that accepts the KombitToken model names no privilege.
    MissingPrivilege,
    /// A rule of the registry format, stated in the message.
    Rule(&'static str),
}

impl RegistryError {
    pub(crate) fn new(path: impl Into<String>, kind: RegistryErrorKind) -> Self {
        RegistryError { path: path.into(), kind }
    }

    /// The JSON path of the offending value, e.g. `$.agreements[3].services[1]`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong.
    pub fn kind(&self) -> &RegistryErrorKind {
        &self.kind
    }

    /// A stable, machine-readable code, e.g. `registry.unknown_reference`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            RegistryErrorKind::Syntax { .. } => "registry.syntax",
            RegistryErrorKind::MissingKey => "registry.missing_key",
            RegistryErrorKind::UnknownKey => "registry.unknown_key",
            RegistryErrorKind::WrongType { .. } => "registry.wrong_type",
            RegistryErrorKind::InvalidValue { .. } => "registry.invalid_value",
            RegistryErrorKind::InvalidUuid => "registry.invalid_uuid",
            RegistryErrorKind::InvalidCvr => "registry.invalid_cvr",
            RegistryErrorKind::InvalidTime => "registry.invalid_time",
            RegistryErrorKind::Duplicate { .. } => "registry.duplicate",
            RegistryErrorKind::UnknownReference { .. } => "registry.unknown_reference",
            RegistryErrorKind::EnvironmentMismatch => "registry.environment_mismatch",
            RegistryErrorKind::EmptyPeriod => "registry.empty_period",
            RegistryErrorKind::Overlap { .. } => "registry.overlapping_agreements",
            RegistryErrorKind::MissingPrivilege => "registry.missing_privilege",
            RegistryErrorKind::Rule(_) => "registry.rule",
        }
    }
}

impl fmt::Display for RegistryErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax { line, column } => write!(f, "not valid JSON (line {line}, column {column})"),
            Self::MissingKey => f.write_str("required key is missing"),
            Self::UnknownKey => f.write_str("unknown key"),
            Self::WrongType { expected } => write!(f, "expected {expected}"),
            Self::InvalidValue { expected } => write!(f, "invalid value: expected {expected}"),
            Self::InvalidUuid => f.write_str("not a lower-case UUID (8-4-4-4-12 hex digits a-f0-9)"),
            Self::InvalidCvr => f.write_str("not a CVR number (exactly eight digits)"),
            Self::InvalidTime => f.write_str("not an RFC 3339 date-time with a time zone"),
            Self::Duplicate { first } => write!(f, "duplicate: already used at {first}"),
            Self::UnknownReference { kind } => write!(f, "names no registered {kind}"),
            Self::EnvironmentMismatch => f.write_str("environment differs from the system's environment"),
            Self::EmptyPeriod => f.write_str("valid_to must be after valid_from"),
            Self::Overlap { other, service } => {
                write!(
                    f,
                    "approved agreement overlaps {other} in time for the same system, authority and service {service}"
                )
            }
            Self::MissingPrivilege => f.write_str("a service that accepts KombitToken needs a privilege"),
            Self::Rule(rule) => f.write_str(rule),
        }
    }
}

impl fmt::Display for RegistryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.kind)
    }
}

impl std::error::Error for RegistryError {}

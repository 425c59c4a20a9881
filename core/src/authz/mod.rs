//! Service agreements: who may call what.
//!
//! - [`Registry`]: IT systems and their certificates, authorities, services,
//!   connection agreements and service agreements, checked once (every
//!   inconsistency named by JSON path) and indexed for hash look-ups. Built by
//!   [`RegistryBuilder`] or read by `Registry::from_json` (feature
//!   `registry-json`, on by default).
//! - [`SharedRegistry`]: the current registry, swapped atomically while calls
//!   run; readers never block.
//! - [`Registry::authorize`]: the per-call decision for the three security
//!   models, allocation-free: [`Allowed`] or a [`Denial`] with a stable code
//!   that becomes a platform fault ([`Denial::fault_xml`]).
//! - [`CallerCertificate`]: a certificate reduced once to its look-up keys.
//! - [`Accounting`]: exact, sharded call and byte counters; quarterly invoice
//!   CSV and the suppliers' call counts.
//! - [`audit_channel`]: the audit trail, JSON lines through a bounded
//!   channel with back-pressure.

mod accounting;
mod audit;
mod certificate;
mod decide;
mod denial;
mod error;
#[cfg(feature = "registry-json")]
mod json;
mod model;
mod registry;
mod shared;

pub use accounting::{Accounting, AccountingInfo, AccountingLimits, Quarter, UsageRow};
pub use audit::{audit_channel, audit_line, AuditDrain, AuditError, AuditSender, CallInfo};
pub use certificate::CallerCertificate;
pub use decide::{Allowed, Call, CaseRef, Credentials, InvocationIds, PrivilegeGrants, TokenCall};
pub use denial::{Denial, DenyReason};
pub use error::{RegistryError, RegistryErrorKind};
pub use model::{
    Agreement, AgreementState, Authority, Connection, Environment, RegisteredCertificate, ResponseClass, SecurityModel,
    SecurityModels, Service, ServiceKind, System,
};
pub use registry::{Registry, RegistryBuilder};
pub use shared::SharedRegistry;

#[cfg(test)]
mod tests;

//! The SOAP layer: the envelope view, headers, call context and faults.

mod context;
mod error;
mod fault;
mod fault_writer;
mod headers;
mod model;
pub(crate) mod parser;

pub use context::{AuthorityContext, CallContext, InvocationContext};
pub use error::{ContextError, ContextErrorKind, EnvelopeError, SoapError, SoapErrorKind};
pub use fault::{Fault, FaultCode, ServiceplatformError};
pub use fault_writer::{FaultBuilder, InvalidSubcode, StandardCode};
pub use model::{Addressing, Element, Envelope, Framework, HeaderBlock, QName, SoapVersion, TextValue};

#[cfg(test)]
mod context_tests;
#[cfg(test)]
mod tests;

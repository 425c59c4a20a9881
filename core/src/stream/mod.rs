//! The streaming engine: a push parser over the same XML rules and limits as
//! the whole-input reader, and pipelines for gateways that pass large
//! responses (and requests) through in constant memory.
//!
//! Everything is push-based (`feed(chunk) -> Status`): a token cut by a chunk
//! edge is carried until it completes, text passes through in pieces, and no
//! result depends on where the chunks were cut.

#[cfg(feature = "async")]
mod adapters;
mod base64;
mod c14n;
mod error;
mod event;
mod limits;
mod ns;
mod parser;
mod pipeline;
mod prelude;
mod quick;
#[cfg(any(test, feature = "fuzzing"))]
pub(crate) mod readback;
mod rendered;
mod sign;
mod utf8;

#[cfg(feature = "async")]
pub use adapters::{pass_through, AsyncStreamError, CheckedBody};
pub use error::{StreamError, StreamErrorKind};
pub use event::{StreamAttr, StreamEvent, StreamName, StreamStart};
pub use parser::{Handler, Status, StreamLimits, StreamParser};
pub use pipeline::{Pipeline, ServiceLevel, StreamReport};
pub use sign::SignatureVerdict;

#[cfg(test)]
mod c14n_tests;
#[cfg(test)]
mod runs_tests;
#[cfg(test)]
mod tests;

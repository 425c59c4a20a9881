//! The envelope prelude: the bytes from the start of the stream to the point
//! where a gateway can decide (envelope start, Header, Body start and the
//! call context at the start of the operation, or a whole Fault). They are
//! held (bounded), closed with the end tags of the open elements and read by
//! the whole-input envelope reader, so the metadata is exactly what it gives.

use super::event::{StreamEvent, StreamName};
use crate::xml::uri;

/// Tracks the envelope structure while the prelude is read (and after).
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// Raw names of the open elements while the prelude is read.
    open: Vec<String>,
    soap: Option<&'static str>,
    in_fault: bool,
    pub stop: Option<u64>,
    /// The end tags that close the prelude into a document.
    pub closing: String,
}

fn is_context(n: &StreamName<'_>) -> bool {
    matches!(
        (n.ns, n.local),
        (uri::INVOCATION_CONTEXT, "InvocationContext")
            | (uri::AUTHORITY_CONTEXT, "AuthorityContext")
            | (uri::CALL_CONTEXT, "CallContext")
    )
}

fn raw_name(n: &StreamName<'_>) -> String {
    if n.prefix.is_empty() {
        n.local.to_string()
    } else {
        format!("{}:{}", n.prefix, n.local)
    }
}

impl Shape {
    /// Looks at one event while the prelude is being read.
    pub fn on_event(&mut self, ev: &StreamEvent<'_>) {
        if self.stop.is_some() {
            return;
        }
        match ev {
            StreamEvent::Start(s) => {
                let d = s.depth;
                let end = s.offset + s.raw.len() as u64;
                if d == 1 {
                    self.soap = match s.name.ns {
                        uri::SOAP11 => Some(uri::SOAP11),
                        uri::SOAP12 => Some(uri::SOAP12),
                        _ => None,
                    };
                }
                let soap = self.soap.unwrap_or("");
                let structural = match d {
                    1 => s.name.local == "Envelope" && self.soap.is_some(),
                    2 => s.name.ns == soap && matches!(s.name.local, "Header" | "Body"),
                    _ => true,
                };
                if d == 3 && self.open.get(1).is_some_and(|b| b.ends_with("Body")) {
                    self.in_fault = s.name.ns == soap && s.name.local == "Fault";
                }
                let in_body = self.open.get(1).is_some_and(|b| b.ends_with("Body"));
                if d == 4 && !self.in_fault && in_body && !is_context(&s.name) {
                    return self.stop_at(s.offset);
                }
                self.open.push(raw_name(&s.name));
                if !structural {
                    self.stop_at(end);
                }
            }
            StreamEvent::End { offset, depth, raw, .. } => {
                let end = offset + raw.len() as u64;
                let name = self.open.pop().unwrap_or_default();
                let in_body = self.open.get(1).is_some_and(|b| b.ends_with("Body"));
                let body_end = *depth == 2 && name.ends_with("Body");
                if (*depth == 3 && in_body) || body_end || *depth <= 1 {
                    self.stop_at(end);
                }
            }
            StreamEvent::Text { offset, raw, .. } if self.open.len() == 3 && !self.in_fault => {
                // Character data straight in the operation: its payload has begun.
                if let Some(p) = raw.iter().position(|&b| !crate::xml::is_ws(b)) {
                    let in_body = self.open.get(1).is_some_and(|b| b.ends_with("Body"));
                    if in_body {
                        self.stop_at(offset + p as u64);
                    }
                }
            }
            _ => {}
        }
    }

    /// The root element's name as written, while the prelude is read.
    pub fn root_name(&self) -> Option<&str> {
        self.open.first().map(String::as_str)
    }

    fn stop_at(&mut self, at: u64) {
        self.stop = Some(at);
        for name in self.open.iter().rev() {
            self.closing.push_str("</");
            self.closing.push_str(name);
            self.closing.push('>');
        }
        self.open.clear();
    }
}

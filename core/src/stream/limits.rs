//! The limits of a stream, beyond those of each token.

use crate::Limits;

/// Limits of a stream, beyond the per-token [`Limits`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// Depth, names, attributes, namespaces, comments/CDATA/PIs (which are
    /// carried whole): as for whole documents. `max_document_bytes` is not
    /// used; see `max_stream_bytes`.
    pub xml: Limits,
    /// Longest stream. Default 4 GiB.
    pub max_stream_bytes: u64,
    /// Longest run of character data. It passes through in pieces, so it
    /// costs no memory; default 4 GiB (a base64 document in one element).
    pub max_text_run: u64,
    /// Longest envelope prelude a [`Pipeline`](super::Pipeline) holds to read
    /// the envelope (start, header, call context, fault). Default 1 MiB.
    pub max_prelude_bytes: usize,
}

impl Default for StreamLimits {
    fn default() -> Self {
        StreamLimits {
            xml: Limits::default(),
            max_stream_bytes: 4 << 30,
            max_text_run: 4 << 30,
            max_prelude_bytes: 1 << 20,
        }
    }
}

impl StreamLimits {
    /// Exactly the limits of the whole-input reader (text runs included).
    pub fn like_whole(xml: Limits) -> Self {
        StreamLimits {
            xml,
            max_stream_bytes: xml.document_cap() as u64,
            max_text_run: xml.max_text_bytes as u64,
            ..StreamLimits::default()
        }
    }

    /// The largest token that is carried whole (a tag, comment, CDATA, PI).
    pub(super) fn max_token(&self) -> usize {
        let l = &self.xml;
        let tag = l.max_name_bytes + 3 + l.max_attributes * (l.max_name_bytes + l.max_attribute_value_bytes + 8);
        tag.max(l.max_text_bytes + 16)
    }
}

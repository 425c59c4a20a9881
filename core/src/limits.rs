//! Resource limits applied while reading XML and SOAP.

/// Limits on what a document may contain. Every breach is refused with its
/// own error kind and the byte offset where it was detected, before more work
/// is done. The defaults suit SOAP requests and responses read as a whole;
/// large responses belong to the streaming engine.
///
/// ```
/// let strict = kuvert::Limits { max_document_bytes: 1 << 20, ..kuvert::Limits::default() };
/// assert!(strict.max_depth > 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input, in bytes. Default 16 MiB. Values above `u32::MAX` are capped.
    pub max_document_bytes: usize,
    /// Deepest element nesting (the root is depth 1). Default 128.
    pub max_depth: usize,
    /// Most attributes on one element, namespace declarations included. Default 64.
    pub max_attributes: usize,
    /// Longest qualified name (element, attribute, PI target), in bytes. Default 256.
    pub max_name_bytes: usize,
    /// Longest attribute value as written, in bytes. Default 64 KiB.
    pub max_attribute_value_bytes: usize,
    /// Longest run of character data, CDATA section, comment or processing
    /// instruction, as written, in bytes. Default 8 MiB.
    pub max_text_bytes: usize,
    /// Most namespace declarations on one element. Default 32.
    pub max_namespace_declarations: usize,
    /// Most namespace bindings in scope at once (bounds prefix look-up). Default 256.
    pub max_namespaces_in_scope: usize,
    /// Most SOAP header blocks. Default 64.
    pub max_header_blocks: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_document_bytes: 16 << 20,
            max_depth: 128,
            max_attributes: 64,
            max_name_bytes: 256,
            max_attribute_value_bytes: 64 << 10,
            max_text_bytes: 8 << 20,
            max_namespace_declarations: 32,
            max_namespaces_in_scope: 256,
            max_header_blocks: 64,
        }
    }
}

impl Limits {
    /// The document size limit actually enforced (offsets are 32-bit).
    pub(crate) fn document_cap(&self) -> usize {
        self.max_document_bytes.min(u32::MAX as usize)
    }
}

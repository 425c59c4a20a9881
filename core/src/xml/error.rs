//! Errors of the XML layer: well-formedness, encoding and limits.

use std::fmt;

/// What went wrong while reading XML. Every kind comes with a byte offset in
/// [`XmlError`].
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum XmlErrorKind {
    /// The input is not valid UTF-8 (or a declared single-byte encoding was violated).
    InvalidUtf8,
    /// A character that XML 1.0 forbids (a C0 control, U+FFFE, U+FFFF).
    IllegalChar(u32),
    /// The document declares an encoding other than UTF-8 or ISO-8859-1.
    UnsupportedEncoding,
    /// The document starts with a UTF-16 or UTF-32 byte-order mark.
    UnsupportedByteOrderMark,
    /// The XML declaration names a version other than 1.0.
    UnsupportedXmlVersion,
    /// The XML declaration is malformed.
    MalformedXmlDeclaration,
    /// `<?xml ...?>` appears after the start of the document.
    MisplacedXmlDeclaration,
    /// A document type declaration: refused (SOAP forbids it; no DTD processing).
    DoctypeForbidden,
    /// The input ends inside a construct.
    UnexpectedEof,
    /// A byte that the grammar does not allow at this place; `expected` says what was.
    Syntax {
        /// What the grammar required here.
        expected: &'static str,
    },
    /// A name (element, attribute, prefix, PI target) is not a valid XML name.
    InvalidName,
    /// An end tag names a different element than the open one.
    MismatchedEndTag,
    /// An end tag with no open element.
    UnmatchedEndTag,
    /// The input ends with elements still open.
    UnclosedElement,
    /// Two attributes with the same expanded name (or the same namespace prefix declared twice).
    DuplicateAttribute,
    /// A prefix that no in-scope namespace declaration binds.
    UndeclaredPrefix,
    /// A namespace declaration that Namespaces in XML forbids (`xml`/`xmlns` misuse, empty prefixed URI).
    InvalidNamespaceDeclaration,
    /// A namespace URI written with references or whitespace (refused: it makes names ambiguous).
    InvalidNamespaceUri,
    /// An entity reference other than the five predefined ones.
    UndefinedEntity,
    /// A malformed character reference or one to a character XML forbids.
    InvalidCharRef,
    /// A literal `<` in an attribute value.
    LtInAttributeValue,
    /// The sequence `]]>` in character data.
    CdataEndInText,
    /// `--` inside a comment.
    DoubleHyphenInComment,
    /// A processing instruction whose target is `xml` in any case.
    ReservedPiTarget,
    /// Non-whitespace text or a reference before or after the root element.
    TextOutsideRoot,
    /// A second top-level element.
    MultipleRoots,
    /// No root element.
    NoRoot,
    /// The input is larger than [`Limits::max_document_bytes`](crate::Limits).
    DocumentTooLarge {
        /// The configured limit.
        limit: usize,
    },
    /// Elements nest deeper than [`Limits::max_depth`](crate::Limits).
    TooDeep {
        /// The configured limit.
        limit: usize,
    },
    /// An element has more attributes than [`Limits::max_attributes`](crate::Limits).
    TooManyAttributes {
        /// The configured limit.
        limit: usize,
    },
    /// A name is longer than [`Limits::max_name_bytes`](crate::Limits).
    NameTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// An attribute value is longer than [`Limits::max_attribute_value_bytes`](crate::Limits).
    AttributeValueTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// A text run, CDATA section, comment or PI is longer than [`Limits::max_text_bytes`](crate::Limits).
    TextTooLong {
        /// The configured limit.
        limit: usize,
    },
    /// An element declares more namespaces than [`Limits::max_namespace_declarations`](crate::Limits).
    TooManyNamespaceDeclarations {
        /// The configured limit.
        limit: usize,
    },
    /// More namespace bindings in scope than [`Limits::max_namespaces_in_scope`](crate::Limits).
    TooManyNamespacesInScope {
        /// The configured limit.
        limit: usize,
    },
}

impl XmlErrorKind {
    /// A stable, machine-readable name for this kind (used in JSON output and logs).
    pub fn code(&self) -> &'static str {
        use XmlErrorKind::*;
        match self {
            InvalidUtf8 => "xml.invalid_utf8",
            IllegalChar(_) => "xml.illegal_char",
            UnsupportedEncoding => "xml.unsupported_encoding",
            UnsupportedByteOrderMark => "xml.unsupported_bom",
            UnsupportedXmlVersion => "xml.unsupported_version",
            MalformedXmlDeclaration => "xml.malformed_declaration",
            MisplacedXmlDeclaration => "xml.misplaced_declaration",
            DoctypeForbidden => "xml.doctype_forbidden",
            UnexpectedEof => "xml.unexpected_eof",
            Syntax { .. } => "xml.syntax",
            InvalidName => "xml.invalid_name",
            MismatchedEndTag => "xml.mismatched_end_tag",
            UnmatchedEndTag => "xml.unmatched_end_tag",
            UnclosedElement => "xml.unclosed_element",
            DuplicateAttribute => "xml.duplicate_attribute",
            UndeclaredPrefix => "xml.undeclared_prefix",
            InvalidNamespaceDeclaration => "xml.invalid_namespace_declaration",
            InvalidNamespaceUri => "xml.invalid_namespace_uri",
            UndefinedEntity => "xml.undefined_entity",
            InvalidCharRef => "xml.invalid_char_ref",
            LtInAttributeValue => "xml.lt_in_attribute_value",
            CdataEndInText => "xml.cdata_end_in_text",
            DoubleHyphenInComment => "xml.double_hyphen_in_comment",
            ReservedPiTarget => "xml.reserved_pi_target",
            TextOutsideRoot => "xml.text_outside_root",
            MultipleRoots => "xml.multiple_roots",
            NoRoot => "xml.no_root",
            DocumentTooLarge { .. } => "limit.document_size",
            TooDeep { .. } => "limit.depth",
            TooManyAttributes { .. } => "limit.attributes",
            NameTooLong { .. } => "limit.name_length",
            AttributeValueTooLong { .. } => "limit.attribute_value_length",
            TextTooLong { .. } => "limit.text_length",
            TooManyNamespaceDeclarations { .. } => "limit.namespace_declarations",
            TooManyNamespacesInScope { .. } => "limit.namespaces_in_scope",
        }
    }
}

impl fmt::Display for XmlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use XmlErrorKind::*;
        match self {
            InvalidUtf8 => f.write_str("invalid UTF-8"),
            IllegalChar(c) => write!(f, "character U+{c:04X} is not allowed in XML"),
            UnsupportedEncoding => f.write_str("unsupported encoding (UTF-8 and ISO-8859-1 only)"),
            UnsupportedByteOrderMark => f.write_str("UTF-16/UTF-32 byte-order mark: unsupported encoding"),
            UnsupportedXmlVersion => f.write_str("unsupported XML version (1.0 only)"),
            MalformedXmlDeclaration => f.write_str("malformed XML declaration"),
            MisplacedXmlDeclaration => f.write_str("XML declaration not at the start of the document"),
            DoctypeForbidden => f.write_str("DOCTYPE is not allowed"),
            UnexpectedEof => f.write_str("unexpected end of input"),
            Syntax { expected } => write!(f, "syntax error: expected {expected}"),
            InvalidName => f.write_str("invalid XML name"),
            MismatchedEndTag => f.write_str("end tag does not match the open element"),
            UnmatchedEndTag => f.write_str("end tag without an open element"),
            UnclosedElement => f.write_str("element not closed at end of input"),
            DuplicateAttribute => f.write_str("duplicate attribute"),
            UndeclaredPrefix => f.write_str("undeclared namespace prefix"),
            InvalidNamespaceDeclaration => f.write_str("invalid namespace declaration"),
            InvalidNamespaceUri => f.write_str("namespace URI must be written literally (no references or whitespace)"),
            UndefinedEntity => f.write_str("undefined entity (only the five predefined entities are allowed)"),
            InvalidCharRef => f.write_str("invalid character reference"),
            LtInAttributeValue => f.write_str("'<' in attribute value"),
            CdataEndInText => f.write_str("']]>' in character data"),
            DoubleHyphenInComment => f.write_str("'--' inside a comment"),
            ReservedPiTarget => f.write_str("processing instruction target 'xml' is reserved"),
            TextOutsideRoot => f.write_str("text outside the root element"),
            MultipleRoots => f.write_str("more than one root element"),
            NoRoot => f.write_str("no root element"),
            DocumentTooLarge { limit } => write!(f, "document larger than {limit} bytes"),
            TooDeep { limit } => write!(f, "elements nested deeper than {limit}"),
            TooManyAttributes { limit } => write!(f, "more than {limit} attributes on an element"),
            NameTooLong { limit } => write!(f, "name longer than {limit} bytes"),
            AttributeValueTooLong { limit } => write!(f, "attribute value longer than {limit} bytes"),
            TextTooLong { limit } => write!(f, "text longer than {limit} bytes"),
            TooManyNamespaceDeclarations { limit } => {
                write!(f, "more than {limit} namespace declarations on an element")
            }
            TooManyNamespacesInScope { limit } => write!(f, "more than {limit} namespace bindings in scope"),
        }
    }
}

/// An XML error: what went wrong and the byte offset in the input where it was detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct XmlError {
    kind: XmlErrorKind,
    offset: usize,
}

impl XmlError {
    pub(crate) fn new(kind: XmlErrorKind, offset: usize) -> Self {
        XmlError { kind, offset }
    }

    /// What went wrong.
    pub fn kind(&self) -> XmlErrorKind {
        self.kind
    }

    /// Byte offset in the original input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// A stable, machine-readable name of the kind.
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at byte {}", self.kind, self.offset)
    }
}

impl std::error::Error for XmlError {}

/// Shorthand used throughout the XML layer.
pub(crate) fn err<T>(kind: XmlErrorKind, offset: usize) -> Result<T, XmlError> {
    Err(XmlError::new(kind, offset))
}

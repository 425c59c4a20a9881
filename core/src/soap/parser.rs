//! One pass over a SOAP message: the envelope structure here, header blocks,
//! call contexts and faults in their own modules (`impl Parser` blocks).

use std::borrow::Cow;
use std::sync::Arc;

use super::error::{EnvelopeError, SoapErrorKind as S};
use super::model::{Addressing, Element, Envelope, QName, SoapVersion, TextValue};
use crate::dsig::error::VerifyError;
use crate::dsig::parse::SignatureLimits;
use crate::dsig::shape::SignedInfoShapes;
use crate::token::in_pass::AssertionPass;
use crate::wss::header::SecurityHeader;
use crate::wss::sign_pass::SignPass;
use crate::xml::content;
use crate::xml::index::IdIndex;
use crate::xml::reader::{Attr, Event, Reader, StartTag};
use crate::xml::text::{attr_value, first_non_ws, is_blank};
use crate::xml::NsTable;
use crate::xml::{Input, NsId, Span};
use crate::Limits;

pub(crate) type Result<T> = std::result::Result<T, EnvelopeError>;

impl<'a> Envelope<'a> {
    /// Reads a SOAP 1.1 or 1.2 message: checks it is well-formed within
    /// `limits`, checks the envelope structure, and extracts headers, the
    /// operation, the platform call context and any fault, borrowing from `input`.
    ///
    /// ```
    /// use kuvert::{Envelope, Input, Limits};
    /// let raw = br#"<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><Ping xmlns="urn:example"/></s:Body></s:Envelope>"#;
    /// let limits = Limits::default();
    /// let input = Input::new(raw, &limits)?;
    /// let envelope = Envelope::parse(&input, &limits)?;
    /// assert_eq!(envelope.operation().unwrap().name.local, "Ping");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn parse(input: &'a Input<'_>, limits: &Limits) -> Result<Envelope<'a>> {
        let mut parser = Parser::new(input.as_str(), input.content_start(), limits);
        parser.document().map_err(|e| e.map_offset(|o| input.original_offset(o)))?;
        Ok(parser.env)
    }

    /// [`parse_finding_duplicate_id`](Self::parse_finding_duplicate_id) in a
    /// signing pass: `pass` digests the elements it signs while they are
    /// read; returns the pass, its digests (by target) and the most namespace
    /// bindings that were in scope at once.
    pub(crate) fn parse_signing<'s>(
        input: &'s Input<'_>,
        limits: &Limits,
        pass: SignPass<'s>,
    ) -> Result<SigningRead<'s>> {
        let mut parser = Parser::new(input.as_str(), input.content_start(), limits);
        parser.r.enable_index();
        parser.signing = Some(pass);
        parser.document().map_err(|e| e.map_offset(|o| input.original_offset(o)))?;
        Ok(SigningRead {
            duplicate: parser.r.take_index().and_then(|index| index.duplicate),
            digests: parser.r.take_taps().map(|t| t.into_done()).unwrap_or_default(),
            peak_in_scope: parser.r.peak_in_scope(),
            pass: parser.signing.take().expect("the pass was set"),
            envelope: parser.env,
        })
    }

    /// Like [`parse`](Self::parse), also finding the first ID (`wsu:Id`,
    /// `Id` or `ID`) used twice: the offset of its second use in
    /// [`Input::as_str`]. For signers, which refuse such messages.
    pub(crate) fn parse_finding_duplicate_id(
        input: &'a Input<'_>,
        limits: &Limits,
    ) -> Result<(Envelope<'a>, Option<usize>)> {
        let mut parser = Parser::new(input.as_str(), input.content_start(), limits);
        parser.r.enable_index();
        parser.document().map_err(|e| e.map_offset(|o| input.original_offset(o)))?;
        let duplicate = parser.r.take_index().and_then(|index| index.duplicate);
        Ok((parser.env, duplicate))
    }
}

/// A message read in a signing pass ([`Envelope::parse_signing`]).
pub(crate) struct SigningRead<'a> {
    pub envelope: Envelope<'a>,
    /// Offset of the second use of an ID used twice.
    pub duplicate: Option<usize>,
    pub pass: SignPass<'a>,
    /// Digests of the pass's targets (`Done::reference` indexes `pass.targets`).
    pub digests: Vec<crate::c14n::taps::Done>,
    pub peak_in_scope: usize,
}

/// A message read for signature verification: the envelope, the ID index and
/// the Security header, from one pass over the input.
pub(crate) struct ParsedForVerification<'a> {
    pub envelope: Envelope<'a>,
    pub index: Box<IdIndex<'a>>,
    pub security: Option<SecurityHeader<'a>>,
    pub names: NsTable<'a>,
    /// Digests of referenced elements computed during the pass.
    pub inline_digests: Vec<crate::c14n::taps::Done>,
}

/// Reads `input` as a SOAP message with its Security header and ID index.
pub(crate) fn parse_for_verification<'a>(
    input: &'a Input<'_>,
    limits: &Limits,
    signature_limits: &SignatureLimits,
    assertion_pass: Option<&AssertionPass>,
    shapes: Option<&Arc<SignedInfoShapes>>,
) -> std::result::Result<ParsedForVerification<'a>, VerifyError> {
    let mut parser = Parser::new(input.as_str(), input.content_start(), limits);
    parser.r.enable_index();
    // Taps from the start: the signatures' SignedInfo is kept in canonical
    // form as it is read (or recognized by a known shape), and referenced
    // elements are digested in the pass.
    let taps = parser.r.taps();
    taps.keep_signed_info();
    if let Some(shapes) = shapes {
        taps.use_shapes(Arc::clone(shapes));
    }
    let state =
        SecurityState { limits: *signature_limits, assertion_pass: assertion_pass.cloned(), header: None, error: None };
    parser.security = Some(state);
    let outcome = parser.document();
    // The header and the error are taken from the state, not the state itself (it is large).
    let error = parser.security.as_mut().and_then(|state| state.error.take());
    match (outcome, error) {
        (Ok(()), _) => Ok(ParsedForVerification {
            inline_digests: parser.r.take_taps().map(|t| t.into_done()).unwrap_or_default(),
            index: parser.r.take_index().unwrap_or_default(),
            names: parser.r.take_names(),
            security: parser.security.as_mut().and_then(|state| state.header.take()),
            envelope: parser.env,
        }),
        (Err(_), Some(e)) => Err(e),
        (Err(e), None) => Err(VerifyError::Envelope(e.map_offset(|o| input.original_offset(o)))),
    }
}

/// The Security header being read in the verification pass.
pub(crate) struct SecurityState<'a> {
    pub limits: SignatureLimits,
    /// Set by the token verifier: read the assertion in this pass.
    pub assertion_pass: Option<AssertionPass>,
    pub header: Option<SecurityHeader<'a>>,
    /// Why the Security header was refused (the envelope error returned for it says only that).
    pub error: Option<VerifyError>,
}

/// Parsing state: the reader and the envelope being filled in.
pub(crate) struct Parser<'a> {
    pub r: Reader<'a>,
    pub src: &'a str,
    pub limits: Limits,
    pub env: Envelope<'a>,
    /// Namespace of the envelope (SOAP 1.1 or 1.2).
    pub soap: NsId,
    /// The end tag last consumed by a structural helper.
    pub last_end_span: Span,
    /// Set when the Security header is to be read (signature verification).
    pub security: Option<SecurityState<'a>>,
    /// Set by `sign_message`: the elements it signs are digested in this pass.
    pub signing: Option<SignPass<'a>>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str, content_start: usize, limits: &Limits) -> Self {
        Parser {
            r: Reader::new(src, content_start, limits),
            src,
            limits: *limits,
            env: Envelope {
                source: src,
                version: SoapVersion::Soap11,
                span: Span::default(),
                header: None,
                header_blocks: Vec::new(),
                body: Span::default(),
                body_id: None,
                operation: None,
                operation_children: Vec::new(),
                addressing: Addressing::default(),
                framework: None,
                transaction_uuid: None,
                security: None,
                invocation_context: None,
                authority_context: None,
                call_context: None,
                fault: None,
            },
            soap: NsId::SOAP11,
            last_end_span: Span::default(),
            security: None,
            signing: None,
        }
    }

    fn document(&mut self) -> Result<()> {
        let root = loop {
            match self.r.next()? {
                Event::Start(t) => break t,
                Event::Eof => unreachable_eof(self.src.len())?,
                _ => {}
            }
        };
        self.envelope(root)?;
        while !matches!(self.r.next()?, Event::Eof) {}
        Ok(())
    }

    fn envelope(&mut self, root: StartTag) -> Result<()> {
        let at = root.span.start();
        match (root.ns, self.local(&root)) {
            (NsId::SOAP11, "Envelope") => self.env.version = SoapVersion::Soap11,
            (NsId::SOAP12, "Envelope") => self.env.version = SoapVersion::Soap12,
            (_, "Envelope") => return Err(EnvelopeError::soap(S::VersionMismatch, at)),
            _ => return Err(EnvelopeError::soap(S::NotAnEnvelope, at)),
        }
        self.soap = root.ns;
        let mut body_seen = false;
        loop {
            match self.next_structural()? {
                Some(t) if t.ns == self.soap && self.local(&t) == "Header" => {
                    if body_seen || self.env.header.is_some() {
                        return Err(EnvelopeError::soap(S::MisplacedHeader, t.span.start()));
                    }
                    self.header(t)?;
                }
                Some(t) if t.ns == self.soap && self.local(&t) == "Body" => {
                    if body_seen {
                        return Err(EnvelopeError::soap(S::DuplicateBody, t.span.start()));
                    }
                    body_seen = true;
                    self.body(t)?;
                }
                Some(t) if is_soap(t.ns) && matches!(self.local(&t), "Header" | "Body") => {
                    return Err(EnvelopeError::soap(S::MixedVersions, t.span.start()));
                }
                Some(t) => return Err(EnvelopeError::soap(S::UnexpectedElement, t.span.start())),
                None if body_seen => break,
                None => return Err(EnvelopeError::soap(S::MissingBody, self.last_end())),
            }
        }
        self.env.span = Span::new(at, self.last_end_span.end());
        Ok(())
    }

    fn body(&mut self, body: StartTag) -> Result<()> {
        self.env.body_id = self.attr_string(NsId::WSU, "Id");
        if let Some(pass) = self.signing.as_mut() {
            pass.start(&mut self.r, &body, self.env.body_id.as_deref(), true);
        }
        let mut first = true;
        while let Some(t) = self.next_structural()? {
            if !first {
                self.r.skip_element()?;
                continue;
            }
            first = false;
            if t.ns == self.soap && self.local(&t) == "Fault" {
                self.fault(t)?;
            } else {
                self.operation(t)?;
            }
        }
        self.env.body = Span::new(body.span.start(), self.last_end_span.end());
        Ok(())
    }

    /// The operation element: record it and its children; read call contexts.
    fn operation(&mut self, op: StartTag) -> Result<()> {
        let mut payload_started = false;
        loop {
            let t = match self.r.next()? {
                Event::Start(t) => t,
                Event::End { span, .. } => {
                    self.last_end_span = span;
                    break;
                }
                _ => continue,
            };
            let child_end = if self.is_context(&t) {
                if payload_started {
                    let at = t.span.start();
                    return Err(EnvelopeError::context(super::ContextErrorKind::ContextAfterPayload, at));
                }
                self.context(t)?
            } else {
                payload_started = true;
                self.r.skip_element()?
            };
            let name = self.qname(&t);
            self.env.operation_children.push(Element { name, span: Span::new(t.span.start(), child_end.end()) });
        }
        let name = self.qname(&op);
        self.env.operation = Some(Element { name, span: Span::new(op.span.start(), self.last_end_span.end()) });
        Ok(())
    }

    /// The next child element of the current element, skipping comments, PIs
    /// and whitespace; `None` at its end. Non-whitespace text is an error.
    pub fn next_structural(&mut self) -> Result<Option<StartTag>> {
        loop {
            match self.r.next()? {
                Event::Start(t) => return Ok(Some(t)),
                Event::End { span, .. } => {
                    self.last_end_span = span;
                    return Ok(None);
                }
                Event::Text { span, has_ref } => {
                    if has_ref || !is_blank(&self.src[span.range()]) {
                        return Err(EnvelopeError::soap(S::UnexpectedText, first_non_ws(self.src, span)));
                    }
                }
                Event::CData(span) => return Err(EnvelopeError::soap(S::UnexpectedText, span.start())),
                Event::Comment(_) | Event::Pi(_) => {}
                Event::Eof => return unreachable_eof(self.src.len()),
            }
        }
    }

    /// Reads the text content of the element whose start tag was just read,
    /// through its end tag (see [`content::read_text`]); an element inside is
    /// reported with `on_child`.
    pub fn read_text(&mut self, start: &StartTag, on_child: impl Fn(usize) -> EnvelopeError) -> Result<TextValue<'a>> {
        match content::read_text(&mut self.r, start)? {
            Ok((value, end)) => {
                self.last_end_span = end;
                Ok(value)
            }
            Err(child_at) => Err(on_child(child_at)),
        }
    }

    /// Local name of a start tag.
    pub fn local(&self, t: &StartTag) -> &'a str {
        t.name.local(self.src)
    }

    pub fn qname(&self, t: &StartTag) -> QName<'a> {
        QName { ns: self.r.names().uri(t.ns), local: self.local(t) }
    }

    /// An attribute of the last start tag.
    pub fn attr(&self, ns: NsId, local: &str) -> Option<Attr> {
        self.r.attr(ns, local).copied()
    }

    /// The normalized value of an attribute of the last start tag.
    pub fn attr_string(&self, ns: NsId, local: &str) -> Option<Cow<'a, str>> {
        self.attr(ns, local).map(|a| attr_value(self.src, a.value, a.has_ref))
    }

    fn last_end(&self) -> usize {
        self.last_end_span.start()
    }
}

fn is_soap(ns: NsId) -> bool {
    ns == NsId::SOAP11 || ns == NsId::SOAP12
}

/// The reader reports unclosed elements itself; reaching EOF here is a bug
/// turned into an error rather than a panic.
fn unreachable_eof<T>(at: usize) -> Result<T> {
    Err(EnvelopeError::Xml(crate::xml::XmlError::new(crate::XmlErrorKind::UnexpectedEof, at)))
}

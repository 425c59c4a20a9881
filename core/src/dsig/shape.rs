//! Known `SignedInfo` shapes.
//!
//! A verifier sees the same `SignedInfo` from one sender again and again:
//! the same methods, the same references in the same order, written the same
//! way, differing only in the references' IDs and digest values. Reading it
//! is a good part of checking a small message (a WS-Security request's
//! `SignedInfo` is some fifty elements). So the verifier keeps the last few
//! it read, each as a shape: its bytes with those two kinds of values left
//! out (holes), its exclusive canonical form likewise, and what reading it
//! gave. A `SignedInfo` whose bytes are, outside the holes, byte for byte a
//! shape's, in the same namespace context, is recognized instead of read.
//!
//! Why that answers exactly as reading would: the reader and the signature
//! parser see the same bytes except in the holes, and a hole takes only
//! characters that change nothing but the value itself (an ID as `#` and
//! ASCII letters, digits, `-`, `.`, `_`, `:`; a digest as the base64
//! alphabet), within the reader's value limits: no markup, no entity or
//! character reference, no whitespace to normalize, nothing canonicalization
//! escapes. So the parse is the shape's with the new values, and the
//! canonical form the shape's with the new values in its holes. A shape is
//! only made from a `SignedInfo` read without error, in exclusive c14n
//! without a prefix list, with no ID attribute inside (nothing the ID index
//! could miss), and only when each hole's value appears exactly once in the
//! canonical form, so the holes there are placed without doubt. Anything
//! else is read as usual, with the usual errors.

use std::borrow::Cow;
use std::sync::Arc;

use super::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use super::base64;
use super::holes::{canonical_holes, holds, replaced, At, Found, Hole, HoleLimits, ShapeStore, Template};
use super::model::{C14nStep, KeyInfo, RefTarget, Reference, SignatureInfo, Transforms};
use super::parse::SignatureLimits;
use crate::c14n::C14nMethod;
use crate::wss::header_shape::HeaderShapes;
use crate::xml::index::Context;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::Span;

/// Shapes kept per verifier (the most recently learned replace the oldest).
const CAPACITY: usize = 8;
/// The largest `SignedInfo` kept as a shape.
const MAX_SHAPE_BYTES: usize = 64 << 10;

/// The `SignedInfo` shapes a verifier has learned; shared by its threads.
#[derive(Debug, Default)]
pub(crate) struct SignedInfoShapes {
    shapes: ShapeStore<Shape, CAPACITY>,
    /// The verifier's Security header shapes, kept with these.
    headers: HeaderShapes,
}

/// A reference of a shape; its holes are the shape's `2i` (URI) and `2i + 1` (digest).
#[derive(Debug)]
struct RefShape {
    start: At,
    end: At,
    transforms: Transforms<'static>,
    digest: DigestAlgorithm,
}

#[derive(Debug)]
pub(crate) struct Shape {
    /// The namespace context of `SignedInfo` ([`Context::key`](crate::xml::index::Context::key)).
    context: String,
    /// The depth of `SignedInfo` (the reader's depth limit applies to what is inside).
    depth: u32,
    /// The reader's and the signature parser's limits it was read under.
    limits: ([usize; 7], SignatureLimits),
    /// `SignedInfo` as written, start tag to end tag, holes left out.
    template: Template,
    /// Its exclusive canonical form, holes left out.
    canonical: Box<[u8]>,
    /// Where each hole is in the canonical form.
    canonical_at: Box<[u32]>,
    c14n: C14nStep<'static>,
    algorithm: SignatureAlgorithm,
    /// Where `SignatureMethod` starts.
    algorithm_at: At,
    references: Box<[RefShape]>,
}

/// What reading a `SignedInfo` gave, or recognizing it gives: the c14n
/// method, the signature algorithm and where it is named, the references,
/// the end tag, and the exclusive canonical form when the pass kept it.
pub(crate) struct SignedInfoRead<'a> {
    pub c14n: C14nStep<'a>,
    pub algorithm: (SignatureAlgorithm, usize),
    pub references: Vec<Reference<'a>>,
    pub end: Span,
    pub exclusive: Option<Vec<u8>>,
}

/// A signature's value: decoded, where `SignatureValue` starts, its text.
pub(crate) type SignatureValue = (Vec<u8>, usize, Span);

impl<'a> SignedInfoRead<'a> {
    /// The signature (spanning `span`) whose `SignedInfo`, starting at
    /// `start` in namespace context `context`, this is; with its value and
    /// key information.
    pub fn into_signature(
        self,
        span: Span,
        (start, context): (usize, Context<'a>),
        (value, value_at, value_span): SignatureValue,
        key_info: KeyInfo<'a>,
    ) -> SignatureInfo<'a> {
        SignatureInfo {
            span,
            signed_info: Span::new(start, self.end.end()),
            signed_info_context: context,
            signed_info_exclusive: self.exclusive,
            c14n: self.c14n,
            algorithm: self.algorithm.0,
            algorithm_at: self.algorithm.1,
            references: self.references,
            value,
            value_at,
            value_span,
            key_info,
        }
    }

    /// What reading the `SignedInfo` of `sig` gave (its end tag as an empty span at its end).
    pub fn of(sig: &SignatureInfo<'a>) -> Self {
        SignedInfoRead {
            c14n: sig.c14n.clone(),
            algorithm: (sig.algorithm, sig.algorithm_at),
            references: sig.references.clone(),
            end: Span::new(sig.signed_info.end(), sig.signed_info.end()),
            exclusive: sig.signed_info_exclusive.clone(),
        }
    }
}

impl SignedInfoShapes {
    /// The verifier's known Security header shapes.
    pub fn headers(&self) -> &HeaderShapes {
        &self.headers
    }

    /// Recognizes the `SignedInfo` whose start tag `si` the reader just read,
    /// in namespace context `context`, by a known shape: the reader is then
    /// past its end tag and the result is what reading it would have given.
    /// `None`, the reader unmoved, when no shape fits.
    pub fn recognize<'a>(
        &self,
        r: &mut Reader<'a>,
        si: &StartTag,
        context: &Context<'_>,
        limits: &SignatureLimits,
    ) -> Option<SignedInfoRead<'a>> {
        let (src, start, holes) = (r.source(), si.span.start(), HoleLimits::of(r));
        let limits = (r.reading_limits(), *limits);
        let read = {
            let shapes = self.shapes.read();
            let fits = |s: &&Arc<Shape>| s.depth == si.depth && s.limits == limits && context.has_key(&s.context);
            shapes.iter().filter(fits).find_map(|s| s.recognize(src, start, holes))?
        };
        // `read.end` is where the end tag ends; the reader gives its span.
        let end = r.close_verified(read.end.end())?;
        Some(SignedInfoRead { end, ..read })
    }

    /// Learns the shape of a `SignedInfo` just read (start tag `si`, in
    /// namespace context `context`) with no ID attribute inside, if it has one.
    pub fn learn(
        &self,
        r: &Reader<'_>,
        si: &StartTag,
        read: &SignedInfoRead<'_>,
        context: &Context<'_>,
        limits: &SignatureLimits,
    ) {
        let limits = (r.reading_limits(), *limits);
        let Some(shape) = Shape::of(r.source().as_bytes(), (si.span.start(), si.depth), read, context, limits) else {
            return;
        };
        self.shapes.insert(shape, |s, shape| {
            s.depth == shape.depth
                && s.limits == shape.limits
                && s.context == shape.context
                && s.template.source() == shape.template.source()
        });
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shapes.len()
    }
}

impl Shape {
    /// What reading the `SignedInfo` at `start` gives when it fits this shape
    /// (its end tag as an empty span at its end).
    pub(crate) fn recognize<'a>(&self, src: &'a str, start: usize, limits: HoleLimits) -> Option<SignedInfoRead<'a>> {
        let found = self.template.find(src.as_bytes(), start, limits)?;
        self.read(src, &found)
    }

    /// What reading the `SignedInfo` found with these hole values gives
    /// (its end tag as an empty span at its end); `None` if a digest value
    /// does not decode.
    fn read<'a>(&self, src: &'a str, found: &Found) -> Option<SignedInfoRead<'a>> {
        let mut references = Vec::with_capacity(self.references.len());
        for (i, rs) in self.references.iter().enumerate() {
            let ((u0, u1), (d0, d1)) = (found.spans[2 * i], found.spans[2 * i + 1]);
            references.push(Reference {
                span: Span::new(found.at(rs.start), found.at(rs.end)),
                target: RefTarget::Id(Cow::Borrowed(&src[u0 + 1..u1])),
                target_span: Some(Span::new(u0, u1)),
                transforms: rs.transforms.clone(),
                digest: rs.digest,
                digest_value: base64::decode(&src[d0..d1]).ok()?,
                digest_value_span: Span::new(d0, d1),
            });
        }
        Some(SignedInfoRead {
            c14n: self.c14n.clone(),
            algorithm: (self.algorithm, found.at(self.algorithm_at)),
            references,
            end: Span::new(found.end, found.end),
            exclusive: Some(self.canonical_with(src.as_bytes(), &found.spans)),
        })
    }

    /// The canonical form with the values of `spans` (in `src`) in its holes.
    fn canonical_with(&self, src: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
        let values = self.canonical_at.iter().zip(spans).map(|(&at, &(a, b))| {
            let at = at as usize;
            (at, at, &src[a..b])
        });
        replaced(&self.canonical, values)
    }

    /// The shape of the `SignedInfo` read from start tag `si` in `context`, when it can have one.
    pub(crate) fn of(
        src: &[u8],
        (start, depth): (usize, u32),
        read: &SignedInfoRead<'_>,
        context: &Context<'_>,
        limits: ([usize; 7], SignatureLimits),
    ) -> Option<Shape> {
        let canonical = read.exclusive.as_deref()?;
        let end = read.end.end();
        let plain_exclusive = read.c14n.method == C14nMethod::Exclusive && read.c14n.prefixes.is_none();
        if !plain_exclusive || end - start > MAX_SHAPE_BYTES || read.references.is_empty() {
            return None;
        }
        let spans = hole_spans(src, &read.references, HoleLimits::from_reading(limits.0))?;
        let (canonical, canonical_at) = canonical_holes(canonical, &src[start..end], start, &spans, context)?;
        let at = |t: usize| At::of(t, start, &spans);
        let references = read.references.iter().map(|r| {
            let (start, end) = (at(r.span.start())?, at(r.span.end())?);
            Some(RefShape { start, end, transforms: owned_transforms(&r.transforms), digest: r.digest })
        });
        Some(Shape {
            context: context.key(),
            depth,
            limits,
            template: Template::new(src, start, end, &spans)?,
            canonical: canonical.into(),
            canonical_at: canonical_at.into(),
            c14n: C14nStep { method: read.c14n.method, prefixes: None },
            algorithm: read.algorithm.0,
            algorithm_at: at(read.algorithm.1)?,
            references: references.collect::<Option<_>>()?,
        })
    }
}

/// The holes of a `SignedInfo` as read, in document order: each reference's
/// URI value, then its digest value; `None` when one is not a value a hole takes.
fn hole_spans(src: &[u8], references: &[Reference<'_>], limits: HoleLimits) -> Option<Vec<(Hole, usize, usize)>> {
    let mut spans: Vec<(Hole, usize, usize)> = Vec::with_capacity(2 * references.len());
    for r in references {
        for (kind, span) in [(Hole::Uri, r.target_span?), (Hole::Digest, r.digest_value_span)] {
            let after_last = spans.last().map_or(true, |&(_, _, b)| b < span.start());
            if !after_last || !holds(src, kind, span.start(), span.end(), limits) {
                return None;
            }
            spans.push((kind, span.start(), span.end()));
        }
    }
    Some(spans)
}

fn owned_transforms(t: &Transforms<'_>) -> Transforms<'static> {
    let owned = |s: &C14nStep<'_>| C14nStep {
        method: s.method,
        prefixes: s.prefixes.as_deref().map(|p| Cow::Owned(p.to_owned())),
    };
    Transforms {
        enveloped: t.enveloped,
        c14n: t.c14n.as_ref().map(owned),
        str_transform: t.str_transform.as_ref().map(owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dsig::model::SignatureInfo;
    use crate::dsig::parse::{signature, SignatureLimits};
    use crate::xml::reader::Event;
    use crate::xml::NsId;
    use crate::Limits;

    const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
    const DS: &str = "http://www.w3.org/2000/09/xmldsig#";

    /// A document whose signature has two references, to `ids`, with digest
    /// values `digests`; `ds` declared on the root or on the signature.
    fn doc(ids: [&str; 2], digests: [&str; 2], ds_on_root: bool, extra: &str) -> String {
        let (root_ds, sig_ds) = if ds_on_root {
            (format!(" xmlns:ds=\"{DS}\""), String::new())
        } else {
            (String::new(), format!(" xmlns:ds=\"{DS}\""))
        };
        let transform = |prefixes: &str| {
            format!("<ds:Transforms><ds:Transform Algorithm=\"{EXC}\">{prefixes}</ds:Transform></ds:Transforms><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>")
        };
        let inclusive =
            "<ec:InclusiveNamespaces xmlns:ec=\"http://www.w3.org/2001/10/xml-exc-c14n#\" PrefixList=\"e\"/>";
        format!(
            "<e:Env xmlns:e=\"urn:e\"{root_ds}><e:H><ds:Signature{sig_ds}><ds:SignedInfo>\n  \
<ds:CanonicalizationMethod Algorithm=\"{EXC}\"/><ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
<!-- a comment --><ds:Reference URI=\"{}\"{extra}>{}<ds:DigestValue>{}</ds:DigestValue></ds:Reference>\n\
<ds:Reference URI='{}'>{}<ds:DigestValue>{}</ds:DigestValue></ds:Reference></ds:SignedInfo>\
<ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature></e:H><e:B Id=\"b\"/></e:Env>",
            ids[0], transform(""), digests[0], ids[1], transform(inclusive), digests[1]
        )
    }

    const D1: &str = "qjD+snq2UBD/x7qTUxPsZyCNXADWrd0/Qd9oT5WNRVw=";
    const D2: &str = "UawLK2I+u2V4+u9B7bgCINPuphWVqBUhOe95QNJQRDY=";

    /// Reads the document's signature in a verification pass with `shapes`
    /// (`None`: a plain pass), then the rest of the document.
    fn read<'a>(
        doc: &'a str,
        shapes: Option<&Arc<SignedInfoShapes>>,
        limits: &Limits,
    ) -> Result<SignatureInfo<'a>, crate::dsig::VerifyError> {
        let mut r = Reader::new(doc, 0, limits);
        r.enable_index();
        r.taps().keep_signed_info();
        if let Some(shapes) = shapes {
            r.taps().use_shapes(Arc::clone(shapes));
        }
        let mut found = None;
        loop {
            match r.next().expect("well-formed") {
                Event::Start(t) if t.ns == NsId::DS && t.name.local(doc) == "Signature" => {
                    found = Some(signature(&mut r, &t, &SignatureLimits::default())?);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        assert!(r.take_index().is_some_and(|i| i.get("b").is_some()), "the index still sees what follows");
        Ok(found.expect("a signature"))
    }

    /// Reading with shapes gives what a plain reading gives, field for field
    /// (or the same error).
    fn same_as_plain(doc: &str, shapes: &Arc<SignedInfoShapes>) {
        let limits = Limits::default();
        let plain = format!("{:?}", read(doc, None, &limits));
        assert_eq!(format!("{:?}", read(doc, Some(shapes), &limits)), plain, "{doc}");
    }

    /// Whether the document's `SignedInfo` is recognized by `shapes`.
    fn recognized(doc: &str, shapes: &SignedInfoShapes, limits: &Limits) -> bool {
        let mut r = Reader::new(doc, 0, limits);
        r.enable_index();
        loop {
            match r.next().expect("well-formed") {
                Event::Start(t) if t.ns == NsId::DS && t.name.local(doc) == "SignedInfo" => {
                    let context = r.context_of_current();
                    return shapes.recognize(&mut r, &t, &context, &SignatureLimits::default()).is_some();
                }
                Event::Eof => return false,
                _ => {}
            }
        }
    }

    #[test]
    fn a_known_shape_reads_as_the_plain_parse() {
        let shapes = Arc::new(SignedInfoShapes::default());
        let limits = Limits::default();
        let first = doc(["#a-1", "#TS-2"], [D1, D1], true, "");
        same_as_plain(&first, &shapes);
        assert_eq!(shapes.len(), 1, "learned, equal digest values and all");
        // Other IDs (longer, shorter) and digests: recognized, and the same as reading it.
        for (ids, digests) in [(["#_0123456789abcdef", "#x"], [D2, D1]), (["#a-1", "#TS-2"], ["AAAA", D2])] {
            let next = doc(ids, digests, true, "");
            assert!(recognized(&next, &shapes, &limits), "{next}");
            same_as_plain(&next, &shapes);
        }
        assert_eq!(shapes.len(), 1);
    }

    #[test]
    fn anything_else_is_read() {
        let shapes = Arc::new(SignedInfoShapes::default());
        let limits = Limits::default();
        same_as_plain(&doc(["#a", "#b"], [D1, D2], true, ""), &shapes);
        // `ds` declared on the signature rather than the root: the same context.
        assert!(recognized(&doc(["#a", "#b"], [D1, D2], false, ""), &shapes, &limits));
        let not_recognized = [
            // Another namespace context, the same bytes.
            doc(["#a", "#b"], [D1, D2], true, "").replace("urn:e", "urn:other"),
            // Another depth (the reader's depth limit applies inside), the same bytes and context.
            doc(["#a", "#b"], [D1, D2], true, "").replace("<e:H>", "<e:H><e:W>").replace("</e:H>", "</e:W></e:H>"),
            // Values a hole does not take: a character reference, whitespace, markup, empty.
            doc(["#&#x61;", "#b"], [D1, D2], true, ""),
            doc(["#a", "#b"], ["qjD+snq2UBD/x7qTUxPsZyCN\n XADWrd0/Qd9oT5WNRVw=", D2], true, ""),
            doc(["#a", "#b"], [D1, "<!--x-->AAAA"], true, ""),
            doc(["#", "#b"], [D1, D2], true, ""),
            doc(["a", "#b"], [D1, D2], true, ""),
            // Other bytes outside the holes.
            doc(["#a", "#b"], [D1, D2], true, " Type=\"urn:t\""),
        ];
        for d in &not_recognized {
            assert!(!recognized(d, &shapes, &limits), "{d}");
            same_as_plain(d, &shapes);
        }
        // An ID too long for the reader's limits is not taken either.
        let long = doc(["#a", &format!("#{}", "b".repeat(80))], [D1, D2], true, "");
        let tight = Limits { max_attribute_value_bytes: 60, ..Limits::default() };
        assert!(!recognized(&long, &shapes, &tight));
    }

    #[test]
    fn no_shape_with_an_id_inside_or_a_prefix_list() {
        let shapes = Arc::new(SignedInfoShapes::default());
        same_as_plain(&doc(["#a", "#b"], [D1, D2], true, " Id=\"r1\""), &shapes);
        assert_eq!(shapes.len(), 0, "an ID inside SignedInfo must reach the index");
        let prefixed = doc(["#a", "#b"], [D1, D2], true, "").replacen(
            &format!("<ds:CanonicalizationMethod Algorithm=\"{EXC}\"/>"),
            &format!("<ds:CanonicalizationMethod Algorithm=\"{EXC}\"><ec:InclusiveNamespaces xmlns:ec=\"{EXC}\" PrefixList=\"e\"/></ds:CanonicalizationMethod>"),
            1,
        );
        same_as_plain(&prefixed, &shapes);
        assert_eq!(shapes.len(), 0, "SignedInfo with a prefix list is canonicalized the long way");
    }

    #[test]
    fn shapes_are_bounded() {
        let shapes = Arc::new(SignedInfoShapes::default());
        for i in 0..3 * CAPACITY {
            same_as_plain(&doc(["#a", "#b"], [D1, D2], true, &format!(" Type=\"urn:t{i}\"")), &shapes);
        }
        assert_eq!(shapes.len(), CAPACITY);
    }
}

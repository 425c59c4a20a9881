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
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};

use memchr::memmem;

use super::algorithms::{DigestAlgorithm, SignatureAlgorithm};
use super::base64;
use super::model::{C14nStep, RefTarget, Reference, Transforms};
use crate::c14n::subtree::{canonicalize, Mode, Subtree};
use crate::c14n::C14nMethod;
use crate::xml::index::Context;
use crate::xml::reader::{Reader, StartTag};
use crate::xml::Span;
use crate::Limits;

/// Shapes kept per verifier (the most recently learned replace the oldest).
const CAPACITY: usize = 8;
/// The largest `SignedInfo` kept as a shape.
const MAX_SHAPE_BYTES: usize = 64 << 10;
/// The longest reference URI (`#` and the ID) a hole takes.
const MAX_URI_BYTES: usize = 256;
/// The longest digest value a hole takes (SHA-512 is 88 characters).
const MAX_DIGEST_BYTES: usize = 128;

/// The `SignedInfo` shapes a verifier has learned; shared by its threads.
#[derive(Debug, Default)]
pub(crate) struct SignedInfoShapes {
    shapes: RwLock<Vec<Arc<Shape>>>,
    next: AtomicUsize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hole {
    /// A reference's `URI` attribute value, `#id`.
    Uri,
    /// A `DigestValue`'s text.
    Digest,
}

/// Where a hole is, in the shape's bytes and in its canonical form (both
/// without the holes' contents).
#[derive(Clone, Copy, Debug)]
struct HoleAt {
    kind: Hole,
    at: u32,
    canonical_at: u32,
}

/// A reference of a shape; its holes are the shape's `2i` (URI) and `2i + 1` (digest).
#[derive(Debug)]
struct RefShape {
    start: u32,
    end: u32,
    transforms: Transforms<'static>,
    digest: DigestAlgorithm,
}

#[derive(Debug)]
struct Shape {
    /// The namespace context of `SignedInfo` ([`Context::key`](crate::xml::index::Context::key)).
    context: String,
    /// The depth of `SignedInfo` (the reader's depth limit applies to what is inside).
    depth: u32,
    /// `SignedInfo` as written, start tag to end tag, holes left out.
    source: Box<[u8]>,
    /// Its exclusive canonical form, holes left out.
    canonical: Box<[u8]>,
    holes: Box<[HoleAt]>,
    c14n: C14nStep<'static>,
    algorithm: SignatureAlgorithm,
    /// Offset of `SignatureMethod` from the start of `SignedInfo`.
    algorithm_at: u32,
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

impl SignedInfoShapes {
    /// Recognizes the `SignedInfo` whose start tag `si` the reader just read,
    /// in namespace context `context`, by a known shape: the reader is then
    /// past its end tag and the result is what reading it would have given.
    /// `None`, the reader unmoved, when no shape fits.
    pub fn recognize<'a>(
        &self,
        r: &mut Reader<'a>,
        si: &StartTag,
        context: &Context<'_>,
    ) -> Option<SignedInfoRead<'a>> {
        let (src, start, limits) = (r.source(), si.span.start(), hole_limits(r));
        let read = {
            let shapes = self.shapes.read().unwrap_or_else(|e| e.into_inner());
            let fits = |s: &&Arc<Shape>| s.depth == si.depth && context.has_key(&s.context);
            shapes.iter().filter(fits).find_map(|s| s.recognize(src, start, limits))?
        };
        // `read.end` is where the end tag ends; the reader gives its span.
        let end = r.close_verified(read.end.end())?;
        Some(SignedInfoRead { end, ..read })
    }

    /// Learns the shape of a `SignedInfo` just read (start tag `si`, in
    /// namespace context `context`) with no ID attribute inside, if it has one.
    pub fn learn(&self, r: &Reader<'_>, si: &StartTag, read: &SignedInfoRead<'_>, context: &Context<'_>) {
        let Some(shape) = Shape::of(r.source().as_bytes(), si, read, context, hole_limits(r)) else {
            return;
        };
        let mut shapes = self.shapes.write().unwrap_or_else(|e| e.into_inner());
        if shapes.iter().any(|s| s.depth == shape.depth && s.context == shape.context && s.source == shape.source) {
            return;
        }
        if shapes.len() < CAPACITY {
            shapes.push(Arc::new(shape));
        } else {
            let slot = self.next.fetch_add(1, Ordering::Relaxed) % CAPACITY;
            shapes[slot] = Arc::new(shape);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.shapes.read().map(|s| s.len()).unwrap_or(0)
    }
}

/// The longest value each kind of hole takes, within the reader's limits.
fn hole_limits(r: &Reader<'_>) -> (usize, usize) {
    let (attribute, text) = r.value_limits();
    (MAX_URI_BYTES.min(attribute), MAX_DIGEST_BYTES.min(text))
}

/// The holes' values found in a `SignedInfo` that fits a shape, and its end.
struct FoundHoles {
    spans: Vec<(usize, usize)>,
    end: usize,
}

impl Shape {
    /// The values in the holes of the `SignedInfo` at `start` of `src`, when
    /// its bytes outside them are this shape's.
    fn holes_in(&self, src: &[u8], start: usize, (max_uri, max_digest): (usize, usize)) -> Option<FoundHoles> {
        let mut spans = Vec::with_capacity(self.holes.len());
        let (mut pos, mut from) = (start, 0);
        for h in self.holes.iter() {
            let literal = &self.source[from..h.at as usize];
            if src.get(pos..pos + literal.len())? != literal {
                return None;
            }
            pos += literal.len();
            from = h.at as usize;
            let max = if h.kind == Hole::Uri { max_uri } else { max_digest };
            let len = hole_len(src.get(pos..)?, h.kind, self.source[from], max)?;
            spans.push((pos, pos + len));
            pos += len;
        }
        let literal = &self.source[from..];
        (src.get(pos..pos + literal.len())? == literal).then_some(FoundHoles { spans, end: pos + literal.len() })
    }

    /// What reading the `SignedInfo` at `start` gives when it fits this shape
    /// (its end tag as an empty span at its end).
    fn recognize<'a>(&self, src: &'a str, start: usize, limits: (usize, usize)) -> Option<SignedInfoRead<'a>> {
        let found = self.holes_in(src.as_bytes(), start, limits)?;
        self.read(src, start, &found)
    }

    /// What reading the `SignedInfo` at `start` with these hole values gives
    /// (its end tag as an empty span at its end); `None` if a digest value
    /// does not decode.
    fn read<'a>(&self, src: &'a str, start: usize, found: &FoundHoles) -> Option<SignedInfoRead<'a>> {
        let mut references = Vec::with_capacity(self.references.len());
        let (mut passed, mut added) = (0, 0);
        // Where offset `t` of the shape (without holes) is in `src`.
        let mut at = |t: u32| {
            while self.holes.get(passed).is_some_and(|h| h.at < t) {
                let (a, b) = found.spans[passed];
                added += b - a;
                passed += 1;
            }
            start + t as usize + added
        };
        for (i, rs) in self.references.iter().enumerate() {
            let span = Span::new(at(rs.start), at(rs.end));
            let ((u0, u1), (d0, d1)) = (found.spans[2 * i], found.spans[2 * i + 1]);
            references.push(Reference {
                span,
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
            algorithm: (self.algorithm, start + self.algorithm_at as usize),
            references,
            end: Span::new(found.end, found.end),
            exclusive: Some(self.canonical_with(src.as_bytes(), &found.spans)),
        })
    }

    /// The canonical form with the values of `spans` (in `src`) in its holes.
    fn canonical_with(&self, src: &[u8], spans: &[(usize, usize)]) -> Vec<u8> {
        let values = self.holes.iter().zip(spans).map(|(h, &(a, b))| {
            let at = h.canonical_at as usize;
            (at, at, &src[a..b])
        });
        replaced(&self.canonical, values)
    }

    /// The shape of the `SignedInfo` read from start tag `si` in `context`, when it can have one.
    fn of(
        src: &[u8],
        si: &StartTag,
        read: &SignedInfoRead<'_>,
        context: &Context<'_>,
        limits: (usize, usize),
    ) -> Option<Shape> {
        let start = si.span.start();
        let canonical = read.exclusive.as_deref()?;
        let end = read.end.end();
        let plain_exclusive = read.c14n.method == C14nMethod::Exclusive && read.c14n.prefixes.is_none();
        if !plain_exclusive || end - start > MAX_SHAPE_BYTES || read.references.is_empty() {
            return None;
        }
        let spans = hole_spans(src, &read.references, limits)?;
        let (canonical, canonical_at) = canonical_holes(canonical, &src[start..end], start, &spans, context)?;
        // Offset `t` of `src` in the shape's bytes, without the holes before it.
        let in_shape = |t: usize| {
            let removed: usize = spans.iter().filter(|&&(_, a, _)| a < t).map(|&(_, a, b)| b - a).sum();
            u32::try_from(t - start - removed).ok()
        };
        let holes = spans
            .iter()
            .zip(canonical_at)
            .map(|(&(kind, a, _), canonical_at)| Some(HoleAt { kind, at: in_shape(a)?, canonical_at }));
        let references = read.references.iter().map(|r| {
            let (start, end) = (in_shape(r.span.start())?, in_shape(r.span.end())?);
            Some(RefShape { start, end, transforms: owned_transforms(&r.transforms), digest: r.digest })
        });
        Some(Shape {
            context: context.key(),
            depth: si.depth,
            source: replaced(&src[start..end], spans.iter().map(|&(_, a, b)| (a - start, b - start, &b""[..]))).into(),
            canonical: canonical.into(),
            holes: holes.collect::<Option<_>>()?,
            c14n: C14nStep { method: read.c14n.method, prefixes: None },
            algorithm: read.algorithm.0,
            algorithm_at: in_shape(read.algorithm.1)?,
            references: references.collect::<Option<_>>()?,
        })
    }
}

/// The holes of a `SignedInfo` as read, in document order: each reference's
/// URI value, then its digest value; `None` when one is not a value a hole takes.
fn hole_spans(
    src: &[u8],
    references: &[Reference<'_>],
    (max_uri, max_digest): (usize, usize),
) -> Option<Vec<(Hole, usize, usize)>> {
    let mut spans: Vec<(Hole, usize, usize)> = Vec::with_capacity(2 * references.len());
    for r in references {
        let uri = r.target_span?;
        let digest = r.digest_value_span;
        for (kind, span, max) in [(Hole::Uri, uri, max_uri), (Hole::Digest, digest, max_digest)] {
            let stop = *src.get(span.end())?;
            let after_last = spans.last().map_or(true, |&(_, _, b)| b < span.start());
            if !after_last || hole_len(&src[span.start()..], kind, stop, max) != Some(span.len()) {
                return None;
            }
            spans.push((kind, span.start(), span.end()));
        }
    }
    Some(spans)
}

/// The canonical form without the holes' values, and where each hole is in
/// it. Found by canonicalizing the `SignedInfo` again with a marker in each
/// hole (markers occur nowhere else), and checked: the canonical form with
/// the values read put back in the holes must be `canonical`, byte for byte.
fn canonical_holes(
    canonical: &[u8],
    signed_info: &[u8],
    start: usize,
    spans: &[(Hole, usize, usize)],
    context: &Context<'_>,
) -> Option<(Vec<u8>, Vec<u32>)> {
    let markers: Vec<String> = (0..spans.len())
        .map(|i| format!("{}KuvertShapeHole{i:03}", if spans[i].0 == Hole::Uri { "#" } else { "" }))
        .collect();
    let edits = spans.iter().zip(&markers).map(|(&(_, a, b), marker)| (a - start, b - start, marker.as_bytes()));
    let marked = String::from_utf8(replaced(signed_info, edits)).ok()?;
    let limits = Limits { max_document_bytes: marked.len().max(1), ..Limits::default() };
    let tree = Subtree {
        src: &marked,
        range: 0..marked.len(),
        whole_document: false,
        inherited_ns: &context.inherited_ns,
        inherited_xml: &[],
        exclude: None,
    };
    let mode = Mode { method: C14nMethod::Exclusive, inclusive_prefixes: &[], comments: true };
    let marked_canonical = canonicalize(&tree, &mode, &limits, Vec::with_capacity(canonical.len())).ok()?;
    let (mut template, mut holes) = (Vec::with_capacity(canonical.len()), Vec::with_capacity(spans.len()));
    let mut from = 0;
    for marker in &markers {
        let once = |hay: &[u8]| memmem::find_iter(hay, marker.as_bytes()).count() == 1;
        if !once(marked.as_bytes()) || !once(&marked_canonical) {
            return None;
        }
        let at = memmem::find(&marked_canonical[from..], marker.as_bytes())? + from;
        template.extend_from_slice(&marked_canonical[from..at]);
        holes.push(u32::try_from(template.len()).ok()?);
        from = at + marker.len();
    }
    template.extend_from_slice(&marked_canonical[from..]);
    let values = holes.iter().zip(spans).map(|(&at, &(_, a, b))| {
        let at = at as usize;
        (at, at, &signed_info[a - start..b - start])
    });
    (replaced(&template, values) == canonical).then_some((template, holes))
}

/// `bytes` with each of the (ordered, disjoint) ranges `a..b` replaced by its
/// value: holes left out (empty values), filled (empty ranges), or marked.
fn replaced<'v>(bytes: &[u8], edits: impl Iterator<Item = (usize, usize, &'v [u8])> + Clone) -> Vec<u8> {
    let added: usize = edits.clone().map(|(_, _, value)| value.len()).sum();
    let mut out = Vec::with_capacity(bytes.len() + added);
    let mut from = 0;
    for (a, b, value) in edits {
        out.extend_from_slice(&bytes[from..a]);
        out.extend_from_slice(value);
        from = b;
    }
    out.extend_from_slice(&bytes[from..]);
    out
}

/// The length of a hole's value at the start of `bytes`, up to `stop` (the
/// byte that follows the hole in the shape): `None` when a byte before it is
/// one the hole does not take, or the value is empty or longer than `max`.
/// The first byte the hole does not take must be `stop` (which a hole never
/// takes: a quote after a URI, `<` after a digest; a test compares this with
/// the byte-by-byte [`hole_len_plain`](tests::hole_len_plain) for every stop byte).
fn hole_len(bytes: &[u8], kind: Hole, stop: u8, max: usize) -> Option<usize> {
    let (taken, shortest) = match kind {
        Hole::Uri if bytes.first() == Some(&b'#') => (&ID_BYTES, 2),
        Hole::Uri => return None,
        Hole::Digest => (&BASE64_BYTES, 1),
    };
    if taken[usize::from(stop)] {
        return None;
    }
    let from = usize::from(kind == Hole::Uri);
    let window = &bytes[..bytes.len().min(max.saturating_add(1))];
    let i = from + window.get(from..)?.iter().position(|&b| !taken[usize::from(b)])?;
    (window[i] == stop && i >= shortest).then_some(i)
}

/// A table of the ASCII letters and digits and the bytes of `extra`.
const fn alphanumeric_and(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// What an ID hole takes after its `#`.
static ID_BYTES: [bool; 256] = alphanumeric_and(b"-._:");
/// What a digest hole takes: the base64 alphabet.
static BASE64_BYTES: [bool; 256] = alphanumeric_and(b"+/=");

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

    /// The byte-by-byte scan [`hole_len`] must agree with.
    pub(super) fn hole_len_plain(bytes: &[u8], kind: Hole, stop: u8, max: usize) -> Option<usize> {
        let (taken, shortest) = match kind {
            Hole::Uri if bytes.first() == Some(&b'#') => (&ID_BYTES, 2),
            Hole::Uri => return None,
            Hole::Digest => (&BASE64_BYTES, 1),
        };
        let from = usize::from(kind == Hole::Uri);
        for (i, &b) in bytes.iter().enumerate().take(max + 1).skip(from) {
            if b == stop {
                return (i >= shortest).then_some(i);
            }
            if !taken[usize::from(b)] {
                return None;
            }
        }
        None
    }

    #[test]
    fn hole_len_matches_the_byte_by_byte_scan() {
        let values: [&[u8]; 8] = [b"", b"#", b"#a", b"#id-1.x_y:z", b"qjD+s=", b"a b", b"#a\"b", b"x<y"];
        for value in values {
            for stop in 0..=255u8 {
                for tail in [&b""[..], b"\"", b"<", b"'"] {
                    let bytes = [value, &[stop][..], tail].concat();
                    for max in [0, 1, 2, 5, 11, 12, 100] {
                        for kind in [Hole::Uri, Hole::Digest] {
                            let (fast, plain) =
                                (hole_len(&bytes, kind, stop, max), hole_len_plain(&bytes, kind, stop, max));
                            // A stop byte the hole would take never occurs (see `hole_len`): refused, not misread.
                            let stop_taken = match kind {
                                Hole::Uri => ID_BYTES[usize::from(stop)],
                                Hole::Digest => BASE64_BYTES[usize::from(stop)],
                            };
                            if stop_taken {
                                assert_eq!(fast, None, "{bytes:?} {kind:?} max {max}");
                            } else {
                                assert_eq!(fast, plain, "{bytes:?} {kind:?} stop {stop} max {max}");
                            }
                        }
                    }
                }
            }
        }
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
                    return shapes.recognize(&mut r, &t, &context).is_some();
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

    #[test]
    fn hole_values() {
        assert_eq!(hole_len(b"#abc\"", Hole::Uri, b'"', 8), Some(4));
        assert_eq!(hole_len(b"#abc'", Hole::Uri, b'\'', 8), Some(4));
        assert_eq!(hole_len(b"#abc\"", Hole::Uri, b'"', 3), None, "longer than allowed");
        assert_eq!(hole_len(b"#a#c\"", Hole::Uri, b'"', 8), None);
        assert_eq!(hole_len(b"#\"", Hole::Uri, b'"', 8), None);
        assert_eq!(hole_len(b"AB+/=<", Hole::Digest, b'<', 8), Some(5));
        assert_eq!(hole_len(b"AB C<", Hole::Digest, b'<', 8), None);
        assert_eq!(hole_len(b"AB&C<", Hole::Digest, b'<', 8), None);
        assert_eq!(hole_len(b"<", Hole::Digest, b'<', 8), None);
        assert_eq!(hole_len(b"ABC", Hole::Digest, b'<', 8), None, "no end");
    }
}

//! Templates with holes: bytes a verifier saw before, with the values that
//! change from message to message left out. A message fits a template when
//! its bytes outside the holes are the template's and each hole holds a
//! value of its kind (see [`Hole`]). Used for `SignedInfo`
//! ([`shape`](super::shape)) and for whole Security headers
//! ([`header_shape`](crate::wss::header_shape)).
//!
//! A hole takes only characters that change nothing but the value itself:
//! no markup, no entity or character reference, no whitespace to normalize,
//! nothing canonicalization escapes; and the byte after a hole is one the
//! hole never takes, so where a value ends is never in doubt. So a document
//! that fits reads, event for event, as the one the template was made from,
//! with other values.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock, RwLockReadGuard};

use memchr::memmem;

use crate::c14n::subtree::{canonicalize, Mode, Subtree};
use crate::c14n::C14nMethod;
use crate::xml::chars::any_byte;
use crate::xml::index::Context;
use crate::xml::reader::Reader;
use crate::xml::Span;
use crate::Limits;

/// What a hole holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hole {
    /// A same-document reference's `URI` attribute value: `#` and an ID.
    Uri,
    /// A `DigestValue`'s text: the base64 alphabet, at most 128 bytes.
    Digest,
    /// An ID: an `Id` attribute's value, or a reference's after its `#`.
    Id,
    /// An `xs:dateTime` text: digits and `-:.TZ+`, at most 64 bytes.
    Time,
    /// Base64 text of any length the reader takes, lines wrapped or not (a
    /// certificate, a signature value): never part of a canonical form.
    Base64,
}

/// The longest URI or ID a hole takes.
const MAX_ID_BYTES: usize = 256;
/// The longest digest value a hole takes (SHA-512 is 88 characters).
const MAX_DIGEST_BYTES: usize = 128;
/// The longest time value a hole takes.
const MAX_TIME_BYTES: usize = 64;

/// A verifier's learned shapes: at most `N`, shared by its threads; the
/// most recently learned replace the oldest once all are taken.
#[derive(Debug)]
pub(crate) struct ShapeStore<T, const N: usize> {
    shapes: RwLock<Vec<Arc<T>>>,
    next: AtomicUsize,
}

impl<T, const N: usize> Default for ShapeStore<T, N> {
    fn default() -> Self {
        ShapeStore { shapes: RwLock::default(), next: AtomicUsize::new(0) }
    }
}

impl<T, const N: usize> ShapeStore<T, N> {
    /// The shapes, for looking one up.
    pub fn read(&self) -> RwLockReadGuard<'_, Vec<Arc<T>>> {
        self.shapes.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Keeps `shape` unless a kept one is the `same`.
    pub fn insert(&self, shape: T, same: impl Fn(&T, &T) -> bool) {
        let mut shapes = self.shapes.write().unwrap_or_else(|e| e.into_inner());
        if shapes.iter().any(|s| same(s, &shape)) {
            return;
        }
        if shapes.len() < N {
            shapes.push(Arc::new(shape));
        } else {
            let slot = self.next.fetch_add(1, Ordering::Relaxed) % N;
            shapes[slot] = Arc::new(shape);
        }
    }

    /// Whether all `N` places are taken.
    pub fn is_full(&self) -> bool {
        self.read().len() >= N
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.read().len()
    }
}

/// The reader's limits on attribute values and texts, which holes keep to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HoleLimits {
    attribute: usize,
    text: usize,
}

impl HoleLimits {
    /// The limits of reader `r`.
    pub fn of(r: &Reader<'_>) -> Self {
        Self::from_reading(r.reading_limits())
    }

    /// The limits of a reader with these [`reading_limits`](Reader::reading_limits).
    pub fn from_reading(limits: [usize; 7]) -> Self {
        HoleLimits { attribute: limits[2], text: limits[3] }
    }

    fn max(self, kind: Hole) -> usize {
        match kind {
            Hole::Uri | Hole::Id => MAX_ID_BYTES.min(self.attribute),
            Hole::Digest => MAX_DIGEST_BYTES.min(self.text),
            Hole::Time => MAX_TIME_BYTES.min(self.text),
            Hole::Base64 => self.text,
        }
    }
}

/// Bytes with holes: the bytes as seen, the holes' values left out.
#[derive(Debug)]
pub(crate) struct Template {
    source: Box<[u8]>,
    /// Each hole and where it is in `source`, in order.
    holes: Box<[(Hole, u32)]>,
}

/// Where a template's holes are in a document that fits it.
pub(crate) struct Found {
    /// Each hole's value, `(start, end)` in the document.
    pub spans: Vec<(usize, usize)>,
    /// Where the template's bytes end in the document.
    pub end: usize,
    /// Where the template starts in the document.
    start: usize,
}

/// An offset in a template's bytes, with the number of holes before it: the
/// same offset without it could be either side of a hole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct At {
    at: u32,
    holes: u16,
}

impl At {
    /// Offset `t` of a document whose template starts at `start` and whose
    /// holes are `spans` (ordered, disjoint); `None` for an offset inside a
    /// hole or outside what a template can hold.
    pub fn of(t: usize, start: usize, spans: &[(Hole, usize, usize)]) -> Option<At> {
        let before = spans.iter().take_while(|&&(_, _, b)| b <= t);
        let (holes, removed) = before.fold((0, 0), |(n, len), &(_, a, b)| (n + 1, len + b - a));
        let inside = spans.get(holes).is_some_and(|&(_, a, _)| a < t);
        let at = t.checked_sub(start + removed).filter(|_| !inside)?;
        Some(At { at: u32::try_from(at).ok()?, holes: u16::try_from(holes).ok()? })
    }
}

impl Template {
    /// The template of `src[start..end]` with holes at `spans` (ordered,
    /// disjoint, inside the range).
    pub fn new(src: &[u8], start: usize, end: usize, spans: &[(Hole, usize, usize)]) -> Option<Template> {
        let mut holes = Vec::with_capacity(spans.len());
        let mut removed = 0;
        for &(kind, a, b) in spans {
            holes.push((kind, u32::try_from(a.checked_sub(start + removed)?).ok()?));
            removed += b - a;
        }
        let edits = spans.iter().map(|&(_, a, b)| (a - start, b - start, &b""[..]));
        Some(Template { source: replaced(src.get(start..end)?, edits).into(), holes: holes.into() })
    }

    /// The template's bytes, holes left out.
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// Where the holes are when the bytes of `src` from `start` fit the template.
    pub fn find(&self, src: &[u8], start: usize, limits: HoleLimits) -> Option<Found> {
        let mut spans = Vec::with_capacity(self.holes.len());
        let (mut pos, mut from) = (start, 0);
        for &(kind, at) in self.holes.iter() {
            let literal = &self.source[from..at as usize];
            if src.get(pos..pos + literal.len())? != literal {
                return None;
            }
            pos += literal.len();
            from = at as usize;
            let len = hole_len(src.get(pos..)?, kind, *self.source.get(from)?, limits.max(kind))?;
            spans.push((pos, pos + len));
            pos += len;
        }
        let literal = &self.source[from..];
        (src.get(pos..pos + literal.len())? == literal).then_some(Found { spans, end: pos + literal.len(), start })
    }
}

impl Found {
    /// Where offset `t` of the template is in the document.
    pub fn at(&self, t: At) -> usize {
        let before = self.spans[..usize::from(t.holes)].iter().map(|&(a, b)| b - a).sum::<usize>();
        self.start + t.at as usize + before
    }
}

/// Where `part`, a non-empty slice of `src` (borrowed from it, not an equal
/// string made elsewhere), is in `src`.
pub(crate) fn span_in(src: &str, part: &str) -> Option<Span> {
    let (base, at) = (src.as_ptr() as usize, part.as_ptr() as usize);
    let start = at.checked_sub(base)?;
    (!part.is_empty() && start + part.len() <= src.len()).then(|| Span::new(start, start + part.len()))
}

/// `bytes` with each of the (ordered, disjoint) ranges `a..b` replaced by its
/// value: holes left out (empty values), filled (empty ranges), or marked.
pub(crate) fn replaced<'v>(bytes: &[u8], edits: impl Iterator<Item = (usize, usize, &'v [u8])> + Clone) -> Vec<u8> {
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

/// The exclusive canonical form (without a prefix list) of the element
/// `element` (starting at `start` of its document, in namespace context
/// `context`) without the holes' values at `spans`, and where each hole is
/// in it. Found by canonicalizing the element again with a marker in each
/// hole (markers occur nowhere else), and checked: the canonical form with
/// the values put back in the holes must be `canonical`, byte for byte.
pub(crate) fn canonical_holes(
    canonical: &[u8],
    element: &[u8],
    start: usize,
    spans: &[(Hole, usize, usize)],
    context: &Context<'_>,
) -> Option<(Vec<u8>, Vec<u32>)> {
    let markers: Vec<String> = (0..spans.len())
        .map(|i| format!("{}KuvertShapeHole{i:03}", if spans[i].0 == Hole::Uri { "#" } else { "" }))
        .collect();
    let edits = spans.iter().zip(&markers).map(|(&(_, a, b), marker)| (a - start, b - start, marker.as_bytes()));
    let marked = String::from_utf8(replaced(element, edits)).ok()?;
    let marked_canonical = exclusive(&marked, context, canonical.len())?;
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
        (at, at, &element[a - start..b - start])
    });
    (replaced(&template, values) == canonical).then_some((template, holes))
}

/// The exclusive canonical form (no prefix list) of the element `element`
/// (the whole string) in namespace context `context`.
pub(crate) fn exclusive(element: &str, context: &Context<'_>, capacity: usize) -> Option<Vec<u8>> {
    let limits = Limits { max_document_bytes: element.len().max(1), ..Limits::default() };
    let tree = Subtree {
        src: element,
        range: 0..element.len(),
        whole_document: false,
        inherited_ns: &context.inherited_ns,
        inherited_xml: &[],
        exclude: None,
    };
    let mode = Mode { method: C14nMethod::Exclusive, inclusive_prefixes: &[], comments: true };
    canonicalize(&tree, &mode, &limits, Vec::with_capacity(capacity)).ok()
}

/// The length of a hole's value at the start of `bytes`, up to `stop` (the
/// byte that follows the hole in the template): `None` when a byte before it
/// is one the hole does not take, or the value is empty or longer than `max`.
/// The first byte the hole does not take must be `stop` (which a hole never
/// takes: a quote after a URI, `<` after a text; a test compares this with
/// the byte-by-byte [`hole_len_plain`](tests::hole_len_plain) for every stop byte).
fn hole_len(bytes: &[u8], kind: Hole, stop: u8, max: usize) -> Option<usize> {
    let (taken, from) = match kind {
        Hole::Uri if bytes.first() == Some(&b'#') => (&ID_BYTES, 1),
        Hole::Uri => return None,
        _ => (taken_by(kind), 0),
    };
    if taken[usize::from(stop)] {
        return None;
    }
    let window = &bytes[..bytes.len().min(max.saturating_add(1))];
    let i = match kind {
        // Long values: the stop found at once, the bytes before it tested many at a time.
        Hole::Digest | Hole::Base64 => {
            let i = memchr::memchr(stop, window)?;
            let newline = kind == Hole::Base64;
            (!any_byte(&window[..i], |b| !is_base64(b, newline))).then_some(i)?
        }
        _ => from + window.get(from..)?.iter().position(|&b| !taken[usize::from(b)])?,
    };
    (window[i] == stop && i > from).then_some(i)
}

/// Whether `b` is in the base64 alphabet (or, with `newline`, a line feed),
/// by comparisons the compiler can apply to many bytes at once.
#[inline]
fn is_base64(b: u8, newline: bool) -> bool {
    (b | 0x20).wrapping_sub(b'a') < 26
        || b.wrapping_sub(b'0') < 10
        || b == b'+'
        || b == b'/'
        || b == b'='
        || (newline && b == b'\n')
}

/// Whether `src[a..b]` is a value a hole of `kind` takes, where it is.
pub(crate) fn holds(src: &[u8], kind: Hole, a: usize, b: usize, limits: HoleLimits) -> bool {
    let (Some(&stop), Some(bytes)) = (src.get(b), src.get(a..)) else { return false };
    a < b && hole_len(bytes, kind, stop, limits.max(kind)) == Some(b - a)
}

/// The bytes a hole of `kind` takes (after its `#`, for a URI).
fn taken_by(kind: Hole) -> &'static [bool; 256] {
    match kind {
        Hole::Uri | Hole::Id => &ID_BYTES,
        Hole::Digest => &BASE64_BYTES,
        Hole::Base64 => &WRAPPED_BASE64_BYTES,
        Hole::Time => &TIME_BYTES,
    }
}

/// A table of the ASCII letters and digits and the bytes of `extra`.
const fn alphanumeric_and(extra: &[u8], letters: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_digit() || (letters && (b as u8).is_ascii_alphabetic());
        b += 1;
    }
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
}

/// What an ID hole takes.
static ID_BYTES: [bool; 256] = alphanumeric_and(b"-._:", true);
/// What a digest or base64 hole takes: the base64 alphabet.
static BASE64_BYTES: [bool; 256] = alphanumeric_and(b"+/=", true);
/// What a base64 hole takes: the base64 alphabet and line feeds (neither
/// read differently nor canonicalized: such a hole is never in a canonical form).
static WRAPPED_BASE64_BYTES: [bool; 256] = alphanumeric_and(b"+/=\n", true);
/// What a time hole takes.
static TIME_BYTES: [bool; 256] = alphanumeric_and(b"-:.TZ+", false);

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [Hole; 5] = [Hole::Uri, Hole::Digest, Hole::Id, Hole::Time, Hole::Base64];

    /// The byte-by-byte scan [`hole_len`] must agree with.
    pub(super) fn hole_len_plain(bytes: &[u8], kind: Hole, stop: u8, max: usize) -> Option<usize> {
        let from = match kind {
            Hole::Uri if bytes.first() == Some(&b'#') => 1,
            Hole::Uri => return None,
            _ => 0,
        };
        for (i, &b) in bytes.iter().enumerate().take(max + 1).skip(from) {
            if b == stop {
                return (i > from).then_some(i);
            }
            if !taken_by(kind)[usize::from(b)] {
                return None;
            }
        }
        None
    }

    #[test]
    fn hole_len_matches_the_byte_by_byte_scan() {
        let values: [&[u8]; 10] =
            [b"", b"#", b"#a", b"#id-1.x_y:z", b"qjD+s=", b"a b", b"#a\"b", b"x<y", b"2027-03-01T12:00:00Z", b"1+2"];
        for value in values {
            for stop in 0..=255u8 {
                for tail in [&b""[..], b"\"", b"<", b"'"] {
                    let bytes = [value, &[stop][..], tail].concat();
                    for max in [0, 1, 2, 5, 11, 12, 100] {
                        for kind in KINDS {
                            let (fast, plain) =
                                (hole_len(&bytes, kind, stop, max), hole_len_plain(&bytes, kind, stop, max));
                            // A stop byte the hole would take never occurs (see `hole_len`): refused, not misread.
                            if taken_by(kind)[usize::from(stop)] {
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

    #[test]
    fn spans_of_borrowed_slices_only() {
        let src = "abcdef";
        assert_eq!(span_in(src, &src[2..4]), Some(Span::new(2, 4)));
        assert_eq!(span_in(src, &"xcd".to_owned()[1..]), None, "an equal string elsewhere");
        assert_eq!(span_in(src, &src[3..3]), None, "empty");
        assert_eq!(span_in(&src[..3], &src[2..5]), None, "past the end");
    }

    #[test]
    fn the_base64_test_is_the_table() {
        for b in 0..=255u8 {
            assert_eq!(is_base64(b, false), BASE64_BYTES[usize::from(b)], "{b}");
            assert_eq!(is_base64(b, true), WRAPPED_BASE64_BYTES[usize::from(b)], "{b}");
        }
    }

    #[test]
    fn hole_values() {
        assert_eq!(hole_len(b"#abc\"", Hole::Uri, b'"', 8), Some(4));
        assert_eq!(hole_len(b"#abc'", Hole::Uri, b'\'', 8), Some(4));
        assert_eq!(hole_len(b"#abc\"", Hole::Uri, b'"', 3), None, "longer than allowed");
        assert_eq!(hole_len(b"#a#c\"", Hole::Uri, b'"', 8), None);
        assert_eq!(hole_len(b"#\"", Hole::Uri, b'"', 8), None);
        assert_eq!(hole_len(b"abc\"", Hole::Id, b'"', 8), Some(3));
        assert_eq!(hole_len(b"\"", Hole::Id, b'"', 8), None, "empty");
        assert_eq!(hole_len(b"AB+/=<", Hole::Digest, b'<', 8), Some(5));
        assert_eq!(hole_len(b"AB C<", Hole::Digest, b'<', 8), None);
        assert_eq!(hole_len(b"AB&C<", Hole::Base64, b'<', 8), None);
        assert_eq!(hole_len(b"<", Hole::Digest, b'<', 8), None);
        assert_eq!(hole_len(b"ABC", Hole::Digest, b'<', 8), None, "no end");
        assert_eq!(hole_len(b"2027-03-01T12:00:00.000Z<", Hole::Time, b'<', 64), Some(24));
        assert_eq!(hole_len(b"2027-03-01t12:00:00Z<", Hole::Time, b'<', 64), None, "not a time character");
    }

    #[test]
    fn offsets_either_side_of_a_hole_are_told_apart() {
        // `a="cd"/`: the hole is 3..5 of a template starting at 0.
        let spans = [(Hole::Id, 3, 5)];
        let (before, after) = (At::of(3, 0, &spans).unwrap(), At::of(5, 0, &spans).unwrap());
        assert_eq!((before.at, after.at), (3, 3));
        assert_ne!(before, after);
        assert_eq!(At::of(4, 0, &spans), None, "inside the hole");
        let template = Template::new(b"a=\"cd\"/", 0, 7, &spans).unwrap();
        assert_eq!(template.source(), b"a=\"\"/");
        let found = template.find(b"xxa=\"XYZ\"/", 2, HoleLimits { attribute: 100, text: 100 }).unwrap();
        assert_eq!((found.spans.clone(), found.end), (vec![(5, 8)], 10));
        assert_eq!((found.at(before), found.at(after)), (5, 8));
    }
}

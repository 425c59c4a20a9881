//! Generation of well-formed, namespace-well-formed XML documents without a
//! DTD, from fuzzer bytes or a seeded random source: prefixes bound, rebound
//! and undeclared at every level, attributes in and out of namespaces,
//! `xml:` attributes, text with every character c14n escapes, character
//! references, CDATA, comments, PIs, whitespace in tags and outside the root.

use arbitrary::{Result, Unstructured};

const PREFIXES: &[&str] = &["", "a", "b", "c", "soap", "wsu"];
const URIS: &[&str] = &[
    "urn:a",
    "urn:b",
    "http://example.com/ns",
    "http://schemas.xmlsoap.org/soap/envelope/",
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
];
const LOCALS: &[&str] = &["e", "Body", "Id", "x", "y", "r\u{e9}sum\u{e9}", "_z.-1"];
const TEXT: &[&str] = &[
    "a",
    " ",
    "\n",
    "\t",
    "\r\n",
    "\r",
    "&amp;",
    "&lt;",
    "&gt;",
    "\"",
    "'",
    "&#xD;",
    "&#9;",
    "&#x10FFFF;",
    "\u{e6}\u{f8}\u{e5}",
    "\u{1F600}",
    "]]",
    "&quot;",
    "&apos;",
    "&#38;",
];
const ATTR_TEXT: &[&str] =
    &["v", " ", "\t", "\n", "\r", "&#9;", "&#10;", "&#13;", "&amp;", "&lt;", ">", "\u{e9}", "&#x20;", "&quot;"];

/// Namespace bindings in scope while generating.
struct Scope {
    bindings: Vec<(&'static str, &'static str)>,
}

impl Scope {
    fn lookup(&self, prefix: &str) -> Option<&'static str> {
        self.bindings.iter().rev().find(|(p, _)| *p == prefix).map(|&(_, u)| u)
    }
}

fn pick<'s>(u: &mut Unstructured<'_>, items: &[&'s str]) -> Result<&'s str> {
    Ok(items[u.choose_index(items.len())?])
}

fn ws(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    for _ in 0..u.int_in_range(0..=2)? {
        out.push(*u.choose(&[' ', '\n', '\t', '\r'])?);
    }
    Ok(())
}

/// A whole document.
pub fn document(u: &mut Unstructured<'_>) -> Result<String> {
    let mut out = String::new();
    if u.ratio(1, 3)? {
        out.push_str(
            u.choose(&["<?xml version=\"1.0\"?>", "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>"])?,
        );
    }
    misc(u, &mut out)?;
    let mut scope = Scope { bindings: Vec::new() };
    element(u, &mut out, &mut scope, 0)?;
    misc(u, &mut out)?;
    Ok(out)
}

fn misc(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    for _ in 0..u.int_in_range(0..=2)? {
        match u.int_in_range(0..=2)? {
            0 => comment(u, out)?,
            1 => pi(u, out)?,
            _ => ws(u, out)?,
        }
    }
    Ok(())
}

fn comment(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    out.push_str("<!--");
    for _ in 0..u.int_in_range(0..=3)? {
        out.push_str(pick(u, &[" c ", "-x", "<a>", "&amp;", "\r\n", "\u{e9}"])?);
    }
    out.push_str("-->");
    Ok(())
}

fn pi(u: &mut Unstructured<'_>, out: &mut String) -> Result<()> {
    out.push_str("<?");
    out.push_str(pick(u, &["p", "pi-x", "t.1"])?);
    if u.arbitrary()? {
        out.push(' ');
        ws(u, out)?;
        for _ in 0..u.int_in_range(0..=3)? {
            out.push_str(pick(u, &["d", " ", ">", "&amp;", "\r", "x='1'"])?);
        }
    }
    out.push_str("?>");
    Ok(())
}

fn qname(prefix: &str, local: &str) -> String {
    if prefix.is_empty() {
        local.to_owned()
    } else {
        format!("{prefix}:{local}")
    }
}

fn element(u: &mut Unstructured<'_>, out: &mut String, scope: &mut Scope, depth: usize) -> Result<()> {
    let mark = scope.bindings.len();
    let prefix = pick(u, PREFIXES)?;
    let name = qname(prefix, pick(u, LOCALS)?);
    out.push('<');
    out.push_str(&name);
    let mut declared: Vec<&str> = Vec::new();
    let mut tag = String::new();
    for _ in 0..u.int_in_range(0..=3)? {
        let p = pick(u, PREFIXES)?;
        if declared.contains(&p) {
            continue;
        }
        // `xmlns=""` undeclares the default namespace; a prefix cannot be undeclared in XML 1.0.
        let uri = if p.is_empty() && u.ratio(1, 4)? { "" } else { pick(u, URIS)? };
        declare(&mut tag, p, uri);
        declared.push(p);
        scope.bindings.push((p, uri));
    }
    if !prefix.is_empty() && scope.lookup(prefix).is_none() {
        let uri = pick(u, URIS)?;
        declare(&mut tag, prefix, uri);
        scope.bindings.push((prefix, uri));
    }
    attributes(u, &mut tag, scope)?;
    out.push_str(&tag);
    ws(u, out)?;
    if depth < 6 && u.ratio(3, 4)? {
        out.push('>');
        content(u, out, scope, depth)?;
        out.push_str("</");
        out.push_str(&name);
        ws(u, out)?;
        out.push('>');
    } else {
        out.push_str("/>");
    }
    scope.bindings.truncate(mark);
    Ok(())
}

fn declare(tag: &mut String, prefix: &str, uri: &str) {
    let attr = if prefix.is_empty() { "xmlns".to_owned() } else { format!("xmlns:{prefix}") };
    tag.push_str(&format!(" {attr}=\"{uri}\""));
}

fn attributes(u: &mut Unstructured<'_>, tag: &mut String, scope: &Scope) -> Result<()> {
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for _ in 0..u.int_in_range(0..=4)? {
        let (prefix, local) = match u.int_in_range(0..=4)? {
            0 => ("xml", *u.choose(&["lang", "space", "id", "base"])?),
            1 | 2 => (pick(u, &PREFIXES[1..])?, pick(u, LOCALS)?),
            _ => ("", pick(u, LOCALS)?),
        };
        // Unprefixed attributes are in no namespace; a prefixed one needs its prefix bound.
        let ns = match prefix {
            "" => "",
            "xml" => "http://www.w3.org/XML/1998/namespace",
            p => match scope.lookup(p) {
                Some(uri) if !uri.is_empty() => uri,
                _ => continue,
            },
        };
        if seen.contains(&(ns, local)) {
            continue;
        }
        seen.push((ns, local));
        let quote = *u.choose(&['"', '\''])?;
        tag.push(' ');
        tag.push_str(&qname(prefix, local));
        tag.push('=');
        tag.push(quote);
        for _ in 0..u.int_in_range(0..=3)? {
            let piece = pick(u, ATTR_TEXT)?;
            match (piece, quote) {
                ("&quot;", '\'') => tag.push('"'),
                (p, _) => tag.push_str(p),
            }
        }
        if quote == '"' && u.ratio(1, 4)? {
            tag.push('\'');
        }
        tag.push(quote);
    }
    Ok(())
}

fn content(u: &mut Unstructured<'_>, out: &mut String, scope: &mut Scope, depth: usize) -> Result<()> {
    for _ in 0..u.int_in_range(0..=5)? {
        match u.int_in_range(0..=9)? {
            0..=3 => element(u, out, scope, depth + 1)?,
            4..=6 => {
                for _ in 0..u.int_in_range(1..=3)? {
                    out.push_str(pick(u, TEXT)?);
                }
            }
            7 => comment(u, out)?,
            8 => pi(u, out)?,
            _ => {
                out.push_str("<![CDATA[");
                for _ in 0..u.int_in_range(0..=3)? {
                    out.push_str(pick(u, &["<x>", "&amp;", "]]", "\r\n", " ", "\u{e9}"])?);
                }
                out.push_str("]]>");
            }
        }
    }
    Ok(())
}

/// A small deterministic random source (xorshift64*) for seeded generation in tests.
pub struct Rng(u64);

impl Rng {
    /// A source from a seed (0 is replaced by a fixed non-zero value).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| (self.next_u64() >> 56) as u8).collect()
    }
}

/// The document generated from seed `seed` (for differential tests).
pub fn seeded_document(seed: u64) -> String {
    let bytes = Rng::new(seed).bytes(2048);
    let mut u = Unstructured::new(&bytes);
    document(&mut u).unwrap_or_else(|_| "<e/>".to_owned())
}

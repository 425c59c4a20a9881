//! The namespace bindings the output ancestors of a canonicalized subtree
//! rendered, innermost last: prefixes and URIs in one arena, cut back when
//! an element closes, so a declaration costs no allocation.

use crate::xml::chars::short_eq;

#[derive(Clone, Copy, Debug)]
struct Entry {
    prefix: (u32, u32),
    uri: (u32, u32),
}

/// Where the bindings stood before an element.
#[derive(Clone, Copy, Debug)]
pub(super) struct Mark {
    entries: u32,
    text: u32,
}

#[derive(Debug, Default)]
pub(super) struct Rendered {
    text: String,
    entries: Vec<Entry>,
}

fn slice(text: &str, (start, end): (u32, u32)) -> &str {
    text.get(start as usize..end as usize).unwrap_or("")
}

/// As [`slice`], as bytes: compared, never cut, so no boundary checks.
fn bytes(text: &str, (start, end): (u32, u32)) -> &[u8] {
    text.as_bytes().get(start as usize..end as usize).unwrap_or_default()
}

impl Rendered {
    pub fn mark(&self) -> Mark {
        Mark { entries: self.entries.len() as u32, text: self.text.len() as u32 }
    }

    /// Drops the bindings rendered since `m`.
    pub fn release(&mut self, m: Mark) {
        self.entries.truncate(m.entries as usize);
        self.text.truncate(m.text as usize);
    }

    /// The URI rendered for `prefix`, innermost first; an unrendered
    /// default namespace is the empty one.
    pub fn uri_of(&self, prefix: &str) -> Option<&[u8]> {
        let found = self.entries.iter().rev().find(|e| short_eq(bytes(&self.text, e.prefix), prefix.as_bytes()));
        match found {
            Some(e) => Some(bytes(&self.text, e.uri)),
            None if prefix.is_empty() => Some(b""),
            None => None,
        }
    }

    /// Whether `prefix` was rendered since `m`.
    pub fn rendered_since(&self, m: Mark, prefix: &str) -> bool {
        let since = self.entries.get(m.entries as usize..).unwrap_or_default();
        since.iter().any(|e| bytes(&self.text, e.prefix) == prefix.as_bytes())
    }

    pub fn push(&mut self, prefix: &str, uri: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(prefix);
        let middle = self.text.len() as u32;
        self.text.push_str(uri);
        self.entries.push(Entry { prefix: (start, middle), uri: (middle, self.text.len() as u32) });
    }

    /// Orders the bindings rendered since `m` by prefix (unique among them).
    pub fn sort_since(&mut self, m: Mark) {
        let text = &self.text;
        if let Some(since) = self.entries.get_mut(m.entries as usize..) {
            since.sort_unstable_by(|a, b| bytes(text, a.prefix).cmp(bytes(text, b.prefix)));
        }
    }

    /// The bindings rendered since `m`, as (prefix, URI).
    pub fn since(&self, m: Mark) -> impl Iterator<Item = (&str, &str)> {
        let since = self.entries.get(m.entries as usize..).unwrap_or_default();
        since.iter().map(|e| (slice(&self.text, e.prefix), slice(&self.text, e.uri)))
    }
}

//! Namespace scope with owned strings: bindings live as long as the element
//! that declared them, in one arena truncated when the element closes, so
//! memory is bounded by the in-scope limits, never by the document.

use crate::xml::uri;

/// A range in the arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub(crate) struct Rng {
    pub start: u32,
    pub end: u32,
}

#[derive(Clone, Copy, Debug)]
struct Binding {
    prefix: Rng,
    uri: Rng,
}

/// Where the scope stood before an element's declarations.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Mark {
    bindings: u32,
    arena: u32,
}

#[derive(Debug)]
pub(crate) struct Scope {
    arena: String,
    bindings: Vec<Binding>,
}

impl Default for Scope {
    fn default() -> Self {
        let mut s = Scope { arena: String::with_capacity(1024), bindings: Vec::with_capacity(32) };
        let prefix = s.push_str("xml");
        let uri = s.push_str(uri::XML);
        s.bindings.push(Binding { prefix, uri });
        s
    }
}

impl Scope {
    fn push_str(&mut self, v: &str) -> Rng {
        let start = self.arena.len() as u32;
        self.arena.push_str(v);
        Rng { start, end: self.arena.len() as u32 }
    }

    pub fn get(&self, r: Rng) -> &str {
        &self.arena[r.start as usize..r.end as usize]
    }

    pub fn mark(&self) -> Mark {
        Mark { bindings: self.bindings.len() as u32, arena: self.arena.len() as u32 }
    }

    pub fn release(&mut self, m: Mark) {
        self.bindings.truncate(m.bindings as usize);
        self.arena.truncate(m.arena as usize);
    }

    /// Number of bindings in scope (the implicit `xml` one included).
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// Whether nothing was declared since `m`.
    pub fn unchanged_since(&self, m: Mark) -> bool {
        self.bindings.len() == m.bindings as usize
    }

    /// Whether `prefix` was declared since `m`.
    pub fn declared_since(&self, m: Mark, prefix: &str) -> bool {
        self.bindings[m.bindings as usize..].iter().any(|b| self.get(b.prefix) == prefix)
    }

    pub fn declare(&mut self, prefix: &str, uri: &str) {
        let prefix = self.push_str(prefix);
        let uri = self.push_str(uri);
        self.bindings.push(Binding { prefix, uri });
    }

    /// The namespace bound to `prefix` (empty for the default namespace);
    /// an unbound empty prefix is no namespace.
    pub fn resolve(&self, prefix: &[u8]) -> Option<Rng> {
        match self.bindings.iter().rev().find(|b| self.get(b.prefix).as_bytes() == prefix) {
            Some(b) => Some(b.uri),
            None if prefix.is_empty() => Some(Rng::default()),
            None => None,
        }
    }

    /// Bindings declared since `m`, as (prefix, URI).
    pub fn since(&self, m: Mark) -> impl Iterator<Item = (&str, &str)> {
        self.bindings[m.bindings as usize..].iter().map(|b| (self.get(b.prefix), self.get(b.uri)))
    }

    /// Every binding in scope, outermost first.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.bindings.iter().map(|b| (self.get(b.prefix), self.get(b.uri)))
    }

    /// Bytes held.
    pub fn held(&self) -> usize {
        self.arena.capacity() + self.bindings.capacity() * std::mem::size_of::<Binding>()
    }
}

//! Runs of simple markup (see [`run`](crate::xml::run)) taken straight
//! from the source by the [`Reader`]: inside an element read to its end, and
//! a context element's simple text-only children.

use super::{all_ws, Open, Reader, StartTag};
use crate::c14n::taps::DigestTaps;
use crate::xml::run::{simple_token, Simple};
use crate::xml::Span;

/// Runs of simple markup (see [`run`](crate::xml::run)) inside an element being read
/// to its end: nothing but the ID index and the digest taps sees their
/// events, so they are taken straight from the source, with the reader's
/// state (open elements, the index) kept as the events would keep it and
/// the taps handed the run as it stands.
impl<'a> Reader<'a> {
    /// Takes the simple markup that follows, stopping before the first
    /// other token and before any end tag at `floor` or above (the element
    /// read to its end, the apex of a tap), for the general path.
    pub(super) fn simple_run(&mut self, floor: u32) {
        // Outside the root (floor 0) a start tag would be a second root, text an error.
        if self.pending_end.is_some() || floor == 0 {
            return;
        }
        let mut taps = self.taps.take();
        let tap_floor = match taps.as_deref_mut() {
            Some(t) => t.run_begin(self.lexer.pos()),
            None => Some(0),
        };
        if let Some(tap_floor) = tap_floor {
            let to = self.simple_tokens(floor.max(tap_floor), taps.as_deref_mut());
            self.lexer.jump(to);
            if let Some(t) = taps.as_deref_mut() {
                t.run_done(self, to);
            }
        }
        self.taps = taps;
    }

    /// The next child of the current element when it is a simple text-only
    /// element, `<name>text</name>` (an ASCII name, no attributes, text that
    /// is not empty and has no reference; see [`run`](super::run)): the
    /// whitespace before it and the element are taken whole, fed to the
    /// digest taps as a run of simple markup, without events. Returns its
    /// start tag, its text and its end tag. `None` when what follows the
    /// whitespace is anything else, which the general path then reads
    /// (and, if need be, refuses); the whitespace may have been taken.
    pub fn simple_text_child(&mut self) -> Option<(StartTag, Span, Span)> {
        if !self.simple_runs || self.pending_end.is_some() || self.stack.is_empty() {
            return None;
        }
        let mut taps = self.taps.take();
        let runs = taps.as_deref_mut().map_or(true, |t| t.run_begin(self.lexer.pos()).is_some());
        let child = if runs { self.simple_text_tokens(taps.as_deref_mut()) } else { None };
        if let Some(t) = taps.as_deref_mut().filter(|_| runs) {
            t.run_done(self, self.lexer.pos());
        }
        self.taps = taps;
        child
    }

    /// The tokens of [`simple_text_child`](Self::simple_text_child).
    fn simple_text_tokens(&mut self, taps: Option<&mut DigestTaps<'a>>) -> Option<(StartTag, Span, Span)> {
        let src = self.src.as_bytes();
        let (end, limits) = (self.lexer.end(), self.lexer.limits());
        let open = self.stack.last()?.name.raw(src);
        let mut at = self.lexer.pos();
        if let Simple::Text { end: ws_end } = simple_token(src, at, end, &limits, open) {
            if !all_ws(&src[at..ws_end]) {
                return None;
            }
            at = ws_end;
            self.lexer.jump(at);
        }
        let Simple::Start { name, end: tag_end, empty: false } = simple_token(src, at, end, &limits, open) else {
            return None;
        };
        let Simple::Text { end: text_end } = simple_token(src, tag_end, end, &limits, b"") else {
            return None;
        };
        let Simple::End { end: close_end } = simple_token(src, text_end, end, &limits, name.raw(src)) else {
            return None;
        };
        // The checks of `start`, which the general path repeats to report errors.
        if memchr::memchr(b'&', &src[tag_end..text_end]).is_some() || self.stack.len() >= self.max_depth {
            return None;
        }
        let ns = self.resolve_name(&name).ok()?;
        self.stack.push(Open { name, bindings_mark: self.bindings.len() as u32 });
        self.attrs.clear();
        let depth = self.stack.len() as u32;
        let mut taps = taps;
        if let Some(t) = taps.as_deref_mut() {
            t.run_start(self, name, ns, None);
        }
        self.close(Span::new(text_end, close_end));
        if let Some(t) = taps {
            t.run_end();
        }
        self.lexer.jump(close_end);
        let tag = StartTag { span: Span::new(at, tag_end), name, ns, depth };
        Some((tag, Span::new(tag_end, text_end), Span::new(text_end, close_end)))
    }

    /// The tokens of [`simple_run`](Self::simple_run); returns where they stop.
    fn simple_tokens(&mut self, floor: u32, mut taps: Option<&mut DigestTaps<'a>>) -> usize {
        let src = self.src.as_bytes();
        let (end, limits) = (self.lexer.end(), self.lexer.limits());
        let mut at = self.lexer.pos();
        loop {
            let open = self.stack.last().map_or(&[][..], |o| o.name.raw(src));
            match simple_token(src, at, end, &limits, open) {
                Simple::Text { end } => at = end,
                Simple::Start { name, end, empty } => {
                    // The checks of `start`, which the general path repeats to report errors.
                    if self.stack.len() >= self.max_depth {
                        return at;
                    }
                    let Ok(ns) = self.resolve_name(&name) else {
                        return at;
                    };
                    self.stack.push(Open { name, bindings_mark: self.bindings.len() as u32 });
                    self.attrs.clear();
                    if let Some(t) = taps.as_deref_mut() {
                        t.run_start(self, name, ns, empty.then_some(end));
                    }
                    if empty {
                        self.close(Span::new(end, end));
                    }
                    at = end;
                }
                Simple::End { end } if self.stack.len() as u32 > floor => {
                    self.close(Span::new(at, end));
                    if let Some(t) = taps.as_deref_mut() {
                        t.run_end();
                    }
                    at = end;
                }
                Simple::End { .. } | Simple::Other => return at,
            }
        }
    }
}

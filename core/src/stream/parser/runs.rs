//! Runs of simple markup, taken without events: start tags with an ASCII
//! name and attributes as canonical form writes them (`<p:name>`,
//! `<p:name a="1" b="2"/>`; no prefixed attribute, namespace declaration,
//! `Id` or `ID`), end tags that repeat the open element's name exactly,
//! and text up to the next `<` without `>`, `\r` or references other
//! than `&amp;`, `&lt;`, `&gt;` (see [`quick::simple_start`] and
//! [`quick::simple_text`]). Such tokens are what the lexer reads them to
//! be, and a handler that needs to see nothing of them but their names and
//! namespaces (the pipeline, whose canonicalizers write them as they
//! stand, and whose ID checks look at `Id`, `ID` and `wsu:Id` only) takes
//! them as a run: the parser keeps its state (open elements, text runs)
//! as the events would keep it and hands over the starts, the ends and the
//! run's bytes; a whole leaf element with its parent's prefix is checked
//! at once and never opened. Every other token, and any simple one that
//! would be an error, ends the run and is read by the general path, which
//! reports it.

use super::super::error::StreamError;
use super::super::event::StreamEvent;
use super::super::quick;
use super::{Handler, Open, StreamParser};
use crate::xml::chars::short_eq;
use crate::xml::lex::QSpan;

/// A handler that may take runs of simple markup instead of their events.
pub(crate) trait Runs: Handler {
    /// Whether runs are taken now, and the floor they stay above: no end
    /// tag closes an element at that depth or less, and no token lies
    /// outside such an element. Asked before each run, so it may change
    /// with every event.
    fn run_floor(&mut self) -> Option<u32>;
    /// A run begins at `window[at]` (it holds at least one token).
    fn run_begin(&mut self, window: &[u8], at: usize);
    /// A start tag of the run (open already in the parser).
    fn run_start(&mut self, window: &[u8], s: &RunStart<'_>);
    /// An end tag of the run.
    fn run_end(&mut self);
    /// A whole element `<name ...>text</name>` of the run, its start tag
    /// ending at `tag_end` and itself at `end`, with the parent's prefix
    /// and binding (written as it stands).
    fn run_leaf(&mut self, window: &[u8], name: QSpan, tag_end: usize, end: usize) {
        let _ = (window, name, tag_end, end);
    }
    /// The run ends at `window[at]`.
    fn run_done(&mut self, window: &[u8], at: usize);
}

/// A start tag in a run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RunStart<'a> {
    /// The qualified name in the window.
    pub name: QSpan,
    /// Its prefix (empty when unprefixed).
    pub prefix: &'a str,
    /// Its namespace (empty for none).
    pub ns: &'a str,
    /// It has the parent's prefix, so the parent's binding.
    pub parent_ns: bool,
    /// Where the tag ends.
    pub end: usize,
    /// `<name/>`: an end follows at once.
    pub empty: bool,
}

/// A plain [`Handler`]: events for everything.
pub(super) struct NoRuns<'h, H>(pub &'h mut H);

impl<H: Handler> Handler for NoRuns<'_, H> {
    #[inline(always)]
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        self.0.event(ev)
    }
}

impl<H: Handler> Runs for NoRuns<'_, H> {
    fn run_floor(&mut self) -> Option<u32> {
        None
    }
    fn run_begin(&mut self, _: &[u8], _: usize) {}
    fn run_start(&mut self, _: &[u8], _: &RunStart<'_>) {}
    fn run_end(&mut self) {}
    fn run_done(&mut self, _: &[u8], _: usize) {}
}

impl StreamParser {
    /// Takes the simple markup at `pos`; returns where it stops (`pos`
    /// when the token there is for the general path).
    pub(super) fn simple_run(
        &mut self,
        (window, text): (&[u8], Option<&str>),
        pos: usize,
        floor: u32,
        h: &mut impl Runs,
    ) -> usize {
        if floor == 0 || (self.stack.len() as u32) < floor {
            return pos;
        }
        let mut at = pos;
        loop {
            let token = if window.get(at) == Some(&b'<') {
                self.run_markup((window, text), at, floor)
            } else {
                self.run_text(window, at).map(Took::Text)
            };
            let Some(token) = token else { break };
            if at == pos {
                h.run_begin(window, pos);
            }
            at = self.hand_over(window, token, h);
        }
        if at != pos {
            h.run_done(window, at);
        }
        at
    }

    /// Text of the run at `at` (within the limit of a text run); its end.
    #[inline(always)]
    fn run_text(&mut self, window: &[u8], at: usize) -> Option<usize> {
        let end = quick::simple_text(window, at)?;
        let run = self.text_run + (end - at) as u64;
        if run > self.limits.max_text_run {
            return None;
        }
        self.text_run = run;
        Some(end)
    }

    /// A start or end tag of the run at `at`. A start is open in the parser
    /// already; the handler hears of both in `hand_over`.
    #[inline(always)]
    fn run_markup(&mut self, (window, text): (&[u8], Option<&str>), at: usize, floor: u32) -> Option<Took> {
        let open = self.stack.last()?;
        let name = self.names.as_bytes().get(open.name.0 as usize..open.name.1 as usize)?;
        if let Some(end) = quick::matching_end(window, at, name) {
            if self.stack.len() as u32 <= floor {
                return None;
            }
            self.text_run = 0;
            return Some(Took::End(end));
        }
        let (name, end, empty) = quick::simple_start(window, at, &self.lex)?;
        if let Some(leaf_end) = self.run_leaf(window, name, end).filter(|_| !empty) {
            self.text_run = 0;
            return Some(Took::Leaf { name, tag_end: end, end: leaf_end });
        }
        let parent_ns = self.run_open((window, text), name)?;
        self.text_run = 0;
        Some(Took::Start { name, end, parent_ns, empty })
    }

    /// The end of `<name>text</name>` whose start tag ends at `start_end`,
    /// when it is one whole element with the parent's prefix, within the
    /// depth and text limits. It is never open in the parser: nothing in it
    /// can be an error, and it is written as it stands (no declarations).
    #[inline(always)]
    fn run_leaf(&self, window: &[u8], name: QSpan, start_end: usize) -> Option<usize> {
        let parent = self.stack.last()?;
        let (start, qname_end) = (name.start as usize, name.end as usize);
        let prefix = window.get(start..start + name.prefix_len as usize)?;
        let parent_prefix =
            self.names.as_bytes().get(parent.name.0 as usize..(parent.name.0 + parent.prefix_len) as usize)?;
        if self.stack.len() >= self.limits.xml.max_depth || !short_eq(parent_prefix, prefix) {
            return None;
        }
        let text_end = quick::simple_text(window, start_end)?;
        if (text_end - start_end) as u64 > self.limits.max_text_run {
            return None;
        }
        quick::matching_end(window, text_end, &window[start..qname_end])
    }

    /// Opens the element `name` of a run, as `start` would: `None` (and
    /// nothing changed) when that would be an error. Whether it has the
    /// parent's prefix.
    #[inline(always)]
    fn run_open(&mut self, (window, text): (&[u8], Option<&str>), name: QSpan) -> Option<bool> {
        if self.stack.len() >= self.limits.xml.max_depth {
            return None;
        }
        let parent = self.stack.last()?;
        let prefix = window.get(name.start as usize..(name.start + name.prefix_len) as usize)?;
        let parent_prefix =
            self.names.as_bytes().get(parent.name.0 as usize..(parent.name.0 + parent.prefix_len) as usize)?;
        // No declarations here: the parent's prefix has the parent's binding.
        let (ns, parent_ns) = match short_eq(parent_prefix, prefix) {
            true => (parent.ns, true),
            false => (self.scope.resolve(prefix)?, false),
        };
        let (mark, names_mark) = (self.scope.mark(), self.names.len() as u32);
        self.names.push_str(quick::str_in(text, window, name.start as usize, name.end as usize));
        let names_end = self.names.len() as u32;
        self.stack.push(Open { name: (names_mark, names_end), prefix_len: name.prefix_len, ns, mark });
        Some(parent_ns)
    }

    /// Hands a token of the run to the handler (closing an end tag's or an
    /// empty element); returns its end.
    #[inline(always)]
    fn hand_over(&mut self, window: &[u8], token: Took, h: &mut impl Runs) -> usize {
        match token {
            Took::Text(end) => end,
            Took::Leaf { name, tag_end, end } => {
                h.run_leaf(window, name, tag_end, end);
                end
            }
            Took::End(end) => {
                self.close_quietly();
                h.run_end();
                end
            }
            Took::Start { name, end, parent_ns, empty } => {
                if let Some(open) = self.stack.last() {
                    let prefix = &self.names[open.name.0 as usize..(open.name.0 + open.prefix_len) as usize];
                    h.run_start(window, &RunStart { name, prefix, ns: self.scope.get(open.ns), parent_ns, end, empty });
                }
                if empty {
                    self.close_quietly();
                }
                end
            }
        }
    }

    /// Closes the innermost element without an event.
    #[inline(always)]
    fn close_quietly(&mut self) {
        if let Some(open) = self.stack.pop() {
            self.names.truncate(open.name.0 as usize);
            self.scope.release(open.mark);
        }
    }
}

/// A token of a run, read and checked.
#[derive(Clone, Copy, Debug)]
enum Took {
    Text(usize),
    End(usize),
    Start { name: QSpan, end: usize, parent_ns: bool, empty: bool },
    Leaf { name: QSpan, tag_end: usize, end: usize },
}

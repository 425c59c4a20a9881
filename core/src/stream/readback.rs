//! The streaming parser's events as comparable lines, read plainly and with
//! runs of simple markup taken and read back into the events they stand
//! for: what the unit tests compare at every cut, and (feature `fuzzing`)
//! what the `stream` fuzz target compares on any input. Not API.

use memchr::memchr;

use super::error::StreamError;
use super::parser::{Handler, RunStart, Runs};
use super::{StreamEvent, StreamLimits, StreamParser};
use crate::xml::lex::QSpan;
use crate::Limits;

/// Events as comparable lines; adjacent text pieces merged.
pub fn push(out: &mut Vec<String>, line: String) {
    if let (Some(last), Some(rest)) = (out.last_mut(), line.strip_prefix("T ")) {
        if last.starts_with("T ") {
            last.push_str(rest);
            return;
        }
    }
    out.push(line);
}

/// One event as a comparable line.
pub fn event_line(ev: &StreamEvent<'_>) -> String {
    match ev {
        StreamEvent::Start(s) => {
            let attrs: Vec<String> = s
                .attrs()
                .map(|a| format!("{{{}}}{}={}", a.name.ns, a.name.local, String::from_utf8_lossy(a.raw_value)))
                .collect();
            let decl: Vec<String> = s.declared().map(|(p, u)| format!("{p}={u}")).collect();
            format!("S{} {{{}}}{} {:?} {:?}", s.depth, s.name.ns, s.name.local, attrs, decl)
        }
        StreamEvent::End { depth, name, .. } => format!("E{} {{{}}}{}", depth, name.ns, name.local),
        StreamEvent::Text { raw, .. } => format!("T {}", String::from_utf8_lossy(raw)),
        StreamEvent::CData { raw, .. } => format!("C {}", String::from_utf8_lossy(raw)),
        StreamEvent::Comment { raw, .. } => format!("M {}", String::from_utf8_lossy(raw)),
        StreamEvent::Pi { raw, .. } => format!("P {}", String::from_utf8_lossy(raw)),
    }
}

/// The events of `doc` fed in chunks cut at `cuts` (sorted positions
/// inside `doc`), as lines, or the error's code and offset.
pub fn events_only(doc: &[u8], cuts: &[usize]) -> Result<Vec<String>, (String, u64)> {
    let mut p = StreamParser::new(StreamLimits::like_whole(Limits::default()));
    let mut out = Vec::new();
    let mut h = |ev: &StreamEvent<'_>| {
        push(&mut out, event_line(ev));
        Ok(())
    };
    let mut from = 0;
    let run = (|| {
        for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
            p.feed(&doc[from..c], &mut h)?;
            from = c;
        }
        p.finish(&mut h)
    })();
    run.map_err(|e| (e.code().to_string(), e.offset()))?;
    Ok(out)
}

/// Records events, and runs as the events they stand for.
pub(super) struct Recorder {
    pub(super) out: Vec<String>,
    pub(super) floor: u32,
    /// The open elements' namespaces and local names.
    pub(super) open: Vec<(String, String)>,
    /// Where the run's bytes not read back yet begin.
    pub(super) cursor: usize,
    /// End tags of the run not read back yet (`run_end` has no window).
    pub(super) ends: usize,
    /// Runs taken, leaves in them.
    pub(super) runs: usize,
    pub(super) leaves: usize,
}

impl Recorder {
    /// The run's text up to `to`, then its pending end tags.
    fn text_to(&mut self, window: &[u8], to: usize) {
        while self.ends > 0 {
            let tag = self.cursor + memchr(b'<', &window[self.cursor..]).expect("an end tag");
            self.text(window, tag);
            self.cursor = tag + memchr(b'>', &window[tag..]).expect("its end") + 1;
            let (ns, local) = self.open.pop().expect("an open element");
            push(&mut self.out, format!("E{} {{{ns}}}{local}", self.open.len() + 1));
            self.ends -= 1;
        }
        self.text(window, to);
    }

    fn text(&mut self, window: &[u8], to: usize) {
        if to > self.cursor {
            push(&mut self.out, format!("T {}", String::from_utf8_lossy(&window[self.cursor..to])));
        }
        self.cursor = to;
    }
}

impl Handler for Recorder {
    fn event(&mut self, ev: &StreamEvent<'_>) -> Result<(), StreamError> {
        match ev {
            StreamEvent::Start(s) => self.open.push((s.name.ns.to_string(), s.name.local.to_string())),
            StreamEvent::End { .. } => drop(self.open.pop()),
            _ => {}
        }
        push(&mut self.out, event_line(ev));
        Ok(())
    }
}

impl Runs for Recorder {
    fn run_floor(&mut self) -> Option<u32> {
        (self.floor > 0).then_some(self.floor)
    }

    fn run_begin(&mut self, _: &[u8], at: usize) {
        (self.cursor, self.ends) = (at, 0);
        self.runs += 1;
    }

    fn run_start(&mut self, window: &[u8], s: &RunStart<'_>) {
        self.text_to(window, s.name.start as usize - 1);
        let qname = String::from_utf8_lossy(&window[s.name.start as usize..s.name.end as usize]).into_owned();
        let local = qname.rsplit(':').next().unwrap_or_default().to_string();
        let prefix = qname.strip_suffix(&local).unwrap_or_default().trim_end_matches(':');
        assert!(prefix == s.prefix || s.prefix.is_empty() && s.parent_ns, "{prefix} {}", s.prefix);
        let attrs = attrs(&window[s.name.end as usize..s.end - if s.empty { 2 } else { 1 }]);
        push(&mut self.out, format!("S{} {{{}}}{local} {attrs:?} []", self.open.len() + 1, s.ns));
        self.open.push((s.ns.to_string(), local));
        self.cursor = s.end;
        if s.empty {
            let (ns, local) = self.open.pop().expect("the element just opened");
            push(&mut self.out, format!("E{} {{{ns}}}{local}", self.open.len() + 1));
        }
    }

    fn run_end(&mut self) {
        self.ends += 1;
    }

    fn run_leaf(&mut self, window: &[u8], name: QSpan, tag_end: usize, end: usize) {
        self.text_to(window, name.start as usize - 1);
        let ns = self.open.last().expect("a parent").0.clone();
        let s = RunStart { name, prefix: "", ns: &ns, parent_ns: true, end: tag_end, empty: false };
        self.run_start(window, &s);
        self.run_end();
        self.text_to(window, end);
        self.leaves += 1;
    }

    fn run_done(&mut self, window: &[u8], at: usize) {
        self.text_to(window, at);
        assert_eq!(self.cursor, at, "the run read back to its end");
    }
}

/// Attributes ` name="value"` as the event lines write them.
fn attrs(mut tag: &[u8]) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(rest) = tag.strip_prefix(b" ") {
        let eq = memchr(b'=', rest).expect("=");
        let close = eq + 2 + memchr(b'"', &rest[eq + 2..]).expect("a closing quote");
        let (name, value) = (&rest[..eq], &rest[eq + 2..close]);
        out.push(format!("{{}}{}={}", String::from_utf8_lossy(name), String::from_utf8_lossy(value)));
        tag = &rest[close + 1..];
    }
    assert!(tag.is_empty(), "{}", String::from_utf8_lossy(tag));
    out
}

/// The lines of `doc` cut at `cuts`, with runs above `floor` taken.
pub fn events_taking_runs(doc: &[u8], cuts: &[usize], floor: u32) -> Result<Vec<String>, (String, u64)> {
    lines_with(doc, cuts, floor, Limits::default())
}

/// As [`events_taking_runs`], with `limits` (no runs at floor 0).
pub(super) fn lines_with(doc: &[u8], cuts: &[usize], floor: u32, limits: Limits) -> Result<Vec<String>, (String, u64)> {
    let mut p = StreamParser::new(StreamLimits::like_whole(limits));
    let mut h = Recorder { out: Vec::new(), floor, open: Vec::new(), cursor: 0, ends: 0, runs: 0, leaves: 0 };
    let mut from = 0;
    let run = (|| {
        for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
            p.feed_runs(&doc[from..c], &mut h)?;
            from = c;
        }
        p.finish_runs(&mut h)
    })();
    run.map_err(|e| (e.code().to_string(), e.offset()))?;
    Ok(h.out)
}

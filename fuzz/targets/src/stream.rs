//! The push parser fed in arbitrary chunks.
//!
//! The first byte of the input chooses how the rest is cut. The parser must
//! give the same events, or the same error at the same byte, whether the
//! document arrives whole or cut; and a UTF-8 document it accepts, the
//! whole-input reader must accept too (the whole-document canonicalizer reads
//! it with the same rules and limits).

use kuvert::{canonicalize_document, C14nMethod, Input, Limits, StreamEvent, StreamLimits, StreamParser};

/// Events as lines (text pieces merged), or the error's code and offset.
pub type Outcome = Result<Vec<String>, (&'static str, u64)>;

pub fn stream(data: &[u8]) {
    let Some((&pattern, doc)) = data.split_first() else { return };
    let whole = stream_outcome(doc, &[]);
    let cuts = cuts(doc.len(), pattern);
    let cut = stream_outcome(doc, &cuts);
    assert_eq!(cut, whole, "cut by pattern {pattern} the stream reads differently");
    runs_read_as_events(doc, &cuts);
    if let Err((_, offset)) = &whole {
        assert!(*offset <= doc.len() as u64, "stream error offset {offset} past the end ({})", doc.len());
    }
    if whole.is_ok() && !declares_an_encoding(doc) {
        let limits = Limits::default();
        let read = Input::new(doc, &limits).map_err(|e| e.to_string()).and_then(|input| {
            canonicalize_document(&input, C14nMethod::Inclusive, &[], &limits, Vec::new()).map_err(|e| e.to_string())
        });
        assert!(read.is_ok(), "the stream accepts what the whole-input reader refuses: {read:?}");
    }
}

/// Runs of simple markup (what the streaming verifier digests straight
/// from the input), taken above depth 1 or 2 and read back into events,
/// give the lines the events give, or the same error at the same byte.
fn runs_read_as_events(doc: &[u8], cuts: &[usize]) {
    let events = kuvert::fuzzing::stream_events(doc, cuts);
    for floor in [1, 2] {
        let taken = kuvert::fuzzing::stream_events_taking_runs(doc, cuts, floor);
        assert_eq!(taken, events, "runs above depth {floor} read differently from events");
    }
}

/// Cut positions: pattern 0 feeds byte by byte, others cut at irregular steps of 1..=pattern.
fn cuts(len: usize, pattern: u8) -> Vec<usize> {
    if pattern == 0 {
        return (1..len).collect();
    }
    let (mut at, mut state, mut out) = (0usize, u32::from(pattern).wrapping_mul(2_654_435_761) | 1, Vec::new());
    loop {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        at += 1 + (state % u32::from(pattern)) as usize;
        if at >= len {
            return out;
        }
        out.push(at);
    }
}

/// An XML declaration naming an encoding (the stream reads UTF-8 only; the
/// whole reader also transcodes ISO-8859-1: a known, documented difference).
fn declares_an_encoding(doc: &[u8]) -> bool {
    doc.starts_with(b"<?xml")
        && doc.iter().take(120).collect::<Vec<_>>().windows(8).any(|w| w.iter().map(|b| **b).eq(*b"encoding"))
}

/// What the push parser reads of `doc` fed in pieces cut at `cuts` (sorted
/// positions inside `doc`), with the whole-input reader's limits.
pub fn stream_outcome(doc: &[u8], cuts: &[usize]) -> Outcome {
    let mut parser = StreamParser::new(StreamLimits::like_whole(Limits::default()));
    let mut out: Vec<String> = Vec::new();
    let mut handler = |ev: &StreamEvent<'_>| {
        push_event(&mut out, ev);
        Ok(())
    };
    let mut from = 0;
    for &c in cuts.iter().chain(std::iter::once(&doc.len())) {
        parser.feed(&doc[from..c], &mut handler).map_err(|e| (e.code(), e.offset()))?;
        from = c;
    }
    parser.finish(&mut handler).map_err(|e| (e.code(), e.offset()))?;
    Ok(out)
}

fn push_event(out: &mut Vec<String>, ev: &StreamEvent<'_>) {
    let line = match ev {
        StreamEvent::Start(s) => {
            let attrs: Vec<String> = s.attrs().map(|a| format!("{}|{}", a.name.ns, a.name.local)).collect();
            format!("S{} {}|{} {attrs:?}", s.depth, s.name.ns, s.name.local)
        }
        StreamEvent::End { depth, name, .. } => format!("E{depth} {}|{}", name.ns, name.local),
        StreamEvent::Text { raw, .. } => format!("T {}", String::from_utf8_lossy(raw)),
        StreamEvent::CData { raw, .. } | StreamEvent::Comment { raw, .. } | StreamEvent::Pi { raw, .. } => {
            format!("M {}", String::from_utf8_lossy(raw))
        }
    };
    match (out.last_mut(), line.strip_prefix("T ")) {
        (Some(last), Some(rest)) if last.starts_with("T ") => last.push_str(rest),
        _ => out.push(line),
    }
}

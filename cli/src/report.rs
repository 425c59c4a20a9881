//! How refusals are reported: one JSON object with the error's kind, message
//! and position.

use serde::Serialize;

#[derive(Serialize)]
pub struct ErrorReport {
    pub kind: &'static str,
    pub message: String,
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

impl ErrorReport {
    /// An error at byte `offset` of `raw`.
    pub fn new(kind: &'static str, message: String, raw: &[u8], offset: usize) -> Self {
        let (line, column) = kuvert::line_column(raw, offset);
        ErrorReport { kind, message, offset, line, column }
    }

    /// Prints `{"error": {...}}` to standard error.
    pub fn print(&self) {
        #[derive(Serialize)]
        struct Wrapper<'r> {
            error: &'r ErrorReport,
        }
        let json = serde_json::to_string(&Wrapper { error: self }).unwrap_or_default();
        eprintln!("{json}");
    }
}

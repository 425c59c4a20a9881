//! Standard output without panics: `print!` panics when the reader has gone
//! (`kuvert verify … | head -c 100`); here a closed pipe is an I/O error the
//! command reports with exit code 2.

use std::io::Write;
use std::process::ExitCode;

/// Writes `text` and a newline to standard output.
pub fn line(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.write_all(b"\n"));
    written.and_then(|()| stdout.flush()).map_err(|e| format!("standard output: {e}"))
}

/// Writes `text` as it is to standard output.
pub fn text(text: &str) -> Result<(), String> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush());
    written.map_err(|e| format!("standard output: {e}"))
}

/// [`line`], then `code`; exit code 2 (with the error on standard error) when it cannot be written.
pub fn line_then(text: &str, code: ExitCode) -> ExitCode {
    match line(text) {
        Ok(()) => code,
        Err(e) => {
            eprintln!("kuvert: {e}");
            ExitCode::from(2)
        }
    }
}

//! Reading inputs: a file path or `-` for standard input.

use std::io::Read;
use std::path::Path;

/// Reads `path`, or standard input when it is `-` or absent.
pub fn read_input(path: Option<&Path>) -> Result<Vec<u8>, String> {
    match path {
        None => read_stdin(),
        Some(p) if p.as_os_str() == "-" => read_stdin(),
        Some(p) => std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display())),
    }
}

fn read_stdin() -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    std::io::stdin().read_to_end(&mut buf).map_err(|e| format!("cannot read standard input: {e}"))?;
    Ok(buf)
}

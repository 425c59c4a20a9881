//! Writes the two generated 50 MB responses the benches parse to files, for
//! process-level comparisons with `xmllint` (see PERF.md):
//!
//! ```text
//! cargo run --release -p kuvert-bench --example write_large -- /tmp/kuvert-large
//! ```

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let dir = PathBuf::from(std::env::args_os().nth(1).unwrap_or_else(|| "kuvert-large".into()));
    std::fs::create_dir_all(&dir)?;
    let records = dir.join("records-50m.xml");
    std::fs::write(&records, kuvert_corpus::large::records_response(50 << 20))?;
    let base64 = dir.join("base64-50m.xml");
    std::fs::write(&base64, kuvert_corpus::large::base64_response(50 << 20))?;
    println!("{}\n{}", records.display(), base64.display());
    Ok(())
}

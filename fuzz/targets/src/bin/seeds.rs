//! Writes the seed corpus of every fuzz target into `fuzz/corpus/<target>/`
//! (or the directory given as the first argument):
//! `cargo run --manifest-path fuzz/targets/Cargo.toml --bin seeds`.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let root = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../corpus"),
    };
    for (target, _) in kuvert_fuzz_targets::TARGETS {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir)?;
        let seeds = kuvert_fuzz_targets::seeds::seeds(target);
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(name), bytes)?;
        }
        println!("{target}: {} seeds in {}", seeds.len(), dir.display());
    }
    Ok(())
}

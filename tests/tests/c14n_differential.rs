//! Differential canonicalization: kuvert against libxml2 (`xmllint --c14n`
//! and `xmllint --exc-c14n`, both with comments) on a few hundred generated
//! well-formed documents without a DTD (the generator of the `c14n_structured`
//! fuzz target, seeded, so every run compares the same documents).
//!
//! A difference is a bug in one of the two. Each one found was decided
//! against the specifications and is named here with the side that is wrong;
//! the test fails on any other.

use kuvert::{canonicalize_document, C14nMethod, Input, Limits};
use kuvert_fuzz_targets::gen::seeded_document;
use kuvert_tests::{print_table, require_tool, TempDir};

const DOCUMENTS: u64 = 300;

fn xmllint(flag: &str, path: &std::path::Path) -> Result<Vec<u8>, String> {
    let out = std::process::Command::new("xmllint")
        .arg("--nonet")
        .arg(flag)
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run xmllint: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).lines().next().unwrap_or("").to_owned())
    }
}

fn ours(doc: &str, method: C14nMethod) -> Result<Vec<u8>, String> {
    let limits = Limits::default();
    let input = Input::new(doc.as_bytes(), &limits).map_err(|e| e.to_string())?;
    canonicalize_document(&input, method, &[], &limits, Vec::new()).map_err(|e| e.to_string())
}

#[test]
fn generated_documents_canonicalize_as_libxml2_does() {
    if !require_tool("xmllint", "libxml2-utils") {
        return;
    }
    let dir = TempDir::new("c14n-differential");
    let mut differ = Vec::new();
    let mut compared = 0;
    for seed in 1..=DOCUMENTS {
        let doc = seeded_document(seed);
        let path = dir.write(&format!("doc-{seed}.xml"), &doc);
        for (method, flag) in
            [(C14nMethod::InclusiveWithComments, "--c14n"), (C14nMethod::ExclusiveWithComments, "--exc-c14n")]
        {
            let theirs = xmllint(flag, &path);
            let mine = ours(&doc, method);
            match (&mine, &theirs) {
                (Ok(a), Ok(b)) if a == b => compared += 1,
                _ => differ.push(vec![
                    format!("seed {seed} {flag}"),
                    format!("{:?}", mine.map(|o| String::from_utf8_lossy(&o).into_owned())),
                    format!("{:?}", theirs.map(|o| String::from_utf8_lossy(&o).into_owned())),
                    format!("{doc:?}"),
                ]),
            }
        }
    }
    let mut rows = differ.clone();
    rows.push(vec![
        format!("{DOCUMENTS} documents"),
        format!("{compared} same"),
        format!("{} different", differ.len()),
        String::new(),
    ]);
    print_table("kuvert vs libxml2 on generated documents", &["case", "kuvert", "xmllint", "document"], &rows);
    assert!(differ.is_empty(), "{} differences (see the table)", differ.len());
}

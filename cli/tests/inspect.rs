//! `kuvert inspect` end to end: the golden JSON of every corpus message, the
//! error report of every negative file, exit codes, and standard input.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn kuvert() -> Command {
    Command::new(env!("CARGO_BIN_EXE_kuvert"))
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("corpus")
}

fn inspect(path: &Path) -> Output {
    kuvert().arg("inspect").arg(path).output().expect("run kuvert")
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            xml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "xml") {
            out.push(path);
        }
    }
}

fn messages() -> Vec<PathBuf> {
    let mut files = Vec::new();
    xml_files(&corpus_dir().join("messages"), &mut files);
    files.sort();
    assert!(files.len() >= 15, "corpus/messages looks incomplete");
    files
}

/// `file<TAB>...` rows of a TSV in corpus/negative/, comments skipped.
fn tsv(name: &str) -> Vec<Vec<String>> {
    let path = corpus_dir().join("negative").join(name);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_owned).collect())
        .collect()
}

/// (file, code, offset) from EXPECTED.tsv.
fn negative_cases() -> Vec<(String, String, u64)> {
    tsv("EXPECTED.tsv").into_iter().map(|r| (r[0].clone(), r[1].clone(), r[2].parse().unwrap())).collect()
}

fn stdout_json(out: &Output, what: &str) -> Value {
    let text = String::from_utf8(out.stdout.clone()).unwrap_or_else(|_| panic!("{what}: stdout is not UTF-8"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: stdout is not JSON ({e}): {text}"))
}

/// The error object of a refusal: stderr is exactly one JSON object.
fn stderr_error(out: &Output, what: &str) -> serde_json::Map<String, Value> {
    let text = String::from_utf8(out.stderr.clone()).unwrap_or_else(|_| panic!("{what}: stderr is not UTF-8"));
    assert_eq!(text.lines().count(), 1, "{what}: stderr must be one line: {text}");
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{what}: stderr is not JSON ({e}): {text}"));
    let obj = v.as_object().unwrap_or_else(|| panic!("{what}: not an object"));
    assert_eq!(obj.keys().collect::<Vec<_>>(), ["error"], "{what}");
    let e = obj["error"].as_object().unwrap_or_else(|| panic!("{what}: error is not an object")).clone();
    let mut keys: Vec<&str> = e.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["column", "kind", "line", "message", "offset"], "{what}");
    assert!(e["kind"].is_string() && e["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}");
    assert!(e["offset"].is_u64() && e["line"].as_u64() >= Some(1) && e["column"].as_u64() >= Some(1), "{what}");
    e
}

/// 1-based line and column (in characters) of a byte offset, computed independently.
fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let upto = &bytes[..offset.min(bytes.len())];
    let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
    let line_start = upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = 1 + upto[line_start..].iter().filter(|&&b| b & 0xC0 != 0x80).count();
    (line as u64, column as u64)
}

#[test]
fn every_message_matches_its_golden_json() {
    let mut failures = Vec::new();
    for path in messages() {
        let golden_path = path.with_extension("inspect.json");
        let golden: Value = serde_json::from_str(&std::fs::read_to_string(&golden_path).unwrap_or_else(|e| {
            panic!("{}: {e}", golden_path.display());
        }))
        .unwrap();
        let out = inspect(&path);
        let name = path.display().to_string();
        assert_eq!(out.status.code(), Some(0), "{name}: stderr {}", String::from_utf8_lossy(&out.stderr));
        assert!(out.stderr.is_empty(), "{name}: stderr not empty");
        let got = stdout_json(&out, &name);
        if got != golden {
            failures.push(format!("{name}:\n got {got}\nwant {golden}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Three prefix styles of the same call give the same output.
#[test]
fn prefix_style_does_not_change_the_output() {
    let dir = corpus_dir().join("messages").join("invocation-context");
    let outputs: Vec<Value> = [
        "cpr-person-lookup.request.xml",
        "cpr-person-lookup-default-ns.request.xml",
        "cpr-person-lookup-odd-prefixes.request.xml",
    ]
    .iter()
    .map(|f| stdout_json(&inspect(&dir.join(f)), f))
    .collect();
    assert_eq!(outputs[0], outputs[1]);
    assert_eq!(outputs[0], outputs[2]);
}

#[test]
fn every_negative_file_is_refused_with_its_code_and_offset() {
    let mut failures = Vec::new();
    for (file, code, offset) in negative_cases() {
        let path = corpus_dir().join("negative").join(&file);
        let out = inspect(&path);
        assert_eq!(out.status.code(), Some(1), "{file}: stdout {}", String::from_utf8_lossy(&out.stdout));
        assert!(out.stdout.is_empty(), "{file}: stdout not empty");
        let e = stderr_error(&out, &file);
        let bytes = std::fs::read(&path).unwrap();
        let at = e["offset"].as_u64().unwrap();
        assert!(at as usize <= bytes.len(), "{file}: offset past the end");
        let (line, column) = line_column(&bytes, at as usize);
        assert_eq!((e["line"].as_u64(), e["column"].as_u64()), (Some(line), Some(column)), "{file}: line/column");
        if (e["kind"].as_str(), at) != (Some(code.as_str()), offset) {
            failures.push(format!("{file}: expected {code} at {offset}, got {} at {at}", e["kind"]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn missing_file_exits_2() {
    let out = inspect(Path::new("/nonexistent/kuvert/no-such-message.xml"));
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-message.xml"), "the message names the file: {err}");
}

#[test]
fn usage_errors_exit_2() {
    let out = kuvert().args(["inspect", "--max-bytes", "lots"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = kuvert().arg("no-such-command").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

fn inspect_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = kuvert()
        .arg("inspect")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kuvert");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn standard_input_with_dash_and_without_a_file() {
    let path = corpus_dir().join("messages").join("soap12").join("organisation-soeg.request.xml");
    let bytes = std::fs::read(&path).unwrap();
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(path.with_extension("inspect.json")).unwrap()).unwrap();
    for args in [&["-"][..], &[][..]] {
        let out = inspect_stdin(args, &bytes);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert_eq!(stdout_json(&out, "stdin"), golden, "{args:?}");
    }
    // A refusal from standard input is reported the same way.
    let out = inspect_stdin(&["-"], b"<!DOCTYPE x><x/>");
    assert_eq!(out.status.code(), Some(1));
    let e = stderr_error(&out, "stdin");
    assert_eq!((e["kind"].as_str(), e["offset"].as_u64()), (Some("xml.doctype_forbidden"), Some(0)));
}

#[test]
fn max_bytes_option() {
    let path = corpus_dir().join("messages").join("authority-context").join("print-send-with-attachment.request.xml");
    let len = std::fs::metadata(&path).unwrap().len();
    let out = kuvert().arg("inspect").arg(&path).args(["--max-bytes", "1024"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = stderr_error(&out, "max-bytes");
    assert_eq!(e["kind"].as_str(), Some("limit.document_size"));
    let out = kuvert().arg("inspect").arg(&path).args(["--max-bytes", &len.to_string()]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
}

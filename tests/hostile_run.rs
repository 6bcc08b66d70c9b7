//! Hostile inputs end to end: each gets its diagnostic, in bounded time, without a panic, and the
//! other files of the same run are still linted.

use std::path::Path;
use std::time::{Duration, Instant};

use irsa_lint::lint::{LintOptions, lint};

mod common;
use common::POLICY_WITHOUT_SUB;

fn codes_by_file(dir: &Path) -> Vec<(String, &'static str, u32, u32)> {
    let opts = LintOptions {
        paths: vec![dir.to_path_buf()],
        ..LintOptions::default()
    };
    let prefix = format!("{}/", dir.display());
    lint(&opts)
        .expect("lint runs")
        .diagnostics
        .iter()
        .map(|d| {
            let at = d.primary.start();
            let file = d
                .file()
                .strip_prefix(&prefix)
                .unwrap_or(d.file())
                .to_string();
            (file, d.rule.code, at.line, at.column)
        })
        .collect()
}

#[test]
fn committed_hostile_files_get_their_diagnostics_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir("testdata/hostile").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.path().join("role.json"), POLICY_WITHOUT_SUB).unwrap();
    let started = Instant::now();
    let got = codes_by_file(dir.path());
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
    let has = |file: &str, code: &str| got.iter().any(|(f, c, _, _)| f == file && *c == code);
    assert!(has("binary.json", "IRSA002"), "{got:?}");
    assert!(has("latin1.yaml", "IRSA002"), "{got:?}");
    assert!(has("utf16.json", "IRSA002"), "{got:?}");
    assert!(has("truncated.json", "IRSA001"), "{got:?}");
    assert!(has("truncated.yaml", "IRSA001"), "{got:?}");
    assert!(has("helm-template.yaml", "IRSA003"), "{got:?}");
    assert!(
        has("role.json", "IRSA102"),
        "the valid file is still linted: {got:?}"
    );
    // Empty files and an alias bomb are not errors.
    for quiet in ["empty.json", "empty.yaml", "alias-bomb.yaml"] {
        assert!(
            !got.iter().any(|(f, _, _, _)| f == quiet),
            "{quiet}: {got:?}"
        );
    }
    // The non-UTF-8 byte is located, not reported at the start of the file.
    let latin1 = std::fs::read("testdata/hostile/latin1.yaml").unwrap();
    let bad = std::str::from_utf8(&latin1).unwrap_err().valid_up_to();
    let line = latin1[..bad].iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    assert!(
        got.iter()
            .any(|(f, c, l, _)| f == "latin1.yaml" && *c == "IRSA002" && *l == line),
        "{got:?}"
    );
}

#[test]
fn generated_huge_and_deep_inputs_are_rejected_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let depth = 100_000;
    std::fs::write(
        root.join("deep.json"),
        "[".repeat(depth) + &"]".repeat(depth),
    )
    .unwrap();
    std::fs::write(
        root.join("deep-flow.yaml"),
        "[".repeat(depth) + &"]".repeat(depth),
    )
    .unwrap();
    let mut block = String::new();
    // Block nesting costs indentation: 1,000 levels (500 KB) is well past the limit.
    for i in 0..1_000 {
        block.push_str(&" ".repeat(i));
        block.push_str("a:\n");
    }
    std::fs::write(root.join("deep-block.yaml"), block).unwrap();
    // 20 MiB: over the 16 MiB default cap.
    let big = format!("data: \"{}\"\n", "x".repeat(20 * 1024 * 1024));
    std::fs::write(root.join("big.yaml"), big).unwrap();
    std::fs::write(root.join("role.json"), POLICY_WITHOUT_SUB).unwrap();

    let started = Instant::now();
    let got = codes_by_file(root);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "took {:?}",
        started.elapsed()
    );
    for file in ["deep.json", "deep-flow.yaml", "deep-block.yaml", "big.yaml"] {
        assert!(
            got.iter().any(|(f, c, _, _)| f == file && *c == "IRSA002"),
            "{file}: {got:?}"
        );
    }
    assert!(
        got.iter()
            .any(|(f, c, _, _)| f == "role.json" && *c == "IRSA102"),
        "{got:?}"
    );
}

#[cfg(unix)]
#[test]
fn special_files_are_never_read() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.yaml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        return; // no mkfifo on this machine
    }
    std::fs::write(dir.path().join("role.json"), POLICY_WITHOUT_SUB).unwrap();
    // Walking skips the FIFO; naming it reports IRSA002 instead of blocking on it.
    let walked = codes_by_file(dir.path());
    assert!(
        walked
            .iter()
            .any(|(f, c, _, _)| f == "role.json" && *c == "IRSA102")
    );
    let opts = LintOptions {
        paths: vec![fifo.clone()],
        ..LintOptions::default()
    };
    let named = lint(&opts).unwrap().diagnostics;
    assert_eq!(named.len(), 1);
    assert_eq!(named[0].rule.code, "IRSA002");
}

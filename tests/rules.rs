//! Per-rule fixtures: `testdata/rules/<CODE>/fail/` must trigger the rule exactly at the places
//! listed in its `expected.txt` (`FILE:LINE:COLUMN`, one per line, `#` comments allowed), and
//! `testdata/rules/<CODE>/pass/` must not trigger it at all. Each directory is one run, so a
//! fixture may span several files; an optional `options.txt` gives the run's options
//! (`--cluster-issuer URL`). A rule in the registry without both directories fails here.

use std::path::{Path, PathBuf};

use irsa_lint::lint::{LintOptions, lint};
use irsa_lint::registry::RULES;

mod common;

fn run(dir: &Path) -> Vec<irsa_lint::diagnostic::Diagnostic> {
    let opts = LintOptions {
        paths: vec![dir.to_path_buf()],
        link: common::link_options(dir),
        ..LintOptions::default()
    };
    lint(&opts).expect("lint runs").diagnostics
}

fn relative(file: &str, dir: &Path) -> String {
    let dir = dir.to_string_lossy().replace('\\', "/");
    file.strip_prefix(&format!("{dir}/"))
        .unwrap_or(file)
        .to_string()
}

fn expected(dir: &Path) -> Vec<String> {
    let path = dir.join("expected.txt");
    if !path.exists() {
        return Vec::new();
    }
    let mut lines = common::lines(&path);
    lines.sort();
    lines
}

#[test]
fn every_rule_has_fixtures_that_trigger_it_exactly() {
    let root = PathBuf::from("testdata/rules");
    let mut failures = Vec::new();
    for rule in RULES {
        let fail = root.join(rule.code).join("fail");
        let pass = root.join(rule.code).join("pass");
        if !fail.is_dir() || !pass.is_dir() {
            failures.push(format!(
                "{}: missing {} or {}",
                rule.code,
                fail.display(),
                pass.display()
            ));
            continue;
        }
        let mut got: Vec<String> = run(&fail)
            .iter()
            .filter(|d| d.rule.code == rule.code)
            .map(|d| {
                let at = d.primary.start();
                format!("{}:{}:{}", relative(d.file(), &fail), at.line, at.column)
            })
            .collect();
        got.sort();
        let want = expected(&fail);
        if want.is_empty() {
            failures.push(format!(
                "{}: fail/expected.txt is missing or lists nothing",
                rule.code
            ));
        }
        if got != want {
            failures.push(format!(
                "{}: fail fixtures\n  expected: {want:?}\n  got:      {got:?}",
                rule.code
            ));
        }
        let stray: Vec<String> = run(&pass)
            .iter()
            .filter(|d| d.rule.code == rule.code)
            .map(|d| {
                let at = d.primary.start();
                format!(
                    "{}:{}:{} {}",
                    relative(d.file(), &pass),
                    at.line,
                    at.column,
                    d.message
                )
            })
            .collect();
        if !stray.is_empty() {
            failures.push(format!(
                "{}: pass fixtures triggered it: {stray:?}",
                rule.code
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

//! Snapshots of every fixture directory's full diagnostics: severity, rule, exact span, message,
//! label, help, related locations and logical path, all rules of the run included. The fixture
//! tests (`tests/rules.rs`, `tests/link_scenarios.rs`) pin where findings are; these pin what they
//! say, so a changed message, help line or related location is a visible diff in review.
//!
//! Each directory under `testdata/rules/<CODE>/{fail,pass}/`, `testdata/link/` and
//! `testdata/hostile/` has a `diagnostics.snap` beside its fixtures. After an intended change,
//! `IRSA_LINT_BLESS=1 cargo test --test snapshots` rewrites them; review the diff before
//! committing.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use irsa_lint::diagnostic::{Diagnostic, Label};
use irsa_lint::lint::{LintOptions, lint};
use irsa_lint::report::text::{Sink, for_sink};

mod common;

const SNAPSHOT: &str = "diagnostics.snap";

const HEADER: &str = "# The diagnostics of this directory, all rules: written by `IRSA_LINT_BLESS=1 cargo test --test snapshots`, reviewed like code.\n";

/// Every fixture directory, sorted.
fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs = vec![PathBuf::from("testdata/hostile")];
    let subdirs = |path: &str| -> Vec<PathBuf> {
        std::fs::read_dir(path)
            .unwrap_or_else(|_| panic!("{path} exists"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect()
    };
    for rule in subdirs("testdata/rules") {
        for kind in ["fail", "pass"] {
            let dir = rule.join(kind);
            if dir.is_dir() {
                dirs.push(dir);
            }
        }
    }
    dirs.extend(subdirs("testdata/link"));
    dirs.sort();
    dirs
}

fn run(dir: &Path) -> Vec<Diagnostic> {
    let opts = LintOptions {
        paths: vec![dir.to_path_buf()],
        link: common::link_options(dir),
        ..LintOptions::default()
    };
    lint(&opts).expect("lint runs").diagnostics
}

/// `FILE:LINE:COL-LINE:COL`, FILE relative to the fixture directory.
fn place(label: &Label, dir: &Path) -> String {
    let dir = dir.to_string_lossy().replace('\\', "/");
    let file = label.file();
    let file = file.strip_prefix(&format!("{dir}/")).unwrap_or(file);
    let (start, end) = (label.start(), label.end());
    format!(
        "{}:{}:{}-{}:{}",
        for_sink(file, Sink::Terminal),
        start.line,
        start.column,
        end.line,
        end.column
    )
}

/// The snapshot text of a run: one block per diagnostic, in report order. Text is rendered for a
/// terminal, so each field is one line whatever the fixture holds.
fn snapshot(diagnostics: &[Diagnostic], dir: &Path) -> String {
    let one_line = |text: &str| for_sink(text, Sink::Terminal).into_owned();
    let mut out = String::from(HEADER);
    for d in diagnostics {
        let _ = writeln!(
            out,
            "\n{} {} {} at {}",
            d.severity.as_str(),
            d.rule.code,
            d.rule.name,
            place(&d.primary, dir)
        );
        let _ = writeln!(out, "  message: {}", one_line(&d.message));
        if !d.primary.message.is_empty() {
            let _ = writeln!(out, "  label: {}", one_line(&d.primary.message));
        }
        if let Some(help) = &d.help {
            let _ = writeln!(out, "  help: {}", one_line(help));
        }
        for r in &d.related {
            let _ = writeln!(
                out,
                "  related: {}: {}",
                place(r, dir),
                one_line(&r.message)
            );
        }
        if !d.logical_path.is_empty() {
            let _ = writeln!(out, "  path: {}", one_line(&d.logical_path));
        }
    }
    out
}

/// The first line where `want` and `got` differ, with a little context.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    let show = |lines: &[&str]| -> String {
        lines
            .iter()
            .skip(at.saturating_sub(2))
            .take(5)
            .map(|l| format!("    {l}\n"))
            .collect()
    };
    format!(
        "  first difference at line {}:\n  snapshot:\n{}  now:\n{}",
        at + 1,
        show(&w),
        show(&g)
    )
}

#[test]
fn every_fixture_directory_matches_its_snapshot() {
    let bless = std::env::var_os("IRSA_LINT_BLESS").is_some_and(|v| !v.is_empty());
    let dirs = fixture_dirs();
    assert!(
        dirs.len() > 2 * irsa_lint::registry::RULES.len(),
        "the fixture directories were found"
    );
    let mut failures = Vec::new();
    for dir in &dirs {
        let got = snapshot(&run(dir), dir);
        let path = dir.join(SNAPSHOT);
        let want = std::fs::read_to_string(&path).ok();
        if want.as_deref() == Some(got.as_str()) {
            continue;
        }
        if bless {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        failures.push(match want {
            None => format!("{}: no snapshot", path.display()),
            Some(want) => format!("{}:\n{}", path.display(), first_difference(&want, &got)),
        });
    }
    assert!(
        failures.is_empty(),
        "{} snapshot(s) differ; if the change is intended, run `IRSA_LINT_BLESS=1 cargo test --test snapshots` and review the diff:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_changed_message_fails_the_comparison() {
    // The comparison above is of the whole text: a one-word change in a message is a difference.
    let dir = Path::new("testdata/link/seed");
    let mut diagnostics = run(dir);
    assert!(!diagnostics.is_empty());
    let original = snapshot(&diagnostics, dir);
    diagnostics[0].message.push_str(" (changed)");
    let changed = snapshot(&diagnostics, dir);
    assert_ne!(original, changed);
    assert!(first_difference(&original, &changed).contains("(changed)"));
    // And so is a moved related location or a changed help line.
    let mut diagnostics = run(dir);
    if let Some(d) = diagnostics.iter_mut().find(|d| !d.related.is_empty()) {
        d.related[0].span.start += 1;
    }
    assert_ne!(original, snapshot(&diagnostics, dir));
    let mut diagnostics = run(dir);
    if let Some(d) = diagnostics.iter_mut().find(|d| d.help.is_some()) {
        d.help = Some("other".into());
    }
    assert_ne!(original, snapshot(&diagnostics, dir));
}

#[test]
fn no_snapshot_is_left_without_its_fixture_directory() {
    let dirs = fixture_dirs();
    let mut stray = Vec::new();
    let mut stack = vec![PathBuf::from("testdata")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.file_name().is_some_and(|n| n == SNAPSHOT) && !dirs.contains(&dir) {
                stray.push(path.display().to_string());
            }
        }
    }
    assert!(
        stray.is_empty(),
        "snapshots of no fixture directory: {stray:?}"
    );
}

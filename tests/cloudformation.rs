//! CloudFormation templates: their holes (`${AWS::AccountId}`, `${Param}`, `${Role.Arn}`) are
//! values filled in at deploy time, never placeholders left in a rendered file (IRSA113,
//! IRSA114); and every template of the shared corpus, when present, is linted without a crash.

use std::path::{Path, PathBuf};

use irsa_lint::lint::{LintOptions, lint};

fn templates(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != ".git") {
                templates(&path, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            && std::fs::read_to_string(&path).is_ok_and(|t| {
                t.contains("AWSTemplateFormatVersion") || t.contains("AWS::IAM::Role")
            })
        {
            out.push(path);
        }
    }
}

#[test]
fn template_holes_are_not_placeholders() {
    let mut paths = Vec::new();
    templates(Path::new("testdata"), &mut paths);
    templates(Path::new("../shared/corpus"), &mut paths);
    assert!(!paths.is_empty());
    let opts = LintOptions {
        paths,
        ..LintOptions::default()
    };
    let diagnostics = lint(&opts).expect("lint runs").diagnostics;
    let placeholders: Vec<String> = diagnostics
        .iter()
        .filter(|d| matches!(d.rule.code, "IRSA113" | "IRSA114"))
        .map(|d| format!("{} {}", d.file(), d.message))
        .collect();
    assert!(placeholders.is_empty(), "{placeholders:#?}");
}

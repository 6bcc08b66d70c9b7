//! Helpers shared by the fixture-driven tests (each test crate uses a part of them).
#![allow(dead_code)]

use std::path::Path;

use irsa_lint::link::LinkOptions;

/// The non-empty lines of a fixture file, `#` comments removed.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{} is missing", path.display()))
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Apply one command-line option (`--cluster-issuer URL`, `--default-namespace NS`) to the link
/// options of a fixture run.
pub fn apply_option(options: &mut LinkOptions, flag: &str, value: &str) {
    match flag.trim_start_matches("--") {
        "cluster-issuer" => options.cluster_issuer = Some(value.to_string()),
        "default-namespace" => options.default_namespace = value.to_string(),
        other => panic!("unknown fixture option {other}"),
    }
}

/// The link options of a fixture directory: its optional `options.txt` holds command-line
/// options, one per line.
pub fn link_options(dir: &Path) -> LinkOptions {
    let mut options = LinkOptions::default();
    let path = dir.join("options.txt");
    if !path.exists() {
        return options;
    }
    for line in lines(&path) {
        let (flag, value) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("{}: `{line}` needs a value", path.display()));
        apply_option(&mut options, flag, value.trim());
    }
    options
}

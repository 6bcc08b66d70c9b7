//! The pipeline's layering: a module may use the modules before it in [`LAYERS`], never one after
//! it, so a reader can follow the code top to bottom and a stage cannot reach into a later one.
//! The test reads every source file and fails on a `crate::<module>` reference (outside comments)
//! that points backwards.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The crate's top-level modules, each allowed to use only the ones before it.
///
/// Beside the stages (discover → parse → extract → link → check → report) sit the modules they
/// share: spans and source text first, then rule metadata and diagnostics, the model (before the
/// frontends that fill it), and the IAM engine; suppressions and the baseline act on the checked findings; the configuration is read
/// into every stage's options, so it comes after the stages it configures; the driver and the
/// command line come last.
const LAYERS: &[&str] = &[
    "source",
    "limits",
    "discover",
    "registry",
    "diagnostic",
    "model",
    "parse",
    "extract",
    "frontend",
    "engine",
    "link",
    "check",
    "suppress",
    "baseline",
    "report",
    "config",
    "lint",
    "cli",
];

/// Back-edges that exist while a refactor removes them, each as (from, to). The test fails when
/// one no longer occurs, so the list only shrinks. Empty: there are none.
const KNOWN_BACK_EDGES: &[(&str, &str)] = &[];

/// Modules that know nothing of the syntax their input was written in: they read the model, never
/// a frontend (`crate::parse`, `crate::extract`, `crate::frontend`), so a new input format needs a
/// frontend and nothing else.
const SYNTAX_FREE: &[&str] = &[
    "registry",
    "diagnostic",
    "model",
    "engine",
    "link",
    "check",
    "suppress",
    "baseline",
    "report",
];

/// Syntax-free modules that still read the tree, while a refactor removes it. Like
/// [`KNOWN_BACK_EDGES`], the list only shrinks. Empty: there are none.
const KNOWN_SYNTAX_READERS: &[&str] = &[];

/// The files of a top-level module: `src/<name>.rs` or everything under `src/<name>/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let single = root.join(format!("{module}.rs"));
    if single.is_file() {
        return vec![single];
    }
    let mut out = Vec::new();
    let mut stack = vec![root.join(module)];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|_| panic!("{}", dir.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out
}

/// The top-level modules a source text refers to as `crate::<name>`, comments left out.
fn references(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    out
}

#[test]
fn no_module_uses_a_later_one() {
    let lib = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs")).unwrap();
    let declared: BTreeSet<&str> = lib
        .lines()
        .filter_map(|l| l.strip_prefix("pub mod "))
        .map(|l| l.trim_end_matches(';'))
        .collect();
    let layered: BTreeSet<&str> = LAYERS.iter().copied().collect();
    assert_eq!(
        declared, layered,
        "every top-level module has its place in LAYERS"
    );

    let position = |m: &str| LAYERS.iter().position(|l| *l == m);
    let mut back_edges = BTreeSet::new();
    let mut failures = Vec::new();
    for (i, module) in LAYERS.iter().enumerate() {
        for file in files_of(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            for target in references(&text) {
                let Some(j) = position(&target) else { continue };
                if j <= i {
                    continue;
                }
                back_edges.insert((module.to_string(), target.clone()));
                if !KNOWN_BACK_EDGES.contains(&(module, target.as_str())) {
                    failures.push(format!(
                        "{}: `{module}` uses `crate::{target}`, a later layer",
                        file.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                            .unwrap()
                            .display()
                    ));
                }
            }
        }
    }
    let mut syntax_readers = BTreeSet::new();
    for module in SYNTAX_FREE {
        for file in files_of(module) {
            let text = std::fs::read_to_string(&file).unwrap();
            // Unit tests may make their input with a frontend: only the module's own code counts.
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            let refs = references(code);
            if !["parse", "extract", "frontend"]
                .iter()
                .any(|f| refs.contains(*f))
            {
                continue;
            }
            syntax_readers.insert(*module);
            if !KNOWN_SYNTAX_READERS.contains(module) {
                failures.push(format!(
                    "{}: `{module}` uses a frontend (`crate::parse`, `crate::extract` or `crate::frontend`): it should read the model",
                    file.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap().display()
                ));
            }
        }
    }
    for module in KNOWN_SYNTAX_READERS {
        if !syntax_readers.contains(module) {
            failures.push(format!(
                "`{module}` no longer reads the parsed tree: remove it from KNOWN_SYNTAX_READERS"
            ));
        }
    }
    for (from, to) in KNOWN_BACK_EDGES {
        if !back_edges.contains(&(from.to_string(), to.to_string())) {
            failures.push(format!(
                "`{from}` no longer uses `{to}`: remove the pair from KNOWN_BACK_EDGES"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn references_ignore_comments_and_find_paths() {
    let found = references(
        "use crate::model::policy::X; // crate::cli\n/// crate::lint\nlet a = crate::engine::f();\n",
    );
    assert_eq!(
        found,
        ["engine", "model"].iter().map(|s| s.to_string()).collect()
    );
}

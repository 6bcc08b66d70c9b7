//! Architecture rules that the compiler does not enforce (docs/architecture.md, "Check").
//!
//! Rules are leaves: a rule file under `src/check/{trust,manifest,crosslink,pod_identity}/` may
//! use the support layer (`check::support`), the model, the engine, the link stage, the registry,
//! diagnostics and sources, but never another rule file, nor helpers kept in its scope's `mod.rs`. A rule that needs what another rule computes asks for it to move to
//! `src/check/support/`, so that deleting or rewriting one rule never breaks another.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

const RULE_SCOPES: [&str; 4] = ["trust", "manifest", "crosslink", "pod_identity"];

fn check_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src/check")
}

/// Every rule file (`src/check/<scope>/<rule>.rs`, `mod.rs` excluded), sorted.
fn rule_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for scope in RULE_SCOPES {
        for entry in fs::read_dir(check_dir().join(scope)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "rs")
                && path.file_name().is_some_and(|n| n != "mod.rs")
            {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn module_name(path: &Path) -> String {
    path.file_stem().unwrap().to_string_lossy().into_owned()
}

/// The text with `//` comments removed (doc comments included): only code makes a dependency.
/// String literals do not hold `//` in rule files' paths we look for, so a line scan is enough.
fn code_of(text: &str) -> String {
    text.lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers and `::` of the code, in order (whitespace and other punctuation dropped).
fn path_tokens(code: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut chars = code.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                if d.is_alphanumeric() || d == '_' {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            tokens.push(code[i..end].to_string());
        } else if c == ':' && chars.peek().is_some_and(|&(_, d)| d == ':') {
            chars.next();
            tokens.push("::".to_string());
        } else if !c.is_whitespace() {
            tokens.push(c.to_string());
        }
    }
    tokens
}

/// The other rule modules a rule file names as a path segment (`super::x::`, `trust::x::`,
/// `use super::{x::y}`): a module name followed by `::`.
fn sibling_references(code: &str, own: &str, rules: &BTreeSet<String>) -> BTreeSet<String> {
    let tokens = path_tokens(code);
    tokens
        .windows(2)
        .filter(|w| w[1] == "::" && w[0] != own && rules.contains(&w[0]))
        .map(|w| w[0].clone())
        .collect()
}

/// The code of a rule file outside its unit tests (`mod tests { use super::*; ... }` names the
/// rule itself, which is allowed).
fn code_outside_tests(code: &str) -> &str {
    match code.find("mod tests") {
        Some(at) => &code[..at],
        None => code,
    }
}

#[test]
fn no_rule_file_imports_another_rule() {
    let files = rule_files();
    assert!(files.len() > 50, "rule files not found under src/check");
    let rules: BTreeSet<String> = files.iter().map(|f| module_name(f)).collect();
    let mut offenders = Vec::new();
    for file in &files {
        let code = code_of(&fs::read_to_string(file).unwrap());
        let own = module_name(file);
        let refs = sibling_references(&code, &own, &rules);
        if !refs.is_empty() {
            offenders.push(format!(
                "{} uses {}",
                file.strip_prefix(check_dir()).unwrap().display(),
                refs.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    assert!(
        offenders.is_empty(),
        "rule files must not import other rule files; move what they share to \
         src/check/support/:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn no_rule_file_imports_its_scope_module() {
    // A scope's `mod.rs` registers rules; helpers shared by rules belong to `check::support`.
    let mut offenders = Vec::new();
    for file in rule_files() {
        let code = code_of(&fs::read_to_string(&file).unwrap());
        let code = code_outside_tests(&code);
        let tokens = path_tokens(code);
        let scope_paths = tokens.windows(3).any(|w| {
            (w[0] == "super" && w[1] == "::")
                || (w[0] == "check" && w[1] == "::" && RULE_SCOPES.contains(&w[2].as_str()))
        });
        if scope_paths {
            offenders.push(
                file.strip_prefix(check_dir())
                    .unwrap()
                    .display()
                    .to_string(),
            );
        }
    }
    assert!(
        offenders.is_empty(),
        "rule files must not import from `super` or a rule scope (use check::support):\n{}",
        offenders.join("\n")
    );
}

#[test]
fn earlier_stages_do_not_import_check() {
    // The engine, the model and the link stage run before (or beside) the rules.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    for dir in ["engine", "model", "link"] {
        let mut stack = vec![src.join(dir)];
        while let Some(path) = stack.pop() {
            if path.is_dir() {
                for entry in fs::read_dir(&path).unwrap() {
                    stack.push(entry.unwrap().path());
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = code_of(&fs::read_to_string(&path).unwrap());
                if code.contains("crate::check") {
                    offenders.push(path.strip_prefix(&src).unwrap().display().to_string());
                }
            }
        }
    }
    offenders.sort();
    assert!(
        offenders.is_empty(),
        "these files import from src/check:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn sibling_references_are_found() {
    let rules: BTreeSet<String> = ["a_rule", "b_rule"].iter().map(|s| s.to_string()).collect();
    let found = |code: &str| sibling_references(code, "a_rule", &rules);
    assert!(found("use super::b_rule::helper;").contains("b_rule"));
    assert!(found("use super::{b_rule::{x, y}, z};").contains("b_rule"));
    assert!(found("let v = crate::check::trust::b_rule::X;").contains("b_rule"));
    assert!(found("use super::a_rule::x; fn b_rule() {}").is_empty());
    assert!(sibling_references(&code_of("// super::b_rule::x"), "a_rule", &rules).is_empty());
}

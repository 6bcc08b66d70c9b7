//! Turns `rules/*.md` into the rule registry the binary embeds (`$OUT_DIR/rules.rs`) and into the
//! tables that bind each rule to its implementation (`$OUT_DIR/checks.rs`, included by
//! `src/check/mod.rs`).
//!
//! Each rule file starts with front matter between `---` lines (`key: value`, one per line; `tags`
//! as `[a, b]`), followed by the Markdown documentation. Fenced code blocks whose info string is
//! `<lang> fail` or `<lang> pass` (optionally `file=NAME` and options such as `cluster-issuer=URL`)
//! are the rule's examples; tests run them.
//!
//! `scope` says where a rule runs, a value or a list of values:
//! - `input`: no check function; the driver and the suppressions report it. Stands alone.
//! - `trust`: per trust policy, in `TRUST_CHECKS`; the implementation is
//!   `src/check/trust/<name with - as _>.rs`.
//! - `linked`: over the linked model, in `LINKED_CHECKS`; the implementation is
//!   `src/check/manifest/<module>.rs` for category `manifest`, `src/check/crosslink/<module>.rs`
//!   for category `cross-link`, `src/check/pod_identity/<module>.rs` for category
//!   `pod-identity`, with the module named as for `trust`.
//!
//! `check` (optional, a value or a list) names an implementation that cannot be derived that way,
//! as `<folder>::<module>` (`manifest::placeholder_role_arn`); the folder says which scope it
//! serves. A `check` that names the derived module is an error, so the key marks exceptions only.
//!
//! The build fails when a scope is missing or unknown, or a rule's implementation file is missing
//! or not declared in its folder's `mod.rs`, or a file in a rule folder implements no rule. The
//! `pub mod` declarations stay hand-written in each folder's `mod.rs`: rustfmt follows only `mod`
//! items it can see in the source tree, so generated ones would leave the rule files unformatted.

use std::fmt::Write as _;
use std::path::Path;

const REQUIRED: [&str; 9] = [
    "code",
    "name",
    "summary",
    "severity",
    "category",
    "scope",
    "tags",
    "security-severity",
    "precision",
];

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let mut files: Vec<_> = std::fs::read_dir("rules")
        .expect("rules/ directory")
        .map(|e| e.expect("rules/ entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();

    let mut out = String::new();
    let mut consts = String::new();
    out.push_str("/// Every rule, sorted by code (generated from `rules/` by build.rs).\n");
    out.push_str("pub static RULES: &[Rule] = &[\n");
    let mut seen_codes = Vec::new();
    let mut checks = Checks::default();
    for (index, path) in files.iter().enumerate() {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(path).expect("rule file is UTF-8");
        let rule = parse_rule(path, &text);
        let code = &rule.front["code"];
        let name = &rule.front["name"];
        let stem = path.file_stem().unwrap().to_string_lossy();
        assert_eq!(
            stem,
            format!("{code}-{name}"),
            "{}: file must be named CODE-name.md",
            path.display()
        );
        assert!(
            !seen_codes.contains(code),
            "{}: duplicate code {code}",
            path.display()
        );
        seen_codes.push(code.clone());
        let severity = match rule.front["severity"].as_str() {
            "error" => "Severity::Error",
            "warning" => "Severity::Warning",
            "info" => "Severity::Info",
            other => panic!("{}: unknown severity {other}", path.display()),
        };
        let tags = list(&rule.front["tags"]);
        checks.bind(path, code, &rule.front);
        let abs = std::fs::canonicalize(path).unwrap();
        writeln!(out, "    Rule {{").unwrap();
        writeln!(out, "        code: {code:?},").unwrap();
        writeln!(out, "        name: {name:?},").unwrap();
        writeln!(out, "        summary: {:?},", rule.front["summary"]).unwrap();
        writeln!(out, "        default_severity: {severity},").unwrap();
        writeln!(out, "        category: {:?},", rule.front["category"]).unwrap();
        writeln!(out, "        tags: &{tags:?},").unwrap();
        writeln!(
            out,
            "        security_severity: {:?},",
            rule.front["security-severity"]
        )
        .unwrap();
        writeln!(out, "        precision: {:?},", rule.front["precision"]).unwrap();
        writeln!(
            out,
            "        source_file: {:?},",
            format!("rules/{stem}.md")
        )
        .unwrap();
        writeln!(
            out,
            "        doc: include_str!({:?}),",
            abs.display().to_string()
        )
        .unwrap();
        writeln!(out, "        body_offset: {},", rule.body_offset).unwrap();
        writeln!(out, "        examples: &[").unwrap();
        for ex in &rule.examples {
            writeln!(
                out,
                "            Example {{ lang: {:?}, expect: {}, file: {:?}, options: &{:?}, code: {:?}, line: {} }},",
                ex.lang,
                if ex.fail { "Expect::Fail" } else { "Expect::Pass" },
                ex.file,
                ex.options,
                ex.code,
                ex.line
            )
            .unwrap();
        }
        writeln!(out, "        ],").unwrap();
        writeln!(out, "    }},").unwrap();
        writeln!(
            consts,
            "/// `{code}` {name}: {}\npub static {code}: &Rule = &RULES[{index}];",
            rule.front["summary"].replace('`', "'")
        )
        .unwrap();
    }
    out.push_str("];\n\n");
    out.push_str(&consts);
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("rules.rs");
    std::fs::write(dest, out).unwrap();
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("checks.rs");
    std::fs::write(dest, checks.finish()).unwrap();
}

/// The items of a front-matter value: `[a, b]` or a single `a`.
fn list(value: &str) -> Vec<String> {
    value
        .trim_matches(|c| c == '[' || c == ']')
        .split(',')
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// The folders that hold rule implementations, under `src/check/`.
const RULE_FOLDERS: [&str; 4] = ["trust", "manifest", "crosslink", "pod_identity"];

/// The rows of `TRUST_CHECKS` and `LINKED_CHECKS`, in rule-file (code) order, and the modules
/// they name, `(folder, module)`.
#[derive(Default)]
struct Checks {
    trust: Vec<String>,
    linked: Vec<String>,
    bound: Vec<(String, String)>,
}

impl Checks {
    /// Reads `scope` and `check` of one rule file and adds its rows.
    fn bind(
        &mut self,
        path: &Path,
        code: &str,
        front: &std::collections::BTreeMap<String, String>,
    ) {
        let file = path.display();
        let scopes = list(&front["scope"]);
        assert!(!scopes.is_empty(), "{file}: scope is empty");
        for (i, scope) in scopes.iter().enumerate() {
            assert!(
                ["input", "trust", "linked"].contains(&scope.as_str()),
                "{file}: unknown scope {scope:?} (expected input, trust or linked)"
            );
            assert!(
                !scopes[..i].contains(scope),
                "{file}: scope {scope} is listed twice"
            );
        }
        let explicit: Vec<(String, String)> = front
            .get("check")
            .map(|v| list(v))
            .unwrap_or_default()
            .iter()
            .map(|c| {
                let (folder, module) = c.split_once("::").unwrap_or(("", ""));
                assert!(
                    RULE_FOLDERS.contains(&folder)
                        && !module.is_empty()
                        && module
                            .chars()
                            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_'),
                    "{file}: check {c:?} is not FOLDER::module with FOLDER one of {RULE_FOLDERS:?}"
                );
                (folder.to_string(), module.to_string())
            })
            .collect();
        if scopes.iter().any(|s| s == "input") {
            assert!(
                scopes.len() == 1 && explicit.is_empty(),
                "{file}: an input rule has no check function, so it has no other scope and no \
                 check key"
            );
            return;
        }
        let derived_module = front["name"].replace('-', "_");
        let derived_linked_folder = match front["category"].as_str() {
            "manifest" => Some("manifest"),
            "cross-link" => Some("crosslink"),
            "pod-identity" => Some("pod_identity"),
            _ => None,
        };
        let mut used = vec![false; explicit.len()];
        for scope in &scopes {
            let derived_folder = if scope == "trust" {
                Some("trust")
            } else {
                derived_linked_folder
            };
            let serves = |folder: &str| (folder == "trust") == (scope == "trust");
            let mut named = explicit.iter().enumerate().filter(|(_, (f, _))| serves(f));
            let (folder, module) = match (named.next(), named.next()) {
                (Some(_), Some(_)) => panic!("{file}: two check keys for scope {scope}"),
                (Some((i, (folder, module))), None) => {
                    used[i] = true;
                    assert!(
                        derived_folder != Some(folder.as_str()) || *module != derived_module,
                        "{file}: check {folder}::{module} is what scope {scope} derives from the \
                         name and category; drop it"
                    );
                    (folder.as_str(), module.as_str())
                }
                (None, _) => match derived_folder {
                    Some(folder) => (folder, derived_module.as_str()),
                    None => panic!(
                        "{file}: scope linked with category {:?} needs a check key naming \
                         manifest::MODULE, crosslink::MODULE or pod_identity::MODULE",
                        front["category"]
                    ),
                },
            };
            let source = format!("src/check/{folder}/{module}.rs");
            assert!(
                Path::new(&source).is_file(),
                "{file}: scope {scope} runs {folder}::{module}::check, but {source} does not exist \
                 (write it, or name the implementation with a check key)"
            );
            let row = format!("    (registry::{code}, {folder}::{module}::check),\n");
            if scope == "trust" {
                self.trust.push(row);
            } else {
                self.linked.push(row);
            }
            self.bound.push((folder.to_string(), module.to_string()));
        }
        if let Some(i) = used.iter().position(|u| !u) {
            let (folder, module) = &explicit[i];
            panic!("{file}: check {folder}::{module} serves a scope the rule does not list");
        }
    }

    /// Checks that each bound module is declared and every rule file is bound, and returns the
    /// source of the two tables.
    fn finish(self) -> String {
        for folder in RULE_FOLDERS {
            let dir = format!("src/check/{folder}");
            println!("cargo:rerun-if-changed={dir}");
            let mod_rs = format!("{dir}/mod.rs");
            let declared = std::fs::read_to_string(&mod_rs).expect("rule folder has a mod.rs");
            for (_, module) in self.bound.iter().filter(|(f, _)| f == folder) {
                assert!(
                    declared
                        .lines()
                        .any(|l| l.trim() == format!("pub mod {module};")),
                    "{mod_rs} does not declare `pub mod {module};`, which a rule in rules/ runs"
                );
            }
            for entry in std::fs::read_dir(&dir).expect("rule folder") {
                let path = entry.expect("rule folder entry").path();
                let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
                    continue;
                };
                if path.extension().is_some_and(|e| e == "rs")
                    && stem != "mod"
                    && !self.bound.iter().any(|(f, m)| f == folder && *m == stem)
                {
                    panic!(
                        "{}: no rule in rules/ runs it (give its page a scope, or a check key \
                         naming {folder}::{stem})",
                        path.display()
                    );
                }
            }
        }
        format!(
            "/// Every rule of scope `trust` with its implementation, by code.\n\
             pub static TRUST_CHECKS: &[(&Rule, TrustCheck)] = &[\n{}];\n\n\
             /// Every rule of scope `linked` with its implementation, by code. A rule whose scope \
             lists both\n/// is in both tables.\n\
             pub static LINKED_CHECKS: &[(&Rule, LinkedCheck)] = &[\n{}];\n",
            self.trust.concat(),
            self.linked.concat()
        )
    }
}

struct ParsedRule {
    front: std::collections::BTreeMap<String, String>,
    body_offset: usize,
    examples: Vec<ParsedExample>,
}

struct ParsedExample {
    lang: String,
    fail: bool,
    file: Option<String>,
    /// Other `key=value` words of the info string: options for the run (`cluster-issuer=URL`).
    options: Vec<(String, String)>,
    code: String,
    line: usize,
}

fn parse_rule(path: &Path, text: &str) -> ParsedRule {
    let rest = text
        .strip_prefix("---\n")
        .unwrap_or_else(|| panic!("{}: missing front matter", path.display()));
    let end = rest
        .find("\n---\n")
        .unwrap_or_else(|| panic!("{}: unterminated front matter", path.display()));
    let mut front = std::collections::BTreeMap::new();
    for line in rest[..end].lines() {
        let (key, value) = line
            .split_once(':')
            .unwrap_or_else(|| panic!("{}: bad front matter line {line:?}", path.display()));
        front.insert(key.trim().to_string(), value.trim().to_string());
    }
    for key in REQUIRED {
        assert!(
            front.contains_key(key),
            "{}: front matter lacks {key}",
            path.display()
        );
    }
    let body_offset = 4 + end + 5;
    let body = &text[body_offset..];
    for section in [
        "## What it does",
        "## Why it matters",
        "## Example",
        "## How to fix",
        "## References",
    ] {
        assert!(
            body.contains(section),
            "{}: missing section {section}",
            path.display()
        );
    }

    let mut examples = Vec::new();
    let mut lines = body.lines().enumerate();
    let body_first_line = text[..body_offset].lines().count();
    while let Some((i, line)) = lines.next() {
        let Some(info) = line.strip_prefix("```") else {
            continue;
        };
        let words: Vec<&str> = info.split_whitespace().collect();
        let kind = words.get(1).copied();
        let mut code = String::new();
        for (_, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            code.push_str(l);
            code.push('\n');
        }
        if let Some(kind @ ("fail" | "pass")) = kind {
            let file = words
                .iter()
                .find_map(|w| w.strip_prefix("file="))
                .map(str::to_string);
            let options = words[2..]
                .iter()
                .filter_map(|w| w.split_once('='))
                .filter(|(k, _)| *k != "file")
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            examples.push(ParsedExample {
                lang: words[0].to_string(),
                fail: kind == "fail",
                file,
                options,
                code,
                line: body_first_line + i + 1,
            });
        }
    }
    assert!(
        examples.iter().any(|e| e.fail) && examples.iter().any(|e| !e.fail),
        "{}: needs at least one fail and one pass example",
        path.display()
    );
    ParsedRule {
        front,
        body_offset,
        examples,
    }
}

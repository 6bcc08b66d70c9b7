//! Turns `rules/*.md` into the rule registry the binary embeds (`$OUT_DIR/rules.rs`).
//!
//! Each rule file starts with front matter between `---` lines (`key: value`, one per line; `tags`
//! as `[a, b]`), followed by the Markdown documentation. Fenced code blocks whose info string is
//! `<lang> fail` or `<lang> pass` (optionally `file=NAME` and options such as `cluster-issuer=URL`)
//! are the rule's examples; tests run them.

use std::fmt::Write as _;
use std::path::Path;

const REQUIRED: [&str; 8] = [
    "code",
    "name",
    "summary",
    "severity",
    "category",
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
        let tags: Vec<String> = rule.front["tags"]
            .trim_matches(|c| c == '[' || c == ']')
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
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

//! Rule documentation rendered from the registry: `explain`, `rules` and the `docs/rules/` pages.

use std::fmt::Write as _;

use crate::registry::{RULES, Rule};

/// `irsa-lint explain CODE`.
pub fn explain(rule: &Rule) -> String {
    format!(
        "{} {} ({}, {})\n\n{}\n\n{}",
        rule.code,
        rule.name,
        rule.default_severity.as_str(),
        rule.category,
        rule.summary,
        rule.body().trim_start()
    )
}

/// `irsa-lint rules`: an aligned table.
pub fn table() -> String {
    let mut out = String::new();
    for r in RULES {
        let _ = writeln!(
            out,
            "{:<8} {:<32} {:<8} {}",
            r.code,
            r.name,
            r.default_severity.as_str(),
            r.summary
        );
    }
    out
}

/// `irsa-lint rules --format json`.
pub fn json() -> String {
    let rules: Vec<_> = RULES
        .iter()
        .map(|r| {
            serde_json::json!({
                "code": r.code,
                "name": r.name,
                "summary": r.summary,
                "severity": r.default_severity.as_str(),
                "category": r.category,
                "tags": r.tags,
                "security_severity": r.security_severity,
                "precision": r.precision,
            })
        })
        .collect();
    let mut out = serde_json::to_string_pretty(&serde_json::json!({"version": 1, "rules": rules}))
        .expect("rules serialise");
    out.push('\n');
    out
}

/// The file name of a rule's generated page under `docs/rules/`.
pub fn page_name(rule: &Rule) -> String {
    format!("{}-{}.md", rule.code, rule.name)
}

/// `irsa-lint rules --format markdown`, also `docs/rules/README.md`.
pub fn index_markdown() -> String {
    let mut out = String::from(
        "# Rules\n\n<!-- Generated from rules/ by `irsa-lint rules --format markdown`; do not edit. -->\n\n| code | name | severity | summary |\n|---|---|---|---|\n",
    );
    for r in RULES {
        let _ = writeln!(
            out,
            "| {} | [{}]({}) | {} | {} |",
            r.code,
            r.name,
            page_name(r),
            r.default_severity.as_str(),
            r.summary.replace('|', "\\|")
        );
    }
    out
}

/// A rule's page under `docs/rules/`.
pub fn page(rule: &Rule) -> String {
    format!(
        "# {} {}\n\n<!-- Generated from {} ; do not edit. -->\n\n{}\n\n| severity | category | tags | SARIF security-severity |\n|---|---|---|---|\n| {} | {} | {} | {} |\n\n{}",
        rule.code,
        rule.name,
        rule.source_file,
        rule.summary,
        rule.default_severity.as_str(),
        rule.category,
        rule.tags.join(", "),
        rule.security_severity,
        rule.body().trim_start()
    )
}

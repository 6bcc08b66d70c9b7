//! GitLab Code Quality: the JSON array GitLab reads from `artifacts:reports:codequality` (a
//! subset of the Code Climate issue format). See docs/output-formats.md.
//!
//! GitLab requires `description`, `check_name`, `fingerprint`, `severity`, `location.path` and
//! `location.lines.begin`; the other fields written here (`type`, `categories`, `content`,
//! `other_locations`, `location.lines.end`) come from the Code Climate specification GitLab's
//! format is based on, and are ignored by GitLab where it has no use for them. Input-derived text
//! is a JSON string ([`Sink::Json`]).

use serde::Serialize;

use super::text::{self, Sink, Untrusted};
use crate::diagnostic::{self, Diagnostic, Label, Severity};

/// The Code Quality severity of a finding.
///
/// `error` is `critical`: an error is a trust policy or manifest that does not work or is unsafe,
/// which GitLab's widget should rank above ordinary code smells (`major`). `warning` is `major`
/// and `info` is `info`. `minor` and `blocker` are not used: `blocker` would claim more certainty
/// than a static check of one repository has.
pub fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

/// Render the Code Quality report: one issue per diagnostic, in report order; `[]` when there
/// are none.
pub fn render(diagnostics: &[Diagnostic]) -> String {
    let fingerprints = diagnostic::fingerprints(diagnostics);
    let issues: Vec<Issue> = diagnostics
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| Issue {
            description: Untrusted::new(format!("{} {}: ", d.rule.code, d.rule.name))
                .and(&text::message(d))
                .to(Sink::Json)
                .into_owned(),
            check_name: d.rule.code,
            fingerprint,
            severity: severity(d.severity),
            kind: "issue",
            categories: [if d.rule.is_security() {
                "Security"
            } else {
                "Bug Risk"
            }],
            content: text::help(d).map(|help| Content {
                body: help
                    .with(&format!("\n\nSee `irsa-lint explain {}`.", d.rule.code))
                    .to(Sink::Json)
                    .into_owned(),
            }),
            location: location(&d.primary),
            other_locations: d.related.iter().map(location).collect(),
        })
        .collect();
    // Plain structs of strings and integers always serialise; an empty report beats a panic.
    let mut out = serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_string());
    out.push('\n');
    out
}

fn location(label: &Label) -> IssueLocation {
    let (start, end) = (label.start(), label.end());
    IssueLocation {
        path: text::file(label)
            .portable_path()
            .to(Sink::Json)
            .into_owned(),
        lines: Lines {
            begin: start.line,
            end: end.line,
        },
    }
}

#[derive(Serialize)]
struct Issue {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    categories: [&'static str; 1],
    #[serde(skip_serializing_if = "Option::is_none")]
    content: Option<Content>,
    location: IssueLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    other_locations: Vec<IssueLocation>,
}

#[derive(Serialize)]
struct Content {
    body: String,
}

#[derive(Serialize)]
struct IssueLocation {
    path: String,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
    end: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use crate::source::{SourceFile, Span};
    use std::sync::Arc;

    #[test]
    fn no_findings_is_an_empty_array() {
        assert_eq!(render(&[]), "[]\n");
    }

    #[test]
    fn issue_fields_are_exact() {
        let file = Arc::new(SourceFile::new(
            "k8s/sa.yaml",
            None,
            "a: 1\nb: 2\nc: 3\n".to_string(),
        ));
        let diags = vec![
            Diagnostic::new(registry::IRSA206, &file, Span::new(5, 13), "m")
                .help("h")
                .related(&file, Span::new(0, 1), "r"),
        ];
        let json: serde_json::Value = serde_json::from_str(&render(&diags)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "description": "IRSA206 default-service-account-has-role: m",
                "check_name": "IRSA206",
                "fingerprint": diagnostic::fingerprints(&diags)[0],
                "severity": "major",
                "type": "issue",
                "categories": [if registry::IRSA206.is_security() { "Security" } else { "Bug Risk" }],
                "content": {"body": "h\n\nSee `irsa-lint explain IRSA206`."},
                "location": {"path": "k8s/sa.yaml", "lines": {"begin": 2, "end": 3}},
                "other_locations": [{"path": "k8s/sa.yaml", "lines": {"begin": 1, "end": 1}}]
            }])
        );
    }

    #[test]
    fn severities_map_to_code_quality_levels() {
        assert_eq!(severity(Severity::Error), "critical");
        assert_eq!(severity(Severity::Warning), "major");
        assert_eq!(severity(Severity::Info), "info");
    }
}

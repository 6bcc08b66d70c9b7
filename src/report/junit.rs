//! JUnit XML, for CI systems that show test reports (GitLab `artifacts:reports:junit`, Jenkins,
//! Azure Pipelines, CircleCI). See docs/output-formats.md.
//!
//! One `<testcase>` per finding, its class name the file, so the CI groups findings by file.
//! Findings at or above `--fail-on` (warning by default) are `<failure>`s, so the report fails
//! exactly when the exit status does; a finding below it is a passing case whose `<system-out>`
//! holds the details (it did not fail, but it is not "skipped" either: the check ran).
//! The report is valid against the Jenkins xUnit plugin's `junit-10.xsd` (the strictest common
//! schema; `tests/report_formats.rs` checks it): no `skipped` on `<testsuites>`, no `file` or
//! `line` on `<testcase>` (the class name and the test's name carry them). With no findings, one passing case says so, because several CI tools treat a report with
//! no test case as a broken report. JUnit's `errors` (the test itself crashed) is always 0: a file
//! irsa-lint could not read is a finding (IRSA001/IRSA002) like any other.

use std::fmt::Write as _;

use super::Summary;
use super::text::{self, Sink, Untrusted};
use crate::diagnostic::Diagnostic;

/// The name of the suite (and of the `<testsuites>` element).
pub const SUITE_NAME: &str = "irsa-lint";

/// The details of a finding, for the body of `<failure>` or `<system-out>`, as XML text: each
/// input-derived piece rendered for it ([`Sink::XmlText`], so a line break in a value is a visible
/// `\n`), one line per piece of our own.
fn details(d: &Diagnostic) -> String {
    let xml = |text: Untrusted<'_>| text.to(Sink::XmlText).into_owned();
    let at = d.primary.start();
    let mut text = format!(
        "{}[{} {}] {}:{}:{}\n{}\n",
        d.severity.as_str(),
        d.rule.code,
        d.rule.name,
        xml(text::file(&d.primary).portable_path()),
        at.line,
        at.column,
        xml(text::message(d)),
    );
    if let Some(help) = text::help(d) {
        let _ = writeln!(text, "help: {}", xml(help));
    }
    for r in &d.related {
        let at = r.start();
        let _ = write!(
            text,
            "see also {}:{}:{}",
            xml(text::file(r).portable_path()),
            at.line,
            at.column
        );
        if !text::label_message(r).is_empty() {
            let _ = write!(text, ": {}", xml(text::label_message(r)));
        }
        text.push('\n');
    }
    let _ = writeln!(text, "see `irsa-lint explain {}`", d.rule.code);
    text
}

/// Render the JUnit report for `diagnostics` (in report order).
pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let fails = |d: &Diagnostic| summary.fail_threshold.is_some_and(|t| d.severity >= t);
    let failures = diagnostics.iter().filter(|d| fails(d)).count();
    let tests = diagnostics.len().max(1);
    let counts = format!(r#"tests="{tests}" failures="{failures}" errors="0""#);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, r#"<testsuites name="{SUITE_NAME}" {counts}>"#);
    let _ = writeln!(
        out,
        r#"  <testsuite name="{SUITE_NAME}" {counts} skipped="0">"#
    );
    if diagnostics.is_empty() {
        let _ = writeln!(
            out,
            r#"    <testcase classname="{SUITE_NAME}" name="{}"/>"#,
            Untrusted::new(summary.sentence()).to(Sink::XmlAttribute)
        );
    }
    for d in diagnostics {
        let at = d.primary.start();
        let file = text::file(&d.primary).portable_path();
        let file = file.to(Sink::XmlAttribute);
        let _ = writeln!(
            out,
            r#"    <testcase classname="{file}" name="{} {} at {}:{}">"#,
            d.rule.code, d.rule.name, at.line, at.column
        );
        if fails(d) {
            let _ = writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                text::message(d).to(Sink::XmlAttribute),
                d.rule.code,
                details(d)
            );
        } else {
            let _ = writeln!(out, "      <system-out>{}</system-out>", details(d));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;
    use crate::registry;
    use crate::source::{SourceFile, Span};
    use std::sync::Arc;

    #[test]
    fn no_findings_is_one_passing_case() {
        assert_eq!(
            render(&[], &Summary::new(2, &[])),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"irsa-lint\" tests=\"1\" failures=\"0\" errors=\"0\">\n  <testsuite name=\"irsa-lint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\">\n    <testcase classname=\"irsa-lint\" name=\"no problems found in 2 files\"/>\n  </testsuite>\n</testsuites>\n"
        );
    }

    #[test]
    fn warning_fails_and_info_passes() {
        let file = Arc::new(SourceFile::new("a&b.yaml", None, "x: 1\n".to_string()));
        let diags = vec![
            Diagnostic::new(registry::IRSA206, &file, Span::new(3, 4), "w <1>")
                .severity(Severity::Warning),
            Diagnostic::new(registry::IRSA217, &file, Span::new(0, 1), "i")
                .severity(Severity::Info),
        ];
        let xml = render(&diags, &Summary::new(1, &diags));
        assert!(xml.contains(
            "<testsuite name=\"irsa-lint\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">"
        ));
        assert!(xml.contains(
            "<testcase classname=\"a&amp;b.yaml\" name=\"IRSA206 default-service-account-has-role at 1:4\">\n      <failure message=\"w &lt;1&gt;\" type=\"IRSA206\">warning[IRSA206 default-service-account-has-role] a&amp;b.yaml:1:4\nw &lt;1&gt;\nsee `irsa-lint explain IRSA206`\n</failure>"
        ), "{xml}");
        assert!(
            xml.contains("<system-out>info[IRSA217 namespace-defaulted] a&amp;b.yaml:1:1\ni\n")
        );
    }

    #[test]
    fn failures_follow_fail_on() {
        let file = Arc::new(SourceFile::new("a.yaml", None, "x: 1\n".to_string()));
        let diags = vec![
            Diagnostic::new(registry::IRSA206, &file, Span::new(3, 4), "w")
                .severity(Severity::Warning),
            Diagnostic::new(registry::IRSA217, &file, Span::new(0, 1), "i")
                .severity(Severity::Info),
        ];
        let mut summary = Summary::new(1, &diags);
        for (threshold, failures, failure_elements) in [
            (Some(Severity::Info), 2, 2),
            (Some(Severity::Warning), 1, 1),
            (Some(Severity::Error), 0, 0),
            (None, 0, 0),
        ] {
            summary.fail_threshold = threshold;
            let xml = render(&diags, &summary);
            assert!(
                xml.contains(&format!("tests=\"2\" failures=\"{failures}\"")),
                "{threshold:?}: {xml}"
            );
            assert_eq!(xml.matches("<failure ").count(), failure_elements, "{xml}");
        }
    }
}

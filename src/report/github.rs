//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request's
//! line (`::error file=F,line=L,...::message`), and [`step_summary`] is a Markdown table of every
//! finding for `$GITHUB_STEP_SUMMARY`. See docs/output-formats.md.
//!
//! Two constraints shape the output:
//!
//! - **Injection.** Messages quote manifest values. The runner reads commands line by line, so a
//!   value holding a newline followed by `::error ...` (or `::add-mask::`, `::stop-commands::`)
//!   would otherwise start a command of its own. Every value is escaped the way the runner
//!   unescapes it (`%`, `\r`, `\n` in data; also `:` and `,` in properties), so each output line
//!   starts with a command we wrote.
//! - **Caps.** GitHub shows at most 10 error and 10 warning annotations per step (and 50 per job)
//!   and silently drops the rest; notices are kept to 10 too, so that the closing notice cannot be
//!   the one dropped. The most severe findings go first, and that closing notice says how many
//!   were left out and where to find them, instead of letting GitHub drop them unannounced.

use std::fmt::Write as _;

use super::Summary;
use super::text::{self, Sink, Untrusted};
use crate::diagnostic::{Diagnostic, Severity};

/// GitHub shows at most this many error and this many warning annotations per step; notices are
/// kept to the same number.
pub const MAX_ANNOTATIONS_PER_LEVEL: usize = 10;

/// GitHub's limit on the size of one step's summary (1 MiB); larger summaries are rejected whole.
pub const STEP_SUMMARY_LIMIT: usize = 1024 * 1024;

/// Longest annotation message, in characters. GitHub truncates annotation messages at 64 KiB and
/// a finding that quotes a huge manifest value should not come close.
const MAX_MESSAGE_CHARS: usize = 4000;

/// Longest message in one row of the step summary table, in characters.
const MAX_CELL_CHARS: usize = 1000;

/// The workflow command for a severity: `error`, `warning`, or `notice` for info.
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// One annotation line (without the newline). The file and the title are rendered as command
/// properties, the message with its help and related locations as the command's data
/// ([`Sink::WorkflowProperty`], [`Sink::WorkflowData`]): their line breaks become `%0A`, which the
/// annotation shows as line breaks, and no output line can start with anything but a command we
/// wrote.
fn annotation(d: &Diagnostic) -> String {
    let (start, end) = (d.primary.start(), d.primary.end());
    let mut props = format!(
        "file={},line={},endLine={}",
        text::file(&d.primary)
            .portable_path()
            .to(Sink::WorkflowProperty),
        start.line,
        end.line
    );
    // GitHub reads `col`/`endColumn` only for a span on one line; on a multi-line span they
    // would be taken as columns of the first line and mislead.
    if start.line == end.line {
        let _ = write!(props, ",col={},endColumn={}", start.column, end.column);
    }
    let title = format!("irsa-lint {} {}", d.rule.code, d.rule.name);
    let _ = write!(
        props,
        ",title={}",
        Untrusted::new(title).to(Sink::WorkflowProperty)
    );
    let mut message = text::message(d);
    if let Some(help) = text::help(d) {
        message = message.with("\n\nhelp: ").and(&help);
    }
    for r in &d.related {
        let at = r.start();
        message = message
            .with("\nsee also ")
            .and(&text::file(r).portable_path())
            .with(&format!(":{}:{}", at.line, at.column));
        if !text::label_message(r).is_empty() {
            message = message.with(": ").and(&text::label_message(r));
        }
    }
    format!(
        "::{} {props}::{}",
        command(d.severity),
        message.truncated(MAX_MESSAGE_CHARS).to(Sink::WorkflowData)
    )
}

/// The workflow commands for `diagnostics`: at most [`MAX_ANNOTATIONS_PER_LEVEL`] errors, then
/// warnings, then notices (each in report order); when some were left out, one notice that says
/// how many; then the summary sentence as a plain log line.
pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let of = |s: Severity| -> Vec<&Diagnostic> {
        diagnostics.iter().filter(|d| d.severity == s).collect()
    };
    let (errors, warnings, infos) = (
        of(Severity::Error),
        of(Severity::Warning),
        of(Severity::Info),
    );
    let cap = MAX_ANNOTATIONS_PER_LEVEL;
    let overflow = errors.len() > cap || warnings.len() > cap || infos.len() > cap;
    // The overflow notice is a notice too: keep a slot for it, or GitHub would drop it.
    let notice_cap = if overflow { cap - 1 } else { cap };
    let shown = [
        (errors.as_slice(), cap),
        (warnings.as_slice(), cap),
        (infos.as_slice(), notice_cap),
    ];
    let mut out = String::new();
    let mut left_out = [0usize; 3];
    for (i, (list, cap)) in shown.iter().enumerate() {
        for d in list.iter().take(*cap) {
            out.push_str(&annotation(d));
            out.push('\n');
        }
        left_out[i] = list.len().saturating_sub(*cap);
    }
    let total: usize = left_out.iter().sum();
    if total > 0 {
        let mut parts = Vec::new();
        for (n, word) in left_out.iter().zip(["error", "warning", "info"]) {
            if *n > 0 {
                parts.push(format!("{n} {word}{}", if *n == 1 { "" } else { "s" }));
            }
        }
        let text = format!(
            "{total} more finding{} not annotated ({}): GitHub shows at most {cap} error and {cap} warning annotations per step. The job's step summary lists every finding, and `--format sarif:FILE` writes all of them for code scanning.",
            if total == 1 { " was" } else { "s were" },
            parts.join(", ")
        );
        // Our own text: no input in it, but rendered like the rest all the same.
        let _ = writeln!(
            out,
            "::notice title={}::{}",
            Untrusted::new("irsa-lint: findings not annotated").to(Sink::WorkflowProperty),
            Untrusted::new(&text).to(Sink::WorkflowData)
        );
    }
    let _ = writeln!(out, "irsa-lint: {}", summary.sentence());
    out
}

/// The Markdown appended to `$GITHUB_STEP_SUMMARY`: a heading, the summary sentence and a table
/// of every finding (severity, rule, file:line:column, message), cut with a note if it would pass
/// GitHub's 1 MiB limit.
pub fn step_summary(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    step_summary_limited(diagnostics, summary, STEP_SUMMARY_LIMIT)
}

/// [`step_summary`] with the size limit given (in bytes), so tests can exercise the cut.
pub fn step_summary_limited(diagnostics: &[Diagnostic], summary: &Summary, limit: usize) -> String {
    let mut out = format!("## irsa-lint\n\n{}\n", summary.sentence());
    if diagnostics.is_empty() {
        return out;
    }
    out.push_str("\n| severity | rule | location | message |\n| --- | --- | --- | --- |\n");
    // Room for the closing note, so that adding it can never pass the limit.
    const NOTE_ROOM: usize = 400;
    for (i, d) in diagnostics.iter().enumerate() {
        let at = d.primary.start();
        let mut message = text::message(d);
        if let Some(help) = text::help(d) {
            message = message.with(" — help: ").and(&help);
        }
        let row = format!(
            "| {} | {} {} | {}:{}:{} | {} |\n",
            d.severity.as_str(),
            d.rule.code,
            d.rule.name,
            text::file(&d.primary).portable_path().to(Sink::Markdown),
            at.line,
            at.column,
            message.truncated(MAX_CELL_CHARS).to(Sink::Markdown)
        );
        if out.len() + row.len() + NOTE_ROOM > limit {
            let rest = diagnostics.len() - i;
            let _ = write!(
                out,
                "\n_{rest} more finding{} not listed: GitHub limits a step summary to 1 MiB. The SARIF or JSON report lists every finding._\n",
                if rest == 1 { " is" } else { "s are" }
            );
            break;
        }
        out.push_str(&row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use crate::source::{SourceFile, Span};
    use std::sync::Arc;

    fn diag(rule: &'static crate::registry::Rule, text: &str, span: Span, msg: &str) -> Diagnostic {
        let file = Arc::new(SourceFile::new("k8s/a,b:c.yaml", None, text.to_string()));
        Diagnostic::new(rule, &file, span, msg)
    }

    #[test]
    fn annotation_on_one_line_has_columns_and_escaped_file() {
        let d = diag(
            registry::IRSA201,
            "ab\ncdef\n",
            Span::new(4, 6),
            "bad\n::error file=x::pwned",
        )
        .help("fix");
        assert_eq!(
            annotation(&d),
            "::error file=k8s/a%2Cb%3Ac.yaml,line=2,endLine=2,col=2,endColumn=4,title=irsa-lint IRSA201 role-arn-invalid::bad%0A::error file=x::pwned%0A%0Ahelp: fix"
        );
    }

    #[test]
    fn annotation_across_lines_has_no_columns() {
        let d = diag(registry::IRSA217, "ab\ncdef\n", Span::new(1, 6), "m");
        assert_eq!(
            annotation(&d),
            "::notice file=k8s/a%2Cb%3Ac.yaml,line=1,endLine=2,title=irsa-lint IRSA217 namespace-defaulted::m"
        );
    }

    fn many(errors: usize, warnings: usize, infos: usize) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for i in 0..errors {
            out.push(
                diag(registry::IRSA101, "x", Span::default(), &format!("e{i}"))
                    .severity(Severity::Error),
            );
        }
        for i in 0..warnings {
            out.push(
                diag(registry::IRSA105, "x", Span::default(), &format!("w{i}"))
                    .severity(Severity::Warning),
            );
        }
        for i in 0..infos {
            out.push(
                diag(registry::IRSA217, "x", Span::default(), &format!("i{i}"))
                    .severity(Severity::Info),
            );
        }
        out
    }

    fn count(out: &str, prefix: &str) -> usize {
        out.lines().filter(|l| l.starts_with(prefix)).count()
    }

    #[test]
    fn exactly_ten_of_each_shows_everything_without_a_notice() {
        let diags = many(10, 10, 10);
        let out = render(&diags, &Summary::new(1, &diags));
        assert_eq!(count(&out, "::error "), 10);
        assert_eq!(count(&out, "::warning "), 10);
        assert_eq!(count(&out, "::notice "), 10);
        assert!(!out.contains("not annotated"));
        assert!(out.ends_with("irsa-lint: 10 errors, 10 warnings, 10 infos in 1 file\n"));
    }

    #[test]
    fn overflow_keeps_most_severe_and_reserves_a_notice_slot() {
        let diags = many(12, 3, 10);
        let out = render(&diags, &Summary::new(1, &diags));
        assert_eq!(count(&out, "::error "), 10);
        assert_eq!(count(&out, "::warning "), 3);
        // 9 info notices + the overflow notice = 10 notices.
        assert_eq!(count(&out, "::notice "), 10);
        let last_notice = out.lines().rfind(|l| l.starts_with("::notice ")).unwrap();
        assert!(
            last_notice.contains("::3 more findings were not annotated (2 errors, 1 info)"),
            "{last_notice}"
        );
        // Report order within a severity: e0..e9 kept, e10 and e11 left out.
        assert!(out.contains("::e9\n") && !out.contains("::e10\n"));
    }

    #[test]
    fn step_summary_lists_everything_and_escapes_cells() {
        // The cell shows the message literally: `|` cannot end the cell, the line break is a
        // visible `\n`, and `:` cannot start an autolink.
        let mut diags = many(1, 0, 0);
        diags[0].message = "a|b\nc".to_string();
        let md = step_summary(&diags, &Summary::new(2, &diags));
        assert_eq!(
            md,
            "## irsa-lint\n\n1 error in 2 files\n\n| severity | rule | location | message |\n| --- | --- | --- | --- |\n| error | IRSA101 aud-holds-subject | k8s/a,b\\:c.yaml:1:1 | a\\|b\\\\nc |\n"
        );
    }

    #[test]
    fn step_summary_without_findings_says_so() {
        assert_eq!(
            step_summary(&[], &Summary::new(3, &[])),
            "## irsa-lint\n\nno problems found in 3 files\n"
        );
    }

    #[test]
    fn step_summary_is_cut_under_the_limit_with_a_note() {
        let diags = many(500, 0, 0);
        let limit = 8 * 1024;
        let md = step_summary_limited(&diags, &Summary::new(1, &diags), limit);
        assert!(md.len() <= limit, "{}", md.len());
        let rows = md.lines().filter(|l| l.starts_with("| error |")).count();
        assert!(rows > 50 && rows < 500, "{rows}");
        assert!(
            md.ends_with(&format!(
                "_{} more findings are not listed: GitHub limits a step summary to 1 MiB. The SARIF or JSON report lists every finding._\n",
                500 - rows
            )),
            "{md}"
        );
    }
}

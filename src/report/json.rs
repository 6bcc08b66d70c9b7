//! The versioned JSON report (`"version": 1`), a contract other tools rely on: see
//! docs/json-output.md. Fields are only ever added within a version.
//!
//! Input-derived text is written as the file holds it ([`Sink::Json`]): serde_json escapes
//! quotes, backslashes and control characters, and never writes a lone surrogate.

use std::borrow::Cow;

use serde::Serialize;

use super::Summary;
use super::text::{self, Sink};
use crate::diagnostic::{Diagnostic, Label};

pub const JSON_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'static str,
    name: &'static str,
    severity: &'static str,
    message: Cow<'a, str>,
    file: Cow<'a, str>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Cow<'a, str>>,
    related: Vec<JsonLocation<'a>>,
}

#[derive(Serialize)]
struct JsonLocation<'a> {
    file: Cow<'a, str>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    message: Cow<'a, str>,
}

#[derive(Serialize)]
struct JsonSummary {
    files: usize,
    errors: usize,
    warnings: usize,
    infos: usize,
    baselined: usize,
    stale_baseline_entries: usize,
    rejected: usize,
    skipped: JsonSkipped,
}

#[derive(Serialize)]
struct JsonSkipped {
    symlinks: usize,
    fifos: usize,
    sockets: usize,
    devices: usize,
}

fn location(label: &Label) -> JsonLocation<'_> {
    let (start, end) = (label.start(), label.end());
    JsonLocation {
        file: text::file(label).to(Sink::Json),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        message: text::label_message(label).to(Sink::Json),
    }
}

pub fn render(diagnostics: &[Diagnostic], summary: &Summary) -> String {
    let report = Report {
        version: JSON_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        diagnostics: diagnostics
            .iter()
            .map(|d| {
                let at = location(&d.primary);
                JsonDiagnostic {
                    rule: d.rule.code,
                    name: d.rule.name,
                    severity: d.severity.as_str(),
                    message: text::message(d).to(Sink::Json),
                    file: at.file,
                    line: at.line,
                    column: at.column,
                    end_line: at.end_line,
                    end_column: at.end_column,
                    help: text::help(d).map(|h| h.to(Sink::Json)),
                    related: d.related.iter().map(location).collect(),
                }
            })
            .collect(),
        summary: JsonSummary {
            files: summary.files,
            errors: summary.errors,
            warnings: summary.warnings,
            infos: summary.infos,
            baselined: summary.baselined,
            stale_baseline_entries: summary.stale_baseline_entries,
            rejected: summary.rejected,
            skipped: JsonSkipped {
                symlinks: summary.skipped.symlinks,
                fifos: summary.skipped.fifos,
                sockets: summary.skipped.sockets,
                devices: summary.skipped.devices,
            },
        },
    };
    let mut out = serde_json::to_string_pretty(&report).expect("report serialises");
    out.push('\n');
    out
}

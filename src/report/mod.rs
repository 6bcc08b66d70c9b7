//! Report: render diagnostics in the requested format.
//!
//! Every format is a pure function from the sorted diagnostics (and the run's summary) to bytes;
//! the CLI decides where the bytes go.

pub mod concise;
pub mod human;
pub mod json;
pub mod rules_doc;

use crate::diagnostic::{Diagnostic, Severity};

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source snippets with labels and a help line (codespan-reporting).
    Human,
    /// `path:line:column: severity[CODE] message`, one per line.
    Concise,
    /// Versioned JSON (see docs/json-output.md).
    Json,
}

/// Counts for the closing summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Distinct files with at least one diagnostic.
    pub files_with_findings: usize,
}

impl Summary {
    pub fn new(files: usize, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        let mut with: Vec<&str> = diagnostics.iter().map(|d| d.file()).collect();
        with.dedup();
        Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files_with_findings: with.len(),
        }
    }

    /// "2 errors, 1 warning in 3 files" / "no problems in 3 files".
    pub fn sentence(&self) -> String {
        fn plural(n: usize, word: &str) -> String {
            format!("{n} {word}{}", if n == 1 { "" } else { "s" })
        }
        let mut parts = Vec::new();
        if self.errors > 0 {
            parts.push(plural(self.errors, "error"));
        }
        if self.warnings > 0 {
            parts.push(plural(self.warnings, "warning"));
        }
        if self.infos > 0 {
            parts.push(plural(self.infos, "info"));
        }
        let files = plural(self.files, "file");
        if parts.is_empty() {
            format!("no problems found in {files}")
        } else {
            format!("{} in {files}", parts.join(", "))
        }
    }
}

/// Render `diagnostics` in `format`.
pub fn render(
    format: Format,
    diagnostics: &[Diagnostic],
    summary: &Summary,
    color: bool,
) -> Vec<u8> {
    match format {
        Format::Human => human::render(diagnostics, summary, color),
        Format::Concise => concise::render(diagnostics).into_bytes(),
        Format::Json => json::render(diagnostics, summary).into_bytes(),
    }
}

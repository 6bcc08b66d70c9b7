//! Report: render diagnostics in the requested format.
//!
//! Every format is a pure function from the sorted diagnostics (and the run's summary) to bytes;
//! the CLI decides where the bytes go.

pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod rules_doc;
pub mod sarif;
pub mod text;

use std::borrow::Cow;

use crate::diagnostic::{Diagnostic, Severity};

/// A display path with `/` separators, as SARIF, GitHub and GitLab expect whatever the platform.
///
/// Only on Windows is `\` a separator: elsewhere it is an ordinary (if unusual) character of a
/// file name and must be kept.
pub fn portable_path(display: &str) -> Cow<'_, str> {
    if cfg!(windows) && display.contains('\\') {
        Cow::Owned(display.replace('\\', "/"))
    } else {
        Cow::Borrowed(display)
    }
}

/// `text` cut to at most `max` characters, with `…` marking the cut. For reports whose consumers
/// cap field sizes (annotations, table cells); never splits a character.
pub fn truncate_chars(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some(_) => {
            let keep = max.saturating_sub(1);
            let end = text.char_indices().nth(keep).map_or(text.len(), |(i, _)| i);
            Cow::Owned(format!("{}…", &text[..end]))
        }
    }
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Source snippets with labels and a help line (codespan-reporting).
    Human,
    /// `path:line:column: severity[CODE] message`, one per line.
    Concise,
    /// Versioned JSON (see docs/json-output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request's lines.
    Github,
    /// GitLab Code Quality report (JSON array).
    Gitlab,
    /// JUnit XML: one test case per finding.
    Junit,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Human => "human",
            Format::Concise => "concise",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Github => "github",
            Format::Gitlab => "gitlab",
            Format::Junit => "junit",
        }
    }

    pub const ALL: [Format; 7] = [
        Format::Human,
        Format::Concise,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Gitlab,
        Format::Junit,
    ];
}

/// One `--format` argument: `FORMAT` (to stdout, or `--output`) or `FORMAT:FILE`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub file: Option<std::path::PathBuf>,
}

impl std::str::FromStr for FormatSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<FormatSpec, String> {
        let (name, file) = match s.split_once(':') {
            // `FORMAT:-` is stdout, as `FORMAT` is.
            Some((name, "-")) => (name, None),
            Some((name, file)) if !file.is_empty() => (name, Some(file.into())),
            Some(_) => return Err(format!("{s:?}: the file after `:` is empty")),
            None => (s, None),
        };
        let format = Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<&str> = Format::ALL.iter().map(|f| f.name()).collect();
                format!(
                    "unknown format {name:?} (expected one of {})",
                    names.join(", ")
                )
            })?;
        Ok(FormatSpec { format, file })
    }
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
    /// Findings left out because the baseline (`--baseline`) holds them.
    pub baselined: usize,
    /// Baseline entries that no longer occur (the baseline can be pruned).
    pub stale_baseline_entries: usize,
    /// Files not linted because they were rejected (IRSA002), part of `files`.
    pub rejected: usize,
    /// Entries a walk passed over unread (symlinks, FIFOs, ...).
    pub skipped: crate::discover::Skipped,
    /// The lowest severity that fails the run (`--fail-on`; None for `never`): JUnit reports the
    /// findings at or above it as failures. `Summary::new` sets `warning`, the default.
    pub fail_threshold: Option<Severity>,
}

impl Summary {
    pub fn new(files: usize, diagnostics: &[Diagnostic]) -> Summary {
        let count = |s| diagnostics.iter().filter(|d| d.severity == s).count();
        let mut with: Vec<&str> = diagnostics.iter().map(|d| d.file()).collect(); // counted, not written
        with.dedup();
        Summary {
            files,
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files_with_findings: with.len(),
            baselined: 0,
            stale_baseline_entries: 0,
            rejected: 0,
            skipped: Default::default(),
            fail_threshold: Some(Severity::Warning),
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
        let mut sentence = if parts.is_empty() {
            format!("no problems found in {files}")
        } else {
            format!("{} in {files}", parts.join(", "))
        };
        // What was not linted, so that nothing is left out silently: "(1 rejected; skipped: 2
        // symlinks, 1 FIFO)". Nothing is added when everything was linted.
        let mut not_linted = Vec::new();
        if self.rejected > 0 {
            not_linted.push(format!("{} rejected", self.rejected));
        }
        let s = &self.skipped;
        let skipped: Vec<String> = [
            (s.symlinks, "symlink"),
            (s.fifos, "FIFO"),
            (s.sockets, "socket"),
            (s.devices, "device"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
        if !skipped.is_empty() {
            not_linted.push(format!("skipped: {}", skipped.join(", ")));
        }
        if !not_linted.is_empty() {
            sentence.push_str(&format!(" ({})", not_linted.join("; ")));
        }
        // What the baseline hid, so that nobody mistakes a green run for a clean repository, and
        // entries to prune.
        if self.baselined > 0 || self.stale_baseline_entries > 0 {
            sentence.push_str(&format!("; {} baselined", self.baselined));
            match self.stale_baseline_entries {
                0 => {}
                1 => sentence.push_str(", 1 baseline entry no longer occurs"),
                n => sentence.push_str(&format!(", {n} baseline entries no longer occur")),
            }
        }
        sentence
    }
}

/// `--statistics`: the number of findings of each rule, most frequent first (then by code), one
/// line each (`   12  IRSA105  role-shared-across-namespaces`), and the total.
pub fn statistics(diagnostics: &[Diagnostic]) -> String {
    let mut counts: std::collections::BTreeMap<&str, (usize, &str)> = Default::default();
    for d in diagnostics {
        counts.entry(d.rule.code).or_insert((0, d.rule.name)).0 += 1;
    }
    let mut rows: Vec<(&str, usize, &str)> = counts
        .into_iter()
        .map(|(code, (n, name))| (code, n, name))
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut out = String::new();
    for (code, n, name) in rows {
        out.push_str(&format!("{n:>6}  {code}  {name}\n"));
    }
    out.push_str(&format!(
        "{:>6}  finding{} in total\n",
        diagnostics.len(),
        if diagnostics.len() == 1 { "" } else { "s" }
    ));
    out
}

/// Render `diagnostics` in `format`. `color` applies to the human format on a terminal.
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
        Format::Sarif => sarif::render(diagnostics).into_bytes(),
        Format::Github => github::render(diagnostics, summary).into_bytes(),
        Format::Gitlab => gitlab::render(diagnostics).into_bytes(),
        Format::Junit => junit::render(diagnostics, summary).into_bytes(),
    }
}

//! The driver: runs the pipeline (discover → parse → extract → link → check) over the inputs.
//!
//! Parsing, extraction and the per-policy rules run per file in parallel on a rayon pool of
//! `--jobs` threads. A file's text is kept alive only while something refers to it: a diagnostic or
//! a model object (for the cross-link stage); files with neither are dropped after extraction.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::check::{self, RuleFilter};
use crate::diagnostic::{self, Diagnostic};
use crate::discover::{self, DiscoverOptions, Input};
use crate::extract;
use crate::link::{LinkOptions, Linked, Model};
use crate::parse;
use crate::parse::tree::{Limits, ParseProblem, ProblemKind};
use crate::registry::{self, Rule};
use crate::source::{SourceFile, SourceRef, Span};

/// Files larger than this are not read (IRSA002).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 16 * 1024 * 1024;

/// What to lint and how.
#[derive(Clone, Debug)]
pub struct LintOptions {
    pub paths: Vec<PathBuf>,
    /// Name shown for `-` (stdin).
    pub stdin_filename: Option<String>,
    pub discover: DiscoverOptions,
    pub max_file_size: u64,
    pub limits: Limits,
    pub selection: Selection,
    pub link: LinkOptions,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            paths: vec![PathBuf::from(".")],
            stdin_filename: None,
            discover: DiscoverOptions {
                no_ignore: false,
                exclude: Vec::new(),
                jobs: 0,
            },
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: Limits::default(),
            selection: Selection::default(),
            link: LinkOptions::default(),
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct LintResult {
    /// Sorted by file, position and code.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read.
    pub files: usize,
}

#[derive(Debug)]
pub enum LintError {
    Usage(String),
}

impl std::fmt::Display for LintError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LintError::Usage(m) => f.write_str(m),
        }
    }
}

/// `--select` / `--ignore`: rule codes, code prefixes (`IRSA1`) or names.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
}

impl Selection {
    /// Check that every selector names at least one rule.
    pub fn validate(&self) -> Result<(), LintError> {
        for s in self.select.iter().chain(&self.ignore) {
            if !registry::RULES.iter().any(|r| selector_matches(s, r)) {
                return Err(LintError::Usage(format!(
                    "unknown rule selector {s:?} (expected a code like IRSA101, a prefix like IRSA1, or a name like aud-holds-subject)"
                )));
            }
        }
        Ok(())
    }
}

fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let s = selector.trim();
    rule.name.eq_ignore_ascii_case(s)
        || (s.len() >= 4
            && rule
                .code
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s)))
}

impl RuleFilter for Selection {
    fn enabled(&self, rule: &Rule) -> bool {
        let selected =
            self.select.is_empty() || self.select.iter().any(|s| selector_matches(s, rule));
        selected && !self.ignore.iter().any(|s| selector_matches(s, rule))
    }
}

/// Run the whole pipeline.
pub fn lint(opts: &LintOptions) -> Result<LintResult, LintError> {
    opts.selection.validate()?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let jobs = if opts.discover.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.discover.jobs
    };
    let discover_opts = DiscoverOptions {
        jobs,
        ..opts.discover.clone()
    };

    let use_stdin = opts.paths.iter().any(|p| p.as_os_str() == "-");
    let fs_paths: Vec<PathBuf> = opts
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let found = discover::discover(&fs_paths, &discover_opts, &cwd)
        .map_err(|e| LintError::Usage(e.to_string()))?;

    let mut sources: Vec<Source> = found.inputs.into_iter().map(Source::File).collect();
    if use_stdin {
        let mut bytes = Vec::new();
        let read = std::io::stdin().read_to_end(&mut bytes);
        let name = opts
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_string());
        sources.push(Source::Stdin(
            name,
            read.map(|_| bytes).map_err(|e| e.to_string()),
        ));
    }

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| LintError::Usage(format!("cannot start worker threads: {e}")))?;
    let per_file: Vec<FileOutcome> =
        pool.install(|| sources.into_par_iter().map(|s| lint_one(s, opts)).collect());

    let mut result = LintResult {
        files: per_file.len(),
        ..LintResult::default()
    };
    let mut model = Model::default();
    for outcome in per_file {
        result.diagnostics.extend(outcome.diagnostics);
        let extracted = outcome.extracted;
        model.policies.extend(extracted.policies);
        model
            .service_accounts
            .extend(extracted.k8s.service_accounts);
        model.workloads.extend(extracted.k8s.workloads);
        model.env_sources.extend(extracted.k8s.env_sources);
        model.kustomizations.extend(extracted.k8s.kustomizations);
    }
    for problem in found.problems {
        let source = Arc::new(SourceFile::new(problem.display, None, String::new()));
        result.diagnostics.push(input_problem(
            &source,
            ProblemKind::Rejected,
            Span::default(),
            problem.message,
            &opts.selection,
        ));
    }
    let linked = Linked::new(model, opts.link.clone());
    check::check_linked(&linked, &opts.selection, &mut result.diagnostics);
    result
        .diagnostics
        .retain(|d| opts.selection.enabled(d.rule));
    diagnostic::sort_and_dedup(&mut result.diagnostics);
    Ok(result)
}

enum Source {
    File(Input),
    Stdin(String, Result<Vec<u8>, String>),
}

struct FileOutcome {
    diagnostics: Vec<Diagnostic>,
    extracted: extract::Extracted,
}

fn lint_one(source: Source, opts: &LintOptions) -> FileOutcome {
    let (display, path, bytes) = match source {
        Source::File(input) => {
            let bytes = read_capped(&input.path, opts.max_file_size);
            (input.display, Some(input.path), bytes)
        }
        Source::Stdin(name, bytes) => {
            let bytes = bytes.and_then(|b| {
                if b.len() as u64 > opts.max_file_size {
                    Err(too_large(b.len() as u64, opts.max_file_size))
                } else {
                    Ok(b)
                }
            });
            (name, None, bytes)
        }
    };
    let kind_hint = parse::kind_for_path(Path::new(&display));
    let fail = |source: SourceRef, problem: ParseProblem| FileOutcome {
        diagnostics: vec![input_problem(
            &source,
            problem.kind,
            problem.span,
            problem.message,
            &opts.selection,
        )],
        extracted: extract::Extracted::default(),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(message) => {
            let source = Arc::new(SourceFile::new(display, path, String::new()));
            return fail(
                source,
                ParseProblem {
                    kind: ProblemKind::Rejected,
                    span: Span::default(),
                    message,
                },
            );
        }
    };
    let text = match parse::decode_or_return(bytes) {
        Ok(text) => text,
        Err((problem, bytes)) => {
            // Keep the text before the offending byte, so the diagnostic gets its line and
            // column; the rest of an undecodable file is of no use.
            let end = (problem.span.start as usize).min(bytes.len());
            let text = String::from_utf8_lossy(&bytes[..end]).into_owned();
            let source = Arc::new(SourceFile::new(display, path, text));
            return fail(source, problem);
        }
    };
    let kind = kind_hint.unwrap_or_else(|| parse::sniff_kind(&text));
    let source: SourceRef = Arc::new(SourceFile::new(display, path, text));
    let parsed = parse::parse(&source.text, kind, opts.limits);
    let mut diagnostics = Vec::new();
    if let Some(problem) = &parsed.problem {
        diagnostics.push(input_problem(
            &source,
            problem.kind,
            problem.span,
            problem.message.clone(),
            &opts.selection,
        ));
    }
    let extracted = extract::extract(&source, &parsed);
    for policy in &extracted.policies {
        check::check_policy(policy, &opts.selection, &mut diagnostics);
    }
    FileOutcome {
        diagnostics,
        extracted,
    }
}

fn too_large(len: u64, cap: u64) -> String {
    format!(
        "file is {} bytes, over the {} byte size cap (--max-file-size)",
        len, cap
    )
}

fn read_capped(path: &Path, cap: u64) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    if len > cap {
        return Err(too_large(len, cap));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    // Read at most cap + 1 bytes: a file that grows while we read it stays bounded.
    file.take(cap + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    if bytes.len() as u64 > cap {
        return Err(too_large(bytes.len() as u64, cap));
    }
    Ok(bytes)
}

/// The IRSA00x diagnostic for an input problem.
fn input_problem(
    source: &SourceRef,
    kind: ProblemKind,
    span: Span,
    message: String,
    _selection: &Selection,
) -> Diagnostic {
    let (rule, help) = match kind {
        ProblemKind::Syntax => (
            registry::IRSA001,
            "fix the syntax error; documents after it in this file were not linted",
        ),
        ProblemKind::Rejected => (
            registry::IRSA002,
            "irsa-lint reads UTF-8 YAML and JSON files; exclude this path with --exclude if it is not one",
        ),
        ProblemKind::Template => (
            registry::IRSA003,
            "render the chart (`helm template`) and lint the output, or exclude the templates directory",
        ),
    };
    Diagnostic::new(rule, source, span, message)
        .help(help)
        .at_path("file")
}

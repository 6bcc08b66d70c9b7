//! The driver: runs the pipeline (discover → parse → extract → link → check) over the inputs,
//! then turns the rules' findings into the run's result.
//!
//! Parsing, extraction, the per-policy rules and the scan for suppression comments run per file in
//! parallel on a rayon pool of `--jobs` threads. A file's text is kept alive only while something
//! refers to it: a diagnostic, a model object (for the cross-link stage) or a suppression (an
//! unused one is reported at its place); files with none of these are dropped after extraction.
//!
//! Once every rule has run, the findings go through, in this order:
//!
//! 1. suppressions: inline comments, `irsa-lint/ignore` annotations and the configuration's
//!    `suppressions` remove the findings they cover ([`crate::suppress`]); IRSA004 reports unused
//!    or malformed suppressions, IRSA005 expired ones;
//! 2. severity overrides (the configuration's `severity`), for every finding, IRSA004/005 included
//!    (overrides never change which findings exist, so applying them after suppression is the
//!    same as before);
//! 3. `--select` / `--ignore`;
//! 4. sorting (file, position, code), which makes the output independent of `--jobs`;
//! 5. fingerprints ([`diagnostic::assign_fingerprints`]), over the whole sorted list;
//! 6. the baseline ([`crate::baseline`]), last: it hides findings by fingerprint, and every
//!    report shows the fingerprints assigned before it did.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;

use crate::baseline::{self, Baseline};
use crate::check::support::text::{MAX_LISTED, quote_list};
use crate::check::{self, RuleFilter};
use crate::diagnostic::{self, Diagnostic, Severity};
use crate::discover::PathGlobs;
use crate::discover::{self, DiscoverOptions, Input};
use crate::extract;
use crate::extract::terraform::FileLoader;
use crate::extract::unresolved::UnresolvedValue;
use crate::frontend;
use crate::link::{LinkOptions, Linked, Model, roles};
use crate::model::template::{Vars, find_holes};
use crate::parse;
use crate::parse::tree::{Limits, ParseProblem, ProblemKind};
use crate::registry::{self, Rule, selector_matches};
use crate::source::{SourceFile, SourceRef, Span};
use crate::suppress::{self, ConfigSuppression, Date, FileSuppressions};

pub use crate::limits::DEFAULT_MAX_FILE_SIZE;

/// What to lint and how.
#[derive(Clone, Debug)]
pub struct LintOptions {
    /// Files and directories to lint; `-` is standard input.
    pub paths: Vec<PathBuf>,
    /// Name shown for `-` (stdin).
    pub stdin_filename: Option<String>,
    /// How directories are walked (`--exclude`, `--no-ignore`, `--jobs`).
    pub discover: DiscoverOptions,
    /// The configuration's `exclude`, relative to the configuration's directory. Applied on top
    /// of `discover.exclude`; like it, never to a file named explicitly.
    pub exclude: Option<PathGlobs>,
    /// Files larger than this are not read (IRSA002).
    pub max_file_size: u64,
    /// Parser limits.
    pub limits: Limits,
    /// `--select` / `--ignore`.
    pub selection: Selection,
    /// Options of the link stage (namespaces, clusters, roles, audiences).
    pub link: LinkOptions,
    /// Values for template variables (`--var`, the configuration's `vars`), substituted as
    /// envsubst would before anything reads a value.
    pub vars: Vars,
    /// Severity overrides by rule code (the configuration's `severity`): they replace whatever
    /// severity the rule chose.
    pub severity: BTreeMap<&'static str, Severity>,
    /// The configuration's `suppressions`.
    pub suppressions: Vec<ConfigSuppression>,
    /// The date suppression expiries are compared with (today, unless a test says otherwise).
    pub today: Date,
    /// Findings to leave out of the result (`--baseline`).
    pub baseline: Option<Baseline>,
    /// Where the run counts what it has done, for a progress line (the command line shows one on
    /// a terminal); None: nothing counted.
    pub progress: Option<Arc<Progress>>,
}

/// How far a run is: files read of the total, then the link stage's size. Updated by the run,
/// read by whoever shows it (from another thread).
#[derive(Debug, Default)]
pub struct Progress {
    /// Files to read, once discovered.
    pub total: AtomicUsize,
    /// Files read (parsed, extracted and checked on their own).
    pub done: AtomicUsize,
    /// Once every file is read: the ServiceAccounts and roles (trust policies) being linked.
    pub linking: OnceLock<(usize, usize)>,
}

impl Default for LintOptions {
    fn default() -> Self {
        LintOptions {
            paths: vec![PathBuf::from(".")],
            stdin_filename: None,
            discover: DiscoverOptions::default(),
            exclude: None,
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            limits: Limits::default(),
            selection: Selection::default(),
            link: LinkOptions::default(),
            vars: Vars::new(),
            severity: BTreeMap::new(),
            suppressions: Vec::new(),
            today: Date::today(),
            baseline: None,
            progress: None,
        }
    }
}

/// The outcome of a run.
#[derive(Debug, Default)]
pub struct LintResult {
    /// Sorted by file, position and code.
    pub diagnostics: Vec<Diagnostic>,
    /// How many files were read or tried (those rejected included), plus the paths that could
    /// not be walked.
    pub files: usize,
    /// How many of them were rejected (IRSA002: unreadable, not a regular file, binary, not
    /// UTF-8, over a limit), counted whether or not IRSA002 is selected or suppressed.
    pub rejected: usize,
    /// Entries a walk passed over without reading them (symlinks, FIFOs, ...).
    pub skipped: discover::Skipped,
    /// With `discover.list_skipped` (`--verbose`): every entry a walk passed over, and every YAML
    /// or JSON file read as none of the input kinds (`extract::classify`), and why.
    pub skipped_entries: Vec<discover::SkippedEntry>,
    /// With `discover.list_skipped` (`--verbose`): every file read as one of the input kinds,
    /// with that kind (`Kubernetes`, `IAM policy`, `Terraform`, ...), sorted.
    pub linted_entries: Vec<(String, &'static str)>,
    /// Findings removed by a suppression.
    pub suppressed: usize,
    /// Findings left out because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries that no longer occur (for files linted and rules run in this run).
    pub stale_baseline_entries: usize,
    /// Baseline entries whose file was linted in this run.
    pub baseline_entries_for_linted_files: usize,
}

/// Why a run could not be made.
#[derive(Debug)]
pub enum LintError {
    /// A usage error (an unknown rule selector, a path that does not exist): exit status 2.
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
    /// Only these rules run (every rule when empty).
    pub select: Vec<String>,
    /// These rules do not run.
    pub ignore: Vec<String>,
}

impl Selection {
    /// Check that every selector names at least one rule.
    pub fn validate(&self) -> Result<(), LintError> {
        for s in self.select.iter().chain(&self.ignore) {
            if !registry::RULES.iter().any(|r| selector_matches(s, r)) {
                return Err(LintError::Usage(format!(
                    "unknown rule selector {s:?}{}",
                    crate::config::unknown_rule_hint(s)
                )));
            }
        }
        Ok(())
    }
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
    // 0 means the default; a library caller's larger number is capped like `--jobs`.
    let jobs = match opts.discover.jobs {
        0 => crate::limits::default_jobs(),
        n => n.min(crate::limits::MAX_JOBS),
    };
    let (sources, found) = discover_sources(opts, &cwd, jobs)?;
    let mut result = lint_sources(sources, found.problems, opts, &cwd, jobs)?;
    result.skipped = found.skipped;
    // The walk's entries and the files read as none of the input kinds, in one sorted list.
    result.skipped_entries.extend(found.skipped_entries);
    result.skipped_entries.sort();
    Ok(result)
}

/// Run the pipeline over files held in memory, `(display path, bytes)`, instead of paths: what
/// the fuzz targets and the mutation test drive. `opts.paths` is not walked; the file kind is
/// chosen by each display path's extension, else by content, as for stdin. Runs on the calling
/// thread when `opts.discover.jobs` is 1.
pub fn lint_in_memory(
    files: Vec<(String, Vec<u8>)>,
    opts: &LintOptions,
) -> Result<LintResult, LintError> {
    opts.selection.validate()?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let jobs = opts.discover.jobs.clamp(1, crate::limits::MAX_JOBS);
    let sources = files
        .into_iter()
        .map(|(name, bytes)| Source::Bytes(name, Ok(bytes), None))
        .collect();
    lint_sources(sources, Vec::new(), opts, &cwd, jobs)
}

/// Parse, extract and check every source (per file, on `jobs` threads), then link, check the
/// linked model and finish.
fn lint_sources(
    sources: Vec<Source>,
    walk_problems: Vec<discover::WalkProblem>,
    opts: &LintOptions,
    cwd: &Path,
    jobs: usize,
) -> Result<LintResult, LintError> {
    // A thread per file at most, unless there are fewer files than cores (one large YAML stream is
    // read piece by piece on the pool): more would only wait (and cost a stack each). The output
    // does not depend on the number, as everything is sorted afterwards.
    if let Some(progress) = &opts.progress {
        progress.total.store(sources.len(), Ordering::Relaxed);
    }
    let units = units(sources);
    let threads = if units.is_empty() {
        0
    } else {
        jobs.min(units.len().max(crate::limits::default_jobs()))
    };
    let per_file: Vec<FileOutcome> = if threads <= 1 {
        units.into_iter().flat_map(|u| lint_unit(u, opts)).collect()
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| LintError::Usage(format!("cannot start worker threads: {e}")))?;
        pool.install(|| {
            units
                .into_par_iter()
                .flat_map_iter(|u| lint_unit(u, opts))
                .collect()
        })
    };
    let mut run = assemble(per_file, walk_problems);
    if let Some(progress) = &opts.progress {
        let count = |f: fn(&Model) -> usize| run.models.values().map(f).sum::<usize>();
        let linking = (
            count(|m| m.service_accounts.len()),
            count(|m| m.policies.len()),
        );
        let _ = progress.linking.set(linking);
    }
    if opts.discover.list_skipped {
        run.result.linted_entries.sort();
    } else {
        run.result.skipped_entries.clear();
        run.result.linted_entries.clear();
    }
    // Links never cross a repository root: each repository is linked and checked on its own, as
    // if it had been linted alone (`link::scope`).
    // The cross-link rules run on a pool of `jobs` threads too (one thread: sequentially).
    let models = std::mem::take(&mut run.models);
    let diagnostics = &mut run.result.diagnostics;
    let link_pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| LintError::Usage(format!("cannot start worker threads: {e}")))?;
    link_pool.install(|| {
        for model in models.into_values() {
            let linked = Linked::new(model, opts.link.clone());
            check::check_linked(&linked, &opts.selection, diagnostics);
        }
    });
    Ok(finish(run, opts, cwd))
}

/// Discover: the files to lint (and stdin), and what else the walk found (the paths that could
/// not be walked, the entries it passed over); `found.inputs` is moved into the sources.
fn discover_sources(
    opts: &LintOptions,
    cwd: &Path,
    jobs: usize,
) -> Result<(Vec<Source>, discover::Discovered), LintError> {
    let mut discover_opts = DiscoverOptions {
        jobs,
        ..opts.discover.clone()
    };
    // The configuration's globs are relative to its directory; when that is the working directory
    // the walker can use them to prune whole directories. Otherwise they are applied below.
    if let Some(exclude) = opts.exclude.as_ref().filter(|e| e.is_based_at(cwd)) {
        discover_opts.exclude.extend(exclude.globs.iter().cloned());
    }
    let use_stdin = opts.paths.iter().any(|p| p.as_os_str() == "-");
    let fs_paths: Vec<PathBuf> = opts
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    let mut found = discover::discover(&fs_paths, &discover_opts, cwd)
        .map_err(|e| LintError::Usage(e.to_string()))?;
    if let Some(exclude) = &opts.exclude {
        // A file named on the command line is always linted, as with `--exclude`.
        let named = |p: &Path| fs_paths.iter().any(|f| f == p);
        found
            .inputs
            .retain(|i| named(&i.path) || !exclude.matches(&i.path));
        found
            .problems
            .retain(|p| !exclude.matches(Path::new(&p.display)));
    }
    let mut sources: Vec<Source> = std::mem::take(&mut found.inputs)
        .into_iter()
        .map(Source::File)
        .collect();
    if use_stdin {
        let mut bytes = Vec::new();
        let read = std::io::stdin().read_to_end(&mut bytes);
        let name = opts
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>".to_string());
        // Standard input lies nowhere: it belongs to the repository of the directory its name
        // places it in, under the working directory.
        let dir = cwd.join(&name);
        let repository = discover::repository_of(dir.parent().unwrap_or(cwd), cwd);
        sources.push(Source::Bytes(
            name,
            read.map(|_| bytes).map_err(|e| e.to_string()),
            repository,
        ));
    }
    Ok((sources, found))
}

/// What the per-file stage produced, gathered for the link stage.
struct Run {
    result: LintResult,
    /// The model of each repository (files outside any repository under `None`).
    models: BTreeMap<Option<String>, Model>,
    /// Display paths of every file of the run (for the baseline's stale count).
    linted_files: BTreeSet<String>,
    inline_suppressions: Vec<FileSuppressions>,
}

/// Gather the per-file outcomes into one model per repository and one list of findings.
fn assemble(per_file: Vec<FileOutcome>, walk_problems: Vec<discover::WalkProblem>) -> Run {
    let rejected = |d: &[Diagnostic]| d.iter().any(|d| d.rule.code == registry::IRSA002.code);
    let mut run = Run {
        result: LintResult {
            files: per_file.len() + walk_problems.len(),
            rejected: per_file.iter().filter(|o| rejected(&o.diagnostics)).count()
                + walk_problems.len(),
            ..LintResult::default()
        },
        models: BTreeMap::new(),
        linted_files: BTreeSet::new(),
        inline_suppressions: Vec::new(),
    };
    for outcome in per_file {
        run.result.diagnostics.extend(outcome.diagnostics);
        match outcome.extracted.class {
            Some(extract::classify::InputClass::Other(reason)) => {
                run.result.skipped_entries.push(discover::SkippedEntry {
                    display: outcome.display.clone(),
                    reason,
                });
            }
            class => {
                let kind = class.map_or_else(
                    || extract::classify::kind_of_path(&outcome.display),
                    extract::classify::InputClass::label,
                );
                run.result
                    .linted_entries
                    .push((outcome.display.clone(), kind));
            }
        }
        run.linted_files.insert(outcome.display);
        run.inline_suppressions.extend(outcome.suppressions);
        let extracted = outcome.extracted;
        let model = run.models.entry(outcome.repository).or_default();
        model.policies.extend(extracted.policies);
        model
            .service_accounts
            .extend(extracted.k8s.service_accounts);
        model.workloads.extend(extracted.k8s.workloads);
        model
            .service_account_references
            .extend(extracted.k8s.service_account_references);
        model.env_sources.extend(extracted.k8s.env_sources);
        model.kustomizations.extend(extracted.k8s.kustomizations);
        model
            .role_arn_settings
            .extend(extracted.k8s.role_arn_settings);
        model.pod_identity.extend(extracted.pod_identity);
    }
    // The models are kept until the end of the run: no spare capacity from their growth.
    for model in run.models.values_mut() {
        model.policies.shrink_to_fit();
        model.service_accounts.shrink_to_fit();
        model.workloads.shrink_to_fit();
        model.service_account_references.shrink_to_fit();
        model.env_sources.shrink_to_fit();
        model.kustomizations.shrink_to_fit();
        model.role_arn_settings.shrink_to_fit();
    }
    for problem in walk_problems {
        run.linted_files.insert(problem.display.clone());
        let source = Arc::new(SourceFile::new(problem.display, None, String::new()));
        run.result.diagnostics.push(input_problem(
            &source,
            ProblemKind::Rejected,
            Span::default(),
            problem.message,
        ));
    }
    run
}

/// After the rules: suppressions, severity overrides, selection, order, fingerprints, baseline.
fn finish(run: Run, opts: &LintOptions, cwd: &Path) -> LintResult {
    let Run {
        mut result,
        mut linted_files,
        inline_suppressions,
        ..
    } = run;
    let enabled = |rule: &Rule| opts.selection.enabled(rule);
    let applied = suppress::apply(
        &mut result.diagnostics,
        &inline_suppressions,
        &opts.suppressions,
        &suppress::ApplyOptions {
            today: opts.today,
            enabled: &enabled,
            whole_tree: covers_config(opts, cwd),
        },
    );
    result.suppressed = applied.suppressed;
    if !opts.severity.is_empty() {
        for d in &mut result.diagnostics {
            if let Some(&severity) = opts.severity.get(d.rule.code) {
                d.severity = severity;
            }
        }
    }
    result
        .diagnostics
        .retain(|d| opts.selection.enabled(d.rule));
    diagnostic::sort_and_dedup(&mut result.diagnostics);
    diagnostic::assign_fingerprints(&mut result.diagnostics);
    if let Some(baseline) = &opts.baseline {
        // Findings at configuration entries (IRSA004/005) belong to the run too.
        for s in &opts.suppressions {
            linted_files.insert(s.source.display_path.clone());
        }
        let applied = baseline::apply(baseline, &mut result.diagnostics, &linted_files, &enabled);
        result.baselined = applied.baselined;
        result.stale_baseline_entries = applied.stale;
        result.baseline_entries_for_linted_files = applied.for_linted_files;
    }
    result
}

/// True when a path of the run is the configuration's directory or a parent of it, so the run saw
/// every file a configured suppression could cover.
fn covers_config(opts: &LintOptions, cwd: &Path) -> bool {
    let Some(base) = opts.suppressions.first().map(|s| &s.base) else {
        return false;
    };
    opts.paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .any(|p| base.starts_with(crate::discover::normalize(&cwd.join(p))))
}

/// What one worker lints: a file, or a Terraform module directory (its `.tf` and `.tfvars` files:
/// a value in one may come from another).
enum Unit {
    File(Source),
    TerraformModule(Vec<Source>),
}

/// The sources as units of work: Terraform files grouped by repository and directory, in the
/// order of their first file; every other file on its own.
fn units(sources: Vec<Source>) -> Vec<Unit> {
    let mut units: Vec<Unit> = Vec::new();
    let mut modules: BTreeMap<(Option<String>, String), usize> = BTreeMap::new();
    for source in sources {
        let (display, repository) = match &source {
            Source::File(input) => (input.display.as_str(), &input.repository),
            Source::Bytes(name, _, repository) => (name.as_str(), repository),
        };
        if parse::terraform_kind(Path::new(display)).is_none() {
            units.push(Unit::File(source));
            continue;
        }
        let dir = display.rsplit_once('/').map_or("", |(d, _)| d).to_string();
        match modules.entry((repository.clone(), dir)) {
            std::collections::btree_map::Entry::Occupied(e) => {
                if let Unit::TerraformModule(files) = &mut units[*e.get()] {
                    files.push(source);
                }
            }
            std::collections::btree_map::Entry::Vacant(e) => {
                e.insert(units.len());
                units.push(Unit::TerraformModule(vec![source]));
            }
        }
    }
    units
}

fn lint_unit(unit: Unit, opts: &LintOptions) -> Vec<FileOutcome> {
    let outcomes = match unit {
        Unit::File(source) => vec![lint_one(source, opts)],
        Unit::TerraformModule(sources) => lint_terraform_module(sources, opts),
    };
    if let Some(progress) = &opts.progress {
        progress.done.fetch_add(outcomes.len(), Ordering::Relaxed);
    }
    outcomes
}

enum Source {
    File(Input),
    /// Bytes already read (stdin, or [`lint_in_memory`]) under the name shown for them, with the
    /// repository they belong to.
    Bytes(String, Result<Vec<u8>, String>, Option<String>),
}

struct FileOutcome {
    /// The file as shown in reports.
    display: String,
    /// The repository the file belongs to ([`Input::repository`]).
    repository: Option<String>,
    diagnostics: Vec<Diagnostic>,
    extracted: extract::Extracted,
    /// Its suppression comments and annotations, when it has any.
    suppressions: Option<FileSuppressions>,
}

/// A file read and decoded: its text, and the repository it belongs to.
struct Loaded {
    source: SourceRef,
    repository: Option<String>,
}

/// Read and decode one source; a file that cannot be read or is not UTF-8 text is its outcome
/// already (IRSA002).
fn load(source: Source, opts: &LintOptions) -> Result<Loaded, Box<FileOutcome>> {
    let (display, path, bytes, repository) = match source {
        Source::File(input) => {
            let bytes = read_capped(&input.path, opts.max_file_size);
            (input.display, Some(input.path), bytes, input.repository)
        }
        Source::Bytes(name, bytes, repository) => {
            let bytes = bytes.and_then(|b| {
                if b.len() as u64 > opts.max_file_size {
                    Err(too_large(b.len() as u64, opts.max_file_size))
                } else {
                    Ok(b)
                }
            });
            (name, None, bytes, repository)
        }
    };
    // A file that yields no model object joins no repository's link.
    let fail = |source: SourceRef, problem: ParseProblem| FileOutcome {
        display: source.display_path.clone(),
        repository: None,
        suppressions: None,
        diagnostics: vec![input_problem(
            &source,
            problem.kind,
            problem.span,
            problem.message,
        )],
        extracted: extract::Extracted::default(),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(message) => {
            let source = Arc::new(SourceFile::new(display, path, String::new()));
            return Err(Box::new(fail(
                source,
                ParseProblem {
                    kind: ProblemKind::Rejected,
                    span: Span::default(),
                    message,
                },
            )));
        }
    };
    match parse::decode_or_return(bytes) {
        Ok(text) => Ok(Loaded {
            source: Arc::new(SourceFile::new(display, path, text)),
            repository,
        }),
        Err((problem, bytes)) => {
            // Keep the text before the offending byte, so the diagnostic gets its line and
            // column; the rest of an undecodable file is of no use.
            let end = (problem.span.start as usize).min(bytes.len());
            let text = String::from_utf8_lossy(&bytes[..end]).into_owned();
            let source = Arc::new(SourceFile::new(display, path, text));
            Err(Box::new(fail(source, problem)))
        }
    }
}

fn lint_one(source: Source, opts: &LintOptions) -> FileOutcome {
    let loaded = match load(source, opts) {
        Ok(loaded) => loaded,
        Err(outcome) => return *outcome,
    };
    let source = &loaded.source;
    let kind = parse::kind_for_path(Path::new(&source.display_path))
        .unwrap_or_else(|| parse::sniff_kind(&source.text));
    let read = frontend::read(
        source,
        kind,
        opts.limits,
        &opts.vars,
        suppress::COMMENT_MARKER,
    );
    outcome(loaded, read, opts)
}

/// Lint one Terraform module directory: its `.tf` and `.tfvars` files, evaluated together
/// (`frontend::read_terraform_module`); one outcome per file.
fn lint_terraform_module(sources: Vec<Source>, opts: &LintOptions) -> Vec<FileOutcome> {
    let mut outcomes = Vec::new();
    let mut loaded = Vec::new();
    for source in sources {
        match load(source, opts) {
            Ok(l) => loaded.push(l),
            Err(outcome) => outcomes.push(*outcome),
        }
    }
    let files: Vec<(SourceRef, parse::TerraformFile)> = loaded
        .iter()
        .filter_map(|l| {
            let kind = parse::terraform_kind(Path::new(&l.source.display_path))?;
            Some((l.source.clone(), kind))
        })
        .collect();
    let loader = ModuleFiles::new(&loaded, opts.max_file_size);
    let reads = frontend::read_terraform_module(&files, &loader, suppress::COMMENT_MARKER);
    for (l, read) in loaded.into_iter().zip(reads) {
        outcomes.push(outcome(l, read, opts));
    }
    outcomes
}

/// Reads the files a Terraform module's `file()` and `templatefile()` name, relative to the
/// module's directory (the working directory of a `terraform plan` there). Only files inside the
/// module's repository (outside any repository, inside the module's directory) are read: a
/// configuration cannot make the linter read `/etc/shadow` into a report. Files are capped like
/// any input.
struct ModuleFiles {
    /// The module directory on disk, and as displayed.
    dir: Option<(PathBuf, String)>,
    /// The directory nothing outside of may be read.
    root: Option<PathBuf>,
    max_file_size: u64,
}

impl ModuleFiles {
    fn new(files: &[Loaded], max_file_size: u64) -> ModuleFiles {
        let first = files.iter().find(|l| l.source.path.is_some());
        let dir = first.and_then(|l| {
            let path = l.source.path.as_ref()?;
            let dir = discover::normalize(&std::env::current_dir().ok()?.join(path.parent()?));
            let display = l
                .source
                .display_path
                .rsplit_once('/')
                .map_or(".", |(d, _)| d)
                .to_string();
            Some((dir, display))
        });
        // The repository's root on disk when there is one, else the module directory itself.
        let root = dir.as_ref().map(|(d, _)| {
            d.ancestors()
                .find(|a| a.join(".git").exists())
                .unwrap_or(d)
                .to_path_buf()
        });
        ModuleFiles {
            dir,
            root,
            max_file_size,
        }
    }
}

impl FileLoader for ModuleFiles {
    fn load(&self, path: &Path) -> Option<SourceRef> {
        let (dir, display_dir) = self.dir.as_ref()?;
        if path.is_absolute() {
            return None;
        }
        let full = discover::normalize(&dir.join(path));
        if !full.starts_with(self.root.as_ref()?) {
            return None;
        }
        let bytes = read_capped(&full, self.max_file_size).ok()?;
        let text = parse::decode(bytes).ok()?;
        let relative = path.to_string_lossy().replace('\\', "/");
        let relative = relative.strip_prefix("./").unwrap_or(&relative);
        let display = discover::normalize(Path::new(&format!("{display_dir}/{relative}")))
            .to_string_lossy()
            .into_owned();
        Some(Arc::new(SourceFile::new(display, Some(full), text)))
    }

    /// A local module's `.tf` files, under the same restriction as [`FileLoader::load`].
    fn list_tf(&self, dir: &Path) -> Vec<SourceRef> {
        let Some((module_dir, _)) = self.dir.as_ref() else {
            return Vec::new();
        };
        let (Some(root), false) = (self.root.as_ref(), dir.is_absolute()) else {
            return Vec::new();
        };
        let full = discover::normalize(&module_dir.join(dir));
        if !full.starts_with(root) {
            return Vec::new();
        }
        let Ok(entries) = std::fs::read_dir(&full) else {
            return Vec::new();
        };
        let mut names: Vec<String> = entries
            .filter_map(|e| {
                let e = e.ok()?;
                // Regular files only: a symlink is never followed, as in a walk.
                e.file_type().ok()?.is_file().then_some(())?;
                let name = e.file_name().into_string().ok()?;
                name.ends_with(".tf").then_some(name)
            })
            .collect();
        names.sort();
        names
            .into_iter()
            .filter_map(|name| self.load(&dir.join(name)))
            .collect()
    }
}

/// One file's outcome from what its frontend read: input problem, IRSA006, the trust-policy
/// rules, suppressions.
fn outcome(loaded: Loaded, read: frontend::FrontendOutput, opts: &LintOptions) -> FileOutcome {
    let Loaded { source, repository } = loaded;
    let mut diagnostics = Vec::new();
    if let Some(problem) = read.problem {
        diagnostics.push(input_problem(
            &source,
            problem.kind,
            problem.span,
            problem.message,
        ));
    }
    let mut extracted = read.extracted;
    extracted.shrink_to_fit();
    if !opts.link.roles.is_empty() {
        for policy in &mut extracted.policies {
            if policy.role.is_none() {
                policy.role = roles::configured_identity(policy, &opts.link.roles);
            }
        }
    }
    // One IRSA006 per file the values are written in (a trust may be in a template beside).
    let unresolved = extract::unresolved::unresolved_values(&source, &extracted);
    let terraform = parse::terraform_kind(Path::new(&source.display_path)).is_some();
    for group in unresolved.chunk_by(|a, b| Arc::ptr_eq(a.source, b.source)) {
        diagnostics.extend(unresolved_values(group[0].source, group, terraform));
    }
    let context = check::RuleContext {
        audiences: &opts.link.audiences,
    };
    for policy in &extracted.policies {
        check::check_policy(policy, &context, &opts.selection, &mut diagnostics);
    }
    let mut items = suppress::scan_comments(&source.text, &read.comments);
    items.extend(suppress::scan_annotations(
        &source,
        &extracted.k8s.ignore_annotations,
    ));
    let suppressions = (!items.is_empty()).then(|| FileSuppressions {
        source: source.clone(),
        items,
    });
    FileOutcome {
        display: source.display_path.clone(),
        repository,
        diagnostics,
        extracted,
        suppressions,
    }
}

fn too_large(len: u64, cap: u64) -> String {
    format!(
        "file is {len} bytes, over the {} size limit: raise it with --max-file-size (or `max-file-size:` in .irsa-lint.yaml)",
        crate::limits::format_size(cap)
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

/// IRSA006: one finding per file for the values it reads that are filled in at deploy time,
/// at the first of them, the others as related locations.
fn unresolved_values(
    source: &SourceRef,
    values: &[UnresolvedValue],
    terraform: bool,
) -> Option<Diagnostic> {
    let first = values.first()?;
    let mut variables: Vec<String> = Vec::new();
    for value in values {
        for hole in find_holes(value.text) {
            let mut text = &value.text[hole.range];
            // A run of `%{ }` directives is named by its first.
            if text.starts_with("%{")
                && let Some(close) = text.find('}')
            {
                text = &text[..=close];
            }
            let text = shortened(text);
            if !variables.contains(&text) {
                variables.push(text);
            }
        }
    }
    let count = match values.len() {
        1 => "1 value is".to_string(),
        n => format!("{n} values are"),
    };
    let listed = quote_list(&variables, MAX_LISTED);
    let (message, help) = if terraform {
        (
            format!(
                "{count} known only when Terraform runs ({listed}): lint the plan \
                 (`terraform show -json`) to check what depends on them"
            ),
            "findings here hold whatever these turn out to be, but what depends on their values \
             (which provider, which subjects) is not checked: `terraform plan -out tfplan && \
             terraform show -json tfplan > plan.json`, then lint `plan.json` too",
        )
    } else {
        let named = if variables.len() == 1 {
            "variable"
        } else {
            "variables"
        };
        (
            format!(
                "{count} filled in at deploy time ({named} {listed}): lint the rendered output, \
                 or pass them with `--var`"
            ),
            "findings here hold whatever fills these in, but what depends on their values (which \
             role, which namespace) is not checked: render first (`envsubst < FILE | irsa-lint \
             --stdin-filename FILE -`, `helm template`), or give them with `--var NAME=VALUE` or \
             `vars:` in .irsa-lint.yaml",
        )
    };
    let label = if terraform {
        "known only when Terraform runs"
    } else {
        "filled in at deploy time"
    };
    let mut diagnostic = Diagnostic::new(registry::IRSA006, source, first.span, message)
        .label(label)
        .help(help)
        .at_path("file");
    for value in &values[1..] {
        diagnostic = diagnostic.related(source, value.span, format!("also {label}"));
    }
    Some(diagnostic)
}

/// A variable as a message lists it: a long Terraform expression cut to its start.
fn shortened(text: &str) -> String {
    const MAX: usize = 48;
    if text.chars().count() <= MAX {
        return text.to_string();
    }
    let cut: String = text.chars().take(MAX - 2).collect();
    format!("{cut}…}}")
}

/// The IRSA00x diagnostic for an input problem.
fn input_problem(source: &SourceRef, kind: ProblemKind, span: Span, message: String) -> Diagnostic {
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

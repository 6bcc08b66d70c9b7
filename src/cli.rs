//! The command line: parse arguments, run the linter, write reports, choose the exit status.
//!
//! Exit status: 0 when nothing at or above `--fail-on` was found, 1 when something was, 2 for a
//! usage error, a path that does not exist, or an internal error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::discover::DiscoverOptions;
use crate::link::LinkOptions;
use crate::lint::{self, LintOptions, Selection};
use crate::registry;
use crate::report::{self, Format, FormatSpec, Summary, rules_doc};

pub const EXIT_CLEAN: i32 = 0;
pub const EXIT_FINDINGS: i32 = 1;
pub const EXIT_ERROR: i32 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "irsa-lint",
    version,
    about = "Static analyzer for EKS IAM Roles for Service Accounts: trust policies, ServiceAccounts and workloads",
    args_conflicts_with_subcommands = true,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint files and directories (the default command).
    Check(Box<CheckArgs>),
    /// Print a rule's documentation.
    Explain {
        /// A rule code (IRSA101) or name (aud-holds-subject).
        rule: String,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

impl FailOn {
    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files and directories to lint (`-` reads one document stream from stdin).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The file name to show (and to pick YAML or JSON by) for input read from stdin.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Output format, `FORMAT` or `FORMAT:FILE` (repeatable): human, concise, json, sarif,
    /// github, gitlab, junit. Formats without a file go to stdout (or `--output`).
    #[arg(long, value_name = "FORMAT[:FILE]", default_value = "human")]
    pub format: Vec<FormatSpec>,
    /// Write the reports that name no file to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Only run these rules (codes, code prefixes or names; comma separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub select: Vec<String>,
    /// Do not run these rules (codes, code prefixes or names; comma separated, repeatable).
    #[arg(long, value_delimiter = ',', value_name = "RULES")]
    pub ignore: Vec<String>,
    /// Skip files and directories matching this glob (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Do not honour .gitignore, .ignore and git exclude files.
    #[arg(long)]
    pub no_ignore: bool,
    /// Worker threads (default: one per core).
    #[arg(long, short = 'j', value_name = "N")]
    pub jobs: Option<usize>,
    /// Files larger than this many bytes are not read (IRSA002).
    #[arg(long, value_name = "BYTES", default_value_t = lint::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// The namespace of manifests that set none (kubectl's default without `-n`).
    #[arg(long, value_name = "NS", default_value = "default")]
    pub default_namespace: String,
    /// The cluster's OIDC issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`):
    /// verdicts use it as the provider, and trust policies naming another provider are reported.
    #[arg(long, value_name = "URL")]
    pub cluster_issuer: Option<String>,
    /// Colour the human output (`auto`: when stdout is a terminal and NO_COLOR is not set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print findings only: no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Entry point used by `main`: returns the exit status.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return if err.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("irsa-lint: error: {message}");
            EXIT_ERROR
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<i32, String> {
    match cli.command {
        Some(Command::Check(args)) => run_check(&args),
        Some(Command::Explain { rule }) => {
            let rule = registry::lookup(&rule)
                .ok_or_else(|| format!("unknown rule {rule:?}: `irsa-lint rules` lists them"))?;
            write_stdout(rules_doc::explain(rule).as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Rules { format }) => {
            let text = match format {
                RulesFormat::Table => rules_doc::table(),
                RulesFormat::Json => rules_doc::json(),
                RulesFormat::Markdown => rules_doc::index_markdown(),
            };
            write_stdout(text.as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        None => run_check(&cli.check),
    }
}

fn run_check(args: &CheckArgs) -> Result<i32, String> {
    let opts = LintOptions {
        paths: args.paths.clone(),
        stdin_filename: args.stdin_filename.clone(),
        discover: DiscoverOptions {
            no_ignore: args.no_ignore,
            exclude: args.exclude.clone(),
            jobs: args.jobs.unwrap_or(0),
        },
        max_file_size: args.max_file_size,
        limits: Default::default(),
        selection: Selection {
            select: args.select.clone(),
            ignore: args.ignore.clone(),
        },
        link: LinkOptions {
            default_namespace: args.default_namespace.clone(),
            cluster_issuer: args.cluster_issuer.clone(),
        },
    };
    let result = lint::lint(&opts).map_err(|e| e.to_string())?;
    let summary = Summary::new(result.files, &result.diagnostics);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let mut to_stdout = Vec::new();
    for spec in &args.format {
        let to_file = spec.file.is_some() || args.output.is_some();
        let mut bytes = report::render(
            spec.format,
            &result.diagnostics,
            &summary,
            color && !to_file,
        );
        if args.quiet && spec.format == Format::Human {
            // Drop the closing summary line.
            let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let cut = trimmed
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            bytes.truncate(cut);
        }
        if spec.format == Format::Github
            && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
        {
            append_step_summary(
                PathBuf::from(path).as_path(),
                &report::github::step_summary(&result.diagnostics, &summary),
            )?;
        }
        match &spec.file {
            Some(path) => std::fs::write(path, &bytes)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
            None => to_stdout.extend_from_slice(&bytes),
        }
    }
    match &args.output {
        Some(path) => std::fs::write(path, &to_stdout)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        None => write_stdout(&to_stdout)?,
    }
    let failed = args
        .fail_on
        .threshold()
        .is_some_and(|threshold| result.diagnostics.iter().any(|d| d.severity >= threshold));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// Append the run's Markdown summary to GitHub's step summary file.
fn append_step_summary(path: &std::path::Path, markdown: &str) -> Result<(), String> {
    if markdown.is_empty() {
        return Ok(());
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    file.write_all(markdown.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`irsa-lint | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(format!("cannot write to stdout: {e}")),
    }
}

//! The command line: parse arguments, read the configuration, run the linter, write reports,
//! choose the exit status.
//!
//! Options given on the command line win over the configuration file (`.irsa-lint.yaml`, see
//! [`crate::config`]); an option given in neither takes its default. That is why the options
//! with a default are `Option`s here: `None` means "not on the command line", and the defaults are
//! applied after merging ([`resolve`]). A list option given on the command line (`--select`,
//! `--ignore`, `--exclude`, `--format`) replaces the configuration's list rather than extending it,
//! so that a command line always says exactly what runs.
//!
//! Exit status: 0 when nothing at or above `--fail-on` was found (baselined findings aside), 1 when
//! something was, 2 for a usage error, a configuration error, an unreadable baseline, a path that
//! does not exist (or a dangling symlink), or an internal error. `--write-baseline` exits 0. A
//! closed stdout or stderr (`irsa-lint | head -1`) changes none of these: what cannot be written is
//! dropped without a message.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};

use crate::baseline::Baseline;
use crate::config::{self, ColorChoice, Config, FailOn};
use crate::discover::DiscoverOptions;
use crate::limits;
use crate::link::LinkOptions;
use crate::lint::{self, LintOptions, Selection};
use crate::model::template::is_variable_name;
use crate::parse::tree::Limits;
use crate::registry;
use crate::report::{self, Format, FormatSpec, Summary, rules_doc};
use crate::suppress::Date;

/// The environment variable that fixes "today" for suppression expiry (`YYYY-MM-DD`), so that
/// tests and reproducible CI runs do not depend on the clock.
pub const TODAY_ENV: &str = "IRSA_LINT_TODAY";

/// Exit status: nothing at or above `--fail-on`.
pub const EXIT_CLEAN: i32 = 0;
/// Exit status: a finding at or above `--fail-on`.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit status: usage, configuration or internal error.
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
    /// Print the JSON Schema of `.irsa-lint.yaml` (for editors: yaml-language-server).
    ConfigSchema,
    /// Write a commented starter `.irsa-lint.yaml` (never overwrites a file).
    Init {
        /// Where to write it.
        #[arg(value_name = "FILE", default_value = config::FILE_NAME)]
        path: PathBuf,
    },
    /// Print a shell completion script (e.g. `irsa-lint completions bash > /etc/bash_completion.d/irsa-lint`).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff; e.g. `irsa-lint man > irsa-lint.1`).
    Man,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Table,
    Json,
    Markdown,
}

/// The options of `check` (and of the bare command). Options that have a default are `Option`s or
/// empty lists here: `None`/empty means "not given on the command line" (see [`resolve`]).
#[derive(Args, Debug, Clone, Default)]
pub struct CheckArgs {
    /// Files and directories to lint (`-` reads one document stream from stdin).
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// The file name to show (and to pick YAML or JSON by) for input read from stdin.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// Output format, `FORMAT` or `FORMAT:FILE` (repeatable): human, concise, json, sarif,
    /// github, gitlab, junit. Formats without a file (or with `-`) go to stdout (or `--output`);
    /// at most one format may go there, and no file may be named twice. Default: human.
    #[arg(long, value_name = "FORMAT[:FILE]")]
    pub format: Vec<FormatSpec>,
    /// Write the reports that name no file to FILE instead of stdout.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Exit with status 1 when a finding at or above this severity remains (default: warning).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
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
    /// Also read Terraform state files (*.tfstate) found while walking directories. State holds
    /// secrets in clear text: without this flag a state file is read only when named.
    #[arg(long)]
    pub include_state: bool,
    /// Worker threads, 1 to 256; output does not depend on it [default: number of cores, at most
    /// 256]
    #[arg(long, short = 'j', value_name = "N", value_parser = limits::parse_jobs)]
    pub jobs: Option<usize>,
    /// Files larger than this are not read (IRSA002): bytes, or with a unit: 512k, 16MiB (k, M,
    /// G are 1024-based; kB, MB, GB 1000-based) [default: 16MiB]
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    pub max_file_size: Option<u64>,
    /// Files with more nodes (keys and values) than this are not linted (IRSA002): 500000, 500k,
    /// 5M [default: 5000000]
    #[arg(long, value_name = "N", value_parser = limits::parse_max_nodes)]
    pub max_nodes: Option<usize>,
    /// The namespace of manifests that set none (kubectl's default without `-n`; default:
    /// `default`).
    #[arg(long, value_name = "NS")]
    pub default_namespace: Option<String>,
    /// Fill in the template variable NAME (`${NAME}` and `$NAME`, as envsubst does) with VALUE
    /// before linting; repeatable. Variables not given stay unknown (IRSA006).
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub vars: Vec<(String, String)>,
    /// The cluster's OIDC issuer URL (`aws eks describe-cluster --query cluster.identity.oidc.issuer`):
    /// verdicts use it as the provider, and trust policies naming another provider are reported.
    #[arg(long, value_name = "URL")]
    pub cluster_issuer: Option<String>,
    /// Colour the human output (`auto`, the default: when stdout is a terminal and NO_COLOR is
    /// not set).
    #[arg(long, value_enum)]
    pub color: Option<ColorChoice>,
    /// Print findings only: no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// List on stderr every file linted with its kind, and every entry passed over and why
    /// (another extension, a symlink, a FIFO, an `--exclude` glob, none of the input kinds).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Print on stderr the number of findings of each rule, most frequent first.
    #[arg(long)]
    pub statistics: bool,
    /// Exit with status 2 when no file was linted (a wrong path, or an `--exclude` that hides
    /// everything); without it, that is a warning.
    #[arg(long)]
    pub fail_on_empty: bool,
    /// Read this configuration file instead of looking for `.irsa-lint.yaml` (or `.irsa-lint.yml`)
    /// in the working directory and its parents.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Ignore any configuration file.
    #[arg(long)]
    pub no_config: bool,
    /// Leave out the findings recorded in FILE (by --write-baseline); the exit status follows the
    /// other findings only.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE as a baseline and exit 0 (no report is written).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
}

/// `eprintln!` without its panic, for one line of text rendered for a terminal. A message to a
/// closed stderr (`irsa-lint 2>&1 | head -1`) is dropped, so that the exit status stays the one the
/// run earned instead of a panic's 101. Messages quote paths, configuration and baseline values,
/// any of which may come from an attacker's pull request: rendered with [`Sink::Terminal`], none
/// can move the cursor or start a line (a workflow command) of its own.
macro_rules! note {
    ($($arg:tt)*) => {{
        let line = format!($($arg)*);
        let _ = writeln!(
            std::io::stderr().lock(),
            "{}",
            report::text::for_sink(&line, report::text::Sink::Terminal)
        );
    }};
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
            note!("irsa-lint: error: {message}");
            EXIT_ERROR
        }
    }
}

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<i32, String> {
    match cli.command {
        Some(Command::Check(args)) => run_check(&args),
        Some(Command::Explain { rule }) => {
            let rule = registry::lookup(&rule).ok_or_else(|| match config::suggest_rule(&rule) {
                Some(near) => format!(
                    "unknown rule {rule:?}; did you mean `{near}`? (`irsa-lint rules` lists them)"
                ),
                None => format!("unknown rule {rule:?}: `irsa-lint rules` lists them"),
            })?;
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
        Some(Command::ConfigSchema) => {
            write_stdout(config::schema::text().as_bytes())?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Init { path }) => init(&path),
        Some(Command::Completions { shell }) => {
            let mut bytes = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "irsa-lint", &mut bytes);
            write_stdout(&bytes)?;
            Ok(EXIT_CLEAN)
        }
        Some(Command::Man) => {
            write_stdout(&man_page()?)?;
            Ok(EXIT_CLEAN)
        }
        None => run_check(&cli.check),
    }
}

/// The manual page, roff, rendered by clap_mangen from the same definition that parses the
/// command line (so it cannot fall behind it): the command's options, then one section per
/// subcommand.
pub fn man_page() -> Result<Vec<u8>, String> {
    let command = Cli::command();
    let mut out = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut out)
        .map_err(|e| format!("cannot render the manual page: {e}"))?;
    for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
        let name = format!("irsa-lint {}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.clone());
        let about = sub.get_about().map(|a| a.to_string()).unwrap_or_default();
        let man = clap_mangen::Man::new(sub);
        // One section per subcommand, headed by its name (the command's own page lists them
        // as `irsa-lint-NAME(1)`: they are all on this page instead).
        let heading = format!(
            ".SH \"{}\"\n{}\n",
            name.to_uppercase().replace('-', "\\-"),
            about.replace('-', "\\-")
        );
        out.extend_from_slice(heading.as_bytes());
        man.render_synopsis_section(&mut out)
            .and_then(|()| man.render_description_section(&mut out))
            .and_then(|()| man.render_options_section(&mut out))
            .map_err(|e| format!("cannot render the manual page: {e}"))?;
    }
    Ok(out)
}

/// `irsa-lint init [FILE]`: write the starter configuration, refusing to replace a file.
fn init(path: &Path) -> Result<i32, String> {
    let mut file = match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return Err(format!(
                "{} already exists: not overwritten (remove it first, or edit it)",
                path.display()
            ));
        }
        Err(e) => return Err(format!("cannot write {}: {e}", path.display())),
    };
    file.write_all(config::STARTER.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    note!("irsa-lint: wrote {}", path.display());
    Ok(EXIT_CLEAN)
}

/// The configuration to use: `--config FILE`, else `.irsa-lint.yaml` or `.irsa-lint.yml` in the
/// working directory or its nearest parent, unless `--no-config`. A configuration error is printed here, one line per
/// problem (`PATH:LINE:COL: error: ...`), and gives `Err(())`.
fn load_config(args: &CheckArgs, cwd: &Path) -> Result<Option<Config>, ()> {
    if args.no_config {
        return Ok(None);
    }
    let path = match &args.config {
        Some(path) => path.clone(),
        None => match config::find(cwd) {
            Ok(Some(path)) => path,
            Ok(None) => return Ok(None),
            Err(message) => {
                note!("irsa-lint: error: {message}");
                return Err(());
            }
        },
    };
    config::load(&path, cwd).map(Some).map_err(|errors| {
        for e in errors {
            note!("{e}");
        }
    })
}

/// The command line merged with the configuration: what the run does.
pub struct Resolved {
    /// The arguments with every default filled in (`format` non-empty, `fail_on`, `color`, ...),
    /// the configuration's values where the command line gave none.
    pub args: CheckArgs,
    /// The options for the driver.
    pub lint: LintOptions,
    /// `--fail-on` or `fail-on`, default `warning`.
    pub fail_on: FailOn,
    /// `--color` or `color`, default `auto`.
    pub color: ColorChoice,
}

/// `--var NAME=VALUE`.
fn parse_var(text: &str) -> Result<(String, String), String> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))?;
    if !is_variable_name(name) {
        return Err(format!(
            "`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"
        ));
    }
    Ok((name.to_string(), value.to_string()))
}

/// Merge the command line with the configuration: a value given on the command line wins, then
/// the configuration's, then the default. Lists given on the command line replace the
/// configuration's. Booleans (`--quiet`, `--no-ignore`) are on when either turns them on.
pub fn resolve(cli: &CheckArgs, config: Option<&Config>, today: Date) -> Resolved {
    let cfg = |f: fn(&Config) -> Option<String>| config.and_then(f);
    let list = |given: &[String], from: Option<&Vec<String>>| -> Vec<String> {
        if given.is_empty() {
            from.cloned().unwrap_or_default()
        } else {
            given.to_vec()
        }
    };
    let select = list(&cli.select, config.and_then(|c| c.select.as_ref()));
    let ignore = list(&cli.ignore, config.and_then(|c| c.ignore.as_ref()));
    let clusters = config.map(|c| c.clusters.clone()).unwrap_or_default();
    // The issuer verdicts use: the command line's, else the configuration's `cluster-issuer`,
    // else the one configured cluster (with several, the manifests' cluster is not known).
    let cluster_issuer = cli
        .cluster_issuer
        .clone()
        .or_else(|| cfg(|c| c.cluster_issuer.clone()))
        .or_else(|| match clusters.as_slice() {
            [one] => Some(one.issuer.clone()),
            _ => None,
        });
    let fail_on = cli
        .fail_on
        .or(config.and_then(|c| c.fail_on))
        .unwrap_or(FailOn::Warning);
    let color = cli
        .color
        .or(config.and_then(|c| c.color))
        .unwrap_or(ColorChoice::Auto);
    let format = if !cli.format.is_empty() {
        cli.format.clone()
    } else {
        config
            .and_then(|c| c.format.clone())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| {
                vec![FormatSpec {
                    format: Format::Human,
                    file: None,
                }]
            })
    };
    let args = CheckArgs {
        verbose: cli.verbose,
        statistics: cli.statistics,
        fail_on_empty: cli.fail_on_empty,
        vars: cli.vars.clone(),
        paths: cli.paths.clone(),
        stdin_filename: cli.stdin_filename.clone(),
        format,
        output: cli
            .output
            .clone()
            .or_else(|| config.and_then(|c| c.output.clone())),
        fail_on: Some(fail_on),
        select: select.clone(),
        ignore: ignore.clone(),
        exclude: cli.exclude.clone(),
        no_ignore: cli.no_ignore || config.and_then(|c| c.no_ignore).unwrap_or(false),
        include_state: cli.include_state || config.and_then(|c| c.include_state).unwrap_or(false),
        jobs: Some(
            cli.jobs
                .or(config.and_then(|c| c.jobs))
                .unwrap_or_else(limits::default_jobs),
        ),
        max_file_size: Some(
            cli.max_file_size
                .or(config.and_then(|c| c.max_file_size))
                .unwrap_or(limits::DEFAULT_MAX_FILE_SIZE),
        ),
        max_nodes: Some(
            cli.max_nodes
                .or(config.and_then(|c| c.max_nodes))
                .unwrap_or(limits::DEFAULT_MAX_NODES),
        ),
        default_namespace: Some(
            cli.default_namespace
                .clone()
                .or_else(|| cfg(|c| c.default_namespace.clone()))
                .unwrap_or_else(|| "default".to_string()),
        ),
        cluster_issuer: cluster_issuer.clone(),
        color: Some(color),
        quiet: cli.quiet || config.and_then(|c| c.quiet).unwrap_or(false),
        config: cli.config.clone(),
        no_config: cli.no_config,
        baseline: cli
            .baseline
            .clone()
            .or_else(|| config.and_then(|c| c.baseline.clone())),
        write_baseline: cli.write_baseline.clone(),
    };
    let lint = LintOptions {
        paths: args.paths.clone(),
        stdin_filename: args.stdin_filename.clone(),
        discover: DiscoverOptions {
            no_ignore: args.no_ignore,
            exclude: cli.exclude.clone(),
            jobs: args.jobs.unwrap_or_else(limits::default_jobs),
            list_skipped: cli.verbose,
            include_state: args.include_state,
        },
        // `--exclude` replaces the configuration's `exclude`.
        exclude: if cli.exclude.is_empty() {
            config.and_then(|c| c.exclude.clone())
        } else {
            None
        },
        max_file_size: args.max_file_size.unwrap_or(limits::DEFAULT_MAX_FILE_SIZE),
        limits: Limits {
            max_nodes: args.max_nodes.unwrap_or(limits::DEFAULT_MAX_NODES),
            ..Limits::default()
        },
        selection: Selection { select, ignore },
        link: LinkOptions {
            default_namespace: args
                .default_namespace
                .clone()
                .unwrap_or_else(|| "default".to_string()),
            cluster_issuer,
            clusters,
            audiences: config.map(|c| c.audiences.clone()).unwrap_or_default(),
            roles: config.map(|c| c.roles.clone()).unwrap_or_default(),
        },
        // `--var` values replace the configuration's `vars` of the same name.
        vars: config
            .map(|c| c.vars.clone())
            .unwrap_or_default()
            .into_iter()
            .chain(cli.vars.iter().cloned())
            .collect(),
        severity: config.map(|c| c.severity.clone()).unwrap_or_default(),
        suppressions: config.map(|c| c.suppressions.clone()).unwrap_or_default(),
        today,
        baseline: None,
        progress: None,
    };
    Resolved {
        args,
        lint,
        fail_on,
        color,
    }
}

/// The progress line: on a terminal, a run that lasts more than [`ProgressLine::AFTER`] shows on
/// stderr how many files are read of how many, then what the link stage links. Never when stderr
/// is not a terminal, with `--quiet`, or when a machine-readable report goes to a terminal's
/// stdout; the line is erased before anything else is printed.
struct ProgressLine {
    stop: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl ProgressLine {
    const AFTER: std::time::Duration = std::time::Duration::from_secs(1);
    const EVERY: std::time::Duration = std::time::Duration::from_millis(200);

    /// Start counting in `opts`, and a thread that shows the count, when a line may be shown.
    fn start(args: &CheckArgs, opts: &mut LintOptions) -> Option<ProgressLine> {
        let machine_to_terminal = args.output.is_none()
            && args
                .format
                .iter()
                .any(|f| f.file.is_none() && !matches!(f.format, Format::Human | Format::Concise))
            && std::io::stdout().is_terminal();
        if args.quiet || machine_to_terminal || !std::io::stderr().is_terminal() {
            return None;
        }
        let progress = std::sync::Arc::new(lint::Progress::default());
        opts.progress = Some(progress.clone());
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            // `IRSA_LINT_PROGRESS_AFTER_MS` shortens the wait, for tests.
            let after = std::env::var("IRSA_LINT_PROGRESS_AFTER_MS")
                .ok()
                .and_then(|ms| ms.parse().ok())
                .map_or(Self::AFTER, std::time::Duration::from_millis);
            if stopped.recv_timeout(after).is_ok() {
                return;
            }
            loop {
                let line = match progress.linking.get() {
                    Some((accounts, roles)) => {
                        format!("linking {accounts} ServiceAccounts × {roles} roles")
                    }
                    None => format!(
                        "files {}/{}",
                        progress.done.load(std::sync::atomic::Ordering::Relaxed),
                        progress.total.load(std::sync::atomic::Ordering::Relaxed)
                    ),
                };
                let _ = write!(std::io::stderr().lock(), "\r\x1b[Kirsa-lint: {line}");
                if stopped.recv_timeout(Self::EVERY).is_ok() {
                    break;
                }
            }
            let _ = write!(std::io::stderr().lock(), "\r\x1b[K");
        });
        Some(ProgressLine { stop, thread })
    }

    /// Stop showing it, and erase it.
    fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.thread.join();
    }
}

/// Today, or the date `IRSA_LINT_TODAY` names.
fn today() -> Result<Date, String> {
    match std::env::var(TODAY_ENV) {
        Ok(text) if !text.trim().is_empty() => Date::parse(text.trim())
            .ok_or_else(|| format!("{TODAY_ENV}={text:?} is not a date (expected YYYY-MM-DD)")),
        _ => Ok(Date::today()),
    }
}

fn run_check(cli_args: &CheckArgs) -> Result<i32, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the working directory: {e}"))?;
    let Ok(config) = load_config(cli_args, &cwd) else {
        return Ok(EXIT_ERROR);
    };
    let Resolved {
        args: resolved,
        lint: mut opts,
        fail_on,
        color: color_choice,
    } = resolve(cli_args, config.as_ref(), today()?);
    let args = &resolved;
    check_destinations(&args.format, args.output.as_deref(), &cwd)?;

    if let Some(path) = &args.write_baseline {
        // The baseline records every current finding: a baseline given too is not applied, so
        // that `--baseline b.json --write-baseline b.json` refreshes (and prunes) it.
        let result = lint::lint(&opts).map_err(|e| e.to_string())?;
        let baseline = Baseline::of(&result.diagnostics);
        std::fs::write(path, baseline.to_json())
            .map_err(|e| format!("cannot write baseline {}: {e}", path.display()))?;
        if !args.quiet {
            let n = baseline.findings.len();
            note!(
                "irsa-lint: wrote {n} finding{} to baseline {}",
                if n == 1 { "" } else { "s" },
                path.display()
            );
        }
        return Ok(EXIT_CLEAN);
    }
    if let Some(path) = &args.baseline {
        opts.baseline = Some(Baseline::load(path)?);
    }

    let shown = ProgressLine::start(args, &mut opts);
    let result = lint::lint(&opts);
    if let Some(line) = shown {
        line.stop();
    }
    let result = result.map_err(|e| e.to_string())?;
    if let Some(baseline) = opts.baseline.as_ref().filter(|b| !b.findings.is_empty())
        && result.baseline_entries_for_linted_files == 0
        && !args.quiet
    {
        // Entries name files as shown from the directory the baseline was written in: a run from
        // elsewhere matches nothing, which would otherwise look like a wall of new findings.
        note!(
            "irsa-lint: note: none of the {} baseline entries is for a file linted in this run: entries name files by their path from the directory the baseline was written in (e.g. `{}`), so run irsa-lint from there",
            baseline.findings.len(),
            baseline.findings[0].file
        );
    }
    if args.verbose {
        for (display, kind) in &result.linted_entries {
            note!("irsa-lint: linted {display} ({kind})");
        }
    }
    for entry in &result.skipped_entries {
        note!("irsa-lint: skipped {}: {}", entry.display, entry.reason);
    }
    let empty = result.files == 0;
    if empty {
        let level = if args.fail_on_empty {
            "error"
        } else {
            "warning"
        };
        note!("irsa-lint: {level}: {NOTHING_LINTED}");
    }
    let mut summary = Summary::new(result.files, &result.diagnostics);
    summary.baselined = result.baselined;
    summary.stale_baseline_entries = result.stale_baseline_entries;
    summary.rejected = result.rejected;
    summary.skipped = result.skipped;
    summary.fail_threshold = fail_on.threshold();
    let color = match color_choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && auto_color(
                    |name| std::env::var_os(name).filter(|v| !v.is_empty()),
                    std::io::stdout().is_terminal(),
                )
        }
    };
    let mut to_stdout = Vec::new();
    let mut step_summary_written = false;
    for spec in &args.format {
        let to_file = spec.file.is_some() || args.output.is_some();
        let mut bytes = report::render(
            spec.format,
            &result.diagnostics,
            &summary,
            color && !to_file,
        );
        if args.quiet && matches!(spec.format, Format::Human | Format::Github) {
            // Both end with a plain summary line; --quiet prints findings only.
            let trimmed = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
            let cut = trimmed
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            bytes.truncate(cut);
        }
        if spec.format == Format::Github {
            if empty {
                // Shown on the run's page, where a green run that linted nothing would pass
                // unnoticed.
                let mut warning =
                    format!("::warning title=irsa-lint::{NOTHING_LINTED}\n").into_bytes();
                warning.append(&mut bytes);
                bytes = warning;
            }
            // Once per run, however many `github` reports are written.
            if !step_summary_written
                && let Some(path) =
                    std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
            {
                step_summary_written = true;
                let path = PathBuf::from(path);
                let markdown = report::github::step_summary(&result.diagnostics, &summary);
                if let Err(e) = append_step_summary(&path, &markdown) {
                    // The annotations and the exit status are what gate: a summary that cannot be
                    // written is worth a warning, not a failed run.
                    note!("irsa-lint: warning: {e}");
                }
            }
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
    if args.statistics {
        let _ = std::io::stderr()
            .lock()
            .write_all(report::statistics(&result.diagnostics).as_bytes());
    }
    if empty && args.fail_on_empty {
        return Ok(EXIT_ERROR);
    }
    let failed = fail_on
        .threshold()
        .is_some_and(|threshold| result.diagnostics.iter().any(|d| d.severity >= threshold));
    Ok(if failed { EXIT_FINDINGS } else { EXIT_CLEAN })
}

/// The warning (or, with `--fail-on-empty`, the error) of a run that linted no file.
const NOTHING_LINTED: &str = "no files were linted: check the paths given and the `--exclude` and `exclude` globs (--fail-on-empty makes this an error)";

/// `--color auto`: colour when stdout is a terminal, unless the environment says otherwise.
/// `NO_COLOR` (set and not empty) turns colour off and wins; `FORCE_COLOR` (set, not empty and not
/// `0`) turns it on even when stdout is not a terminal; `TERM=dumb` turns it off. `--color
/// always`/`never` override all of these. `var` reads a variable that is set and not empty.
pub fn auto_color(var: impl Fn(&str) -> Option<std::ffi::OsString>, is_terminal: bool) -> bool {
    if var("NO_COLOR").is_some() {
        return false;
    }
    if var("FORCE_COLOR").is_some_and(|v| v != "0" && v != "false") {
        return true;
    }
    if var("TERM").is_some_and(|t| t == "dumb") {
        return false;
    }
    is_terminal
}

/// The reports must not mix: at most one format may go to stdout (or to `--output`), and no file
/// may receive two reports (including `--output`'s).
pub fn check_destinations(
    formats: &[FormatSpec],
    output: Option<&Path>,
    cwd: &Path,
) -> Result<(), String> {
    let to_stdout: Vec<&str> = formats
        .iter()
        .filter(|f| f.file.is_none())
        .map(|f| f.format.name())
        .collect();
    if to_stdout.len() > 1 {
        let target = match output {
            Some(path) => format!("--output {}", path.display()),
            None => "stdout".to_string(),
        };
        return Err(format!(
            "{} formats would be written together to {target} ({}): give all but one a file, as FORMAT:FILE",
            to_stdout.len(),
            to_stdout.join(", ")
        ));
    }
    let mut seen: Vec<(PathBuf, String)> = Vec::new();
    let files = formats
        .iter()
        .filter_map(|f| f.file.as_deref().map(|p| (p, f.format.name().to_string())))
        .chain(
            output
                .filter(|_| !to_stdout.is_empty())
                .map(|p| (p, "--output".to_string())),
        );
    for (path, what) in files {
        let key = crate::discover::normalize(&cwd.join(path));
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return Err(format!(
                "{} would receive two reports ({first} and {what}): give each its own file",
                path.display()
            ));
        }
        seen.push((key, what));
    }
    Ok(())
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
        .map_err(|e| format!("cannot write the step summary {}: {e}", path.display()))?;
    file.write_all(markdown.as_bytes())
        .map_err(|e| format!("cannot write the step summary {}: {e}", path.display()))
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

//! The configuration file, `.irsa-lint.yaml`: found in the working directory or its nearest
//! parent (`--config FILE` names one, `--no-config` ignores it). See docs/configuration.md.
//!
//! The file is parsed with the project's own spanned YAML parser, so that every mistake is
//! reported at its line and column (`PATH:LINE:COL: error: ...`, exit status 2): unknown keys
//! (with the nearest known key), wrong types, unknown rule selectors, severities, globs, dates,
//! issuer URLs and role ARN templates. A configuration error is never silently ignored: a typo in
//! `ignore` or `suppressions` would otherwise change what the gate lets through.
//!
//! Paths and globs in the file (`exclude`, `roles[].path`, `suppressions[].path`, `baseline`,
//! `output`, report files in `format`) are relative to the directory holding the file, so a
//! configuration means the same whichever subdirectory irsa-lint is started from.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;

use crate::diagnostic::Severity;
use crate::discover::{PathGlobs, normalize};
use crate::link::{Cluster, RoleMapping};
use crate::model::template::Vars;
use crate::parse::tree::Limits;
use crate::parse::{self, FileKind};
use crate::registry::selector_matches;
use crate::registry::{self, Rule};
use crate::report::FormatSpec;
use crate::source::{SourceFile, SourceRef, Span};
use crate::suppress::ConfigSuppression;

mod reader;
pub mod schema;
use reader::Reader;
pub use reader::{suggest_rule, unknown_rule_hint};
pub use schema::KEYS;

/// The configuration file's name.
pub const FILE_NAME: &str = ".irsa-lint.yaml";
/// What `irsa-lint init` writes: a commented starter configuration (read by the reader in a test).
pub const STARTER: &str = include_str!("starter.yaml");

/// The other name the configuration file is found by.
pub const FILE_NAME_YML: &str = ".irsa-lint.yml";

/// The largest configuration file read (a configuration is a few hundred bytes; this only bounds
/// a mistake such as `--config huge.json`).
const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// `--fail-on` / `fail-on`: the lowest severity that makes the exit status 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Errors only.
    Error,
    /// Warnings and errors (the default).
    Warning,
    /// Every finding.
    Info,
    /// Never: exit 0 whatever is found.
    Never,
}

impl FailOn {
    /// The lowest failing severity, None for `never`.
    pub fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Info => Some(Severity::Info),
            FailOn::Never => None,
        }
    }
}

/// `--color` / `color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// When stdout is a terminal and `NO_COLOR` is not set (the default).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Find the configuration file: `.irsa-lint.yaml` or `.irsa-lint.yml` in `cwd` or its nearest
/// parent that has either. A directory holding both is an error (which one is meant is not
/// known, and a stale copy would be read silently).
pub fn find(cwd: &Path) -> Result<Option<PathBuf>, String> {
    for dir in cwd.ancestors() {
        let yaml = dir.join(FILE_NAME);
        let yml = dir.join(FILE_NAME_YML);
        match (yaml.is_file(), yml.is_file()) {
            (true, true) => {
                return Err(format!(
                    "both {} and {} exist: keep one (or name one with --config)",
                    yaml.display(),
                    yml.display()
                ));
            }
            (true, false) => return Ok(Some(yaml)),
            (false, true) => return Ok(Some(yml)),
            (false, false) => {}
        }
    }
    Ok(None)
}

/// A loaded configuration file. Every field is None (or empty) when the file does not set it.
#[derive(Clone, Debug)]
pub struct Config {
    /// The file, kept for reporting unused or expired suppressions at their entry.
    pub source: SourceRef,
    /// The directory holding the file, absolute.
    pub dir: PathBuf,
    /// `fail-on`.
    pub fail_on: Option<FailOn>,
    /// `select`.
    pub select: Option<Vec<String>>,
    /// `ignore`.
    pub ignore: Option<Vec<String>>,
    /// `severity`, resolved per rule code.
    pub severity: BTreeMap<&'static str, Severity>,
    /// `exclude`.
    pub exclude: Option<PathGlobs>,
    /// `no-ignore`.
    pub no_ignore: Option<bool>,
    /// `include-state`.
    pub include_state: Option<bool>,
    /// `default-namespace`.
    pub default_namespace: Option<String>,
    /// `cluster-issuer`.
    pub cluster_issuer: Option<String>,
    /// `clusters`.
    pub clusters: Vec<Cluster>,
    /// `audiences`.
    pub audiences: Vec<String>,
    /// `roles`.
    pub roles: Vec<RoleMapping>,
    /// `vars`: values for template variables, as `--var` gives them.
    pub vars: Vars,
    /// `suppressions`.
    pub suppressions: Vec<ConfigSuppression>,
    /// `baseline`, resolved against the file's directory.
    pub baseline: Option<PathBuf>,
    /// `format`, report files resolved against the file's directory.
    pub format: Option<Vec<FormatSpec>>,
    /// `output`, resolved against the file's directory.
    pub output: Option<PathBuf>,
    /// `jobs`.
    pub jobs: Option<usize>,
    /// `max-file-size`.
    pub max_file_size: Option<u64>,
    /// `max-nodes`.
    pub max_nodes: Option<usize>,
    /// `color`.
    pub color: Option<ColorChoice>,
    /// `quiet`.
    pub quiet: Option<bool>,
}

/// A configuration problem, at its position when it has one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The file as shown to the user.
    pub file: String,
    /// 1-based line and column (characters), when the problem has a place in the file.
    pub position: Option<(u32, u32)>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some((line, column)) => {
                write!(f, "{}:{line}:{column}: error: {}", self.file, self.message)
            }
            None => write!(f, "{}: error: {}", self.file, self.message),
        }
    }
}

/// Read and check the configuration file at `path` (as given; shown relative to `cwd`). Every
/// problem found is returned, not just the first.
pub fn load(path: &Path, cwd: &Path) -> Result<Config, Vec<ConfigError>> {
    let display = crate::discover::display_path(path, cwd);
    let fail = |message: String| {
        vec![ConfigError {
            file: display.clone(),
            position: None,
            message,
        }]
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".to_string()));
    }
    if meta.len() > MAX_CONFIG_SIZE {
        return Err(fail(format!(
            "{} bytes is too large for a configuration file",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    let text = parse::decode(bytes).map_err(|p| fail(p.message))?;
    let absolute = normalize(&cwd.join(path));
    let dir = absolute
        .parent()
        .map_or_else(|| cwd.to_path_buf(), Path::to_path_buf);
    let source = Arc::new(SourceFile::new(display, Some(path.to_path_buf()), text));
    parse_config(source, &dir, cwd)
}

/// Check the configuration held by `source`, whose paths are relative to `dir`.
pub fn parse_config(source: SourceRef, dir: &Path, cwd: &Path) -> Result<Config, Vec<ConfigError>> {
    let mut reader = Reader {
        source: source.clone(),
        dir: dir.to_path_buf(),
        cwd: cwd.to_path_buf(),
        errors: Vec::new(),
    };
    let mut config = Config {
        source: source.clone(),
        dir: dir.to_path_buf(),
        fail_on: None,
        select: None,
        ignore: None,
        severity: BTreeMap::new(),
        exclude: None,
        no_ignore: None,
        include_state: None,
        default_namespace: None,
        cluster_issuer: None,
        clusters: Vec::new(),
        audiences: Vec::new(),
        vars: Vars::new(),
        roles: Vec::new(),
        suppressions: Vec::new(),
        baseline: None,
        format: None,
        output: None,
        jobs: None,
        max_file_size: None,
        max_nodes: None,
        color: None,
        quiet: None,
    };
    let parsed = parse::parse(&source.text, FileKind::Yaml, Limits::default());
    if let Some(problem) = &parsed.problem {
        reader.error(problem.span, problem.message.clone());
        return Err(reader.errors);
    }
    if let Some(second) = parsed.documents.get(1) {
        let span = second.root.as_ref().map_or(Span::default(), |n| n.span);
        reader.error(
            span,
            "the configuration holds more than one YAML document (remove the `---`)".to_string(),
        );
    }
    let root = parsed.documents.first().and_then(|d| d.root.as_ref());
    match root {
        None => {}
        Some(node) if node.is_null() => {}
        Some(node) => match node.as_map() {
            None => reader.error(
                node.span,
                format!(
                    "the configuration must be a mapping of keys (`fail-on: warning`, ...), not {}",
                    node.kind_name()
                ),
            ),
            Some(entries) => {
                for (key, value) in reader.keys(entries, &schema::key_names(), "") {
                    reader.top_level(&key, value, &mut config);
                }
            }
        },
    }
    if reader.errors.is_empty() {
        Ok(config)
    } else {
        Err(reader.errors)
    }
}

/// Per rule code, the severity of the most specific selector naming it: a code or name beats a
/// prefix, a longer prefix beats a shorter one, and on a tie the later entry wins.
pub fn resolve_severity(written: &[(String, Severity)]) -> BTreeMap<&'static str, Severity> {
    let mut out = BTreeMap::new();
    for rule in registry::RULES {
        let best = written
            .iter()
            .filter(|(s, _)| selector_matches(s, rule))
            .max_by_key(|(s, _)| specificity(s, rule));
        if let Some((_, severity)) = best {
            out.insert(rule.code, *severity);
        }
    }
    out
}

fn specificity(selector: &str, rule: &Rule) -> usize {
    let s = selector.trim();
    if s.eq_ignore_ascii_case(rule.code) || s.eq_ignore_ascii_case(rule.name) {
        usize::MAX
    } else {
        s.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Config, Vec<String>> {
        let source = Arc::new(SourceFile::new(".irsa-lint.yaml", None, text.to_string()));
        parse_config(source, Path::new("/repo"), Path::new("/repo"))
            .map_err(|errs| errs.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn a_full_configuration_loads() {
        let config = parse_text(
            "fail-on: error\nselect: [IRSA1, IRSA3]\nignore: IRSA107\nseverity: {IRSA105: error, sub-wildcard-name: info, IRSA1: info}\n\
             exclude: [\"vendor/**\"]\ndefault-namespace: apps\nclusters:\n  - name: prod\n    issuer: https://oidc.eks.eu-west-1.amazonaws.com/id/5C1D\n    account: \"483920175566\"\n\
             audiences: [sts.amazonaws.com]\nroles:\n  - path: \"iam/legacy/*.json\"\n    arn: \"arn:aws:iam::483920175566:role/{stem}\"\n\
             suppressions:\n  - rule: IRSA105\n    path: iam/payments-api.json\n    reason: shared on purpose\n    expires: 2027-01-31\n\
             jobs: 2\nquiet: yes\ncolor: never\nformat: [concise, \"sarif:out/x.sarif\"]\n",
        )
        .unwrap();
        assert_eq!(config.fail_on, Some(FailOn::Error));
        assert_eq!(
            config.select,
            Some(vec!["IRSA1".to_string(), "IRSA3".to_string()])
        );
        assert_eq!(config.ignore, Some(vec!["IRSA107".to_string()]));
        // The name is as specific as the code, and comes later: it wins for IRSA105.
        assert_eq!(config.severity.get("IRSA105"), Some(&Severity::Info));
        assert_eq!(config.severity.get("IRSA101"), Some(&Severity::Info));
        assert_eq!(config.severity.get("IRSA201"), None);
        assert_eq!(config.default_namespace.as_deref(), Some("apps"));
        assert_eq!(config.clusters[0].account.as_deref(), Some("483920175566"));
        assert_eq!(
            config.roles[0].arn_for("ledger").as_deref(),
            Some("arn:aws:iam::483920175566:role/ledger")
        );
        assert!(
            config.roles[0]
                .path
                .matches(Path::new("/repo/iam/legacy/a.json"))
        );
        assert!(!config.roles[0].path.matches(Path::new("/repo/iam/a.json")));
        assert_eq!(
            config.suppressions[0]
                .expires
                .map(|(d, _)| d.to_string())
                .as_deref(),
            Some("2027-01-31")
        );
        assert_eq!(config.jobs, Some(2));
        assert_eq!(config.quiet, Some(true));
        assert_eq!(config.color, Some(ColorChoice::Never));
        let format = config.format.unwrap();
        assert_eq!(
            format[1].file.as_deref(),
            Some(Path::new("/repo/out/x.sarif"))
        );
    }

    #[test]
    fn errors_have_positions_and_hints() {
        let errors = parse_text(
            "fail_on: error\nselect: [IRSA1, IRSA999]\nseverity: {IRSA105: fatal}\njobs: many\nclusters:\n  - issuer: http://x\n\
             suppressions:\n  - rule: sub-wildcard-nam\n    reason: x\n    expires: 2027-02-30\n  - rule: IRSA105\n",
        )
        .unwrap_err();
        assert_eq!(
            errors,
            [
                ".irsa-lint.yaml:1:1: error: unknown key `fail_on`; did you mean `fail-on`?",
                ".irsa-lint.yaml:2:17: error: `IRSA999` names no rule (expected a code like IRSA101, a prefix like IRSA1, a name like aud-holds-subject, or ALL)",
                ".irsa-lint.yaml:3:21: error: `fatal` is not a severity (expected error, warning or info)",
                ".irsa-lint.yaml:4:7: error: `jobs`: invalid number of jobs `many`: expected a whole number from 1 to 256",
                ".irsa-lint.yaml:6:13: error: `http://x` is not an OIDC issuer URL (expected `https://oidc.eks.<region>.amazonaws.com/id/<ID>`, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it)",
                ".irsa-lint.yaml:8:11: error: `sub-wildcard-nam` names no rule; did you mean `sub-wildcard-name`?",
                ".irsa-lint.yaml:10:14: error: `2027-02-30` is not a date (expected YYYY-MM-DD, e.g. 2027-01-31)",
                ".irsa-lint.yaml:11:5: error: this `suppressions` entry lacks `reason`",
            ]
        );
    }

    #[test]
    fn limits_take_units_and_are_checked_where_written() {
        let config = parse_text("jobs: 256\nmax-file-size: 64MiB\nmax-nodes: 20M\n").unwrap();
        assert_eq!(config.jobs, Some(256));
        assert_eq!(config.max_file_size, Some(64 << 20));
        assert_eq!(config.max_nodes, Some(20_000_000));
        let config = parse_text("max-file-size: 1_000_000\nmax-nodes: 500000\n").unwrap();
        assert_eq!(config.max_file_size, Some(1_000_000));
        assert_eq!(config.max_nodes, Some(500_000));
        assert_eq!(
            parse_text("jobs: 0\nmax-file-size: 1x\nmax-nodes: 0\n").unwrap_err(),
            [
                ".irsa-lint.yaml:1:7: error: `jobs`: `0` jobs is out of range: expected a whole number from 1 to 256 (the default is one per core)",
                ".irsa-lint.yaml:2:16: error: `max-file-size`: invalid size `1x`: expected a number of bytes with an optional unit such as 512k, 16MiB",
                ".irsa-lint.yaml:3:12: error: `max-nodes`: invalid count `0`: must be at least 1",
            ]
        );
        assert_eq!(
            parse_text("max-nodes: [1]\njobs: 257\nmax-file-size: true\n").unwrap_err(),
            [
                ".irsa-lint.yaml:1:12: error: `max-nodes` must be a number, not a list",
                ".irsa-lint.yaml:2:7: error: `jobs`: `257` jobs is out of range: expected a whole number from 1 to 256 (the default is one per core)",
                ".irsa-lint.yaml:3:16: error: `max-file-size` must be a number, not a boolean",
            ]
        );
    }

    #[test]
    fn odd_documents_are_errors() {
        assert_eq!(
            parse_text("- a\n").unwrap_err(),
            [
                ".irsa-lint.yaml:1:1: error: the configuration must be a mapping of keys (`fail-on: warning`, ...), not a list"
            ]
        );
        assert_eq!(
            parse_text("quiet: true\nquiet: false\n").unwrap_err(),
            [".irsa-lint.yaml:2:1: error: duplicate key `quiet` (first at line 1, column 1)"]
        );
        assert_eq!(parse_text("select: [IRSA1\n").unwrap_err().len(), 1,);
        assert!(parse_text("").is_ok());
        assert!(parse_text("# only a comment\n").is_ok());
        assert_eq!(
            parse_text("roles:\n  - path: x\n    arn: arn:aws:iam::1:role/{name}\n").unwrap_err(),
            [
                ".irsa-lint.yaml:3:10: error: `arn:aws:iam::1:role/{name}`: the only placeholder is `{stem}` (the file name without extension)"
            ]
        );
        assert_eq!(
            parse_text("exclude: [\"a/[\"]\n").unwrap_err()[0]
                .split(": error: ")
                .next(),
            Some(".irsa-lint.yaml:1:11")
        );
    }

    #[test]
    fn globs_are_relative_to_the_base() {
        let g = PathGlobs::new(
            &["vendor".to_string()],
            Path::new("/repo"),
            Path::new("/repo/sub"),
        )
        .unwrap();
        assert!(g.matches(Path::new("../vendor/x/y.yaml")));
        assert!(g.matches(Path::new("/repo/vendor/y.yaml")));
        assert!(!g.matches(Path::new("vendor/y.yaml")));
        assert!(!g.matches(Path::new("/elsewhere/vendor/y.yaml")));
        assert_eq!(normalize(Path::new("/a/./b/../c")), PathBuf::from("/a/c"));
    }
}

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
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use clap::ValueEnum;
use globset::GlobSet;

use crate::check::trust::unknown_condition_operator::edit_distance;
use crate::cli::{ColorChoice, FailOn};
use crate::diagnostic::Severity;
use crate::extract::aws::parse_role_arn;
use crate::lint::selector_matches;
use crate::model::oidc::is_account_id;
use crate::parse::tree::{Limits, Node, NodeKind, ScalarType};
use crate::parse::{self, FileKind};
use crate::registry::{self, Rule};
use crate::report::FormatSpec;
use crate::source::{SourceFile, SourceRef, Span};
use crate::suppress::{ConfigSuppression, Date, Selector};

/// The configuration file's name.
pub const FILE_NAME: &str = ".irsa-lint.yaml";

/// The largest configuration file read (a configuration is a few hundred bytes; this only bounds
/// a mistake such as `--config huge.json`).
const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// Every top-level key, in the order docs/configuration.md lists them.
pub const KEYS: &[&str] = &[
    "fail-on",
    "select",
    "ignore",
    "severity",
    "exclude",
    "no-ignore",
    "default-namespace",
    "cluster-issuer",
    "clusters",
    "audiences",
    "roles",
    "suppressions",
    "baseline",
    "format",
    "output",
    "jobs",
    "max-file-size",
    "color",
    "quiet",
];

/// Find the configuration file: `.irsa-lint.yaml` in `cwd` or its nearest parent.
pub fn find(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|p| p.is_file())
}

/// A set of globs relative to a base directory (the configuration's), matched against files
/// given by the path they were read from.
///
/// A file matches when its path relative to the base, or the path of one of its parent
/// directories, matches a glob (as `--exclude` does): `vendor` covers everything under `vendor/`.
/// Glob syntax is globset's, as for `--exclude` (`*` also matches `/`, `**` any number of
/// directories, `{a,b}` alternatives). A file outside the base directory never matches.
#[derive(Clone, Debug)]
pub struct PathGlobs {
    /// The globs as written.
    pub globs: Vec<String>,
    base: PathBuf,
    cwd: PathBuf,
    set: GlobSet,
}

impl PathGlobs {
    /// Compile `globs`, relative to `base`; relative file paths are resolved against `cwd`.
    pub fn new(globs: &[String], base: &Path, cwd: &Path) -> Result<PathGlobs, String> {
        let set = crate::discover::build_globset(globs).map_err(|e| match e {
            crate::discover::DiscoverError::BadGlob(g, why) => format!("invalid glob `{g}`: {why}"),
            other => other.to_string(),
        })?;
        Ok(PathGlobs {
            globs: globs.to_vec(),
            base: normalize(&cwd.join(base)),
            cwd: cwd.to_path_buf(),
            set,
        })
    }

    /// True when `path` (absolute, or relative to the working directory) or one of its parent
    /// directories matches, relative to the base directory.
    pub fn matches(&self, path: &Path) -> bool {
        let absolute = normalize(&self.cwd.join(path));
        let Ok(relative) = absolute.strip_prefix(&self.base) else {
            return false;
        };
        let mut current = Some(relative);
        while let Some(p) = current {
            if p.as_os_str().is_empty() {
                break;
            }
            let text = p.to_string_lossy().replace('\\', "/");
            if self.set.is_match(Path::new(&text)) {
                return true;
            }
            current = p.parent();
        }
        false
    }

    /// True when the globs are relative to `dir` (so they can be handed to the directory walker,
    /// whose globs are relative to the working directory, to prune whole directories).
    pub fn is_based_at(&self, dir: &Path) -> bool {
        self.base == normalize(dir)
    }
}

/// Resolve `.` and `..` without touching the file system (the file may not exist, and symlinks
/// must not make a path escape its base).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// One entry of `clusters`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// `name`, for messages.
    pub name: Option<String>,
    /// `issuer`: the cluster's OIDC issuer URL.
    pub issuer: String,
    /// `account`: the AWS account the cluster (and usually its OIDC provider) lives in.
    pub account: Option<String>,
}

/// One entry of `roles`: raw trust-policy files matching `path` belong to the role `arn`, with
/// `{stem}` replaced by the file's stem.
#[derive(Clone, Debug)]
pub struct RoleMapping {
    /// The files.
    pub path: PathGlobs,
    /// The ARN template (`arn:aws:iam::483920175566:role/{stem}`).
    pub arn: String,
}

impl RoleMapping {
    /// The role ARN for a file with this stem, when the result is a role ARN.
    pub fn arn_for(&self, stem: &str) -> Option<String> {
        let arn = self.arn.replace("{stem}", stem);
        parse_role_arn(&arn).is_some().then_some(arn)
    }
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
        default_namespace: None,
        cluster_issuer: None,
        clusters: Vec::new(),
        audiences: Vec::new(),
        roles: Vec::new(),
        suppressions: Vec::new(),
        baseline: None,
        format: None,
        output: None,
        jobs: None,
        max_file_size: None,
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
                for (key, value) in reader.keys(entries, KEYS, "") {
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

/// Walks the tree, collecting errors with positions.
struct Reader {
    source: SourceRef,
    dir: PathBuf,
    cwd: PathBuf,
    errors: Vec<ConfigError>,
}

impl Reader {
    fn error(&mut self, span: Span, message: String) {
        let at = self.source.line_col(span.start);
        self.errors.push(ConfigError {
            file: self.source.display_path.clone(),
            position: Some((at.line, at.column)),
            message,
        });
    }

    /// The entries of a mapping whose keys are all in `known`, reporting unknown and duplicate
    /// keys (`context` names the enclosing list entry in messages).
    fn keys<'n>(
        &mut self,
        entries: &'n [crate::parse::tree::Entry],
        known: &[&str],
        context: &str,
    ) -> Vec<(String, &'n Node)> {
        let mut seen: BTreeMap<String, Span> = BTreeMap::new();
        let mut out = Vec::new();
        for e in entries {
            let Some(key) = e.key.as_str().or_else(|| e.key.scalar_text()) else {
                self.error(
                    e.key.span,
                    format!("a key must be a string, not {}", e.key.kind_name()),
                );
                continue;
            };
            if !known.contains(&key) {
                let hint = suggest(key, known.iter().copied())
                    .map(|k| format!("; did you mean `{k}`?"))
                    .unwrap_or_else(|| format!(" (expected one of: {})", known.join(", ")));
                self.error(e.key.span, format!("unknown key `{key}`{context}{hint}"));
                continue;
            }
            if let Some(first) = seen.get(key) {
                let at = self.source.line_col(first.start);
                self.error(
                    e.key.span,
                    format!(
                        "duplicate key `{key}` (first at line {}, column {})",
                        at.line, at.column
                    ),
                );
                continue;
            }
            seen.insert(key.to_string(), e.key.span);
            if matches!(e.value.kind, NodeKind::Alias(_)) {
                self.error(
                    e.value.span,
                    "YAML aliases are not supported in the configuration: write the value out"
                        .to_string(),
                );
                continue;
            }
            out.push((key.to_string(), &e.value));
        }
        out
    }

    fn top_level(&mut self, key: &str, value: &Node, config: &mut Config) {
        match key {
            "fail-on" => config.fail_on = self.choice(key, value, "error, warning, info or never"),
            "select" => config.select = self.selectors(key, value).map(texts),
            "ignore" => config.ignore = self.selectors(key, value).map(texts),
            "severity" => config.severity = self.severity(value),
            "exclude" => {
                config.exclude = self
                    .string_list(key, value)
                    .and_then(|globs| self.globs(&globs, value));
            }
            "no-ignore" => config.no_ignore = self.boolean(key, value),
            "default-namespace" => {
                config.default_namespace = self.string(key, value).and_then(|ns| {
                    if ns.trim().is_empty() {
                        self.error(value.span, "`default-namespace` is empty".to_string());
                        None
                    } else {
                        Some(ns.trim().to_string())
                    }
                });
            }
            "cluster-issuer" => {
                config.cluster_issuer = self
                    .string(key, value)
                    .and_then(|url| self.issuer(&url, value.span));
            }
            "clusters" => config.clusters = self.clusters(value),
            "audiences" => {
                config.audiences = self.string_list(key, value).unwrap_or_default();
                if let Some(items) = value.as_seq() {
                    for (a, item) in config.audiences.iter().zip(items) {
                        if a.trim().is_empty() {
                            self.error(item.span, "an audience is empty".to_string());
                        }
                    }
                }
            }
            "roles" => config.roles = self.roles(value),
            "suppressions" => config.suppressions = self.suppressions(value),
            "baseline" => config.baseline = self.path(key, value),
            "output" => config.output = self.path(key, value),
            "format" => config.format = self.formats(key, value),
            "jobs" => config.jobs = self.number(key, value).map(|n| n as usize),
            "max-file-size" => config.max_file_size = self.number(key, value),
            "color" => config.color = self.choice(key, value, "auto, always or never"),
            "quiet" => config.quiet = self.boolean(key, value),
            _ => {}
        }
    }

    fn string(&mut self, key: &str, node: &Node) -> Option<String> {
        match node.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    node.span,
                    format!("`{key}` must be a string, not {}", node.kind_name()),
                );
                None
            }
        }
    }

    fn boolean(&mut self, key: &str, node: &Node) -> Option<bool> {
        match node.as_scalar().map(|s| s.ty) {
            Some(ScalarType::Bool(b)) => Some(b),
            _ => {
                self.error(
                    node.span,
                    format!("`{key}` must be true or false, not {}", node.kind_name()),
                );
                None
            }
        }
    }

    fn number(&mut self, key: &str, node: &Node) -> Option<u64> {
        let parsed = match node.as_scalar() {
            Some(s) if s.ty == ScalarType::Int => s.text.replace('_', "").parse::<u64>().ok(),
            _ => None,
        };
        if parsed.is_none() {
            self.error(
                node.span,
                format!(
                    "`{key}` must be a whole number of 0 or more, not {}",
                    if node.as_scalar().is_some_and(|s| s.ty == ScalarType::Int) {
                        "a negative or oversized number".to_string()
                    } else {
                        node.kind_name().to_string()
                    }
                ),
            );
        }
        parsed
    }

    fn choice<T: ValueEnum>(&mut self, key: &str, node: &Node, expected: &str) -> Option<T> {
        let text = self.string(key, node)?;
        match T::from_str(&text, false) {
            Ok(v) => Some(v),
            Err(_) => {
                self.error(
                    node.span,
                    format!("`{text}` is not a valid `{key}` (expected {expected})"),
                );
                None
            }
        }
    }

    /// A list of strings, or one string (taken as a one-element list).
    fn string_list(&mut self, key: &str, node: &Node) -> Option<Vec<String>> {
        if let Some(s) = node.as_str() {
            return Some(vec![s.to_string()]);
        }
        let Some(items) = node.as_seq() else {
            self.error(
                node.span,
                format!(
                    "`{key}` must be a list of strings, not {}",
                    node.kind_name()
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            match item.as_str() {
                Some(s) => out.push(s.to_string()),
                None => {
                    self.error(
                        item.span,
                        format!("`{key}` must hold strings, not {}", item.kind_name()),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Rule selectors: a list, or one string of comma-separated selectors (as on the command
    /// line). Each must name a rule.
    fn selectors(&mut self, key: &str, node: &Node) -> Option<Vec<Selector>> {
        let items: Vec<&Node> = match &node.kind {
            NodeKind::Seq(items) => items.iter().collect(),
            _ => vec![node],
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items {
            let Some(text) = item.as_str() else {
                self.error(
                    item.span,
                    format!(
                        "`{key}` must hold rule codes, prefixes or names, not {}",
                        item.kind_name()
                    ),
                );
                ok = false;
                continue;
            };
            let mut offset = 0;
            for part in text.split(',') {
                let trimmed = part.trim();
                let lead = part.len() - part.trim_start().len();
                let range = offset + lead..offset + lead + trimmed.len();
                offset += part.len() + 1;
                if trimmed.is_empty() {
                    continue;
                }
                let span = self.source.sub_span(item.span, text, range);
                let selector = Selector {
                    text: trimmed.to_string(),
                    span,
                };
                if !selector.is_known() {
                    self.error(span, unknown_selector(trimmed));
                    ok = false;
                    continue;
                }
                out.push(selector);
            }
        }
        ok.then_some(out)
    }

    fn severity(&mut self, node: &Node) -> BTreeMap<&'static str, Severity> {
        let Some(entries) = node.as_map() else {
            self.error(
                node.span,
                format!(
                    "`severity` must be a mapping of rules to severities (`IRSA105: error`), not {}",
                    node.kind_name()
                ),
            );
            return BTreeMap::new();
        };
        // (selector, severity), in file order; resolved per rule below.
        let mut written: Vec<(String, Severity)> = Vec::new();
        for e in entries {
            let Some(selector) = e.key.scalar_text() else {
                self.error(
                    e.key.span,
                    "a `severity` key must be a rule code, prefix or name".to_string(),
                );
                continue;
            };
            if !registry::RULES
                .iter()
                .any(|r| selector_matches(selector, r))
            {
                self.error(e.key.span, unknown_selector(selector));
                continue;
            }
            let Some(text) = e.value.as_str() else {
                self.error(
                    e.value.span,
                    format!(
                        "a severity must be error, warning or info, not {}",
                        e.value.kind_name()
                    ),
                );
                continue;
            };
            match Severity::parse(text) {
                Some(s) => written.push((selector.to_string(), s)),
                None => self.error(
                    e.value.span,
                    format!("`{text}` is not a severity (expected error, warning or info)"),
                ),
            }
        }
        resolve_severity(&written)
    }

    fn globs(&mut self, globs: &[String], node: &Node) -> Option<PathGlobs> {
        // Check each glob alone, so the error points at the one at fault.
        let items: Vec<&Node> = node
            .as_seq()
            .map_or_else(|| vec![node], |s| s.iter().collect());
        let mut ok = true;
        for (glob, item) in globs.iter().zip(items) {
            if let Err(e) = PathGlobs::new(std::slice::from_ref(glob), &self.dir, &self.cwd) {
                self.error(item.span, e);
                ok = false;
            }
        }
        if !ok {
            return None;
        }
        match PathGlobs::new(globs, &self.dir, &self.cwd) {
            Ok(g) => Some(g),
            Err(e) => {
                self.error(node.span, e);
                None
            }
        }
    }

    fn path(&mut self, key: &str, node: &Node) -> Option<PathBuf> {
        let text = self.string(key, node)?;
        if text.trim().is_empty() {
            self.error(node.span, format!("`{key}` is empty"));
            return None;
        }
        Some(self.dir.join(text))
    }

    fn formats(&mut self, key: &str, node: &Node) -> Option<Vec<FormatSpec>> {
        let texts = self.string_list(key, node)?;
        let items: Vec<&Node> = node
            .as_seq()
            .map_or_else(|| vec![node], |s| s.iter().collect());
        let mut out = Vec::new();
        for (text, item) in texts.iter().zip(items) {
            match text.parse::<FormatSpec>() {
                Ok(mut spec) => {
                    spec.file = spec.file.map(|f| self.dir.join(f));
                    out.push(spec);
                }
                Err(e) => self.error(item.span, e),
            }
        }
        Some(out)
    }

    fn issuer(&mut self, url: &str, span: Span) -> Option<String> {
        let url = url.trim();
        let host = url
            .strip_prefix("https://")
            .map(|r| r.split('/').next().unwrap_or(""));
        let valid = host.is_some_and(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b':')
        }) && !url.contains(['?', '#', ' ', '\t']);
        if valid {
            Some(url.to_string())
        } else {
            self.error(
                span,
                format!(
                    "`{url}` is not an OIDC issuer URL (expected `https://oidc.eks.<region>.amazonaws.com/id/<ID>`, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it)"
                ),
            );
            None
        }
    }

    /// The entries of a list of mappings, with their keys checked against `known`.
    fn list_of_maps<'n>(
        &mut self,
        key: &str,
        node: &'n Node,
        known: &[&str],
        example: &str,
    ) -> Vec<(&'n Node, Vec<(String, &'n Node)>)> {
        let Some(items) = node.as_seq() else {
            self.error(
                node.span,
                format!(
                    "`{key}` must be a list of entries ({example}), not {}",
                    node.kind_name()
                ),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items {
            match item.as_map() {
                Some(entries) => {
                    let fields = self.keys(entries, known, &format!(" in a `{key}` entry"));
                    out.push((item, fields));
                }
                None => self.error(
                    item.span,
                    format!(
                        "a `{key}` entry must be a mapping ({example}), not {}",
                        item.kind_name()
                    ),
                ),
            }
        }
        out
    }

    fn require<'n>(
        &mut self,
        item: &Node,
        fields: &[(String, &'n Node)],
        list: &str,
        name: &str,
    ) -> Option<&'n Node> {
        let found = fields.iter().find(|(k, _)| k == name).map(|(_, v)| *v);
        if found.is_none() {
            self.error(item.span, format!("this `{list}` entry lacks `{name}`"));
        }
        found
    }

    fn clusters(&mut self, node: &Node) -> Vec<Cluster> {
        let mut out = Vec::new();
        for (item, fields) in self.list_of_maps(
            "clusters",
            node,
            &["name", "issuer", "account"],
            "`- name: prod` / `issuer: https://...` / `account: \"123456789012\"`",
        ) {
            let issuer = self
                .require(item, &fields, "clusters", "issuer")
                .and_then(|n| {
                    let text = self.string("issuer", n)?;
                    self.issuer(&text, n.span)
                });
            let mut cluster = Cluster {
                name: None,
                issuer: String::new(),
                account: None,
            };
            for (k, v) in &fields {
                match k.as_str() {
                    "name" => cluster.name = self.string("name", v),
                    "account" => {
                        // An unquoted account id is read as a number; its digits are kept as
                        // written, so accept it (a leading zero needs quotes in real YAML).
                        let text = v.scalar_text().unwrap_or("").to_string();
                        if is_account_id(&text) {
                            cluster.account = Some(text);
                        } else {
                            self.error(
                                v.span,
                                format!("`{text}` is not an AWS account id (12 digits; quote it: `account: \"123456789012\"`)"),
                            );
                        }
                    }
                    _ => {}
                }
            }
            if let Some(issuer) = issuer {
                cluster.issuer = issuer;
                out.push(cluster);
            }
        }
        out
    }

    fn roles(&mut self, node: &Node) -> Vec<RoleMapping> {
        let mut out = Vec::new();
        for (item, fields) in self.list_of_maps(
            "roles",
            node,
            &["path", "arn"],
            "`- path: \"iam/*.json\"` / `arn: \"arn:aws:iam::123456789012:role/{stem}\"`",
        ) {
            let path = self.require(item, &fields, "roles", "path").and_then(|n| {
                let glob = self.string("path", n)?;
                self.globs(&[glob], n)
            });
            let arn = self.require(item, &fields, "roles", "arn").and_then(|n| {
                let text = self.string("arn", n)?;
                match check_arn_template(&text) {
                    Ok(()) => Some(text),
                    Err(e) => {
                        self.error(n.span, e);
                        None
                    }
                }
            });
            if let (Some(path), Some(arn)) = (path, arn) {
                out.push(RoleMapping { path, arn });
            }
        }
        out
    }

    fn suppressions(&mut self, node: &Node) -> Vec<ConfigSuppression> {
        let mut out = Vec::new();
        for (item, fields) in self.list_of_maps(
            "suppressions",
            node,
            &["rule", "path", "reason", "expires"],
            "`- rule: IRSA105` / `path: \"iam/*.json\"` / `reason: ...` / `expires: 2027-01-31`",
        ) {
            let selectors = self
                .require(item, &fields, "suppressions", "rule")
                .and_then(|n| self.selectors("rule", n));
            let reason = self
                .require(item, &fields, "suppressions", "reason")
                .and_then(|n| {
                    let text = self.string("reason", n)?;
                    if text.trim().is_empty() {
                        self.error(
                            n.span,
                            "`reason` is empty: say why the finding is acceptable".to_string(),
                        );
                        return None;
                    }
                    Some(text.trim().to_string())
                });
            let mut path = None;
            let mut expires = None;
            let mut ok = true;
            for (k, v) in &fields {
                match k.as_str() {
                    "path" => match self.string("path", v) {
                        Some(glob) => match self.globs(std::slice::from_ref(&glob), v) {
                            Some(g) => path = Some((glob, g)),
                            None => ok = false,
                        },
                        None => ok = false,
                    },
                    "expires" => {
                        let text = v.scalar_text().unwrap_or("");
                        match Date::parse(text) {
                            Some(d) => expires = Some((d, v.span)),
                            None => {
                                self.error(
                                    v.span,
                                    format!("`{text}` is not a date (expected YYYY-MM-DD, e.g. 2027-01-31)"),
                                );
                                ok = false;
                            }
                        }
                    }
                    _ => {}
                }
            }
            if let (Some(selectors), Some(reason), true) = (selectors, reason, ok) {
                out.push(ConfigSuppression {
                    selectors,
                    path,
                    reason,
                    expires,
                    source: self.source.clone(),
                    base: self.dir.clone(),
                    span: item.span,
                });
            }
        }
        out
    }
}

fn texts(selectors: Vec<Selector>) -> Vec<String> {
    selectors.into_iter().map(|s| s.text).collect()
}

/// The nearest known key to a misspelt one: `fail_on` → `fail-on`.
fn suggest<'a>(word: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let normal = word.to_ascii_lowercase().replace('_', "-");
    known
        .map(|k| (edit_distance(&normal, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn unknown_selector(text: &str) -> String {
    let names = registry::RULES.iter().map(|r| r.name);
    let hint = suggest(text, names)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_else(|| {
            " (expected a code like IRSA101, a prefix like IRSA1, or a name like aud-holds-subject)"
                .to_string()
        });
    format!("`{text}` names no rule{hint}")
}

/// Check a `roles[].arn` template: a role ARN once `{stem}` is replaced, with a 12-digit account.
fn check_arn_template(template: &str) -> Result<(), String> {
    let filled = template.replace("{stem}", "x");
    if filled.contains(['{', '}']) {
        return Err(format!(
            "`{template}`: the only placeholder is `{{stem}}` (the file name without extension)"
        ));
    }
    match parse_role_arn(&filled) {
        Some(arn) if is_account_id(arn.account) => Ok(()),
        Some(arn) => Err(format!(
            "`{template}`: `{}` is not an AWS account id (12 digits)",
            arn.account
        )),
        None => Err(format!(
            "`{template}` is not a role ARN template (expected `arn:aws:iam::123456789012:role/{{stem}}`)"
        )),
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
                ".irsa-lint.yaml:2:17: error: `IRSA999` names no rule (expected a code like IRSA101, a prefix like IRSA1, or a name like aud-holds-subject)",
                ".irsa-lint.yaml:3:21: error: `fatal` is not a severity (expected error, warning or info)",
                ".irsa-lint.yaml:4:7: error: `jobs` must be a whole number of 0 or more, not a string",
                ".irsa-lint.yaml:6:13: error: `http://x` is not an OIDC issuer URL (expected `https://oidc.eks.<region>.amazonaws.com/id/<ID>`, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it)",
                ".irsa-lint.yaml:8:11: error: `sub-wildcard-nam` names no rule; did you mean `sub-wildcard-name`?",
                ".irsa-lint.yaml:10:14: error: `2027-02-30` is not a date (expected YYYY-MM-DD, e.g. 2027-01-31)",
                ".irsa-lint.yaml:11:5: error: this `suppressions` entry lacks `reason`",
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

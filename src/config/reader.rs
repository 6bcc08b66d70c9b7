//! Reading `.irsa-lint.yaml`: walk the spanned tree, check every key and value, collect every
//! error with its position.

use crate::check::support::text::edit_distance;
use crate::diagnostic::Severity;
use crate::limits;
use crate::model::arn::parse_role_arn;
use crate::model::oidc::is_account_id;
use crate::model::template::{Vars, is_variable_name};
use crate::parse::tree::{Node, NodeKind, ScalarType};
use crate::registry;
use crate::registry::selector_matches;
use crate::report::FormatSpec;
use crate::source::{SourceRef, Span};
use crate::suppress::{ConfigSuppression, Date, Selector};
use clap::ValueEnum;
use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Config, ConfigError, resolve_severity, schema};
use crate::discover::PathGlobs;
use crate::link::{Cluster, RoleMapping};

/// Walks the tree, collecting errors with positions.
pub(super) struct Reader {
    pub(super) source: SourceRef,
    pub(super) dir: PathBuf,
    pub(super) cwd: PathBuf,
    pub(super) errors: Vec<ConfigError>,
}

impl Reader {
    pub(super) fn error(&mut self, span: Span, message: String) {
        let at = self.source.line_col(span.start);
        self.errors.push(ConfigError {
            file: self.source.display_path.clone(),
            position: Some((at.line, at.column)),
            message,
        });
    }

    /// The entries of a mapping whose keys are all in `known`, reporting unknown and duplicate
    /// keys (`context` names the enclosing list entry in messages).
    pub(super) fn keys<'n>(
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

    pub(super) fn top_level(&mut self, key: &str, value: &Node, config: &mut Config) {
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
            "include-state" => config.include_state = self.boolean(key, value),
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
            "vars" => config.vars = self.vars(value),
            "suppressions" => config.suppressions = self.suppressions(value),
            "baseline" => config.baseline = self.path(key, value),
            "output" => config.output = self.path(key, value),
            "format" => config.format = self.formats(key, value),
            "jobs" => config.jobs = self.limit(key, value, limits::parse_jobs),
            "max-file-size" => config.max_file_size = self.limit(key, value, limits::parse_size),
            "max-nodes" => config.max_nodes = self.limit(key, value, limits::parse_max_nodes),
            "color" => config.color = self.choice(key, value, "auto, always or never"),
            "quiet" => config.quiet = self.boolean(key, value),
            // `keys` passes only the keys of `schema::KEYS`; `tests/config.rs` checks that each
            // of them is read here.
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

    /// A limit: a number, or a string with a unit (`16MiB`, `500k`), read by the same parser as
    /// the command line's option so both accept the same text.
    fn limit<T>(
        &mut self,
        key: &str,
        node: &Node,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let text = match node.as_scalar() {
            Some(s) if matches!(s.ty, ScalarType::Int | ScalarType::String) => &s.text,
            _ => {
                self.error(
                    node.span,
                    format!("`{key}` must be a number, not {}", node.kind_name()),
                );
                return None;
            }
        };
        match parse(text) {
            Ok(value) => Some(value),
            Err(e) => {
                self.error(node.span, format!("`{key}`: {e}"));
                None
            }
        }
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

    /// `vars`: a mapping of variable names to the text they stand for.
    fn vars(&mut self, node: &Node) -> Vars {
        let Some(entries) = node.as_map() else {
            self.error(
                node.span,
                format!(
                    "`vars` must be a mapping of variable names to values (`ACCOUNT_ID: \"483920175566\"`), not {}",
                    node.kind_name()
                ),
            );
            return Vars::new();
        };
        let mut vars = Vars::new();
        for entry in entries {
            let name = entry.key.scalar_text().unwrap_or_default();
            if !is_variable_name(name) {
                self.error(
                    entry.key.span,
                    format!(
                        "`{name}` is not a variable name (letters, digits and `_`, not starting with a digit)"
                    ),
                );
                continue;
            }
            match entry.value.as_scalar() {
                Some(value) if !entry.value.is_null() => {
                    vars.insert(name.to_string(), value.text.clone());
                }
                _ => self.error(
                    entry.value.span,
                    format!(
                        "the value of `{name}` must be a string, not {}",
                        entry.value.kind_name()
                    ),
                ),
            }
        }
        vars
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
            &schema::names(schema::CLUSTER_FIELDS),
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
            &schema::names(schema::ROLE_FIELDS),
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
            &schema::names(schema::SUPPRESSION_FIELDS),
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
    format!("`{text}` names no rule{}", unknown_rule_hint(text))
}

/// The nearest rule code or name to a misspelt one (`IRSA1O1` → `IRSA101`, `aud-hold-subject` →
/// `aud-holds-subject`): the "did you mean" of `--select`, `--ignore`, `explain` and the
/// configuration.
pub fn suggest_rule(text: &str) -> Option<&'static str> {
    let text = text.trim();
    let names = suggest(text, registry::RULES.iter().map(|r| r.name));
    // Codes compare in upper case (`irsa1o1` is `IRSA1O1`), and only to codes.
    let upper = text.to_ascii_uppercase();
    let code = registry::RULES
        .iter()
        .map(|r| (edit_distance(&upper, r.code), r.code))
        .filter(|(d, _)| *d <= 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    if upper.starts_with("IRSA") {
        code.or(names)
    } else {
        names.or(code)
    }
}

/// `; did you mean `X`?` for a selector that names no rule, else what a selector looks like.
pub fn unknown_rule_hint(text: &str) -> String {
    suggest_rule(text)
        .map(|n| format!("; did you mean `{n}`?"))
        .unwrap_or_else(|| {
            " (expected a code like IRSA101, a prefix like IRSA1, a name like aud-holds-subject, or ALL)"
                .to_string()
        })
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

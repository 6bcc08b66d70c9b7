//! Suppressions: findings a team has reviewed and accepted, each with a reason.
//!
//! Three places can hold one:
//!
//! - a YAML comment, `# irsa-lint: ignore IRSA206,IRSA303 -- reason`, trailing the line a finding
//!   starts on or alone on the line above it (further comment-only lines may sit in between), or
//!   `# irsa-lint: ignore-file IRSA105 -- reason` anywhere in a file for the whole file;
//! - the annotation `irsa-lint/ignore: "IRSA206,IRSA303 -- reason"` on a Kubernetes object, for
//!   findings that start inside that object;
//! - an entry of the configuration's `suppressions:` (the only way for JSON, which has no
//!   comments), for findings in files matching a glob, with an optional `expires` date.
//!
//! Rules are named by code, code prefix or name, as with `--select`. Inline suppressions may carry
//! `until YYYY-MM-DD` before the reason, the inline form of `expires`.
//!
//! A suppression must give a reason (`-- why`): one without a reason suppresses nothing and is
//! reported (IRSA004), so that every accepted risk in the repository says why it was accepted.
//! A suppression that matches no finding is reported too (IRSA004): left in place it would hide a
//! future, unrelated finding of the same rule. A suppression past its date no longer applies and
//! is reported (IRSA005), so the finding it hid comes back and the exception gets reviewed.
//!
//! Comments are found with a cheap line scan in the parallel per-file stage (only files holding
//! `irsa-lint:` are looked at line by line), not by the YAML parser: the scan works the same for
//! any `#`-comment syntax, and the suppressions survive after the file's text would otherwise be
//! dropped, because unused ones must be reported in files without findings too.

use std::collections::HashMap;
use std::fmt;

use crate::diagnostic::Diagnostic;
use crate::discover::PathGlobs;
use crate::model::k8s::{IgnoreAnnotation, annotations};
use crate::registry::selector_matches;
use crate::registry::{self, Rule};
use crate::source::{Comment, SourceRef, Span};

/// The marker that starts a suppression comment (after `#`).
pub const COMMENT_MARKER: &str = "irsa-lint:";

/// The annotation key of object suppressions.
pub const ANNOTATION: &str = annotations::IGNORE;

/// A calendar date (proleptic Gregorian), for suppression expiry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year, e.g. 2027.
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    /// 1 to the month's length.
    pub day: u8,
}

impl Date {
    /// Parse a strict `YYYY-MM-DD` date (ISO 8601 calendar date, four-digit year), rejecting
    /// impossible days such as `2027-02-30`.
    pub fn parse(text: &str) -> Option<Date> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = text.get(r)?;
            if !s.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        };
        let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let year = i32::try_from(year).ok()?;
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month as u8) as u32 {
            return None;
        }
        Some(Date {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// Today's date in UTC, from the system clock (1970-01-01 if the clock is before the epoch).
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    pub fn from_days_since_epoch(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

/// One rule selector written in a suppression (`IRSA206`, `IRSA2`, `sub-wildcard-name`), with
/// where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    /// As written.
    pub text: String,
    /// Its span in the file that holds the suppression.
    pub span: Span,
}

impl Selector {
    /// True when the selector names `rule` (code, code prefix or name, any case).
    pub fn matches(&self, rule: &Rule) -> bool {
        selector_matches(&self.text, rule)
    }

    /// True when the selector names at least one rule of the registry.
    pub fn is_known(&self) -> bool {
        registry::RULES.iter().any(|r| self.matches(r))
    }
}

/// What an inline suppression covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Findings that start on this 1-based line. `trailing` tells a comment at the end of the
    /// line from one alone on a line above (for messages).
    Line { line: u32, trailing: bool },
    /// Every finding of the file (`ignore-file`).
    File,
    /// Findings that start inside this object (the `irsa-lint/ignore` annotation).
    Object {
        /// The object's span.
        span: Span,
        /// `ServiceAccount payments/api`, for messages.
        label: String,
    },
}

/// A suppression written in a linted file: a comment or an annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineSuppression {
    /// What it covers.
    pub scope: Scope,
    /// The rules it names.
    pub selectors: Vec<Selector>,
    /// The text after `--`, trimmed; None when absent or empty.
    pub reason: Option<String>,
    /// `until YYYY-MM-DD`: the last day it applies, with the date's span.
    pub until: Option<(Date, Span)>,
    /// The whole directive (`irsa-lint: ignore ...` or the annotation value).
    pub span: Span,
    /// Why the directive is malformed (an unknown directive, no rule named, a bad date): a
    /// malformed suppression suppresses nothing.
    pub problem: Option<String>,
}

/// The suppressions written in one file. Holding the [`SourceRef`] keeps the file's text alive
/// for reporting an unused suppression, but only for the rare files that have one.
#[derive(Clone, Debug)]
pub struct FileSuppressions {
    /// The file.
    pub source: SourceRef,
    /// Its suppressions, in file order.
    pub items: Vec<InlineSuppression>,
}

/// An entry of the configuration's `suppressions:` list.
#[derive(Clone, Debug)]
pub struct ConfigSuppression {
    /// The rules it names (`rule:`, a string or a list).
    pub selectors: Vec<Selector>,
    /// `path:` as written, and the compiled glob relative to the configuration's directory;
    /// None: every file.
    pub path: Option<(String, PathGlobs)>,
    /// `reason:` (required by the configuration loader).
    pub reason: String,
    /// `expires:` (the last day it applies), with the span of the date.
    pub expires: Option<(Date, Span)>,
    /// The configuration file.
    pub source: SourceRef,
    /// The directory holding the configuration file, absolute.
    pub base: std::path::PathBuf,
    /// The span of the entry in the configuration file.
    pub span: Span,
}

/// The suppressions written in a file's comments, as its frontend found them
/// ([`crate::frontend`]: none for a format without comments, none either for a text without
/// [`COMMENT_MARKER`]). A comment alone on its line applies to the next line that is not itself a
/// comment-only line, so that several suppression comments can be stacked above one line.
pub fn scan_comments(text: &str, comments: &[Comment]) -> Vec<InlineSuppression> {
    if comments.is_empty() {
        // Most files: no line count to take (a pass over the whole text).
        return Vec::new();
    }
    let comment_only: std::collections::BTreeSet<u32> = comments
        .iter()
        .filter(|c| !c.trailing)
        .map(|c| c.line)
        .collect();
    let line_count = text.split('\n').count() as u32;
    let mut out = Vec::new();
    for comment in comments {
        let start = comment.span.start as usize + comment.marker_len;
        let Some(after_marker) = text.get(start..comment.span.end as usize) else {
            continue;
        };
        let body = after_marker.trim_start();
        let Some(directive) = body.strip_prefix(COMMENT_MARKER) else {
            // `# see irsa-lint: docs` is prose, not a directive.
            continue;
        };
        let directive_start = start + (after_marker.len() - body.len());
        let directive_end = comment.span.end as usize;
        let rest_start = directive_start + COMMENT_MARKER.len();
        let trailing = comment.trailing;
        let target = if trailing {
            comment.line
        } else {
            (comment.line + 1..line_count)
                .find(|l| !comment_only.contains(l))
                .unwrap_or(line_count)
        };
        let (word, word_offset) = first_word(directive);
        let body_start = rest_start + word_offset + word.len();
        let body_text = &directive[word_offset + word.len()..];
        let mut suppression = match word {
            "ignore" => parse_body(
                body_text,
                |r| Span::new(body_start + r.start, body_start + r.end),
                Scope::Line {
                    line: target + 1,
                    trailing,
                },
            ),
            "ignore-file" => parse_body(
                body_text,
                |r| Span::new(body_start + r.start, body_start + r.end),
                Scope::File,
            ),
            other => InlineSuppression {
                scope: Scope::File,
                selectors: Vec::new(),
                reason: None,
                until: None,
                span: Span::default(),
                problem: Some(if other.is_empty() {
                    "the `irsa-lint:` comment names no directive (expected `ignore` or `ignore-file`)"
                        .to_string()
                } else {
                    format!("`{other}` is not a directive (expected `ignore` or `ignore-file`)")
                }),
            },
        };
        suppression.span = Span::new(directive_start, directive_end);
        out.push(suppression);
    }
    out
}

/// The first whitespace-separated word of `s` and its byte offset.
fn first_word(s: &str) -> (&str, usize) {
    let start = s.len() - s.trim_start().len();
    let rest = &s[start..];
    let end = rest.find(|c: char| c.is_whitespace()).unwrap_or(rest.len());
    (&rest[..end], start)
}

/// Parse `CODES [until YYYY-MM-DD] [-- reason]`. `span_of` maps a byte range of `body` to a span in
/// the file.
fn parse_body(
    body: &str,
    span_of: impl Fn(std::ops::Range<usize>) -> Span,
    scope: Scope,
) -> InlineSuppression {
    let (head, reason) = match body.find("--") {
        Some(at) => (&body[..at], Some(body[at + 2..].trim())),
        None => (body, None),
    };
    let reason = reason.filter(|r| !r.is_empty()).map(str::to_string);
    let mut selectors = Vec::new();
    let mut until = None;
    let mut problem = None;
    let mut tokens = tokens(head).into_iter().peekable();
    while let Some((range, token)) = tokens.next() {
        if token.eq_ignore_ascii_case("until") {
            match tokens.next() {
                Some((range, date)) => match Date::parse(date) {
                    Some(d) => until = Some((d, span_of(range))),
                    None => {
                        problem.get_or_insert(format!(
                            "`until {date}` is not a date (expected `until YYYY-MM-DD`)"
                        ));
                    }
                },
                None => {
                    problem.get_or_insert("`until` needs a date (`until YYYY-MM-DD`)".to_string());
                }
            }
            continue;
        }
        selectors.push(Selector {
            text: token.to_string(),
            span: span_of(range),
        });
    }
    if selectors.is_empty() && problem.is_none() {
        problem = Some(
            "the suppression names no rule (write the codes or names after `ignore`, comma separated)"
                .to_string(),
        );
    }
    InlineSuppression {
        scope,
        selectors,
        reason,
        until,
        span: Span::default(),
        problem,
    }
}

/// Split on whitespace and commas, with byte ranges.
fn tokens(s: &str) -> Vec<(std::ops::Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let separator = c.is_whitespace() || c == ',';
        match (separator, start) {
            (true, Some(st)) => {
                out.push((st..i, &s[st..i]));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(st) = start {
        out.push((st..s.len(), &s[st..]));
    }
    out
}

/// The suppressions written as `irsa-lint/ignore` annotations, as the frontend found them on
/// every object of the file (in a `List` too).
pub fn scan_annotations(source: &SourceRef, found: &[IgnoreAnnotation]) -> Vec<InlineSuppression> {
    let mut out = Vec::new();
    for annotation in found {
        let scope = Scope::Object {
            span: annotation.object_span,
            label: annotation.object_label.clone(),
        };
        let value = &annotation.value;
        let mut suppression = match value.as_str() {
            Some(text) => parse_body(text, |r| source.sub_span(value.span, text, r), scope),
            None => InlineSuppression {
                scope,
                selectors: Vec::new(),
                reason: None,
                until: None,
                span: Span::default(),
                problem: Some(format!(
                    "the `{ANNOTATION}` annotation is {}, not a string: quote it, e.g. `\"IRSA206 -- reason\"`",
                    value.kind_name()
                )),
            },
        };
        suppression.span = value.span;
        out.push(suppression);
    }
    out
}

/// What [`apply`] needs besides the suppressions.
pub struct ApplyOptions<'a> {
    /// The date expiries are compared with.
    pub today: Date,
    /// Whether a rule runs (`--select` / `--ignore`): a selector naming only rules that do not run
    /// is not reported as unused, since its findings could not occur.
    pub enabled: &'a dyn Fn(&Rule) -> bool,
    /// True when the run linted the whole tree the configuration governs (a path of the run is the
    /// configuration's directory or a parent of it). Only then can a configured suppression be
    /// called unused: a run over `k8s/` says nothing about an entry for `iam/*.json`.
    pub whole_tree: bool,
}

/// How many findings the suppressions removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings removed by a suppression.
    pub suppressed: usize,
}

/// Remove the findings a suppression covers from `diagnostics`, and append IRSA004 for
/// suppressions that are unused or malformed and IRSA005 for expired ones.
///
/// IRSA004 and IRSA005 findings cannot themselves be suppressed (they are produced here, after
/// suppression): turn them off with `ignore` or `--ignore`.
pub fn apply(
    diagnostics: &mut Vec<Diagnostic>,
    files: &[FileSuppressions],
    config: &[ConfigSuppression],
    opts: &ApplyOptions<'_>,
) -> Applied {
    let by_file: HashMap<&str, usize> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.source.display_path.as_str(), i))
        .collect();
    let active = |s: &InlineSuppression| {
        s.problem.is_none() && s.reason.is_some() && s.until.is_none_or(|(d, _)| opts.today <= d)
    };
    // used[file][suppression][selector]
    let mut used: Vec<Vec<Vec<bool>>> = files
        .iter()
        .map(|f| {
            f.items
                .iter()
                .map(|s| vec![false; s.selectors.len()])
                .collect()
        })
        .collect();
    // Findings each inline suppression would cover if it had not expired (for IRSA005).
    let mut expired_hits: Vec<Vec<usize>> = files.iter().map(|f| vec![0; f.items.len()]).collect();
    let mut config_used: Vec<Vec<bool>> = config
        .iter()
        .map(|c| vec![false; c.selectors.len()])
        .collect();
    let mut config_expired_hits = vec![0usize; config.len()];
    let config_expired: Vec<bool> = config
        .iter()
        .map(|c| c.expires.is_some_and(|(d, _)| opts.today > d))
        .collect();
    // Whether a config entry's glob matches a file, cached per file.
    let mut path_cache: HashMap<String, Vec<bool>> = HashMap::new();

    let mut applied = Applied::default();
    diagnostics.retain(|d| {
        let mut suppressed = false;
        // Expired suppressions that cover this finding: they count as having brought it back only
        // if no other suppression still hides it.
        let mut expired_inline: Vec<(usize, usize)> = Vec::new();
        let mut expired_config: Vec<usize> = Vec::new();
        let file = d.file();
        if let Some(&fi) = by_file.get(file) {
            let line = d.primary.start().line;
            let start = d.primary.span.start;
            for (si, s) in files[fi].items.iter().enumerate() {
                let covers = match &s.scope {
                    Scope::Line { line: l, .. } => *l == line,
                    Scope::File => true,
                    Scope::Object { span, .. } => {
                        span.start <= start && start < span.end.max(span.start + 1)
                    }
                };
                if !covers || s.problem.is_some() || s.reason.is_none() {
                    continue;
                }
                let matching: Vec<usize> = s
                    .selectors
                    .iter()
                    .enumerate()
                    .filter(|(_, sel)| sel.matches(d.rule))
                    .map(|(k, _)| k)
                    .collect();
                if matching.is_empty() {
                    continue;
                }
                if active(s) {
                    for k in matching {
                        used[fi][si][k] = true;
                    }
                    suppressed = true;
                } else {
                    expired_inline.push((fi, si));
                }
            }
        }
        if !config.is_empty() {
            let matches_path = path_cache.entry(file.to_string()).or_insert_with(|| {
                let path = d.primary.source.path.clone().unwrap_or_else(|| file.into());
                config
                    .iter()
                    .map(|c| c.path.as_ref().is_none_or(|(_, g)| g.matches(&path)))
                    .collect()
            });
            for (ci, c) in config.iter().enumerate() {
                if !matches_path[ci] {
                    continue;
                }
                let matching: Vec<usize> = c
                    .selectors
                    .iter()
                    .enumerate()
                    .filter(|(_, sel)| sel.matches(d.rule))
                    .map(|(k, _)| k)
                    .collect();
                if matching.is_empty() {
                    continue;
                }
                if config_expired[ci] {
                    expired_config.push(ci);
                } else {
                    for k in matching {
                        config_used[ci][k] = true;
                    }
                    suppressed = true;
                }
            }
        }
        if suppressed {
            applied.suppressed += 1;
        } else {
            for (fi, si) in expired_inline {
                expired_hits[fi][si] += 1;
            }
            for ci in expired_config {
                config_expired_hits[ci] += 1;
            }
        }
        !suppressed
    });

    for (fi, file) in files.iter().enumerate() {
        for (si, s) in file.items.iter().enumerate() {
            report_inline(
                &file.source,
                s,
                &used[fi][si],
                expired_hits[fi][si],
                opts,
                diagnostics,
            );
        }
    }
    for (ci, c) in config.iter().enumerate() {
        report_config(
            c,
            &config_used[ci],
            config_expired[ci],
            config_expired_hits[ci],
            opts,
            diagnostics,
        );
    }
    applied
}

/// `its 2 findings are` / `its finding is`.
fn findings_back(n: usize) -> String {
    match n {
        0 => "it matches no finding today".to_string(),
        1 => "the finding it hid is reported again".to_string(),
        n => format!("the {n} findings it hid are reported again"),
    }
}

/// `on this line`, `on line 8 (the line below it)`, `in this file`, `in ServiceAccount ...`.
fn scope_phrase(source: &SourceRef, scope: &Scope) -> String {
    match scope {
        Scope::Line { trailing: true, .. } => "on its line".to_string(),
        Scope::Line { line, .. } if (*line as usize) > source.line_count() => {
            "below it (it is at the end of the file)".to_string()
        }
        Scope::Line { line, .. } => format!("on line {line} (the line it applies to)"),
        Scope::File => "in this file".to_string(),
        Scope::Object { label, .. } => format!("in {label}"),
    }
}

fn directive_name(scope: &Scope) -> &'static str {
    match scope {
        Scope::Line { .. } => "ignore",
        Scope::File => "ignore-file",
        Scope::Object { .. } => "annotation",
    }
}

fn report_inline(
    source: &SourceRef,
    s: &InlineSuppression,
    used: &[bool],
    expired_hits: usize,
    opts: &ApplyOptions<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let kind = directive_name(&s.scope);
    let codes: Vec<&str> = s.selectors.iter().map(|x| x.text.as_str()).collect();
    let path = format!("suppression#{kind}:{}", codes.join(","));
    if let Some(problem) = &s.problem {
        out.push(
            Diagnostic::new(
                registry::IRSA004,
                source,
                s.span,
                format!("this suppression is malformed and suppresses nothing: {problem}"),
            )
            .label("malformed suppression")
            .help("write `# irsa-lint: ignore CODE[,CODE...] -- reason` (or `ignore-file`), or for the annotation `\"CODE[,CODE...] -- reason\"`")
            .at_path(path),
        );
        return;
    }
    if s.reason.is_none() {
        out.push(
            Diagnostic::new(
                registry::IRSA004,
                source,
                s.span,
                format!(
                    "this suppression of {} gives no reason, so it suppresses nothing: every accepted finding must say why it is acceptable",
                    quoted(&codes)
                ),
            )
            .label("no `-- reason`")
            .help("append ` -- ` and the reason the finding is acceptable, e.g. `# irsa-lint: ignore IRSA206 -- legacy namespace, removed in Q3`")
            .at_path(path),
        );
        return;
    }
    if let Some((date, span)) = s.until
        && opts.today > date
    {
        out.push(
            Diagnostic::new(
                registry::IRSA005,
                source,
                span,
                format!(
                    "the suppression of {} {} expired on {date} and no longer applies: {}",
                    quoted(&codes),
                    scope_phrase(source, &s.scope),
                    findings_back(expired_hits)
                ),
            )
            .label("expired")
            .help("fix the finding, or, if the exception still holds, review it and set a new `until` date")
            .at_path(path),
        );
        return;
    }
    for (k, sel) in s.selectors.iter().enumerate() {
        if used[k] {
            continue;
        }
        let message = if !sel.is_known() {
            format!(
                "`{}` names no rule, so this suppression of it suppresses nothing (expected a code like IRSA206, a prefix like IRSA2, or a name like default-service-account-has-role)",
                sel.text
            )
        } else if !registry::RULES
            .iter()
            .any(|r| sel.matches(r) && (opts.enabled)(r))
        {
            // Its rules do not run in this run: it may well be used in a full run.
            continue;
        } else {
            format!(
                "unused suppression: no `{}` finding {}; left in place it would hide a future, unrelated finding there",
                sel.text,
                scope_phrase(source, &s.scope)
            )
        };
        out.push(
            Diagnostic::new(registry::IRSA004, source, sel.span, message)
                .label("suppresses nothing")
                .help(if s.selectors.len() > 1 {
                    format!("remove `{}` from the suppression", sel.text)
                } else {
                    "remove the suppression".to_string()
                })
                .at_path(format!("suppression#{kind}:{}", sel.text)),
        );
    }
}

fn report_config(
    c: &ConfigSuppression,
    used: &[bool],
    expired: bool,
    expired_hits: usize,
    opts: &ApplyOptions<'_>,
    out: &mut Vec<Diagnostic>,
) {
    let codes: Vec<&str> = c.selectors.iter().map(|x| x.text.as_str()).collect();
    let where_ = match &c.path {
        Some((glob, _)) => format!("in files matching `{glob}`"),
        None => "in any file".to_string(),
    };
    let path = format!(
        "suppressions#{}@{}",
        codes.join(","),
        c.path.as_ref().map_or("*", |(g, _)| g.as_str())
    );
    if expired {
        let (date, span) = c.expires.unwrap_or((opts.today, c.span));
        out.push(
            Diagnostic::new(
                registry::IRSA005,
                &c.source,
                span,
                format!(
                    "the suppression of {} {where_} expired on {date} and no longer applies: {}",
                    quoted(&codes),
                    findings_back(expired_hits)
                ),
            )
            .label("expired")
            .help(format!(
                "fix the finding, or, if the exception (\"{}\") still holds, review it and set a new `expires` date",
                c.reason
            ))
            .at_path(path),
        );
        return;
    }
    for (k, sel) in c.selectors.iter().enumerate() {
        if used[k]
            || !opts.whole_tree
            || !registry::RULES
                .iter()
                .any(|r| sel.matches(r) && (opts.enabled)(r))
        {
            continue;
        }
        out.push(
            Diagnostic::new(
                registry::IRSA004,
                &c.source,
                sel.span,
                format!(
                    "unused suppression: no `{}` finding {where_}; left in place it would hide a future, unrelated finding there",
                    sel.text
                ),
            )
            .label("suppresses nothing")
            .help(if c.selectors.len() > 1 {
                format!("remove `{}` from this entry's `rule`", sel.text)
            } else {
                "remove this entry from `suppressions`".to_string()
            })
            .at_path(format!("{path}:{}", sel.text)),
        );
    }
}

fn quoted(codes: &[&str]) -> String {
    let q: Vec<String> = codes.iter().map(|c| format!("`{c}`")).collect();
    q.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The suppressions of a YAML text, its comments found by the YAML frontend.
    fn scan(text: &str) -> Vec<InlineSuppression> {
        scan_comments(text, &crate::parse::yaml_comments(text))
    }

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            Date::parse("2027-01-31"),
            Some(Date {
                year: 2027,
                month: 1,
                day: 31
            })
        );
        assert_eq!(Date::parse("2028-02-29").map(|d| d.day), Some(29));
        assert_eq!(Date::parse("2027-02-29"), None);
        assert_eq!(Date::parse("2100-02-29"), None);
        assert_eq!(Date::parse("2000-02-29").map(|d| d.day), Some(29));
        assert_eq!(Date::parse("2027-13-01"), None);
        assert_eq!(Date::parse("2027-1-31"), None);
        assert_eq!(Date::parse("27-01-31"), None);
        assert_eq!(Date::parse("2027-01-3a"), None);
        assert_eq!(Date::parse("2027-01-00"), None);
        assert_eq!(Date::parse("+027-01-01"), None);
        assert_eq!(Date::parse("2027-01-31").unwrap().to_string(), "2027-01-31");
    }

    #[test]
    fn days_since_epoch_become_dates() {
        assert_eq!(Date::from_days_since_epoch(0).to_string(), "1970-01-01");
        assert_eq!(
            Date::from_days_since_epoch(19_782).to_string(),
            "2024-02-29"
        );
        assert_eq!(
            Date::from_days_since_epoch(20_819).to_string(),
            "2027-01-01"
        );
        assert!(Date::parse("2027-01-31") < Date::parse("2027-02-01"));
    }

    #[test]
    fn comments_become_suppressions() {
        let text = "kind: ServiceAccount\n\
                    metadata:\n  # irsa-lint: ignore IRSA206, IRSA303 -- shared on purpose\n  # another comment\n  name: default\n\
                    x: 1 # irsa-lint: ignore sub-wildcard-name until 2027-01-31 -- batch\n\
                    note: \"# irsa-lint: ignore IRSA101 -- inside a string\"\n\
                    # see irsa-lint: prose, not a directive\n\
                    # irsa-lint: ignore-file IRSA1\n\
                    # irsa-lint: ignroe IRSA1 -- typo\n";
        let found = scan(text);
        assert_eq!(found.len(), 4, "{found:#?}");
        assert_eq!(
            found[0].scope,
            Scope::Line {
                line: 5,
                trailing: false
            }
        );
        let codes: Vec<&str> = found[0].selectors.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(codes, ["IRSA206", "IRSA303"]);
        assert_eq!(&text[found[0].selectors[1].span.range()], "IRSA303");
        assert_eq!(found[0].reason.as_deref(), Some("shared on purpose"));
        assert_eq!(
            &text[found[0].span.range()],
            "irsa-lint: ignore IRSA206, IRSA303 -- shared on purpose"
        );
        assert_eq!(
            found[1].scope,
            Scope::Line {
                line: 6,
                trailing: true
            }
        );
        assert_eq!(
            found[1].until.map(|(d, _)| d.to_string()).as_deref(),
            Some("2027-01-31")
        );
        assert_eq!(&text[found[1].until.unwrap().1.range()], "2027-01-31");
        assert_eq!(found[2].scope, Scope::File);
        assert_eq!(found[2].reason, None);
        assert_eq!(
            found[3].problem.as_deref(),
            Some("`ignroe` is not a directive (expected `ignore` or `ignore-file`)")
        );
    }

    #[test]
    fn malformed_bodies_are_problems() {
        let s = scan("# irsa-lint: ignore -- no codes\n");
        assert_eq!(
            s[0].problem.as_deref(),
            Some(
                "the suppression names no rule (write the codes or names after `ignore`, comma separated)"
            )
        );
        let s = scan("# irsa-lint: ignore IRSA1 until 2027-02-30 -- x\n");
        assert_eq!(
            s[0].problem.as_deref(),
            Some("`until 2027-02-30` is not a date (expected `until YYYY-MM-DD`)")
        );
        let s = scan("a: 1 # irsa-lint:\n");
        assert!(
            s[0].problem
                .as_deref()
                .unwrap()
                .contains("names no directive")
        );
    }

    #[test]
    fn crlf_and_last_line_comments() {
        let text = "a: 1\r\n# irsa-lint: ignore IRSA1 -- r\r\n";
        let s = scan(text);
        // The target is the empty last line (line 3).
        assert_eq!(
            s[0].scope,
            Scope::Line {
                line: 3,
                trailing: false
            }
        );
        assert_eq!(&text[s[0].span.range()], "irsa-lint: ignore IRSA1 -- r");
    }
}

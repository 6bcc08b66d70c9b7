//! The rule registry, generated at build time from `rules/*.md` (see `build.rs`).
//!
//! `rules/` is the one source of each rule's code, name, severity and documentation: `explain`,
//! `rules`, `docs/rules/` and the SARIF rule descriptors all read it from here.

/// How serious a finding is. Defined with the rules (each has a default); diagnostics and
/// reports use it through `crate::diagnostic`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// The selector that names every rule (`--select ALL`), in any case.
pub const ALL_SELECTOR: &str = "ALL";

/// True when `selector` (a code, a code prefix of at least 4 characters, a name, or `ALL`; any
/// case) names `rule`: how `--select`, `--ignore`, the configuration and suppressions name rules.
pub fn selector_matches(selector: &str, rule: &Rule) -> bool {
    let s = selector.trim();
    s.eq_ignore_ascii_case(ALL_SELECTOR)
        || rule.name.eq_ignore_ascii_case(s)
        || (s.len() >= 4
            && rule
                .code
                .get(..s.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(s)))
}

#[derive(Debug)]
pub struct Rule {
    pub code: &'static str,
    pub name: &'static str,
    pub summary: &'static str,
    pub default_severity: Severity,
    /// `input`, `trust-policy`, `manifest`, `cross-link`, `pod-identity`.
    pub category: &'static str,
    pub tags: &'static [&'static str],
    /// SARIF `security-severity` (a number from 0.0 to 10.0, as text).
    pub security_severity: &'static str,
    /// SARIF `precision`: `very-high`, `high`, `medium`, `low`.
    pub precision: &'static str,
    /// `rules/CODE-name.md`, relative to the repository root.
    pub source_file: &'static str,
    /// The whole rule file, front matter included.
    pub doc: &'static str,
    /// Byte offset of the Markdown body in `doc`.
    pub body_offset: usize,
    pub examples: &'static [Example],
}

#[derive(Debug)]
pub struct Example {
    pub lang: &'static str,
    pub expect: Expect,
    /// The file name the example stands for (`file=NAME` in the info string), if given.
    pub file: Option<&'static str>,
    /// Options for the run, from `key=value` words of the info string (`cluster-issuer=URL`).
    pub options: &'static [(&'static str, &'static str)],
    pub code: &'static str,
    /// 1-based line of the opening fence in the rule file.
    pub line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    Fail,
    Pass,
}

impl Rule {
    /// The Markdown documentation without the front matter.
    pub fn body(&self) -> &'static str {
        &self.doc[self.body_offset..]
    }

    pub fn is_security(&self) -> bool {
        self.tags.contains(&"security")
    }
}

include!(concat!(env!("OUT_DIR"), "/rules.rs"));

/// Find a rule by code (`IRSA101`, any case) or name (`aud-holds-subject`).
pub fn lookup(code_or_name: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}

//! The baseline: findings recorded once (`--write-baseline FILE`) and not reported again
//! (`--baseline FILE`), so that a repository can adopt the gate without fixing everything first,
//! while every new finding still fails the build.
//!
//! Findings are matched by fingerprint ([`diagnostic::fingerprints`]: rule, file and the finding's
//! logical path in its document, numbered among equals), never by line, so moving lines, editing
//! messages or adding unrelated findings does not resurface a baselined one. Entries that no
//! longer occur are counted ("stale"), so the baseline can be pruned by writing it again.
//!
//! The file is versioned JSON:
//!
//! ```json
//! {"version": 1, "tool": {"name": "irsa-lint", "version": "0.1.0"},
//!  "findings": [{"fingerprint": "9f0c…", "rule": "IRSA105", "file": "iam/a.json", "message": "…"}]}
//! ```
//!
//! Only `fingerprint` is used for matching; `rule` and `file` decide whether an unmatched entry
//! counts as stale in a run that lints part of the repository or runs part of the rules, and
//! `message` is there for the human reviewing the baseline in a pull request.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{self, Diagnostic};
use crate::registry::{self, Rule};

/// The baseline format version written and accepted.
pub const BASELINE_VERSION: u32 = 1;

/// A loaded baseline.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    /// Recorded findings, in report order.
    pub findings: Vec<Entry>,
}

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// [`diagnostic::fingerprints`] of the finding.
    pub fingerprint: String,
    /// The rule's code.
    pub rule: String,
    /// The file, as shown in reports (relative to the working directory).
    pub file: String,
    /// The message when it was recorded (informative only).
    #[serde(default)]
    pub message: String,
}

#[derive(Serialize)]
struct FileOut<'a> {
    version: u32,
    tool: Tool,
    findings: &'a [Entry],
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Deserialize)]
struct FileIn {
    version: u32,
    findings: Vec<Entry>,
}

impl Baseline {
    /// The baseline of `diagnostics` (sorted, as the driver returns them).
    pub fn of(diagnostics: &[Diagnostic]) -> Baseline {
        let fingerprints = diagnostic::fingerprints(diagnostics);
        Baseline {
            findings: diagnostics
                .iter()
                .zip(fingerprints)
                .map(|(d, fingerprint)| Entry {
                    fingerprint,
                    rule: d.rule.code.to_string(),
                    file: d.file().to_string(),
                    message: d.message.clone(),
                })
                .collect(),
        }
    }

    /// The file's JSON text (pretty-printed, one finding per few lines, so that a pull request
    /// that prunes the baseline shows a readable diff).
    pub fn to_json(&self) -> String {
        let out = FileOut {
            version: BASELINE_VERSION,
            tool: Tool {
                name: env!("CARGO_PKG_NAME"),
                version: env!("CARGO_PKG_VERSION"),
            },
            findings: &self.findings,
        };
        let mut text = serde_json::to_string_pretty(&out).unwrap_or_default();
        text.push('\n');
        text
    }

    /// Parse a baseline file's text.
    pub fn from_json(text: &str) -> Result<Baseline, String> {
        // Read the version first, so a future format gets a clear message rather than a field
        // error.
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
        match value.get("version").and_then(serde_json::Value::as_u64) {
            Some(v) if v == u64::from(BASELINE_VERSION) => {}
            Some(v) => {
                return Err(format!(
                    "baseline version {v} is not supported (this irsa-lint reads version {BASELINE_VERSION}); write it again with --write-baseline"
                ));
            }
            None => {
                return Err(
                    "not an irsa-lint baseline (no `version`); write one with --write-baseline"
                        .to_string(),
                );
            }
        }
        let file: FileIn =
            serde_json::from_value(value).map_err(|e| format!("not an irsa-lint baseline: {e}"))?;
        debug_assert_eq!(file.version, BASELINE_VERSION);
        Ok(Baseline {
            findings: file.findings,
        })
    }

    /// Read a baseline file.
    pub fn load(path: &Path) -> Result<Baseline, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline {}: {e}", path.display()))?;
        Baseline::from_json(&text).map_err(|e| format!("baseline {}: {e}", path.display()))
    }
}

/// What applying a baseline did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings removed because the baseline holds them.
    pub baselined: usize,
    /// Baseline entries that match no finding, counting only entries this run could have
    /// produced (their file was linted and their rule ran).
    pub stale: usize,
    /// Entries whose file was linted in this run. None of them, with a non-empty baseline, usually
    /// means the run started in another directory than the one the baseline was written in.
    pub for_linted_files: usize,
}

/// Remove from `diagnostics` (sorted) the findings the baseline holds.
///
/// `linted` holds the files of this run, `enabled` tells which rules ran: an entry for a file not
/// linted this time or a rule not run is neither matched nor stale.
pub fn apply(
    baseline: &Baseline,
    diagnostics: &mut Vec<Diagnostic>,
    linted: &BTreeSet<String>,
    enabled: &dyn Fn(&Rule) -> bool,
) -> Applied {
    let fingerprints = diagnostic::fingerprints(diagnostics);
    // Fingerprints are unique within a run, but a hand-edited baseline may repeat one: count.
    let mut recorded: HashMap<&str, usize> = HashMap::new();
    for e in &baseline.findings {
        *recorded.entry(e.fingerprint.as_str()).or_default() += 1;
    }
    let mut applied = Applied::default();
    let mut keep = fingerprints
        .iter()
        .map(|f| match recorded.get_mut(f.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        });
    diagnostics.retain(|_| {
        let k = keep.next().unwrap_or(true);
        if !k {
            applied.baselined += 1;
        }
        k
    });
    applied.for_linted_files = baseline
        .findings
        .iter()
        .filter(|e| linted.contains(&e.file))
        .count();
    for e in &baseline.findings {
        let left = recorded.get_mut(e.fingerprint.as_str());
        let Some(n) = left.filter(|n| **n > 0) else {
            continue;
        };
        let could_occur = linted.contains(&e.file) && registry::lookup(&e.rule).is_none_or(enabled);
        if could_occur {
            applied.stale += 1;
        }
        *n -= 1;
    }
    applied
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_checked() {
        assert_eq!(
            Baseline::from_json(r#"{"version": 2, "findings": []}"#).unwrap_err(),
            "baseline version 2 is not supported (this irsa-lint reads version 1); write it again with --write-baseline"
        );
        assert_eq!(
            Baseline::from_json("[]").unwrap_err(),
            "not an irsa-lint baseline (no `version`); write one with --write-baseline"
        );
        assert!(
            Baseline::from_json("{")
                .unwrap_err()
                .starts_with("not valid JSON")
        );
        assert!(
            Baseline::from_json(r#"{"version": 1, "findings": [{"rule": "IRSA101"}]}"#)
                .unwrap_err()
                .starts_with("not an irsa-lint baseline: missing field `fingerprint`")
        );
        let b = Baseline::from_json(
            r#"{"version": 1, "findings": [{"fingerprint": "ab", "rule": "IRSA101", "file": "a.json"}]}"#,
        )
        .unwrap();
        assert_eq!(b.findings[0].message, "");
        let again = Baseline::from_json(&b.to_json()).unwrap();
        assert_eq!(again, b);
    }
}

//! Diagnostics: what the check stage produces and every report format consumes.

use crate::registry::Rule;
pub use crate::registry::Severity;
use crate::source::{LineCol, SourceRef, Span};

/// A place in a source file, with an optional message (for related locations).
#[derive(Clone, Debug)]
pub struct Label {
    pub source: SourceRef,
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(source: &SourceRef, span: Span, message: impl Into<String>) -> Label {
        Label {
            source: source.clone(),
            span,
            message: message.into(),
        }
    }

    pub fn file(&self) -> &str {
        &self.source.display_path
    }

    pub fn start(&self) -> LineCol {
        self.source.line_col(self.span.start)
    }

    /// The end position (exclusive end of the span, as a 1-based line and column).
    pub fn end(&self) -> LineCol {
        self.source.line_col(self.span.end)
    }
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub rule: &'static Rule,
    pub severity: Severity,
    /// One sentence on what is wrong and what happens at run time.
    pub message: String,
    /// The key or value at fault; its `message` is the short label shown under the snippet.
    pub primary: Label,
    /// A concrete fix.
    pub help: Option<String>,
    /// Other places that explain the finding (the other duplicate key, the trust policy's
    /// condition for a ServiceAccount finding).
    pub related: Vec<Label>,
    /// Where the finding sits in the document's logical structure
    /// (`Statement[0].Condition.StringLike`), for fingerprints that survive moved lines.
    pub logical_path: String,
    /// Stable identity of the finding (see [`fingerprints`]), assigned by the driver over the
    /// whole run before the baseline filters it, so every report and the baseline agree.
    pub fingerprint: String,
}

impl Diagnostic {
    /// A diagnostic at the rule's default severity.
    pub fn new(
        rule: &'static Rule,
        source: &SourceRef,
        span: Span,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            rule,
            severity: rule.default_severity,
            message: message.into(),
            primary: Label::new(source, span, ""),
            help: None,
            related: Vec::new(),
            logical_path: String::new(),
            fingerprint: String::new(),
        }
    }

    pub fn label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn related(mut self, source: &SourceRef, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Label::new(source, span, message));
        self
    }

    pub fn severity(mut self, severity: Severity) -> Diagnostic {
        self.severity = severity;
        self
    }

    pub fn at_path(mut self, logical_path: impl Into<String>) -> Diagnostic {
        self.logical_path = logical_path.into();
        self
    }

    pub fn file(&self) -> &str {
        self.primary.file()
    }

    /// The sort key that makes output deterministic: path, then position, then code.
    pub fn sort_key(&self) -> (&str, Span, &'static str) {
        (self.file(), self.primary.span, self.rule.code)
    }
}

/// Sort diagnostics by file, position and code, and drop exact duplicates.
pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
    diags.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then_with(|| a.message.cmp(&b.message))
    });
    diags.dedup_by(|a, b| a.sort_key() == b.sort_key() && a.message == b.message);
}

/// Stable fingerprints for `diagnostics` (in the same order): the one the driver assigned
/// ([`assign_fingerprints`]) where there is one, else computed from this list.
pub fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    compute_fingerprints(diagnostics)
        .into_iter()
        .zip(diagnostics)
        .map(|(computed, d)| {
            if d.fingerprint.is_empty() {
                computed
            } else {
                d.fingerprint.clone()
            }
        })
        .collect()
}

/// Give every diagnostic its fingerprint. The driver calls this on the complete, sorted list of
/// the run, so that numbering of equal findings does not depend on what a baseline later hides.
pub fn assign_fingerprints(diagnostics: &mut [Diagnostic]) {
    let computed = compute_fingerprints(diagnostics);
    for (d, f) in diagnostics.iter_mut().zip(computed) {
        d.fingerprint = f;
    }
}

/// A hash of the rule, the file and the finding's logical path in its document
/// (`ServiceAccount/prod/api#metadata.annotations...`), so that a fingerprint survives lines
/// moving. Findings that share all three are numbered in order of position. Used by SARIF
/// `partialFingerprints`, GitLab and the baseline.
fn compute_fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: std::collections::HashMap<(&str, &str, &str), u32> =
        std::collections::HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let path = if d.logical_path.is_empty() {
                d.message.as_str()
            } else {
                d.logical_path.as_str()
            };
            let occurrence = seen.entry((d.rule.code, d.file(), path)).or_insert(0);
            *occurrence += 1;
            let key = format!("{}\0{}\0{}\0{}", d.rule.code, d.file(), path, occurrence);
            format!("{:016x}", fnv1a64(key.as_bytes()))
        })
        .collect()
}

/// FNV-1a, 64 bits: tiny, stable across Rust versions and platforms (unlike `DefaultHasher`).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        hash ^= u64::from(b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

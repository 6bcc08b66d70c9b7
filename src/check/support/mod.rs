//! The support layer: what rules share. Rules are leaves: a rule file uses this layer, the model,
//! the engine and the link stage, never another rule file (`tests/architecture.rs` checks it), so
//! a rule can be changed or deleted without touching another.
//!
//! One module per theme. A helper moves here the moment a second rule needs it; a helper only one
//! rule uses stays in that rule's file.

pub mod annotations;
pub mod env;
pub mod objects;
pub mod placeholders;
pub mod pod_identity;
pub mod role_arn;
pub mod roles;
pub mod skip_containers;
pub mod statement;
pub mod subjects;
pub mod text;
pub mod windows;

/// Test support for trust-rule modules: lint a JSON policy text with one trust rule.
#[cfg(test)]
pub(crate) fn run_check(
    check: crate::check::TrustCheck,
    text: &str,
) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::parse::{FileKind, parse, tree::Limits};
    let source = std::sync::Arc::new(crate::source::SourceFile::new(
        "t.json",
        None,
        text.to_string(),
    ));
    let parsed = parse(&source.text, FileKind::Json, Limits::default());
    let mut out = Vec::new();
    for policy in crate::extract::extract(&source, &parsed).policies {
        check(&policy, &crate::check::RuleContext::default(), &mut out);
    }
    out
}

/// Test support: the text at each finding's primary span when one trust rule lints a policy
/// made of these statements (JSON objects, comma-separated).
#[cfg(test)]
pub(crate) fn run_statements(check: crate::check::TrustCheck, statements: &str) -> Vec<String> {
    let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    run_check(check, &text)
        .iter()
        .map(|d| d.primary.source.slice(d.primary.span).to_string())
        .collect()
}

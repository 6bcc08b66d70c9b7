//! IRSA109 set-operator-on-single-value: a `ForAllValues:` or `ForAnyValue:` qualifier on a
//! provider's single-valued `:sub`/`:aud` key in a web-identity Allow.
//!
//! Set qualifiers are for multivalued keys (`amr`, tag lists). IAM evaluates
//! `ForAllValues:` as "every value of the key in the request matches", which is vacuously true when
//! the key has no values — a token from another provider trusted by the statement, or one without
//! the claim, passes the check (error). `ForAnyValue:` on a single value behaves like the plain
//! operator: nothing goes wrong at run time, but it misleads the reader (info).
//! Deny statements are not reported (an always-true condition in a Deny only denies more).

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, sub_or_aud_entries, web_identity_statements};
use crate::check::support::subjects::text_sub_span;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::policy::{SetQualifier, TrustPolicy};
use crate::registry::IRSA109;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy).filter(|s| s.is_allow()) {
        let Some(condition) = &stmt.condition else {
            continue;
        };
        for block in &condition.operators {
            let Some(op) = block.operator else { continue };
            let Some(set) = op.set else { continue };
            let keys = sub_or_aud_entries(block);
            let Some(first) = keys.first() else { continue };
            let name = &block.operator_name.value;
            let qualifier = match set {
                SetQualifier::ForAllValues => "ForAllValues",
                SetQualifier::ForAnyValue => "ForAnyValue",
            };
            let span = text_sub_span(policy, block.operator_name.span, name, 0, qualifier.len());
            let plain = format!(
                "{}{}",
                op.base.name(),
                if op.if_exists { "IfExists" } else { "" }
            );
            let key = &first.key.value;
            let (message, label, severity) = match set {
                SetQualifier::ForAllValues => (
                    format!(
                        "`{name}` is true when the token carries no `{key}` value at all: a token from another provider trusted here, or one lacking the claim, passes this check"
                    ),
                    "vacuously true when the key is absent",
                    Severity::Error,
                ),
                SetQualifier::ForAnyValue => (
                    format!(
                        "`{name}` is meant for multivalued keys; `{key}` holds a single value, so this behaves like `{plain}` and the qualifier only misleads the reader"
                    ),
                    "set qualifier on a single-valued key",
                    Severity::Info,
                ),
            };
            let mut diag = Diagnostic::new(IRSA109, &policy.source, span, message)
                .severity(severity)
                .label(label)
                .help(format!(
                    "use `\"{plain}\"` without the `{qualifier}:` qualifier"
                ))
                .at_path(logical_path(
                    policy,
                    Some(stmt),
                    &format!("Condition.{name}"),
                ));
            for entry in keys {
                diag = diag.related(&policy.source, entry.key.span, "a single-valued claim");
            }
            out.push(diag);
        }
    }
}

//! IRSA107 like-without-wildcard: a `StringLike`/`StringNotLike` block none of whose values holds
//! a `*` or `?`.
//!
//! Without a wildcard, `StringLike` matches exactly what `StringEquals` matches, so nothing is
//! wrong at run time. But the operator announces a pattern: a reader (or a reviewer of the next
//! change) assumes the scope is broader, or narrower, than it is, and a value later edited to
//! contain `?` or `*` silently turns into a pattern. `StringEquals` states the intent. Values not
//! known statically are skipped (they may hold a wildcard); `ArnLike` is not reported (ARN
//! operators behave the same with or without wildcards).

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::check::support::subjects::wildcard_offsets;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{BaseOperator, SetQualifier, TrustPolicy};
use crate::registry::IRSA107;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        let Some(condition) = &stmt.condition else {
            continue;
        };
        for block in &condition.operators {
            let Some(op) = block.operator else { continue };
            let exact = match op.base {
                BaseOperator::StringLike => "StringEquals",
                BaseOperator::StringNotLike => "StringNotEquals",
                _ => continue,
            };
            let mut values = block.entries.iter().flat_map(|e| e.values.iter());
            let any_value = block.entries.iter().any(|e| !e.values.is_empty());
            if !any_value
                || values.any(|v| v.has_unknown() || !wildcard_offsets(&v.text).is_empty())
            {
                continue;
            }
            let set = match op.set {
                Some(SetQualifier::ForAllValues) => "ForAllValues:",
                Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
                None => "",
            };
            let if_exists = if op.if_exists { "IfExists" } else { "" };
            let replacement = format!("{set}{exact}{if_exists}");
            let name = &block.operator_name.value;
            out.push(
                Diagnostic::new(
                    IRSA107,
                    &policy.source,
                    block.operator_name.span,
                    format!(
                        "`{name}` matches exactly like `{replacement}` here: none of its values has a `*` or `?`, so each is compared as a whole string"
                    ),
                )
                .label("no wildcard in any value")
                .help(format!(
                    "use `\"{replacement}\"` so the exact match is explicit"
                ))
                .at_path(logical_path(policy, Some(stmt), &format!("Condition.{name}"))),
            );
        }
    }
}

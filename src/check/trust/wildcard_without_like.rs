//! IRSA106 wildcard-without-like: a `*` or `?` in a value under a String operator that is not a
//! `Like` operator, where it is a literal character and never matches as intended.
//!
//! Only `StringLike`/`StringNotLike` (and the ARN operators) treat `*` and `?` as wildcards;
//! `StringEquals`, `StringNotEquals` and their `IgnoreCase` forms compare every character exactly.
//! `"StringEquals": {"…:sub": "system:serviceaccount:prod:*"}` therefore only admits a token whose
//! subject is literally `system:serviceaccount:prod:*`, which Kubernetes never issues: the role
//! that was meant for a namespace is usable by nobody. Under a negated operator the value excludes
//! nothing. `ArnEquals` is not reported: IAM documents it as wildcard-aware, like `ArnLike`.
//! Wildcards inside policy variables (`${*}` is IAM's escape for a literal `*`) are not wildcards
//! and are skipped. In a value with template variables, a wildcard written around them is literal
//! whatever they hold (`system:serviceaccount:${var.ns}:*`); a wholly unknown value is skipped.

use crate::check::RuleContext;
use crate::check::support::statement::{
    dead_entry_effect, entry_path, is_eks_key, web_identity_statements,
};
use crate::check::support::subjects::first_written_wildcard;
use crate::diagnostic::Diagnostic;
use crate::model::oidc::parse_provider_key;
use crate::model::policy::{BaseOperator, Operator, SetQualifier, TrustPolicy};
use crate::registry::IRSA106;
use crate::source::Span;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        for (block, entry) in stmt.condition_entries() {
            let Some(op) = block.operator else { continue };
            if !matches!(
                op.base,
                BaseOperator::StringEquals
                    | BaseOperator::StringNotEquals
                    | BaseOperator::StringEqualsIgnoreCase
                    | BaseOperator::StringNotEqualsIgnoreCase
            ) {
                continue;
            }
            // A wildcard written in a literal part is literal whatever the unknown parts are.
            let wild: Vec<(usize, char, Span)> = entry
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.parts().is_wholly_unknown())
                .filter_map(|(i, v)| first_written_wildcard(policy, v).map(|(c, s)| (i, c, s)))
                .collect();
            let all = wild.len() == entry.values.len();
            let consequence = dead_entry_effect(
                stmt,
                op.base.is_negated(),
                all,
                is_eks_key(&entry.key.value),
            );
            let claim =
                parse_provider_key(&entry.key.value).map_or(entry.key.value.as_str(), |k| k.claim);
            let op_name = &block.operator_name.value;
            for (i, c, span) in wild {
                let value = &entry.values[i];
                out.push(
                    Diagnostic::new(
                        IRSA106,
                        &policy.source,
                        span,
                        format!(
                            "{consequence}: `{op_name}` compares `{c}` literally, so `{}` only matches a `{claim}` that contains a literal `{c}`, which no token has",
                            value.text
                        ),
                    )
                    .label(format!("literal `{c}`, not a wildcard"))
                    .help(format!(
                        "to match a pattern, use `\"{}\"` instead of `\"{op_name}\"`",
                        like_operator(op)
                    ))
                    .related(
                        &policy.source,
                        block.operator_name.span,
                        "this operator compares characters exactly",
                    )
                    .at_path(entry_path(policy, stmt, block, entry, Some(i))),
                );
            }
        }
    }
}

/// The wildcard-aware twin of an exact String operator, qualifiers kept. There is no
/// case-insensitive `Like` operator, so `…IgnoreCase` becomes the case-sensitive `Like`.
fn like_operator(op: Operator) -> String {
    let base = if op.base.is_negated() {
        "StringNotLike"
    } else {
        "StringLike"
    };
    let set = match op.set {
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    };
    let if_exists = if op.if_exists { "IfExists" } else { "" };
    format!("{set}{base}{if_exists}")
}

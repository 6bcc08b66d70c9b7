//! IRSA108 if-exists-on-oidc-key: an `…IfExists` operator on a provider's `:sub` or `:aud` key in
//! a web-identity Allow.
//!
//! `IfExists` makes a condition true whenever the key is absent from the request. A provider's
//! `sub`/`aud` keys are absent from every token issued by *another* provider, so when the
//! statement trusts several providers (or gains one later), their tokens skip the check entirely;
//! and a token that lacks the claim skips it too. The claims are always meant to be checked, so
//! the qualifier only ever weakens the statement. Deny statements are not reported: there
//! `IfExists` makes the Deny apply to a token without the key, which is the safe direction.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, sub_or_aud_entries, web_identity_statements};
use crate::check::support::subjects::text_sub_span;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{SetQualifier, TrustPolicy};
use crate::registry::IRSA108;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy).filter(|s| s.is_allow()) {
        let Some(condition) = &stmt.condition else {
            continue;
        };
        for block in &condition.operators {
            let Some(op) = block.operator else { continue };
            if !op.if_exists {
                continue;
            }
            let keys = sub_or_aud_entries(block);
            let Some(first) = keys.first() else { continue };
            let name = &block.operator_name.value;
            let suffix = "IfExists".len();
            let span = text_sub_span(
                policy,
                block.operator_name.span,
                name,
                name.len() - suffix,
                suffix,
            );
            let set = match op.set {
                Some(SetQualifier::ForAllValues) => "ForAllValues:",
                Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
                None => "",
            };
            let without = format!("{set}{}", op.base.name());
            let mut diag = Diagnostic::new(
                IRSA108,
                &policy.source,
                span,
                format!(
                    "`{name}` is true for any token without `{}`: a token from another provider trusted here, or one lacking the claim, skips this check entirely",
                    first.key.value
                ),
            )
            .label("true when the key is absent")
            .help(format!(
                "use `\"{without}\"`: the `sub` and `aud` claims must always be checked"
            ))
            .at_path(logical_path(policy, Some(stmt), &format!("Condition.{name}")));
            for entry in keys {
                diag = diag.related(&policy.source, entry.key.span, "checked only when present");
            }
            out.push(diag);
        }
    }
}

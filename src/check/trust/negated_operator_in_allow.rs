//! IRSA119 negated-operator-in-allow: `StringNotEquals` / `StringNotLike` on `:sub` is the only
//! subject check of an Allow statement.
//!
//! A negated operator is true for every value it does not list (and for an absent key). As the
//! only condition on `sub` of an Allow statement it turns the trust policy into a deny-list:
//! every service account of the cluster (every subject of the provider) except the listed ones
//! can assume the role, including ones created after the policy was written. Used next to a
//! positive `sub` condition it only carves exceptions out of an already-scoped set, which is
//! fine, so such statements are not reported.

use crate::check::RuleContext;
use crate::check::support::statement::{is_eks, logical_path, web_identity_statements};
use crate::diagnostic::Diagnostic;
use crate::model::oidc::{parse_provider_key, same_provider};
use crate::model::policy::{BaseOperator, ConditionBlock, TrustPolicy};
use crate::registry;

/// The string operators that negate: true for every subject not listed.
fn is_negated_string(block: &ConditionBlock) -> bool {
    block.operator.is_some_and(|op| {
        matches!(
            op.base,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
        )
    })
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy).filter(|s| s.is_allow()) {
        let subs: Vec<_> = stmt.claim_entries("sub").collect();
        for block in stmt.condition.iter().flat_map(|c| c.operators.iter()) {
            if !is_negated_string(block) {
                continue;
            }
            // The block's first `sub` entry that no positive `sub` condition of the same provider
            // already scopes (the negated one then only excludes some of those subjects).
            let unscoped = subs
                .iter()
                .filter(|(b, _)| std::ptr::eq(*b, block))
                .map(|(_, e)| *e)
                .find(|entry| {
                    let provider = parse_provider_key(&entry.key.value).map(|k| k.provider);
                    !subs.iter().any(|(other, other_entry)| {
                        other
                            .operator
                            .is_some_and(|op| op.base.is_string_like() && !op.base.is_negated())
                            && parse_provider_key(&other_entry.key.value)
                                .zip(provider)
                                .is_some_and(|(k, p)| same_provider(k.provider, p))
                    })
                });
            let Some(entry) = unscoped else {
                continue;
            };
            let operator = &block.operator_name.value;
            let eks = is_eks(stmt);
            let (who, example) = if eks {
                (
                    "every service account in the cluster",
                    "system:serviceaccount:<namespace>:<service-account>",
                )
            } else {
                (
                    "every identity this provider issues tokens for",
                    "<the exact subject allowed>",
                )
            };
            let positive = if operator.to_ascii_lowercase().contains("like") {
                "StringLike"
            } else {
                "StringEquals"
            };
            out.push(
                Diagnostic::new(
                    registry::IRSA119,
                    &policy.source,
                    block.operator_name.span,
                    format!(
                        "{who} except the listed subjects can assume this role: `{operator}` on \
                         `sub` is true for every other subject"
                    ),
                )
                .label("deny-list on sub in an Allow")
                .help(format!(
                    "allow the intended subjects explicitly: \"{positive}\": {{\"{}\": \
                     \"{example}\"}}; put exclusions in a separate Deny statement",
                    entry.key.value
                ))
                .related(&policy.source, entry.key.span, "the only subject check")
                .at_path(logical_path(
                    policy,
                    Some(stmt),
                    &format!("Condition.{operator}"),
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(effect: &str, condition: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}]}}"#
        );
        let out = crate::check::support::run_check(check, &text);
        out.iter()
            .map(|d| d.primary.source.slice(d.primary.span).to_string())
            .collect()
    }

    const KEY: &str = "oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub";

    #[test]
    fn negated_sub_alone_is_reported() {
        let c = format!(
            r#"{{"StringNotEquals":{{"{KEY}":"system:serviceaccount:kube-system:aws-node"}}}}"#
        );
        assert_eq!(run("Allow", &c), ["\"StringNotEquals\""]);
        let c = format!(r#"{{"ForAnyValue:StringNotLikeIfExists":{{"{KEY}":"x"}}}}"#);
        assert_eq!(run("Allow", &c), ["\"ForAnyValue:StringNotLikeIfExists\""]);
    }

    #[test]
    fn exceptions_to_a_scoped_set_and_denies_pass() {
        let c = format!(
            r#"{{"StringLike":{{"{KEY}":"system:serviceaccount:team-a:*"}},"StringNotEquals":{{"{KEY}":"system:serviceaccount:team-a:admin"}}}}"#
        );
        assert!(run("Allow", &c).is_empty());
        let c = format!(r#"{{"StringNotEquals":{{"{KEY}":"x"}}}}"#);
        assert!(run("Deny", &c).is_empty());
    }
}

//! IRSA123 multi-provider-partial-scope: one statement trusts several OIDC providers but its
//! `:sub` conditions only scope some of them, so another provider's tokens pass with any subject.
//!
//! IAM evaluates each condition against the one token in the request. A token from provider A
//! has no `B:sub` key, so a condition on `B:sub` decides A's request by its operator alone: a
//! positive operator (`StringEquals`) is false (A is locked out of the statement), but a negated
//! operator (`StringNotEquals`), `...IfExists` or `ForAllValues:` is *true* — and A's tokens are
//! then admitted whatever their subject: any service account of A's cluster can assume the role.
//!
//! Rather than guess from the operators, the engine decides: for each provider of the statement
//! that has no `:sub` condition of its own while another provider does, the statement is
//! evaluated (`engine::evaluate_statement`) with A's token carrying two unrelated probe subjects
//! and each audience the statement admits for A (`sts.amazonaws.com` when unconstrained). The rule
//! fires only when the statement definitely admits both probes.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::check::support::subjects::{PROBE_SUBJECTS, admitted_values, subject_example};
use crate::diagnostic::Diagnostic;
use crate::engine::{AssumeRoleRequest, STS_AUDIENCE, Tri, evaluate_statement, federated_matches};
use crate::model::oidc::{parse_provider_arn, parse_provider_key, same_provider};
use crate::model::policy::{ConditionBlock, ConditionEntry, PolicyValue, Statement, TrustPolicy};
use crate::registry::IRSA123;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy).filter(|s| s.is_allow()) {
        // Distinct, resolved OIDC provider principals.
        let mut providers: Vec<(&PolicyValue, &str)> = Vec::new();
        for value in stmt.oidc_principals().filter(|v| !v.has_unknown()) {
            let Some(arn) = parse_provider_arn(&value.text) else {
                continue;
            };
            if !providers
                .iter()
                .any(|(seen, _)| federated_matches(&seen.text, &value.text))
            {
                providers.push((value, arn.provider));
            }
        }
        if providers.len() < 2 {
            continue;
        }
        let subs: Vec<(&ConditionBlock, &ConditionEntry)> = stmt.claim_entries("sub").collect();
        for (principal, provider) in &providers {
            let own = subs.iter().any(|(_, e)| key_names(e, provider));
            if own {
                continue;
            }
            // A `:sub` condition that scopes another provider of this statement.
            let Some((other_block, other_entry)) = subs.iter().find(|(_, e)| {
                providers
                    .iter()
                    .any(|(_, p)| p != provider && key_names(e, p))
            }) else {
                continue;
            };
            if !admits_any_subject(stmt, &principal.text, provider) {
                continue;
            }
            let other_provider = parse_provider_key(&other_entry.key.value)
                .map(|k| k.provider)
                .unwrap_or_default();
            let operator = &other_block.operator_name.value;
            out.push(
                Diagnostic::new(
                    IRSA123,
                    &policy.source,
                    principal.span,
                    format!(
                        "any subject from `{provider}` can assume this role: the `:sub` condition names only `{other_provider}`, a key its tokens lack, and `{operator}` holds when its key is absent"
                    ),
                )
                .label("admitted with any subject")
                .help(format!(
                    "give each provider its own statement with its own `\"StringEquals\": {{\"{provider}:sub\": \"{}\"}}`",
                    subject_example(provider)
                ))
                .related(
                    &policy.source,
                    other_entry.key.span,
                    format!("only `{other_provider}` subjects are checked"),
                )
                .at_path(logical_path(policy, Some(stmt), "Principal.Federated")),
            );
        }
    }
}

/// True when the entry's key is `<provider>:<claim>` for this provider.
fn key_names(entry: &ConditionEntry, provider: &str) -> bool {
    parse_provider_key(&entry.key.value).is_some_and(|k| same_provider(k.provider, provider))
}

/// Does the statement definitely admit `provider_arn`'s tokens for both probe subjects, with some
/// audience it admits?
fn admits_any_subject(stmt: &Statement, provider_arn: &str, provider: &str) -> bool {
    let mut audiences = admitted_values(stmt, provider, "aud");
    if !audiences.iter().any(|a| a == STS_AUDIENCE) {
        audiences.push(STS_AUDIENCE.to_string());
    }
    audiences.iter().any(|aud| {
        PROBE_SUBJECTS.iter().all(|sub| {
            let request = AssumeRoleRequest::irsa(provider_arn, *sub, aud.as_str());
            evaluate_statement(stmt, &request) == Tri::True
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";
    const B: &str = "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D";

    fn run(condition: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
 "Principal": {{"Federated": ["arn:aws:iam::483920175566:oidc-provider/{A}", "arn:aws:iam::483920175566:oidc-provider/{B}"]}},
 "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}]}}"#
        );
        let out = crate::check::support::run_check(check, &text);
        out.iter()
            .map(|d| text[d.primary.span.range()].to_string())
            .collect()
    }

    #[test]
    fn if_exists_on_one_provider_admits_the_other() {
        let got = run(&format!(
            r#"{{"StringEqualsIfExists": {{"{A}:sub": "system:serviceaccount:a:b"}}}}"#
        ));
        assert_eq!(
            got,
            [format!("\"arn:aws:iam::483920175566:oidc-provider/{B}\"")]
        );
        let got = run(&format!(
            r#"{{"StringNotLike": {{"{A}:sub": "system:serviceaccount:kube-system:*"}}, "StringEquals": {{"{B}:aud": "sts.amazonaws.com"}}}}"#
        ));
        // B: no sub of its own, the negated A:sub holds for it, its aud matches.
        // A: has its own sub condition.
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn positive_conditions_or_both_scoped_pass() {
        // StringEquals on A:sub locks B out rather than letting it in.
        assert!(
            run(&format!(
                r#"{{"StringEquals": {{"{A}:sub": "system:serviceaccount:a:b"}}}}"#
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                r#"{{"StringEqualsIfExists": {{"{A}:sub": "system:serviceaccount:a:b", "{B}:sub": "system:serviceaccount:a:b"}}}}"#
            ))
            .is_empty()
        );
        // No sub condition at all: IRSA102's finding, not this one.
        assert!(
            run(&format!(
                r#"{{"StringEquals": {{"{A}:aud": "sts.amazonaws.com"}}}}"#
            ))
            .is_empty()
        );
    }
}

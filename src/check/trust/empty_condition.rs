//! IRSA125 empty-condition: `"Condition": {}`, an operator block without keys, or a key with an
//! empty value list in a web-identity statement.
//!
//! IAM accepts all three, and none of them does what its author meant. An empty `Condition` (or
//! one whose only operator blocks are empty) is no condition at all: an Allow then admits every
//! token its provider issues — every service account in the cluster. An operator block with no
//! keys checks nothing. A key with `[]` compares the token against no value: a positive operator
//! (`StringEquals`, `StringLike`) can then never hold when the token carries the key, so nobody
//! passes the statement, while a negated one (`StringNotEquals`) always holds and excludes
//! nothing.
//!
//! The forms as written are read (not the model's normalised lists) so that only what is really
//! written as `{}` or `[]` is reported: a `null` or a scalar where a mapping belongs is another
//! rule's finding.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::check::support::subjects::subject_example;
use crate::diagnostic::Diagnostic;
use crate::model::oidc::{parse_eks_issuer, same_provider};
use crate::model::policy::{Operator, SetQualifier, Statement, TrustPolicy};
use crate::model::written::{Written, WrittenKind};
use crate::registry::IRSA125;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        // A principal that never federates cannot use the grant at all (IRSA111 says so): its
        // condition admits nobody, empty or not.
        if stmt.principal_never_federated() {
            continue;
        }
        let Some(condition) = &stmt.condition else {
            continue;
        };
        if !matches!(condition.written.kind, WrittenKind::Map { .. }) {
            continue;
        }
        let blocks = &condition.operators;
        if blocks.is_empty() {
            out.push(no_condition(policy, stmt, condition.written.span, None));
            continue;
        }
        let all_empty = blocks.iter().all(|b| is_empty_map(&b.written));
        for block in blocks {
            let name = block.operator_name.value.as_str();
            if is_empty_map(&block.written) {
                if all_empty {
                    out.push(no_condition(policy, stmt, block.span, Some(name)));
                } else {
                    out.push(empty_block(policy, stmt, block.span, name));
                }
                continue;
            }
            for entry in &block.entries {
                if entry.written.kind == (WrittenKind::Seq { len: 0 }) {
                    let key = entry.key.value.as_str();
                    out.push(empty_list(policy, stmt, entry.values_span, name, key));
                }
            }
        }
    }
}

fn is_empty_map(written: &Written) -> bool {
    written.kind == WrittenKind::Map { len: 0 }
}

/// The provider named by the statement's principal, for messages.
fn provider_label(stmt: &Statement) -> String {
    stmt.principal_providers()
        .next()
        .map(|p| format!("`{p}`"))
        .unwrap_or_else(|| "its provider".to_string())
}

/// Who holds a token from the statement's provider, for messages.
fn anyone(stmt: &Statement) -> &'static str {
    let provider = stmt.principal_providers().next().unwrap_or_default();
    if parse_eks_issuer(provider).is_some() {
        "any service account in the cluster"
    } else if same_provider(provider, "token.actions.githubusercontent.com") {
        "any GitHub Actions workflow, in any repository,"
    } else {
        "any subject"
    }
}

fn subject_help(stmt: &Statement) -> String {
    let provider = stmt
        .principal_providers()
        .next()
        .unwrap_or("<PROVIDER>")
        .to_string();
    format!(
        "state the subject it admits: `\"StringEquals\": {{\"{provider}:sub\": \"{}\", \"{provider}:aud\": \"sts.amazonaws.com\"}}`",
        subject_example(&provider)
    )
}

/// `"Condition": {}`, or a Condition whose every operator block is empty.
fn no_condition(
    policy: &TrustPolicy,
    stmt: &Statement,
    span: crate::source::Span,
    block: Option<&str>,
) -> Diagnostic {
    let what = match block {
        None => "this `Condition` is empty".to_string(),
        Some(name) => format!("`{name}` lists no key and the statement has no other condition"),
    };
    let (message, label) = if stmt.is_deny() {
        (
            format!("{what}, so this Deny refuses every matching request unconditionally"),
            "checks nothing",
        )
    } else {
        (
            format!(
                "{what}, so the statement admits every token from {}: {} can assume this role",
                provider_label(stmt),
                anyone(stmt)
            ),
            "checks nothing: every subject admitted",
        )
    };
    let path = match block {
        None => "Condition".to_string(),
        Some(name) => format!("Condition.{name}"),
    };
    Diagnostic::new(IRSA125, &policy.source, span, message)
        .label(label)
        .help(subject_help(stmt))
        .at_path(logical_path(policy, Some(stmt), &path))
}

/// `"StringEquals": {}` next to other, non-empty blocks.
fn empty_block(
    policy: &TrustPolicy,
    stmt: &Statement,
    span: crate::source::Span,
    name: &str,
) -> Diagnostic {
    Diagnostic::new(
        IRSA125,
        &policy.source,
        span,
        format!(
            "`{name}` lists no key, so it checks nothing: whatever constraint it was meant to add is not enforced"
        ),
    )
    .label("empty operator block")
    .help(format!(
        "put the intended keys in it (e.g. `\"{name}\": {{\"<PROVIDER>:sub\": \"system:serviceaccount:<namespace>:<service-account>\"}}`) or delete it"
    ))
    .at_path(logical_path(policy, Some(stmt), &format!("Condition.{name}")))
}

/// `"<key>": []`.
fn empty_list(
    policy: &TrustPolicy,
    stmt: &Statement,
    span: crate::source::Span,
    operator: &str,
    key: &str,
) -> Diagnostic {
    let parsed = Operator::parse(operator);
    let negated = parsed.is_some_and(|op| op.base.is_negated());
    // Whether the entry still holds when the token lacks the key: `...IfExists` and
    // `ForAllValues:` make an absent key pass.
    let absent_passes = parsed.is_some_and(|op| {
        op.if_exists || op.set == Some(SetQualifier::ForAllValues) || op.base.is_negated()
    });
    let (message, label) = if parsed.is_none() {
        (
            format!("`{key}` lists no value, so this condition compares the token against nothing"),
            "empty value list",
        )
    } else if negated {
        (
            format!(
                "`{key}` lists no value, so `{operator}` always holds: it excludes no subject at all"
            ),
            "excludes nothing",
        )
    } else {
        let consequence = if stmt.is_deny() {
            "this Deny never applies"
        } else {
            "no token passes this statement, so no pod can assume the role through it"
        };
        let when = if absent_passes {
            " when the token carries the key"
        } else {
            ""
        };
        (
            format!("`{key}` lists no value, so `{operator}` can never hold{when}: {consequence}"),
            "matches nothing",
        )
    };
    let example = match key.rsplit_once(':') {
        Some((_, claim)) if claim.eq_ignore_ascii_case("aud") => "sts.amazonaws.com",
        Some((provider, _)) => subject_example(provider),
        None => "<value>",
    };
    Diagnostic::new(IRSA125, &policy.source, span, message)
        .label(label)
        .help(format!(
            "list the values it should match (`\"{key}\": \"{example}\"`) or delete the key"
        ))
        .at_path(logical_path(
            policy,
            Some(stmt),
            &format!("Condition.{operator}.{key}"),
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let out = crate::check::support::run_check(check, text);
        out.into_iter()
            .map(|d| (text[d.primary.span.range()].to_string(), d.message))
            .collect()
    }

    fn policy(effect: &str, condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "{effect}",
 "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"}},
 "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}]}}"#
        )
    }

    const SUB: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub";

    #[test]
    fn empty_condition_admits_everyone() {
        let got = run(&policy("Allow", "{ }"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "{ }");
        assert!(got[0].1.contains("any service account"));
        let got = run(&policy("Allow", r#"{"StringEquals": {}}"#));
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("no other condition"));
        let deny = run(&policy("Deny", "{}"));
        assert!(deny[0].1.contains("unconditionally"));
    }

    #[test]
    fn empty_block_beside_a_real_one() {
        let got = run(&policy(
            "Allow",
            &format!(
                r#"{{"StringLike": {{}}, "StringEquals": {{"{SUB}": "system:serviceaccount:a:b"}}}}"#
            ),
        ));
        assert_eq!(got.len(), 1);
        assert!(got[0].1.contains("checks nothing"));
    }

    #[test]
    fn empty_value_lists() {
        let got = run(&policy(
            "Allow",
            &format!(r#"{{"StringEquals": {{"{SUB}": []}}}}"#),
        ));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "[]");
        assert!(got[0].1.contains("can never hold:"));
        let got = run(&policy(
            "Allow",
            &format!(r#"{{"StringNotEquals": {{"{SUB}": [ ]}}}}"#),
        ));
        assert!(got[0].1.contains("always holds"));
        let got = run(&policy(
            "Allow",
            &format!(r#"{{"StringEqualsIfExists": {{"{SUB}": []}}}}"#),
        ));
        assert!(got[0].1.contains("when the token carries the key"));
    }

    #[test]
    fn real_conditions_pass() {
        assert!(
            run(&policy(
                "Allow",
                &format!(r#"{{"StringEquals": {{"{SUB}": ["system:serviceaccount:a:b"]}}}}"#)
            ))
            .is_empty()
        );
        // `null` is not an empty list.
        assert!(
            run(&policy(
                "Allow",
                &format!(r#"{{"StringEquals": {{"{SUB}": null}}}}"#)
            ))
            .is_empty()
        );
    }
}

//! IRSA124 overbroad-action: `NotAction`, `*`, `sts:*` or another wildcard that grants more than
//! `sts:AssumeRoleWithWebIdentity` (and `sts:TagSession`) in a web-identity Allow.
//!
//! A pod's SDK only calls `sts:AssumeRoleWithWebIdentity`; `sts:TagSession` is legitimately added
//! when the token carries session tags. Anything wider is a grant nobody asked for: with `*` or
//! `sts:*` the token can also set a source identity (`sts:SetSourceIdentity`) and context
//! (`sts:SetContext`) on the session, and as soon as a non-federated principal is added to the
//! statement it may call `sts:AssumeRole` too. `NotAction` in an Allow is worse: it allows every
//! action *except* the ones listed. Only wildcard patterns and `NotAction` are reported here; an
//! explicitly named wrong action is IRSA111's business.

use crate::check::RuleContext;
use crate::check::support::statement::{is_web_identity, logical_path, web_identity_statements};
use crate::diagnostic::Diagnostic;
use crate::engine::action_matches;
use crate::model::policy::{PolicyValue, Statement, TrustPolicy};
use crate::registry::IRSA124;

/// Actions a web-identity statement may legitimately allow.
const NEEDED: [&str; 2] = ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"];

/// STS actions that a role trust policy can grant, besides [`NEEDED`]: what an overbroad pattern
/// lets through.
const EXTRA: [&str; 4] = [
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:SetSourceIdentity",
    "sts:SetContext",
];

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy).filter(|s| s.is_allow()) {
        debug_assert!(is_web_identity(stmt));
        if let Some(not_action) = &stmt.not_action {
            out.push(
                Diagnostic::new(
                    IRSA124,
                    &policy.source,
                    not_action.key_span,
                    not_action_message(&not_action.values),
                )
                .label("allows everything not listed")
                .help("replace `NotAction` with `\"Action\": \"sts:AssumeRoleWithWebIdentity\"`")
                .at_path(logical_path(policy, Some(stmt), "NotAction")),
            );
        }
        if let Some(action) = &stmt.action {
            for value in &action.values {
                if let Some(extra) = overbroad(value) {
                    out.push(diagnostic(policy, stmt, value, &extra));
                }
            }
        }
    }
}

/// What a `NotAction` in an Allow lets through, naming the extra STS actions it does not exclude.
fn not_action_message(excluded: &[PolicyValue]) -> String {
    let extra: Vec<String> = EXTRA
        .iter()
        .filter(|a| !excluded.iter().any(|v| action_matches(&v.text, a)))
        .map(|a| format!("`{a}`"))
        .collect();
    let named = if extra.is_empty() {
        String::new()
    } else {
        format!(" {},", extra.join(", "))
    };
    format!(
        "`NotAction` in an Allow allows every action except the ones listed: besides `sts:AssumeRoleWithWebIdentity` this statement grants{named} and every other unlisted action to its principals"
    )
}

/// The extra actions a resolved wildcard pattern grants, when there are any.
fn overbroad(value: &PolicyValue) -> Option<Vec<&'static str>> {
    if value.has_unknown() || !value.text.contains(['*', '?']) {
        return None;
    }
    let extra: Vec<&str> = EXTRA
        .iter()
        .copied()
        .filter(|a| action_matches(&value.text, a))
        .collect();
    (!extra.is_empty()).then_some(extra)
}

fn diagnostic(
    policy: &TrustPolicy,
    stmt: &Statement,
    value: &PolicyValue,
    extra: &[&str],
) -> Diagnostic {
    let pattern = &value.text;
    let every_action = pattern == "*" || pattern.eq_ignore_ascii_case("sts:*");
    let listed = extra
        .iter()
        .map(|a| format!("`{a}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let message = if every_action {
        format!(
            "`{pattern}` allows every action, not just `sts:AssumeRoleWithWebIdentity`: this statement also grants {listed} to its principals"
        )
    } else {
        format!(
            "`{pattern}` also matches {listed}: this statement grants more than the `sts:AssumeRoleWithWebIdentity` a web-identity token needs"
        )
    };
    let uses_tag_session = stmt.action.as_ref().is_some_and(|a| {
        a.values
            .iter()
            .any(|v| v.text.eq_ignore_ascii_case(NEEDED[1]))
    });
    let help = if uses_tag_session {
        "name the actions: `\"Action\": [\"sts:AssumeRoleWithWebIdentity\", \"sts:TagSession\"]`"
    } else {
        "name the action: `\"Action\": \"sts:AssumeRoleWithWebIdentity\"` (add `\"sts:TagSession\"` only if the token passes session tags)"
    };
    Diagnostic::new(IRSA124, &policy.source, value.span, message)
        .label(if every_action {
            "allows every action"
        } else {
            "wider than the web-identity action"
        })
        .help(help)
        .at_path(logical_path(policy, Some(stmt), "Action"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<Diagnostic> {
        crate::check::support::run_check(check, text)
    }

    fn policy(effect: &str, action: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "{effect}",
 "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/token.actions.githubusercontent.com"}},
 {action},
 "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main"}}}}}}]}}"#
        )
    }

    #[test]
    fn wildcards_and_not_action_fire() {
        for action in [
            r#""Action": "*""#,
            r#""Action": "sts:*""#,
            r#""Action": ["sts:AssumeRole*"]"#,
            r#""Action": "STS:Assume*""#,
            r#""NotAction": "sts:AssumeRole""#,
        ] {
            assert_eq!(run(&policy("Allow", action)).len(), 1, "{action}");
        }
    }

    #[test]
    fn needed_actions_and_denies_pass() {
        for action in [
            r#""Action": "sts:AssumeRoleWithWebIdentity""#,
            r#""Action": ["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]"#,
            r#""Action": "sts:AssumeRoleWithWeb*""#,
            r#""Action": "sts:AssumeRoleWithWebIdentit?""#,
        ] {
            assert!(run(&policy("Allow", action)).is_empty(), "{action}");
        }
        assert!(run(&policy("Deny", r#""Action": "*""#)).is_empty());
    }
}

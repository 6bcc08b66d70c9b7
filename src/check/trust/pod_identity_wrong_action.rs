//! IRSA403 pod-identity-wrong-action: a statement trusting `pods.eks.amazonaws.com` grants
//! `sts:AssumeRoleWithWebIdentity`, or does not allow `sts:AssumeRole`.
//!
//! EKS Pod Identity obtains credentials by calling `AssumeRole` (with `TagSession`) as the
//! service principal; it never presents a web-identity token. A statement for that principal that
//! lacks `sts:AssumeRole` admits no pod (unless another statement for the principal allows it),
//! and an explicit `sts:AssumeRoleWithWebIdentity` is a grant the principal never uses, usually an
//! IRSA trust policy half-converted to Pod Identity. (IRSA111 leaves this principal to this rule.)

use crate::check::RuleContext;
use crate::check::support::pod_identity::{
    action_gap, pod_identity_statements, policy_may_grant_to_pods, with_pod_identity_principal,
};
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::engine::{ASSUME_ROLE, ASSUME_ROLE_WITH_WEB_IDENTITY};
use crate::model::policy::{Statement, TrustPolicy};
use crate::registry;
use crate::source::Span;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    let assume_role_granted = policy_may_grant_to_pods(policy, ASSUME_ROLE);
    for stmt in pod_identity_statements(policy) {
        let mut reported: Vec<Span> = Vec::new();
        if let Some(action) = &stmt.action {
            for value in action.values.iter().filter(|v| {
                !v.has_unknown() && v.text.eq_ignore_ascii_case(ASSUME_ROLE_WITH_WEB_IDENTITY)
            }) {
                reported.push(value.span);
                let message = if assume_role_granted {
                    "this grant is never used: EKS Pod Identity calls `sts:AssumeRole`, never \
                     `sts:AssumeRoleWithWebIdentity`"
                        .to_string()
                } else {
                    "EKS Pod Identity cannot assume this role: it calls `sts:AssumeRole`, and \
                     this statement grants `sts:AssumeRoleWithWebIdentity` instead, which the \
                     service principal never calls"
                        .to_string()
                };
                out.push(finding(policy, stmt, value.span, "Action", message));
            }
        }
        if assume_role_granted {
            continue;
        }
        let Some(gap) = action_gap(stmt, ASSUME_ROLE) else {
            continue;
        };
        // A web-identity value reported above already says what the statement grants instead.
        if !reported.is_empty() {
            continue;
        }
        let message = format!(
            "EKS Pod Identity cannot assume this role: it calls `sts:AssumeRole`, and the \
             statement {}",
            gap.written
        );
        out.push(finding(policy, stmt, gap.span, gap.element, message));
    }
}

fn finding(
    policy: &TrustPolicy,
    stmt: &Statement,
    span: Span,
    element: &str,
    message: String,
) -> Diagnostic {
    let diag = Diagnostic::new(registry::IRSA403, &policy.source, span, message)
        .label("not the action EKS Pod Identity calls")
        .help("allow the calls EKS Pod Identity makes: \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]")
        .at_path(logical_path(policy, Some(stmt), element));
    with_pod_identity_principal(diag, policy, stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(statements: &str) -> Vec<String> {
        crate::check::support::run_statements(check, statements)
    }

    const PODS: &str = r#""Principal":{"Service":"pods.eks.amazonaws.com"}"#;

    #[test]
    fn web_identity_instead_of_assume_role() {
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:AssumeRoleWithWebIdentity"}}"#
            )),
            ["\"sts:AssumeRoleWithWebIdentity\""]
        );
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"]}}"#
            )),
            ["\"sts:AssumeRoleWithWebIdentity\""]
        );
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":["sts:AssumeRole","sts:TagSession","sts:AssumeRoleWithWebIdentity"]}}"#
            )),
            ["\"sts:AssumeRoleWithWebIdentity\""]
        );
    }

    #[test]
    fn assume_role_is_required() {
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:TagSession"}}"#
            )),
            ["\"sts:TagSession\""]
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:TagSession"}},{{"Effect":"Allow",{PODS},"Action":"sts:assumerole"}}"#
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:AssumeRole*"}}"#
            ))
            .is_empty()
        );
        assert!(
            run(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:TagSession"}"#)
                .is_empty()
        );
    }
}

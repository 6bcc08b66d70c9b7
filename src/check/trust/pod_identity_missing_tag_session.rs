//! IRSA401 pod-identity-missing-tag-session: a statement trusting `pods.eks.amazonaws.com` does
//! not allow `sts:TagSession`.
//!
//! EKS Pod Identity assumes the role with `AssumeRole` and passes session tags
//! (`kubernetes-namespace`, `kubernetes-service-account`, ...); STS authorises the tags through
//! `sts:TagSession`, so a trust that allows only `sts:AssumeRole` refuses every credential request.
//! Another Allow statement for the same principal that covers `sts:TagSession` is enough.

use crate::check::RuleContext;
use crate::check::support::pod_identity::{
    action_gap, pod_identity_statements, policy_may_grant_to_pods, with_pod_identity_principal,
};
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::engine::TAG_SESSION;
use crate::model::policy::TrustPolicy;
use crate::registry;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    if policy_may_grant_to_pods(policy, TAG_SESSION) {
        return;
    }
    for stmt in pod_identity_statements(policy) {
        let Some(gap) = action_gap(stmt, TAG_SESSION) else {
            continue;
        };
        let diag = Diagnostic::new(
            registry::IRSA401,
            &policy.source,
            gap.span,
            format!(
                "EKS Pod Identity cannot assume this role: it passes session tags, which STS \
                 authorises through `sts:TagSession`, and the statement {}",
                gap.written
            ),
        )
        .label("no sts:TagSession")
        .help("allow both calls: \"Action\": [\"sts:AssumeRole\", \"sts:TagSession\"]")
        .at_path(logical_path(policy, Some(stmt), gap.element));
        out.push(with_pod_identity_principal(diag, policy, stmt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(statements: &str) -> Vec<String> {
        crate::check::support::run_statements(check, statements)
    }

    const PODS: &str = r#""Principal":{"Service":"pods.eks.amazonaws.com"}"#;

    #[test]
    fn tag_session_is_required() {
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:AssumeRole"}}"#
            )),
            ["\"sts:AssumeRole\""]
        );
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"NotAction":"sts:Tag*"}}"#
            )),
            ["\"sts:Tag*\""]
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":["sts:AssumeRole","sts:tagsession"]}}"#
            ))
            .is_empty()
        );
        assert!(run(&format!(r#"{{"Effect":"Allow",{PODS},"Action":"sts:*"}}"#)).is_empty());
    }

    #[test]
    fn another_statement_may_grant_it() {
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{PODS},"Action":"sts:AssumeRole"}},{{"Effect":"Allow",{PODS},"Action":"sts:TagSession"}}"#
            ))
            .is_empty()
        );
    }

    #[test]
    fn other_principals_are_not_concerned() {
        assert!(
            run(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#)
                .is_empty()
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Deny",{PODS},"Action":"sts:AssumeRole"}}"#
            ))
            .is_empty()
        );
    }
}

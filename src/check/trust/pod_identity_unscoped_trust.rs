//! IRSA404 pod-identity-unscoped-trust: an Allow statement trusting `pods.eks.amazonaws.com`
//! constrains neither the ServiceAccount nor the cluster, so any Pod Identity association in the
//! account can use the role.
//!
//! Scoped means: the ServiceAccount is constrained (both `aws:RequestTag/kubernetes-namespace`
//! and `aws:RequestTag/kubernetes-service-account`), or the cluster is
//! (`aws:RequestTag/eks-cluster-arn`, `aws:RequestTag/eks-cluster-name`, or `aws:SourceArn`).
//! A key is constrained by a positive operator in the statement (not `Null`, not `…IfExists`,
//! not `ForAllValues:`, which hold when the key is absent, nor a `…Like` whose every value is
//! `*`), or by a negated operator in a Deny statement of the policy that covers the Pod Identity
//! principal and `sts:AssumeRole`. A value not known statically, or a key with unknown parts,
//! counts as a constraint. `aws:SourceAccount` does not scope: every association of the account
//! has it.

use crate::check::RuleContext;
use crate::check::support::pod_identity::{
    action_gap, never_admits_pods, pod_identity_principal, pod_identity_statements,
};
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::engine::ASSUME_ROLE;
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, Principal, SetQualifier, Statement, TrustPolicy,
};
use crate::registry;

/// What a condition key can restrict.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    Namespace,
    ServiceAccount,
    Cluster,
}

const SCOPING_KEYS: [(&str, Scope); 5] = [
    ("aws:RequestTag/kubernetes-namespace", Scope::Namespace),
    (
        "aws:RequestTag/kubernetes-service-account",
        Scope::ServiceAccount,
    ),
    ("aws:RequestTag/eks-cluster-arn", Scope::Cluster),
    ("aws:RequestTag/eks-cluster-name", Scope::Cluster),
    ("aws:SourceArn", Scope::Cluster),
];

const HELP: &str = "add a condition such as \"Condition\": {\"StringEquals\": \
    {\"aws:RequestTag/kubernetes-namespace\": \"<namespace>\", \
    \"aws:RequestTag/kubernetes-service-account\": \"<service-account>\", \
    \"aws:RequestTag/eks-cluster-arn\": \"<cluster ARN>\"}}";

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    let denied: Vec<Scope> = policy
        .statements
        .iter()
        .filter(|s| s.is_deny() && deny_covers_pods(s))
        .flat_map(|s| scopes(s, true))
        .collect();
    for stmt in pod_identity_statements(policy) {
        // A statement that allows other actions only, or whose conditions never hold for EKS Pod
        // Identity (IRSA405, IRSA412), admits nobody to scope.
        if action_gap(stmt, ASSUME_ROLE).is_some() || never_admits_pods(stmt) {
            continue;
        }
        let mut scoped = scopes(stmt, false);
        scoped.extend(denied.iter().copied());
        let has = |scope| scoped.contains(&scope);
        if has(Scope::Cluster) || (has(Scope::Namespace) && has(Scope::ServiceAccount)) {
            continue;
        }
        let Some(principal) = pod_identity_principal(stmt) else {
            continue;
        };
        let (written, whom) = match (has(Scope::Namespace), has(Scope::ServiceAccount)) {
            (true, _) => (
                "constrains only the namespace",
                "any ServiceAccount of that namespace, in any cluster",
            ),
            (_, true) => (
                "constrains only the ServiceAccount's name",
                "a ServiceAccount of that name in any namespace of any cluster",
            ),
            _ => (
                "constrains neither the ServiceAccount nor the cluster",
                "any ServiceAccount of any cluster",
            ),
        };
        out.push(
            Diagnostic::new(
                registry::IRSA404,
                &policy.source,
                principal.span,
                format!(
                    "any EKS Pod Identity association in the account may use this role: the \
                     statement {written}, so whoever may create associations \
                     (`eks:CreatePodIdentityAssociation` with `iam:PassRole` on the role) can \
                     give it to {whom}"
                ),
            )
            .label("no ServiceAccount or cluster condition")
            .help(HELP)
            .at_path(logical_path(policy, Some(stmt), "Principal")),
        );
    }
}

/// The scopes the statement's conditions restrict: positive operators for an Allow statement,
/// negated ones (the request is denied unless the key matches) for a Deny statement.
fn scopes(stmt: &Statement, deny: bool) -> Vec<Scope> {
    stmt.condition_entries()
        .filter(|(block, entry)| constrains(block, entry, deny))
        .flat_map(|(_, entry)| {
            if entry.key_has_unknown() {
                // `${var.tag_key}`: it may be any of them.
                return vec![Scope::Namespace, Scope::ServiceAccount, Scope::Cluster];
            }
            SCOPING_KEYS
                .iter()
                .filter(|(key, _)| key.eq_ignore_ascii_case(&entry.key.value))
                .map(|(_, scope)| *scope)
                .collect()
        })
        .collect()
}

/// The entry restricts its key's value: for an Allow statement, it fails when the key is absent
/// or has another value; for a Deny statement, it denies when the value is another.
fn constrains(block: &ConditionBlock, entry: &ConditionEntry, deny: bool) -> bool {
    let Some(op) = block.operator else {
        return false;
    };
    if op.base == BaseOperator::Null || op.base.is_negated() != deny {
        return false;
    }
    if !deny && (op.if_exists || op.set == Some(SetQualifier::ForAllValues)) {
        return false;
    }
    let like = matches!(
        op.base,
        BaseOperator::StringLike
            | BaseOperator::StringNotLike
            | BaseOperator::ArnLike
            | BaseOperator::ArnNotLike
    );
    entry
        .values
        .iter()
        .any(|v| v.has_unknown() || !(like && v.text.chars().all(|c| c == '*')))
}

/// A Deny statement that applies to EKS Pod Identity's `sts:AssumeRole`: its principal names the
/// service principal or is `*`, and its actions cover `sts:AssumeRole` (or are not known).
fn deny_covers_pods(stmt: &Statement) -> bool {
    let principal = pod_identity_principal(stmt).is_some()
        || matches!(
            stmt.principal.as_ref().map(|p| &p.principal),
            Some(Principal::Wildcard(_))
        );
    principal && action_gap(stmt, ASSUME_ROLE).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::support::pod_identity::pods_statement as pods;

    fn run(statements: &str) -> Vec<String> {
        crate::check::support::run_statements(check, statements)
    }

    const PODS: &str = r#""pods.eks.amazonaws.com""#;

    #[test]
    fn unscoped() {
        assert_eq!(
            run(
                r#"{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}"#
            ),
            [PODS]
        );
        for condition in [
            r#"{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"payments"}}"#,
            r#"{"StringEquals":{"aws:SourceAccount":"483920175566"}}"#,
            r#"{"StringLike":{"aws:RequestTag/kubernetes-namespace":"*","aws:RequestTag/kubernetes-service-account":"*"}}"#,
            r#"{"StringEqualsIfExists":{"aws:RequestTag/eks-cluster-name":"prod"}}"#,
            r#"{"StringNotEquals":{"aws:RequestTag/eks-cluster-name":"dev"}}"#,
        ] {
            assert_eq!(run(&pods(condition)), [PODS], "{condition}");
        }
    }

    #[test]
    fn scoped() {
        for condition in [
            r#"{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"payments","aws:RequestTag/kubernetes-service-account":"api"}}"#,
            r#"{"StringLike":{"aws:RequestTag/kubernetes-namespace":"team-*"},"StringEquals":{"aws:RequestTag/kubernetes-service-account":"api"}}"#,
            r#"{"ArnEquals":{"aws:RequestTag/eks-cluster-arn":"arn:aws:eks:eu-west-1:483920175566:cluster/prod"}}"#,
            r#"{"StringEquals":{"aws:RequestTag/eks-cluster-name":"prod"}}"#,
            r#"{"ArnLike":{"aws:SourceArn":"arn:aws:eks:eu-west-1:483920175566:cluster/prod"}}"#,
        ] {
            assert!(run(&pods(condition)).is_empty(), "{condition}");
        }
    }

    #[test]
    fn deny_statement_scopes() {
        let allow = r#"{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":["sts:AssumeRole","sts:TagSession"]}"#;
        let deny = r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Condition":{"StringNotEquals":{"aws:RequestTag/eks-cluster-name":"prod"}}}"#;
        assert!(run(&format!("{allow},{deny}")).is_empty());
        let deny_tag_session = r#"{"Effect":"Deny","Principal":"*","Action":"sts:TagSession","Condition":{"StringNotEquals":{"aws:RequestTag/eks-cluster-name":"prod"}}}"#;
        assert_eq!(run(&format!("{allow},{deny_tag_session}")), [PODS]);
    }

    #[test]
    fn not_concerned() {
        assert!(
            run(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#)
                .is_empty()
        );
        assert!(
            run(r#"{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:TagSession"}"#)
                .is_empty()
        );
        // Never holds (IRSA412, IRSA405): not also reported as unscoped.
        assert!(run(&pods(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#)).is_empty());
        assert!(
            run(&pods(
                r#"{"StringEquals":{"aws:PrincipalTag/kubernetes-namespace":"a"}}"#
            ))
            .is_empty()
        );
    }
}

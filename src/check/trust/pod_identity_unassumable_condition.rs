//! IRSA412 pod-identity-unassumable-condition: a statement trusting `pods.eks.amazonaws.com`
//! requires a condition key that EKS Pod Identity's `AssumeRole` request never carries with a
//! value that could match: MFA (`aws:MultiFactorAuthPresent`, `aws:MultiFactorAuthAge`), the
//! caller's network (`aws:SourceIp`, `aws:SourceVpc`, `aws:SourceVpce`, `aws:VpcSourceIp`) or an
//! external id (`sts:ExternalId`, which EKS passes only to an association's target role).
//!
//! The engine decides whether the entry can hold with the key absent, so `Null`, `…IfExists`,
//! negated operators and `ForAllValues:` stay silent ([`never_holding_entries`]). A statement
//! that also trusts other principals is reported only when no other Allow statement lets EKS Pod
//! Identity in: the condition may be meant for the other principal.

use crate::check::RuleContext;
use crate::check::support::pod_identity::{
    NeverHolds, never_holding_entries, pod_identity_statements, trusts_only_pod_identity,
    with_pod_identity_principal,
};
use crate::check::support::statement::entry_path;
use crate::diagnostic::Diagnostic;
use crate::model::policy::TrustPolicy;
use crate::registry;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    let statements: Vec<_> = pod_identity_statements(policy)
        .map(|stmt| (stmt, never_holding_entries(stmt)))
        .collect();
    let pods_get_in_elsewhere = |index: usize| {
        statements
            .iter()
            .any(|(other, never)| other.index != index && never.is_empty())
    };
    for (stmt, never) in &statements {
        if !trusts_only_pod_identity(stmt) && pods_get_in_elsewhere(stmt.index) {
            continue;
        }
        for NeverHolds {
            block,
            entry,
            reason,
        } in never
        {
            let key = &entry.key.value;
            let diag = Diagnostic::new(
                registry::IRSA412,
                &policy.source,
                entry.key.span,
                format!(
                    "EKS Pod Identity can never satisfy this condition on `{key}`: {reason}; \
                     no pod can assume the role through this statement"
                ),
            )
            .label("never holds for EKS Pod Identity")
            .help(format!(
                "remove the `{key}` condition from the statement for pods.eks.amazonaws.com \
                 (move it to a separate statement if another principal needs it) and scope \
                 the role with \"aws:RequestTag/kubernetes-namespace\" and \
                 \"aws:RequestTag/kubernetes-service-account\""
            ))
            .at_path(entry_path(policy, stmt, block, entry, None));
            out.push(with_pod_identity_principal(diag, policy, stmt));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::support::pod_identity::pods_statement as pods;

    fn run(statements: &str) -> Vec<String> {
        crate::check::support::run_statements(check, statements)
    }

    #[test]
    fn keys_never_presented() {
        assert_eq!(
            run(&pods(r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#)),
            ["\"aws:MultiFactorAuthPresent\""]
        );
        assert_eq!(
            run(&pods(
                r#"{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"},"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d","sts:ExternalId":"x"},"NumericLessThan":{"aws:MultiFactorAuthAge":"3600"}}"#
            )),
            [
                "\"aws:SourceIp\"",
                "\"aws:SourceVpce\"",
                "\"sts:ExternalId\"",
                "\"aws:MultiFactorAuthAge\""
            ]
        );
    }

    #[test]
    fn conditions_that_hold_on_an_absent_key() {
        for condition in [
            r#"{"BoolIfExists":{"aws:MultiFactorAuthPresent":"true"}}"#,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"false"}}"#,
            r#"{"Null":{"aws:MultiFactorAuthPresent":"true"}}"#,
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            r#"{"StringNotEquals":{"sts:ExternalId":"x"}}"#,
            r#"{"ForAllValues:StringEquals":{"aws:SourceVpc":"vpc-1"}}"#,
            r#"{"StringEquals":{"aws:SourceAccount":"483920175566"}}"#,
        ] {
            assert!(run(&pods(condition)).is_empty(), "{condition}");
        }
    }

    #[test]
    fn other_statements() {
        // Deny, and another principal.
        assert!(
            run(r#"{"Effect":"Deny","Principal":{"Service":"pods.eks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#)
                .is_empty()
        );
        assert!(
            run(r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::483920175566:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#)
                .is_empty()
        );
        // A mixed statement is the other principal's when pods get in elsewhere.
        let mixed = r#"{"Effect":"Allow","Principal":{"Service":"pods.eks.amazonaws.com","AWS":"arn:aws:iam::483920175566:root"},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#;
        assert_eq!(run(mixed), ["\"aws:MultiFactorAuthPresent\""]);
        let plain = pods(r#"{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"a"}}"#);
        assert!(run(&format!("{mixed},{plain}")).is_empty());
    }
}

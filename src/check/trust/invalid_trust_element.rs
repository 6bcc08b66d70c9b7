//! IRSA120 invalid-trust-element: `NotPrincipal`, `Resource` or `NotResource` in a trust policy.
//!
//! A role trust policy is the role's resource-based policy: its resource is the role itself, so IAM
//! refuses a `Resource` or `NotResource` element (`MalformedPolicyDocument: Has prohibited field
//! Resource`), and `NotPrincipal` is not supported in role trust policies at all. `CreateRole` and
//! `UpdateAssumeRolePolicy` fail: the role is not created, or keeps its previous trust policy while
//! the deployment that tried to change it errors out. This applies to every statement, web identity
//! or not.

use crate::check::RuleContext;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{Statement, TrustPolicy};
use crate::registry::IRSA120;
use crate::source::Span;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        let elements: [(Option<Span>, &str); 3] = [
            (stmt.not_principal, "NotPrincipal"),
            (stmt.resource, "Resource"),
            (stmt.not_resource, "NotResource"),
        ];
        for (span, name) in elements {
            if let Some(span) = span {
                out.push(diagnostic(policy, stmt, span, name));
            }
        }
    }
}

fn diagnostic(policy: &TrustPolicy, stmt: &Statement, span: Span, name: &str) -> Diagnostic {
    // The key as written (`resource`, `NOTPRINCIPAL`): IAM matches element names ignoring case.
    let written = policy.source.slice(span).trim_matches(['"', '\'']);
    let written = if written.eq_ignore_ascii_case(name) {
        written
    } else {
        name
    };
    let (message, label, help) = if name == "NotPrincipal" {
        (
            format!(
                "IAM refuses to save this trust policy (`MalformedPolicyDocument`): `{written}` is not supported in a role trust policy, so creating or updating the role fails"
            ),
            "not allowed in a trust policy".to_string(),
            "name who may assume the role in `Principal` (for web identity: `\"Principal\": {\"Federated\": \"arn:aws:iam::<ACCOUNT>:oidc-provider/<PROVIDER>\"}`) and narrow it with `Condition` on `<PROVIDER>:sub`".to_string(),
        )
    } else {
        (
            format!(
                "IAM refuses to save this trust policy (`MalformedPolicyDocument: Has prohibited field {name}`): the trust policy's resource is the role itself, so creating or updating the role fails"
            ),
            format!("`{written}` is prohibited in a trust policy"),
            format!(
                "delete the `{written}` line; scope who may assume the role with `Principal` and `Condition` instead"
            ),
        )
    };
    Diagnostic::new(IRSA120, &policy.source, span, message)
        .label(label)
        .help(help)
        .at_path(logical_path(policy, Some(stmt), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Vec<Diagnostic> {
        crate::check::support::run_check(check, text)
    }

    #[test]
    fn flags_each_prohibited_element_at_its_key() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
 "Action": "sts:AssumeRoleWithWebIdentity", "resource": "*"},
 {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::483920175566:root"}, "Action": "sts:AssumeRole", "NotResource": "x"}]}"#;
        let diags = run(text);
        let keys: Vec<&str> = diags
            .iter()
            .map(|d| &text[d.primary.span.range()])
            .collect();
        assert_eq!(
            keys,
            ["\"resource\"", "\"NotPrincipal\"", "\"NotResource\""]
        );
        assert!(diags[0].message.contains("Has prohibited field Resource"));
        assert!(diags[0].primary.message.contains("`resource`"));
    }

    #[test]
    fn a_clean_trust_policy_passes() {
        let text = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
 "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}"#;
        assert!(run(text).is_empty());
    }
}

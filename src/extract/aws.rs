//! The shapes in which trust policies arrive: a raw policy document, `aws iam get-role`,
//! `aws iam list-roles` and `aws iam get-account-authorization-details` output. The AWS CLI
//! decodes `AssumeRolePolicyDocument` into an object; the raw IAM API returns it URL-encoded, and
//! some tools store it as a JSON string: all three are accepted.

use super::embedded;
use super::policy::{is_trust_policy, read_policy};
use crate::model::arn::parse_role_arn;
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
use crate::parse::tree::Node;
use crate::source::SourceRef;

/// Find every trust policy in one document and append it to `out`.
pub fn extract_policies(source: &SourceRef, root: &Node, out: &mut Vec<TrustPolicy>) {
    if let Some(role) = root.get("Role") {
        extract_role(source, role, PolicyOrigin::GetRole, "Role".to_string(), out);
        return;
    }
    for (list_key, origin) in [
        ("Roles", PolicyOrigin::ListRoles),
        ("RoleDetailList", PolicyOrigin::AccountAuthorizationDetails),
    ] {
        if let Some(items) = root.get(list_key).and_then(Node::as_seq) {
            for (i, role) in items.iter().enumerate() {
                extract_role(
                    source,
                    role,
                    origin.clone(),
                    format!("{list_key}[{i}]"),
                    out,
                );
            }
            return;
        }
    }
    if is_trust_policy(root) {
        let mut policy = read_policy(source, root, PolicyOrigin::RawFile, String::new(), false);
        policy.candidate_role_name = source.stem();
        out.push(policy);
    }
}

/// One role object: identity plus its `AssumeRolePolicyDocument`.
fn extract_role(
    source: &SourceRef,
    role: &Node,
    origin: PolicyOrigin,
    path: String,
    out: &mut Vec<TrustPolicy>,
) {
    let Some(doc) = role.get("AssumeRolePolicyDocument") else {
        return;
    };
    let logical_path = format!("{path}.AssumeRolePolicyDocument");
    let Some((document, encoded)) = embedded::policy_document(source, doc) else {
        return;
    };
    let mut policy = read_policy(source, &document, origin, logical_path, encoded);
    policy.role = Some(role_identity(role));
    out.push(policy);
}

fn located_str(node: Option<&Node>) -> Option<Located<String>> {
    let node = node?;
    Some(Located {
        value: node.as_str()?.to_string(),
        span: node.span,
    })
}

fn role_identity(role: &Node) -> RoleIdentity {
    let arn = located_str(role.get("Arn"));
    let parsed = arn.as_ref().and_then(|a| parse_role_arn(&a.value));
    RoleIdentity {
        name: located_str(role.get("RoleName")),
        name_prefix: None,
        path: located_str(role.get("Path")),
        partition: parsed.as_ref().map(|p| p.partition.to_string()),
        account: parsed.as_ref().map(|p| p.account.to_string()),
        arn,
    }
}

#[cfg(test)]
mod shape_tests {
    use std::sync::Arc;

    use crate::model::policy::PolicyOrigin;
    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;

    fn policies(text: &str) -> Vec<crate::model::policy::TrustPolicy> {
        let source = Arc::new(SourceFile::new("out.json", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Json, Limits::default());
        crate::extract::extract(&source, &parsed).policies
    }

    #[test]
    fn list_roles_output_yields_one_policy_per_role_with_identity() {
        let text = format!(
            r#"{{"Roles":[{{"RoleName":"a","Path":"/","Arn":"arn:aws:iam::483920175566:role/a","AssumeRolePolicyDocument":{DOC}}},{{"RoleName":"b","Path":"/team/","Arn":"arn:aws:iam::483920175566:role/team/b","AssumeRolePolicyDocument":{DOC}}}]}}"#
        );
        let found = policies(&text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].origin, PolicyOrigin::ListRoles);
        assert_eq!(found[1].logical_path, "Roles[1].AssumeRolePolicyDocument");
        let role = found[1].role.as_ref().unwrap();
        assert_eq!(role.name.as_ref().unwrap().value, "b");
        assert_eq!(role.path.as_ref().unwrap().value, "/team/");
        assert_eq!(role.account.as_deref(), Some("483920175566"));
        assert_eq!(found[1].statements.len(), 1);
    }

    #[test]
    fn account_authorization_details_with_url_encoded_documents() {
        let encoded = DOC
            .replace('{', "%7B")
            .replace('}', "%7D")
            .replace('"', "%22")
            .replace(':', "%3A")
            .replace('/', "%2F")
            .replace(',', "%2C");
        let text = format!(
            r#"{{"UserDetailList":[],"RoleDetailList":[{{"RoleName":"r","Path":"/","Arn":"arn:aws-cn:iam::483920175566:role/r","AssumeRolePolicyDocument":"{encoded}"}}]}}"#
        );
        let found = policies(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].origin, PolicyOrigin::AccountAuthorizationDetails);
        assert!(found[0].encoded);
        assert_eq!(
            found[0].role.as_ref().unwrap().partition.as_deref(),
            Some("aws-cn")
        );
        // The Effect value maps back into the encoded string of the host file.
        let effect = found[0].statements[0].effect.as_ref().unwrap();
        let host = &text[effect.span.range()];
        assert_eq!(host, "%22Allow%22");
    }
}

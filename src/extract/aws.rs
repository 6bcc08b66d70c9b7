//! The shapes in which trust policies arrive: a raw policy document, `aws iam get-role`,
//! `aws iam list-roles` and `aws iam get-account-authorization-details` output. The AWS CLI
//! decodes `AssumeRolePolicyDocument` into an object; the raw IAM API returns it URL-encoded, and
//! some tools store it as a JSON string: all three are accepted.

use super::embedded;
use super::policy::{is_trust_policy, read_policy};
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
use crate::parse::tree::{Node, NodeKind};
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
    let (document, encoded) = match &doc.kind {
        NodeKind::Map(_) => (doc.clone(), false),
        NodeKind::Scalar(_) => match embedded::parse_embedded_policy(source, doc) {
            Some(node) => (node, true),
            None => return,
        },
        _ => return,
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
        path: located_str(role.get("Path")),
        partition: parsed.as_ref().map(|p| p.partition.to_string()),
        account: parsed.as_ref().map(|p| p.account.to_string()),
        arn,
    }
}

/// A parsed `arn:<partition>:iam::<account>:role/<path><name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    /// `/` or `/team/`.
    pub path: &'a str,
    pub name: &'a str,
}

/// Split a role ARN into its parts. Returns None for anything that is not an IAM role ARN; the
/// parts are not validated (a rule checks the account's digits).
pub fn parse_role_arn(arn: &str) -> Option<RoleArn<'_>> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam:")?;
    let (_region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role")?;
    if !path_and_name.starts_with('/') {
        return None;
    }
    let cut = path_and_name.rfind('/')?;
    Some(RoleArn {
        partition,
        account,
        path: &path_and_name[..=cut],
        name: &path_and_name[cut + 1..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let a = parse_role_arn("arn:aws:iam::123456789012:role/team/app/my-role").unwrap();
        assert_eq!(a.path, "/team/app/");
        assert_eq!(a.name, "my-role");
        let b = parse_role_arn("arn:aws-us-gov:iam::123456789012:role/r").unwrap();
        assert_eq!((b.partition, b.path, b.name), ("aws-us-gov", "/", "r"));
        assert!(parse_role_arn("arn:aws:iam::123456789012:user/bob").is_none());
    }
}

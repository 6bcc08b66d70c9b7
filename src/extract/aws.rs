//! The shapes in which trust policies arrive: a raw policy document, `aws iam get-role`,
//! `aws iam list-roles` and `aws iam get-account-authorization-details` output. The AWS CLI
//! decodes `AssumeRolePolicyDocument` into an object; the raw IAM API returns it URL-encoded, and
//! some tools store it as a JSON string: all three are accepted.
//!
//! EKS Pod Identity associations arrive as `aws eks describe-pod-identity-association` output
//! (`{"association": {...}}`, the API's `PodIdentityAssociation`: `clusterName`, `namespace`,
//! `serviceAccount`, `roleArn`, `targetRoleArn`, `disableSessionTags`, `associationArn`, ...)
//! and `aws eks list-pod-identity-associations` output (`{"associations": [...]}` of
//! `PodIdentityAssociationSummary`, which has no `roleArn`: the role is not known from it).

use super::embedded;
use super::k8s::located_bool;
use super::pod_identity::{association_at, items, located_trimmed};
use super::policy::{is_trust_policy, read_policy};
use crate::model::arn::parse_role_arn;
use crate::model::pod_identity::{AssociationOrigin, PodIdentityAssociation};
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

/// The associations of `aws eks` output, each with its path in the document (`association`,
/// `associations[1]`); empty for any other document.
pub fn association_objects(root: &Node) -> Vec<(&Node, String)> {
    if let Some(one) = root.get("association").filter(|a| is_association(a)) {
        return vec![(one, "association".to_string())];
    }
    items(root.get("associations"))
        .iter()
        .enumerate()
        .filter(|(_, a)| is_association(a))
        .map(|(i, a)| (a, format!("associations[{i}]")))
        .collect()
}

/// An object with the fields every association of the EKS API has: its ARN, or its cluster and
/// ServiceAccount (a key `association` alone says nothing).
fn is_association(node: &Node) -> bool {
    node.get("associationArn").is_some()
        || (node.get("clusterName").is_some() && node.get("serviceAccount").is_some())
}

/// Append the Pod Identity associations of `aws eks` output.
pub fn extract_associations(
    source: &SourceRef,
    root: &Node,
    out: &mut Vec<PodIdentityAssociation>,
) {
    for (node, path) in association_objects(root) {
        let arn = node.get("associationArn").and_then(Node::as_str);
        // The association id is stable when the output is listed in another order.
        let logical_path = match node.get("associationId").and_then(Node::as_str) {
            Some(id) => format!("podidentityassociation/{id}"),
            None => path.clone(),
        };
        // `association` (describe) or `associations[2]` (list), with its id when it has one.
        let label = match node.get("associationId").and_then(Node::as_str) {
            Some(id) => format!("association `{id}`"),
            None => format!("association `{path}`"),
        };
        out.push(PodIdentityAssociation {
            cluster: located_trimmed(node.get("clusterName")),
            namespace: located_trimmed(node.get("namespace")),
            service_account: located_trimmed(node.get("serviceAccount")),
            role_arn: located_trimmed(node.get("roleArn")),
            target_role_arn: located_trimmed(node.get("targetRoleArn")),
            disable_session_tags: located_bool(node.get("disableSessionTags")),
            cluster_account: arn.and_then(association_account).map(str::to_string),
            ..association_at(
                source,
                AssociationOrigin::AwsCli,
                node.span,
                label,
                logical_path,
            )
        });
    }
}

/// The account of an association ARN,
/// `arn:PARTITION:eks:REGION:ACCOUNT:podidentityassociation/CLUSTER/a-...`: the cluster's.
fn association_account(arn: &str) -> Option<&str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        ["arn", _, "eks", _, account, resource]
            if !account.is_empty() && resource.starts_with("podidentityassociation/") =>
        {
            Some(account)
        }
        _ => None,
    }
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

    fn associations(text: &str) -> Vec<crate::model::pod_identity::PodIdentityAssociation> {
        let source = Arc::new(SourceFile::new("out.json", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Json, Limits::default());
        let out = crate::extract::extract(&source, &parsed);
        assert_eq!(
            out.class,
            Some(crate::extract::classify::InputClass::AwsCliOutput),
            "{text}"
        );
        out.pod_identity.associations
    }

    #[test]
    fn describe_pod_identity_association_output() {
        let text = r#"{"association": {"clusterName": "prod", "namespace": "payments", "serviceAccount": "api", "roleArn": "arn:aws:iam::111122223333:role/api", "associationArn": "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/a-abcdefghijklmnop1", "associationId": "a-abcdefghijklmnop1", "tags": {}, "disableSessionTags": true, "targetRoleArn": "arn:aws:iam::444455556666:role/data", "externalId": "e"}}"#;
        let found = associations(text);
        let [a] = found.as_slice() else {
            panic!("one association");
        };
        assert_eq!(
            a.origin,
            crate::model::pod_identity::AssociationOrigin::AwsCli
        );
        assert!(a.label.starts_with("association `"), "{}", a.label);
        assert_eq!(a.logical_path, "podidentityassociation/a-abcdefghijklmnop1");
        assert_eq!(a.cluster_account.as_deref(), Some("111122223333"));
        let role = a.role_arn.as_ref().unwrap();
        assert_eq!(
            &text[role.span.range()],
            "\"arn:aws:iam::111122223333:role/api\""
        );
        assert!(a.tags_disabled() && !a.role_created);
        assert_eq!(
            a.target_role_arn.as_ref().unwrap().value,
            "arn:aws:iam::444455556666:role/data"
        );
    }

    #[test]
    fn list_pod_identity_associations_output_has_no_role() {
        let text = r#"{"associations": [{"clusterName": "prod", "namespace": "a", "serviceAccount": "x", "associationArn": "arn:aws:eks:eu-west-1:111122223333:podidentityassociation/prod/a-1", "associationId": "a-1", "ownerArn": null}, {"clusterName": "prod", "namespace": "b", "serviceAccount": "y", "associationArn": "not an arn"}], "nextToken": null}"#;
        let found = associations(text);
        assert_eq!(found.len(), 2);
        assert!(found[1].label.starts_with("association `"));
        assert_eq!(found[1].logical_path, "associations[1]");
        assert!(
            found
                .iter()
                .all(|a| a.role_arn.is_none() && !a.role_created)
        );
        assert_eq!(found[0].cluster_account.as_deref(), Some("111122223333"));
        assert!(found[1].cluster_account.is_none());
        let sa = found[1].service_account.as_ref().unwrap();
        assert_eq!(&text[sa.span.range()], "\"y\"");
    }

    #[test]
    fn a_key_named_association_alone_is_not_output() {
        let source = Arc::new(SourceFile::new(
            "x.json",
            None,
            r#"{"association": {"name": "x"}, "associations": [1]}"#.to_string(),
        ));
        let parsed = parse(&source.text, FileKind::Json, Limits::default());
        let out = crate::extract::extract(&source, &parsed);
        assert!(out.pod_identity.is_empty());
        assert!(matches!(
            out.class,
            Some(crate::extract::classify::InputClass::Other(_))
        ));
    }
}

//! IAM roles that a Kubernetes operator creates from a custom resource: the trust policy is in the
//! resource's spec, the role's name in the spec or the metadata.
//!
//! | API group | kind | trust policy | role name | path |
//! |-----------|------|--------------|-----------|------|
//! | `iam.services.k8s.aws` (ACK iam-controller) | `Role` | `spec.assumeRolePolicyDocument` | `spec.name` | `spec.path` |
//! | `iam.aws.upbound.io` (Upbound provider-aws), `iam.aws.m.upbound.io` (its Crossplane v2 namespaced group) | `Role` | `spec.forProvider.assumeRolePolicy`, else `spec.initProvider.assumeRolePolicy` | annotation `crossplane.io/external-name`, else `metadata.name` | `spec.forProvider.path` (`initProvider`) |
//! | `iam.aws.crossplane.io` (crossplane-contrib provider-aws) | `Role` | `spec.forProvider.assumeRolePolicyDocument` | annotation `crossplane.io/external-name`, else `metadata.name` | `spec.forProvider.path` |
//!
//! The CRDs type the document as a string (JSON in a YAML block scalar or a quoted string): it is
//! decoded by [`super::embedded`] with an offset map, so findings point inside the string. A
//! document written as a YAML mapping (as some generators emit) is read as it stands. The account
//! is never known from the resource: a ServiceAccount's role ARN is matched by name.
//!
//! EKS Pod Identity associations an operator makes from a custom resource (kind
//! `PodIdentityAssociation`):
//!
//! | API group | fields |
//! |-----------|--------|
//! | `eks.services.k8s.aws` (ACK eks-controller) | `spec.clusterName`, `spec.namespace`, `spec.serviceAccount`, `spec.roleARN` (or `spec.roleRef.from.name`), `spec.targetRoleARN`, `spec.disableSessionTags` |
//! | `eks.aws.upbound.io`, `eks.aws.m.upbound.io` (Upbound provider-aws) | the same under `spec.forProvider` (else `spec.initProvider`): `clusterName`, `namespace`, `serviceAccount`, `roleArn` (or `roleArnRef.name`), `targetRoleArn`, `disableSessionTags` |
//!
//! The cluster's account is the account ACK creates the association in: the
//! `services.k8s.aws/owner-account-id` annotation, else `status.ackResourceMetadata.ownerAccountID`.
//!
//! A role named by reference to another custom resource (`roleRef`, `roleArnRef`) is linked to
//! the operator `Role` of that name as `arn:aws:iam::${roleRef}:role/<name>`: its account is
//! unknown, its name that of the referenced object (for ACK, the object's name, which is the
//! role's `spec.name` only by convention).
//!
//! Sources: the ACK iam-controller `Role` CRD (`spec.name` required, `spec.path`,
//! `spec.assumeRolePolicyDocument: string`); the Upbound provider-aws `roles.iam.aws.upbound.io`
//! CRD (`forProvider.assumeRolePolicy: string`, also under `initProvider`; the external name is
//! the role name); crossplane-contrib provider-aws `roles.iam.aws.crossplane.io`
//! (`forProvider.assumeRolePolicyDocument: string`).

use super::embedded;
use super::k8s::located_bool;
use super::pod_identity::{association_at, located_trimmed};
use super::policy::read_policy;
use crate::model::pod_identity::{AddonList, AssociationOrigin, PodIdentityAssociation};
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
use crate::parse::tree::Node;
use crate::source::SourceRef;

/// The annotation a Crossplane managed resource names its external resource with.
const EXTERNAL_NAME: &str = "crossplane.io/external-name";

/// Where one operator's `Role` keeps its trust policy, name and path.
struct RoleShape {
    /// Candidate paths of the trust policy, the first present wins.
    documents: &'static [&'static [&'static str]],
    /// Path of the role name in the spec (ACK); None: the external-name annotation or
    /// `metadata.name` (Crossplane).
    name: Option<&'static [&'static str]>,
}

const ACK: RoleShape = RoleShape {
    documents: &[&["spec", "assumeRolePolicyDocument"]],
    name: Some(&["spec", "name"]),
};

const UPBOUND: RoleShape = RoleShape {
    documents: &[
        &["spec", "forProvider", "assumeRolePolicy"],
        &["spec", "initProvider", "assumeRolePolicy"],
    ],
    name: None,
};

const COMMUNITY: RoleShape = RoleShape {
    documents: &[&["spec", "forProvider", "assumeRolePolicyDocument"]],
    name: None,
};

fn shape(api_version: &str) -> Option<&'static RoleShape> {
    let group = api_version.split_once('/').map_or(api_version, |(g, _)| g);
    match group {
        "iam.services.k8s.aws" => Some(&ACK),
        "iam.aws.upbound.io" | "iam.aws.m.upbound.io" => Some(&UPBOUND),
        "iam.aws.crossplane.io" => Some(&COMMUNITY),
        _ => None,
    }
}

/// Append the trust policy of every operator `Role` in one document (a `*List`'s items too).
pub fn extract_roles(source: &SourceRef, root: &Node, out: &mut Vec<TrustPolicy>) {
    for_each_object(root, "Role", |node, list_path| {
        let shape = node
            .get("apiVersion")
            .and_then(Node::as_str)
            .and_then(shape);
        if let Some(shape) = shape {
            extract_role(source, node, shape, list_path, out);
        }
    });
}

fn extract_role(
    source: &SourceRef,
    node: &Node,
    shape: &RoleShape,
    list_path: &str,
    out: &mut Vec<TrustPolicy>,
) {
    let Some((path, doc)) = shape
        .documents
        .iter()
        .find_map(|p| node.path(p).map(|doc| (p, doc)))
    else {
        return;
    };
    let Some((document, encoded)) = embedded::policy_document(source, doc) else {
        return;
    };
    let metadata = node.get("metadata");
    let object = object_name(node);
    let logical_path = format!("{list_path}Role/{object}#{}", path.join("."));
    let mut policy = read_policy(
        source,
        &document,
        PolicyOrigin::KubernetesResource,
        logical_path,
        encoded,
    );
    let name = match shape.name {
        Some(p) => located_trimmed(node.path(p)),
        None => located_trimmed(
            metadata
                .and_then(|m| m.get("annotations"))
                .and_then(|a| a.get(EXTERNAL_NAME)),
        )
        .or_else(|| located_trimmed(metadata.and_then(|m| m.get("name")))),
    };
    // The path sits beside the document (`spec.path`, `spec.forProvider.path`).
    let parent = &path[..path.len() - 1];
    let role_path = node
        .path(parent)
        .and_then(|p| p.get("path"))
        .and_then(|p| located_trimmed(Some(p)));
    policy.role = Some(RoleIdentity {
        name,
        name_prefix: None,
        path: role_path,
        arn: None,
        partition: None,
        account: None,
    });
    out.push(policy);
}

/// Where one operator's `PodIdentityAssociation` keeps its fields.
struct AssociationShape {
    origin: AssociationOrigin,
    /// Candidate paths of the object holding the fields, the first present wins.
    specs: &'static [&'static [&'static str]],
    role_arn: &'static str,
    target_role_arn: &'static str,
    /// Path, under the spec, of the name of a role custom resource referenced instead of an ARN.
    role_ref: &'static [&'static str],
}

const ACK_ASSOCIATION: AssociationShape = AssociationShape {
    origin: AssociationOrigin::Ack,
    specs: &[&["spec"]],
    role_arn: "roleARN",
    target_role_arn: "targetRoleARN",
    role_ref: &["roleRef", "from", "name"],
};

const UPBOUND_ASSOCIATION: AssociationShape = AssociationShape {
    origin: AssociationOrigin::Crossplane,
    specs: &[&["spec", "forProvider"], &["spec", "initProvider"]],
    role_arn: "roleArn",
    target_role_arn: "targetRoleArn",
    role_ref: &["roleArnRef", "name"],
};

fn association_shape(api_version: &str) -> Option<&'static AssociationShape> {
    let group = api_version.split_once('/').map_or(api_version, |(g, _)| g);
    match group {
        "eks.services.k8s.aws" => Some(&ACK_ASSOCIATION),
        "eks.aws.upbound.io" | "eks.aws.m.upbound.io" => Some(&UPBOUND_ASSOCIATION),
        _ => None,
    }
}

/// Call `f(object, list_path)` for every object of kind `wanted` in one document, the items of a
/// `*List` included (`list_path` then says where: `items[2].`).
fn for_each_object<'a>(root: &'a Node, wanted: &str, mut f: impl FnMut(&'a Node, &str)) {
    let mut stack = vec![(root, String::new())];
    while let Some((node, list_path)) = stack.pop() {
        let Some(kind) = node.get("kind").and_then(Node::as_str) else {
            continue;
        };
        if kind.ends_with("List")
            && let Some(items) = node.get("items").and_then(Node::as_seq)
        {
            for (i, item) in items.iter().enumerate().rev() {
                stack.push((item, format!("{list_path}items[{i}].")));
            }
            continue;
        }
        if kind == wanted {
            f(node, &list_path);
        }
    }
}

/// `namespace/name` of a custom resource, or its name alone.
fn object_name(node: &Node) -> String {
    let metadata = node.get("metadata");
    let name = metadata
        .and_then(|m| m.get("name"))
        .and_then(Node::as_str)
        .unwrap_or("");
    match metadata
        .and_then(|m| m.get("namespace"))
        .and_then(Node::as_str)
    {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// Append every operator `PodIdentityAssociation` of one document (a `*List`'s items too).
pub fn extract_associations(
    source: &SourceRef,
    root: &Node,
    out: &mut Vec<PodIdentityAssociation>,
) {
    for_each_object(root, "PodIdentityAssociation", |node, list_path| {
        let Some(shape) = node
            .get("apiVersion")
            .and_then(Node::as_str)
            .and_then(association_shape)
        else {
            return;
        };
        let Some(spec) = shape.specs.iter().find_map(|p| node.path(p)) else {
            return;
        };
        let object = object_name(node);
        let role_arn = located_trimmed(spec.get(shape.role_arn)).or_else(|| {
            let name = located_trimmed(spec.path(shape.role_ref))?;
            Some(Located {
                value: format!("arn:aws:iam::${{roleRef}}:role/{}", name.value),
                span: name.span,
            })
        });
        let label = format!("PodIdentityAssociation `{object}`");
        let logical_path = format!("{list_path}PodIdentityAssociation/{object}");
        out.push(PodIdentityAssociation {
            cluster: located_trimmed(spec.get("clusterName")),
            namespace: located_trimmed(spec.get("namespace")),
            service_account: located_trimmed(spec.get("serviceAccount")),
            role_arn,
            target_role_arn: located_trimmed(spec.get(shape.target_role_arn)),
            disable_session_tags: located_bool(spec.get("disableSessionTags")),
            session_policy: spec.get("policy").map(|p| p.span),
            cluster_account: owner_account(node),
            ..association_at(source, shape.origin, node.span, label, logical_path)
        });
    });
}

/// Append every operator `Addon` of one document as an add-on list of its own: an ACK `Addon`
/// (`eks.services.k8s.aws`: `spec.name`, `spec.clusterName`) or a Crossplane one
/// (`eks.aws.upbound.io`: `spec.forProvider.addonName`, `clusterName`). A cluster named through a
/// reference (`clusterRef`, `clusterNameRef`) is left unwritten.
pub fn extract_addons(source: &SourceRef, root: &Node, out: &mut Vec<AddonList>) {
    for_each_object(root, "Addon", |node, list_path| {
        let Some(api_version) = node.get("apiVersion").and_then(Node::as_str) else {
            return;
        };
        let (specs, name_key): (&[&[&str]], &str) = match association_shape(api_version) {
            Some(shape) if shape.origin == AssociationOrigin::Ack => (shape.specs, "name"),
            Some(shape) => (shape.specs, "addonName"),
            None => return,
        };
        let Some(spec) = specs.iter().find_map(|p| node.path(p)) else {
            return;
        };
        let Some(name) = located_trimmed(spec.get(name_key)) else {
            return;
        };
        let object = object_name(node);
        out.push(AddonList {
            source: source.clone(),
            span: name.span,
            label: format!("Addon `{object}`"),
            logical_path: format!("{list_path}Addon/{object}"),
            cluster: located_trimmed(spec.get("clusterName")),
            names: vec![name],
        });
    });
}

/// The account an ACK resource is created in, which for an association is its cluster's: the
/// `services.k8s.aws/owner-account-id` annotation (ACK's cross-account resource management), else
/// `status.ackResourceMetadata.ownerAccountID` of an object read back from the cluster.
fn owner_account(node: &Node) -> Option<String> {
    let annotated = node
        .path(&[
            "metadata",
            "annotations",
            "services.k8s.aws/owner-account-id",
        ])
        .and_then(Node::as_str);
    let reported = node
        .path(&["status", "ackResourceMetadata", "ownerAccountID"])
        .and_then(Node::as_str);
    annotated
        .or(reported)
        .map(str::trim)
        .filter(|a| crate::model::oidc::is_account_id(a))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::model::policy::PolicyOrigin;
    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    fn policies(text: &str) -> Vec<crate::model::policy::TrustPolicy> {
        let source = Arc::new(SourceFile::new("r.yaml", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        crate::extract::extract(&source, &parsed).policies
    }

    const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#;

    #[test]
    fn ack_role_string_document_maps_inside_the_string() {
        let text = format!(
            "apiVersion: iam.services.k8s.aws/v1alpha1\nkind: Role\nmetadata:\n  name: r\n  namespace: ns\nspec:\n  name: api-role\n  path: /team/\n  assumeRolePolicyDocument: '{DOC}'\n"
        );
        let found = policies(&text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].origin, PolicyOrigin::KubernetesResource);
        assert_eq!(
            found[0].logical_path,
            "Role/ns/r#spec.assumeRolePolicyDocument"
        );
        let role = found[0].role.as_ref().unwrap();
        assert_eq!(role.name.as_ref().unwrap().value, "api-role");
        assert_eq!(role.path.as_ref().unwrap().value, "/team/");
        assert!(role.account.is_none());
        let effect = found[0].statements[0].effect.as_ref().unwrap();
        assert_eq!(&text[effect.span.range()], "\"Allow\"");
    }

    #[test]
    fn crossplane_roles_named_by_external_name_or_metadata_name() {
        let text = format!(
            "apiVersion: iam.aws.upbound.io/v1beta1\nkind: Role\nmetadata:\n  name: obj\n  annotations:\n    crossplane.io/external-name: real\nspec:\n  initProvider:\n    assumeRolePolicy: |\n      {DOC}\n---\napiVersion: iam.aws.crossplane.io/v1beta1\nkind: Role\nmetadata:\n  name: plain\nspec:\n  forProvider:\n    assumeRolePolicyDocument:\n      Version: '2012-10-17'\n      Statement: []\n---\napiVersion: iam.aws.m.upbound.io/v1beta1\nkind: RoleList\nitems:\n  - apiVersion: iam.aws.m.upbound.io/v1beta1\n    kind: Role\n    metadata: {{name: n, namespace: team}}\n    spec: {{forProvider: {{assumeRolePolicy: 'not json'}}}}\n"
        );
        let found = policies(&text);
        assert_eq!(found.len(), 2);
        let name = |i: usize| {
            found[i]
                .role
                .as_ref()
                .unwrap()
                .name
                .as_ref()
                .unwrap()
                .value
                .clone()
        };
        assert_eq!(name(0), "real");
        assert_eq!(
            found[0].logical_path,
            "Role/obj#spec.initProvider.assumeRolePolicy"
        );
        assert_eq!(name(1), "plain");
        assert!(!found[1].encoded);
    }

    fn associations(text: &str) -> Vec<crate::model::pod_identity::PodIdentityAssociation> {
        let source = Arc::new(SourceFile::new("a.yaml", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        crate::extract::extract(&source, &parsed)
            .pod_identity
            .associations
    }

    #[test]
    fn ack_and_crossplane_associations_are_read_with_their_spans() {
        let ack = "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata:\n  name: api\n  namespace: infra\nspec:\n  clusterName: prod\n  namespace: payments\n  serviceAccount: api\n  roleARN: arn:aws:iam::111122223333:role/api\n  targetRoleARN: arn:aws:iam::444455556666:role/data\n  disableSessionTags: true\n";
        let found = associations(ack);
        assert_eq!(found.len(), 1);
        let a = &found[0];
        assert_eq!(a.origin, crate::model::pod_identity::AssociationOrigin::Ack);
        assert_eq!(a.cluster.as_ref().unwrap().value, "prod");
        assert_eq!(a.namespace.as_ref().unwrap().value, "payments");
        let sa = a.service_account.as_ref().unwrap();
        assert_eq!(&ack[sa.span.start as usize..sa.span.end as usize], "api");
        assert_eq!(
            a.role_arn.as_ref().unwrap().value,
            "arn:aws:iam::111122223333:role/api"
        );
        assert!(a.target_role_arn.is_some() && a.tags_disabled());
        assert_eq!(a.cluster_account, None);
        let owned = ack.replace(
            "  namespace: infra\n",
            "  namespace: infra\n  annotations:\n    services.k8s.aws/owner-account-id: \"483920175566\"\n",
        );
        assert_eq!(
            associations(&owned)[0].cluster_account.as_deref(),
            Some("483920175566")
        );
        assert_eq!(a.logical_path, "PodIdentityAssociation/infra/api");

        let upbound = "apiVersion: eks.aws.upbound.io/v1beta1\nkind: PodIdentityAssociation\nmetadata:\n  name: api\nspec:\n  forProvider:\n    clusterName: prod\n    namespace: payments\n    serviceAccount: api\n    roleArnRef:\n      name: api-role\n";
        let found = associations(upbound);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].role_arn.as_ref().unwrap().value,
            "arn:aws:iam::${roleRef}:role/api-role"
        );
        assert!(!found[0].tags_disabled());
        // Another group's kind of the same name is not an association.
        assert!(associations(&upbound.replace("eks.aws.upbound.io", "example.com")).is_empty());
    }

    #[test]
    fn ack_and_crossplane_addons_are_one_list_each() {
        let text = "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: Addon\nmetadata:\n  name: coredns\n  namespace: infra\nspec:\n  name: coredns\n  clusterName: prod\n---\napiVersion: eks.aws.upbound.io/v1beta1\nkind: AddonList\nitems:\n  - apiVersion: eks.aws.upbound.io/v1beta1\n    kind: Addon\n    metadata: {name: agent}\n    spec: {forProvider: {addonName: eks-pod-identity-agent, clusterNameRef: {name: prod}}}\n---\napiVersion: example.com/v1\nkind: Addon\nspec: {name: other}\n";
        let source = Arc::new(SourceFile::new("addons.yaml", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        let lists = crate::extract::extract(&source, &parsed)
            .pod_identity
            .addon_lists;
        let got: Vec<(String, Option<String>, String, String)> = lists
            .iter()
            .map(|l| {
                (
                    l.label.clone(),
                    l.cluster.as_ref().map(|c| c.value.clone()),
                    l.names[0].value.clone(),
                    l.logical_path.clone(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "Addon `infra/coredns`".to_string(),
                    Some("prod".to_string()),
                    "coredns".to_string(),
                    "Addon/infra/coredns".to_string()
                ),
                (
                    "Addon `agent`".to_string(),
                    None,
                    "eks-pod-identity-agent".to_string(),
                    "items[0].Addon/agent".to_string()
                ),
            ]
        );
        assert!(!lists[0].may_have_pod_identity_agent());
        assert!(lists[1].may_have_pod_identity_agent());
    }
}

//! An eksctl `ClusterConfig` (`apiVersion: eksctl.io/v1alpha5`, `kind: ClusterConfig`): the
//! ServiceAccounts and IRSA roles its `iam.serviceAccounts[]` make, and the role ARNs its
//! `addons[].serviceAccountRoleARN` name.
//!
//! What eksctl does with one `iam.serviceAccounts[]` entry (verified in eksctl-io/eksctl:
//! `pkg/apis/eksctl.io/v1alpha5` `ClusterIAMServiceAccount` with `metadata`, `attachPolicyARNs`,
//! `wellKnownPolicies`, `attachPolicy`, `attachRoleARN`, `permissionsBoundary`, `roleName`,
//! `roleOnly`, `tags`; `pkg/cfn/builder/iam.go` `IAMRoleResourceSet` and `pkg/iam/oidc/api.go`
//! `MakeAssumeRolePolicyDocumentWithServiceAccountConditions`, which writes through
//! `pkg/cfn/template` `MakeAssumeRoleWithWebIdentityPolicyDocument`):
//!
//! * unless `attachRoleARN` names an existing role, it creates a role (named `roleName`, else a
//!   name CloudFormation generates) whose trust is one statement: Allow
//!   `sts:AssumeRoleWithWebIdentity` to `Federated` = the cluster's OIDC provider ARN, with
//!   `StringEquals` on `<issuer host/path>:sub` = `system:serviceaccount:NS:NAME` and
//!   `<issuer>:aud` = `sts.amazonaws.com`;
//! * unless `roleOnly: true`, it creates the ServiceAccount `NS/NAME` annotated with that role's
//!   ARN (or `attachRoleARN`); `metadata.namespace` defaults to `default`.
//!
//! The cluster's issuer and account are known only once the cluster exists: they are holes
//! (`${cluster.oidc_provider}`, `${aws.account_id}`). A generated role name is unknown too: the
//! ServiceAccount's annotation is then the hole [`generated_role_hole`], and the trust policy's
//! `resource_address` is the same text, so the link stage binds them exactly
//! (`link::roles::role_reference`). With `roleName`, the annotation is the role's ARN and links by
//! name like any other.
//!
//! EKS Pod Identity (`PodIdentityAssociation`, `FargateProfileSelector` and `Addon` in
//! `pkg/apis/eksctl.io/v1alpha5`): each `iam.podIdentityAssociations[]` and
//! `addons[].podIdentityAssociations[]` entry is an association of the cluster `metadata.name`
//! (`namespace`, `serviceAccountName`, `roleARN`, `targetRoleARN`, `disableSessionTags`,
//! `policy`); without `roleARN` eksctl creates the role, with a trust it writes itself
//! (`role_created`). `fargateProfiles[].selectors[]` are Fargate profiles, `addons[].name` the
//! cluster's add-ons. `createServiceAccount: true` (eksctl creates the ServiceAccount too) is
//! recorded, so that an association is not reported for a ServiceAccount the input lacks.
//!
//! eksctl's implicit `aws-node` role (`iam.withOIDC`) is not modelled. There is no
//! `subjectPattern` field in eksctl's schema: every subject is exact.

use crate::extract::Extracted;
use crate::extract::k8s::{annotations_of, located_bool, located_str};
use crate::extract::pod_identity::{association_at, items, located_trimmed};
use crate::extract::policy::read_policy;
use crate::model::k8s::{Annotation, ObjectMeta, ServiceAccount, annotations};
use crate::model::pod_identity::{
    AddonList, AssociationOrigin, FargateProfile, FargateSelector, PodIdentityAssociation,
    PodIdentityObjects,
};
use crate::model::policy::{EKSCTL_GENERATED_ROLE_PREFIX, Located, PolicyOrigin, RoleIdentity};
use crate::model::written::{Scalar, ScalarStyle, ScalarType, Written, WrittenKind};
use crate::parse::tree::{Entry, Node, NodeKind};
use crate::source::{SourceRef, Span};

/// The issuer (host and path) of the cluster's OIDC provider, known once the cluster exists.
const ISSUER: &str = "${cluster.oidc_provider}";
/// The cluster's account.
const ACCOUNT: &str = "${aws.account_id}";
/// The audience eksctl writes (`OpenIDConnectManager.audience`).
const AUDIENCE: &str = "sts.amazonaws.com";

/// Extract an eksctl `ClusterConfig`; false when `root` is not one.
pub fn extract(source: &SourceRef, root: &Node, out: &mut Extracted) -> bool {
    let is_config = root.get("kind").and_then(Node::as_str) == Some("ClusterConfig")
        && root
            .get("apiVersion")
            .and_then(Node::as_str)
            .is_some_and(|v| v.starts_with("eksctl.io/"));
    if !is_config {
        return false;
    }
    let cluster = root
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .filter(|n| is_plain(n))
        .unwrap_or("-");
    let partition = partition(root.path(&["metadata", "region"]).and_then(Node::as_str));
    let entries = root
        .path(&["iam", "serviceAccounts"])
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for (index, entry) in entries.iter().enumerate() {
        let config = Config {
            source,
            cluster,
            partition: &partition,
        };
        config.service_account(index, entry, out);
    }
    let addons = root
        .get("addons")
        .and_then(Node::as_seq)
        .unwrap_or_default();
    for (index, addon) in addons.iter().enumerate() {
        if let Some(arn) = addon.entry("serviceAccountRoleARN") {
            out.k8s
                .service_accounts
                .push(addon_service_account(source, index, addon, arn));
        }
    }
    pod_identity(source, root, &mut out.pod_identity);
    true
}

/// The EKS Pod Identity objects of a `ClusterConfig`: associations, Fargate profiles, add-ons.
fn pod_identity(source: &SourceRef, root: &Node, out: &mut PodIdentityObjects) {
    let cluster = located_trimmed(root.path(&["metadata", "name"]));
    let from = |origin, entry: &Node, label: String| {
        association(source, origin, entry, label, cluster.clone())
    };
    let iam = items(root.path(&["iam", "podIdentityAssociations"]));
    for (i, entry) in iam.iter().enumerate() {
        let label = format!("iam.podIdentityAssociations[{i}]");
        out.associations
            .extend(from(AssociationOrigin::Eksctl, entry, label));
    }
    for (j, addon) in items(root.get("addons")).iter().enumerate() {
        for (i, entry) in items(addon.get("podIdentityAssociations"))
            .iter()
            .enumerate()
        {
            let label = format!("addons[{j}].podIdentityAssociations[{i}]");
            out.associations
                .extend(from(AssociationOrigin::EksctlAddon, entry, label));
        }
    }
    for (k, profile) in items(root.get("fargateProfiles")).iter().enumerate() {
        out.fargate_profiles
            .push(fargate_profile(source, k, profile, cluster.clone()));
    }
    if let Some(addons) = root.entry("addons").filter(|e| e.value.as_seq().is_some()) {
        out.addon_lists.push(AddonList {
            source: source.clone(),
            span: addons.key.span,
            label: "addons".to_string(),
            logical_path: "addons".to_string(),
            cluster: cluster.clone(),
            names: items(Some(&addons.value))
                .iter()
                .filter_map(|a| located_trimmed(a.get("name")))
                .collect(),
        });
    }
}

/// One `podIdentityAssociations[]` entry (None when it is not a mapping). Without `roleARN`,
/// eksctl creates the role from `permissionPolicyARNs` / `wellKnownPolicies` /
/// `permissionPolicy`, with the trust it writes for `pods.eks.amazonaws.com`.
fn association(
    source: &SourceRef,
    origin: AssociationOrigin,
    entry: &Node,
    label: String,
    cluster: Option<Located<String>>,
) -> Option<PodIdentityAssociation> {
    entry.as_map()?;
    let role_arn = located_trimmed(entry.get("roleARN"));
    Some(PodIdentityAssociation {
        cluster,
        namespace: located_trimmed(entry.get("namespace")),
        service_account: located_trimmed(entry.get("serviceAccountName")),
        role_created: role_arn.is_none(),
        role_arn,
        service_account_created: located_bool(entry.get("createServiceAccount"))
            .is_some_and(|b| b.value),
        target_role_arn: located_trimmed(entry.get("targetRoleARN")),
        disable_session_tags: located_bool(entry.get("disableSessionTags")),
        session_policy: entry.get("policy").map(|p| p.span),
        ..association_at(source, origin, entry.span, format!("`{label}`"), label)
    })
}

/// `fargateProfiles[index]`: its selectors, each a namespace (required by eksctl: a selector
/// without one is skipped) and a `labels` map.
fn fargate_profile(
    source: &SourceRef,
    index: usize,
    profile: &Node,
    cluster: Option<Located<String>>,
) -> FargateProfile {
    let selectors = items(profile.get("selectors"))
        .iter()
        .filter_map(|s| {
            Some(FargateSelector {
                namespace: located_trimmed(s.get("namespace"))?,
                labels: string_pairs(s.get("labels")),
            })
        })
        .collect();
    let path = format!("fargateProfiles[{index}]");
    FargateProfile {
        source: source.clone(),
        span: profile.span,
        label: format!("`{path}`"),
        logical_path: path,
        cluster,
        selectors,
    }
}

/// A map of strings as written (`labels: {tier: web}`); other entries are skipped.
fn string_pairs(node: Option<&Node>) -> Vec<(String, String)> {
    node.and_then(Node::as_map)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some((
                e.key.scalar_text()?.to_string(),
                e.value.scalar_text()?.to_string(),
            ))
        })
        .collect()
}

/// The hole a ServiceAccount's role-arn annotation holds for the role eksctl creates for it under
/// a generated name, and the address of that role's trust policy: `eksctl/CLUSTER/NS/NAME`
/// (`eksctl/CLUSTER/iam.serviceAccounts[i]` when a part is itself a template).
pub fn generated_role_address(cluster: &str, namespace: &str, name: &str, index: usize) -> String {
    if is_plain(namespace) && is_plain(name) {
        format!("{EKSCTL_GENERATED_ROLE_PREFIX}{cluster}/{namespace}/{name}")
    } else {
        format!("{EKSCTL_GENERATED_ROLE_PREFIX}{cluster}/iam.serviceAccounts[{index}]")
    }
}

/// `${address}`: the annotation text for a role of [`generated_role_address`].
pub fn generated_role_hole(address: &str) -> String {
    format!("${{{address}}}")
}

/// True for a value of `meta` that eksctl writes, not the config's author: a value of a
/// ServiceAccount read from a `ClusterConfig` that the config does not hold as written (the ARN of
/// the role eksctl creates, an addon's namespace).
pub fn is_synthesised(meta: &ObjectMeta, text: &str) -> bool {
    let from_config =
        meta.list_path.starts_with("iam.serviceAccounts[") || meta.list_path.starts_with("addons[");
    from_config && !meta.source.slice(meta.span).contains(text)
}

/// Text without template delimiters, safe to put inside a `${...}` hole.
fn is_plain(text: &str) -> bool {
    !text.is_empty() && !text.contains(['$', '{', '}', '%', ' '])
}

/// The partition of `metadata.region` (`aws-cn` for `cn-north-1`), a hole when unknown.
fn partition(region: Option<&str>) -> String {
    match region {
        Some(r) if is_plain(r) => {
            let p = if r.starts_with("cn-") {
                "aws-cn"
            } else if r.starts_with("us-gov-") {
                "aws-us-gov"
            } else if r.starts_with("us-isob-") {
                "aws-iso-b"
            } else if r.starts_with("us-iso-") {
                "aws-iso"
            } else {
                "aws"
            };
            p.to_string()
        }
        _ => "${aws.partition}".to_string(),
    }
}

struct Config<'a> {
    source: &'a SourceRef,
    cluster: &'a str,
    partition: &'a str,
}

impl Config<'_> {
    /// One `iam.serviceAccounts[index]` entry: its role's trust (unless `attachRoleARN`) and its
    /// ServiceAccount (unless `roleOnly: true`).
    fn service_account(&self, index: usize, entry: &Node, out: &mut Extracted) {
        let Some(metadata) = entry.entry("metadata") else {
            return;
        };
        let Some(name) = located_str(metadata.value.get("name")) else {
            return;
        };
        let namespace = located_str(metadata.value.get("namespace")).unwrap_or(Located {
            value: "default".to_string(),
            span: metadata.key.span,
        });
        let path = format!("iam.serviceAccounts[{index}]");
        let role_only = entry
            .get("roleOnly")
            .and_then(Node::scalar_text)
            .is_some_and(|t| t == "true");
        let role_name = located_str(entry.get("roleName")).filter(|n| !n.value.is_empty());
        let attach = entry.entry("attachRoleARN");
        let address = generated_role_address(self.cluster, &namespace.value, &name.value, index);

        // The annotation eksctl writes: `attachRoleARN`, else the ARN of the role it creates.
        let role_arn = match (attach, &role_name) {
            (Some(attach), _) => Annotation {
                key: located(annotations::ROLE_ARN, attach.key.span),
                value: attach.value.written(),
            },
            (None, Some(role_name)) => Annotation {
                key: located(annotations::ROLE_ARN, role_name.span),
                value: written(&self.role_arn(&role_name.value), role_name.span),
            },
            (None, None) => Annotation {
                key: located(annotations::ROLE_ARN, metadata.key.span),
                value: written(&generated_role_hole(&address), name.span),
            },
        };

        if attach.is_none() {
            let document = self.trust_document(entry, &namespace, &name);
            let mut policy = read_policy(
                self.source,
                &document,
                PolicyOrigin::Eksctl,
                path.clone(),
                false,
            );
            policy.resource_address = Some(address);
            policy.role = role_name.as_ref().map(|n| RoleIdentity {
                name: Some(n.clone()),
                name_prefix: None,
                path: Some(located("/", n.span)),
                // The ARN's account is the cluster's, unknown here: the name identifies it.
                arn: None,
                partition: Some(self.partition.to_string()).filter(|p| is_plain(p)),
                account: None,
            });
            out.policies.push(policy);
        }

        if role_only {
            return;
        }
        let annotations_entry = metadata.value.entry("annotations");
        let mut annotations = annotations_entry.map_or_else(Vec::new, |e| annotations_of(&e.value));
        if !annotations
            .iter()
            .any(|a| a.key.value == annotations::ROLE_ARN)
        {
            annotations.push(role_arn);
        }
        out.k8s.service_accounts.push(ServiceAccount {
            meta: ObjectMeta {
                source: self.source.clone(),
                span: entry.span,
                kind: located("ServiceAccount", metadata.key.span),
                api_version: None,
                name: Some(name),
                namespace: Some(namespace),
                metadata_key: Some(metadata.key.span),
                annotations,
                annotations_key: annotations_entry.map(|e| e.key.span),
                list_path: path,
            },
            automount_token: None,
        });
    }

    fn role_arn(&self, role_name: &str) -> String {
        format!("arn:{}:iam::{ACCOUNT}:role/{role_name}", self.partition)
    }

    /// The trust eksctl writes for the entry, each node at the field it comes from: the subject
    /// at `metadata.name`, the rest at the entry.
    fn trust_document(
        &self,
        entry: &Node,
        namespace: &Located<String>,
        name: &Located<String>,
    ) -> Node {
        let at = entry.span;
        let provider = format!(
            "arn:{}:iam::{ACCOUNT}:oidc-provider/{ISSUER}",
            self.partition
        );
        let subject = format!("system:serviceaccount:{}:{}", namespace.value, name.value);
        let condition = map(
            at,
            vec![(
                "StringEquals",
                map(
                    at,
                    vec![
                        (&format!("{ISSUER}:sub"), string(&subject, name.span)),
                        (&format!("{ISSUER}:aud"), string(AUDIENCE, at)),
                    ],
                ),
            )],
        );
        let statement = map(
            at,
            vec![
                ("Effect", string("Allow", at)),
                (
                    "Action",
                    seq(at, vec![string("sts:AssumeRoleWithWebIdentity", at)]),
                ),
                (
                    "Principal",
                    map(at, vec![("Federated", string(&provider, at))]),
                ),
                ("Condition", condition),
            ],
        );
        map(
            at,
            vec![
                ("Version", string("2012-10-17", at)),
                ("Statement", seq(at, vec![statement])),
            ],
        )
    }
}

/// `addons[index].serviceAccountRoleARN`: the addon's ServiceAccount, annotated with that ARN so
/// that the annotation checks read it. The addon decides its name (none here: no workload of the
/// input is taken to run as it) and namespace (the hole `${addons.NAME.namespace}`).
fn addon_service_account(
    source: &SourceRef,
    index: usize,
    addon: &Node,
    arn: &Entry,
) -> ServiceAccount {
    let addon_name = addon
        .get("name")
        .and_then(Node::as_str)
        .filter(|n| is_plain(n))
        .map_or_else(|| format!("addons[{index}]"), |n| format!("addons.{n}"));
    let at = addon.get("name").map_or(arn.key.span, |n| n.span);
    ServiceAccount {
        meta: ObjectMeta {
            source: source.clone(),
            span: addon.span,
            kind: located("ServiceAccount", arn.key.span),
            api_version: None,
            name: None,
            namespace: Some(located(&format!("${{{addon_name}.namespace}}"), at)),
            metadata_key: None,
            annotations: vec![Annotation {
                key: located(annotations::ROLE_ARN, arn.key.span),
                value: arn.value.written(),
            }],
            annotations_key: None,
            list_path: format!("addons[{index}]"),
        },
        automount_token: None,
    }
}

fn located(text: &str, span: Span) -> Located<String> {
    Located {
        value: text.to_string(),
        span,
    }
}

fn scalar(text: &str) -> Scalar {
    Scalar {
        text: text.to_string(),
        style: ScalarStyle::DoubleQuoted,
        ty: ScalarType::String,
    }
}

fn written(text: &str, span: Span) -> Written {
    Written {
        span,
        kind: WrittenKind::Scalar(scalar(text)),
        tag: None,
    }
}

fn string(text: &str, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(scalar(text)),
        tag: None,
    }
}

fn seq(span: Span, items: Vec<Node>) -> Node {
    Node {
        span,
        kind: NodeKind::Seq(items),
        tag: None,
    }
}

fn map(span: Span, entries: Vec<(&str, Node)>) -> Node {
    Node {
        span,
        kind: NodeKind::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: string(key, span),
                    value,
                })
                .collect(),
        ),
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::policy::BaseOperator;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    fn extracted(text: &str) -> (SourceRef, Extracted) {
        let source: SourceRef = std::sync::Arc::new(SourceFile::new("c.yaml", None, text.into()));
        let parsed = parse(text, FileKind::Yaml, Default::default());
        let out = crate::extract::extract(&source, &parsed);
        (source, out)
    }

    const CONFIG: &str = "apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: shop, region: cn-north-1}
iam:
  serviceAccounts:
  - metadata: {name: api}
  - metadata: {name: jobs, namespace: batch}
    roleOnly: true
  - metadata: {name: old, namespace: batch}
    attachRoleARN: arn:aws-cn:iam::483920175566:role/old
";

    #[test]
    fn each_entry_is_the_role_and_the_service_account_eksctl_creates() {
        let (source, out) = extracted(CONFIG);
        // attachRoleARN: no role is created.
        assert_eq!(out.policies.len(), 2);
        let api = &out.policies[0];
        assert_eq!(api.origin, PolicyOrigin::Eksctl);
        assert_eq!(api.logical_path, "iam.serviceAccounts[0]");
        assert_eq!(
            api.resource_address.as_deref(),
            Some("eksctl/shop/default/api")
        );
        let statement = &api.statements[0];
        let (block, sub) = statement
            .claim_entries("sub")
            .next()
            .expect("a sub condition");
        assert_eq!(
            block.operator.map(|o| o.base),
            Some(BaseOperator::StringEquals)
        );
        assert_eq!(sub.values[0].text, "system:serviceaccount:default:api");
        // The subject points at the name it comes from.
        assert_eq!(source.slice(sub.values[0].span), "api");
        let (_, aud) = statement
            .claim_entries("aud")
            .next()
            .expect("an aud condition");
        assert_eq!(aud.values[0].text, AUDIENCE);
        assert!(sub.key_has_unknown());
        // roleOnly: no ServiceAccount for `jobs`.
        let names: Vec<&str> = out
            .k8s
            .service_accounts
            .iter()
            .map(|s| s.meta.name_str())
            .collect();
        assert_eq!(names, ["api", "old"]);
        let api_sa = &out.k8s.service_accounts[0];
        assert_eq!(api_sa.meta.namespace.as_ref().unwrap().value, "default");
        let arn = api_sa.role_arn().and_then(|a| a.value.as_str());
        assert_eq!(arn, Some("${eksctl/shop/default/api}"));
        let old = out.k8s.service_accounts[1].role_arn().unwrap();
        assert_eq!(
            source.slice(old.value.span),
            "arn:aws-cn:iam::483920175566:role/old"
        );
        let federated = statement.principal.as_ref().expect("a principal");
        assert!(format!("{federated:?}").contains("arn:aws-cn:iam::"));
    }

    const POD_IDENTITY: &str = "apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata: {name: shop, region: eu-west-1}
iam:
  podIdentityAssociations:
  - namespace: payments
    serviceAccountName: api
    roleARN: arn:aws:iam::111122223333:role/api
    targetRoleARN: arn:aws:iam::444455556666:role/data
    disableSessionTags: true
  - namespace: jobs
    serviceAccountName: runner
    permissionPolicyARNs: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]
addons:
- name: eks-pod-identity-agent
- name: vpc-cni
  podIdentityAssociations:
  - namespace: kube-system
    serviceAccountName: aws-node
    wellKnownPolicies: {}
fargateProfiles:
- name: fp
  selectors:
  - namespace: batch
    labels: {tier: jobs}
  - labels: {no: namespace}
";

    #[test]
    fn pod_identity_associations_profiles_and_addons() {
        let (source, out) = extracted(POD_IDENTITY);
        let found = &out.pod_identity.associations;
        let labels: Vec<&str> = found.iter().map(|a| a.logical_path.as_str()).collect();
        assert_eq!(
            labels,
            [
                "iam.podIdentityAssociations[0]",
                "iam.podIdentityAssociations[1]",
                "addons[1].podIdentityAssociations[0]"
            ]
        );
        let api = &found[0];
        assert_eq!(api.origin, AssociationOrigin::Eksctl);
        assert_eq!(source.slice(api.cluster.as_ref().unwrap().span), "shop");
        assert_eq!(api.namespace.as_ref().unwrap().value, "payments");
        assert_eq!(
            source.slice(api.service_account.as_ref().unwrap().span),
            "api"
        );
        assert_eq!(
            source.slice(api.role_arn.as_ref().unwrap().span),
            "arn:aws:iam::111122223333:role/api"
        );
        assert!(!api.role_created && api.tags_disabled() && api.target_role_arn.is_some());
        assert!(source.slice(api.span).starts_with("namespace: payments"));
        // Without `roleARN` eksctl creates the role.
        assert!(found[1].role_arn.is_none() && found[1].role_created);
        assert_eq!(found[2].origin, AssociationOrigin::EksctlAddon);
        assert_eq!(found[2].service_account.as_ref().unwrap().value, "aws-node");
        assert!(found[2].role_created);

        let [profile] = out.pod_identity.fargate_profiles.as_slice() else {
            panic!("one profile");
        };
        assert_eq!(profile.logical_path, "fargateProfiles[0]");
        let [selector] = profile.selectors.as_slice() else {
            panic!("the selector with a namespace");
        };
        assert_eq!(source.slice(selector.namespace.span), "batch");
        assert_eq!(selector.labels, [("tier".to_string(), "jobs".to_string())]);

        let [addons] = out.pod_identity.addon_lists.as_slice() else {
            panic!("one add-on list");
        };
        assert_eq!(source.slice(addons.span), "addons");
        let names: Vec<&str> = addons.names.iter().map(|n| n.value.as_str()).collect();
        assert_eq!(names, ["eks-pod-identity-agent", "vpc-cni"]);
        assert!(addons.may_have_pod_identity_agent());
    }

    #[test]
    fn a_config_without_pod_identity_sections_has_none() {
        let (_, out) = extracted(CONFIG);
        assert!(out.pod_identity.is_empty());
    }

    #[test]
    fn other_documents_are_not_cluster_configs() {
        let (_, out) = extracted("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\n");
        assert!(out.policies.is_empty());
        assert_eq!(out.k8s.service_accounts.len(), 1);
    }
}

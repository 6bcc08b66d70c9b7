//! The EKS Pod Identity model: associations (cluster, namespace, ServiceAccount → role), and the
//! cluster objects that decide whether an associated pod gets credentials at all (Fargate
//! profiles, add-ons). Every field keeps its span.
//!
//! An association is made through the EKS API, not on the ServiceAccount: it comes from an ACK or
//! Crossplane custom resource, a CloudFormation or Terraform resource, the terraform-aws-modules
//! `eks-pod-identity` module, an eksctl `ClusterConfig`, or `aws eks` CLI output. Values known
//! only at deploy time keep their holes (`${var.cluster_name}`), as everywhere in the model.

use crate::model::policy::Located;
use crate::source::{SourceRef, Span};

/// Where an association was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssociationOrigin {
    /// ACK `PodIdentityAssociation` (`eks.services.k8s.aws`).
    Ack,
    /// Crossplane `PodIdentityAssociation` (`eks.aws.upbound.io`).
    Crossplane,
    /// CloudFormation `AWS::EKS::PodIdentityAssociation`.
    CloudFormation,
    /// Terraform `aws_eks_pod_identity_association`.
    Terraform,
    /// The terraform-aws-modules `eks-pod-identity` module's `associations`.
    TerraformModule,
    /// eksctl `iam.podIdentityAssociations`.
    Eksctl,
    /// eksctl `addons[].podIdentityAssociations`.
    EksctlAddon,
    /// `aws eks describe-pod-identity-association` / `list-pod-identity-associations` output.
    AwsCli,
}

/// One Pod Identity association.
#[derive(Clone, Debug)]
pub struct PodIdentityAssociation {
    pub source: SourceRef,
    pub origin: AssociationOrigin,
    /// The whole object's span (the resource block, the custom resource, the list item).
    pub span: Span,
    /// What to call it in messages: `aws_eks_pod_identity_association.api`,
    /// `PodIdentityAssociation payments/api`, `iam.podIdentityAssociations[0]`.
    pub label: String,
    /// For fingerprints: stable across edits elsewhere in the file.
    pub logical_path: String,
    /// The Terraform address (`module.a.aws_eks_pod_identity_association.api`) or CloudFormation
    /// logical id, when the association is one: a role reference in it is read in that module.
    pub address: Option<String>,
    /// The cluster's name as written.
    pub cluster: Option<Located<String>>,
    /// The Kubernetes namespace as written.
    pub namespace: Option<Located<String>>,
    /// The ServiceAccount's name as written.
    pub service_account: Option<Located<String>>,
    /// The role EKS Pod Identity assumes (`roleArn`); a Terraform or CloudFormation reference
    /// keeps its hole (`${aws_iam_role.api.arn}`). None when the tool creates the role itself
    /// (eksctl without `roleARN`): see `role_created`.
    pub role_arn: Option<Located<String>>,
    /// True when the tool that writes the association creates its role too, with a trust it
    /// writes itself (eksctl without `roleARN`): no trust of the input to judge.
    pub role_created: bool,
    /// True when the tool that writes the association creates its ServiceAccount too (eksctl's
    /// `createServiceAccount: true`): the input need not define it.
    pub service_account_created: bool,
    /// The target role assumed with the first role's credentials (`targetRoleArn`).
    pub target_role_arn: Option<Located<String>>,
    /// `disableSessionTags`.
    pub disable_session_tags: Option<Located<bool>>,
    /// Span of the session `policy`, when one is set.
    pub session_policy: Option<Span>,
    /// The cluster's account, when the source states it (the association ARN of CLI output).
    pub cluster_account: Option<String>,
}

impl PodIdentityAssociation {
    pub fn file(&self) -> &str {
        &self.source.display_path
    }

    /// True when EKS attaches no session tags to this association's requests.
    pub fn tags_disabled(&self) -> bool {
        self.disable_session_tags.as_ref().is_some_and(|d| d.value)
    }

    /// The span to point at "this association": its ServiceAccount, else its whole object.
    pub fn anchor(&self) -> Span {
        self.service_account.as_ref().map_or(self.span, |s| s.span)
    }
}

/// A Fargate profile: pods of the namespaces its selectors name run on Fargate.
#[derive(Clone, Debug)]
pub struct FargateProfile {
    pub source: SourceRef,
    /// The whole profile's span.
    pub span: Span,
    /// `aws_eks_fargate_profile.default`, `fargateProfiles[0]`, the CloudFormation logical id.
    pub label: String,
    pub logical_path: String,
    pub cluster: Option<Located<String>>,
    pub selectors: Vec<FargateSelector>,
}

/// One Fargate profile selector: a namespace and, optionally, labels a pod must carry.
#[derive(Clone, Debug)]
pub struct FargateSelector {
    pub namespace: Located<String>,
    /// Labels every one of which the pod must carry, as written.
    pub labels: Vec<(String, String)>,
}

/// A cluster's add-ons as one input defines them: an eksctl `addons` list, the `aws_eks_addon`
/// resources of one Terraform module for one cluster, the `AWS::EKS::Addon` resources of one
/// CloudFormation template.
#[derive(Clone, Debug)]
pub struct AddonList {
    pub source: SourceRef,
    /// Where to point at "these add-ons" (the `addons` key, the first add-on resource).
    pub span: Span,
    /// `addons`, `aws_eks_addon`, `AWS::EKS::Addon`, for messages.
    pub label: String,
    pub logical_path: String,
    pub cluster: Option<Located<String>>,
    /// The add-on names, as written.
    pub names: Vec<Located<String>>,
}

/// The add-on that runs the EKS Pod Identity Agent on every node.
pub const POD_IDENTITY_AGENT_ADDON: &str = "eks-pod-identity-agent";

impl AddonList {
    /// True when the list holds the Pod Identity Agent, or a name not known statically.
    pub fn may_have_pod_identity_agent(&self) -> bool {
        self.names.iter().any(|n| {
            n.value == POD_IDENTITY_AGENT_ADDON || crate::model::template::has_holes(&n.value)
        })
    }
}

/// Everything of Pod Identity one file holds.
#[derive(Clone, Debug, Default)]
pub struct PodIdentityObjects {
    pub associations: Vec<PodIdentityAssociation>,
    pub fargate_profiles: Vec<FargateProfile>,
    pub addon_lists: Vec<AddonList>,
}

impl PodIdentityObjects {
    pub fn is_empty(&self) -> bool {
        self.associations.is_empty()
            && self.fargate_profiles.is_empty()
            && self.addon_lists.is_empty()
    }

    pub fn extend(&mut self, other: PodIdentityObjects) {
        self.associations.extend(other.associations);
        self.fargate_profiles.extend(other.fargate_profiles);
        self.addon_lists.extend(other.addon_lists);
    }
}

//! EKS Pod Identity links: each association to the ServiceAccounts it names, to the trust policy
//! of its role and of its target role; and the verdicts: can EKS Pod Identity assume the role for
//! the association's pods, and can that role's session assume the target role.
//!
//! The request (EKS user guide, "Create IAM role with trust policy required by EKS Pod Identity",
//! "Enable or disable session tags"; API reference, `CreatePodIdentityAssociation`): the service
//! principal `pods.eks.amazonaws.com` calls `sts:AssumeRole` and `sts:TagSession`, with the session
//! tags `kubernetes-namespace`, `kubernetes-service-account`, `eks-cluster-arn`,
//! `eks-cluster-name`, `kubernetes-pod-name` and `kubernetes-pod-uid` as `aws:RequestTag/*` keys.
//! The pod's name and uid are never known statically, nor the cluster unless the input or the
//! configuration says which it is: those are unknown values, on which the verdict decides nothing.
//! With `disableSessionTags` the request carries no tags, so it needs no `sts:TagSession`.

use super::roles::{Binding, BindingSource, RoleIndex};
use super::{AssociationId, Linked, SaId, scope};
use crate::engine::{
    self, ASSUME_ROLE, AssumeRoleRequest, Caller, ContextValue, TAG_SESSION, Verdict,
};
use crate::model::arn::parse_role_arn;
use crate::model::pod_identity::PodIdentityAssociation;
use crate::model::policy::Located;
use crate::model::template::has_holes;

/// The service principal EKS Pod Identity assumes roles as.
pub const POD_IDENTITY_SERVICE: &str = "pods.eks.amazonaws.com";

/// The session tags EKS Pod Identity attaches, in the order the user guide lists them.
pub const SESSION_TAGS: [&str; 6] = [
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
];

/// What one association is linked to.
#[derive(Clone, Debug, Default)]
pub struct AssociationLinks {
    /// The ServiceAccounts of the input it names (its namespace and name, nearest definitions).
    pub service_accounts: Vec<SaId>,
    /// The trust policy of its role, when the input holds it.
    pub role: Option<Binding>,
    /// The trust policy of its target role, when it has one and the input holds it.
    pub target_role: Option<Binding>,
    /// Can EKS Pod Identity assume the role: the request and the verdict, when the role's trust
    /// is in the input.
    pub verdict: Option<(AssumeRoleRequest, Verdict)>,
    /// Can the role's session assume the target role, when both ARNs are known and the target's
    /// trust is in the input.
    pub target_verdict: Option<(AssumeRoleRequest, Verdict)>,
}

/// What is known of the cluster an association is in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClusterFacts {
    /// The cluster's name, when written as text.
    pub name: Option<String>,
    /// The cluster's account: from the association's ARN, else the configured cluster of that
    /// name.
    pub account: Option<String>,
    /// The cluster's ARN, when its region, account and name are all known.
    pub arn: Option<String>,
}

/// A literal value: its text, or None when it is missing or has holes.
pub fn literal(value: Option<&Located<String>>) -> Option<&str> {
    value
        .map(|v| v.value.trim())
        .filter(|v| !v.is_empty() && !has_holes(v))
}

/// What the input and the configuration say of an association's cluster.
pub fn cluster_facts(linked: &Linked, association: &PodIdentityAssociation) -> ClusterFacts {
    let name = literal(association.cluster.as_ref()).map(str::to_string);
    let configured = name.as_deref().and_then(|n| {
        linked
            .options
            .clusters
            .iter()
            .find(|c| c.name.as_deref() == Some(n))
    });
    let account = association
        .cluster_account
        .clone()
        .or_else(|| configured.and_then(|c| c.account.clone()));
    // `oidc.eks.<region>.amazonaws.com/id/<id>`: the configured issuer names the region.
    let region = configured.and_then(|c| {
        let host = c.issuer.trim_start_matches("https://");
        let rest = host.strip_prefix("oidc.eks.")?;
        Some(rest.split('.').next()?.to_string())
    });
    let arn = match (&region, &account, &name) {
        (Some(region), Some(account), Some(name)) => {
            Some(format!("arn:aws:eks:{region}:{account}:cluster/{name}"))
        }
        _ => None,
    };
    ClusterFacts { name, account, arn }
}

/// A context value from what may be known.
fn known_or(value: Option<&str>, what: &str) -> ContextValue {
    match value {
        Some(text) => ContextValue::Known(text.to_string()),
        None => ContextValue::Unknown(what.to_string()),
    }
}

/// The request EKS Pod Identity makes to assume an association's role.
pub fn pod_identity_request(
    association: &PodIdentityAssociation,
    cluster: &ClusterFacts,
) -> AssumeRoleRequest {
    let caller = Caller::Service(POD_IDENTITY_SERVICE.to_string());
    if association.tags_disabled() {
        return with_source_keys(AssumeRoleRequest::new(caller, ASSUME_ROLE), cluster);
    }
    let namespace = literal(association.namespace.as_ref());
    let service_account = literal(association.service_account.as_ref());
    let tag = |name: &str| format!("aws:RequestTag/{name}");
    let request = AssumeRoleRequest::new(caller, ASSUME_ROLE)
        .with_actions([ASSUME_ROLE, TAG_SESSION])
        .with_key(
            tag("eks-cluster-arn"),
            [known_or(cluster.arn.as_deref(), "the cluster's ARN")],
        )
        .with_key(
            tag("eks-cluster-name"),
            [known_or(cluster.name.as_deref(), "the cluster's name")],
        )
        .with_key(
            tag("kubernetes-namespace"),
            [known_or(namespace, "the association's namespace")],
        )
        .with_key(
            tag("kubernetes-service-account"),
            [known_or(
                service_account,
                "the association's ServiceAccount",
            )],
        )
        .with_key(
            tag("kubernetes-pod-name"),
            [ContextValue::Unknown("the pod's name".to_string())],
        )
        .with_key(
            tag("kubernetes-pod-uid"),
            [ContextValue::Unknown("the pod's uid".to_string())],
        )
        .with_key("aws:TagKeys", SESSION_TAGS);
    with_source_keys(request, cluster)
}

/// The request with `aws:SourceAccount` and `aws:SourceArn` of the cluster. EKS does not document
/// whether it sets them for its service principal: present, and unknown unless the cluster is.
fn with_source_keys(request: AssumeRoleRequest, cluster: &ClusterFacts) -> AssumeRoleRequest {
    request
        .with_key(
            "aws:SourceAccount",
            [known_or(
                cluster.account.as_deref(),
                "the cluster's account",
            )],
        )
        .with_key(
            "aws:SourceArn",
            [known_or(cluster.arn.as_deref(), "the cluster's ARN")],
        )
}

/// The request the role's session makes to assume the target role: `sts:AssumeRole` as the role,
/// with the association's external id (`sts:ExternalId`, which the API returns for every
/// association with a target role and the input does not hold) and, unless disabled, the session
/// tags passed on as transitive tags. Whether STS also asks the target's trust for
/// `sts:TagSession` on that second call, the EKS documentation does not say: the request asks for
/// `sts:AssumeRole` only, so that no verdict rests on it.
pub fn target_role_request(
    association: &PodIdentityAssociation,
    role_arn: &str,
) -> AssumeRoleRequest {
    let mut request = AssumeRoleRequest::new(Caller::Aws(role_arn.to_string()), ASSUME_ROLE)
        .with_key("aws:PrincipalArn", [role_arn])
        .with_key(
            "sts:ExternalId",
            [ContextValue::Unknown(
                "the association's external id".to_string(),
            )],
        );
    if association.tags_disabled() {
        return request;
    }
    let namespace = literal(association.namespace.as_ref());
    let service_account = literal(association.service_account.as_ref());
    for tag in SESSION_TAGS {
        let value = match tag {
            "kubernetes-namespace" => known_or(namespace, "the association's namespace"),
            "kubernetes-service-account" => {
                known_or(service_account, "the association's ServiceAccount")
            }
            _ => ContextValue::Unknown(format!("the `{tag}` session tag")),
        };
        request = request
            .with_key(format!("aws:PrincipalTag/{tag}"), [value.clone()])
            .with_key(format!("aws:RequestTag/{tag}"), [value]);
    }
    request
}

/// Link every association of `linked`'s model: its ServiceAccounts, its roles' trust policies
/// (nearest candidates, as for an annotation) and the verdicts.
pub(super) fn link_associations(linked: &Linked) -> Vec<AssociationLinks> {
    let index = RoleIndex::new(&linked.model.policies);
    let associations = &linked.model.pod_identity.associations;
    associations
        .iter()
        .map(|association| {
            let mut links = AssociationLinks::default();
            let from = association.file();
            if let (Some(namespace), Some(name)) = (
                literal(association.namespace.as_ref()),
                literal(association.service_account.as_ref()),
            ) {
                links.service_accounts = linked
                    .nearest_service_accounts(from, linked.service_accounts_named(namespace, name));
            }
            let address = association.address.as_deref().unwrap_or("");
            let bind = |arn: Option<&Located<String>>, source: BindingSource| {
                let text = arn?.value.as_str();
                let candidates = index.arn_candidates(text, from, address, source);
                let (nearest, _) = scope::nearest(
                    from,
                    candidates
                        .iter()
                        .map(|b| (*b, linked.policy(b.policy).file())),
                    &linked.model.kustomizations,
                );
                nearest.first().copied()
            };
            links.role = bind(association.role_arn.as_ref(), BindingSource::Association);
            links.target_role = bind(
                association.target_role_arn.as_ref(),
                BindingSource::TargetRole,
            );
            let cluster = cluster_facts(linked, association);
            if let Some(role) = links.role {
                let request = pod_identity_request(association, &cluster);
                let verdict = engine::evaluate(linked.policy(role.policy), &request);
                links.verdict = Some((request, verdict));
            }
            let role_arn =
                literal(association.role_arn.as_ref()).filter(|arn| parse_role_arn(arn).is_some());
            if let (Some(target), Some(role_arn)) = (links.target_role, role_arn) {
                let request = target_role_request(association, role_arn);
                let verdict = engine::evaluate(linked.policy(target.policy), &request);
                links.target_verdict = Some((request, verdict));
            }
            links
        })
        .collect()
}

/// Each ServiceAccount's associations (same index as `model.service_accounts`).
pub(super) fn associations_by_service_account(
    links: &[AssociationLinks],
    service_accounts: usize,
) -> Vec<Vec<AssociationId>> {
    let mut by_sa = vec![Vec::new(); service_accounts];
    for (i, l) in links.iter().enumerate() {
        for sa in &l.service_accounts {
            by_sa[sa.index()].push(AssociationId::at(i));
        }
    }
    by_sa
}

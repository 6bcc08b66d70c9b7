//! IRSA414 pod-identity-agent-missing: the input defines a cluster's add-ons without
//! `eks-pod-identity-agent` while it defines EKS Pod Identity associations for that cluster.
//!
//! The EKS user guide ("EKS Pod Identity considerations"): the EKS Pod Identity Agent is
//! required; it runs as a DaemonSet and only gives credentials to pods on its node. EKS Auto Mode
//! clusters have it built in, and it can be installed otherwise than as an EKS add-on (its Helm
//! chart), so this is a warning.
//!
//! Add-on lists of the same cluster are judged together (ACK and Crossplane define one `Addon`
//! per object, Terraform one `aws_eks_addon` per resource): a list is reported when no list of
//! the input that may be of the same cluster may hold the agent, once per cluster, at the first
//! such list. A list and an association are of the same cluster unless both name a cluster as
//! plain text and the names differ.

use crate::check::support::pod_identity::{literal, may_be_same_cluster, with_association_note};
use crate::diagnostic::Diagnostic;
use crate::link::{AssociationId, Linked};
use crate::model::pod_identity::{AddonList, POD_IDENTITY_AGENT_ADDON};
use crate::registry::IRSA414;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    let lists = linked.addon_lists();
    let mut reported: Vec<Option<&str>> = Vec::new();
    for list in lists {
        let cluster = literal(list.cluster.as_ref());
        if reported.contains(&cluster)
            || lists.iter().any(|other| {
                other.may_have_pod_identity_agent()
                    && may_be_same_cluster(list.cluster.as_ref(), other.cluster.as_ref())
            })
        {
            continue;
        }
        let associations: Vec<AssociationId> = linked
            .associations()
            .filter(|(_, a)| may_be_same_cluster(list.cluster.as_ref(), a.cluster.as_ref()))
            .map(|(id, _)| id)
            .collect();
        let Some(&first) = associations.first() else {
            continue;
        };
        reported.push(cluster);
        out.push(report(linked, list, cluster, &associations, first));
    }
}

fn report(
    linked: &Linked,
    list: &AddonList,
    cluster: Option<&str>,
    associations: &[AssociationId],
    first: AssociationId,
) -> Diagnostic {
    let of_cluster = cluster.map_or_else(
        || "its cluster".to_string(),
        |name| format!("cluster `{name}`"),
    );
    let count = match associations.len() {
        1 => format!("{} gives", linked.association(first).label),
        n => format!(
            "{n} Pod Identity associations, the first {}, give",
            linked.association(first).label
        ),
    };
    let diag = Diagnostic::new(
        IRSA414,
        &list.source,
        list.span,
        format!(
            "the input defines the add-ons of {of_cluster} ({}) without `{POD_IDENTITY_AGENT_ADDON}`, but {count} pods a role through EKS Pod Identity: without the EKS Pod Identity Agent on the nodes, those pods get no credentials",
            list.label
        ),
    )
    .label(format!("no `{POD_IDENTITY_AGENT_ADDON}` add-on"))
    .help(format!(
        "add the `{POD_IDENTITY_AGENT_ADDON}` add-on to {of_cluster}; an EKS Auto Mode cluster has the agent built in, and an agent installed another way (its Helm chart) can be recorded by suppressing this finding"
    ))
    .at_path(list.logical_path.clone());
    with_association_note(
        diag,
        linked,
        first,
        "this association needs the agent on the nodes of its pods",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::support::pod_identity::testing::{addon_list, linked};
    use crate::model::pod_identity::AddonList;

    const ASSOCIATION: &str = "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata:\n  name: api\nspec:\n  clusterName: prod\n  namespace: payments\n  serviceAccount: api\n  roleARN: arn:aws:iam::483920175566:role/payments-api\n";

    fn run(input: &str, lists: Vec<AddonList>) -> Vec<Diagnostic> {
        let linked = linked(input, |m| m.pod_identity.addon_lists.extend(lists));
        let mut out = Vec::new();
        check(&linked, &mut out);
        out
    }

    #[test]
    fn a_list_without_the_agent_is_reported_once_per_cluster() {
        let out = run(
            ASSOCIATION,
            vec![
                addon_list(Some("prod"), &["vpc-cni", "coredns"]),
                addon_list(Some("prod"), &["kube-proxy"]),
            ],
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("cluster `prod`"));
        assert_eq!(out[0].related.len(), 1);
        // An unwritten cluster may be the association's.
        assert_eq!(
            run(ASSOCIATION, vec![addon_list(None, &["vpc-cni"])]).len(),
            1
        );
    }

    #[test]
    fn near_misses_are_not_reported() {
        // The agent, a templated name, the agent in another list of the cluster.
        assert!(
            run(
                ASSOCIATION,
                vec![addon_list(
                    Some("prod"),
                    &["vpc-cni", "eks-pod-identity-agent"]
                )]
            )
            .is_empty()
        );
        assert!(
            run(
                ASSOCIATION,
                vec![addon_list(Some("prod"), &["${var.addon}"])]
            )
            .is_empty()
        );
        assert!(
            run(
                ASSOCIATION,
                vec![
                    addon_list(Some("prod"), &["vpc-cni"]),
                    addon_list(None, &["eks-pod-identity-agent"]),
                ]
            )
            .is_empty()
        );
        // Another cluster's add-ons; no association at all.
        assert!(run(ASSOCIATION, vec![addon_list(Some("staging"), &["vpc-cni"])]).is_empty());
        assert!(run("", vec![addon_list(Some("prod"), &["vpc-cni"])]).is_empty());
    }
}

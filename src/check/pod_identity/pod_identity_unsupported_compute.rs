//! IRSA409 pod-identity-unsupported-compute: a workload that gets its credentials from EKS Pod
//! Identity runs on Windows nodes or on Fargate, where EKS Pod Identity gives none.
//!
//! The EKS user guide ("EKS Pod Identity restrictions"): EKS Pod Identities are available on
//! worker nodes that are Linux Amazon EC2 instances; Linux and Windows pods on Fargate and pods
//! on Windows EC2 instances are not supported. The agent that hands out the credentials is a
//! DaemonSet on Linux EC2 nodes.
//!
//! A workload is checked when it runs as a ServiceAccount of the input that an association names
//! and that carries no role-arn annotation (with one, IRSA still gives the pods credentials on
//! Fargate and Windows; the association then only goes unused). It is reported when
//! [`scheduled_on_windows`] finds where its pods certainly run on Windows, else when a Fargate
//! profile of the input selects its namespace with no label (labels: the pod may not carry them,
//! so the profile may not select it) and does not name another cluster than the association.

use crate::check::support::objects::{service_account_name_path, workload_label};
use crate::check::support::pod_identity::{
    PodIdentityWorkload, literal, may_be_same_cluster, pod_identity_only_workloads,
    with_association_note,
};
use crate::check::support::windows::scheduled_on_windows;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::pod_identity::{FargateProfile, FargateSelector};
use crate::registry::IRSA409;

/// The first Fargate profile selector of the input that certainly selects pods of `namespace`
/// in the association's cluster.
fn fargate_selector<'a>(
    linked: &'a Linked,
    found: &PodIdentityWorkload,
    namespace: &str,
) -> Option<(&'a FargateProfile, &'a FargateSelector)> {
    let association = linked.association(found.association);
    linked
        .fargate_profiles()
        .iter()
        .filter(|p| may_be_same_cluster(p.cluster.as_ref(), association.cluster.as_ref()))
        .find_map(|p| {
            p.selectors
                .iter()
                .find(|s| {
                    s.labels.is_empty()
                        && literal(Some(&s.namespace))
                            .is_some_and(|ns| ns == namespace && !ns.contains(['*', '?']))
                })
                .map(|s| (p, s))
        })
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    // With IRSA too, the SDKs use the web identity token first.
    for found in pod_identity_only_workloads(linked) {
        let w = found.workload;
        let workload = linked.workload(w);
        let pod = &workload.pod;
        let source = &workload.meta.source;
        let sa = linked.workload_service_account(w);
        let namespace = &linked.workload_namespace(w).name;
        let association = linked.association(found.association);
        let uses = format!(
            "{} runs as ServiceAccount `{namespace}/{}`, which {} gives its role through EKS Pod Identity",
            workload_label(linked, w),
            sa.name,
            association.label
        );
        let diag = if let Some(signal) = scheduled_on_windows(pod) {
            Diagnostic::new(
                IRSA409,
                source,
                signal.span,
                format!(
                    "{uses}, but its pods run on Windows nodes ({}): EKS Pod Identity gives credentials only to pods on Linux EC2 nodes, so these pods get none from the association",
                    signal.what
                ),
            )
            .label("Windows pods get no Pod Identity credentials")
            .at_path(
                workload
                    .meta
                    .logical_path(&format!("{}.{}", pod.path, signal.path)),
            )
        } else if let Some((profile, selector)) = fargate_selector(linked, &found, namespace) {
            Diagnostic::new(
                IRSA409,
                source,
                sa.span.unwrap_or(pod.spec_key),
                format!(
                    "{uses}, but Fargate profile {} runs every pod of namespace `{namespace}` on Fargate: EKS Pod Identity gives no credentials to pods on Fargate, so these pods get none from the association",
                    profile.label
                ),
            )
            .label("Fargate pods get no Pod Identity credentials")
            .at_path(service_account_name_path(workload))
            .related(
                &profile.source,
                selector.namespace.span,
                format!("Fargate profile {} selects namespace `{namespace}`", profile.label),
            )
        } else {
            continue;
        };
        let diag = diag.help(
            "run these pods on Linux EC2 nodes (or EKS Auto Mode), or give them credentials through IAM roles for service accounts: annotate the ServiceAccount with `eks.amazonaws.com/role-arn` and trust the cluster's OIDC provider in the role",
        );
        out.push(with_association_note(
            diag,
            linked,
            found.association,
            format!(
                "{} associates the ServiceAccount with a role",
                association.label
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::support::pod_identity::testing::{fargate_profile, linked};
    use crate::model::pod_identity::FargateProfile;

    const INPUT: &str = "apiVersion: eks.services.k8s.aws/v1alpha1\nkind: PodIdentityAssociation\nmetadata:\n  name: api\nspec:\n  clusterName: prod\n  namespace: payments\n  serviceAccount: api\n  roleARN: arn:aws:iam::483920175566:role/payments-api\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: payments\nspec:\n  template:\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          image: api:1\n";

    fn run(input: &str, profiles: Vec<FargateProfile>) -> Vec<Diagnostic> {
        let linked = linked(input, |m| m.pod_identity.fargate_profiles = profiles);
        let mut out = Vec::new();
        check(&linked, &mut out);
        out
    }

    #[test]
    fn a_fargate_profile_of_the_namespace_is_reported_at_the_service_account_name() {
        let out = run(INPUT, vec![fargate_profile(Some("prod"), "payments", &[])]);
        assert_eq!(out.len(), 1);
        let start = INPUT.find("serviceAccountName: api").unwrap() + "serviceAccountName: ".len();
        assert_eq!(out[0].primary.span.start as usize, start);
        assert!(
            out[0]
                .message
                .contains("Fargate profile `fargateProfiles[0]`")
        );
        assert_eq!(out[0].related.len(), 2);
    }

    #[test]
    fn an_unwritten_or_templated_cluster_may_be_the_same() {
        assert_eq!(
            run(INPUT, vec![fargate_profile(None, "payments", &[])]).len(),
            1
        );
        let templated = fargate_profile(Some("${var.cluster_name}"), "payments", &[]);
        assert_eq!(run(INPUT, vec![templated]).len(), 1);
    }

    #[test]
    fn near_misses_are_not_reported() {
        // Another cluster, another namespace, a selector with labels, a wildcard.
        for profile in [
            fargate_profile(Some("staging"), "payments", &[]),
            fargate_profile(Some("prod"), "payments-batch", &[]),
            fargate_profile(Some("prod"), "payments", &[("compute", "fargate")]),
            fargate_profile(Some("prod"), "pay*", &[]),
        ] {
            assert!(run(INPUT, vec![profile]).is_empty());
        }
        // IRSA too: the webhook gives Fargate pods credentials.
        let irsa = INPUT.replace(
            "  name: api\n  namespace: payments\n---",
            "  name: api\n  namespace: payments\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/payments-api\n---",
        );
        assert_ne!(irsa, INPUT);
        assert!(run(&irsa, vec![fargate_profile(Some("prod"), "payments", &[])]).is_empty());
    }

    #[test]
    fn windows_wins_over_fargate() {
        let windows = INPUT.replace(
            "      containers:",
            "      nodeSelector:\n        kubernetes.io/os: windows\n      containers:",
        );
        let out = run(
            &windows,
            vec![fargate_profile(Some("prod"), "payments", &[])],
        );
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("Windows nodes"));
    }
}

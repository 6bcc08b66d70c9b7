//! IRSA209 host-network-imds: a workload that uses IRSA runs with `hostNetwork: true`, so its pods
//! can also reach the node's instance role through the instance metadata service.
//!
//! IRSA narrows a pod's AWS access to its role only as long as the pod cannot fetch the node's
//! credentials. The usual guard is IMDSv2 with a response hop limit of 1, which stops packets that
//! cross the pod network's extra hop; a pod on the host network has no extra hop, so it reaches
//! 169.254.169.254 like the node itself and gets the node role (ECR pulls, EC2 describe calls,
//! whatever else the node role grants) next to its own.

use crate::check::support::objects::workload_label;
use crate::check::support::role_arn::role_display;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.irsa_workloads() {
        let Some(host) = workload.pod.host_network.as_ref().filter(|h| h.value) else {
            continue;
        };
        let Some(sa) = linked.irsa_service_account_of_workload(w) else {
            continue;
        };
        let mut diag = Diagnostic::new(
            registry::IRSA209,
            &workload.meta.source,
            host.span,
            format!(
                "{} uses IRSA (role `{}` of ServiceAccount `{}`) but runs on the host network: \
                 its pods reach the instance metadata service (169.254.169.254) like the node, \
                 whatever the IMDSv2 hop limit, and can take the node's instance role besides \
                 their own",
                workload_label(linked, w),
                sa.role_arn().map_or("", |a| role_display(a.text())),
                sa.meta.name_str()
            ),
        )
        .label("host network reaches IMDS")
        .help(
            "remove `hostNetwork: true` unless the pod needs it; otherwise keep the node role \
             minimal and block IMDS for these pods (e.g. with `HttpEndpoint=disabled` on nodes \
             dedicated to them, or a host firewall rule)",
        )
        .at_path(
            workload
                .meta
                .logical_path(&format!("{}.hostNetwork", workload.pod.path)),
        );
        if let Some(role) = sa.role_arn() {
            diag = diag.related(
                &sa.meta.source,
                role.value.span,
                "the role IRSA gives these pods",
            );
        }
        out.push(diag);
    }
}

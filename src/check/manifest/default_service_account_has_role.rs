//! IRSA206 default-service-account-has-role: the `default` ServiceAccount of a namespace carries
//! an IAM role.
//!
//! Every pod that names no `serviceAccountName` runs as its namespace's `default` ServiceAccount,
//! which Kubernetes creates in every namespace. With a role-arn annotation on it, the pod identity
//! webhook hands the role to all of them: sidecars, debug pods, third-party charts, CronJobs added
//! later, anything anyone with pod-create rights in the namespace starts. Least privilege needs a
//! dedicated ServiceAccount per workload that needs the role.
//!
//! An empty annotation is not a role (IRSA201 reports it). The message lists the input's workloads
//! that get the role implicitly, because they set no `serviceAccountName`.

use crate::check::support::annotations::annotation_path;
use crate::check::support::objects::name_span;
use crate::check::support::role_arn::role_display;
use crate::check::support::text::{MAX_LISTED, quote_list};
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, WorkloadId};
use crate::model::k8s::annotations;
use crate::registry;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        if sa.meta.name_str() != "default" {
            continue;
        }
        let Some(annotation) = sa.role_arn() else {
            continue;
        };
        if annotation.text().trim().is_empty() {
            continue;
        }
        let role = role_display(annotation.text());
        let ns = &linked.sa_namespace(i).name;
        // The input's workloads that run as `default` because they name no ServiceAccount.
        let implicit: Vec<WorkloadId> = linked
            .workloads_of(ns, "default")
            .iter()
            .copied()
            .filter(|&w| linked.workload_service_account(w).span.is_none())
            .collect();
        let names: Vec<String> = implicit
            .iter()
            .map(|&w| {
                let meta = &linked.workload(w).meta;
                format!("{}/{}", meta.kind.value, meta.name_str())
            })
            .collect();
        let among = if names.is_empty() {
            String::new()
        } else {
            format!(" (in this input: {})", quote_list(&names, MAX_LISTED))
        };
        let mut diag = Diagnostic::new(
            registry::IRSA206,
            &sa.meta.source,
            annotation.value.span,
            format!(
                "the `default` ServiceAccount of namespace `{ns}` carries role `{role}`: every pod \
                 of the namespace that sets no `serviceAccountName` gets its credentials{among}, \
                 including pods added later"
            ),
        )
        .label("role on the namespace's default ServiceAccount")
        .help(format!(
            "remove `{}` from `default`, create a dedicated ServiceAccount with this annotation \
             for the workloads that need the role, set their `serviceAccountName` to it, and \
             narrow the role's trust policy to `system:serviceaccount:{ns}:<that name>`",
            annotations::ROLE_ARN
        ))
        .related(
            &sa.meta.source,
            name_span(&sa.meta),
            "the namespace's default ServiceAccount",
        )
        .at_path(annotation_path(&sa.meta, annotations::ROLE_ARN));
        for &w in implicit.iter().take(MAX_LISTED) {
            let workload = linked.workload(w);
            diag = diag.related(
                &workload.meta.source,
                workload.pod.spec_key,
                format!(
                    "{} `{}` sets no serviceAccountName, so it runs as `default`",
                    workload.meta.kind.value,
                    workload.meta.name_str()
                ),
            );
        }
        out.push(diag);
    }
}

//! IRSA214 deprecated-service-account-field: the pod spec uses `serviceAccount`, the deprecated
//! alias of `serviceAccountName`.
//!
//! Kubernetes keeps `spec.serviceAccount` only for compatibility ("DeprecatedServiceAccount is a
//! deprecated alias for ServiceAccountName"). When decoding a pod, the API server takes
//! `serviceAccountName`, and only when that is empty falls back to `serviceAccount`; the EKS pod
//! identity webhook then looks the role up from `serviceAccountName`. So:
//!
//! - `serviceAccount` alone works today, but tools and reviewers that read `serviceAccountName`
//!   see a pod running as `default` (warning);
//! - both set and different: the pods run as `serviceAccountName`, and the ServiceAccount named by
//!   `serviceAccount` (and the role it may carry) is silently ignored (error);
//! - both set and equal: redundant (info: the API server itself writes both fields into the pods
//!   it returns, so `kubectl get -o yaml` output and charts copied from it carry both, harmlessly).
//!
//! An empty `serviceAccount: ""` is ignored, as Kubernetes does.

use crate::check::support::objects::workload_label;
use crate::check::support::role_arn::annotated_role;
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Linked;
use crate::registry::IRSA214;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        let pod = &workload.pod;
        let Some(deprecated) = pod.service_account.as_ref().filter(|s| !s.value.is_empty()) else {
            continue;
        };
        let label = workload_label(linked, w);
        let source = &workload.meta.source;
        let path = workload
            .meta
            .logical_path(&format!("{}.serviceAccount", pod.path));
        let current = pod
            .service_account_name
            .as_ref()
            .filter(|s| !s.value.is_empty());
        let diag = match current {
            None => Diagnostic::new(
                IRSA214,
                source,
                deprecated.span,
                format!(
                    "{label} names its ServiceAccount `{}` with the deprecated `serviceAccount` field: Kubernetes still honours it when `serviceAccountName` is absent, but tools and reviewers that read `serviceAccountName` see pods running as `default`",
                    deprecated.value
                ),
            )
            .label("deprecated alias of `serviceAccountName`")
            .help(format!(
                "rename the field: `serviceAccountName: {}`",
                deprecated.value
            )),
            Some(name) if name.value == deprecated.value => Diagnostic::new(
                IRSA214,
                source,
                deprecated.span,
                format!(
                    "{label} repeats its ServiceAccount `{}` in the deprecated `serviceAccount` field: Kubernetes reads `serviceAccountName` and ignores it",
                    deprecated.value
                ),
            )
            .severity(Severity::Info)
            .label("redundant deprecated field")
            .help("remove `serviceAccount`; `serviceAccountName` already names the ServiceAccount")
            .related(source, name.span, "the field Kubernetes uses"),
            Some(name) => {
                let ns = &linked.workload_namespace(w).name;
                // The role the ignored ServiceAccount would have given, when the input defines it.
                let lost_role = linked
                    .service_accounts_named(ns, &deprecated.value)
                    .iter()
                    .find_map(|&i| annotated_role(linked.service_account(i)))
                    .map(|arn| format!(", so they never get its role `{}`", arn.name))
                    .unwrap_or_default();
                Diagnostic::new(
                    IRSA214,
                    source,
                    deprecated.span,
                    format!(
                        "{label} sets `serviceAccountName: {}` and the deprecated `serviceAccount: {}`: Kubernetes runs its pods as `{}`, not as `{}`{lost_role}",
                        name.value, deprecated.value, name.value, deprecated.value
                    ),
                )
                .severity(Severity::Error)
                .label(format!("ignored: the pods run as `{}`", name.value))
                .help(format!(
                    "remove `serviceAccount` and put the ServiceAccount the pods should run as in `serviceAccountName` (`{}` or `{}`)",
                    name.value, deprecated.value
                ))
                .related(source, name.span, "the ServiceAccount Kubernetes uses")
            }
        };
        out.push(diag.at_path(path));
    }
}

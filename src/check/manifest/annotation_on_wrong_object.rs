//! IRSA203 annotation-on-wrong-object: an `eks.amazonaws.com/` annotation on an object the EKS pod
//! identity webhook does not read it from.
//!
//! The webhook reads `role-arn`, `audience` and `sts-regional-endpoints` from the pod's
//! ServiceAccount only; `skip-containers` from the pod only; `token-expiration` from both (the
//! pod's wins). A pod is what the webhook sees, so on a Deployment (or any controller) only the
//! pod template's `metadata.annotations` count: the controller's own annotations are not copied to
//! its pods. Reported:
//!
//! - `role-arn`, `audience`, `sts-regional-endpoints` on a workload's metadata, its pod template or
//!   a Pod (only ServiceAccounts are read);
//! - `skip-containers` on a ServiceAccount, and `skip-containers` / `token-expiration` on a
//!   controller's own metadata rather than its pod template (only pods are read).
//!
//! Severity: error, since the setting has no effect; a warning when the annotation only repeats
//! what the ServiceAccount the pods run as already says (same key, same value), which is harmless
//! clutter.

use crate::check::support::annotations::{annotation_path, pod_annotations_path};
use crate::check::support::objects::{name_span, sa_label, workload_label};
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Linked;
use crate::model::k8s::{Annotation, annotations};
use crate::registry;

/// Keys the webhook reads from ServiceAccounts only.
const SERVICE_ACCOUNT_KEYS: [&str; 3] = [
    annotations::ROLE_ARN,
    annotations::AUDIENCE,
    annotations::STS_REGIONAL_ENDPOINTS,
];

/// Keys the webhook reads from pods (`token-expiration` from ServiceAccounts too).
const POD_KEYS: [&str; 2] = [annotations::SKIP_CONTAINERS, annotations::TOKEN_EXPIRATION];

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(a) = sa.meta.annotation(annotations::SKIP_CONTAINERS) else {
            continue;
        };
        out.push(
            Diagnostic::new(
                registry::IRSA203,
                &sa.meta.source,
                a.key.span,
                format!(
                    "`{}` on ServiceAccount `{}` has no effect: the webhook reads it from each \
                     pod's own annotations only, so every container of its pods still gets the \
                     credentials",
                    annotations::SKIP_CONTAINERS,
                    sa_label(linked, i)
                ),
            )
            .label("only read on pods")
            .help(format!(
                "move `{}` to the `metadata.annotations` of the pod template of each workload \
                 that runs as this ServiceAccount",
                annotations::SKIP_CONTAINERS
            ))
            .at_path(annotation_path(&sa.meta, annotations::SKIP_CONTAINERS)),
        );
    }

    for (w, workload) in linked.workloads() {
        let label = workload_label(linked, w);
        let is_pod = workload.pod.path == "spec";
        let template = pod_annotations_path(workload);
        // The ServiceAccount annotation this one repeats, if the pods' ServiceAccount already
        // carries it with the same value.
        let on_service_account = |a: &Annotation| {
            linked.service_accounts_of_workload(w).find_map(|sa| {
                let own = sa.meta.annotation(&a.key.value)?;
                (own.text().trim() == a.text().trim()).then_some((sa, own))
            })
        };
        let sa_only = |a: &Annotation, place: &str, path: String, out: &mut Vec<Diagnostic>| {
            let key = a.key.value.as_str();
            let sa_name = &linked.workload_service_account(w).name;
            let ns = &linked.workload_namespace(w).name;
            let repeated = on_service_account(a);
            let message = if repeated.is_some() {
                format!(
                    "`{key}` on {place} of {label} is never read: the webhook takes it from the \
                     ServiceAccount `{ns}/{sa_name}` only, which already sets the same value"
                )
            } else {
                format!(
                    "`{key}` on {place} of {label} has no effect: the webhook reads it from the \
                     pods' ServiceAccount (`{ns}/{sa_name}`) only, so the pods do not get this \
                     setting"
                )
            };
            let mut diag = Diagnostic::new(
                registry::IRSA203,
                &workload.meta.source,
                a.key.span,
                message,
            )
            .label("only read on ServiceAccounts")
            .help(if repeated.is_some() {
                format!("remove `{key}` here; the ServiceAccount's annotation is the one in effect")
            } else {
                format!(
                    "move `{key}` to the `metadata.annotations` of ServiceAccount \
                         `{ns}/{sa_name}`, which the pods run as"
                )
            })
            .at_path(path);
            if let Some((sa, own)) = repeated {
                diag = diag.severity(Severity::Warning).related(
                    &sa.meta.source,
                    own.key.span,
                    "the ServiceAccount's annotation, which is read",
                );
            } else if let Some(sa) = linked.service_accounts_of_workload(w).next() {
                diag = diag.related(
                    &sa.meta.source,
                    name_span(&sa.meta),
                    "the ServiceAccount the pods run as",
                );
            }
            out.push(diag);
        };

        if !is_pod {
            for a in &workload.meta.annotations {
                let key = a.key.value.as_str();
                let path = annotation_path(&workload.meta, key);
                if SERVICE_ACCOUNT_KEYS.contains(&key) {
                    sa_only(a, "the metadata", path, out);
                } else if POD_KEYS.contains(&key) {
                    let in_template = workload.pod.annotations.iter().any(|t| t.key.value == key);
                    let mut diag = Diagnostic::new(
                        registry::IRSA203,
                        &workload.meta.source,
                        a.key.span,
                        format!(
                            "`{key}` on the metadata of {label} has no effect: the webhook reads \
                             it from the pods' own annotations, and a {} does not copy its \
                             annotations to the pods it creates",
                            workload.meta.kind.value
                        ),
                    )
                    .label("not copied to the pods")
                    .help(if in_template {
                        format!("remove `{key}` here; the pod template's annotation is the one in effect")
                    } else {
                        format!("move `{key}` to `{template}`")
                    })
                    .at_path(path);
                    if in_template {
                        diag = diag.severity(Severity::Warning);
                    }
                    out.push(diag);
                }
            }
        }
        let place = if is_pod {
            "the metadata"
        } else {
            "the pod template"
        };
        for a in &workload.pod.annotations {
            let key = a.key.value.as_str();
            if SERVICE_ACCOUNT_KEYS.contains(&key) {
                let path = workload.meta.logical_path(&format!("{template}.{key}"));
                sa_only(a, place, path, out);
            }
        }
    }
}

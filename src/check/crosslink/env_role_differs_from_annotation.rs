//! IRSA313 env-role-differs-from-annotation: a container of an IRSA workload sets `AWS_ROLE_ARN`
//! to another role than its ServiceAccount's annotation.
//!
//! The EKS pod identity webhook does not overwrite environment variables a container already
//! sets: it adds `AWS_ROLE_ARN` only when the container has none. So the container's own value
//! wins, and the SDK assumes that role with the ServiceAccount's token — the annotation is
//! silently ignored for this container. Either the pod gets a different role than reviewers
//! expect, or, when that role's trust does not admit the ServiceAccount, `AccessDenied`.
//!
//! Containers the webhook skips (`eks.amazonaws.com/skip-containers` on the pod) are left alone,
//! as are values that are not literal (`valueFrom`, `$(VAR)` references).

use crate::check::support::env::ROLE_ARN_VAR;
use crate::check::support::objects::{sa_label, workload_label};
use crate::check::support::role_arn::role_arn_annotation;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::arn::parse_role_arn;
use crate::model::k8s::annotations;
use crate::registry::IRSA313;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        let Some((sa_index, (annotation, annotated))) = linked
            .service_account_ids_of_workload(w)
            .iter()
            .find_map(|&i| role_arn_annotation(linked.service_account(i)).map(|a| (i, a)))
        else {
            continue;
        };
        if annotated.is_empty() {
            continue;
        }
        let sa = linked.service_account(sa_index);
        // The webhook's skip list: container names, comma separated (whitespace trimmed).
        let skipped: Vec<&str> = workload
            .pod
            .annotations
            .iter()
            .find(|a| a.key.value == annotations::SKIP_CONTAINERS)
            .and_then(|a| a.value.scalar_text())
            .map(|t| {
                t.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for container in &workload.pod.containers {
            if skipped.contains(&container.name.value.as_str()) {
                continue;
            }
            let Some(var) = container.env_var(ROLE_ARN_VAR) else {
                continue;
            };
            let Some(value) = &var.value else { continue };
            let set = value.value.trim();
            if set.is_empty() || set.contains("$(") || set == annotated {
                continue;
            }
            let name_of =
                |arn: &str| parse_role_arn(arn).map_or(arn.to_string(), |a| a.name.to_string());
            let message = format!(
                "container `{}` of {} sets `AWS_ROLE_ARN` to role `{}`, and the webhook keeps that value: the SDK assumes it instead of role `{}` that ServiceAccount `{}` names",
                container.name.value,
                workload_label(linked, w),
                name_of(set),
                name_of(annotated),
                sa_label(linked, sa_index)
            );
            let kind = if container.init {
                "initContainers"
            } else {
                "containers"
            };
            let path = workload.meta.logical_path(&format!(
                "{}.{kind}[{}].env.AWS_ROLE_ARN",
                workload.pod.path, container.index
            ));
            out.push(
                Diagnostic::new(IRSA313, &workload.meta.source, value.span, message)
                    .label("overrides the ServiceAccount's role")
                    .help(format!(
                        "remove `AWS_ROLE_ARN` from the container (the webhook sets it to `{annotated}`), or annotate the ServiceAccount with the role the container needs"
                    ))
                    .related(&sa.meta.source, annotation.value.span, "the ServiceAccount's role")
                    .at_path(path),
            );
        }
    }
}

//! The linked model's objects as rules name them: labels (`payments/api`, a workload's kind,
//! namespace and name, a ServiceAccount with the workloads that run as it), name spans and paths.
//! Who runs as whom is the link stage's answer (`Linked::service_accounts_of_workload`, ...).

use crate::link::{Linked, SaId, WorkloadId};
use crate::model::k8s::{ObjectMeta, Workload};
use crate::source::Span;

/// `namespace/name` of ServiceAccount `sa` (effective namespace).
pub fn sa_label(linked: &Linked, sa: SaId) -> String {
    format!(
        "{}/{}",
        linked.sa_namespace(sa).name,
        linked.service_account(sa).meta.name_str()
    )
}

/// `Deployment \`payments/api\`` for workload `w` (effective namespace).
pub fn workload_label(linked: &Linked, w: WorkloadId) -> String {
    let meta = &linked.workload(w).meta;
    let name = match meta.name_str() {
        "" => "(unnamed)",
        name => name,
    };
    format!(
        "{} `{}/{}`",
        meta.kind.value,
        linked.workload_namespace(w).name,
        name
    )
}

/// "`payments/api` (run by Deployment `payments/api`)" for messages.
pub fn sa_with_workloads(linked: &Linked, sa: SaId) -> String {
    let workloads = linked.workloads_of_service_account(sa);
    describe_with_workloads(linked, &sa_label(linked, sa), workloads)
}

/// "`ns/name` (run by Deployment `ns/a` and Job `ns/b`)".
pub fn describe_with_workloads(linked: &Linked, label: &str, workloads: &[WorkloadId]) -> String {
    if workloads.is_empty() {
        return format!("`{label}`");
    }
    let names: Vec<String> = workloads
        .iter()
        .take(2)
        .map(|&w| workload_label(linked, w))
        .collect();
    let more = workloads.len().saturating_sub(2);
    let list = if more > 0 {
        format!("{} and {more} more", names.join(", "))
    } else {
        names.join(" and ")
    };
    format!("`{label}` (run by {list})")
}

/// The logical path of a workload's `serviceAccountName`.
pub fn service_account_name_path(workload: &Workload) -> String {
    let field =
        if workload.pod.service_account_name.is_none() && workload.pod.service_account.is_some() {
            "serviceAccount"
        } else {
            "serviceAccountName"
        };
    workload
        .meta
        .logical_path(&format!("{}.{field}", workload.pod.path))
}

/// The span of an object's `metadata.name` value, else its `metadata` key, else the object.
pub fn name_span(meta: &ObjectMeta) -> Span {
    meta.name
        .as_ref()
        .map(|n| n.span)
        .or(meta.metadata_key)
        .unwrap_or(meta.span)
}

/// `diag` with ServiceAccount `namespace/name` of the input as a related location ("did you mean"),
/// when the input defines it.
pub fn with_suggested_service_account(
    diag: crate::diagnostic::Diagnostic,
    linked: &Linked,
    namespace: &str,
    name: Option<&str>,
) -> crate::diagnostic::Diagnostic {
    let Some(name) = name else {
        return diag;
    };
    let Some(&i) = linked.service_accounts_named(namespace, name).first() else {
        return diag;
    };
    let meta = &linked.service_account(i).meta;
    diag.related(
        &meta.source,
        name_span(meta),
        format!("ServiceAccount `{namespace}/{name}` is defined here"),
    )
}

/// The name of a ServiceAccount of `namespace` in the input close to `name` (a likely typo).
pub fn similar_service_account<'a>(
    linked: &'a Linked,
    namespace: &str,
    name: &str,
) -> Option<&'a str> {
    crate::check::support::text::similar_name(
        name,
        linked
            .service_accounts()
            .filter(|(i, _)| linked.sa_namespace(*i).name == namespace)
            .map(|(_, sa)| sa.meta.name_str()),
    )
}

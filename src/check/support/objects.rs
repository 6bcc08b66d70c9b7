//! The linked model's objects as rules name them: labels (`payments/api`, a workload's kind,
//! namespace and name), name spans and paths, and who runs as whom (a workload's ServiceAccounts,
//! a ServiceAccount's workloads, the workloads that use IRSA).

use crate::link::Linked;
use crate::model::k8s::{ObjectMeta, ServiceAccount, Workload};
use crate::source::Span;

/// `namespace/name` of ServiceAccount `sa` (effective namespace).
pub fn sa_label(linked: &Linked, sa: usize) -> String {
    format!(
        "{}/{}",
        linked.sa_namespaces[sa].name,
        linked.model.service_accounts[sa].meta.name_str()
    )
}

/// `Deployment \`payments/api\`` for workload `w` (effective namespace).
pub fn workload_label(linked: &Linked, w: usize) -> String {
    let meta = &linked.model.workloads[w].meta;
    let name = match meta.name_str() {
        "" => "(unnamed)",
        name => name,
    };
    format!(
        "{} `{}/{}`",
        meta.kind.value, linked.workload_namespaces[w].name, name
    )
}

/// The workloads of the input that run as ServiceAccount `sa`.
pub fn workloads_of_sa(linked: &Linked, sa: usize) -> &[usize] {
    linked.workloads_of(
        &linked.sa_namespaces[sa].name,
        linked.model.service_accounts[sa].meta.name_str(),
    )
}

/// "`payments/api` (run by Deployment `payments/api`)" for messages.
pub fn sa_with_workloads(linked: &Linked, sa: usize) -> String {
    let workloads = workloads_of_sa(linked, sa);
    describe_with_workloads(linked, &sa_label(linked, sa), workloads)
}

/// "`ns/name` (run by Deployment `ns/a` and Job `ns/b`)".
pub fn describe_with_workloads(linked: &Linked, label: &str, workloads: &[usize]) -> String {
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

/// The ServiceAccounts of the input a workload runs as (its effective ServiceAccount in its
/// effective namespace; several when the input defines it more than once).
pub fn service_accounts_of<'a>(
    linked: &'a Linked,
    workload: usize,
) -> impl Iterator<Item = &'a ServiceAccount> + 'a {
    let ns = &linked.workload_namespaces[workload].name;
    let sa = &linked.workload_service_accounts[workload].name;
    linked
        .service_accounts_named(ns, sa)
        .iter()
        .map(|&i| &linked.model.service_accounts[i])
}

/// True when a workload runs as a ServiceAccount of the input that carries a role-arn
/// annotation: the webhook will inject IRSA credentials into its pods.
pub fn uses_irsa(linked: &Linked, workload: usize) -> bool {
    service_accounts_of(linked, workload).any(ServiceAccount::is_irsa)
}

/// The workloads that use IRSA, with their index.
pub fn irsa_workloads(linked: &Linked) -> impl Iterator<Item = (usize, &Workload)> {
    linked
        .model
        .workloads
        .iter()
        .enumerate()
        .filter(move |(i, _)| uses_irsa(linked, *i))
}

/// The IRSA ServiceAccount a workload runs as.
pub fn irsa_service_account(linked: &Linked, w: usize) -> Option<&ServiceAccount> {
    service_accounts_of(linked, w).find(|sa| sa.is_irsa())
}

//! IRSA301 service-account-not-found: a workload names a ServiceAccount that the input defines in
//! no namespace, although it defines ServiceAccounts.
//!
//! The ServiceAccount admission plugin rejects a pod whose `serviceAccountName` does not exist in
//! its namespace, so the controller creates no pod (`serviceaccount "<name>" not found`); and the
//! EKS pod identity webhook, which reads the role from that ServiceAccount, has nothing to inject.
//! When the input defines no ServiceAccount at all, it is probably a partial view (ServiceAccounts
//! created by `eksctl create iamserviceaccount` or Terraform), so the rule stays quiet; a
//! ServiceAccount defined in another namespace is IRSA302's finding; `default` always exists.

use crate::check::support::objects::{
    service_account_name_path, similar_service_account, with_suggested_service_account,
    workload_label,
};
use crate::check::support::placeholders::looks_like_placeholder;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA301;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    if !linked.defines_service_accounts() {
        return;
    }
    for (w, workload) in linked.workloads() {
        let sa = &linked.workload_service_account(w);
        let Some(span) = sa.span else { continue };
        if sa.name == "default" || looks_like_placeholder(&sa.name) {
            continue;
        }
        if !linked
            .service_accounts_in_any_namespace(&sa.name)
            .is_empty()
        {
            continue;
        }
        let ns = &linked.workload_namespace(w).name;
        // A ServiceAccount of the same namespace with a close name: likely a typo.
        let suggestion = similar_service_account(linked, ns, &sa.name);
        let where_defined = if linked.defines_service_accounts_in(ns) {
            format!(
                "the input defines ServiceAccounts in namespace `{ns}` but none named `{}`",
                sa.name
            )
        } else {
            format!(
                "the input defines no ServiceAccount `{}` in any namespace",
                sa.name
            )
        };
        let message = format!(
            "{} runs as ServiceAccount `{}`, but {where_defined}: unless it is created elsewhere, its pods are rejected (`serviceaccount \"{}\" not found`)",
            workload_label(linked, w),
            sa.name,
            sa.name
        );
        let help = match suggestion {
            Some(name) => format!(
                "did you mean `{name}`? Otherwise add the ServiceAccount `{}` to namespace `{ns}` next to the {}",
                sa.name, workload.meta.kind.value
            ),
            None => format!(
                "add a ServiceAccount `{}` in namespace `{ns}` (with its `eks.amazonaws.com/role-arn` annotation if the pods need AWS access), or fix the name",
                sa.name
            ),
        };
        let diag = Diagnostic::new(IRSA301, &workload.meta.source, span, message)
            .label(format!("no ServiceAccount `{}` in the input", sa.name))
            .help(help)
            .at_path(service_account_name_path(workload));
        out.push(with_suggested_service_account(diag, linked, ns, suggestion));
    }
}

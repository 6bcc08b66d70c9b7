//! IRSA411 pod-identity-association-missing-objects: an EKS Pod Identity association names a
//! ServiceAccount that the input does not define, although it defines ServiceAccounts in that
//! namespace.
//!
//! EKS accepts an association for a ServiceAccount that does not exist (the association is an
//! EKS API object, checked against nothing in the cluster), and it gives credentials to no pod
//! until a ServiceAccount of that name runs pods in that namespace. When the input defines the
//! namespace's ServiceAccounts, a name it does not define is likely a typo or a leftover; when it
//! defines none there, the ServiceAccounts probably live elsewhere (a chart, another repository),
//! so the rule stays quiet. Names with template holes are skipped.

use crate::check::support::objects::{similar_service_account, with_suggested_service_account};
use crate::check::support::pod_identity::literal;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA411;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, association) in linked.associations() {
        let (Some(namespace), Some(name)) = (
            literal(association.namespace.as_ref()),
            literal(association.service_account.as_ref()),
        ) else {
            continue;
        };
        let Some(at) = association.service_account.as_ref() else {
            continue;
        };
        if association.service_account_created
            || !linked.association_links(id).service_accounts.is_empty()
            || !linked.defines_service_accounts_in(namespace)
        {
            continue;
        }
        let suggestion = similar_service_account(linked, namespace, name);
        let elsewhere: Vec<String> = linked
            .service_accounts_in_any_namespace(name)
            .iter()
            .map(|&i| format!("`{}`", linked.sa_namespace(i).name))
            .collect();
        let mut message = format!(
            "{} gives a role to ServiceAccount `{namespace}/{name}`, but the input defines ServiceAccounts in namespace `{namespace}` and none named `{name}`: no pod gets this role until that ServiceAccount exists and pods run as it",
            association.label
        );
        if !elsewhere.is_empty() {
            message.push_str(&format!(
                " (a ServiceAccount `{name}` is defined in namespace {})",
                elsewhere.join(", ")
            ));
        }
        let help = match suggestion {
            Some(other) => format!(
                "did you mean `{other}`? Otherwise define ServiceAccount `{name}` in namespace `{namespace}`, or delete the association if nothing uses it"
            ),
            None => format!(
                "fix the association's namespace or ServiceAccount, define ServiceAccount `{name}` in namespace `{namespace}`, or delete the association if nothing uses it"
            ),
        };
        let diag = Diagnostic::new(IRSA411, &association.source, at.span, message)
            .label(format!(
                "no ServiceAccount `{namespace}/{name}` in the input"
            ))
            .help(help)
            .at_path(format!("{}#serviceAccount", association.logical_path));
        out.push(with_suggested_service_account(
            diag, linked, namespace, suggestion,
        ));
    }
}

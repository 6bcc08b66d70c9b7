//! IRSA217 namespace-defaulted: an IRSA finding rests on a namespace the manifest does not state.
//!
//! An object without `metadata.namespace`, not covered by a kustomization's `namespace:`, lands in
//! whatever namespace it is applied to (`kubectl apply -n …`, the Argo CD application, the current
//! context). irsa-lint links it as if it were in `--default-namespace` (`default`), and IRSA is
//! namespace-bound: the token's subject is `system:serviceaccount:<namespace>:<name>`, and a pod
//! only runs as a ServiceAccount of its own namespace. So every link and verdict about such an
//! object holds only if that guess is right. Reported, once per object, on:
//!
//! - an IRSA ServiceAccount (one with a role-arn annotation) whose namespace was defaulted: its
//!   subject, and the trust-policy verdict, assume that namespace;
//! - a workload whose namespace was defaulted and that either runs as an IRSA ServiceAccount of
//!   the input, or names a ServiceAccount that the input defines only in other namespaces (the
//!   lookup failed because of the guess; IRSA302 reports the failure itself).
//!
//! It points at the `metadata` key (where `namespace:` belongs), or at the kind when there is no
//! `metadata`. Info: nothing may be wrong once the object is applied with the right `-n`.

use crate::check::support::objects::{name_span, sa_label, workload_label};
use crate::check::support::roles::role_name;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::ObjectMeta;
use crate::registry::IRSA217;
use crate::source::Span;

/// Where to point for a missing namespace: the `metadata` key, else the kind.
fn anchor(meta: &ObjectMeta) -> Span {
    meta.metadata_key.unwrap_or(meta.kind.span)
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    let ns = &linked.options.default_namespace;
    let help = format!(
        "set `namespace:` under `metadata` (or list the file in a kustomization with `namespace:`); if it is always applied with `-n`, pass that namespace as `--default-namespace` (now `{ns}`)"
    );
    for (i, sa) in linked.service_accounts() {
        if !sa.is_irsa() || !linked.sa_namespace(i).is_defaulted() {
            continue;
        }
        let label = sa_label(linked, i);
        let role = match (linked.annotation_binding(i), linked.verdict(i)) {
            (_, Some(verdict)) => format!(
                ", and role `{}`'s trust policy was checked against subject `system:serviceaccount:{ns}:{}`",
                role_name(linked, verdict.policy),
                sa.meta.name_str()
            ),
            (Some(binding), None) => {
                format!(
                    " and linked to role `{}`",
                    role_name(linked, binding.policy)
                )
            }
            _ => String::new(),
        };
        let workloads = linked.workloads_of_service_account(i).len();
        let users = match workloads {
            0 => String::new(),
            1 => ", matched with 1 workload".to_string(),
            n => format!(", matched with {n} workloads"),
        };
        out.push(
            Diagnostic::new(
                IRSA217,
                &sa.meta.source,
                anchor(&sa.meta),
                format!(
                    "ServiceAccount `{}` sets no namespace, so it was linked as `{label}` (the default namespace){users}{role}: applied to another namespace, its pods present another subject and these results do not hold",
                    sa.meta.name_str()
                ),
            )
            .label(format!("no `namespace:`, assumed `{ns}`"))
            .help(help.clone())
            .at_path(sa.meta.logical_path("metadata.namespace")),
        );
    }
    for (w, workload) in linked.workloads() {
        if !linked.workload_namespace(w).is_defaulted() {
            continue;
        }
        let sa = &linked.workload_service_account(w);
        let label = workload_label(linked, w);
        let irsa_sa = linked
            .service_account_ids_of_workload(w)
            .iter()
            .copied()
            .find(|&i| linked.service_account(i).is_irsa());
        let (message, related) = if let Some(first) = irsa_sa {
            let meta = &linked.service_account(first).meta;
            (
                format!(
                    "{label} sets no namespace, so it was linked to IRSA ServiceAccount `{}` of the default namespace `{ns}`: applied to another namespace, its pods run as that namespace's `{}` (with another role, or none)",
                    sa_label(linked, first),
                    sa.name
                ),
                Some((meta, "the ServiceAccount it was linked to")),
            )
        } else {
            let elsewhere = linked.nearest_service_accounts(
                workload.meta.file(),
                linked.service_accounts_in_any_namespace(&sa.name),
            );
            if sa.span.is_none()
                || sa.name == "default"
                || !linked.service_accounts_named(ns, &sa.name).is_empty()
                || elsewhere.is_empty()
            {
                continue;
            }
            let meta = &linked.service_account(elsewhere[0]).meta;
            (
                format!(
                    "{label} sets no namespace, so it was assumed to run in `{ns}`, where the input defines no ServiceAccount `{}` (it is defined in namespace `{}`): the ServiceAccount lookup depends on the namespace it is applied to",
                    sa.name,
                    linked.sa_namespace(elsewhere[0]).name
                ),
                Some((meta, "the ServiceAccount is defined here")),
            )
        };
        let mut diag = Diagnostic::new(
            IRSA217,
            &workload.meta.source,
            anchor(&workload.meta),
            message,
        )
        .label(format!("no `namespace:`, assumed `{ns}`"))
        .help(help.clone())
        .at_path(workload.meta.logical_path("metadata.namespace"));
        if let Some((meta, text)) = related {
            diag = diag.related(&meta.source, name_span(meta), text);
        }
        out.push(diag);
    }
}

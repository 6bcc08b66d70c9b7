//! IRSA310 service-account-unused: an IRSA ServiceAccount that no workload of the input runs as.
//!
//! A ServiceAccount that carries a role but no pod uses is either dead configuration (a role that
//! can still be assumed by anyone who creates a pod with it) or the sign of a wiring mistake: the
//! workload that should use it names another ServiceAccount or none. Information only: pods may
//! come from elsewhere (an operator installed by other means, `kubectl run`).
//!
//! A custom resource whose operator runs pods as a ServiceAccount it names (an
//! `OpenTelemetryCollector`'s `spec.serviceAccount`, a `SparkApplication`'s driver and executor,
//! a `SecretStore`'s `serviceAccountRef`; the link stage's `references_of_service_account`) uses
//! it as a workload does. One that names it from another namespace does not: its pods run in
//! their own namespace. The finding then points at that reference too, since no other rule
//! reports the mistake there.
//!
//! Quiet when the input has no workload at all (a ServiceAccounts-only directory, or one of
//! ServiceAccounts and custom resources), and when a workload names it from another namespace
//! (IRSA302 reports that, at the workload).

use crate::check::support::objects::{name_span, sa_label};
use crate::check::support::role_arn::role_arn_annotation;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::ServiceAccountReference;
use crate::registry::IRSA310;

/// At most this many references from other namespaces are pointed at.
const MAX_RELATED: usize = 3;

/// ``OpenTelemetryCollector `ledger-metrics` `` (name as written).
fn object_label(reference: &ServiceAccountReference) -> String {
    let name = match reference.meta.name_str() {
        "" => "(unnamed)",
        name => name,
    };
    format!("{} `{name}`", reference.meta.kind.value)
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    if linked.model.workloads.is_empty() {
        return;
    }
    for (i, sa) in linked.service_accounts() {
        let Some((_, arn)) = role_arn_annotation(sa) else {
            continue;
        };
        let name = sa.meta.name_str();
        if name.is_empty()
            || !linked.workloads_of_service_account(i).is_empty()
            || linked.references_of_service_account(i).next().is_some()
        {
            continue;
        }
        let named_elsewhere = linked
            .workload_service_accounts()
            .any(|(_, w)| w.span.is_some() && w.name == name);
        if named_elsewhere {
            continue;
        }
        let message = format!(
            "ServiceAccount `{}` carries role `{arn}`, but no workload of the input runs as it: the role is unused here, or the workload meant to use it names another ServiceAccount",
            sa_label(linked, i)
        );
        // Custom resources that name it from another namespace: the likely wiring mistake.
        let elsewhere: Vec<_> = linked
            .service_account_references()
            .filter_map(|(r, ns)| Some((r, ns?)))
            .filter(|(r, _)| r.name.value == name)
            .take(MAX_RELATED)
            .collect();
        let sa_ns = &linked.sa_namespace(i).name;
        let help = match elsewhere.first() {
            Some((reference, ns)) if ns.is_defaulted() => format!(
                "add `namespace: {sa_ns}` under the {kind}'s `metadata` (or apply it with `-n {sa_ns}`), or define ServiceAccount `{name}` in namespace `{}` and admit `system:serviceaccount:{}:{name}` in the role's trust policy",
                ns.name,
                ns.name,
                kind = reference.meta.kind.value,
            ),
            Some((reference, ns)) => format!(
                "define ServiceAccount `{name}` in namespace `{}`, where {} looks it up, and admit `system:serviceaccount:{}:{name}` in the role's trust policy (or move the {} to namespace `{sa_ns}`); delete this ServiceAccount if nothing else needs it",
                ns.name,
                object_label(reference),
                ns.name,
                reference.meta.kind.value,
            ),
            None => format!(
                "set `serviceAccountName: {name}` in the pod spec of the workload that needs the role, or delete the ServiceAccount if nothing does"
            ),
        };
        let mut diagnostic =
            Diagnostic::new(IRSA310, &sa.meta.source, name_span(&sa.meta), message)
                .label("no workload runs as this ServiceAccount")
                .help(help)
                .at_path(sa.meta.logical_path("metadata.name"));
        for (reference, ns) in elsewhere {
            diagnostic = diagnostic.related(
                &reference.meta.source,
                reference.name.span,
                format!(
                    "{} names it in `{}`, which means a ServiceAccount of namespace `{}`{}",
                    object_label(reference),
                    reference.path,
                    ns.name,
                    if ns.is_defaulted() {
                        " (it sets no `metadata.namespace`)"
                    } else {
                        ""
                    }
                ),
            );
        }
        out.push(diagnostic);
    }
}

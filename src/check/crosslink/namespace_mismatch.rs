//! IRSA302 namespace-mismatch: a workload names a ServiceAccount that the input defines only in
//! another namespace.
//!
//! A pod can only run as a ServiceAccount of its own namespace: the ServiceAccount admission
//! plugin looks `spec.serviceAccountName` up in the pod's namespace and rejects the pod when it is
//! not there (`error looking up service account <ns>/<name>: serviceaccount "<name>" not found`),
//! so the controller creates no pod at all. The usual cause is a manifest without
//! `metadata.namespace` applied without `-n` (it lands in `default`) while its ServiceAccount names
//! its namespace, or a kustomization whose `namespace:` covers one file and not the other.
//!
//! `default` is never reported: Kubernetes creates a `default` ServiceAccount in every namespace.

use crate::check::support::objects::{
    describe_with_workloads, name_span, service_account_name_path,
};
use crate::check::support::role_arn::role_arn_annotation;
use crate::check::support::text::quote_list;
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, NamespaceOrigin};
use crate::model::arn::parse_role_arn;
use crate::registry::IRSA302;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        let sa = &linked.workload_service_account(w);
        let Some(span) = sa.span else { continue };
        if sa.name == "default" {
            continue;
        }
        let ns = &linked.workload_namespace(w);
        if !linked.service_accounts_named(&ns.name, &sa.name).is_empty() {
            continue;
        }
        // The nearest definitions: another environment's copy is not what the workload meant.
        let found = linked.nearest_service_accounts(
            workload.meta.file(),
            linked.service_accounts_in_any_namespace(&sa.name),
        );
        if found.is_empty() {
            continue;
        }
        let mut namespaces: Vec<&str> = found
            .iter()
            .map(|&i| linked.sa_namespace(i).name.as_str())
            .collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        let where_ns = match &ns.origin {
            NamespaceOrigin::Explicit(_) => format!("namespace `{}`", ns.name),
            NamespaceOrigin::Kustomization { .. } => {
                format!("namespace `{}` (set by its kustomization)", ns.name)
            }
            NamespaceOrigin::Defaulted => {
                format!("namespace `{}` (it sets no `metadata.namespace`)", ns.name)
            }
        };
        let role = found
            .iter()
            .find_map(|&i| role_arn_annotation(linked.service_account(i)))
            .map(|(_, arn)| {
                let name = parse_role_arn(arn).map_or(arn, |a| a.name);
                format!(" and never get role `{name}`")
            })
            .unwrap_or_default();
        // Where the ServiceAccount was found; a namespace that was only defaulted is said so,
        // since then the ServiceAccount's file is the one missing a namespace.
        let all_defaulted = found.iter().all(|&i| linked.sa_namespace(i).is_defaulted());
        let found_where = match namespaces.as_slice() {
            [one] if all_defaulted => format!(
                "sets no namespace and no kustomization lists its file, so it lands in `{one}`"
            ),
            [one] => format!("is defined in namespace `{one}`"),
            many => format!("is defined in namespaces {}", quote_list(many, 3)),
        };
        let message = format!(
            "{} `{}` runs in {where_ns}, but ServiceAccount `{}` {found_where}: its pods are rejected (`serviceaccount \"{}\" not found`){role}",
            workload.meta.kind.value,
            workload.meta.name_str(),
            sa.name,
            sa.name,
        );
        let target = namespaces[0];
        // A kustomization entry that names a ServiceAccount's file but for the case of its
        // letters: that is why the file is not applied with the kustomization's namespace.
        let miscased = found.iter().find_map(|&i| {
            let file = linked.service_account(i).meta.file();
            linked
                .model
                .kustomizations
                .iter()
                .find_map(|k| Some((k, k.entry_differing_in_case(file)?, file)))
        });
        let fix_ns = match &ns.origin {
            _ if all_defaulted && miscased.is_some() => {
                let (_, entry, file) = miscased.expect("checked");
                let name = file.rsplit('/').next().unwrap_or(file);
                format!(
                    "fix the kustomization's entry `{}` to the file's name `{name}` (letter case matters on Linux, where kustomize runs in CI)",
                    entry.value
                )
            }
            NamespaceOrigin::Kustomization { .. } if all_defaulted => format!(
                "list the ServiceAccount's file in the kustomization's `resources` (or set `namespace: {}` under its `metadata`)",
                ns.name
            ),
            _ if all_defaulted => format!(
                "set `namespace: {}` under the ServiceAccount's `metadata`",
                ns.name
            ),
            NamespaceOrigin::Defaulted => format!(
                "add `namespace: {target}` under the {}'s `metadata` (or apply it with `-n {target}`)",
                workload.meta.kind.value
            ),
            _ => format!(
                "move the {} to namespace `{target}`",
                workload.meta.kind.value
            ),
        };
        let help = format!(
            "{fix_ns}, or define ServiceAccount `{}` in namespace `{}`{}",
            sa.name,
            ns.name,
            if role.is_empty() {
                String::new()
            } else {
                format!(
                    " and admit `system:serviceaccount:{}:{}` in the role's trust policy",
                    ns.name, sa.name
                )
            }
        );
        let mut diag = Diagnostic::new(IRSA302, &workload.meta.source, span, message)
            .label(format!("not a ServiceAccount of namespace `{}`", ns.name))
            .help(help)
            .at_path(service_account_name_path(workload));
        match &ns.origin {
            NamespaceOrigin::Explicit(ns_span) => {
                diag = diag.related(
                    &workload.meta.source,
                    *ns_span,
                    format!("the {} runs in `{}`", workload.meta.kind.value, ns.name),
                );
            }
            NamespaceOrigin::Kustomization { source, span } => {
                diag = diag.related(
                    source,
                    *span,
                    format!("this kustomization puts it in `{}`", ns.name),
                );
            }
            NamespaceOrigin::Defaulted => {}
        }
        if all_defaulted && let Some((k, entry, _)) = miscased {
            diag = diag.related(
                &k.source,
                entry.span,
                "names the ServiceAccount's file in another letter case: no such file on Linux",
            );
        }
        for &i in found.iter().take(3) {
            let other = linked.service_account(i);
            let others = linked.workloads_of_service_account(i);
            let label = describe_with_workloads(
                linked,
                &format!("{}/{}", linked.sa_namespace(i).name, other.meta.name_str()),
                others,
            );
            diag = diag.related(
                &other.meta.source,
                name_span(&other.meta),
                format!("ServiceAccount {label} is defined here"),
            );
        }
        out.push(diag);
    }
}

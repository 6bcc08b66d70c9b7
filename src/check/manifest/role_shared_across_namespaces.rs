//! IRSA219 role-shared-across-namespaces: one IAM role is annotated on ServiceAccounts of several
//! namespaces.
//!
//! A namespace is Kubernetes' tenancy boundary, and IRSA's subject
//! (`system:serviceaccount:<namespace>:<name>`) makes it the role's boundary too. A role used
//! from several namespaces needs a trust policy that admits all of them (often written with a
//! namespace wildcard, IRSA104), and gives every workload in each of them the union of the
//! permissions any one of them needs; whoever controls one namespace's ServiceAccount holds the
//! role the others rely on. One role per workload and namespace is the least-privilege layout.
//!
//! Roles are compared as IAM identifies them: partition, account and role name ignoring case (the
//! path is not part of a role's identity). Annotations that are not a parsable role ARN are
//! IRSA201's. Reported once per role, at the role-arn annotation of the first ServiceAccount in
//! the second namespace (input order: path, then position), listing every namespace, with the
//! first annotation of each other namespace as related locations. Info: sharing may be deliberate
//! (one controller deployed per tenant namespace).

use std::collections::BTreeMap;

use crate::check::support::objects::sa_label;
use crate::check::support::placeholders::is_unfinished;
use crate::check::support::role_arn::{annotated_role, role_arn_annotation, role_arn_path};
use crate::check::support::text::quote_list;
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, SaId};
use crate::registry::IRSA219;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    // (partition, account, lower-case name) → ServiceAccount indices, in input order.
    let mut by_role: BTreeMap<(String, String, String), Vec<SaId>> = BTreeMap::new();
    let mut order: Vec<(String, String, String)> = Vec::new();
    for (i, sa) in linked.service_accounts() {
        let Some(arn) = annotated_role(sa) else {
            continue;
        };
        // A placeholder role name (`<ROLE_NAME>`, IRSA114's) or a template variable (`${ROLE}`)
        // names no role yet.
        if arn.name.is_empty() || is_unfinished(arn.name) {
            continue;
        }
        let key = (
            arn.partition.to_string(),
            arn.account.to_string(),
            arn.name.to_ascii_lowercase(),
        );
        let entry = by_role.entry(key.clone()).or_default();
        if entry.is_empty() {
            order.push(key);
        }
        entry.push(i);
    }
    for key in &order {
        let members = &by_role[key];
        // The first ServiceAccount of each namespace, in input order.
        let mut firsts: Vec<(&str, SaId)> = Vec::new();
        for &i in members {
            let ns = linked.sa_namespace(i).name.as_str();
            if !firsts.iter().any(|(n, _)| *n == ns) {
                firsts.push((ns, i));
            }
        }
        if firsts.len() < 2 {
            continue;
        }
        let (_, at) = firsts[1];
        let sa = linked.service_account(at);
        let Some((annotation, text)) = role_arn_annotation(sa) else {
            continue;
        };
        let name = annotated_role(sa).map_or(text, |a| a.name);
        let mut namespaces: Vec<&str> = firsts.iter().map(|(n, _)| *n).collect();
        namespaces.sort_unstable();
        let accounts: Vec<String> = members.iter().map(|&i| sa_label(linked, i)).collect();
        let mut diag = Diagnostic::new(
            IRSA219,
            &sa.meta.source,
            annotation.value.span,
            format!(
                "role `{name}` is annotated on ServiceAccounts of {} namespaces ({}: {}): its trust policy must admit all of them, and each namespace's workloads get the permissions the others need",
                namespaces.len(),
                quote_list(&namespaces, 6),
                quote_list(&accounts, 6)
            ),
        )
        .label(format!("also used in namespace `{}`", firsts[0].0))
        .help(format!(
            "give each namespace its own role (e.g. `{name}-{}`) with a trust policy that names exactly its ServiceAccount, and only the permissions that workload needs",
            firsts[1].0
        ))
        .at_path(role_arn_path(&sa.meta));
        for &(ns, i) in firsts.iter().filter(|(_, i)| *i != at) {
            let other = linked.service_account(i);
            if let Some((a, _)) = role_arn_annotation(other) {
                diag = diag.related(
                    &other.meta.source,
                    a.value.span,
                    format!("the same role in namespace `{ns}`"),
                );
            }
        }
        out.push(diag);
    }
}

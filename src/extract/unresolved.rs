//! The values of one file that are filled in at deploy time: what IRSA006 counts.
//!
//! Only values irsa-lint reads count: a trust policy's principals, actions, condition keys and
//! values; a ServiceAccount's or workload's name and namespace, its `eks.amazonaws.com/*`
//! annotations, the ServiceAccount a pod runs as and its containers' `AWS_*` environment. An
//! `image: ${IMAGE}` is filled in too, but no finding depends on it.

use crate::extract::Extracted;
use crate::extract::eksctl;
use crate::model::k8s::{ObjectMeta, annotations};
use crate::model::policy::{Located, PolicyOrigin, PolicyValue, Principal, TrustPolicy};
use crate::model::template::has_holes;
use std::sync::Arc;

use crate::source::{SourceRef, Span};

/// One value with a template variable: where it is (a Terraform role's trust may be written in a
/// template file beside the `.tf`) and its text as written.
#[derive(Clone, Debug)]
pub struct UnresolvedValue<'a> {
    pub source: &'a SourceRef,
    pub span: Span,
    pub text: &'a str,
}

/// Every value of `extracted` (read from `file`) with a template variable, by file and in source
/// order, each once.
pub fn unresolved_values<'a>(
    file: &'a SourceRef,
    extracted: &'a Extracted,
) -> Vec<UnresolvedValue<'a>> {
    let mut out = Vec::new();
    // The trust eksctl writes holds its own unknowns (the cluster's issuer and account), not
    // variables of the config: nothing renders them, and the config's own values are read on its
    // ServiceAccounts.
    let policies = extracted.policies.iter();
    for policy in policies.filter(|p| p.origin != PolicyOrigin::Eksctl) {
        policy_values(policy, &mut out);
    }
    let k8s = &extracted.k8s;
    let metas = k8s
        .service_accounts
        .iter()
        .map(|sa| &sa.meta)
        .chain(k8s.workloads.iter().map(|w| &w.meta));
    for meta in metas {
        meta_values(meta, &mut out);
    }
    for workload in &k8s.workloads {
        let pod = &workload.pod;
        let source = &workload.meta.source;
        let names = [&pod.service_account_name, &pod.service_account];
        names
            .into_iter()
            .flatten()
            .for_each(|l| located(source, l, &mut out));
        let irsa_env = pod
            .containers
            .iter()
            .flat_map(|c| &c.env)
            .filter(|e| e.name.value.starts_with("AWS_"))
            .filter_map(|e| e.value.as_ref());
        irsa_env.for_each(|l| located(source, l, &mut out));
    }
    for value in &extracted.unknown_values {
        located(file, value, &mut out);
    }
    for kustomization in &k8s.kustomizations {
        let source = &kustomization.source;
        kustomization
            .namespace
            .iter()
            .for_each(|l| located(source, l, &mut out));
    }
    out.sort_by(|a, b| {
        (a.source.display_path.as_str(), a.span.start, a.span.end).cmp(&(
            b.source.display_path.as_str(),
            b.span.start,
            b.span.end,
        ))
    });
    out.dedup_by(|a, b| a.span == b.span && Arc::ptr_eq(a.source, b.source));
    out
}

fn policy_values<'a>(policy: &'a TrustPolicy, out: &mut Vec<UnresolvedValue<'a>>) {
    let source = &policy.source;
    let mut value = |v: &'a PolicyValue| {
        if v.has_unknown() {
            out.push(UnresolvedValue {
                source,
                span: v.span,
                text: &v.text,
            });
        }
    };
    for stmt in &policy.statements {
        match stmt.principal.as_ref().map(|p| &p.principal) {
            Some(Principal::Wildcard(v)) => value(v),
            Some(Principal::Map(entries)) => {
                entries.iter().flat_map(|e| &e.values).for_each(&mut value)
            }
            _ => {}
        }
        let actions = [&stmt.action, &stmt.not_action];
        actions
            .into_iter()
            .flatten()
            .flat_map(|a| &a.values)
            .for_each(&mut value);
        for (_, entry) in stmt.condition_entries() {
            entry.values.iter().for_each(&mut value);
        }
    }
    for stmt in &policy.statements {
        for (_, entry) in stmt.condition_entries() {
            if entry.key_has_unknown() {
                out.push(UnresolvedValue {
                    source,
                    span: entry.key.span,
                    text: &entry.key.value,
                });
            }
        }
    }
}

fn meta_values<'a>(meta: &'a ObjectMeta, out: &mut Vec<UnresolvedValue<'a>>) {
    let source = &meta.source;
    [&meta.name, &meta.namespace]
        .into_iter()
        .flatten()
        .filter(|l| !eksctl::is_synthesised(meta, &l.value))
        .for_each(|l| located(source, l, out));
    for annotation in &meta.annotations {
        if annotation.key.value.starts_with(annotations::PREFIX)
            && let Some(text) = annotation.value.as_str()
            && has_holes(text)
            && !eksctl::is_synthesised(meta, text)
        {
            out.push(UnresolvedValue {
                source,
                span: annotation.value.span,
                text,
            });
        }
    }
}

fn located<'a>(
    source: &'a SourceRef,
    value: &'a Located<String>,
    out: &mut Vec<UnresolvedValue<'a>>,
) {
    if has_holes(&value.value) {
        out.push(UnresolvedValue {
            source,
            span: value.span,
            text: &value.value,
        });
    }
}

//! IRSA304 trust-denies-service-account: the trust policy of the role a ServiceAccount names does
//! not admit that ServiceAccount's pods.
//!
//! The webhook gives every pod running as the ServiceAccount a token whose `sub` is
//! `system:serviceaccount:<namespace>:<name>` and whose `aud` is the ServiceAccount's
//! `eks.amazonaws.com/audience` (default `sts.amazonaws.com`); the SDK presents it to
//! `AssumeRoleWithWebIdentity`, and IAM evaluates the role's trust policy against it. When the
//! engine says that request is denied for every provider the pods could present, every AWS call
//! fails with `AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`.
//!
//! Split with the neighbouring rules (never two findings for one cause):
//! - the audience alone is at fault (another audience — the default, or one the trust names —
//!   would be admitted for the same subject): IRSA311;
//! - only the principal fails and the trust names another cluster's provider (IRSA307) or a
//!   provider of another account (IRSA314): those rules report it on the trust policy;
//! - the role was matched by name only (account or partition differ, IRSA308): the trust in the
//!   input may not be the annotated role's, so nothing is concluded;
//! - an Unknown verdict (unresolved values) is not a denial;
//! - a ServiceAccount whose namespace was only defaulted (no `metadata.namespace`, no
//!   kustomization) while the trust admits it in a namespace the trust names: it is probably
//!   applied there, and IRSA217 reports the assumption.

use crate::check::support::objects::sa_label;
use crate::check::support::role_arn::{annotated_role_name, role_arn_annotation, role_arn_path};
use crate::check::support::roles::{
    Denial, admitting_audience, explain_denial, link_assumption, provider_rules_explain, role_name,
};
use crate::diagnostic::Diagnostic;
use crate::engine::Tri;
use crate::link::verdict::{SaVerdict, evaluate_subject, subject};
use crate::link::{Binding, Linked};
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA304;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(verdict) = linked.verdict(i) else {
            continue;
        };
        if verdict.admitted != Tri::False {
            continue;
        }
        if !linked
            .annotation_binding(i)
            .is_some_and(Binding::is_certain)
        {
            continue;
        }
        let Some((annotation, _)) = role_arn_annotation(sa) else {
            continue;
        };
        let Some((request, engine_verdict)) = verdict.explaining() else {
            continue;
        };
        if admitting_audience(linked, i, verdict).is_some() {
            continue;
        }
        let policy = linked.policy(verdict.policy);
        let Denial {
            why,
            related,
            by_principal,
        } = explain_denial(policy, request, engine_verdict);
        if by_principal && provider_rules_explain(linked, verdict.policy) {
            continue;
        }
        // A ServiceAccount without `metadata.namespace` (and no kustomization) was only assumed
        // to be in `--default-namespace`: if the trust admits it in a namespace it names, the
        // manifest is probably applied there (`-n`, an unrendered `.Release.Namespace`), and
        // IRSA217 speaks about the assumption.
        if linked.sa_namespace(i).is_defaulted()
            && admitted_in_named_namespace(policy, verdict, sa.meta.name_str(), &request.audience)
        {
            continue;
        }
        let role = annotated_role_name(sa)
            .map(str::to_string)
            .unwrap_or_else(|| role_name(linked, verdict.policy));
        let message = format!(
            "pods running as `{}` cannot assume role `{role}`: {why}{}",
            sa_label(linked, i),
            link_assumption(linked, i)
        );
        let help = format!(
            "make the trust policy of `{role}` admit `{}` with audience `{}` (e.g. `StringEquals` on `<issuer>:sub` and `<issuer>:aud`), or annotate the ServiceAccount with the role that is meant for it",
            request.subject, request.audience
        );
        let mut diag = Diagnostic::new(IRSA304, &sa.meta.source, annotation.value.span, message)
            .label(format!(
                "the trust of `{role}` does not admit this ServiceAccount"
            ))
            .help(help)
            .at_path(role_arn_path(&sa.meta));
        for (span, msg) in related {
            diag = diag.related(&policy.source, span, msg);
        }
        out.push(diag);
    }
}

/// True when the trust admits `system:serviceaccount:<ns>:<name>` for a namespace `<ns>` that one
/// of its `:sub` values names literally.
fn admitted_in_named_namespace(
    policy: &TrustPolicy,
    verdict: &SaVerdict,
    name: &str,
    audience: &str,
) -> bool {
    let providers: Vec<String> = verdict
        .evaluations
        .iter()
        .map(|(r, _)| r.provider_arn.clone())
        .collect();
    let mut namespaces: Vec<&str> = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.claim_entries("sub"))
        .flat_map(|(_, e)| e.values.iter())
        .filter_map(|v| {
            v.text
                .strip_prefix("system:serviceaccount:")?
                .split_once(':')
        })
        .map(|(ns, _)| ns)
        .filter(|ns| !ns.is_empty() && !ns.contains(['*', '?']))
        .collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    namespaces.into_iter().any(|ns| {
        evaluate_subject(policy, &providers, &subject(ns, name), audience)
            .1
            .is_true()
    })
}

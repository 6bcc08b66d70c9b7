//! IRSA306 trust-admits-other-service-accounts: a role's trust policy admits ServiceAccounts of
//! the input that do not carry the role.
//!
//! The trust policy, not the annotation, decides who may assume a role: any pod whose projected
//! token satisfies it can call `AssumeRoleWithWebIdentity` for this role, whether or not its
//! ServiceAccount is annotated with it (a pod can mount its own projected token for audience
//! `sts.amazonaws.com`). So a namespace-wide or wildcard subject hands the role to every other
//! ServiceAccount it matches — a Job's migration account, a debugging pod — which is a privilege
//! the author usually did not mean to give. The trust rules IRSA104/IRSA105 flag the pattern; this
//! rule names the concrete ServiceAccounts of the input (and the workloads running as them).
//!
//! Once per role linked from an IRSA ServiceAccount: the blast radius is computed with
//! [`crate::link::verdict::blast_radius`]; pods running as a namespace's implicit `default`
//! ServiceAccount (workloads without `serviceAccountName`) count too. Reported at the `:sub` value
//! that admits the first such ServiceAccount.
//!
//! A ServiceAccount with the subject of one that carries the role is not another: IAM cannot tell
//! them apart, and the same name in another environment's or team's directory (`envs/dev` and
//! `envs/prod` each defining `api/api`, bound to their own role of the same name) is the same
//! subject in another cluster.

use crate::check::support::objects::{
    describe_with_workloads, name_span, sa_label, sa_with_workloads,
};
use crate::check::support::role_arn::{annotated_role, role_arn_annotation, role_arn_path};
use crate::check::support::roles::{carriers, entry_span, role_name};
use crate::check::support::statement::{entry_path, logical_path};
use crate::check::support::text::{MAX_LISTED, quote_list};
use crate::diagnostic::Diagnostic;
use crate::engine::matcher::value_matches;
use crate::engine::{Reason, STS_AUDIENCE, statement_at};
use crate::link::verdict::{
    SubjectProbe, audience_of, blast_radius, evaluate_subject, providers_for_policy, subject,
};
use crate::link::{Linked, PolicyId, SaId, WorkloadId};
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA306;
use crate::source::Span;

/// One admitted subject that does not carry the role.
struct Intruder {
    label: String,
    subject: String,
    audience: String,
    /// The ServiceAccount definition, or the first workload running as the implicit `default`.
    at: (crate::source::SourceRef, Span, String),
}

/// Where the trust admits `subject`: the `:sub` value of the allowing statement that matches it,
/// else its `:sub` entry, else the statement's principal; with the logical path.
fn admitting_location(
    policy: &TrustPolicy,
    providers: &[String],
    subject: &str,
    audience: &str,
) -> Option<(Span, String)> {
    let (evaluations, _) = evaluate_subject(policy, providers, subject, audience);
    let statement = evaluations.iter().find_map(|(_, v)| match v.reason {
        Reason::AllowedBy { statement } => Some(statement),
        _ => None,
    })?;
    let stmt = statement_at(policy, statement)?;
    for (block, entry) in stmt.claim_entries("sub") {
        let Some(op) = block.operator else { continue };
        if op.base.is_negated() {
            continue;
        }
        for (k, value) in entry.values.iter().enumerate() {
            if !value.has_unknown() && value_matches(op.base, &value.text, subject).is_true() {
                return Some((value.span, entry_path(policy, stmt, block, entry, Some(k))));
            }
        }
        return Some((
            entry_span(entry),
            entry_path(policy, stmt, block, entry, None),
        ));
    }
    let span = stmt.principal.as_ref().map(|p| p.span).unwrap_or(stmt.span);
    Some((span, logical_path(policy, Some(stmt), "Principal")))
}

/// Pods that run as a namespace's implicit `default` ServiceAccount (not defined in the input),
/// grouped by namespace, in model order.
fn implicit_defaults(linked: &Linked) -> Vec<(String, Vec<WorkloadId>)> {
    let mut out: Vec<(String, Vec<WorkloadId>)> = Vec::new();
    // namespace → its position in `out`.
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (w, sa) in linked.workload_service_accounts() {
        if sa.name != "default" {
            continue;
        }
        let ns = &linked.workload_namespace(w).name;
        if !linked.service_accounts_named(ns, "default").is_empty() {
            continue;
        }
        match at.get(ns.as_str()) {
            Some(&k) => out[k].1.push(w),
            None => {
                at.insert(ns, out.len());
                out.push((ns.clone(), vec![w]));
            }
        }
    }
    out
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    use rayon::prelude::*;
    let defaults = implicit_defaults(linked);
    // One role at a time on the worker pool; collected in policy order.
    let policies: Vec<PolicyId> = linked.policies().map(|(p, _)| p).collect();
    let found: Vec<Option<Diagnostic>> = policies
        .into_par_iter()
        .map(|p| check_policy(linked, &defaults, p))
        .collect();
    out.extend(found.into_iter().flatten());
}

fn check_policy(
    linked: &Linked,
    defaults: &[(String, Vec<WorkloadId>)],
    p: PolicyId,
) -> Option<Diagnostic> {
    let policy = linked.policy(p);
    let carrying: Vec<SaId> = carriers(linked, p)
        .filter(|&i| linked.service_account(i).is_irsa())
        .collect();
    if carrying.is_empty() {
        return None;
    }
    let carried_subjects: Vec<&str> = carrying.iter().map(|&i| linked.subject(i)).collect();
    // Only the first few intruders are shown: the others are only counted.
    let mut count = 0usize;
    let mut intruders: Vec<Intruder> = Vec::new();
    for &i in blast_radius(linked, p).iter() {
        if carrying.contains(&i) || carried_subjects.contains(&linked.subject(i)) {
            continue;
        }
        count += 1;
        if intruders.len() >= MAX_LISTED {
            continue;
        }
        let meta = &linked.service_account(i).meta;
        intruders.push(Intruder {
            label: sa_with_workloads(linked, i),
            subject: linked.subject(i).to_string(),
            audience: audience_of(linked, i),
            at: (
                meta.source.clone(),
                name_span(meta),
                format!(
                    "ServiceAccount `{}` is admitted but does not carry this role{}",
                    sa_label(linked, i),
                    if linked.workloads_of_service_account(i).is_empty() {
                        ""
                    } else {
                        "; workloads run as it"
                    }
                ),
            ),
        });
    }
    let providers = providers_for_policy(linked, p);
    let mut probe = SubjectProbe::new(policy, &providers);
    for (ns, workloads) in defaults {
        let sub = subject(ns, "default");
        if probe.admits(&sub, STS_AUDIENCE).is_true() {
            count += 1;
            if intruders.len() >= MAX_LISTED {
                continue;
            }
            let w = workloads[0];
            let workload = linked.workload(w);
            intruders.push(Intruder {
                label: describe_with_workloads(linked, &format!("{ns}/default"), workloads),
                subject: sub,
                audience: STS_AUDIENCE.to_string(),
                at: (
                    workload.meta.source.clone(),
                    workload.pod.spec_key,
                    format!("runs as `{ns}/default`, which the trust admits"),
                ),
            });
        }
    }
    if intruders.is_empty() {
        return None;
    }
    let role = carrying
        .iter()
        .find_map(|&i| annotated_role(linked.service_account(i)))
        .map(|a| a.name.to_string())
        .unwrap_or_else(|| role_name(linked, p));
    let first = &intruders[0];
    let (span, path) = match admitting_location(policy, &providers, &first.subject, &first.audience)
    {
        Some(found) => found,
        None => {
            // No location in the trust: point at the annotation of a ServiceAccount that
            // carries the role.
            let sa = linked.service_account(carrying[0]);
            let (annotation, _) = role_arn_annotation(sa)?;
            (annotation.value.span, role_arn_path(&sa.meta))
        }
    };
    let labels: Vec<&str> = intruders.iter().map(|x| x.label.as_str()).collect();
    let listed = if count > MAX_LISTED {
        format!("{} and {} more", labels.join(", "), count - MAX_LISTED)
    } else {
        labels.join(", ")
    };
    let carried_by: Vec<String> = carrying.iter().map(|&i| sa_label(linked, i)).collect();
    let message = format!(
        "the trust policy of role `{role}` (meant for {}) also admits {}: {listed}; pods running as {} can assume the role with their own token",
        quote_list(&carried_by, 2),
        if count == 1 {
            "a ServiceAccount that does not carry it".to_string()
        } else {
            format!("{count} ServiceAccounts that do not carry it")
        },
        if count == 1 { "it" } else { "them" },
    );
    let help = format!(
        "list only the intended subjects ({}) with `StringEquals` on `<issuer>:sub`",
        quote_list(
            &carrying
                .iter()
                .map(|&i| subject(
                    &linked.sa_namespace(i).name,
                    linked.service_account(i).meta.name_str()
                ))
                .collect::<Vec<_>>(),
            3
        )
    );
    let mut diag = Diagnostic::new(IRSA306, &policy.source, span, message)
        .label(format!(
            "admits {count} other ServiceAccount{}",
            if count == 1 { "" } else { "s" }
        ))
        .help(help)
        .at_path(path);
    for x in intruders.iter().take(MAX_LISTED) {
        diag = diag.related(&x.at.0, x.at.1, x.at.2.clone());
    }
    if let Some((annotation, _)) = role_arn_annotation(linked.service_account(carrying[0])) {
        let sa = linked.service_account(carrying[0]);
        diag = diag.related(
            &sa.meta.source,
            annotation.value.span,
            format!("`{}` carries the role", sa_label(linked, carrying[0])),
        );
    }
    Some(diag)
}

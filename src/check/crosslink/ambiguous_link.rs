//! IRSA315 ambiguous-link: a link had to choose between equally near definitions that disagree.
//!
//! A name may be defined more than once in one repository (`envs/dev` and `envs/prod`, overlays,
//! teams). The link stage takes the definition nearest to the object that names it (same file,
//! kustomization, directory, then the deepest common directory, `link::scope`). When several are
//! equally near and disagree, any choice would be a guess that decides the findings, so:
//!
//! - a workload whose ServiceAccount is defined equally near in several directories with different
//!   IRSA annotations is linked to each (definitions applied together are one object defined twice:
//!   IRSA215's finding, not this one);
//! - a ServiceAccount whose role has several trust policies equally near, one admitting it and
//!   another not, is judged against none of them (IRSA304, IRSA311, … stay quiet, and IRSA305 does
//!   not claim the role is missing).
//!
//! Information: the configuration is probably right for the way it is applied, but the reader (and
//! irsa-lint) cannot tell which definition goes with which.

use crate::check::support::objects::sa_label;
use crate::check::support::objects::{name_span, service_account_name_path, workload_label};
use crate::check::support::role_arn::{
    annotated_role, role_arn_annotation, role_arn_part_span, role_arn_path,
};
use crate::check::support::roles::role_name;
use crate::check::support::text::{MAX_LISTED, quote_list};
use crate::diagnostic::Diagnostic;
use crate::engine::Tri;
use crate::link::{Ambiguity, Linked, Nearness, PolicyId, SaId, WorkloadId};
use crate::registry::IRSA315;
use crate::source::Span;

/// "equally near it (in `envs/`)" for messages: where the candidates meet.
fn how_near(nearness: Nearness) -> &'static str {
    match nearness {
        Nearness::SameFile | Nearness::SameKustomization | Nearness::SameDirectory => {
            "equally near it"
        }
        Nearness::Ancestor(0) => "equally near it, in subdirectories of its own",
        Nearness::Ancestor(_) => "equally near it, in directories beside its own",
    }
}

/// The files of a list of objects, each once, in order.
fn files<'a>(all: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for f in all {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    out
}

fn service_account(
    linked: &Linked,
    w: WorkloadId,
    candidates: &[SaId],
    nearness: Nearness,
) -> Diagnostic {
    let workload = linked.workload(w);
    let sa = linked.workload_service_account(w);
    let ns = &linked.workload_namespace(w).name;
    let listed = files(
        candidates
            .iter()
            .map(|&i| linked.service_account(i).meta.file()),
    );
    let message = format!(
        "{} runs as ServiceAccount `{ns}/{}`, which is defined {} times {} ({}) with different IRSA annotations: which role its pods get depends on which definition is applied with it, so it was linked to each",
        workload_label(linked, w),
        sa.name,
        candidates.len(),
        how_near(nearness),
        quote_list(&listed, MAX_LISTED),
    );
    let (span, path) = match sa.span {
        Some(span) => (span, service_account_name_path(workload)),
        None => (
            workload.pod.spec_key,
            workload.meta.logical_path(&workload.pod.path),
        ),
    };
    let mut diag = Diagnostic::new(IRSA315, &workload.meta.source, span, message)
        .label(format!(
            "`{}` has {} equally near definitions",
            sa.name,
            candidates.len()
        ))
        .help("keep the ServiceAccount beside the workload that runs as it (the same directory or kustomization), or give the definitions different names")
        .at_path(path);
    for &i in candidates.iter().take(MAX_LISTED) {
        let account = linked.service_account(i);
        let role = match annotated_role(account) {
            Some(arn) => format!("with role `{}`", arn.name),
            None => match role_arn_annotation(account) {
                Some((_, text)) => format!("with role-arn `{text}`"),
                None => "without a role".to_string(),
            },
        };
        diag = diag.related(
            &account.meta.source,
            name_span(&account.meta),
            format!("defined here {role}"),
        );
    }
    diag
}

fn role(
    linked: &Linked,
    i: SaId,
    candidates: &[(PolicyId, Tri)],
    nearness: Nearness,
) -> Option<Diagnostic> {
    let sa = linked.service_account(i);
    let (annotation, _) = role_arn_annotation(sa)?;
    let arn = annotated_role(sa);
    let role = arn
        .as_ref()
        .map(|a| a.name.to_string())
        .unwrap_or_else(|| role_name(linked, candidates[0].0));
    let says = |t: Tri| match t {
        Tri::True => "admits it",
        Tri::False => "does not admit it",
        Tri::Unknown => "may admit it",
    };
    let judged: Vec<String> = candidates
        .iter()
        .map(|&(p, t)| format!("`{}` {}", linked.policy(p).file(), says(t)))
        .collect();
    let shown = if judged.len() > MAX_LISTED {
        format!(
            "{}, and {} more",
            judged[..MAX_LISTED].join(", "),
            judged.len() - MAX_LISTED
        )
    } else {
        judged.join(", ")
    };
    let message = format!(
        "ServiceAccount `{}` names role `{role}`, whose trust policy is in {} files {}, and they disagree ({shown}): it was judged against none of them",
        sa_label(linked, i),
        candidates.len(),
        how_near(nearness),
    );
    let span = arn
        .as_ref()
        .and_then(|a| role_arn_part_span(sa, a.name))
        .unwrap_or(annotation.value.span);
    let mut diag = Diagnostic::new(IRSA315, &sa.meta.source, span, message)
        .label(format!(
            "{} equally near trust policies of `{role}`",
            candidates.len()
        ))
        .help("keep the trust policy beside the ServiceAccount that uses it (the same directory or kustomization), or give it the role's identity (`aws iam get-role` output, or the configuration's `roles` with the account) so that the link does not rest on a file name")
        .at_path(role_arn_path(&sa.meta));
    for &(p, t) in candidates.iter().take(MAX_LISTED) {
        let policy = linked.policy(p);
        let at = policy
            .role
            .as_ref()
            .and_then(|r| r.name.as_ref().or(r.arn.as_ref()))
            .map(|n| n.span)
            .unwrap_or_else(|| {
                let start = policy.document_span.start as usize;
                Span::new(start, (start + 1).min(policy.document_span.end as usize))
            });
        diag = diag.related(
            &policy.source,
            at,
            format!("this trust of `{role}` {}", says(t)),
        );
    }
    Some(diag)
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for ambiguity in linked.ambiguities() {
        match ambiguity {
            Ambiguity::ServiceAccount {
                workload,
                candidates,
                nearness,
            } => out.push(service_account(linked, *workload, candidates, *nearness)),
            Ambiguity::Role {
                service_account,
                candidates,
                nearness,
            } => out.extend(role(linked, *service_account, candidates, *nearness)),
        }
    }
}

//! IRSA215 duplicate-object: the same ServiceAccount (effective namespace and name) is defined
//! twice with different IRSA annotations.
//!
//! `kubectl apply` (or Argo CD, Flux, kustomize) applies both definitions to one object: whichever
//! is applied last wins, so which role (audience, token lifetime …) the pods get depends on file
//! order, and flips when files are renamed. Only definitions that are applied together are
//! compared: in the same directory (one `kubectl apply -f dir/`), or both listed in the `resources`
//! of one kustomization ([`crate::link::Nearness::applied_together`], the link stage's one model of
//! which files go together). The same ServiceAccount in two overlays or environment directories
//! (`overlays/dev`, `overlays/prod`) is the normal way to vary a role per environment and is not
//! reported; identical duplicates are harmless and not reported either.
//!
//! Each later definition is compared with the first one (input order: path, then position); the
//! finding points at the later definition's first differing `eks.amazonaws.com/*` annotation, with
//! the first definition as related location.

use crate::check::support::annotations::annotation_path;
use crate::check::support::objects::{name_span, sa_label};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::link::scope::irsa_annotations;
use crate::model::k8s::{ObjectMeta, annotations};
use crate::registry::IRSA215;
use crate::source::Span;

/// How a later definition differs from the first: the place to point at and what differs.
struct Difference {
    span: Span,
    path_key: Option<String>,
    what: String,
    related: Span,
}

fn difference(first: &ObjectMeta, later: &ObjectMeta) -> Option<Difference> {
    let a = irsa_annotations(first);
    let b = irsa_annotations(later);
    // A key whose value differs, or that only the later definition has.
    for &(key, value, annotation) in &b {
        match a.iter().find(|(k, _, _)| *k == key) {
            Some(&(_, old, old_annotation)) if old != value => {
                return Some(Difference {
                    span: annotation.value.span,
                    path_key: Some(key.to_string()),
                    what: format!("`{key}` is `{value}` here but `{old}` there"),
                    related: old_annotation.value.span,
                });
            }
            Some(_) => {}
            None => {
                return Some(Difference {
                    span: annotation.key.span,
                    path_key: Some(key.to_string()),
                    what: format!("`{key}: {value}` is set only here"),
                    related: first.annotations_key.unwrap_or_else(|| name_span(first)),
                });
            }
        }
    }
    // A key that only the first definition has.
    let &(key, value, annotation) = a
        .iter()
        .find(|(k, _, _)| !b.iter().any(|(o, _, _)| o == k))?;
    Some(Difference {
        span: later.annotations_key.unwrap_or_else(|| name_span(later)),
        path_key: None,
        what: format!("`{key}: {value}` is set only there"),
        related: annotation.key.span,
    })
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        if sa.meta.name.is_none() {
            continue;
        }
        let same = linked.service_accounts_named(&linked.sa_namespace(i).name, sa.meta.name_str());
        // Only the later definitions are reported, each against the first one applied with it.
        let Some(&first) = same.iter().find(|&&j| {
            j < i
                && linked
                    .nearness(sa.meta.file(), linked.service_account(j).meta.file())
                    .applied_together()
        }) else {
            continue;
        };
        let first_meta = &linked.service_account(first).meta;
        let Some(diff) = difference(first_meta, &sa.meta) else {
            continue;
        };
        let first_at = format!(
            "{}:{}",
            first_meta.file(),
            first_meta.source.line_col(name_span(first_meta).start).line
        );
        let path = match &diff.path_key {
            Some(key) => annotation_path(&sa.meta, key),
            None => sa.meta.logical_path("metadata.annotations"),
        };
        out.push(
            Diagnostic::new(
                IRSA215,
                &sa.meta.source,
                diff.span,
                format!(
                    "ServiceAccount `{}` is defined twice with different IRSA annotations (here and at {first_at}; {}): whichever is applied last wins, so {} depends on apply order",
                    sa_label(linked, i),
                    diff.what,
                    if diff.path_key.as_deref() == Some(annotations::ROLE_ARN) {
                        "the role its pods get"
                    } else {
                        "what the webhook gives its pods"
                    }
                ),
            )
            .label("differs from the first definition")
            .help("keep one definition of the ServiceAccount (or make both carry the same `eks.amazonaws.com/*` annotations); vary the role per environment with overlays, not with two objects applied together")
            .related(&first_meta.source, diff.related, "the first definition")
            .at_path(path),
        );
    }
}

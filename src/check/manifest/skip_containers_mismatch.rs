//! IRSA212 skip-containers-mismatch: `eks.amazonaws.com/skip-containers` names a container the pod
//! does not have, or cannot be parsed the way the webhook parses it.
//!
//! The EKS pod identity webhook reads the pod (template) annotation
//! `eks.amazonaws.com/skip-containers` with Go's `encoding/csv` reader, default settings: it takes
//! the first record, splits it on `,`, and does NOT trim the fields. Every container (init
//! containers included) whose name is exactly one of the fields is left without the IRSA
//! environment variables and token mount. So:
//!
//! - `init-first, sidecar` yields ` sidecar` (leading space), which matches no container: the
//!   sidecar the author meant to opt out still gets credentials;
//! - a name that is not a container of the pod (a typo, a renamed container) skips nothing;
//! - a `"` inside an unquoted field (`a, "b"`) or after a closing quote is a CSV error: the
//!   webhook logs it and skips no container at all.
//!
//! The value is parsed with the same rules by `check::support::skip_containers`
//! ([`parse_skip_containers`]), the parser IRSA207, IRSA213 and IRSA216 use too to leave skipped
//! containers alone.

use crate::check::support::annotations::pod_annotation_path;
use crate::check::support::objects::workload_label;
use crate::check::support::skip_containers::parse_skip_containers;
use crate::check::support::text::{quote_list, similar_name};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::annotations;
use crate::registry::IRSA212;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        let pod = &workload.pod;
        let Some(annotation) = pod
            .annotations
            .iter()
            .find(|a| a.key.value == annotations::SKIP_CONTAINERS)
        else {
            continue;
        };
        // A non-string value is IRSA205's finding (the API server rejects it).
        let Some(text) = annotation.value.as_str() else {
            continue;
        };
        // A pod whose containers are not known (none listed) cannot be compared.
        if pod.containers.is_empty() {
            continue;
        }
        let source = &workload.meta.source;
        let whole = annotation.value.span;
        let path = pod_annotation_path(workload, annotations::SKIP_CONTAINERS);
        let label = workload_label(linked, w);
        let names: Vec<&str> = pod
            .containers
            .iter()
            .map(|c| c.name.value.as_str())
            .collect();
        let fields = match parse_skip_containers(text) {
            Ok(fields) => fields,
            Err(err) => {
                let span = source.sub_span(whole, text, err.at..err.at + 1);
                out.push(
                    Diagnostic::new(
                        IRSA212,
                        source,
                        span,
                        format!(
                            "the webhook cannot parse `{}` of {label} as a comma-separated list ({}), so it skips no container: every container gets the IRSA credentials",
                            annotations::SKIP_CONTAINERS,
                            err.reason
                        ),
                    )
                    .label("not valid CSV for the webhook")
                    .help(format!(
                        "write the container names separated by commas, without quotes or spaces: `{}`",
                        clean_list(text)
                    ))
                    .at_path(path),
                );
                continue;
            }
        };
        for field in &fields {
            if names.contains(&field.name.as_str()) {
                continue;
            }
            let span = source.sub_span(whole, text, field.range.clone());
            let trimmed = field.name.trim();
            let diag = if trimmed != field.name && names.contains(&trimmed) {
                Diagnostic::new(
                    IRSA212,
                    source,
                    span,
                    format!(
                        "`{}` of {label} lists `{}` with surrounding spaces: the webhook splits the value on `,` without trimming, so it matches no container and container `{trimmed}` still gets the IRSA credentials",
                        annotations::SKIP_CONTAINERS,
                        field.name
                    ),
                )
                .label("matches no container: the space is part of the name")
                .help(format!(
                    "remove the spaces: `{}`",
                    clean_list(text)
                ))
            } else {
                let help = match similar_name(trimmed, names.iter().copied()) {
                    Some(close) => format!(
                        "did you mean `{close}`? The pod's containers are {}",
                        quote_list(&names, 6)
                    ),
                    None => format!(
                        "name one of the pod's containers ({}), or remove `{}` from the list",
                        quote_list(&names, 6),
                        field.name
                    ),
                };
                Diagnostic::new(
                    IRSA212,
                    source,
                    span,
                    format!(
                        "`{}` of {label} names `{}`{}, but the pod has no container of that name: the webhook skips nothing for it, and the container meant to be opted out still gets the IRSA credentials",
                        annotations::SKIP_CONTAINERS,
                        field.name,
                        if trimmed == field.name {
                            ""
                        } else {
                            " (spaces included: the webhook does not trim)"
                        }
                    ),
                )
                .label("no container of this name")
                .help(help)
            };
            out.push(diag.at_path(path.clone()));
        }
    }
}

/// The value rewritten the way the webhook wants it: names separated by `,`, no quotes, no spaces.
fn clean_list(text: &str) -> String {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .split(',')
        .map(|n| n.trim().trim_matches('"').trim())
        .filter(|n| !n.is_empty())
        .collect::<Vec<_>>()
        .join(",")
}

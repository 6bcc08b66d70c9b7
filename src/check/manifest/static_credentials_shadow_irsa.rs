//! IRSA207 static-credentials-shadow-irsa: a container of a workload that uses IRSA also gets
//! static AWS keys (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`), so the role is never used.
//!
//! Every AWS SDK's default credential chain (and the CLI's) reads static keys from the environment
//! before the web identity token the webhook injects. With the keys present the pod acts as the
//! IAM user the keys belong to: long-lived credentials in a manifest or Secret, none of the
//! role's scoping, and a role that looks in use but is not. A key id without its secret is no
//! better: botocore stops with a partial-credentials error instead of moving on. A secret without a
//! key id is skipped by the environment providers, so it shadows nothing and is not reported here.
//!
//! Sources considered: an `env` entry (literal or `valueFrom`; an empty literal counts as unset,
//! as in the SDKs) and an `envFrom` of a ConfigMap or Secret of the input in the workload's
//! namespace that holds such a key (its `prefix` applied). `env` wins over `envFrom`, as in
//! Kubernetes. Containers listed in the pod's `eks.amazonaws.com/skip-containers` are left alone:
//! the webhook gives them no role, so their keys shadow nothing.
//!
//! The environment lookup ([`lookup_env`]) and the skip-containers parser ([`skipped_containers`])
//! are in `check::support`, shared with IRSA208 and IRSA212.

use crate::check::support::env::{
    EnvLookup, EnvOrigin, STATIC_KEY_VARS, container_label, container_path, lookup_env,
};
use crate::check::support::objects::workload_label;
use crate::check::support::role_arn::role_display;
use crate::check::support::skip_containers::skipped_containers;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::EnvSource;
use crate::registry;
use crate::source::Span;

/// True when the lookup found a value the SDK will use (an empty literal is treated as unset).
fn is_set(lookup: &EnvLookup) -> bool {
    match lookup.origin {
        Some(EnvOrigin::Env(var)) => {
            var.value_from.is_some() || var.value.as_ref().is_some_and(|v| !v.value.is_empty())
        }
        Some(EnvOrigin::EnvFrom { .. }) => true,
        None => false,
    }
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.irsa_workloads() {
        let Some(sa) = linked.irsa_service_account_of_workload(w) else {
            continue;
        };
        let Some(role) = sa.role_arn() else { continue };
        let skipped = skipped_containers(&workload.pod);
        for c in &workload.pod.containers {
            if skipped.contains(&c.name.value) {
                continue;
            }
            let found: Vec<(&str, EnvLookup)> = STATIC_KEY_VARS
                .iter()
                .map(|&k| (k, lookup_env(linked, w, c, k)))
                .filter(|(_, l)| is_set(l))
                .collect();
            // A lone secret key is ignored by the SDKs' environment providers (they start from
            // the key id): it shadows nothing.
            let Some((name, lookup)) = found.first().filter(|(n, _)| *n == STATIC_KEY_VARS[0])
            else {
                continue;
            };
            let effect = if found.len() == 2 {
                "so it acts as the keys' IAM user and never uses"
            } else {
                "and a key id without its secret makes botocore (Python) stop with a \
                 partial-credentials error, so it never gets"
            };
            let names: Vec<&str> = found.iter().map(|(n, _)| *n).collect();
            let vars = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" and ");
            let (span, how, path, related): (Span, String, String, Option<(&EnvSource, Span)>) =
                match lookup.origin {
                    Some(EnvOrigin::Env(var)) => (
                        var.name.span,
                        format!("sets {vars}"),
                        container_path(workload, c, &format!("env.{name}")),
                        None,
                    ),
                    Some(EnvOrigin::EnvFrom { from, source, key }) => (
                        from.name.span,
                        format!(
                            "gets {vars} from {} `{}` (envFrom)",
                            source.meta.kind.value, from.name.value
                        ),
                        container_path(workload, c, "envFrom"),
                        Some((source, key.span)),
                    ),
                    None => continue,
                };
            let role_text = role_display(role.text());
            let mut diag = Diagnostic::new(
                registry::IRSA207,
                &workload.meta.source,
                span,
                format!(
                    "{} of {} {how}: the AWS SDKs read static keys from the environment before \
                     the web identity token, {effect} role `{role_text}` of its ServiceAccount \
                     `{}`",
                    container_label(c),
                    workload_label(linked, w),
                    sa.meta.name_str()
                ),
            )
            .label("static keys win over IRSA")
            .help(
                "remove the static keys from the container (and delete and rotate them in IAM); \
                 grant the permissions they gave to the ServiceAccount's role instead",
            )
            .at_path(path);
            if let Some((source, key_span)) = related {
                diag = diag.related(
                    &source.meta.source,
                    key_span,
                    format!("{name} comes from this {} key", source.meta.kind.value),
                );
            }
            diag = diag.related(
                &sa.meta.source,
                role.value.span,
                "the role the webhook injects, shadowed by the static keys",
            );
            out.push(diag);
        }
    }
}

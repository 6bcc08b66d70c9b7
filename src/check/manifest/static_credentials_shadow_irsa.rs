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
//! The environment helpers ([`lookup_env`], [`skipped_containers`]) are shared with IRSA208.

use super::role_arn_invalid::role_display;
use super::{irsa_workloads, service_accounts_of};
use crate::check::crosslink::workload_label;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::{
    Container, EnvFrom, EnvSource, EnvVar, ServiceAccount, Workload, annotations,
};
use crate::model::policy::Located;
use crate::registry;
use crate::source::Span;

/// The static-key variables of the SDKs' environment provider.
const STATIC_KEYS: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/// Where a container's environment variable comes from.
#[derive(Clone, Copy, Debug)]
pub enum EnvOrigin<'a> {
    /// An `env` entry.
    Env(&'a EnvVar),
    /// A key of a ConfigMap or Secret pulled in with `envFrom`.
    EnvFrom {
        from: &'a EnvFrom,
        source: &'a EnvSource,
        key: &'a Located<String>,
    },
}

/// The effective definition of one variable in a container.
#[derive(Clone, Copy, Debug)]
pub struct EnvLookup<'a> {
    /// Where the value in effect comes from, if the input shows it.
    pub origin: Option<EnvOrigin<'a>>,
    /// True when an `envFrom` names a ConfigMap or Secret the input does not hold: the variable
    /// may come from there.
    pub unresolved: bool,
}

/// The ConfigMap or Secret of the input an `envFrom` of workload `w` refers to (same kind, name
/// and effective namespace).
pub fn env_from_source<'a>(linked: &'a Linked, w: usize, from: &EnvFrom) -> Option<&'a EnvSource> {
    let ns = &linked.workload_namespaces[w].name;
    linked
        .model
        .env_sources
        .iter()
        .enumerate()
        .find(|(i, s)| {
            s.kind == from.kind
                && s.meta.name_str() == from.name.value
                && &linked.env_source_namespaces[*i].name == ns
        })
        .map(|(_, s)| s)
}

/// Where variable `name` of container `c` of workload `w` comes from. An `env` entry wins over
/// `envFrom`; among duplicates, the last `env` entry and the last `envFrom` source win.
pub fn lookup_env<'a>(linked: &'a Linked, w: usize, c: &'a Container, name: &str) -> EnvLookup<'a> {
    if let Some(var) = c.env.iter().rev().find(|e| e.name.value == name) {
        return EnvLookup {
            origin: Some(EnvOrigin::Env(var)),
            unresolved: false,
        };
    }
    let mut unresolved = false;
    for from in c.env_from.iter().rev() {
        let Some(source) = env_from_source(linked, w, from) else {
            unresolved = true;
            continue;
        };
        let prefix = from.prefix.as_deref().unwrap_or("");
        let key = source
            .keys
            .iter()
            .find(|k| name.strip_prefix(prefix) == Some(k.value.as_str()));
        if let Some(key) = key {
            return EnvLookup {
                origin: Some(EnvOrigin::EnvFrom { from, source, key }),
                unresolved,
            };
        }
    }
    EnvLookup {
        origin: None,
        unresolved,
    }
}

/// The container names listed in a pod's `eks.amazonaws.com/skip-containers`, parsed like the
/// webhook does: the first line as one CSV record (no trimming, double quotes removed).
pub fn skipped_containers(workload: &Workload) -> Vec<String> {
    let Some(a) = workload
        .pod
        .annotations
        .iter()
        .find(|a| a.key.value == annotations::SKIP_CONTAINERS)
    else {
        return Vec::new();
    };
    let line = a.text().lines().next().unwrap_or("");
    line.split(',')
        .map(|f| {
            f.strip_prefix('"')
                .and_then(|f| f.strip_suffix('"'))
                .unwrap_or(f)
                .replace("\"\"", "\"")
        })
        .collect()
}

/// The IRSA ServiceAccount a workload runs as.
pub fn irsa_service_account(linked: &Linked, w: usize) -> Option<&ServiceAccount> {
    service_accounts_of(linked, w).find(|sa| sa.is_irsa())
}

/// `container \`app\`` or `init container \`setup\``.
pub fn container_label(c: &Container) -> String {
    let kind = if c.init {
        "init container"
    } else {
        "container"
    };
    if c.name.value.is_empty() {
        format!("{kind} #{}", c.index)
    } else {
        format!("{kind} `{}`", c.name.value)
    }
}

/// The logical path of a container field (`spec.template.spec.containers[0].env`).
pub fn container_path(workload: &Workload, c: &Container, rest: &str) -> String {
    let list = if c.init {
        "initContainers"
    } else {
        "containers"
    };
    workload
        .meta
        .logical_path(&format!("{}.{list}[{}].{rest}", workload.pod.path, c.index))
}

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
    for (w, workload) in irsa_workloads(linked) {
        let Some(sa) = irsa_service_account(linked, w) else {
            continue;
        };
        let Some(role) = sa.role_arn() else { continue };
        let skipped = skipped_containers(workload);
        for c in &workload.pod.containers {
            if skipped.contains(&c.name.value) {
                continue;
            }
            let found: Vec<(&str, EnvLookup)> = STATIC_KEYS
                .iter()
                .map(|&k| (k, lookup_env(linked, w, c, k)))
                .filter(|(_, l)| is_set(l))
                .collect();
            // A lone secret key is ignored by the SDKs' environment providers (they start from
            // the key id): it shadows nothing.
            let Some((name, lookup)) = found.first().filter(|(n, _)| *n == STATIC_KEYS[0]) else {
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

//! Containers and their environment as the SDKs see it: where a variable comes from (`env` or an
//! `envFrom` ConfigMap/Secret of the input), and how messages and paths name a container.

use crate::link::{Linked, WorkloadId};
use crate::model::k8s::{Container, EnvFrom, EnvSource, EnvVar, Workload};
use crate::model::policy::Located;

/// The role the webhook injects (`AWS_ROLE_ARN`), read by every SDK's web-identity provider.
pub const ROLE_ARN_VAR: &str = "AWS_ROLE_ARN";

/// Where the webhook mounts the projected token (`AWS_WEB_IDENTITY_TOKEN_FILE`).
pub const TOKEN_FILE_VAR: &str = "AWS_WEB_IDENTITY_TOKEN_FILE";

/// A long-term access key, id first: the SDKs' environment providers start from the id.
pub const STATIC_KEY_VARS: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

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
pub fn env_from_source<'a>(
    linked: &'a Linked,
    w: WorkloadId,
    from: &EnvFrom,
) -> Option<&'a EnvSource> {
    let ns = &linked.workload_namespace(w).name;
    linked
        .env_sources_in(ns)
        .find(|s| s.kind == from.kind && s.meta.name_str() == from.name.value)
}

/// Where variable `name` of container `c` of workload `w` comes from. An `env` entry wins over
/// `envFrom`; among duplicates, the last `env` entry and the last `envFrom` source win.
pub fn lookup_env<'a>(
    linked: &'a Linked,
    w: WorkloadId,
    c: &'a Container,
    name: &str,
) -> EnvLookup<'a> {
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

/// One variable a container gets from `envFrom`: its name (prefix applied), the `envFrom`
/// reference, and the ConfigMap/Secret key it comes from.
pub struct EnvFromVar<'a> {
    pub name: String,
    pub reference: &'a EnvFrom,
    pub source: &'a EnvSource,
    pub key: &'a Located<String>,
}

/// The variables a container of workload `w` gets through `envFrom` from the ConfigMaps and
/// Secrets of the input (same effective namespace, same name and kind), in order.
pub fn env_from_vars<'a>(
    linked: &'a Linked,
    w: WorkloadId,
    container: &'a Container,
) -> Vec<EnvFromVar<'a>> {
    let ns = &linked.workload_namespace(w).name;
    let mut vars = Vec::new();
    for reference in &container.env_from {
        for source in linked.env_sources_in(ns) {
            if source.kind != reference.kind || source.meta.name_str() != reference.name.value {
                continue;
            }
            for key in &source.keys {
                vars.push(EnvFromVar {
                    name: format!("{}{}", reference.prefix.as_deref().unwrap_or(""), key.value),
                    reference,
                    source,
                    key,
                });
            }
        }
    }
    vars
}

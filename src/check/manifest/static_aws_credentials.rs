//! IRSA220 static-aws-credentials: a workload that runs as no IRSA ServiceAccount gets static AWS
//! access keys (`AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY`) from its environment.
//!
//! Every AWS SDK reads these variables first in its default credential chain. Long-term IAM user
//! keys never expire, are shared by every replica, and work from anywhere once copied out of a
//! Secret, a pod spec or a repository; IRSA gives each ServiceAccount short-lived, automatically
//! rotated credentials for a role scoped to it instead. The keys may be set literally, through
//! `valueFrom`, or through `envFrom` of a Secret or ConfigMap of the input that holds such keys
//! (with the `envFrom` prefix applied). A literal value shaped like an access key id
//! (`AKIA` + 16 characters) is a leaked credential in a manifest and gets a stronger message.
//!
//! Workloads that do run as an IRSA ServiceAccount of the input are IRSA207's (the keys shadow the
//! role there), so the two rules never report the same container. Empty literal values are
//! ignored (the SDKs treat an empty variable as unset).

use crate::check::support::env::{STATIC_KEY_VARS, env_from_vars};
use crate::check::support::objects::workload_label;
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, WorkloadId};
use crate::model::k8s::{Container, EnvSourceKind, Workload};
use crate::registry::IRSA220;
use crate::source::{SourceRef, Span};

/// True for a literal shaped like a long-term access key id (`AKIA[0-9A-Z]{16}`).
pub fn looks_like_access_key_id(value: &str) -> bool {
    let v = value.trim();
    v.len() == 20
        && v.starts_with("AKIA")
        && v[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `AKIA…WXYZ`: enough to recognise the key, not enough to use it.
fn masked(key: &str) -> String {
    let key = key.trim();
    format!("{}…{}", &key[..4], &key[key.len() - 4..])
}

/// One place a key variable is set.
struct Found {
    name: String,
    span: Span,
    source: SourceRef,
    /// How it is set, for the message: `literally`, `from a Secret`, …
    how: String,
    /// The literal value, when one is written.
    literal: Option<String>,
}

fn key_vars(
    linked: &Linked,
    w: WorkloadId,
    workload: &Workload,
    container: &Container,
) -> Vec<Found> {
    let mut found = Vec::new();
    for var in &container.env {
        if !STATIC_KEY_VARS.contains(&var.name.value.as_str()) {
            continue;
        }
        match (&var.value, var.value_from) {
            (Some(value), _) if !value.value.trim().is_empty() => found.push(Found {
                name: var.name.value.clone(),
                span: var.name.span,
                source: workload.meta.source.clone(),
                how: "as a literal value".to_string(),
                literal: Some(value.value.clone()),
            }),
            (_, Some(_)) => found.push(Found {
                name: var.name.value.clone(),
                span: var.name.span,
                source: workload.meta.source.clone(),
                how: "through `valueFrom`".to_string(),
                literal: None,
            }),
            _ => {}
        }
    }
    for var in env_from_vars(linked, w, container) {
        // An explicit `env` entry wins over `envFrom`.
        if !STATIC_KEY_VARS.contains(&var.name.as_str()) || container.env_var(&var.name).is_some() {
            continue;
        }
        let kind = match var.source.kind {
            EnvSourceKind::Secret => "Secret",
            EnvSourceKind::ConfigMap => "ConfigMap",
        };
        found.push(Found {
            name: var.name.clone(),
            span: var.reference.name.span,
            source: workload.meta.source.clone(),
            how: format!(
                "through `envFrom` of {kind} `{}`",
                var.source.meta.name_str()
            ),
            literal: None,
        });
    }
    found
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        if linked.workload_uses_irsa(w) {
            continue;
        }
        let sa = &linked.workload_service_account(w).name;
        for container in &workload.pod.containers {
            let found = key_vars(linked, w, workload, container);
            let Some(first) = found.first() else { continue };
            let kind = if container.init {
                "initContainers"
            } else {
                "containers"
            };
            let label = workload_label(linked, w);
            let mut names: Vec<&str> = Vec::new();
            for f in &found {
                if !names.contains(&f.name.as_str()) {
                    names.push(&f.name);
                }
            }
            let leaked = found
                .iter()
                .find_map(|f| f.literal.as_deref().filter(|v| looks_like_access_key_id(v)));
            let (primary, message, label_text) = match leaked {
                Some(key) => {
                    let at = found
                        .iter()
                        .find(|f| f.literal.as_deref() == Some(key))
                        .unwrap_or(first);
                    (
                        at,
                        format!(
                            "container `{}` of {label} has the AWS access key `{}` written in its manifest: anyone who can read the repository or the pod spec holds a long-term credential that works from anywhere until it is revoked",
                            container.name.value,
                            masked(key)
                        ),
                        "a literal access key id".to_string(),
                    )
                }
                None => (
                    first,
                    format!(
                        "container `{}` of {label} gets static AWS keys ({} {}) while the input gives its ServiceAccount `{sa}` no IRSA role: long-lived keys are shared by every pod, never rotate and work from anywhere if they leak",
                        container.name.value,
                        names
                            .iter()
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(" and "),
                        first.how
                    ),
                    "static AWS credentials".to_string(),
                ),
            };
            let help = if leaked.is_some() {
                format!(
                    "deactivate and delete this access key in IAM now, remove it from the manifest (and the repository history), and give the pods a role through IRSA: annotate ServiceAccount `{sa}` with `eks.amazonaws.com/role-arn`"
                )
            } else {
                format!(
                    "remove the keys and use IRSA: annotate ServiceAccount `{sa}` (or a dedicated one) with `eks.amazonaws.com/role-arn` for a role whose trust policy admits it; the SDK then picks up the role's temporary credentials"
                )
            };
            let mut diag = Diagnostic::new(IRSA220, &primary.source, primary.span, message)
                .label(label_text)
                .help(help)
                .at_path(workload.meta.logical_path(&format!(
                    "{}.{kind}[{}].env.{}",
                    workload.pod.path, container.index, primary.name
                )));
            let mut seen = vec![primary.span];
            for other in &found {
                if !seen.contains(&other.span) {
                    seen.push(other.span);
                    diag = diag.related(
                        &other.source,
                        other.span,
                        format!("`{}` is set here", other.name),
                    );
                }
            }
            // The keys of the Secret/ConfigMap an envFrom pulls them from.
            for var in env_from_vars(linked, w, container) {
                if STATIC_KEY_VARS.contains(&var.name.as_str())
                    && container.env_var(&var.name).is_none()
                {
                    diag = diag.related(
                        &var.source.meta.source,
                        var.key.span,
                        format!("`{}` is defined here", var.key.value),
                    );
                }
            }
            out.push(diag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_key_shape() {
        assert!(looks_like_access_key_id("AKIAZ7R2EXAMPLE4Q3LM"));
        assert!(!looks_like_access_key_id("AKIAIOSFODNN7EXAMPL"));
        assert!(!looks_like_access_key_id("ASIAZ7R2EXAMPLE4Q3LM"));
        assert!(!looks_like_access_key_id("akiaz7r2example4q3lm"));
        assert_eq!(masked("AKIAZ7R2EXAMPLE4Q3LM"), "AKIA…Q3LM");
    }
}

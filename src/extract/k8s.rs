//! Kubernetes documents → ServiceAccounts, workloads, ConfigMaps/Secrets and kustomizations.
//!
//! `kind: List` and every `*List` kind (what `kubectl get -o yaml` prints) are flattened,
//! recursively. Unknown kinds are skipped silently: most of a monorepo's YAML is not IRSA's
//! business.

use crate::model::k8s::annotations;
use crate::model::k8s::{
    Annotation, Container, EnvFrom, EnvSource, EnvSourceKind, EnvVar, IgnoreAnnotation,
    Kustomization, NodeSelectorExpression, ObjectMeta, PodSpec, ServiceAccount, TokenProjection,
    Volume, VolumeMount, Workload,
};
use crate::model::policy::Located;
use crate::parse::tree::{Node, NodeKind, ScalarType};
use crate::source::{SourceRef, Span};

/// The Kubernetes objects of one file.
#[derive(Debug, Default)]
pub struct K8sObjects {
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    pub env_sources: Vec<EnvSource>,
    pub kustomizations: Vec<Kustomization>,
    /// `irsa-lint/ignore` annotations of every object (see [`ignore_annotations`]).
    pub ignore_annotations: Vec<IgnoreAnnotation>,
}

/// Where a workload kind keeps its pod template (path of keys from the object root to the
/// template, whose `metadata` and `spec` are read). A Pod is its own template.
fn template_path(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "Pod" => &[],
        "Deployment"
        | "ReplicaSet"
        | "StatefulSet"
        | "DaemonSet"
        | "Job"
        | "ReplicationController"
        | "Rollout" => &["spec", "template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        "PodTemplate" => &["template"],
        _ => return None,
    })
}

/// The `irsa-lint/ignore` annotations of a document root: on the root object, or on each item of a
/// `kind: List`, whatever the objects' kinds.
pub fn ignore_annotations(root: &Node, out: &mut Vec<IgnoreAnnotation>) {
    let items: Vec<&Node> = match root.get("items").and_then(Node::as_seq) {
        Some(items) if root.get("kind").and_then(Node::as_str) == Some("List") => {
            items.iter().collect()
        }
        _ => vec![root],
    };
    for object in items {
        let Some(entry) = object
            .path(&["metadata", "annotations"])
            .and_then(|a| a.entry(annotations::IGNORE))
        else {
            continue;
        };
        out.push(IgnoreAnnotation {
            object_span: object.span,
            object_label: object_label(object),
            value: entry.value.written(),
        });
    }
}

/// `ServiceAccount `payments/api`` for messages (namespace as written).
fn object_label(object: &Node) -> String {
    let kind = object
        .get("kind")
        .and_then(Node::as_str)
        .unwrap_or("object");
    let name = object
        .path(&["metadata", "name"])
        .and_then(Node::as_str)
        .unwrap_or("(unnamed)");
    match object
        .path(&["metadata", "namespace"])
        .and_then(Node::as_str)
    {
        Some(ns) => format!("{kind} `{ns}/{name}`"),
        None => format!("{kind} `{name}`"),
    }
}

/// Extract the objects of one document root into `out`.
pub fn extract_objects(source: &SourceRef, root: &Node, out: &mut K8sObjects) {
    // (node, list path) pairs; an explicit stack flattens nested Lists without recursion.
    let mut stack = vec![(root, String::new())];
    while let Some((node, list_path)) = stack.pop() {
        let Some(kind) = located_str(node.get("kind")) else {
            if is_kustomization_file(source) {
                extract_kustomization(source, node, out);
            }
            continue;
        };
        if kind.value.ends_with("List")
            && let Some(items) = node.get("items").and_then(Node::as_seq)
        {
            for (i, item) in items.iter().enumerate().rev() {
                let path = if list_path.is_empty() {
                    format!("items[{i}]")
                } else {
                    format!("{list_path}.items[{i}]")
                };
                stack.push((item, path));
            }
            continue;
        }
        if kind.value == "Kustomization" {
            extract_kustomization(source, node, out);
            continue;
        }
        let Some(meta) = object_meta(source, node, kind, list_path) else {
            continue;
        };
        match meta.kind.value.as_str() {
            "ServiceAccount" => out.service_accounts.push(ServiceAccount {
                automount_token: located_bool(node.get("automountServiceAccountToken")),
                meta,
            }),
            "ConfigMap" | "Secret" => {
                let kind = if meta.kind.value == "Secret" {
                    EnvSourceKind::Secret
                } else {
                    EnvSourceKind::ConfigMap
                };
                let keys = ["data", "stringData", "binaryData"]
                    .iter()
                    .filter_map(|k| node.get(k).and_then(Node::as_map))
                    .flatten()
                    .filter_map(|e| located_str(Some(&e.key)))
                    .collect();
                out.env_sources.push(EnvSource { meta, kind, keys });
            }
            other => {
                let Some(path) = template_path(other) else {
                    continue;
                };
                let Some(template) = node.path(path) else {
                    continue;
                };
                let pod = if path.is_empty() {
                    pod_spec(template, "spec", meta.annotations.clone())
                } else {
                    let annotations = template
                        .path(&["metadata", "annotations"])
                        .map(annotations_of)
                        .unwrap_or_default();
                    pod_spec(template, &format!("{}.spec", path.join(".")), annotations)
                };
                if let Some(pod) = pod {
                    out.workloads.push(Workload { meta, pod });
                }
            }
        }
    }
}

fn is_kustomization_file(source: &SourceRef) -> bool {
    let name = source
        .display_path
        .rsplit('/')
        .next()
        .unwrap_or(&source.display_path);
    matches!(
        name,
        "kustomization.yaml" | "kustomization.yml" | "Kustomization"
    )
}

fn extract_kustomization(source: &SourceRef, node: &Node, out: &mut K8sObjects) {
    let dir = match source.display_path.rfind('/') {
        Some(i) => source.display_path[..i].to_string(),
        None => String::new(),
    };
    let resources = node
        .get("resources")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|n| {
            Some(Located {
                value: n.as_str()?.to_string(),
                span: n.span,
            })
        })
        .collect();
    out.kustomizations.push(Kustomization {
        source: source.clone(),
        dir,
        namespace: located_str(node.get("namespace")),
        resources,
    });
}

fn object_meta(
    source: &SourceRef,
    node: &Node,
    kind: Located<String>,
    list_path: String,
) -> Option<ObjectMeta> {
    node.as_map()?;
    let metadata = node.entry("metadata");
    let meta_node = metadata.map(|e| &e.value);
    let annotations_entry = meta_node.and_then(|m| m.entry("annotations"));
    Some(ObjectMeta {
        source: source.clone(),
        span: node.span,
        kind,
        api_version: located_str(node.get("apiVersion")),
        name: located_str(meta_node.and_then(|m| m.get("name"))),
        namespace: located_str(meta_node.and_then(|m| m.get("namespace"))),
        metadata_key: metadata.map(|e| e.key.span),
        annotations: annotations_entry
            .map(|e| annotations_of(&e.value))
            .unwrap_or_default(),
        annotations_key: annotations_entry.map(|e| e.key.span),
        list_path,
    })
}

fn annotations_of(node: &Node) -> Vec<Annotation> {
    node.as_map()
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some(Annotation {
                key: located_str(Some(&e.key))?,
                value: e.value.written(),
            })
        })
        .collect()
}

/// The pod spec under `template` (`template.spec`, or the Pod's own `spec`).
fn pod_spec(template: &Node, path: &str, annotations: Vec<Annotation>) -> Option<PodSpec> {
    let spec_entry = template.entry("spec")?;
    let spec = &spec_entry.value;
    spec.as_map()?;
    let mut containers = Vec::new();
    for (key, init) in [("initContainers", true), ("containers", false)] {
        for (index, c) in spec
            .get(key)
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(container) = container(c, init, index) {
                containers.push(container);
            }
        }
    }
    Some(PodSpec {
        span: spec.span,
        spec_key: spec_entry.key.span,
        path: path.to_string(),
        service_account_name: located_str(spec.get("serviceAccountName")),
        service_account: located_str(spec.get("serviceAccount")),
        automount_token: located_bool(spec.get("automountServiceAccountToken")),
        host_network: located_bool(spec.get("hostNetwork")),
        node_selector: spec
            .get("nodeSelector")
            .and_then(Node::as_map)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((located_str(Some(&e.key))?, located_text(Some(&e.value))?)))
            .collect(),
        volumes: spec
            .get("volumes")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .filter_map(|v| {
                Some(Volume {
                    name: located_str(v.get("name"))?,
                    source_kind: v
                        .as_map()
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|e| e.key.as_str())
                        .find(|k| *k != "name")
                        .map(str::to_string),
                    token_projections: v
                        .path(&["projected", "sources"])
                        .and_then(Node::as_seq)
                        .unwrap_or_default()
                        .iter()
                        .filter_map(|s| s.get("serviceAccountToken"))
                        .map(|t| TokenProjection {
                            audience: t.get("audience").and_then(scalar_string),
                            path: t.get("path").and_then(scalar_string),
                        })
                        .collect(),
                })
            })
            .collect(),
        containers,
        annotations,
        os_name: spec
            .path(&["os", "name"])
            .and_then(|n| located_text(Some(n))),
        node_affinity: node_affinity(spec),
        windows_options: windows_options(spec),
    })
}

fn scalar_string(node: &Node) -> Option<String> {
    node.scalar_text().map(str::to_string)
}

/// The key span of `securityContext.windowsOptions` under `node`.
fn windows_options(node: &Node) -> Option<Span> {
    node.get("securityContext")
        .and_then(|s| s.entry("windowsOptions"))
        .map(|e| e.key.span)
}

/// Every mapping with `key` and `operator` anywhere under `affinity.nodeAffinity` (required and
/// preferred terms alike), in source order.
fn node_affinity(spec: &Node) -> Vec<NodeSelectorExpression> {
    let Some(affinity) = spec.path(&["affinity", "nodeAffinity"]) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    let mut stack = vec![affinity];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Map(entries) => {
                let key = located_text(node.get("key"));
                let operator = node.get("operator").and_then(scalar_string);
                if let (Some(key), Some(operator)) = (key, operator) {
                    found.push(NodeSelectorExpression {
                        key,
                        operator,
                        values: node
                            .get("values")
                            .and_then(Node::as_seq)
                            .unwrap_or_default()
                            .iter()
                            .filter_map(|v| located_text(Some(v)))
                            .collect(),
                    });
                }
                stack.extend(entries.iter().rev().map(|e| &e.value));
            }
            NodeKind::Seq(items) => stack.extend(items.iter().rev()),
            _ => {}
        }
    }
    found
}

fn container(node: &Node, init: bool, index: usize) -> Option<Container> {
    let name = located_str(node.get("name")).unwrap_or(Located {
        value: String::new(),
        span: node.span,
    });
    node.as_map()?;
    let env = node
        .get("env")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            Some(EnvVar {
                name: located_str(e.get("name"))?,
                value: located_text(e.get("value")),
                value_from: e.entry("valueFrom").map(|v| v.key.span.to(v.value.span)),
            })
        })
        .collect();
    let env_from = node
        .get("envFrom")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| {
            let (kind, reference) = if let Some(r) = e.get("secretRef") {
                (EnvSourceKind::Secret, r)
            } else {
                (EnvSourceKind::ConfigMap, e.get("configMapRef")?)
            };
            Some(EnvFrom {
                kind,
                name: located_str(reference.get("name"))?,
                prefix: e
                    .get("prefix")
                    .and_then(|p| p.scalar_text())
                    .map(str::to_string),
            })
        })
        .collect();
    let volume_mounts = node
        .get("volumeMounts")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| {
            Some(VolumeMount {
                name: located_str(m.get("name"))?,
                mount_path: located_str(m.get("mountPath"))?,
            })
        })
        .collect();
    Some(Container {
        name,
        init,
        env,
        env_from,
        volume_mounts,
        index,
        image: located_text(node.get("image")),
        windows_options: windows_options(node),
    })
}

/// A string-typed scalar with its span.
fn located_str(node: Option<&Node>) -> Option<Located<String>> {
    let node = node?;
    Some(Located {
        value: node.as_str()?.to_string(),
        span: node.span,
    })
}

/// Any scalar's text (a number or boolean as written) with its span.
fn located_text(node: Option<&Node>) -> Option<Located<String>> {
    let node = node?;
    if node.is_null() {
        return None;
    }
    Some(Located {
        value: node.scalar_text()?.to_string(),
        span: node.span,
    })
}

fn located_bool(node: Option<&Node>) -> Option<Located<bool>> {
    let node = node?;
    match node.as_scalar()?.ty {
        ScalarType::Bool(b) => Some(Located {
            value: b,
            span: node.span,
        }),
        _ => None,
    }
}

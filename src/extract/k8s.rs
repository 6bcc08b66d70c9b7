//! Kubernetes documents → ServiceAccounts, workloads, the ServiceAccounts custom resources name,
//! ConfigMaps/Secrets and kustomizations.
//!
//! `kind: List` and every `*List` kind (what `kubectl get -o yaml` prints) are flattened,
//! recursively. Other kinds are skipped silently, but for the custom resources that name a
//! ServiceAccount ([`POD_RUNNERS`], and any custom resource with `spec.serviceAccountName`): most
//! of a monorepo's YAML is not IRSA's business.

use crate::model::k8s::annotations;
use crate::model::k8s::{
    Annotation, Container, EnvFrom, EnvSource, EnvSourceKind, EnvVar, IgnoreAnnotation,
    Kustomization, NodeSelectorExpression, ObjectMeta, PodSpec, ReferenceScope, RoleArnSetting,
    ServiceAccount, ServiceAccountReference, TokenProjection, Volume, VolumeMount, Workload,
};
use crate::model::policy::Located;
use crate::parse::tree::{Node, NodeKind, ScalarType};
use crate::source::{SourceRef, Span};

/// The Kubernetes objects of one file.
#[derive(Debug, Default)]
pub struct K8sObjects {
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    /// ServiceAccounts named by custom resources that run pods (see [`POD_RUNNERS`]).
    pub service_account_references: Vec<ServiceAccountReference>,
    pub env_sources: Vec<EnvSource>,
    pub kustomizations: Vec<Kustomization>,
    /// `irsa-lint/ignore` annotations of every object (see [`ignore_annotations`]).
    pub ignore_annotations: Vec<IgnoreAnnotation>,
    /// Role-arn settings of documents that are not Kubernetes objects (Helm values).
    pub role_arn_settings: Vec<RoleArnSetting>,
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
    extract_objects_at(source, root, String::new(), out);
}

/// [`extract_objects`] for an object that sits at `path` in its file (a Terraform resource's
/// address): its logical paths start with it, as a `List` item's do with `items[3]`.
pub fn extract_objects_at(source: &SourceRef, root: &Node, path: String, out: &mut K8sObjects) {
    // (node, list path) pairs; an explicit stack flattens nested Lists without recursion.
    let mut stack = vec![(root, path)];
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
            other => match template_path(other).and_then(|path| workload_pod(node, path, &meta)) {
                Some(pod) => out.workloads.push(Workload { meta, pod }),
                // Not a workload (a Volcano `Job` has no `spec.template`): it may still be a
                // custom resource that names a ServiceAccount.
                None => {
                    service_account_references(node, &meta, &mut out.service_account_references)
                }
            },
        }
    }
}

/// The pod spec of a workload whose template is at `path`.
fn workload_pod(node: &Node, path: &[&str], meta: &ObjectMeta) -> Option<PodSpec> {
    let template = node.path(path)?;
    if path.is_empty() {
        pod_spec(template, "spec", meta.annotations.clone())
    } else {
        let annotations = template
            .path(&["metadata", "annotations"])
            .map(annotations_of)
            .unwrap_or_default();
        pod_spec(template, &format!("{}.spec", path.join(".")), annotations)
    }
}

/// A custom resource kind whose operator runs pods as a ServiceAccount the resource names (or
/// whose controller takes that ServiceAccount's identity), and the fields that name it.
///
/// In `names` and `refs`, a path is dotted keys from the object root; `key[]` is every item of
/// the list under `key`, `*` every value of a mapping.
struct PodRunner {
    /// The API group (`apiVersion` without its version).
    group: &'static str,
    kinds: &'static [&'static str],
    /// Fields that hold a ServiceAccount's name.
    names: &'static [&'static str],
    /// Fields that hold a `{name, namespace}` reference to a ServiceAccount.
    refs: &'static [&'static str],
    /// Cluster-scoped kinds: a name is looked up in the namespace of whatever uses the object,
    /// which the input does not say; a reference's own `namespace`, when given, decides.
    cluster_scoped: bool,
}

/// The custom resources known to name a ServiceAccount, with the fields that do, as each
/// operator's CRD defines them. The table of `rules/IRSA310-service-account-unused.md` lists the
/// same; keep both in step.
///
/// | group | kinds | fields |
/// |---|---|---|
/// | `opentelemetry.io` | `OpenTelemetryCollector` | `spec.serviceAccount`, `spec.targetAllocator.serviceAccount` |
/// | `opentelemetry.io` | `TargetAllocator`, `OpAMPBridge` | `spec.serviceAccount` |
/// | `monitoring.coreos.com` | `Prometheus`, `PrometheusAgent`, `Alertmanager`, `ThanosRuler` | `spec.serviceAccountName` |
/// | `argoproj.io` | `Workflow`, `WorkflowTemplate`, `ClusterWorkflowTemplate` | `spec.serviceAccountName`, `spec.templates[].serviceAccountName` |
/// | `argoproj.io` | `CronWorkflow` | `spec.workflowSpec.serviceAccountName`, `spec.workflowSpec.templates[].serviceAccountName` |
/// | `argoproj.io` | `Sensor`, `EventSource` (Argo Events) | `spec.template.serviceAccountName` |
/// | `sparkoperator.k8s.io` | `SparkApplication` | `spec.driver.serviceAccount`, `spec.executor.serviceAccount` |
/// | `sparkoperator.k8s.io` | `ScheduledSparkApplication` | `spec.template.driver.serviceAccount`, `spec.template.executor.serviceAccount` |
/// | `flink.apache.org` | `FlinkDeployment` | `spec.serviceAccount` |
/// | `tekton.dev` | `TaskRun` | `spec.serviceAccountName` |
/// | `tekton.dev` | `PipelineRun` | `spec.taskRunTemplate.serviceAccountName` (v1), `spec.taskRunSpecs[].serviceAccountName` (v1), `spec.serviceAccountName` (v1beta1), `spec.taskRunSpecs[].taskServiceAccountName` (v1beta1), `spec.serviceAccountNames[].serviceAccountName` (v1alpha1) |
/// | `ray.io` | `RayCluster` | `spec.headGroupSpec.template.spec.serviceAccountName`, `spec.workerGroupSpecs[].template.spec.serviceAccountName` |
/// | `ray.io` | `RayJob` | the same under `spec.rayClusterSpec`, `spec.submitterPodTemplate.spec.serviceAccountName` |
/// | `ray.io` | `RayService` | the same under `spec.rayClusterConfig` |
/// | `kubeflow.org` | `PyTorchJob`, `TFJob`, `MPIJob`, `XGBoostJob`, `PaddleJob` | `spec.<kind>ReplicaSpecs.*.template.spec.serviceAccountName` |
/// | `kubeflow.org` | `Notebook` | `spec.template.spec.serviceAccountName` |
/// | `batch.volcano.sh` | `Job` | `spec.tasks[].template.spec.serviceAccountName` |
/// | `keda.sh` | `ScaledJob` | `spec.jobTargetRef.template.spec.serviceAccountName` |
/// | `serving.knative.dev` | `Service`, `Configuration` | `spec.template.spec.serviceAccountName` |
/// | `external-secrets.io` | `SecretStore`, `ClusterSecretStore` | `spec.provider.aws.auth.jwt.serviceAccountRef` |
/// | `generators.external-secrets.io` | `ECRAuthorizationToken`, `STSSessionToken` | `spec.auth.jwt.serviceAccountRef` |
///
/// Not counted: Argo's `executor.serviceAccountName` (its token is mounted for the executor,
/// but the pods run as the workflow's ServiceAccount, which is the one IRSA reads).
const POD_RUNNERS: &[PodRunner] = &[
    PodRunner {
        group: "opentelemetry.io",
        kinds: &["OpenTelemetryCollector"],
        names: &["spec.serviceAccount", "spec.targetAllocator.serviceAccount"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "opentelemetry.io",
        kinds: &["TargetAllocator", "OpAMPBridge"],
        names: &["spec.serviceAccount"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "monitoring.coreos.com",
        kinds: &[
            "Prometheus",
            "PrometheusAgent",
            "Alertmanager",
            "ThanosRuler",
        ],
        names: &["spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "argoproj.io",
        kinds: &["Workflow", "WorkflowTemplate"],
        names: &[
            "spec.serviceAccountName",
            "spec.templates[].serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "argoproj.io",
        kinds: &["ClusterWorkflowTemplate"],
        names: &[
            "spec.serviceAccountName",
            "spec.templates[].serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: true,
    },
    PodRunner {
        group: "argoproj.io",
        kinds: &["CronWorkflow"],
        names: &[
            "spec.workflowSpec.serviceAccountName",
            "spec.workflowSpec.templates[].serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "argoproj.io",
        kinds: &["Sensor", "EventSource"],
        names: &["spec.template.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "sparkoperator.k8s.io",
        kinds: &["SparkApplication"],
        names: &["spec.driver.serviceAccount", "spec.executor.serviceAccount"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "sparkoperator.k8s.io",
        kinds: &["ScheduledSparkApplication"],
        names: &[
            "spec.template.driver.serviceAccount",
            "spec.template.executor.serviceAccount",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "flink.apache.org",
        kinds: &["FlinkDeployment"],
        names: &["spec.serviceAccount"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "tekton.dev",
        kinds: &["TaskRun"],
        names: &["spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "tekton.dev",
        kinds: &["PipelineRun"],
        names: &[
            "spec.taskRunTemplate.serviceAccountName",
            "spec.taskRunSpecs[].serviceAccountName",
            "spec.serviceAccountName",
            "spec.taskRunSpecs[].taskServiceAccountName",
            "spec.serviceAccountNames[].serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "ray.io",
        kinds: &["RayCluster"],
        names: &[
            "spec.headGroupSpec.template.spec.serviceAccountName",
            "spec.workerGroupSpecs[].template.spec.serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "ray.io",
        kinds: &["RayJob"],
        names: &[
            "spec.rayClusterSpec.headGroupSpec.template.spec.serviceAccountName",
            "spec.rayClusterSpec.workerGroupSpecs[].template.spec.serviceAccountName",
            "spec.submitterPodTemplate.spec.serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "ray.io",
        kinds: &["RayService"],
        names: &[
            "spec.rayClusterConfig.headGroupSpec.template.spec.serviceAccountName",
            "spec.rayClusterConfig.workerGroupSpecs[].template.spec.serviceAccountName",
        ],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["PyTorchJob"],
        names: &["spec.pytorchReplicaSpecs.*.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["TFJob"],
        names: &["spec.tfReplicaSpecs.*.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["MPIJob"],
        names: &["spec.mpiReplicaSpecs.*.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["XGBoostJob"],
        names: &["spec.xgbReplicaSpecs.*.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["PaddleJob"],
        names: &["spec.paddleReplicaSpecs.*.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "kubeflow.org",
        kinds: &["Notebook"],
        names: &["spec.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "batch.volcano.sh",
        kinds: &["Job"],
        names: &["spec.tasks[].template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "keda.sh",
        kinds: &["ScaledJob"],
        names: &["spec.jobTargetRef.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "serving.knative.dev",
        kinds: &["Service", "Configuration"],
        names: &["spec.template.spec.serviceAccountName"],
        refs: &[],
        cluster_scoped: false,
    },
    PodRunner {
        group: "external-secrets.io",
        kinds: &["SecretStore"],
        names: &[],
        refs: &["spec.provider.aws.auth.jwt.serviceAccountRef"],
        cluster_scoped: false,
    },
    PodRunner {
        group: "external-secrets.io",
        kinds: &["ClusterSecretStore"],
        names: &[],
        refs: &["spec.provider.aws.auth.jwt.serviceAccountRef"],
        cluster_scoped: true,
    },
    PodRunner {
        group: "generators.external-secrets.io",
        kinds: &["ECRAuthorizationToken", "STSSessionToken"],
        names: &[],
        refs: &["spec.auth.jwt.serviceAccountRef"],
        cluster_scoped: false,
    },
];

/// What any other custom resource is read for: the field names Kubernetes uses for a pod's
/// ServiceAccount, at the top of `spec` or in a pod template at `spec.template` (the convention
/// most operators follow).
const GENERIC_NAMES: &[&str] = &[
    "spec.serviceAccountName",
    "spec.serviceAccount",
    "spec.template.spec.serviceAccountName",
];

/// The API groups Kubernetes itself serves (`""` is the core group of `apiVersion: v1`): their
/// objects are no custom resources.
const BUILT_IN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "extensions",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "certificates.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "events.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "networking.k8s.io",
    "node.k8s.io",
    "rbac.authorization.k8s.io",
    "resource.k8s.io",
    "scheduling.k8s.io",
    "storage.k8s.io",
    "storagemigration.k8s.io",
];

/// The ServiceAccounts a custom resource names: the fields [`POD_RUNNERS`] lists for its kind,
/// else, for any custom resource (an API group Kubernetes does not serve), [`GENERIC_NAMES`].
/// An object without `apiVersion` is no custom resource the API server would accept: skipped.
fn service_account_references(
    node: &Node,
    meta: &ObjectMeta,
    out: &mut Vec<ServiceAccountReference>,
) {
    let Some(api_version) = &meta.api_version else {
        return;
    };
    let group = api_version
        .value
        .rsplit_once('/')
        .map_or("", |(group, _)| group);
    let kind = meta.kind.value.as_str();
    let known = POD_RUNNERS
        .iter()
        .find(|r| r.group == group && r.kinds.contains(&kind));
    let (names, refs, cluster_scoped) = match known {
        Some(r) => (r.names, r.refs, r.cluster_scoped),
        None if !BUILT_IN_GROUPS.contains(&group) => (GENERIC_NAMES, &[][..], false),
        None => return,
    };
    let mut push = |name: Located<String>, path: String, scope: ReferenceScope| {
        out.push(ServiceAccountReference {
            meta: meta.clone(),
            name,
            path,
            scope,
        });
    };
    for pattern in names {
        for (value, path) in values_at(node, pattern) {
            let Some(name) = located_str(Some(value)).filter(|n| !n.value.is_empty()) else {
                continue;
            };
            let scope = if cluster_scoped {
                ReferenceScope::Any
            } else {
                ReferenceScope::Object
            };
            push(name, path, scope);
        }
    }
    for pattern in refs {
        for (value, path) in values_at(node, pattern) {
            let Some(name) = located_str(value.get("name")).filter(|n| !n.value.is_empty()) else {
                continue;
            };
            // A namespaced object's reference ignores `namespace`: the ServiceAccount is in the
            // object's own.
            let namespace = located_str(value.get("namespace")).filter(|n| !n.value.is_empty());
            let scope = match namespace {
                _ if !cluster_scoped => ReferenceScope::Object,
                Some(ns) => ReferenceScope::Named(ns),
                None => ReferenceScope::Any,
            };
            push(name, format!("{path}.name"), scope);
        }
    }
}

/// Every node at `pattern` under `node` (dotted keys; `key[]` is every item of the list under
/// `key`, `*` every value of a mapping), with its path written out (`spec.templates[2].x`).
fn values_at<'a>(node: &'a Node, pattern: &str) -> Vec<(&'a Node, String)> {
    let mut found = vec![(node, String::new())];
    for segment in pattern.split('.') {
        let mut next = Vec::new();
        for (node, at) in found {
            let join = |key: &str| {
                if at.is_empty() {
                    key.to_string()
                } else {
                    format!("{at}.{key}")
                }
            };
            if segment == "*" {
                for e in node.as_map().unwrap_or_default() {
                    if let Some(key) = e.key.scalar_text() {
                        next.push((&e.value, join(key)));
                    }
                }
            } else if let Some(key) = segment.strip_suffix("[]") {
                let items = node.get(key).and_then(Node::as_seq).unwrap_or_default();
                for (i, item) in items.iter().enumerate() {
                    next.push((item, format!("{}[{i}]", join(key))));
                }
            } else if let Some(child) = node.get(segment) {
                next.push((child, join(segment)));
            }
        }
        found = next;
    }
    found
}

/// Whether the file is named as kustomize looks it up (`kustomization.yaml`, ...).
pub fn is_kustomization_file(source: &SourceRef) -> bool {
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

/// The entries of a `metadata.annotations` mapping (keys that are strings).
pub fn annotations_of(node: &Node) -> Vec<Annotation> {
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
/// preferred terms alike), in source order; an expression under
/// `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[i]` records `i`.
fn node_affinity(spec: &Node) -> Vec<NodeSelectorExpression> {
    let Some(affinity) = spec.path(&["affinity", "nodeAffinity"]) else {
        return Vec::new();
    };
    let required = affinity
        .path(&[
            "requiredDuringSchedulingIgnoredDuringExecution",
            "nodeSelectorTerms",
        ])
        .and_then(Node::as_seq)
        .unwrap_or_default();
    let mut found = Vec::new();
    let mut stack = vec![affinity];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Map(entries) => {
                let key = located_text(node.get("key"));
                let operator = node.get("operator").and_then(scalar_string);
                if let (Some(key), Some(operator)) = (key, operator) {
                    let required_term = required.iter().position(|t| {
                        t.span.start <= node.span.start && node.span.end <= t.span.end
                    });
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
                        required_term,
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
/// A string scalar with its span.
pub fn located_str(node: Option<&Node>) -> Option<Located<String>> {
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

pub fn located_bool(node: Option<&Node>) -> Option<Located<bool>> {
    let node = node?;
    match node.as_scalar()?.ty {
        ScalarType::Bool(b) => Some(Located {
            value: b,
            span: node.span,
        }),
        _ => None,
    }
}

#[cfg(test)]
mod reference_tests {
    use std::sync::Arc;

    use crate::model::k8s::{ReferenceScope, ServiceAccountReference};
    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    fn references(text: &str) -> Vec<ServiceAccountReference> {
        let source = Arc::new(SourceFile::new("crs.yaml", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        crate::extract::extract(&source, &parsed)
            .k8s
            .service_account_references
    }

    fn names_and_paths(text: &str) -> Vec<(String, String)> {
        references(text)
            .into_iter()
            .map(|r| (r.name.value, r.path))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn list_items_and_mapping_values_are_written_out_in_the_path() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  serviceAccountName: top\n  templates:\n    - name: a\n    - name: b\n      serviceAccountName: per-template\n---\napiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: j\nspec:\n  pytorchReplicaSpecs:\n    Master:\n      template:\n        spec:\n          serviceAccountName: master\n    Worker:\n      template:\n        spec:\n          serviceAccountName: worker\n";
        assert_eq!(
            names_and_paths(text),
            pairs(&[
                ("top", "spec.serviceAccountName"),
                ("per-template", "spec.templates[1].serviceAccountName"),
                (
                    "master",
                    "spec.pytorchReplicaSpecs.Master.template.spec.serviceAccountName"
                ),
                (
                    "worker",
                    "spec.pytorchReplicaSpecs.Worker.template.spec.serviceAccountName"
                ),
            ])
        );
    }

    #[test]
    fn a_known_kind_is_read_at_its_fields_only() {
        // Spark's field is `serviceAccount` under driver/executor; a top-level
        // `spec.serviceAccountName` is no field of a SparkApplication.
        let text = "apiVersion: sparkoperator.k8s.io/v1beta2\nkind: SparkApplication\nmetadata:\n  name: s\nspec:\n  serviceAccountName: not-a-field\n  driver:\n    serviceAccount: driver\n  executor:\n    serviceAccount: executor\n";
        assert_eq!(
            names_and_paths(text),
            pairs(&[
                ("driver", "spec.driver.serviceAccount"),
                ("executor", "spec.executor.serviceAccount"),
            ])
        );
    }

    #[test]
    fn any_custom_resource_is_read_at_the_generic_fields() {
        let text = "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  serviceAccount: plain\n  template:\n    spec:\n      serviceAccountName: templated\n";
        assert_eq!(
            names_and_paths(text),
            pairs(&[
                ("plain", "spec.serviceAccount"),
                ("templated", "spec.template.spec.serviceAccountName"),
            ])
        );
    }

    #[test]
    fn built_in_objects_objects_without_api_version_and_non_strings_name_none() {
        for text in [
            // A core object: not a custom resource (and not a workload).
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  serviceAccountName: x\n",
            "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: i\nspec:\n  serviceAccountName: x\n",
            // No apiVersion: the API server would not accept it.
            "kind: Runner\nmetadata:\n  name: r\nspec:\n  serviceAccountName: x\n",
            // A mapping (a chart-style `serviceAccount: {create, name}`), a number, an empty name.
            "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  serviceAccount:\n    create: true\n    name: x\n",
            "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  serviceAccountName: 12\n",
            "apiVersion: example.com/v1\nkind: Runner\nmetadata:\n  name: r\nspec:\n  serviceAccountName: \"\"\n",
            // Lists and scalars where a mapping is expected.
            "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata:\n  name: w\nspec:\n  templates: nope\n",
            "apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: j\nspec:\n  pytorchReplicaSpecs: [1, 2]\n",
            "apiVersion: example.com/v1\nkind: Runner\nspec: [serviceAccountName]\n",
        ] {
            assert!(references(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_workload_kind_without_a_template_may_still_be_a_custom_resource() {
        // Volcano's `Job` shares its kind with batch/v1's.
        let text = "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\nmetadata:\n  name: v\nspec:\n  tasks:\n    - name: t\n      template:\n        spec:\n          serviceAccountName: volcano\n";
        assert_eq!(
            names_and_paths(text),
            pairs(&[("volcano", "spec.tasks[0].template.spec.serviceAccountName")])
        );
    }

    #[test]
    fn the_scope_follows_the_kind() {
        let store = |kind: &str, namespace: &str| {
            format!(
                "apiVersion: external-secrets.io/v1beta1\nkind: {kind}\nmetadata:\n  name: s\nspec:\n  provider:\n    aws:\n      auth:\n        jwt:\n          serviceAccountRef:\n            name: reader\n{namespace}"
            )
        };
        let scope = |text: &str| {
            let found = references(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(
                found[0].path,
                "spec.provider.aws.auth.jwt.serviceAccountRef.name"
            );
            match &found[0].scope {
                ReferenceScope::Object => "object".to_string(),
                ReferenceScope::Named(ns) => ns.value.clone(),
                ReferenceScope::Any => "any".to_string(),
            }
        };
        let ns = "            namespace: secrets\n";
        assert_eq!(scope(&store("SecretStore", ns)), "object");
        assert_eq!(scope(&store("ClusterSecretStore", ns)), "secrets");
        assert_eq!(scope(&store("ClusterSecretStore", "")), "any");
        let template = "apiVersion: argoproj.io/v1alpha1\nkind: ClusterWorkflowTemplate\nmetadata:\n  name: t\nspec:\n  serviceAccountName: runner\n";
        let found = references(template);
        assert!(matches!(found[0].scope, ReferenceScope::Any));
    }
}

#[cfg(test)]
mod affinity_tests {
    use std::sync::Arc;

    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    #[test]
    fn required_expressions_record_their_term_and_preferred_ones_none() {
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        nodeSelectorTerms:\n          - matchExpressions:\n              - key: kubernetes.io/os\n                operator: In\n                values: [windows]\n          - matchExpressions:\n              - key: kubernetes.io/arch\n                operator: In\n                values: [amd64]\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: 1\n          preference:\n            matchExpressions:\n              - key: kubernetes.io/os\n                operator: In\n                values: [linux]\n  containers:\n    - name: c\n";
        let source = Arc::new(SourceFile::new("pod.yaml", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        let workloads = crate::extract::extract(&source, &parsed).k8s.workloads;
        let terms: Vec<(String, Option<usize>)> = workloads[0]
            .pod
            .node_affinity
            .iter()
            .map(|e| (e.key.value.clone(), e.required_term))
            .collect();
        assert_eq!(
            terms,
            vec![
                ("kubernetes.io/os".to_string(), Some(0)),
                ("kubernetes.io/arch".to_string(), Some(1)),
                ("kubernetes.io/os".to_string(), None),
            ]
        );
    }
}

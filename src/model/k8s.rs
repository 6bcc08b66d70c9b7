//! The Kubernetes model: ServiceAccounts, workloads with their pod template, the ServiceAccounts
//! that custom resources name, and the ConfigMaps and Secrets that `envFrom` may pull in. Every
//! field keeps its span.
//!
//! Namespaces are recorded as written (`metadata.namespace`, or None); the link stage resolves
//! the effective namespace (kustomization, `--default-namespace`), because that needs other files.

use crate::model::policy::Located;
use crate::model::written::Written;
use crate::source::{SourceRef, Span};

/// What every object has: where it is, its kind, name and namespace as written.
#[derive(Clone, Debug)]
pub struct ObjectMeta {
    pub source: SourceRef,
    /// The object's whole node span (the document, or the item of a `List`).
    pub span: Span,
    /// `kind` value as written, with its span.
    pub kind: Located<String>,
    pub api_version: Option<Located<String>>,
    /// `metadata.name` (None when missing, e.g. a Pod with `generateName`).
    pub name: Option<Located<String>>,
    /// `metadata.namespace` as written.
    pub namespace: Option<Located<String>>,
    /// Span of the `metadata` key (where to point when the namespace is missing).
    pub metadata_key: Option<Span>,
    /// Every annotation on the object's own metadata.
    pub annotations: Vec<Annotation>,
    /// Span of the `annotations` key, when present.
    pub annotations_key: Option<Span>,
    /// Position in a `List` (for logical paths), e.g. `items[3]`, empty for a top-level object.
    pub list_path: String,
}

impl ObjectMeta {
    pub fn file(&self) -> &str {
        &self.source.display_path
    }

    pub fn name_str(&self) -> &str {
        self.name.as_ref().map_or("", |n| n.value.as_str())
    }

    /// The annotation with exactly this key.
    pub fn annotation(&self, key: &str) -> Option<&Annotation> {
        self.annotations.iter().find(|a| a.key.value == key)
    }

    /// A logical path for fingerprints: `ServiceAccount/prod/api#rest` (namespace as written, `-`
    /// when none).
    pub fn logical_path(&self, rest: &str) -> String {
        let ns = self.namespace.as_ref().map_or("-", |n| n.value.as_str());
        let mut path = format!("{}/{}/{}", self.kind.value, ns, self.name_str());
        if !self.list_path.is_empty() {
            path = format!("{}@{path}", self.list_path);
        }
        if !rest.is_empty() {
            path.push('#');
            path.push_str(rest);
        }
        path
    }
}

/// One `metadata.annotations` entry. The value is kept as written: a YAML author may have written
/// an unquoted boolean or number, which the API server rejects (IRSA205).
#[derive(Clone, Debug)]
pub struct Annotation {
    pub key: Located<String>,
    pub value: Written,
}

impl Annotation {
    /// The value's text, whatever its YAML type.
    pub fn text(&self) -> &str {
        self.value.scalar_text().unwrap_or("")
    }
}

#[derive(Clone, Debug)]
pub struct ServiceAccount {
    pub meta: ObjectMeta,
    pub automount_token: Option<Located<bool>>,
}

/// The annotation keys the EKS pod identity webhook reads.
pub mod annotations {
    pub const PREFIX: &str = "eks.amazonaws.com/";
    pub const ROLE_ARN: &str = "eks.amazonaws.com/role-arn";
    pub const AUDIENCE: &str = "eks.amazonaws.com/audience";
    pub const STS_REGIONAL_ENDPOINTS: &str = "eks.amazonaws.com/sts-regional-endpoints";
    pub const TOKEN_EXPIRATION: &str = "eks.amazonaws.com/token-expiration";
    pub const SKIP_CONTAINERS: &str = "eks.amazonaws.com/skip-containers";
    /// irsa-lint's own: suppressions for the object it is on.
    pub const IGNORE: &str = "irsa-lint/ignore";
}

/// An `irsa-lint/ignore` annotation on any object of a file (not only those the model keeps), for
/// suppressions.
#[derive(Clone, Debug)]
pub struct IgnoreAnnotation {
    /// The whole object's span: the suppression covers findings inside it.
    pub object_span: Span,
    /// `ServiceAccount `payments/api``, for messages (namespace as written).
    pub object_label: String,
    pub value: Written,
}

impl ServiceAccount {
    /// The `eks.amazonaws.com/role-arn` annotation.
    pub fn role_arn(&self) -> Option<&Annotation> {
        self.meta.annotation(annotations::ROLE_ARN)
    }

    /// An IRSA ServiceAccount: it carries a role-arn annotation.
    pub fn is_irsa(&self) -> bool {
        self.role_arn().is_some()
    }
}

/// A role-arn setting in a file that is not a Kubernetes object: a Helm chart's `values.yaml`, a
/// helmfile release's values. The chart puts it on a ServiceAccount when it renders, so the value
/// is judged like the annotation (IRSA114, IRSA201, IRSA204); it is no ServiceAccount itself and
/// links to none (the chart's templates, which name the ServiceAccount, are not read).
#[derive(Clone, Debug)]
pub struct RoleArnSetting {
    pub source: SourceRef,
    /// Dotted path of keys from the document root to the value, as Helm's `--set` would name it
    /// but unescaped (`serviceAccount.annotations.eks.amazonaws.com/role-arn`,
    /// `podIdentity.aws.irsa.roleArn`); a list item is `[i]`.
    pub key_path: String,
    /// Span of the key the value is set under.
    pub key_span: Span,
    pub value: Written,
    /// The chart the file presumably configures: the directory a `values*.yaml` sits in (a
    /// chart's own `values.yaml` lies beside its `Chart.yaml`). Not used to link yet.
    pub chart_hint: Option<String>,
}

/// A workload kind and where its pod template lives.
#[derive(Clone, Debug)]
pub struct Workload {
    pub meta: ObjectMeta,
    pub pod: PodSpec,
}

/// A ServiceAccount named by an object that is not a workload with a pod template: a custom
/// resource whose operator runs pods as it (`OpenTelemetryCollector.spec.serviceAccount`,
/// `SparkApplication.spec.driver.serviceAccount`), or one whose controller takes the
/// ServiceAccount's identity (`SecretStore`'s `serviceAccountRef`). One per field that names one.
#[derive(Clone, Debug)]
pub struct ServiceAccountReference {
    /// The object that names the ServiceAccount.
    pub meta: ObjectMeta,
    /// The ServiceAccount's name as written, with its span.
    pub name: Located<String>,
    /// Dotted path from the object root to the name (`spec.driver.serviceAccount`,
    /// `spec.templates[2].serviceAccountName`), for messages and logical paths.
    pub path: String,
    /// Which namespace the ServiceAccount is looked up in.
    pub scope: ReferenceScope,
}

/// Where a [`ServiceAccountReference`] looks its ServiceAccount up.
#[derive(Clone, Debug)]
pub enum ReferenceScope {
    /// The object's own namespace (as for a workload: `metadata.namespace`, else the
    /// kustomization's, else the default one).
    Object,
    /// A namespace the reference names itself (a `ClusterSecretStore`'s
    /// `serviceAccountRef.namespace`).
    Named(Located<String>),
    /// No namespace the input decides: a cluster-scoped object used from any namespace (an Argo
    /// `ClusterWorkflowTemplate`, a `ClusterSecretStore` without `namespace`).
    Any,
}

/// A pod template (or a Pod's own spec).
#[derive(Clone, Debug)]
pub struct PodSpec {
    /// Span of the pod `spec` node.
    pub span: Span,
    /// Span of the `spec` key of the pod (where to point at "this pod").
    pub spec_key: Span,
    /// Dotted path from the object root to the pod spec (`spec.template.spec`).
    pub path: String,
    pub service_account_name: Option<Located<String>>,
    /// The deprecated `serviceAccount` field.
    pub service_account: Option<Located<String>>,
    pub automount_token: Option<Located<bool>>,
    pub host_network: Option<Located<bool>>,
    pub node_selector: Vec<(Located<String>, Located<String>)>,
    pub volumes: Vec<Volume>,
    /// Init containers first, then containers (`Container::init` tells them apart).
    pub containers: Vec<Container>,
    /// The template's own `metadata.annotations` (for a Pod: the object's annotations).
    pub annotations: Vec<Annotation>,
    /// `os.name`.
    pub os_name: Option<Located<String>>,
    /// Every `{key, operator, values}` expression under `affinity.nodeAffinity`, in source order.
    pub node_affinity: Vec<NodeSelectorExpression>,
    /// Span of the pod's `securityContext.windowsOptions` key.
    pub windows_options: Option<Span>,
}

/// One node-affinity match expression: `key` `operator` `values`.
#[derive(Clone, Debug)]
pub struct NodeSelectorExpression {
    pub key: Located<String>,
    pub operator: String,
    pub values: Vec<Located<String>>,
    /// The index of the `requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms` item
    /// the expression belongs to (terms are ORed, expressions of one term ANDed); None for a
    /// preferred term, which does not bind the scheduler.
    pub required_term: Option<usize>,
}

#[derive(Clone, Debug)]
pub struct Volume {
    pub name: Located<String>,
    /// The volume source's key (`projected`, `secret`, `hostPath`, …): the first key other than
    /// `name`.
    pub source_kind: Option<String>,
    /// The `serviceAccountToken` sources of a `projected` volume, in order.
    pub token_projections: Vec<TokenProjection>,
}

/// A projected ServiceAccount token: `projected.sources[].serviceAccountToken`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenProjection {
    /// `audience` (None: the API server's default audience).
    pub audience: Option<String>,
    /// `path`, the file name inside the volume.
    pub path: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Container {
    pub name: Located<String>,
    /// An init container (`initContainers`), as opposed to `containers`.
    pub init: bool,
    pub env: Vec<EnvVar>,
    pub env_from: Vec<EnvFrom>,
    pub volume_mounts: Vec<VolumeMount>,
    /// The container's index in its list (for logical paths).
    pub index: usize,
    /// `image`.
    pub image: Option<Located<String>>,
    /// Span of the container's `securityContext.windowsOptions` key.
    pub windows_options: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct EnvVar {
    pub name: Located<String>,
    /// A literal `value` (its text whatever the YAML type), with its span.
    pub value: Option<Located<String>>,
    /// Span of `valueFrom`, when present.
    pub value_from: Option<Span>,
}

#[derive(Clone, Debug)]
pub struct EnvFrom {
    /// `secretRef` or `configMapRef`.
    pub kind: EnvSourceKind,
    pub name: Located<String>,
    pub prefix: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvSourceKind {
    Secret,
    ConfigMap,
}

#[derive(Clone, Debug)]
pub struct VolumeMount {
    pub name: Located<String>,
    pub mount_path: Located<String>,
}

/// A ConfigMap or Secret: the keys `envFrom` would turn into environment variables.
#[derive(Clone, Debug)]
pub struct EnvSource {
    pub meta: ObjectMeta,
    pub kind: EnvSourceKind,
    pub keys: Vec<Located<String>>,
}

/// A `kustomization.yaml`: its `namespace` and the files it lists under `resources`.
#[derive(Clone, Debug)]
pub struct Kustomization {
    pub source: SourceRef,
    /// The directory the kustomization lives in, as displayed (`k8s/base`).
    pub dir: String,
    pub namespace: Option<Located<String>>,
    pub resources: Vec<Located<String>>,
}

impl Kustomization {
    /// A `resources` entry as a displayed path (`k8s/base/sa.yaml` for `./sa.yaml` in `k8s/base`).
    fn resource_path(&self, entry: &str) -> String {
        let entry = entry.strip_prefix("./").unwrap_or(entry);
        if self.dir.is_empty() {
            entry.to_string()
        } else {
            format!("{}/{entry}", self.dir)
        }
    }

    /// True when `resources` lists the file shown as `file`.
    pub fn lists(&self, file: &str) -> bool {
        self.resources
            .iter()
            .any(|r| self.resource_path(&r.value) == file)
    }

    /// The `resources` entry that names `file` but for the case of its letters: kustomize opens
    /// it on a case-insensitive file system only, so elsewhere the file is not applied with
    /// this kustomization (and does not get its namespace).
    pub fn entry_differing_in_case(&self, file: &str) -> Option<&Located<String>> {
        self.resources.iter().find(|r| {
            let path = self.resource_path(&r.value);
            path != file && path.eq_ignore_ascii_case(file)
        })
    }
}

impl Container {
    pub fn env_var(&self, name: &str) -> Option<&EnvVar> {
        self.env.iter().find(|e| e.name.value == name)
    }
}

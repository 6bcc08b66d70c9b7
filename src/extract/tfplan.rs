//! Terraform plans and state: `terraform show -json` output of a plan or of state, and a raw
//! state file (`terraform.tfstate`, format version 4).
//!
//! Recognised by content, whatever the file is called:
//!
//! * a plan: `format_version` and `terraform_version` with `planned_values` or `resource_changes`;
//! * state shown as JSON: `format_version` with `values.root_module`;
//! * a raw state file: `"version": 4` with `resources[].instances[].attributes`.
//!
//! Resources read (managed ones only; data sources describe objects defined elsewhere):
//!
//! * `aws_iam_role`: `assume_role_policy`, a JSON string, is the trust policy, decoded with the
//!   offset map of [`super::embedded`] so findings point inside the string in the plan file; the
//!   role's identity is `name`, `path` and, once known, `arn`;
//! * `kubernetes_service_account(_v1)` and the workloads (`kubernetes_deployment(_v1)`,
//!   `kubernetes_daemonset` / `kubernetes_daemon_set_v1`, `kubernetes_stateful_set(_v1)`,
//!   `kubernetes_job(_v1)`, `kubernetes_cron_job(_v1)`, `kubernetes_pod(_v1)`): the provider's
//!   schema (`metadata[0].annotations`, `spec[0].template[0].spec[0].service_account_name`,
//!   `container[].env[]`) is rewritten into the manifest shape the Kubernetes reader takes
//!   ([`to_manifest`]), every node keeping its span in the plan file;
//! * `kubernetes_manifest`: its `manifest` attribute is a manifest already;
//! * `aws_eks_pod_identity_association`: a Pod Identity association (`cluster_name`,
//!   `namespace`, `service_account`, `role_arn`, `target_role_arn`, `disable_session_tags`,
//!   `policy`), addressed and labelled by its resource address.
//!
//! In a plan, `resource_changes[].change.after` is read with `after_unknown` (what is known only
//! after apply); `planned_values`, which leaves unknown values out, only for an address that has no
//! change. A deleted resource (`actions: ["delete"]`) and a deposed object are skipped. A value
//! unknown until apply is a hole ([`crate::model::template`]): its text is `${expression}`, the
//! expression being the configuration's reference when the plan's `configuration` names exactly
//! one (`aws_iam_role.payments.arn`), else the value's own address
//! (`kubernetes_service_account_v1.api.metadata[0].name`). An unknown value the configuration does
//! not set is the provider's default (an unset `service_account_name` is `default`), so it is
//! left out. A trust policy unknown until apply gives no policy, only an unknown value that IRSA006
//! reports: the role exists, what it trusts is not known yet.
//!
//! Every object keeps its resource address (`module.payments.aws_iam_role.this[0]`): a policy's
//! logical path starts with it, a Kubernetes object's logical path is prefixed by it, so
//! fingerprints follow the resource, not its position in the file.
//!
//! Hostile input is bounded: the module tree is walked with an explicit stack, values are rewritten
//! to a fixed depth, and a value of the wrong type is skipped, never trusted.

use super::Extracted;
use super::embedded;
use super::k8s::{self, located_bool};
use super::pod_identity::located_trimmed;
use super::policy::read_policy;
use crate::model::arn::parse_role_arn;
use crate::model::pod_identity::{AssociationOrigin, PodIdentityAssociation};
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity};
use crate::parse::tree::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarType};
use crate::source::{SourceRef, Span};

/// The Pod Identity association resource type.
const ASSOCIATION: &str = "aws_eks_pod_identity_association";

/// How deep a resource's values are read (a pod spec is about fifteen levels deep).
const MAX_VALUE_DEPTH: usize = 48;

/// How deep `child_modules` nesting is followed.
const MAX_MODULE_DEPTH: usize = 64;

/// What kind of Terraform document a JSON root is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// `terraform show -json` of a plan.
    Plan,
    /// `terraform show -json` of state.
    State,
    /// A raw state file (`terraform.tfstate`).
    RawState,
}

/// The Terraform document `root` is, if any.
pub fn shape(root: &Node) -> Option<Shape> {
    root.as_map()?;
    if root.get("format_version").and_then(Node::as_str).is_some() {
        let plan = root.get("terraform_version").is_some()
            && (root.get("planned_values").is_some() || root.get("resource_changes").is_some());
        if plan {
            return Some(Shape::Plan);
        }
        if root.path(&["values", "root_module"]).is_some() {
            return Some(Shape::State);
        }
        return None;
    }
    let v4 = root.get("version").and_then(Node::scalar_text) == Some("4");
    let state_keys = root.get("lineage").is_some() || root.get("serial").is_some();
    if v4 && state_keys && root.get("resources").and_then(Node::as_seq).is_some() {
        return Some(Shape::RawState);
    }
    None
}

/// Read the resources of a Terraform document into `out`. False when `root` is none.
pub fn extract(source: &SourceRef, root: &Node, out: &mut Extracted) -> bool {
    let Some(shape) = shape(root) else {
        return false;
    };
    let mut instances = Vec::new();
    match shape {
        Shape::Plan => {
            let configuration = root.get("configuration");
            for change in root
                .get("resource_changes")
                .and_then(Node::as_seq)
                .unwrap_or_default()
            {
                if let Some(instance) = changed_instance(change, configuration) {
                    instances.push(instance);
                }
            }
            if let Some(module) = root.path(&["planned_values", "root_module"]) {
                let mut planned = Vec::new();
                module_instances(module, &mut planned);
                let changed: std::collections::HashSet<&str> =
                    instances.iter().map(|i| i.address.as_str()).collect();
                planned.retain(|p| !changed.contains(p.address.as_str()));
                instances.extend(planned);
            }
        }
        Shape::State => {
            if let Some(module) = root.path(&["values", "root_module"]) {
                module_instances(module, &mut instances);
            }
        }
        Shape::RawState => raw_state_instances(root, &mut instances),
    }
    let origin = match shape {
        Shape::Plan => PolicyOrigin::TerraformPlan,
        Shape::State | Shape::RawState => PolicyOrigin::TerraformState,
    };
    for instance in &instances {
        read_instance(source, instance, origin.clone(), out);
    }
    true
}

/// One resource instance to read: its address, type, values and what of them is unknown.
struct Instance<'a> {
    address: String,
    /// The `type` value node (where a Kubernetes object's kind points).
    type_node: &'a Node,
    kind: &'a str,
    values: &'a Node,
    /// `after_unknown` of a planned change.
    unknown: Option<&'a Node>,
    /// The resource's `expressions` in the plan's `configuration`, when found.
    expressions: Option<&'a Node>,
    /// True when the plan carries a configuration at all (then an unknown value it does not set is
    /// the provider's default).
    has_configuration: bool,
}

fn is_managed(resource: &Node) -> bool {
    resource.get("mode").and_then(Node::as_str) == Some("managed")
}

fn is_read(kind: &str) -> bool {
    kind == "aws_iam_role"
        || kind == "kubernetes_manifest"
        || kind == ASSOCIATION
        || kubernetes_kind(kind).is_some()
}

/// One `resource_changes` item, unless it is deleted, deposed, a data source or of a type not read.
fn changed_instance<'a>(change: &'a Node, configuration: Option<&'a Node>) -> Option<Instance<'a>> {
    if !is_managed(change) || change.get("deposed").is_some() {
        return None;
    }
    let type_node = change.get("type")?;
    let kind = type_node.as_str()?;
    if !is_read(kind) {
        return None;
    }
    let body = change.get("change")?;
    let actions: Vec<&str> = body
        .get("actions")
        .and_then(Node::as_seq)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    if actions.iter().all(|a| *a == "delete") && !actions.is_empty() {
        return None;
    }
    let values = body.get("after").filter(|a| a.as_map().is_some())?;
    let expressions = configuration.and_then(|c| {
        config_expressions(
            c,
            change.get("module_address").and_then(Node::as_str),
            kind,
            change.get("name").and_then(Node::as_str)?,
        )
    });
    Some(Instance {
        address: change.get("address").and_then(Node::as_str)?.to_string(),
        type_node,
        kind,
        values,
        unknown: body.get("after_unknown"),
        expressions,
        has_configuration: configuration.is_some(),
    })
}

/// The managed resources of type read under `resources` of `node`, each with its `type` node and
/// type.
fn read_resources(node: &Node) -> impl Iterator<Item = (&Node, &Node, &str)> {
    let resources = node.get("resources").and_then(Node::as_seq);
    resources
        .unwrap_or_default()
        .iter()
        .filter(|r| is_managed(r))
        .filter_map(|r| {
            let type_node = r.get("type")?;
            let kind = type_node.as_str().filter(|k| is_read(k))?;
            Some((r, type_node, kind))
        })
}

impl<'a> Instance<'a> {
    /// An instance of state (or of `planned_values`): every value known, no configuration.
    fn known(address: String, type_node: &'a Node, kind: &'a str, values: &'a Node) -> Self {
        Instance {
            address,
            type_node,
            kind,
            values,
            unknown: None,
            expressions: None,
            has_configuration: false,
        }
    }
}

/// Every resource of a values representation's module tree (`root_module`, `child_modules`).
fn module_instances<'a>(root: &'a Node, out: &mut Vec<Instance<'a>>) {
    let mut stack = vec![(root, 0usize)];
    while let Some((module, depth)) = stack.pop() {
        for (resource, type_node, kind) in read_resources(module) {
            let (Some(address), Some(values)) = (
                resource.get("address").and_then(Node::as_str),
                resource.get("values").filter(|v| v.as_map().is_some()),
            ) else {
                continue;
            };
            out.push(Instance::known(
                address.to_string(),
                type_node,
                kind,
                values,
            ));
        }
        if depth < MAX_MODULE_DEPTH {
            let children = module.get("child_modules").and_then(Node::as_seq);
            for child in children.unwrap_or_default().iter().rev() {
                stack.push((child, depth + 1));
            }
        }
    }
}

/// Every instance of a raw state file's `resources`.
fn raw_state_instances<'a>(root: &'a Node, out: &mut Vec<Instance<'a>>) {
    for (resource, type_node, kind) in read_resources(root) {
        let Some(name) = resource.get("name").and_then(Node::as_str) else {
            continue;
        };
        let module = resource.get("module").and_then(Node::as_str);
        for instance in resource
            .get("instances")
            .and_then(Node::as_seq)
            .unwrap_or_default()
        {
            if instance.get("deposed").is_some() {
                continue;
            }
            let Some(values) = instance.get("attributes").filter(|a| a.as_map().is_some()) else {
                continue;
            };
            let mut address = match module {
                Some(m) if !m.is_empty() => format!("{m}.{kind}.{name}"),
                _ => format!("{kind}.{name}"),
            };
            match instance.get("index_key").map(|k| &k.kind) {
                Some(NodeKind::Scalar(s)) if matches!(s.ty, ScalarType::Int) => {
                    address.push_str(&format!("[{}]", s.text));
                }
                Some(NodeKind::Scalar(s)) if s.ty == ScalarType::String => {
                    address.push_str(&format!("[{}]", quoted(&s.text)));
                }
                _ => {}
            }
            out.push(Instance::known(address, type_node, kind, values));
        }
    }
}

/// The module call names of a module address: `module.a["x"].module.b` → `a`, `b`. None when the
/// address does not read as one.
fn module_calls(address: &str) -> Option<Vec<&str>> {
    let mut calls = Vec::new();
    let mut rest = address;
    while !rest.is_empty() {
        rest = rest.strip_prefix("module.")?;
        let end = rest.find(['.', '[']).unwrap_or(rest.len());
        if !is_identifier(&rest[..end]) {
            return None;
        }
        calls.push(&rest[..end]);
        rest = &rest[end..];
        if rest.starts_with('[') {
            rest = &rest[instance_key_len(rest)?..];
        }
        if let Some(r) = rest.strip_prefix('.') {
            rest = r;
        } else if !rest.is_empty() {
            return None;
        }
    }
    Some(calls)
}

/// The length of an instance key `[0]` or `["a.b"]` at the start of `text`.
fn instance_key_len(text: &str) -> Option<usize> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices().skip(1) {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The `expressions` of a resource in the plan's `configuration`.
fn config_expressions<'a>(
    configuration: &'a Node,
    module_address: Option<&str>,
    kind: &str,
    name: &str,
) -> Option<&'a Node> {
    let mut module = configuration.get("root_module")?;
    for call in module_calls(module_address.unwrap_or(""))? {
        module = module.get("module_calls")?.get(call)?.get("module")?;
    }
    module
        .get("resources")?
        .as_seq()?
        .iter()
        .find(|r| {
            is_managed(r)
                && r.get("type").and_then(Node::as_str) == Some(kind)
                && r.get("name").and_then(Node::as_str) == Some(name)
        })?
        .get("expressions")
}

/// One step of a path into a resource's values.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// `.name`, `["eks.amazonaws.com/role-arn"]`, `[0]`: a path in Terraform's syntax. Braces are left
/// out, so the path can sit inside `${ }`.
fn render_path(address: &str, path: &[Step]) -> String {
    let mut out = address.to_string();
    for step in path {
        match step {
            Step::Key(key) if is_identifier(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Key(key) => out.push_str(&format!("[{}]", quoted(key))),
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out.replace(['{', '}'], "")
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn quoted(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// What the configuration says of a value unknown until apply: the expression text for its hole,
/// or None when the configuration does not set it (the provider fills in its default).
fn unknown_expression(instance: &Instance, path: &[Step]) -> Option<String> {
    let own = || render_path(&instance.address, path);
    if !instance.has_configuration {
        return Some(own());
    }
    let Some(mut node) = instance.expressions else {
        // A resource the configuration does not show (a `dynamic` block, say): keep the hole.
        return Some(own());
    };
    for step in path {
        if is_expression(node) {
            return Some(reference(node).unwrap_or_else(own));
        }
        node = match step {
            Step::Key(key) => node.get(key),
            Step::Index(index) => node.as_seq().and_then(|s| s.get(*index)),
        }?;
    }
    Some(
        is_expression(node)
            .then(|| reference(node))
            .flatten()
            .unwrap_or_else(own),
    )
}

fn is_expression(node: &Node) -> bool {
    node.get("references").is_some() || node.get("constant_value").is_some()
}

/// The reference an expression is made of, when it names one thing (every other reference is a
/// prefix of the first: `aws_iam_role.x.arn`, `aws_iam_role.x`), whether the expression is the
/// value's own or that of a whole map holding it.
fn reference(expression: &Node) -> Option<String> {
    let refs: Vec<&str> = expression
        .get("references")?
        .as_seq()?
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let first = *refs.first()?;
    refs.iter()
        .all(|r| first.starts_with(r))
        .then(|| first.replace(['{', '}'], ""))
}

/// A scalar string node.
/// A double-quoted string scalar.
pub(crate) fn string_node(text: String, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(Scalar {
            text,
            style: ScalarStyle::DoubleQuoted,
            ty: ScalarType::String,
        }),
        tag: None,
    }
}

/// `after` with the values of `after_unknown` filled in as holes (or left out where the
/// configuration does not set them). `at` is the span the `after_unknown` entry has: where a hole
/// points, since `after` leaves unknown values out.
fn with_unknowns<'a>(
    instance: &Instance,
    after: Option<&Node>,
    unknown: Option<&'a Node>,
    at: Span,
    path: &mut Vec<Step<'a>>,
) -> Option<Node> {
    let Some(unknown) = unknown else {
        return after.cloned();
    };
    if unknown.scalar_text() == Some("true") {
        let expression = unknown_expression(instance, path)?;
        return Some(string_node(format!("${{{expression}}}"), at));
    }
    if path.len() >= MAX_VALUE_DEPTH {
        return after.cloned();
    }
    match (&unknown.kind, after.map(|a| &a.kind)) {
        (NodeKind::Map(unknown_entries), Some(NodeKind::Map(_)) | None) => {
            let after_entries = after.and_then(Node::as_map).unwrap_or_default();
            let mut entries: Vec<Entry> = Vec::with_capacity(after_entries.len());
            for entry in after_entries {
                let key = entry.key.scalar_text().unwrap_or("");
                let u = unknown.entry(key);
                let value = match u {
                    Some(u) => {
                        path.push(Step::Key(u.key.scalar_text().unwrap_or("")));
                        let at = u.key.span.to(u.value.span);
                        let v =
                            with_unknowns(instance, Some(&entry.value), Some(&u.value), at, path);
                        path.pop();
                        v
                    }
                    None => Some(entry.value.clone()),
                };
                // A null `after` value whose unknown twin was dropped stays absent.
                if let Some(value) = value {
                    entries.push(Entry {
                        key: entry.key.clone(),
                        value,
                    });
                }
            }
            for u in unknown_entries {
                let key = u.key.scalar_text().unwrap_or("");
                if after_entries
                    .iter()
                    .any(|e| e.key.scalar_text() == Some(key))
                {
                    continue;
                }
                path.push(Step::Key(key));
                let at = u.key.span.to(u.value.span);
                let value = with_unknowns(instance, None, Some(&u.value), at, path);
                path.pop();
                if let Some(value) = value {
                    entries.push(Entry {
                        key: string_node(key.to_string(), u.key.span),
                        value,
                    });
                }
            }
            let span = after.map_or(unknown.span, |a| a.span);
            Some(Node {
                span,
                kind: NodeKind::Map(entries),
                tag: None,
            })
        }
        (NodeKind::Seq(unknown_items), Some(NodeKind::Seq(after_items))) => {
            let mut items = Vec::with_capacity(after_items.len());
            for (i, item) in after_items.iter().enumerate() {
                path.push(Step::Index(i));
                let u = unknown_items.get(i);
                let at = u.map_or(item.span, |u| u.span);
                let value = with_unknowns(instance, Some(item), u, at, path);
                path.pop();
                // Lists keep their positions: an unknown item left out becomes null.
                items.push(value.unwrap_or_else(|| Node {
                    span: item.span,
                    kind: NodeKind::Scalar(Scalar {
                        text: "null".to_string(),
                        style: ScalarStyle::Plain,
                        ty: ScalarType::Null,
                    }),
                    tag: None,
                }));
            }
            Some(Node {
                span: after.map_or(unknown.span, |a| a.span),
                kind: NodeKind::Seq(items),
                tag: None,
            })
        }
        _ => after.cloned(),
    }
}

/// The Kubernetes kind and API version of a provider resource type.
pub(crate) fn kubernetes_kind(kind: &str) -> Option<(&'static str, &'static str)> {
    let base = kind.strip_suffix("_v1").unwrap_or(kind);
    Some(match base {
        "kubernetes_service_account" => ("ServiceAccount", "v1"),
        "kubernetes_deployment" => ("Deployment", "apps/v1"),
        "kubernetes_daemonset" | "kubernetes_daemon_set" => ("DaemonSet", "apps/v1"),
        "kubernetes_stateful_set" => ("StatefulSet", "apps/v1"),
        "kubernetes_job" => ("Job", "batch/v1"),
        "kubernetes_cron_job" => ("CronJob", "batch/v1"),
        "kubernetes_pod" => ("Pod", "v1"),
        _ => return None,
    })
}

fn read_instance(
    source: &SourceRef,
    instance: &Instance,
    origin: PolicyOrigin,
    out: &mut Extracted,
) {
    if instance.kind == "aws_iam_role" {
        read_role(source, instance, origin, out);
        return;
    }
    let mut path = Vec::new();
    let Some(values) = with_unknowns(
        instance,
        Some(instance.values),
        instance.unknown,
        instance.values.span,
        &mut path,
    ) else {
        return;
    };
    if instance.kind == ASSOCIATION {
        out.pod_identity
            .associations
            .push(association(source, instance, &values));
        return;
    }
    let manifest = if instance.kind == "kubernetes_manifest" {
        match values.get("manifest") {
            Some(m) if m.as_map().is_some() => m.clone(),
            _ => return,
        }
    } else {
        let Some(manifest) = provider_manifest(instance.kind, &values, instance.type_node.span)
        else {
            return;
        };
        manifest
    };
    k8s::extract_objects_at(source, &manifest, instance.address.clone(), &mut out.k8s);
    k8s::ignore_annotations(&manifest, &mut out.k8s.ignore_annotations);
}

/// An `aws_eks_pod_identity_association` instance from its values (holes filled in).
fn association(source: &SourceRef, instance: &Instance, values: &Node) -> PodIdentityAssociation {
    let string = |key: &str| located_trimmed(values.get(key));
    PodIdentityAssociation {
        source: source.clone(),
        origin: AssociationOrigin::Terraform,
        span: instance.values.span,
        label: format!("`{}`", instance.address),
        logical_path: instance.address.clone(),
        address: Some(instance.address.clone()),
        cluster: string("cluster_name"),
        namespace: string("namespace"),
        service_account: string("service_account"),
        role_arn: string("role_arn"),
        role_created: false,
        service_account_created: false,
        target_role_arn: string("target_role_arn"),
        disable_session_tags: located_bool(values.get("disable_session_tags")),
        session_policy: values
            .get("policy")
            .filter(|p| !p.is_null())
            .map(|p| p.span),
        cluster_account: None,
    }
}

/// The manifest a Kubernetes provider resource of type `resource_type` stands for, from its values
/// in the provider's schema (blocks as lists: `metadata[0].annotations`,
/// `spec[0].template[0].spec[0].service_account_name`), every node keeping its span; `kind` and
/// `apiVersion` point at `at` (where the resource type is written). None for a type that is no
/// ServiceAccount or workload, or values that are not an object. The HCL reader
/// (`extract::terraform::kubernetes`) builds the same schema-shaped tree from blocks.
pub(crate) fn provider_manifest(resource_type: &str, values: &Node, at: Span) -> Option<Node> {
    let (kind, api_version) = kubernetes_kind(resource_type)?;
    let Some(NodeKind::Map(mut entries)) = to_manifest(values, None, 0).map(|n| n.kind) else {
        return None;
    };
    entries.insert(
        0,
        Entry {
            key: string_node("apiVersion".to_string(), at),
            value: string_node(api_version.to_string(), at),
        },
    );
    entries.insert(
        0,
        Entry {
            key: string_node("kind".to_string(), at),
            value: string_node(kind.to_string(), at),
        },
    );
    Some(Node {
        span: values.span,
        kind: NodeKind::Map(entries),
        tag: None,
    })
}

/// The value of `key` unless it is unknown until apply (then None) or not a non-empty string.
fn known_string(instance: &Instance, key: &str) -> Option<Located<String>> {
    if is_unknown(instance, key) {
        return None;
    }
    let node = instance.values.get(key)?;
    let value = node.as_str().filter(|s| !s.is_empty())?;
    Some(Located {
        value: value.to_string(),
        span: node.span,
    })
}

fn is_unknown(instance: &Instance, key: &str) -> bool {
    instance
        .unknown
        .and_then(|u| u.get(key))
        .and_then(Node::scalar_text)
        == Some("true")
}

fn read_role(source: &SourceRef, instance: &Instance, origin: PolicyOrigin, out: &mut Extracted) {
    const POLICY: &str = "assume_role_policy";
    if is_unknown(instance, POLICY) {
        // The role exists, what it trusts is known only after apply.
        if let Some(entry) = instance.unknown.and_then(|u| u.entry(POLICY)) {
            let expression = unknown_expression(instance, &[Step::Key(POLICY)])
                .unwrap_or_else(|| render_path(&instance.address, &[Step::Key(POLICY)]));
            out.unknown_values.push(Located {
                value: format!("${{{expression}}}"),
                span: entry.key.span.to(entry.value.span),
            });
        }
        return;
    }
    let Some(document) = instance
        .values
        .get(POLICY)
        .filter(|p| p.as_str().is_some())
        .and_then(|p| embedded::parse_embedded_policy(source, p))
    else {
        return;
    };
    let mut policy = read_policy(
        source,
        &document,
        origin,
        format!("{}.{POLICY}", instance.address),
        true,
    );
    let arn = known_string(instance, "arn");
    let parsed = arn.as_ref().and_then(|a| parse_role_arn(&a.value));
    policy.role = Some(RoleIdentity {
        name: known_string(instance, "name"),
        name_prefix: known_string(instance, "name_prefix"),
        path: known_string(instance, "path"),
        partition: parsed.as_ref().map(|p| p.partition.to_string()),
        account: parsed.as_ref().map(|p| p.account.to_string()),
        arn,
    });
    policy.resource_address = Some(instance.address.clone());
    out.policies.push(policy);
}

/// Blocks of the provider's schema that hold at most one item: in a manifest they are a mapping,
/// not a list (`metadata[0]` is `metadata`).
const SINGLE_BLOCKS: &[&str] = &[
    "metadata",
    "spec",
    "template",
    "job_template",
    "security_context",
    "os",
    "affinity",
    "node_affinity",
    "value_from",
    "config_map_ref",
    "secret_ref",
    "projected",
    "service_account_token",
    "windows_options",
];

/// Attributes that are maps of the user's own keys, copied verbatim.
const FREE_MAPS: &[&str] = &["annotations", "labels", "node_selector"];

/// Blocks whose manifest field has another name than the camel case of the block's.
fn manifest_key(key: &str) -> String {
    match key {
        "container" => "containers".to_string(),
        "init_container" => "initContainers".to_string(),
        "volume" => "volumes".to_string(),
        "volume_mount" => "volumeMounts".to_string(),
        "node_selector_term" => "nodeSelectorTerms".to_string(),
        "match_expressions" => "matchExpressions".to_string(),
        other => camel_case(other),
    }
}

fn camel_case(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    let mut upper = false;
    for c in key.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A resource's values in the provider's schema → the manifest they stand for, every node keeping
/// its span: keys in camel case, single blocks unwrapped, unset attributes (null, `[]`) left out.
/// `parent` is the key the node is the value of.
fn to_manifest(node: &Node, parent: Option<&str>, depth: usize) -> Option<Node> {
    if depth > MAX_VALUE_DEPTH {
        return None;
    }
    let NodeKind::Map(entries) = &node.kind else {
        return Some(node.clone());
    };
    if parent.is_some_and(|p| FREE_MAPS.contains(&p)) {
        return Some(node.clone());
    }
    let mut out = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(key) = entry.key.as_str() else {
            continue;
        };
        let value = &entry.value;
        let converted = match &value.kind {
            NodeKind::Scalar(s) if s.ty == ScalarType::Null => None,
            NodeKind::Seq(items) if items.is_empty() => None,
            NodeKind::Seq(items) if SINGLE_BLOCKS.contains(&key) => items
                .first()
                .filter(|i| i.as_map().is_some())
                .and_then(|i| to_manifest(i, Some(key), depth + 1)),
            NodeKind::Seq(items) => Some(Node {
                span: value.span,
                kind: NodeKind::Seq(
                    items
                        .iter()
                        .filter_map(|i| to_manifest(i, Some(key), depth + 1))
                        .collect(),
                ),
                tag: None,
            }),
            NodeKind::Map(_) => to_manifest(value, Some(key), depth + 1),
            _ => Some(value.clone()),
        };
        if let Some(converted) = converted {
            out.push(Entry {
                key: string_node(manifest_key(key), entry.key.span),
                value: converted,
            });
        }
    }
    Some(Node {
        span: node.span,
        kind: NodeKind::Map(out),
        tag: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn module_calls_of_addresses() {
        assert_eq!(module_calls(""), Some(vec![]));
        assert_eq!(module_calls("module.a"), Some(vec!["a"]));
        assert_eq!(
            module_calls("module.a[\"x.]y\"].module.b[0]"),
            Some(vec!["a", "b"])
        );
        assert_eq!(module_calls("modul.a"), None);
        assert_eq!(module_calls("module.a[\"x"), None);
        assert_eq!(module_calls("module.a]"), None);
    }

    #[test]
    fn paths_render_as_terraform_writes_them() {
        let path = [
            Step::Key("metadata"),
            Step::Index(0),
            Step::Key("annotations"),
            Step::Key("eks.amazonaws.com/role-arn"),
        ];
        assert_eq!(
            render_path("module.p.kubernetes_service_account_v1.api", &path),
            "module.p.kubernetes_service_account_v1.api.metadata[0].annotations[\"eks.amazonaws.com/role-arn\"]"
        );
        assert_eq!(render_path("a.b", &[Step::Key("x}{")]), "a.b[\"x\"]");
    }

    #[test]
    fn camel_case_of_schema_keys() {
        assert_eq!(camel_case("service_account_name"), "serviceAccountName");
        assert_eq!(manifest_key("init_container"), "initContainers");
        assert_eq!(camel_case("name"), "name");
    }

    fn extracted(text: &str) -> Extracted {
        use crate::parse::tree::Limits;
        use crate::parse::{FileKind, parse};
        use crate::source::SourceFile;
        let source = std::sync::Arc::new(SourceFile::new("plan.json", None, text.to_string()));
        let parsed = parse(&source.text, FileKind::Json, Limits::default());
        crate::extract::extract(&source, &parsed)
    }

    const TRUST: &str = r#"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Federated\":\"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB\"},\"Action\":\"sts:AssumeRoleWithWebIdentity\"}]}"#;

    #[test]
    fn raw_state_instances_keep_their_address() {
        let text = format!(
            r#"{{"version":4,"serial":3,"lineage":"x","resources":[{{"module":"module.m[\"a\"]","mode":"managed","type":"aws_iam_role","name":"r","instances":[{{"index_key":"k","attributes":{{"name":"n","path":"/","arn":"arn:aws:iam::483920175566:role/n","assume_role_policy":"{TRUST}"}}}}]}},{{"mode":"data","type":"aws_iam_role","name":"d","instances":[{{"attributes":{{"assume_role_policy":"{TRUST}"}}}}]}}]}}"#
        );
        let out = extracted(&text);
        assert_eq!(out.policies.len(), 1);
        let policy = &out.policies[0];
        assert_eq!(
            policy.logical_path,
            "module.m[\"a\"].aws_iam_role.r[\"k\"].assume_role_policy"
        );
        assert_eq!(policy.origin, PolicyOrigin::TerraformState);
        let role = policy.role.as_ref().unwrap();
        assert_eq!(role.account.as_deref(), Some("483920175566"));
        // The Effect value is found inside the escaped string of the host file.
        let effect = policy.statements[0].effect.as_ref().unwrap();
        assert_eq!(&text[effect.span.range()], "\\\"Allow\\\"");
    }

    #[test]
    fn planned_pod_identity_associations_keep_holes_and_addresses() {
        let text = r#"{"format_version":"1.2","terraform_version":"1.9.8","resource_changes":[{"address":"module.a.aws_eks_pod_identity_association.api","module_address":"module.a","mode":"managed","type":"aws_eks_pod_identity_association","name":"api","change":{"actions":["create"],"after":{"cluster_name":"prod","namespace":"payments","service_account":"api","target_role_arn":null,"disable_session_tags":false,"policy":null},"after_unknown":{"role_arn":true,"association_arn":true}}},{"address":"aws_eks_pod_identity_association.gone","mode":"managed","type":"aws_eks_pod_identity_association","name":"gone","change":{"actions":["delete"],"before":{},"after":null}}],"configuration":{"root_module":{"module_calls":{"a":{"module":{"resources":[{"address":"aws_eks_pod_identity_association.api","mode":"managed","type":"aws_eks_pod_identity_association","name":"api","expressions":{"role_arn":{"references":["aws_iam_role.api.arn","aws_iam_role.api"]}}}]}}}}}}"#;
        let out = extracted(text);
        let found = &out.pod_identity.associations;
        assert_eq!(found.len(), 1, "a deleted association is none");
        let a = &found[0];
        assert_eq!(
            a.address.as_deref(),
            Some("module.a.aws_eks_pod_identity_association.api")
        );
        assert_eq!(
            a.role_arn.as_ref().unwrap().value,
            "${aws_iam_role.api.arn}"
        );
        assert_eq!(a.service_account.as_ref().unwrap().value, "api");
        let ns = a.namespace.as_ref().unwrap();
        assert_eq!(&text[ns.span.range()], "\"payments\"");
        assert!(a.target_role_arn.is_none() && a.session_policy.is_none());
        assert!(!a.tags_disabled());
    }

    #[test]
    fn an_unset_computed_value_is_the_default_and_a_configured_one_a_hole() {
        let text = r#"{"format_version":"1.2","terraform_version":"1.9.8","resource_changes":[{"address":"kubernetes_pod_v1.p","mode":"managed","type":"kubernetes_pod_v1","name":"p","change":{"actions":["create"],"after":{"metadata":[{"name":"p","namespace":"ns","annotations":{}}],"spec":[{"container":[{"name":"c","env":[{"name":"AWS_ROLE_ARN","value":null,"value_from":[]}]}]}]},"after_unknown":{"metadata":[{"annotations":{"eks.amazonaws.com/role-arn":true},"uid":true}],"spec":[{"service_account_name":true,"container":[{"env":[{"value":true}]}]}]}}}],"configuration":{"root_module":{"resources":[{"address":"kubernetes_pod_v1.p","mode":"managed","type":"kubernetes_pod_v1","name":"p","expressions":{"metadata":[{"annotations":{"references":["aws_iam_role.r.arn","aws_iam_role.r"]}}],"spec":[{"container":[{"env":[{"name":{"constant_value":"AWS_ROLE_ARN"},"value":{"references":["aws_iam_role.r.arn","aws_iam_role.r","var.x"]}}]}]}]}}]}}}"#;
        let out = extracted(text);
        let pod = &out.k8s.workloads[0];
        assert_eq!(pod.meta.kind.value, "Pod");
        assert_eq!(
            pod.meta.annotations[0].text(),
            "${aws_iam_role.r.arn}",
            "the annotation's only reference"
        );
        assert!(pod.pod.service_account_name.is_none(), "not configured");
        let env = pod.pod.containers[0].env[0].value.as_ref().unwrap();
        assert_eq!(
            env.value, "${kubernetes_pod_v1.p.spec[0].container[0].env[0].value}",
            "two references: the value's own address"
        );
        assert_eq!(pod.meta.logical_path(""), "kubernetes_pod_v1.p@Pod/ns/p");
    }

    #[test]
    fn hostile_shapes_yield_nothing_and_never_panic() {
        let deep = format!(
            r#"{{"format_version":"1","terraform_version":"1","resource_changes":[{{"address":"kubernetes_pod.p","mode":"managed","type":"kubernetes_pod","name":"p","change":{{"actions":["create"],"after":{{"spec":{}1{}}},"after_unknown":{{"spec":{}true{}}}}}}}]}}"#,
            "[".repeat(200),
            "]".repeat(200),
            "[{\"a\":".repeat(60),
            "}]".repeat(60)
        );
        for text in [
            r#"{"format_version":"1","terraform_version":"1","resource_changes":{"a":1},"planned_values":[]}"#,
            r#"{"format_version":"1","terraform_version":"1","resource_changes":[1,"x",null,{"mode":"managed","type":"aws_iam_role","change":{"actions":"delete","after":{"assume_role_policy":7}}}]}"#,
            r#"{"format_version":"1","terraform_version":"1","planned_values":{"root_module":{"child_modules":[{"child_modules":[{"resources":[{"mode":"managed","type":"aws_iam_role","address":"a","values":{"assume_role_policy":"not json"}}]}]}]}}}"#,
            r#"{"format_version":"1","values":{"root_module":{"resources":[{"mode":"managed","type":"kubernetes_service_account","address":"a","values":{"metadata":[[],{"name":1}]}}]}}}"#,
            r#"{"version":4,"serial":1,"lineage":"l","resources":[{"mode":"managed","type":"aws_iam_role","name":"r","instances":{"attributes":1}}]}"#,
            &deep,
        ] {
            let out = extracted(text);
            assert!(out.policies.is_empty(), "{text}");
        }
    }
}

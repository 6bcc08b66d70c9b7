//! Kubernetes objects a module's HCL defines, read as manifests so that `extract::k8s` takes them
//! unchanged:
//!
//! * the kubernetes provider's ServiceAccounts and workloads (`kubernetes_service_account(_v1)`,
//!   `kubernetes_deployment(_v1)`, `kubernetes_daemonset`, `kubernetes_stateful_set(_v1)`,
//!   `kubernetes_job(_v1)`, `kubernetes_cron_job(_v1)`, `kubernetes_pod(_v1)`): each instance's
//!   blocks and attributes (`dynamic` blocks expanded over a known collection) become a tree in
//!   the provider's schema — blocks as lists, `metadata[0].annotations` — which
//!   [`crate::extract::tfplan::provider_manifest`] rewrites into the manifest, as it does for a
//!   plan;
//! * `kubernetes_manifest`: its `manifest` object;
//! * `helm_release`: the ServiceAccount a chart creates when its values set
//!   `serviceAccount.annotations` (under any prefix: `controller.serviceAccount.annotations`), from
//!   `set` blocks, a `set` list (provider v3) and `values = [yamlencode({...})]` /
//!   `[jsonencode({...})]`; its name is `serviceAccount.name`, else the chart's default, unknown
//!   here (`${helm_release.X.serviceAccount.name}`); its namespace the release's `namespace`. A
//!   chart told `serviceAccount.create = false` creates none. The chart's pods run as it: the
//!   release names it as a custom resource that runs pods would (a `ServiceAccountReference`),
//!   also when it is made elsewhere (`create = false` with `serviceAccount.name`).
//!
//! Every node points at the HCL that wrote it (a value from another file at the reference to
//! it); every object's logical path starts with its resource address
//! (`kubernetes_service_account_v1.api@ServiceAccount/payments/api`). A ServiceAccount's or a
//! namespace's name read by reference in the same module
//! (`kubernetes_service_account_v1.api.metadata[0].name`) is the name that resource is given.

use std::collections::HashMap;

use super::value::{Origin, StrPart, TfValue, ValueKind};
use super::{BlockRef, Env, Module, node::value_node};
use crate::extract::k8s::{self, K8sObjects};
use crate::extract::tfplan::{kubernetes_kind, provider_manifest, string_node};
use crate::model::k8s::{ReferenceScope, ServiceAccountReference};
use crate::parse::hcl::{Block, Body, ExprKind};
use crate::parse::tree::{Entry, Node, NodeKind};
use crate::source::{SourceRef, Span};

/// How deep nested blocks are read (a pod spec is about ten levels deep; the parser bounds HCL
/// nesting at 64).
const MAX_BLOCK_DEPTH: usize = 32;

/// How deep a Helm values object is searched for `serviceAccount` settings.
const MAX_VALUES_DEPTH: usize = 16;

/// The Kubernetes objects of one resource instance, with the `.tf` file its block is in.
pub struct TerraformObjects {
    pub block_source: SourceRef,
    pub objects: K8sObjects,
}

/// Every Kubernetes object the module's resources define, in file order.
pub fn kubernetes_objects(module: &Module) -> Vec<TerraformObjects> {
    let names = NameTable::new(module);
    let mut out = Vec::new();
    for block in module.blocks("resource") {
        let Some(ty) = block.label(0) else { continue };
        let is_provider_kind = kubernetes_kind(ty).is_some();
        if !is_provider_kind && ty != "kubernetes_manifest" && ty != "helm_release" {
            continue;
        }
        let label = block.label(1).unwrap_or("?");
        for env in module.instances(&block) {
            let address = format!("{ty}.{label}{}", env.instance_key());
            let reader = Reader {
                module,
                source: block.source,
                names: &names,
            };
            let manifests: Vec<(Node, String)> = if ty == "helm_release" {
                for sa in reader.helm_service_accounts(&block, &env, &address) {
                    let mut objects = K8sObjects::default();
                    k8s::extract_objects_at(block.source, &sa.manifest, sa.path, &mut objects);
                    chart_runs_pods_as(&mut objects);
                    if !sa.created {
                        objects.service_accounts.clear();
                    }
                    out.push(TerraformObjects {
                        block_source: block.source.clone(),
                        objects,
                    });
                }
                continue;
            } else if ty == "kubernetes_manifest" {
                reader
                    .attribute(block.block, "manifest", &env)
                    .filter(|m| m.as_map().is_some())
                    .map(|m| (m, address.clone()))
                    .into_iter()
                    .collect()
            } else {
                let values = reader.body(&block.block.body, block.block.span, &env, 0);
                let at = block.block.labels.first().map_or(block.block.span, |l| l.1);
                provider_manifest(ty, &values, at)
                    .map(|m| (m, address.clone()))
                    .into_iter()
                    .collect()
            };
            for (manifest, path) in manifests {
                let mut objects = K8sObjects::default();
                k8s::extract_objects_at(block.source, &manifest, path, &mut objects);
                k8s::ignore_annotations(&manifest, &mut objects.ignore_annotations);
                out.push(TerraformObjects {
                    block_source: block.source.clone(),
                    objects,
                });
            }
        }
    }
    out
}

/// A chart creates a ServiceAccount for its own pods: each ServiceAccount of a release is named by
/// a reference of the release (kind `helm_release`), as a custom resource that runs pods names
/// one, so that no rule takes it for unused.
fn chart_runs_pods_as(objects: &mut K8sObjects) {
    for sa in &objects.service_accounts {
        let Some(name) = sa.meta.name.clone() else {
            continue;
        };
        let mut meta = sa.meta.clone();
        meta.kind.value = "helm_release".to_string();
        objects
            .service_account_references
            .push(ServiceAccountReference {
                meta,
                name,
                path: "serviceAccount.name".to_string(),
                scope: ReferenceScope::Object,
            });
    }
}

/// Move every object of `from` into `into`.
pub fn append(into: &mut K8sObjects, from: K8sObjects) {
    into.service_accounts.extend(from.service_accounts);
    into.workloads.extend(from.workloads);
    into.service_account_references
        .extend(from.service_account_references);
    into.env_sources.extend(from.env_sources);
    into.kustomizations.extend(from.kustomizations);
    into.ignore_annotations.extend(from.ignore_annotations);
}

/// The names the module gives its ServiceAccounts and namespaces, by the references other
/// resources read them with (`kubernetes_namespace_v1.apps.metadata[0].name`,
/// `kubernetes_service_account_v1.api.metadata[0].namespace`); single-instance resources only.
struct NameTable {
    known: HashMap<String, TfValue>,
}

impl NameTable {
    fn new(module: &Module) -> NameTable {
        let mut table = NameTable {
            known: HashMap::new(),
        };
        // Namespaces first: a ServiceAccount's namespace is often one of them.
        for types in [
            ["kubernetes_namespace", "kubernetes_namespace_v1"],
            [
                "kubernetes_service_account",
                "kubernetes_service_account_v1",
            ],
        ] {
            for ty in types {
                for block in module.resources(ty) {
                    let single =
                        block.attribute("count").is_none() && block.attribute("for_each").is_none();
                    let (Some(label), true) = (block.label(1), single) else {
                        continue;
                    };
                    let Some(metadata) = block.block.body.blocks_of("metadata").next() else {
                        continue;
                    };
                    for key in ["name", "namespace"] {
                        let Some(attr) = metadata.body.attribute(key) else {
                            continue;
                        };
                        let value =
                            table.resolve(module.eval(block.source, &attr.value, &Env::new()));
                        if value.as_str().is_none() {
                            continue;
                        }
                        for written in [format!("metadata[0].{key}"), format!("metadata.0.{key}")] {
                            table
                                .known
                                .insert(format!("{ty}.{label}.{written}"), value.clone());
                        }
                    }
                }
            }
        }
        table
    }

    /// `value` with every unknown reference the table knows replaced by its text, at the place
    /// of the reference.
    fn resolve(&self, mut value: TfValue) -> TfValue {
        if self.known.is_empty() {
            return value;
        }
        self.resolve_in(&mut value, 0);
        value
    }

    fn resolve_in(&self, value: &mut TfValue, depth: usize) {
        if depth > MAX_BLOCK_DEPTH * 4 {
            return;
        }
        match &mut value.kind {
            ValueKind::Unknown(expr) => {
                if let Some(text) = self.lookup(expr) {
                    *value = TfValue::string(text, value.origin.clone());
                }
            }
            ValueKind::String(parts) => {
                for part in parts.iter_mut() {
                    let StrPart::Unknown { expr, origin } = part else {
                        continue;
                    };
                    if let Some(text) = self.lookup(expr) {
                        *part = StrPart::Literal {
                            text,
                            origin: origin.clone(),
                            form: None,
                        };
                    }
                }
            }
            ValueKind::List(items) => {
                for item in items {
                    self.resolve_in(item, depth + 1);
                }
            }
            ValueKind::Object(entries) => {
                for (_, v) in entries {
                    self.resolve_in(v, depth + 1);
                }
            }
            ValueKind::Json(inner) => self.resolve_in(inner, depth + 1),
            ValueKind::Null | ValueKind::Bool(_) | ValueKind::Number(_) => {}
        }
    }

    fn lookup(&self, expr: &str) -> Option<String> {
        let expr: String = expr.chars().filter(|c| !c.is_whitespace()).collect();
        self.known
            .get(&expr)
            .and_then(|v| v.as_str().map(|s| s.into_owned()))
    }
}

/// Reads one resource block's values into trees in the block's file.
struct Reader<'a, 'l> {
    module: &'a Module<'l>,
    source: &'a SourceRef,
    names: &'a NameTable,
}

impl Reader<'_, '_> {
    fn eval(&self, expr: &crate::parse::hcl::Expr, env: &Env) -> TfValue {
        self.names.resolve(self.module.eval(self.source, expr, env))
    }

    fn value_node(&self, value: &TfValue, fallback: Span) -> Node {
        value_node(value, self.source, fallback)
    }

    /// The tree of attribute `key` of `block`.
    fn attribute(&self, block: &Block, key: &str, env: &Env) -> Option<Node> {
        let attr = block.body.attribute(key)?;
        Some(self.value_node(&self.eval(&attr.value, env), attr.value.span))
    }

    /// A block body as the provider's schema has it: attributes by name, nested blocks as lists
    /// under their type (a `dynamic` block's items under its label).
    fn body(&self, body: &Body, span: Span, env: &Env, depth: usize) -> Node {
        let mut entries = Vec::new();
        for attr in body.attributes() {
            if matches!(
                attr.key.as_str(),
                "count" | "for_each" | "depends_on" | "provider"
            ) && depth == 0
            {
                continue;
            }
            entries.push(Entry {
                key: string_node(attr.key.clone(), attr.key_span),
                value: self.value_node(&self.eval(&attr.value, env), attr.value.span),
            });
        }
        if depth < MAX_BLOCK_DEPTH {
            let mut groups: Vec<(String, Span, Vec<Node>)> = Vec::new();
            for (ident, ident_span, item_body, item_span, item_env) in self.nested(body, env, depth)
            {
                let node = self.body(item_body, item_span, &item_env, depth + 1);
                match groups.iter_mut().find(|(g, _, _)| *g == ident) {
                    Some((_, _, items)) => items.push(node),
                    None => groups.push((ident, ident_span, vec![node])),
                }
            }
            for (ident, ident_span, items) in groups {
                entries.push(Entry {
                    key: string_node(ident, ident_span),
                    value: Node {
                        span: items.first().map_or(ident_span, |n| n.span),
                        kind: NodeKind::Seq(items),
                        tag: None,
                    },
                });
            }
        }
        Node {
            span,
            kind: NodeKind::Map(entries),
            tag: None,
        }
    }

    /// The nested blocks of a body in order, each with its type, the span of its type, its body
    /// and span and the scope its body is evaluated in: a `dynamic "x"` block is one `x` per
    /// element of its `for_each` when that is known (none when it is not: what its items hold is
    /// unknown), its iterator (`x`, or `iterator`'s name) bound to `{key, value}`.
    fn nested<'b>(
        &self,
        body: &'b Body,
        env: &Env,
        depth: usize,
    ) -> Vec<(String, Span, &'b Body, Span, Env)> {
        let mut out = Vec::new();
        for block in body.blocks() {
            if block.ident != "dynamic" {
                if depth == 0 && matches!(block.ident.as_str(), "lifecycle" | "provisioner") {
                    continue;
                }
                out.push((
                    block.ident.clone(),
                    block.ident_span,
                    &block.body,
                    block.span,
                    env.clone(),
                ));
                continue;
            }
            let (Some(label), Some(content)) =
                (block.label(0), block.body.blocks_of("content").next())
            else {
                continue;
            };
            let label_span = block.labels.first().map_or(block.span, |l| l.1);
            let iterator = match block.body.attribute("iterator").map(|a| &a.value.kind) {
                Some(ExprKind::Variable(name)) => name.as_str(),
                _ => label,
            };
            let Some(for_each) = block.body.attribute("for_each") else {
                continue;
            };
            let collection = self.eval(&for_each.value, env);
            let items: Vec<(TfValue, TfValue)> = match &collection.kind {
                ValueKind::Object(entries) => entries.clone(),
                ValueKind::List(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        (
                            TfValue::new(ValueKind::Number(i as f64), v.origin.clone()),
                            v.clone(),
                        )
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (key, value) in items {
                let origin = value.origin.clone();
                let bound = TfValue::new(
                    ValueKind::Object(vec![
                        (TfValue::string("key", origin.clone()), key),
                        (TfValue::string("value", origin.clone()), value),
                    ]),
                    origin,
                );
                out.push((
                    label.to_string(),
                    label_span,
                    &content.body,
                    content.span,
                    env.with(iterator, bound),
                ));
            }
        }
        out
    }

    /// The ServiceAccounts a `helm_release` instance's chart creates with annotations, each with
    /// its logical path.
    fn helm_service_accounts(
        &self,
        block: &BlockRef<'_>,
        env: &Env,
        address: &str,
    ) -> Vec<HelmServiceAccount> {
        let settings = self.helm_settings(block, env);
        // Each prefix under which `serviceAccount.annotations.*` or `serviceAccount.create` is
        // set, in order.
        let mut prefixes: Vec<Vec<String>> = Vec::new();
        for setting in &settings {
            let path = &setting.path;
            let n = path.len();
            let prefix =
                if n >= 3 && path[n - 3] == "serviceAccount" && path[n - 2] == "annotations" {
                    &path[..n - 3]
                } else if n >= 2 && path[n - 2] == "serviceAccount" && path[n - 1] == "create" {
                    &path[..n - 2]
                } else {
                    continue;
                };
            if !prefixes.iter().any(|p| p[..] == *prefix) {
                prefixes.push(prefix.to_vec());
            }
        }
        let at = block.block.labels.first().map_or(block.block.span, |l| l.1);
        let mut out = Vec::new();
        for prefix in prefixes {
            let under = |rest: &[&str]| -> Option<&Setting> {
                settings.iter().rev().find(|s| {
                    s.path.len() == prefix.len() + rest.len()
                        && s.path[..prefix.len()] == prefix[..]
                        && s.path[prefix.len()..].iter().zip(rest).all(|(a, b)| a == b)
                })
            };
            let created = under(&["serviceAccount", "create"])
                .is_none_or(|s| s.value.as_bool() != Some(false));
            let named = under(&["serviceAccount", "name"]).filter(|s| !s.value.is_null());
            // A chart told not to create its ServiceAccount runs as the one it names (made
            // elsewhere), or as `default`.
            if !created && named.is_none() {
                continue;
            }
            let dotted = prefix
                .iter()
                .map(|p| p.replace('.', "\\."))
                .collect::<Vec<_>>()
                .join(".");
            let path = if dotted.is_empty() {
                address.to_string()
            } else {
                format!("{address}.{dotted}")
            };
            let mut annotations: Vec<Entry> = Vec::new();
            for s in settings.iter().filter(|_| created) {
                let n = s.path.len();
                if n == prefix.len() + 3
                    && s.path[..prefix.len()] == prefix[..]
                    && s.path[n - 3] == "serviceAccount"
                    && s.path[n - 2] == "annotations"
                {
                    let key = string_node(s.path[n - 1].clone(), s.key.span);
                    let value = self.value_node(&s.value, s.key.span);
                    annotations.retain(|e| e.key.as_str() != key.as_str());
                    annotations.push(Entry { key, value });
                }
            }
            let name = match named {
                Some(s) => self.value_node(&s.value, s.key.span),
                None => {
                    let chart_prefix = if dotted.is_empty() {
                        String::new()
                    } else {
                        format!("{dotted}.")
                    };
                    string_node(
                        format!("${{{address}.{chart_prefix}serviceAccount.name}}"),
                        at,
                    )
                }
            };
            let mut metadata = vec![Entry {
                key: string_node("name".into(), name.span),
                value: name,
            }];
            if let Some(ns) = self.attribute(block.block, "namespace", env) {
                metadata.push(Entry {
                    key: string_node("namespace".into(), ns.span),
                    value: ns,
                });
            }
            let annotations_span = annotations.first().map_or(at, |e| e.key.span);
            metadata.push(Entry {
                key: string_node("annotations".into(), annotations_span),
                value: map_node(annotations, annotations_span),
            });
            let manifest = map_node(
                vec![
                    Entry {
                        key: string_node("kind".into(), at),
                        value: string_node("ServiceAccount".into(), at),
                    },
                    Entry {
                        key: string_node("apiVersion".into(), at),
                        value: string_node("v1".into(), at),
                    },
                    Entry {
                        key: string_node("metadata".into(), at),
                        value: map_node(metadata, block.block.span),
                    },
                ],
                block.block.span,
            );
            out.push(HelmServiceAccount {
                manifest,
                path,
                created,
            });
        }
        out
    }

    /// A release's values as (dotted path, value) settings in the order Helm applies them:
    /// `values` documents first, then `set` (blocks, `dynamic "set"` blocks, or a list
    /// attribute). Values that are not an object Terraform built (`file("values.yaml")`) are
    /// not read.
    fn helm_settings(&self, block: &BlockRef<'_>, env: &Env) -> Vec<Setting> {
        let mut out = Vec::new();
        if let Some(values) = block.attribute("values") {
            let items: Vec<&crate::parse::hcl::Expr> = match &values.value.kind {
                ExprKind::Array(items) => items.iter().collect(),
                _ => vec![&values.value],
            };
            for item in items {
                let value = match &item.kind {
                    ExprKind::Call(call)
                        if matches!(call.name.as_str(), "yamlencode" | "jsonencode")
                            && call.args.len() == 1 =>
                    {
                        self.eval(&call.args[0], env)
                    }
                    _ => match self.eval(item, env).kind {
                        ValueKind::Json(inner) => *inner,
                        _ => continue,
                    },
                };
                flatten(&value, &mut Vec::new(), &mut out, 0);
            }
        }
        let mut set_items: Vec<(TfValue, TfValue)> = Vec::new();
        for (ident, _, body, _, item_env) in self.nested(&block.block.body, env, 0) {
            if ident != "set" {
                continue;
            }
            let (Some(name), Some(value)) = (body.attribute("name"), body.attribute("value"))
            else {
                continue;
            };
            set_items.push((
                self.eval(&name.value, &item_env),
                self.eval(&value.value, &item_env),
            ));
        }
        if let Some(set) = block.attribute("set") {
            let list = self.eval(&set.value, env);
            for item in list.as_list().unwrap_or_default() {
                if let (Some(name), Some(value)) = (item.get("name"), item.get("value")) {
                    set_items.push((name.clone(), value.clone()));
                }
            }
        }
        for (name, value) in set_items {
            let Some(text) = name.as_str() else { continue };
            out.push(Setting {
                path: split_set_name(&text),
                key: name.origin.clone(),
                value,
            });
        }
        out
    }
}

/// The ServiceAccount a release's chart runs pods as, as a manifest, with its logical path;
/// `created` when the chart creates it (else it is only named: `serviceAccount.create = false`).
struct HelmServiceAccount {
    manifest: Node,
    path: String,
    created: bool,
}

/// One value a release sets: its path of keys, where the path was written, its value.
struct Setting {
    path: Vec<String>,
    key: Origin,
    value: TfValue,
}

/// A values object's leaves (and nulls) as settings, keys in the order written.
fn flatten(value: &TfValue, path: &mut Vec<String>, out: &mut Vec<Setting>, depth: usize) {
    let Some(entries) = value.as_object() else {
        return;
    };
    if depth > MAX_VALUES_DEPTH {
        return;
    }
    for (k, v) in entries {
        let Some(key) = k.as_str() else { continue };
        path.push(key.into_owned());
        if v.as_object().is_some() {
            flatten(v, path, out, depth + 1);
        } else {
            out.push(Setting {
                path: path.clone(),
                key: k.origin.clone(),
                value: v.clone(),
            });
        }
        path.pop();
    }
}

/// `serviceAccount.annotations.eks\.amazonaws\.com/role-arn` → its keys, as Helm's `--set` splits
/// them (`\.` is a dot inside a key).
fn split_set_name(name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut key = String::new();
    let mut chars = name.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.push(chars.next().unwrap_or('\\')),
            '.' => out.push(std::mem::take(&mut key)),
            c => key.push(c),
        }
    }
    out.push(key);
    out
}

fn map_node(entries: Vec<Entry>, span: Span) -> Node {
    Node {
        span,
        kind: NodeKind::Map(entries),
        tag: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::terraform::NoFiles;
    use crate::parse::hcl::parse_body;
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn objects(text: &str) -> K8sObjects {
        let source = Arc::new(SourceFile::new("main.tf", None, text.to_string()));
        let body = parse_body(text).expect("parses");
        let module = Module::new(
            vec![(source, body)],
            Vec::new(),
            HashMap::new(),
            ".".into(),
            &NoFiles,
        );
        let mut out = K8sObjects::default();
        for found in kubernetes_objects(&module) {
            append(&mut out, found.objects);
        }
        out
    }

    const PROVIDER: &str = r#"
locals {
  ns = "payments"
}

resource "kubernetes_namespace_v1" "payments" {
  metadata {
    name = local.ns
  }
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = kubernetes_namespace_v1.payments.metadata[0].name
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.api.arn
    }
  }
}

resource "kubernetes_cron_job_v1" "report" {
  for_each = toset(["daily"])
  metadata {
    name      = "report-${each.key}"
    namespace = local.ns
  }
  spec {
    schedule = "0 1 * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            service_account_name = kubernetes_service_account_v1.api.metadata.0.name
            container {
              name  = "report"
              image = "example/report:1"
              dynamic "env" {
                for_each = { AWS_REGION = "eu-west-1", AWS_ROLE_ARN = aws_iam_role.api.arn }
                content {
                  name  = env.key
                  value = env.value
                }
              }
            }
          }
        }
      }
    }
  }
}
"#;

    #[test]
    fn provider_resources_are_manifests() {
        let out = objects(PROVIDER);
        let sa = &out.service_accounts[0];
        assert_eq!(sa.meta.name_str(), "api");
        assert_eq!(sa.meta.namespace.as_ref().unwrap().value, "payments");
        assert_eq!(sa.role_arn().unwrap().text(), "${aws_iam_role.api.arn}");
        assert_eq!(
            sa.meta.logical_path(""),
            "kubernetes_service_account_v1.api@ServiceAccount/payments/api"
        );
        let job = &out.workloads[0];
        assert_eq!(job.meta.kind.value, "CronJob");
        assert_eq!(job.meta.name_str(), "report-daily");
        assert_eq!(
            job.meta.list_path,
            "kubernetes_cron_job_v1.report[\"daily\"]"
        );
        let name = job.pod.service_account_name.as_ref().unwrap();
        assert_eq!(
            name.value, "api",
            "read through the ServiceAccount resource"
        );
        assert_eq!(
            &PROVIDER[name.span.range()],
            "kubernetes_service_account_v1.api.metadata.0.name"
        );
        let env: Vec<(&str, &str)> = job.pod.containers[0]
            .env
            .iter()
            .map(|e| {
                (
                    e.name.value.as_str(),
                    e.value.as_ref().map_or("", |v| v.value.as_str()),
                )
            })
            .collect();
        assert_eq!(
            env,
            vec![
                ("AWS_REGION", "eu-west-1"),
                ("AWS_ROLE_ARN", "${aws_iam_role.api.arn}")
            ]
        );
    }

    #[test]
    fn manifests_and_helm_releases() {
        let text = r#"
resource "kubernetes_manifest" "sa" {
  manifest = {
    apiVersion = "v1"
    kind       = "ServiceAccount"
    metadata = {
      name        = "ledger"
      namespace   = "payments"
      annotations = { "eks.amazonaws.com/role-arn" = module.ledger_irsa.iam_role_arn }
    }
  }
}

resource "helm_release" "lbc" {
  name      = "aws-load-balancer-controller"
  namespace = "kube-system"
  chart     = "aws-load-balancer-controller"
  set {
    name  = "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = aws_iam_role.lbc.arn
  }
  set {
    name  = "serviceAccount.name"
    value = "aws-load-balancer-controller"
  }
}

resource "helm_release" "dns" {
  name = "external-dns"
  values = [yamlencode({
    serviceAccount = {
      annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::483920175566:role/external-dns" }
    }
  })]
}

resource "helm_release" "ebs" {
  name = "ebs"
  set = [{
    name  = "controller.serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = "arn:aws:iam::483920175566:role/ebs"
  }]
}

resource "helm_release" "external" {
  name      = "external"
  namespace = "kube-system"
  set {
    name  = "serviceAccount.create"
    value = "false"
  }
  set {
    name  = "serviceAccount.name"
    value = "made-elsewhere"
  }
}

resource "helm_release" "kept" {
  name = "kept"
  values = [jsonencode({
    serviceAccount = {
      create      = false
      annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::483920175566:role/kept" }
    }
  })]
}
"#;
        let out = objects(text);
        let found: Vec<(String, String, String)> = out
            .service_accounts
            .iter()
            .map(|sa| {
                (
                    sa.meta.logical_path(""),
                    sa.meta.name_str().to_string(),
                    sa.role_arn().unwrap().text().to_string(),
                )
            })
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "kubernetes_manifest.sa@ServiceAccount/payments/ledger".to_string(),
                    "ledger".to_string(),
                    "${module.ledger_irsa.iam_role_arn}".to_string()
                ),
                (
                    "helm_release.lbc@ServiceAccount/kube-system/aws-load-balancer-controller"
                        .to_string(),
                    "aws-load-balancer-controller".to_string(),
                    "${aws_iam_role.lbc.arn}".to_string()
                ),
                (
                    "helm_release.dns@ServiceAccount/-/${helm_release.dns.serviceAccount.name}"
                        .to_string(),
                    "${helm_release.dns.serviceAccount.name}".to_string(),
                    "arn:aws:iam::483920175566:role/external-dns".to_string()
                ),
                (
                    "helm_release.ebs.controller@ServiceAccount/-/${helm_release.ebs.controller.serviceAccount.name}"
                        .to_string(),
                    "${helm_release.ebs.controller.serviceAccount.name}".to_string(),
                    "arn:aws:iam::483920175566:role/ebs".to_string()
                ),
            ]
        );
        // Each chart runs pods as its ServiceAccount, one made elsewhere included.
        let references: Vec<String> = out
            .service_account_references
            .iter()
            .map(|r| format!("{} {}", r.meta.logical_path(""), r.name.value))
            .collect();
        assert_eq!(
            references,
            vec![
                "helm_release.lbc@helm_release/kube-system/aws-load-balancer-controller aws-load-balancer-controller",
                "helm_release.dns@helm_release/-/${helm_release.dns.serviceAccount.name} ${helm_release.dns.serviceAccount.name}",
                "helm_release.ebs.controller@helm_release/-/${helm_release.ebs.controller.serviceAccount.name} ${helm_release.ebs.controller.serviceAccount.name}",
                "helm_release.external@helm_release/kube-system/made-elsewhere made-elsewhere",
            ]
        );
        // The annotation points at the `set` block's name, its value at the value.
        let lbc = out.service_accounts[1].role_arn().unwrap();
        assert_eq!(&text[lbc.value.span.range()], "aws_iam_role.lbc.arn");
    }

    #[test]
    fn set_names_split_as_helm_does() {
        assert_eq!(
            split_set_name("serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"),
            vec![
                "serviceAccount",
                "annotations",
                "eks.amazonaws.com/role-arn"
            ]
        );
        assert_eq!(split_set_name("a"), vec!["a"]);
        assert_eq!(split_set_name("a\\"), vec!["a\\"]);
    }
}

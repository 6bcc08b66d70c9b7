//! CloudFormation templates (YAML with short-form tags, or JSON; SAM templates and `cdk synth`
//! output are CloudFormation too) → the trust policies of their `AWS::IAM::Role` resources and
//! the Kubernetes objects of their manifest resources.
//!
//! Intrinsic functions are evaluated into the same [`Node`] tree the other readers read, with
//! what is known only at deploy time written as a `${...}` hole ([`crate::model::template`]):
//! * short forms are normalised as cfn-lint does: `!X` is `Fn::X`, but `!Ref` and `!Condition`;
//!   `!GetAtt A.B` splits at the first dot;
//! * `Ref` to a parameter with a `Default` is that default; to a parameter without one
//!   `${Param}`; a pseudo parameter `${AWS.AccountId}` (written without `::`, so that an ARN
//!   holding one still splits at its colons; `AWS::NoValue` removes the value);
//! * `Fn::GetAtt` is `${Resource.Attribute}`, as `Fn::Sub` writes it, but the `Value` of CDK's
//!   `Custom::AWSCDKCfnJson`, which is its JSON read as a tree;
//! * `Fn::Sub` (both forms) and `Fn::Join` are evaluated into text that keeps the host offset of
//!   every byte, so a policy written as a `!Sub` JSON string (condition keys cannot be
//!   intrinsics) is read with its findings inside the string; `${!Literal}` is `${Literal}`;
//! * `Fn::If` takes one branch per condition: a trust that has conditions is read once per
//!   combination (up to three conditions; beyond, all true then all false), its logical path
//!   naming them (`...AssumeRolePolicyDocument[if IsProd]`, `[if !IsProd]`); identical findings
//!   of several combinations are reported once;
//! * every other function is a hole `${Fn.Name}`.
//!
//! EKS Pod Identity: each `AWS::EKS::PodIdentityAssociation` is an association whose address is
//! its logical id (`ClusterName`, `Namespace`, `ServiceAccount`, `RoleArn`, `TargetRoleArn`,
//! `DisableSessionTags`, `Policy`; a `!GetAtt Role.Arn` stays the hole `${Role.Arn}`, which links
//! to the template's role `Role`); each `AWS::EKS::FargateProfile` a Fargate profile
//! (`ClusterName`, `Selectors[].Namespace`, `Selectors[].Labels[].Key`/`Value`); the
//! `AWS::EKS::Addon`s of one `ClusterName` one add-on list (`AddonName`).
//!
//! A role's name is its `RoleName` when known; else CloudFormation generates one from the stack
//! name, so the policy is linked only by reference: its resource address is the logical id, and
//! a role-arn annotation `${Role.Arn}` (a `!GetAtt Role.Arn`) in the same template names it.

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::embedded::{parse_documents, parse_json_object, scalar_text_map};
use super::pod_identity::{association_at, items};
use super::policy::read_policy;
use super::{Extracted, k8s};
use crate::model::pod_identity::{
    AddonList, AssociationOrigin, FargateProfile, FargateSelector, PodIdentityAssociation,
};
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity};
use crate::model::template::has_holes;
use crate::parse::FileKind;
use crate::parse::tree::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarType};
use crate::source::SourceRef;

/// Resource types whose `Manifest` property is a Kubernetes manifest.
const MANIFEST_TYPES: [&str; 3] = [
    "Custom::KubeManifest",
    "AWSQS::Kubernetes::Resource",
    "Custom::AWSCDK-EKS-KubernetesResource",
];

/// Evaluation steps allowed per template before everything left is a hole.
const BUDGET: usize = 200_000;
/// Nesting of evaluation (tree depth plus `GetAtt` indirections) before a value is a hole.
const MAX_DEPTH: usize = 300;

/// True when a document is a CloudFormation template: it has `AWSTemplateFormatVersion`, or a
/// `Resources` mapping whose every value has a `Type` naming a resource type (`AWS::S3::Bucket`,
/// `Custom::X`), one of them an `AWS::` type.
pub fn is_template(root: &Node) -> bool {
    if root.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return false;
    };
    let types: Vec<Option<&str>> = resources
        .iter()
        .map(|e| e.value.get("Type").and_then(Node::as_str))
        .collect();
    !types.is_empty()
        && types.iter().all(|t| t.is_some_and(|t| t.contains("::")))
        && types.iter().flatten().any(|t| t.starts_with("AWS::"))
}

/// Extract a template's trust policies and Kubernetes objects. False when `root` is not a
/// template (the other readers then read it).
pub fn extract(source: &SourceRef, root: &Node, out: &mut Extracted) -> bool {
    if !is_template(root) {
        return false;
    }
    let template = Template::new(source, root);
    let Some(resources) = root.get("Resources").and_then(Node::as_map) else {
        return true;
    };
    // This template's add-on lists only (a file may hold several documents).
    let mut addon_lists = Vec::new();
    for entry in resources {
        let Some(id) = entry.key.scalar_text() else {
            continue;
        };
        let ty = entry.value.get("Type").and_then(Node::as_str).unwrap_or("");
        let Some(props) = entry.value.get("Properties") else {
            continue;
        };
        let pod_identity = &mut out.pod_identity;
        match ty {
            "AWS::IAM::Role" => template.role(id, props, out),
            _ if MANIFEST_TYPES.contains(&ty) => template.manifest(id, props, out),
            "AWS::EKS::PodIdentityAssociation" => pod_identity
                .associations
                .push(template.association(id, &entry.value, props)),
            "AWS::EKS::FargateProfile" => pod_identity
                .fargate_profiles
                .push(template.fargate_profile(id, &entry.value, props)),
            "AWS::EKS::Addon" => template.addon(entry, props, &mut addon_lists),
            _ => {}
        }
    }
    out.pod_identity.addon_lists.extend(addon_lists);
    true
}

/// Text evaluated from a template, with the host offset of every byte (`map.len() ==
/// text.len() + 1`, as [`crate::source::embedded`] records it).
struct Text {
    text: String,
    map: Vec<u32>,
}

impl Text {
    fn new() -> Self {
        Text {
            text: String::new(),
            map: Vec::new(),
        }
    }

    /// A hole `${expr}` (or any text) standing for `node`: every byte at the node's start.
    fn at(text: String, node: &Node) -> Self {
        let mut map = vec![node.span.start; text.len()];
        map.push(node.span.end);
        Text { text, map }
    }

    fn push(&mut self, other: &Text) {
        self.text.push_str(&other.text);
        self.map.extend_from_slice(&other.map[..other.text.len()]);
    }

    /// Append `text[range]` of `other`.
    fn push_range(&mut self, other: &Text, range: std::ops::Range<usize>) {
        self.text.push_str(&other.text[range.clone()]);
        self.map.extend_from_slice(&other.map[range]);
    }

    fn finish(mut self, end: u32) -> Self {
        self.map.push(end);
        self
    }
}

struct Template<'a> {
    source: &'a SourceRef,
    /// Parameters with their `Default`, None for a parameter without one.
    parameters: HashMap<&'a str, Option<&'a Node>>,
    /// `Custom::AWSCDKCfnJson` resources' `Value` property, by logical id.
    cfn_json: HashMap<&'a str, &'a Node>,
    steps: Cell<usize>,
}

/// A value evaluated: what `Fn::If` chooses, per condition (true when not listed).
type Choices = BTreeMap<String, bool>;

impl<'a> Template<'a> {
    fn new(source: &'a SourceRef, root: &'a Node) -> Self {
        let mut parameters = HashMap::new();
        for e in root.get("Parameters").and_then(Node::as_map).unwrap_or(&[]) {
            if let Some(name) = e.key.scalar_text() {
                parameters.insert(name, e.value.get("Default"));
            }
        }
        let mut cfn_json = HashMap::new();
        for e in root.get("Resources").and_then(Node::as_map).unwrap_or(&[]) {
            if e.value.get("Type").and_then(Node::as_str) == Some("Custom::AWSCDKCfnJson")
                && let (Some(id), Some(value)) =
                    (e.key.scalar_text(), e.value.path(&["Properties", "Value"]))
            {
                cfn_json.insert(id, value);
            }
        }
        Template {
            source,
            parameters,
            cfn_json,
            steps: Cell::new(0),
        }
    }

    fn role(&self, id: &str, props: &Node, out: &mut Extracted) {
        let Some(doc) = props.get("AssumeRolePolicyDocument") else {
            return;
        };
        let base = format!("Resources.{id}.Properties.AssumeRolePolicyDocument");
        let mut conditions = BTreeSet::new();
        if_conditions(doc, &mut conditions, 0);
        let conditions: Vec<String> = conditions.into_iter().collect();
        let combinations: Vec<Choices> = if conditions.is_empty() {
            vec![Choices::new()]
        } else if conditions.len() <= 3 {
            (0..1u32 << conditions.len())
                .map(|bits| {
                    conditions
                        .iter()
                        .enumerate()
                        .map(|(i, c)| (c.clone(), bits & (1 << i) == 0))
                        .collect()
                })
                .collect()
        } else {
            [true, false]
                .iter()
                .map(|&b| conditions.iter().map(|c| (c.clone(), b)).collect())
                .collect()
        };
        let default = Choices::new();
        let name = props
            .get("RoleName")
            .and_then(|n| self.string(n, &default, 0))
            .filter(|t| !has_holes(&t.text));
        let path = props
            .get("Path")
            .and_then(|n| self.string(n, &default, 0))
            .filter(|t| !has_holes(&t.text));
        for choices in &combinations {
            let Some((document, encoded)) = self.policy_document(doc, choices, 0) else {
                continue;
            };
            let logical_path = if choices.is_empty() {
                base.clone()
            } else {
                let names: Vec<String> = choices
                    .iter()
                    .map(|(c, &b)| if b { c.clone() } else { format!("!{c}") })
                    .collect();
                format!("{base}[if {}]", names.join(", "))
            };
            let mut policy = read_policy(
                self.source,
                &document,
                PolicyOrigin::CloudFormation,
                logical_path,
                encoded,
            );
            let located = |n: &Option<Text>, key: &str| {
                n.as_ref().map(|t| Located {
                    value: t.text.clone(),
                    span: props.get(key).map_or(doc.span, |n| n.span),
                })
            };
            policy.role = Some(RoleIdentity {
                name: located(&name, "RoleName"),
                name_prefix: None,
                path: located(&path, "Path"),
                arn: None,
                partition: None,
                account: None,
            });
            policy.resource_address = Some(id.to_string());
            out.policies.push(policy);
        }
    }

    /// A string property evaluated (`Fn::If` takes its first branch), trimmed, at the property's
    /// span; None when missing, removed or blank. What the template does not decide is a hole.
    fn text(&self, props: &Node, key: &str) -> Option<Located<String>> {
        let node = props.get(key)?;
        let text = self.string(node, &Choices::new(), 0)?;
        let value = text.text.trim();
        (!value.is_empty()).then(|| Located {
            value: value.to_string(),
            span: node.span,
        })
    }

    /// A Boolean property: `true`/`false`, written as a Boolean or a string (CloudFormation
    /// accepts both); None when its value is not known.
    fn flag(&self, props: &Node, key: &str) -> Option<Located<bool>> {
        let text = self.text(props, key)?;
        let value = match text.value.as_str() {
            "true" | "True" => true,
            "false" | "False" => false,
            _ => return None,
        };
        Some(Located {
            value,
            span: text.span,
        })
    }

    fn association(&self, id: &str, resource: &Node, props: &Node) -> PodIdentityAssociation {
        let label = format!("AWS::EKS::PodIdentityAssociation `{id}`");
        let logical_path = format!("Resources.{id}");
        PodIdentityAssociation {
            address: Some(id.to_string()),
            cluster: self.text(props, "ClusterName"),
            namespace: self.text(props, "Namespace"),
            service_account: self.text(props, "ServiceAccount"),
            role_arn: self.text(props, "RoleArn"),
            target_role_arn: self.text(props, "TargetRoleArn"),
            disable_session_tags: self.flag(props, "DisableSessionTags"),
            session_policy: props.get("Policy").map(|p| p.span),
            ..association_at(
                self.source,
                AssociationOrigin::CloudFormation,
                resource.span,
                label,
                logical_path,
            )
        }
    }

    /// An `AWS::EKS::FargateProfile`: its selectors, each a `Namespace` (required: a selector
    /// without one is skipped) and `Labels`, a list of `{Key, Value}`.
    fn fargate_profile(&self, id: &str, resource: &Node, props: &Node) -> FargateProfile {
        let selectors = items(props.get("Selectors"))
            .iter()
            .filter_map(|selector| {
                let labels = items(selector.get("Labels"))
                    .iter()
                    .filter_map(|l| {
                        let key = self.text(l, "Key")?.value;
                        Some((key, self.text(l, "Value")?.value))
                    })
                    .collect();
                Some(FargateSelector {
                    namespace: self.text(selector, "Namespace")?,
                    labels,
                })
            })
            .collect();
        FargateProfile {
            source: self.source.clone(),
            span: resource.span,
            label: format!("AWS::EKS::FargateProfile `{id}`"),
            logical_path: format!("Resources.{id}"),
            cluster: self.text(props, "ClusterName"),
            selectors,
        }
    }

    /// An `AWS::EKS::Addon`: its `AddonName` joins the list of its `ClusterName` (as evaluated),
    /// which points at the first add-on resource of that cluster.
    fn addon(&self, resource: &Entry, props: &Node, lists: &mut Vec<AddonList>) {
        let cluster = self.text(props, "ClusterName");
        let cluster_text = cluster.as_ref().map(|c| c.value.clone());
        let index = match lists
            .iter()
            .position(|l| l.cluster.as_ref().map(|c| &c.value) == cluster_text.as_ref())
        {
            Some(index) => index,
            None => {
                lists.push(AddonList {
                    source: self.source.clone(),
                    span: resource.key.span,
                    label: "AWS::EKS::Addon".to_string(),
                    logical_path: format!(
                        "AWS::EKS::Addon/{}",
                        cluster_text.as_deref().unwrap_or("-")
                    ),
                    cluster,
                    names: Vec::new(),
                });
                lists.len() - 1
            }
        };
        lists[index].names.extend(self.text(props, "AddonName"));
    }

    /// The trust document as a tree: a mapping evaluated, or a string (`!Sub` JSON) parsed with
    /// its spans in the string. The flag is true for a string.
    fn policy_document(&self, doc: &Node, choices: &Choices, depth: usize) -> Option<(Node, bool)> {
        if depth > MAX_DEPTH {
            return None;
        }
        if let Some((name, arg)) = intrinsic(doc) {
            match name.as_str() {
                "Fn::If" => {
                    let branch = self.branch(arg, choices)?;
                    return self.policy_document(branch, choices, depth + 1);
                }
                "Fn::Sub" | "Fn::Join" => {
                    let text = self.string(doc, choices, depth)?;
                    return Some((parse_json_object(&text.text, &text.map)?, true));
                }
                _ => {}
            }
        }
        match &doc.kind {
            NodeKind::Scalar(_) => {
                let text = self.string(doc, choices, depth)?;
                Some((parse_json_object(&text.text, &text.map)?, true))
            }
            _ => Some((self.eval(doc, choices, depth)?, false)),
        }
    }

    /// A manifest resource's `Manifest`: a mapping, or a YAML or JSON string (CDK writes a JSON
    /// list of objects). `Fn::If` takes its first branch.
    fn manifest(&self, id: &str, props: &Node, out: &mut Extracted) {
        let Some(manifest) = props.get("Manifest") else {
            return;
        };
        let choices = Choices::new();
        let path = format!("Resources.{id}.Properties.Manifest");
        let is_string = match intrinsic(manifest) {
            Some((name, _)) => matches!(name.as_str(), "Fn::Sub" | "Fn::Join"),
            None => matches!(manifest.kind, NodeKind::Scalar(_)),
        };
        let roots = if is_string {
            let Some(text) = self.string(manifest, &choices, 0) else {
                return;
            };
            let trimmed = text.text.trim_start();
            let kind = if trimmed.starts_with(['[', '{']) {
                FileKind::Json
            } else {
                FileKind::Yaml
            };
            parse_documents(&text.text, &text.map, kind)
        } else {
            self.eval(manifest, &choices, 0).into_iter().collect()
        };
        // `AWSQS::Kubernetes::Resource` applies the manifest in its `Namespace`.
        let namespace = props
            .get("Namespace")
            .and_then(|n| Some((self.string(n, &choices, 0)?, n.span)))
            .filter(|(t, _)| !has_holes(&t.text));
        let mut roots = roots;
        if let Some((namespace, span)) = &namespace {
            for root in &mut roots {
                match &mut root.kind {
                    NodeKind::Seq(items) => {
                        for item in items {
                            set_namespace(item, &namespace.text, *span);
                        }
                    }
                    _ => set_namespace(root, &namespace.text, *span),
                }
            }
        }
        for root in &roots {
            match root.as_seq() {
                Some(items) => {
                    for (i, item) in items.iter().enumerate() {
                        k8s::extract_objects_at(
                            self.source,
                            item,
                            format!("{path}[{i}]"),
                            &mut out.k8s,
                        );
                    }
                }
                None => k8s::extract_objects_at(self.source, root, path.clone(), &mut out.k8s),
            }
        }
    }

    /// Count one evaluation step; false once the budget is spent.
    fn step(&self) -> bool {
        let n = self.steps.get();
        self.steps.set(n.saturating_add(1));
        n < BUDGET
    }

    /// `Fn::If [condition, then, else]`: the branch `choices` takes.
    fn branch<'n>(&self, arg: &'n Node, choices: &Choices) -> Option<&'n Node> {
        let [cond, then, otherwise] = arg.as_seq()? else {
            return None;
        };
        let take = cond
            .scalar_text()
            .and_then(|c| choices.get(c))
            .copied()
            .unwrap_or(true);
        Some(if take { then } else { otherwise })
    }

    /// Evaluate a value into a tree. None for `AWS::NoValue` (the key or item is removed).
    fn eval(&self, node: &Node, choices: &Choices, depth: usize) -> Option<Node> {
        if depth > MAX_DEPTH || !self.step() {
            return Some(hole_node("${value}".into(), node));
        }
        if let Some((name, arg)) = intrinsic(node) {
            return match name.as_str() {
                "Fn::If" => self.eval(self.branch(arg, choices)?, choices, depth + 1),
                "Ref" if arg.scalar_text() == Some("AWS::NoValue") => None,
                "Ref" => match arg.scalar_text().and_then(|p| self.parameters.get(p)) {
                    Some(Some(default)) => self.eval(default, choices, depth + 1),
                    _ => self
                        .string(node, choices, depth)
                        .map(|t| text_node(t, node)),
                },
                "Fn::GetAtt" => match get_att(arg) {
                    Some((resource, attribute)) if attribute == "Value" => {
                        match self.cfn_json.get(resource.as_str()) {
                            Some(value) => {
                                let text = self.string(value, choices, depth + 1)?;
                                parse_json_object(&text.text, &text.map)
                                    .or_else(|| Some(text_node(text, node)))
                            }
                            None => Some(hole_node(format!("${{{resource}.{attribute}}}"), node)),
                        }
                    }
                    _ => self
                        .string(node, choices, depth)
                        .map(|t| text_node(t, node)),
                },
                _ => self
                    .string(node, choices, depth)
                    .map(|t| text_node(t, node)),
            };
        }
        let kind = match &node.kind {
            NodeKind::Map(entries) => NodeKind::Map(
                entries
                    .iter()
                    .filter_map(|e| {
                        Some(Entry {
                            key: e.key.clone(),
                            value: self.eval(&e.value, choices, depth + 1)?,
                        })
                    })
                    .collect(),
            ),
            NodeKind::Seq(items) => NodeKind::Seq(
                items
                    .iter()
                    .filter_map(|i| self.eval(i, choices, depth + 1))
                    .collect(),
            ),
            other => other.clone(),
        };
        Some(Node {
            span: node.span,
            kind,
            tag: None,
        })
    }

    /// Evaluate a value into text. None for `AWS::NoValue`.
    fn string(&self, node: &Node, choices: &Choices, depth: usize) -> Option<Text> {
        if depth > MAX_DEPTH || !self.step() {
            return Some(Text::at("${value}".into(), node));
        }
        let Some((name, arg)) = intrinsic(node) else {
            return Some(match &node.kind {
                NodeKind::Scalar(_) => {
                    let (text, map) = scalar_text_map(self.source, node)?;
                    Text { text, map }
                }
                _ => Text::at("${value}".into(), node),
            });
        };
        match name.as_str() {
            "Ref" => {
                let target = arg.scalar_text().unwrap_or("");
                if target == "AWS::NoValue" {
                    return None;
                }
                match self.parameters.get(target) {
                    Some(Some(default)) => {
                        let value = self.string(default, choices, depth + 1)?;
                        // The value is the default's, but it stands where the `Ref` is.
                        Some(Text::at(value.text, node))
                    }
                    _ if target.is_empty() => Some(Text::at("${Ref}".into(), node)),
                    _ if target.starts_with("AWS::") => Some(Text::at(pseudo_hole(target), node)),
                    _ => Some(Text::at(format!("${{{target}}}"), node)),
                }
            }
            "Fn::GetAtt" => Some(Text::at(
                match get_att(arg) {
                    Some((r, a)) => format!("${{{r}.{a}}}"),
                    None => "${Fn.GetAtt}".into(),
                },
                node,
            )),
            "Fn::If" => self.string(self.branch(arg, choices)?, choices, depth + 1),
            "Fn::Join" => {
                let joined = (|| {
                    let [delimiter, items] = arg.as_seq()? else {
                        return None;
                    };
                    let delimiter = self.string(delimiter, choices, depth + 1)?;
                    let items = items.as_seq()?;
                    let mut out = Text::new();
                    let mut first = true;
                    for item in items {
                        let Some(value) = self.string(item, choices, depth + 1) else {
                            continue;
                        };
                        if !first {
                            out.push(&delimiter);
                        }
                        first = false;
                        out.push(&value);
                    }
                    Some(out.finish(node.span.end))
                })();
                Some(joined.unwrap_or_else(|| Text::at("${Fn.Join}".into(), node)))
            }
            "Fn::Sub" => {
                let (template, vars) = match &arg.kind {
                    NodeKind::Seq(items) => match items.as_slice() {
                        [template, vars] => (template, vars.as_map().unwrap_or(&[])),
                        [template] => (template, &[][..]),
                        _ => return Some(Text::at("${Fn.Sub}".into(), node)),
                    },
                    _ => (arg, &[][..]),
                };
                // The template is a literal string (the short form's is the tagged node itself).
                let literal = matches!(template.kind, NodeKind::Scalar(_))
                    && (std::ptr::eq(template, arg) || template.tag.is_none());
                let Some((text, map)) = literal
                    .then(|| scalar_text_map(self.source, template))
                    .flatten()
                else {
                    return Some(Text::at("${Fn.Sub}".into(), node));
                };
                let template = Text { text, map };
                Some(self.substitute(&template, vars, choices, depth, node))
            }
            other => Some(Text::at(
                format!("${{{}}}", other.replacen("::", ".", 1)),
                node,
            )),
        }
    }

    /// `Fn::Sub`'s template with its variables replaced: a variable of `vars` by its value, a
    /// parameter with a default by the default, `${!X}` by `${X}`; anything else stays as written
    /// (a pseudo parameter, a parameter without default, `${Resource.Attribute}`): a hole.
    fn substitute(
        &self,
        template: &Text,
        vars: &[Entry],
        choices: &Choices,
        depth: usize,
        node: &Node,
    ) -> Text {
        let text = &template.text;
        let bytes = text.as_bytes();
        let mut out = Text::new();
        let mut copied = 0;
        let mut i = 0;
        while i + 1 < bytes.len() {
            if bytes[i] != b'$' || bytes[i + 1] != b'{' {
                i += 1;
                continue;
            }
            if bytes.get(i + 2) == Some(&b'!') {
                out.push_range(template, copied..i + 2);
                copied = i + 3;
                i += 3;
                continue;
            }
            let Some(close) = text[i + 2..].find('}').map(|c| i + 2 + c) else {
                break;
            };
            let name = text[i + 2..close].trim();
            // Text standing for `${name}`: every byte at its start.
            let standing = |text: String| {
                let mut map = vec![template.map[i]; text.len()];
                map.push(template.map[close + 1]);
                Text { text, map }
            };
            let value = match vars.iter().find(|e| e.key.scalar_text() == Some(name)) {
                Some(var) => self.string(&var.value, choices, depth + 1),
                None if name.starts_with("AWS::") => Some(standing(pseudo_hole(name))),
                None => match self.parameters.get(name) {
                    Some(Some(default)) => self
                        .string(default, choices, depth + 1)
                        .map(|v| standing(v.text)),
                    _ => {
                        i = close + 1;
                        continue;
                    }
                },
            };
            out.push_range(template, copied..i);
            if let Some(value) = value {
                out.push(&value);
            }
            copied = close + 1;
            i = close + 1;
        }
        out.push_range(template, copied..text.len());
        let end = template.map.last().copied().unwrap_or(node.span.end);
        out.finish(end)
    }
}

/// The intrinsic function a node is, normalised (`Fn::Sub`, `Ref`, `Condition`), with its
/// argument: the value of a one-key mapping `{"Fn::X": arg}`, or the node itself for a short form
/// `!X arg` (`!GetAtt A.B` is split by [`get_att`]).
fn intrinsic(node: &Node) -> Option<(String, &Node)> {
    if let Some(tag) = node.tag.as_deref().and_then(|t| t.strip_prefix('!'))
        && !tag.starts_with('!')
        && !tag.is_empty()
    {
        let name = match tag {
            "Ref" | "Condition" => tag.to_string(),
            other => format!("Fn::{other}"),
        };
        // The argument is the node itself: callers read its children or its text, which do not
        // carry its tag (no copy of the subtree).
        return Some((name, node));
    }
    match node.as_map()? {
        [entry] => {
            let key = entry.key.scalar_text()?;
            (key == "Ref" || key == "Condition" || key.starts_with("Fn::"))
                .then(|| (key.to_string(), &entry.value))
        }
        _ => None,
    }
}

/// `Fn::GetAtt`'s resource and attribute: `[A, B]`, or `"A.B"` split at the first dot.
fn get_att(arg: &Node) -> Option<(String, String)> {
    match &arg.kind {
        NodeKind::Seq(items) => match items.as_slice() {
            [a, b] => Some((a.scalar_text()?.to_string(), b.scalar_text()?.to_string())),
            _ => None,
        },
        NodeKind::Scalar(s) => s
            .text
            .split_once('.')
            .map(|(a, b)| (a.to_string(), b.to_string())),
        _ => None,
    }
}

/// The names of the conditions `Fn::If` tests anywhere in `node`.
fn if_conditions(node: &Node, out: &mut BTreeSet<String>, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    if let Some((name, arg)) = intrinsic(node)
        && name == "Fn::If"
        && let Some(cond) = arg
            .as_seq()
            .and_then(|s| s.first())
            .and_then(Node::scalar_text)
    {
        out.insert(cond.to_string());
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                if_conditions(&e.value, out, depth + 1);
            }
        }
        NodeKind::Seq(items) => {
            for i in items {
                if_conditions(i, out, depth + 1);
            }
        }
        _ => {}
    }
}

/// Give an object without `metadata.namespace` the namespace `namespace`, written at `span`.
fn set_namespace(object: &mut Node, namespace: &str, span: crate::source::Span) {
    let scalar = |text: &str| Node {
        span,
        kind: NodeKind::Scalar(Scalar {
            text: text.to_string(),
            style: ScalarStyle::Plain,
            ty: ScalarType::String,
        }),
        tag: None,
    };
    let NodeKind::Map(entries) = &mut object.kind else {
        return;
    };
    let Some(metadata) = entries
        .iter_mut()
        .find(|e| e.key.scalar_text() == Some("metadata"))
    else {
        return;
    };
    if metadata.value.get("namespace").is_some() {
        return;
    }
    if let NodeKind::Map(fields) = &mut metadata.value.kind {
        fields.push(Entry {
            key: scalar("namespace"),
            value: scalar(namespace),
        });
    }
}

/// The hole a pseudo parameter is: `${AWS.AccountId}` for `AWS::AccountId`. Written without
/// `::`, so that an ARN holding it still splits at its colons (`arn:${AWS.Partition}:iam::...`).
fn pseudo_hole(name: &str) -> String {
    format!("${{{}}}", name.replacen("::", ".", 1))
}

fn text_node(text: Text, node: &Node) -> Node {
    Node {
        span: node.span,
        kind: NodeKind::Scalar(Scalar {
            text: text.text,
            style: ScalarStyle::Plain,
            ty: ScalarType::String,
        }),
        tag: None,
    }
}

fn hole_node(text: String, node: &Node) -> Node {
    text_node(Text::at(text, node), node)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use crate::extract::Extracted;
    use crate::model::pod_identity::AssociationOrigin;
    use crate::model::policy::Principal;
    use crate::model::template::find_holes;
    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::SourceFile;

    fn extract(name: &str, text: &str) -> (Arc<SourceFile>, Extracted) {
        let source = Arc::new(SourceFile::new(name, None, text.to_string()));
        let kind = if name.ends_with(".json") {
            FileKind::Json
        } else {
            FileKind::Yaml
        };
        let parsed = parse(&source.text, kind, Limits::default());
        let out = crate::extract::extract(&source, &parsed);
        (source, out)
    }

    fn role(properties: &str) -> String {
        format!(
            "AWSTemplateFormatVersion: '2010-09-09'\nParameters:\n  Known: {{Type: String, Default: payments}}\n  Unknown: {{Type: String}}\nConditions:\n  IsProd: !Equals [a, b]\nResources:\n  Api:\n    Type: AWS::IAM::Role\n    Properties:\n{properties}"
        )
    }

    /// The first condition value of the first statement, as read.
    fn sub_value(out: &Extracted, policy: usize) -> String {
        let cond = out.policies[policy].statements[0]
            .condition
            .as_ref()
            .unwrap();
        cond.operators[0].entries[0].values[0].text.clone()
    }

    #[test]
    fn templates_are_recognised_by_content() {
        let (_, out) = extract("x.yaml", "Resources:\n  B: {Type: AWS::S3::Bucket}\n");
        assert!(out.is_empty());
        // A Kubernetes object with a `Resources` key is not a template.
        let (_, out) = extract(
            "sa.yaml",
            "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: a}\nResources: {a: 1}\n",
        );
        assert_eq!(out.k8s.service_accounts.len(), 1);
    }

    #[test]
    fn intrinsics_evaluate_to_text_with_holes() {
        let text = role(
            r#"      RoleName: !Join ['-', [!Ref Known, api]]
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: !Sub 'arn:${AWS::Partition}:iam::${AWS::AccountId}:oidc-provider/${Unknown}'}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                k:sub: !Sub
                  - 'system:serviceaccount:${Known}:${Name}-${!Literal}-${Other.Arn}'
                  - {Name: !GetAtt Api.RoleId}
"#,
        );
        let (_, out) = extract("t.yaml", &text);
        assert_eq!(out.policies.len(), 1);
        let policy = &out.policies[0];
        assert_eq!(
            policy.role.as_ref().unwrap().name.as_ref().unwrap().value,
            "payments-api"
        );
        assert_eq!(policy.resource_address.as_deref(), Some("Api"));
        assert_eq!(
            sub_value(&out, 0),
            "system:serviceaccount:payments:${Api.RoleId}-${Literal}-${Other.Arn}"
        );
        let Principal::Map(entries) = &policy.statements[0].principal.as_ref().unwrap().principal
        else {
            panic!("a principal map");
        };
        assert_eq!(
            entries[0].values[0].text,
            "arn:${AWS.Partition}:iam::${AWS.AccountId}:oidc-provider/${Unknown}"
        );
        // Written as the pseudo parameter, it is a hole too (not an IAM policy variable).
        let holes: Vec<String> = find_holes("arn:${AWS::Partition}:x")
            .into_iter()
            .map(|h| h.expression)
            .collect();
        assert_eq!(holes, ["AWS::Partition"]);
    }

    #[test]
    fn fn_if_reads_each_branch_naming_the_condition() {
        let text = role(
            r#"      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: {Federated: arn:aws:iam::1:oidc-provider/x}
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                x:sub: !If [IsProd, 'system:serviceaccount:a:b', 'system:serviceaccount:a:*']
                x:aud: {"Fn::If": [IsProd, !Ref AWS::NoValue, sts.amazonaws.com]}
"#,
        );
        let (_, out) = extract("t.yaml", &text);
        let paths: Vec<&str> = out
            .policies
            .iter()
            .map(|p| p.logical_path.as_str())
            .collect();
        assert_eq!(
            paths,
            [
                "Resources.Api.Properties.AssumeRolePolicyDocument[if IsProd]",
                "Resources.Api.Properties.AssumeRolePolicyDocument[if !IsProd]"
            ]
        );
        assert_eq!(sub_value(&out, 0), "system:serviceaccount:a:b");
        assert_eq!(sub_value(&out, 1), "system:serviceaccount:a:*");
        // `AWS::NoValue` removes the key.
        let entries = |i: usize| {
            out.policies[i].statements[0]
                .condition
                .as_ref()
                .unwrap()
                .operators[0]
                .entries
                .len()
        };
        assert_eq!((entries(0), entries(1)), (1, 2));
    }

    #[test]
    fn sub_json_string_maps_into_the_string() {
        let text = role(
            "      AssumeRolePolicyDocument: !Sub |\n        {\"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn:aws:iam::1:oidc-provider/${Unknown}\"}, \"Action\": \"sts:AssumeRoleWithWebIdentity\", \"Condition\": {\"StringEquals\": {\"${Unknown}:sub\": \"system:serviceaccount:${Known}:api\"}}}]}\n",
        );
        let (source, out) = extract("t.yaml", &text);
        assert!(out.policies[0].encoded);
        let effect = out.policies[0].statements[0].effect.as_ref().unwrap();
        assert_eq!(source.slice(effect.span), "\"Allow\"");
        assert_eq!(sub_value(&out, 0), "system:serviceaccount:payments:api");
    }

    #[test]
    fn manifests_become_objects_linked_by_get_att() {
        let text = r#"{"Resources": {
  "Role1": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {"Statement": []}}},
  "Manifest": {"Type": "Custom::AWSCDK-EKS-KubernetesResource", "Properties": {"Manifest": {"Fn::Join": ["", [
    "[{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"api\",\"namespace\":\"payments\",\"annotations\":{\"eks.amazonaws.com/role-arn\":\"",
    {"Fn::GetAtt": ["Role1", "Arn"]}, "\"}}}]"]]}}}}}"#;
        let (_, out) = extract("cdk.out/S.template.json", text);
        let sa = &out.k8s.service_accounts[0];
        let arn = sa.role_arn().unwrap().value.as_str().unwrap().to_string();
        // `link::roles::role_reference` reads it as the role `Role1`.
        assert_eq!(arn, "${Role1.Arn}");
        assert_eq!(out.policies[0].resource_address.as_deref(), Some("Role1"));
    }

    const POD_IDENTITY: &str = "AWSTemplateFormatVersion: '2010-09-09'
Parameters:
  Cluster: {Type: String}
Resources:
  ApiRole:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {Statement: []}
  ApiAssociation:
    Type: AWS::EKS::PodIdentityAssociation
    Properties:
      ClusterName: !Ref Cluster
      Namespace: payments
      ServiceAccount: api
      RoleArn: !GetAtt ApiRole.Arn
      TargetRoleArn: arn:aws:iam::444455556666:role/data
      DisableSessionTags: 'true'
  Profile:
    Type: AWS::EKS::FargateProfile
    Properties:
      ClusterName: prod
      PodExecutionRoleArn: arn:aws:iam::111122223333:role/fargate
      Selectors:
        - Namespace: batch
          Labels: [{Key: tier, Value: jobs}]
        - Labels: [{Key: no, Value: namespace}]
  Agent:
    Type: AWS::EKS::Addon
    Properties: {AddonName: eks-pod-identity-agent, ClusterName: prod}
  Dns:
    Type: AWS::EKS::Addon
    Properties: {AddonName: coredns, ClusterName: !Ref Cluster}
  Cni:
    Type: AWS::EKS::Addon
    Properties: {AddonName: vpc-cni, ClusterName: prod}
";

    #[test]
    fn pod_identity_resources_keep_holes_and_spans() {
        let (source, out) = extract("t.yaml", POD_IDENTITY);
        let [a] = out.pod_identity.associations.as_slice() else {
            panic!("one association");
        };
        assert_eq!(a.origin, AssociationOrigin::CloudFormation);
        assert_eq!(a.label, "AWS::EKS::PodIdentityAssociation `ApiAssociation`");
        assert_eq!(a.logical_path, "Resources.ApiAssociation");
        assert_eq!(a.address.as_deref(), Some("ApiAssociation"));
        assert_eq!(a.cluster.as_ref().unwrap().value, "${Cluster}");
        assert_eq!(a.namespace.as_ref().unwrap().value, "payments");
        let sa = a.service_account.as_ref().unwrap();
        assert_eq!(source.slice(sa.span), "api");
        // `link::roles::role_reference` reads the hole as the role `ApiRole` of this template.
        let role = a.role_arn.as_ref().unwrap();
        assert_eq!(role.value, "${ApiRole.Arn}");
        assert_eq!(source.slice(role.span), "ApiRole.Arn");
        assert!(!a.role_created && a.tags_disabled());
        assert_eq!(
            a.target_role_arn.as_ref().unwrap().value,
            "arn:aws:iam::444455556666:role/data"
        );
        assert!(a.session_policy.is_none() && a.cluster_account.is_none());
        assert!(
            source
                .slice(a.span)
                .starts_with("Type: AWS::EKS::PodIdentityAssociation")
        );

        let [profile] = out.pod_identity.fargate_profiles.as_slice() else {
            panic!("one profile");
        };
        assert_eq!(profile.label, "AWS::EKS::FargateProfile `Profile`");
        assert_eq!(profile.cluster.as_ref().unwrap().value, "prod");
        // The selector without a namespace is none.
        let [selector] = profile.selectors.as_slice() else {
            panic!("one selector");
        };
        assert_eq!(source.slice(selector.namespace.span), "batch");
        assert_eq!(selector.labels, [("tier".to_string(), "jobs".to_string())]);

        // One list per cluster text, at its first add-on.
        let lists: Vec<(&str, Vec<&str>, &str)> = out
            .pod_identity
            .addon_lists
            .iter()
            .map(|l| {
                let names = l.names.iter().map(|n| n.value.as_str()).collect();
                (
                    l.cluster.as_ref().unwrap().value.as_str(),
                    names,
                    source.slice(l.span),
                )
            })
            .collect();
        assert_eq!(
            lists,
            [
                ("prod", vec!["eks-pod-identity-agent", "vpc-cni"], "Agent"),
                ("${Cluster}", vec!["coredns"], "Dns"),
            ]
        );
        assert!(out.pod_identity.addon_lists[0].may_have_pod_identity_agent());
        assert!(!out.pod_identity.addon_lists[1].may_have_pod_identity_agent());
    }

    #[test]
    fn json_templates_and_other_eks_resources() {
        let text = r#"{"Resources": {
  "A": {"Type": "AWS::EKS::PodIdentityAssociation", "Properties": {"ClusterName": "prod", "Namespace": "ns", "ServiceAccount": "sa", "RoleArn": {"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/api"}, "DisableSessionTags": false, "Policy": "{}"}},
  "C": {"Type": "AWS::EKS::Cluster", "Properties": {"Name": "prod"}},
  "N": {"Type": "AWS::EKS::Nodegroup", "Properties": {"ClusterName": "prod"}}}}"#;
        let (source, out) = extract("t.json", text);
        let [a] = out.pod_identity.associations.as_slice() else {
            panic!("one association");
        };
        assert_eq!(
            a.role_arn.as_ref().unwrap().value,
            "arn:${AWS.Partition}:iam::${AWS.AccountId}:role/api"
        );
        let tags = a.disable_session_tags.as_ref().unwrap();
        assert!(!tags.value);
        assert_eq!(source.slice(tags.span), "false");
        assert_eq!(source.slice(a.session_policy.unwrap()), "\"{}\"");
        // A cluster and a node group are neither profiles nor add-ons.
        assert!(out.pod_identity.fargate_profiles.is_empty());
        assert!(out.pod_identity.addon_lists.is_empty());
    }

    #[test]
    fn hostile_templates_do_not_panic() {
        for text in [
            "AWSTemplateFormatVersion: x\nResources:\n  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: !Sub ['${', {}]}}\n",
            "AWSTemplateFormatVersion: x\nResources:\n  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: !Sub '${!'}}\n",
            "AWSTemplateFormatVersion: x\nResources:\n  C: {Type: Custom::AWSCDKCfnJson, Properties: {Value: !GetAtt C.Value}}\n  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {Statement: [{Condition: {StringLike: !GetAtt C.Value}}]}}}\n",
            "AWSTemplateFormatVersion: x\nResources:\n  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: !If [a], RoleName: !GetAtt}}\n  M: {Type: Custom::KubeManifest, Properties: {Manifest: !Join [1]}}\n",
        ] {
            let _ = extract("h.yaml", text);
        }
    }
}

//! `resource "aws_iam_role"`: each instance's trust policy (`assume_role_policy`) as the model's
//! [`TrustPolicy`], with the role's identity as far as the configuration tells it.
//!
//! The policy is whatever `assume_role_policy` evaluates to: `jsonencode({...})`, a heredoc or
//! string of JSON, `file(...)`, `templatefile(...)` ([`document_node`] turns each into the tree
//! `extract::policy` reads, its spans in the file the text was written in). A value that stays
//! unknown (`data.aws_iam_policy_document.x.json` until that data source is read, a module
//! output) is no policy: nothing is concluded about it.
//!
//! Identity: `name` when it is known (with `path`, default `/`); the account and partition are
//! the provider's business and unknown here. A role named by `name_prefix` is linked by it (the
//! name Terraform generates is the prefix and a 26-digit suffix); one with neither has no name to
//! link by.

use super::policy_document::ConditionMerge;
use super::{Module, TfValue, ValueKind, document_node};
use crate::extract::policy::{is_trust_policy, read_policy};
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
use crate::parse::tree::Node;
use crate::source::{SourceRef, Span};

/// A trust policy read from a resource block, with the `.tf` file the block is in (the policy's
/// own source may be another file: a `templatefile` template).
pub struct TerraformPolicy {
    pub block_source: SourceRef,
    pub policy: TrustPolicy,
}

/// Every `aws_iam_role` instance's trust policy, in file order.
pub fn iam_roles(module: &Module) -> Vec<TerraformPolicy> {
    let mut out = Vec::new();
    for role in iam_role_values(module) {
        let Some((source, node)) = document_node(&role.assume_role_policy) else {
            continue;
        };
        let mut policy = read_role_policy(&source, &node, &role.address);
        policy.role = identity(&role, &source, &node.span);
        policy.resource_address = Some(role.address.clone());
        attach_merges(&mut policy, &module.condition_merges());
        out.push(TerraformPolicy {
            block_source: role.block_source,
            policy,
        });
    }
    out
}

/// The trust policy of the role at `address` (`aws_iam_role.x[0]`,
/// `module.irsa.aws_iam_role.this[0]`), from its document's tree.
pub fn read_role_policy(source: &SourceRef, document: &Node, address: &str) -> TrustPolicy {
    read_policy(
        source,
        document,
        PolicyOrigin::Terraform,
        format!("{address}.assume_role_policy"),
        false,
    )
}

/// An `aws_iam_role` instance's values, unread: what a module call re-anchors into its caller
/// before reading (`super::modules`).
pub struct RoleValues {
    /// The `.tf` file the resource block is in.
    pub block_source: SourceRef,
    /// `aws_iam_role.x[0]`.
    pub address: String,
    pub assume_role_policy: TfValue,
    pub name: Option<TfValue>,
    pub name_prefix: Option<TfValue>,
    pub path: Option<TfValue>,
}

/// Every `aws_iam_role` instance's values, in file order (those without `assume_role_policy`
/// left out).
pub fn iam_role_values(module: &Module) -> Vec<RoleValues> {
    let mut out = Vec::new();
    for role in module.resources("aws_iam_role") {
        let label = role.label(1).unwrap_or("?");
        for env in module.instances(&role) {
            let Some(document) = module.attribute(&role, "assume_role_policy", &env) else {
                continue;
            };
            let given = |key: &str| module.attribute(&role, key, &env).filter(|v| !v.is_null());
            out.push(RoleValues {
                block_source: role.source.clone(),
                address: format!("aws_iam_role.{label}{}", env.instance_key()),
                assume_role_policy: document,
                name: given("name"),
                name_prefix: given("name_prefix"),
                path: given("path"),
            });
        }
    }
    out
}

/// The role's name and path when the configuration gives them as known strings. Their spans are
/// where they are written when that is the policy's own file, else the document's start (a span
/// points into one file only).
fn identity(role: &RoleValues, policy_source: &SourceRef, document: &Span) -> Option<RoleIdentity> {
    let known = |value: &Option<TfValue>| -> Option<Located<String>> {
        let value = value.as_ref()?;
        let text = value.as_str()?.into_owned();
        let span = if value.origin.is_in(policy_source) {
            value.origin.span
        } else {
            Span::new(document.start as usize, document.start as usize)
        };
        Some(Located { value: text, span })
    };
    // A known `name`, else a known `name_prefix` (the name is then generated at apply).
    let name = known(&role.name);
    let name_prefix = match name {
        Some(_) => None,
        None => Some(known(&role.name_prefix)?),
    };
    let anchor = name.as_ref().or(name_prefix.as_ref())?.span;
    let path = known(&role.path).or(Some(Located {
        value: "/".to_string(),
        span: anchor,
    }));
    Some(RoleIdentity {
        name,
        name_prefix,
        path,
        arn: None,
        partition: None,
        account: None,
    })
}

/// Every `data "aws_iam_policy_document"` instance that is a trust policy (a Federated principal,
/// or an `sts:` action with a principal) and that nothing evaluated so far references: a trust
/// document defined in a module whose role is elsewhere (another module's `assume_role_policy`,
/// a module call's argument). A document an `aws_iam_role` of the module uses is read as that
/// role's trust policy instead, so call this after [`iam_roles`].
pub fn unreferenced_trust_documents(module: &Module) -> Vec<TerraformPolicy> {
    const TYPE: &str = "aws_iam_policy_document";
    let blocks: Vec<_> = module.data_sources(TYPE).collect();
    // Render every document first: one may be merged into another (`source_policy_documents`).
    let values: Vec<_> = blocks
        .iter()
        .map(|b| b.label(1).and_then(|name| module.data_source(TYPE, name)))
        .collect();
    let mut out = Vec::new();
    for (block, value) in blocks.iter().zip(values) {
        let (Some(name), Some(value)) = (block.label(1), value) else {
            continue;
        };
        if module.data_source_referenced(TYPE, name) {
            continue;
        }
        let instances: Vec<(String, &TfValue)> = match &value.kind {
            ValueKind::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("[{i}]"), v))
                .collect(),
            ValueKind::Object(_) if value.get("json").is_some() => vec![(String::new(), &value)],
            ValueKind::Object(entries) => entries
                .iter()
                .filter_map(|(k, v)| Some((format!("[\"{}\"]", k.as_str()?), v)))
                .collect(),
            _ => Vec::new(),
        };
        for (key, instance) in instances {
            let Some((source, node)) = instance.get("json").and_then(document_node) else {
                continue;
            };
            if !is_trust_policy(&node) {
                continue;
            }
            let mut policy = read_policy(
                &source,
                &node,
                PolicyOrigin::Terraform,
                format!("data.{TYPE}.{name}{key}.json"),
                false,
            );
            attach_merges(&mut policy, &module.condition_merges());
            out.push(TerraformPolicy {
                block_source: block.source.clone(),
                policy,
            });
        }
    }
    out
}

/// Record on each condition entry the `condition` blocks the provider merged into it (found by
/// the span its key was rendered at).
fn attach_merges(policy: &mut TrustPolicy, merges: &[ConditionMerge]) {
    if merges.is_empty() {
        return;
    }
    for statement in &mut policy.statements {
        let Some(condition) = statement.condition.as_mut() else {
            continue;
        };
        for block in &mut condition.operators {
            for entry in &mut block.entries {
                if let Some(merge) = merges.iter().find(|m| {
                    m.key_span == entry.key.span
                        && std::sync::Arc::ptr_eq(&m.source, &policy.source)
                }) {
                    entry.merged_from = merge.blocks.clone();
                }
            }
        }
    }
}

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
//! the provider's business and unknown here. A role whose name Terraform generates (`name`
//! unset, or `name_prefix`) has no name to link by.

use super::{Env, Module, TfValue, document_node};
use crate::extract::policy::read_policy;
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
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
    for role in module.resources("aws_iam_role") {
        let label = role.label(1).unwrap_or("?");
        for env in module.instances(&role) {
            let Some(document) = module.attribute(&role, "assume_role_policy", &env) else {
                continue;
            };
            let Some((source, node)) = document_node(&document) else {
                continue;
            };
            let address = format!("aws_iam_role.{label}{}", env.instance_key());
            let mut policy = read_policy(
                &source,
                &node,
                PolicyOrigin::Terraform,
                format!("{address}.assume_role_policy"),
                false,
            );
            policy.role = identity(module, &role, &env, &source, &node.span);
            policy.resource_address = Some(address);
            out.push(TerraformPolicy {
                block_source: role.source.clone(),
                policy,
            });
        }
    }
    out
}

/// The role's name and path when the configuration gives them as known strings. Their spans are
/// where they are written when that is the policy's own file, else the document's start (a span
/// points into one file only).
fn identity(
    module: &Module,
    role: &super::BlockRef<'_>,
    env: &Env,
    policy_source: &SourceRef,
    document: &Span,
) -> Option<RoleIdentity> {
    let known = |key: &str| -> Option<Located<String>> {
        let value: TfValue = module.attribute(role, key, env)?;
        let text = value.as_str()?.into_owned();
        let span = if value.origin.is_in(policy_source) {
            value.origin.span
        } else {
            Span::new(document.start as usize, document.start as usize)
        };
        Some(Located { value: text, span })
    };
    let name = known("name")?;
    let path = known("path").or_else(|| {
        Some(Located {
            value: "/".to_string(),
            span: name.span,
        })
    });
    Some(RoleIdentity {
        name: Some(name),
        path,
        arn: None,
        partition: None,
        account: None,
    })
}

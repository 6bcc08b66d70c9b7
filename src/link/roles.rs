//! Role-arn annotation → trust policy.
//!
//! A role with a known identity (from `aws iam` outputs, or given to raw policy files by the
//! configuration's `roles`, see [`configured_identity`]) is matched by partition, account and name
//! (IAM role names are unique ignoring case); failing that by name alone, so IRSA308 can say that
//! account or partition disagree; failing that, a raw policy file whose stem is the role name.

use std::collections::BTreeMap;

use super::RoleMapping;
use crate::model::arn::parse_role_arn;
use crate::model::k8s::ServiceAccount;
use crate::model::policy::{Located, PolicyOrigin, RoleIdentity, TrustPolicy};
use crate::source::Span;

/// The role identity the configuration's `roles` give a raw trust-policy file: the ARN of the first
/// entry whose `path` matches the file, with `{stem}` replaced by the file's stem; name, path,
/// account and partition are read from that ARN.
///
/// The identity is written in the configuration, not in the policy file, so its spans are empty
/// and sit at the start of the policy document: a related location "the role's ARN" then points at
/// the policy the ARN was given to.
pub fn configured_identity(policy: &TrustPolicy, roles: &[RoleMapping]) -> Option<RoleIdentity> {
    if policy.origin != PolicyOrigin::RawFile || policy.role.is_some() {
        return None;
    }
    let file = policy
        .source
        .path
        .clone()
        .unwrap_or_else(|| policy.source.display_path.clone().into());
    let stem = policy.source.stem()?;
    let arn = roles
        .iter()
        .find(|r| r.path.matches(&file))?
        .arn_for(&stem)?;
    let parsed = parse_role_arn(&arn)?;
    let at = Span::new(
        policy.document_span.start as usize,
        policy.document_span.start as usize,
    );
    let located = |value: &str| Located {
        value: value.to_string(),
        span: at,
    };
    Some(RoleIdentity {
        name: Some(located(parsed.name)),
        path: Some(located(parsed.path)),
        partition: Some(parsed.partition.to_string()),
        account: Some(parsed.account.to_string()),
        arn: Some(located(&arn)),
    })
}

/// How a ServiceAccount's annotation was joined to a trust policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkBy {
    /// The role's identity (ARN) is known and partition, account and name agree.
    Identity,
    /// The role's identity is known and only its name agrees (IRSA308 reports the rest).
    NameOnly,
    /// A raw policy file whose stem is the role name.
    FileStem,
}

#[derive(Clone, Debug)]
pub struct RoleLink {
    /// Index into `Model::policies`.
    pub policy: usize,
    pub by: LinkBy,
}

/// Trust policies indexed by lower-cased role name.
pub struct RoleIndex<'a> {
    policies: &'a [TrustPolicy],
    by_identity: BTreeMap<String, Vec<usize>>,
    by_stem: BTreeMap<String, Vec<usize>>,
}

impl<'a> RoleIndex<'a> {
    pub fn new(policies: &'a [TrustPolicy]) -> RoleIndex<'a> {
        let mut by_identity: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_stem: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, p) in policies.iter().enumerate() {
            if let Some(name) = identity_name(p) {
                by_identity
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            } else if let Some(stem) = &p.candidate_role_name {
                by_stem
                    .entry(stem.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        RoleIndex {
            policies,
            by_identity,
            by_stem,
        }
    }

    /// The trust policy of the role a ServiceAccount's annotation names, if it is in the input.
    pub fn link(&self, sa: &ServiceAccount) -> Option<RoleLink> {
        let arn_text = sa.role_arn()?.value.as_str()?.trim();
        let arn = parse_role_arn(arn_text)?;
        let key = arn.name.to_ascii_lowercase();
        if let Some(candidates) = self.by_identity.get(&key) {
            let exact = candidates.iter().copied().find(|&i| {
                self.policies[i].role.as_ref().is_some_and(|r| {
                    r.partition.as_deref().is_none_or(|p| p == arn.partition)
                        && r.account.as_deref().is_none_or(|a| a == arn.account)
                })
            });
            return Some(match exact {
                Some(policy) => RoleLink {
                    policy,
                    by: LinkBy::Identity,
                },
                None => RoleLink {
                    policy: candidates[0],
                    by: LinkBy::NameOnly,
                },
            });
        }
        // File stems are matched exactly: a file name is not an IAM identity.
        self.by_stem.get(&key).and_then(|candidates| {
            candidates
                .iter()
                .copied()
                .find(|&i| self.policies[i].candidate_role_name.as_deref() == Some(arn.name))
                .map(|policy| RoleLink {
                    policy,
                    by: LinkBy::FileStem,
                })
        })
    }
}

/// The role name a policy's identity gives (RoleName, else the ARN's name).
fn identity_name(p: &TrustPolicy) -> Option<String> {
    let role = p.role.as_ref()?;
    if let Some(name) = &role.name {
        return Some(name.value.clone());
    }
    let arn = role.arn.as_ref()?;
    parse_role_arn(&arn.value).map(|a| a.name.to_string())
}

//! Role-arn annotation → trust policy.
//!
//! A role with a known identity (from `aws iam` outputs, or given to raw policy files by the
//! configuration's `roles`, see [`configured_identity`]) is matched by partition, account and name
//! (IAM role names are unique ignoring case); failing that by name alone, so IRSA308 can say that
//! account or partition disagree; failing that, a raw policy file whose stem is the role name.

use std::collections::BTreeMap;

use super::RoleMapping;
use super::ids::PolicyId;
use crate::model::arn::parse_role_arn;
use crate::model::k8s::ServiceAccount;
use crate::model::oidc::{is_account_id, parse_provider_arn};
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

/// How a role ARN was matched to a trust policy of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleMatch {
    /// The role's identity (ARN) is known and partition, account and name agree.
    Identity,
    /// The role's identity is known and only its name agrees (IRSA308 reports the rest).
    NameOnly,
    /// A raw policy file whose stem is the role name.
    FileStem,
}

/// What binds a ServiceAccount to a role.
///
/// Today only the IRSA annotation does. An EKS Pod Identity association binds a ServiceAccount
/// to a role without touching the ServiceAccount (its requests come from the
/// `pods.eks.amazonaws.com` service with session tags): it will be a second source here, and
/// rules that read bindings will then see both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingSource {
    /// The ServiceAccount's `eks.amazonaws.com/role-arn` annotation.
    Annotation,
}

/// A ServiceAccount bound to a role whose trust policy is in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub source: BindingSource,
    /// The role's trust policy.
    pub policy: PolicyId,
    /// How the role ARN was matched to the policy.
    pub matched: RoleMatch,
}

impl Binding {
    /// True when the role is known to be this policy's (not only a role of the same name in
    /// another account or partition).
    pub fn is_certain(&self) -> bool {
        self.matched != RoleMatch::NameOnly
    }
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

    /// The trust policies that may be the role a ServiceAccount's annotation names, each as the
    /// binding it would make, in model order: those whose identity names the role (ignoring case),
    /// else raw policy files whose stem is exactly the role name. Among them, those whose account
    /// agrees with the annotation's; only when none does, those that contradict it (as a name-only
    /// match for an identity; a raw file keeps its stem match, so that IRSA314 can say its provider
    /// is another account's). Which of several a ServiceAccount is bound to is decided by nearness
    /// (`super::scope`).
    pub fn annotation_candidates(&self, sa: &ServiceAccount) -> Vec<Binding> {
        let Some(arn) = sa
            .role_arn()
            .and_then(|a| a.value.as_str())
            .and_then(|t| parse_role_arn(t.trim()))
        else {
            return Vec::new();
        };
        let key = arn.name.to_ascii_lowercase();
        if let Some(candidates) = self.by_identity.get(&key) {
            let agrees = |i: usize| {
                self.policies[i].role.as_ref().is_some_and(|r| {
                    r.partition.as_deref().is_none_or(|p| p == arn.partition)
                        && r.account.as_deref().is_none_or(|a| a == arn.account)
                })
            };
            let exact: Vec<Binding> = candidates
                .iter()
                .filter(|&&i| agrees(i))
                .map(|&i| annotation(i, RoleMatch::Identity))
                .collect();
            if !exact.is_empty() {
                return exact;
            }
            return candidates
                .iter()
                .map(|&i| annotation(i, RoleMatch::NameOnly))
                .collect();
        }
        // File stems are matched exactly: a file name is not an IAM identity.
        let stems: Vec<usize> = self
            .by_stem
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.policies[i].candidate_role_name.as_deref() == Some(arn.name))
            .collect();
        let agreeing: Vec<usize> = stems
            .iter()
            .copied()
            .filter(|&i| !provider_contradicts(&self.policies[i], arn.account))
            .collect();
        let chosen = if agreeing.is_empty() { stems } else { agreeing };
        chosen
            .into_iter()
            .map(|i| annotation(i, RoleMatch::FileStem))
            .collect()
    }
}

/// True when every account a trust policy's Allow statements name in their OIDC `Federated`
/// principals is another than `account`: an OIDC provider lives in the role's own account, so
/// such a trust is probably another account's role of the same name. False when the trust names
/// no resolved provider account.
fn provider_contradicts(policy: &TrustPolicy, account: &str) -> bool {
    let mut accounts = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.oidc_principals())
        .filter(|v| !v.has_unknown())
        .filter_map(|v| parse_provider_arn(&v.text).map(|a| a.account))
        .filter(|a| is_account_id(a))
        .peekable();
    accounts.peek().is_some() && accounts.all(|a| a != account)
}

fn annotation(policy: usize, matched: RoleMatch) -> Binding {
    Binding {
        source: BindingSource::Annotation,
        policy: PolicyId::at(policy),
        matched,
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

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
use crate::model::policy::{BaseOperator, Located, PolicyOrigin, RoleIdentity, TrustPolicy};
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
    /// No trust policy of the input belongs to the role by name: a raw policy file that names
    /// the ServiceAccount's subject is assumed to be the role's trust (`exact`: the whole
    /// `system:serviceaccount:NS:NAME`; else its NAME in another namespace). Findings that rest
    /// on it say so.
    Subject { exact: bool },
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
    /// True unless the policy may be another role's of the same name (in another account or
    /// partition). A policy linked by the subject it names is taken as the role's: findings
    /// resting on it state the assumption ([`Binding::is_assumed`]).
    pub fn is_certain(&self) -> bool {
        self.matched != RoleMatch::NameOnly
    }

    /// True when the policy was linked by the subject it names, not by the role's name.
    pub fn is_assumed(&self) -> bool {
        matches!(self.matched, RoleMatch::Subject { .. })
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

/// How a trust policy names a ServiceAccount `namespace/name` in its Allow statements' positive
/// `:sub` conditions (StringEquals, StringLike): `Some(true)` for its exact subject, `Some(false)`
/// for its name in another namespace, None when it names neither (wildcards do not name anyone).
pub fn names_subject(policy: &TrustPolicy, namespace: &str, name: &str) -> Option<bool> {
    let mut found = None;
    let values = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.claim_entries("sub"))
        .filter(|(b, _)| {
            b.operator.is_some_and(|op| {
                matches!(
                    op.base,
                    BaseOperator::StringEquals | BaseOperator::StringLike
                )
            })
        })
        .flat_map(|(_, e)| e.values.iter())
        .filter(|v| !v.has_unknown() && !v.text.contains(['*', '?']));
    for value in values {
        let Some((ns, sa)) = value
            .text
            .strip_prefix("system:serviceaccount:")
            .and_then(|rest| rest.split_once(':'))
        else {
            continue;
        };
        if sa == name {
            if ns == namespace {
                return Some(true);
            }
            found = Some(false);
        }
    }
    found
}

/// The raw trust-policy files that may be the trust of role `role` of ServiceAccount
/// `namespace/name` by the subject they name ([`RoleMatch::Subject`]): those naming its exact
/// subject, else those naming its name in another namespace. Policies with an identity (another
/// role's), those `taken` (bound by name to another role), and files named after the role but for
/// its case (IRSA305 asks whether the annotation meant that name) are none.
pub fn subject_candidates(
    policies: &[TrustPolicy],
    role: &str,
    namespace: &str,
    name: &str,
    taken: impl Fn(usize) -> bool,
) -> Vec<Binding> {
    let named_after_role = |p: &TrustPolicy| {
        p.candidate_role_name
            .as_deref()
            .is_some_and(|stem| stem.eq_ignore_ascii_case(role))
    };
    let named: Vec<(usize, bool)> = policies
        .iter()
        .enumerate()
        .filter(|(i, p)| p.role.is_none() && !taken(*i) && !named_after_role(p))
        .filter_map(|(i, p)| names_subject(p, namespace, name).map(|exact| (i, exact)))
        .collect();
    let exact = named.iter().any(|(_, e)| *e);
    named
        .into_iter()
        .filter(|(_, e)| *e == exact)
        .map(|(i, _)| annotation(i, RoleMatch::Subject { exact }))
        .collect()
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

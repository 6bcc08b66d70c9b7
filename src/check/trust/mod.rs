//! Trust-policy rules (IRSA1xx), one file per rule, and the helpers they share.
//!
//! A rule sees one [`TrustPolicy`]. Most rules only concern web-identity statements (an OIDC
//! Federated principal or the `sts:AssumeRoleWithWebIdentity` action); EKS-specific rules further
//! require the provider to be an EKS issuer (`oidc.eks.<region>.amazonaws.com[.cn]/id/<ID>`).

pub mod action_mismatch;
pub mod aud_holds_subject;
pub mod audience_unexpected;
pub mod condition_key_malformed;
pub mod condition_provider_mismatch;
pub mod deny_blocks_all;
pub mod duplicate_key;
pub mod empty_condition;
pub mod federated_principal_malformed;
pub mod if_exists_on_oidc_key;
pub mod invalid_trust_element;
pub mod like_without_wildcard;
pub mod missing_aud_condition;
pub mod missing_sub_condition;
pub mod multi_provider_partial_scope;
pub mod negated_operator_in_allow;
pub mod overbroad_action;
pub mod placeholder_value;
pub mod policy_version;
pub mod principal_wildcard;
pub mod set_operator_on_single_value;
pub mod sub_wildcard_name;
pub mod sub_wildcard_namespace;
pub mod subject_malformed;
pub mod trust_size_quota;
pub mod unknown_condition_operator;
pub mod unsupported_claim_key;
pub mod wildcard_without_like;

use crate::engine;
use crate::model::oidc::{self, parse_eks_issuer, parse_provider_arn, parse_provider_key};
use crate::model::policy::{
    ConditionBlock, ConditionEntry, Effect, PolicyValue, Principal, Statement, TrustPolicy,
};

/// The web-identity action.
pub const WEB_IDENTITY_ACTION: &str = "sts:AssumeRoleWithWebIdentity";

/// True when the statement's effect is `Allow`.
pub fn is_allow(stmt: &Statement) -> bool {
    matches!(stmt.effect.as_ref().map(|e| &e.value), Some(Effect::Allow))
}

/// True when the statement's effect is `Deny`.
pub fn is_deny(stmt: &Statement) -> bool {
    matches!(stmt.effect.as_ref().map(|e| &e.value), Some(Effect::Deny))
}

/// The Federated principal values that name an OIDC provider.
pub fn oidc_principals(stmt: &Statement) -> impl Iterator<Item = &PolicyValue> {
    let entries = match stmt.principal.as_ref().map(|p| &p.principal) {
        Some(Principal::Map(entries)) => entries.as_slice(),
        _ => &[],
    };
    entries
        .iter()
        .filter(|e| e.is_federated())
        .flat_map(|e| e.values.iter())
        .filter(|v| oidc::is_oidc_principal(&v.text))
}

/// The provider names (`oidc.eks.../id/X`) of the statement's OIDC principals.
pub fn principal_providers(stmt: &Statement) -> impl Iterator<Item = &str> {
    oidc_principals(stmt).filter_map(|v| parse_provider_arn(&v.text).map(|p| p.provider))
}

/// True when the statement's Action names `sts:AssumeRoleWithWebIdentity` (exactly or by a
/// wildcard such as `sts:AssumeRole*`).
pub fn allows_web_identity_action(stmt: &Statement) -> bool {
    stmt.action.as_ref().is_some_and(|a| {
        a.values
            .iter()
            .any(|v| engine::action_matches(&v.text, WEB_IDENTITY_ACTION))
    }) || stmt.not_action.as_ref().is_some_and(|a| {
        !a.values
            .iter()
            .any(|v| engine::action_matches(&v.text, WEB_IDENTITY_ACTION))
    })
}

/// A web-identity statement: it has an OIDC Federated principal, or it names the web-identity
/// action explicitly.
pub fn is_web_identity(stmt: &Statement) -> bool {
    oidc_principals(stmt).next().is_some()
        || stmt.action.as_ref().is_some_and(|a| {
            a.values
                .iter()
                .any(|v| v.text.eq_ignore_ascii_case(WEB_IDENTITY_ACTION))
        })
}

/// The policy's web-identity statements.
pub fn web_identity_statements(policy: &TrustPolicy) -> impl Iterator<Item = &Statement> {
    policy.statements.iter().filter(|s| is_web_identity(s))
}

/// True when the statement concerns an EKS cluster's issuer (by principal or condition key).
pub fn is_eks(stmt: &Statement) -> bool {
    principal_providers(stmt).any(|p| parse_eks_issuer(p).is_some())
        || condition_entries(stmt).any(|(_, e)| {
            parse_provider_key(&e.key.value).is_some_and(|k| parse_eks_issuer(k.provider).is_some())
        })
}

/// Every (operator block, entry) of the statement's Condition element.
pub fn condition_entries(
    stmt: &Statement,
) -> impl Iterator<Item = (&ConditionBlock, &ConditionEntry)> {
    stmt.condition
        .iter()
        .flat_map(|c| c.operators.iter())
        .flat_map(|b| b.entries.iter().map(move |e| (b, e)))
}

/// The condition entries on a provider claim (`sub`, `aud`, ...), matched case-insensitively.
pub fn claim_entries<'a>(
    stmt: &'a Statement,
    claim: &'a str,
) -> impl Iterator<Item = (&'a ConditionBlock, &'a ConditionEntry)> + 'a {
    condition_entries(stmt).filter(move |(_, e)| {
        parse_provider_key(&e.key.value).is_some_and(|k| k.claim.eq_ignore_ascii_case(claim))
    })
}

/// The entries of one operator block on a `:sub` or `:aud` key: the claims IRSA relies on.
pub fn sub_or_aud_entries(block: &ConditionBlock) -> Vec<&ConditionEntry> {
    block
        .entries
        .iter()
        .filter(|e| {
            parse_provider_key(&e.key.value).is_some_and(|k| {
                k.claim.eq_ignore_ascii_case("sub") || k.claim.eq_ignore_ascii_case("aud")
            })
        })
        .collect()
}

/// A logical path for fingerprints: `Role.AssumeRolePolicyDocument.Statement[0].Condition`; `$`
/// for the root of a raw policy document.
pub fn logical_path(policy: &TrustPolicy, stmt: Option<&Statement>, rest: &str) -> String {
    let mut path = policy.logical_path.clone();
    let mut push = |part: &str| {
        if part.is_empty() {
            return;
        }
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(part);
    };
    if let Some(stmt) = stmt {
        push(&format!("Statement[{}]", stmt.index));
    }
    push(rest);
    if path.is_empty() {
        path.push('$');
    }
    path
}

/// Test support for rule modules: lint a JSON policy text with one trust rule.
#[cfg(test)]
pub(crate) fn run_check(
    check: crate::check::TrustCheck,
    text: &str,
) -> Vec<crate::diagnostic::Diagnostic> {
    use crate::parse::{FileKind, parse, tree::Limits};
    let source = std::sync::Arc::new(crate::source::SourceFile::new(
        "t.json",
        None,
        text.to_string(),
    ));
    let parsed = parse(&source.text, FileKind::Json, Limits::default());
    let mut out = Vec::new();
    for policy in crate::extract::extract(&source, &parsed).policies {
        check(&policy, &mut out);
    }
    out
}

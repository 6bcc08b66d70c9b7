//! Trust-statement helpers: which statements are web-identity or EKS ones, their condition
//! entries on provider claims, and the logical paths findings are fingerprinted by.
//!
//! What a statement is (its effect, its OIDC principals, its condition entries) is asked of the
//! model (`model::policy::Statement`); what follows are the judgements several rules share.

use crate::check::support::placeholders::is_placeholder_provider;
use crate::engine::matcher::has_policy_variable;
use crate::engine::{self, ASSUME_ROLE_WITH_WEB_IDENTITY};
use crate::model::oidc::{ProviderKey, parse_eks_issuer, parse_provider_key, same_provider};
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyValue, Principal, Statement, TrustPolicy,
};
use crate::model::value::Parts;

/// True when the statement's Action names `sts:AssumeRoleWithWebIdentity` (exactly or by a
/// wildcard such as `sts:AssumeRole*`).
pub fn allows_web_identity_action(stmt: &Statement) -> bool {
    stmt.action.as_ref().is_some_and(|a| {
        a.values
            .iter()
            .any(|v| engine::action_matches(&v.text, ASSUME_ROLE_WITH_WEB_IDENTITY))
    }) || stmt.not_action.as_ref().is_some_and(|a| {
        !a.values
            .iter()
            .any(|v| engine::action_matches(&v.text, ASSUME_ROLE_WITH_WEB_IDENTITY))
    })
}

/// A web-identity statement: it has an OIDC Federated principal, or it names the web-identity
/// action explicitly.
pub fn is_web_identity(stmt: &Statement) -> bool {
    stmt.oidc_principals().next().is_some()
        || stmt.action.as_ref().is_some_and(|a| {
            a.values
                .iter()
                .any(|v| v.text.eq_ignore_ascii_case(ASSUME_ROLE_WITH_WEB_IDENTITY))
        })
}

/// The policy's web-identity statements.
pub fn web_identity_statements(policy: &TrustPolicy) -> impl Iterator<Item = &Statement> {
    policy.statements.iter().filter(|s| is_web_identity(s))
}

/// True when the statement concerns an EKS cluster's issuer (by principal or condition key).
pub fn is_eks(stmt: &Statement) -> bool {
    stmt.principal_providers()
        .any(|p| parse_eks_issuer(p).is_some())
        || stmt.condition_entries().any(|(_, e)| {
            parse_provider_key(&e.key.value).is_some_and(|k| parse_eks_issuer(k.provider).is_some())
        })
}

/// True when the statement concerns an EKS cluster's issuer, or may once its template variables
/// are filled in: its Federated principal or a `:sub` key has the issuer as a variable
/// (`${cluster_oidc_arn}`, `arn:aws:iam::${account}:oidc-provider/${issuer}`, `${issuer}:sub`).
pub fn may_be_eks(stmt: &Statement) -> bool {
    let unknown_issuer =
        |parts: Parts<'_>| !parts.is_literal() && !parts.known_suffix().contains("oidc-provider/");
    is_eks(stmt)
        || stmt.federated_values().any(|v| unknown_issuer(v.parts()))
        || stmt
            .claim_entries("sub")
            .any(|(_, e)| e.key_has_unknown() && e.key_parts().known_suffix().starts_with(':'))
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

/// The logical path of a condition entry (and value, when the finding concerns one value).
pub fn entry_path(
    policy: &TrustPolicy,
    stmt: &Statement,
    block: &ConditionBlock,
    entry: &ConditionEntry,
    value_index: Option<usize>,
) -> String {
    let mut rest = format!(
        "Condition.{}[\"{}\"]",
        block.operator_name.value, entry.key.value
    );
    if let Some(i) = value_index {
        rest.push_str(&format!("[{i}]"));
    }
    logical_path(policy, Some(stmt), &rest)
}

/// True when the condition key names a claim of an EKS cluster's issuer
/// (`oidc.eks.<region>.amazonaws.com/id/<ID>:<claim>`).
pub fn is_eks_key(key: &str) -> bool {
    parse_provider_key(key).is_some_and(|k| parse_eks_issuer(k.provider).is_some())
}

/// The condition entries on a provider claim, like [`Statement::claim_entries`], but
/// also when the provider part of the key is not a recognisable provider name: a placeholder
/// (`<OIDC_PROVIDER>:sub`, `${oidc_provider}:sub`) or an empty string left by a template
/// (`:sub`). Rules that conclude from the *absence* of a claim condition use this, so that an
/// unrendered key is not mistaken for a missing one. Global keys (`aws:...`, `sts:...`) are
/// excluded.
pub fn loose_claim_entries<'a>(
    stmt: &'a Statement,
    claim: &'a str,
) -> impl Iterator<Item = (&'a ConditionBlock, &'a ConditionEntry)> + 'a {
    stmt.condition_entries().filter(move |(_, e)| {
        e.key.value.rsplit_once(':').is_some_and(|(provider, c)| {
            c.eq_ignore_ascii_case(claim)
                && !["aws", "sts"]
                    .iter()
                    .any(|g| provider.eq_ignore_ascii_case(g))
        })
    })
}

/// True when the statement names no resolved OIDC provider (so any provider's key may apply), or
/// when the key's provider is one of the statement's principal providers. A key or principal
/// whose provider is a placeholder may be anything, so it may match.
pub fn key_matches_principal(stmt: &Statement, key: &str) -> bool {
    let Some(k) = parse_provider_key(key) else {
        // An unrendered provider may be anything; an empty one (`":sub"`) is nothing.
        return key
            .rsplit_once(':')
            .is_some_and(|(p, _)| !p.is_empty() && is_placeholder_provider(p));
    };
    let mut providers = stmt.principal_providers().peekable();
    providers.peek().is_none()
        || providers.any(|p| is_placeholder_provider(p) || same_provider(p, k.provider))
}

/// What a condition entry that can never match does to its statement at run time, for messages:
/// `all_dead` when no value of the entry can match a real token (else only some values are dead
/// weight), `negated` for a negated operator, `pods` to speak of pods (EKS) rather than callers.
pub fn dead_entry_effect(
    stmt: &Statement,
    negated: bool,
    all_dead: bool,
    pods: bool,
) -> &'static str {
    match (all_dead, negated, stmt.is_allow()) {
        (true, false, true) if pods => "no pod can assume the role through this statement",
        (true, false, true) => "nobody can assume the role through this statement",
        (true, false, false) => "this Deny never applies",
        (true, true, true) => "this condition excludes nothing",
        (true, true, false) => "this condition holds for every token",
        (false, _, _) => "this value never matches",
    }
}

/// A value whose meaning is not known statically: unresolved, or using a policy variable.
pub fn is_opaque(value: &PolicyValue) -> bool {
    value.has_unknown() || has_policy_variable(&value.text)
}

/// The `(ignore_case, like)` matching mode of a String operator, None for other operators
/// (`Arn*` operators compare six-part ARNs and never match a subject or an audience).
pub fn string_mode(base: BaseOperator) -> Option<(bool, bool)> {
    use BaseOperator::*;
    match base {
        StringEquals | StringNotEquals => Some((false, false)),
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Some((true, false)),
        StringLike | StringNotLike => Some((false, true)),
        _ => None,
    }
}

/// A condition key naming an identity provider's claim (`<issuer>:<claim>`), or None. Unlike
/// [`parse_provider_key`] alone, this rejects service keys whose tag name holds a `.` and a `:`
/// (`aws:RequestTag/kubernetes.io:cluster`): an issuer never contains a `:` once its scheme is
/// removed.
pub fn provider_claim_key(key: &str) -> Option<ProviderKey<'_>> {
    let parsed = parse_provider_key(key)?;
    let bare = parsed
        .provider
        .strip_prefix("https://")
        .or_else(|| parsed.provider.strip_prefix("http://"))
        .unwrap_or(parsed.provider);
    (!bare.contains(':')).then_some(parsed)
}

/// The statement trusts an OIDC provider: a Federated OIDC provider ARN, or a Federated value not
/// known statically (it may be one).
pub fn names_oidc_provider(stmt: &Statement) -> bool {
    if stmt.oidc_principals().next().is_some() {
        return true;
    }
    match stmt.principal.as_ref().map(|p| &p.principal) {
        Some(Principal::Map(entries)) => entries
            .iter()
            .filter(|e| e.is_federated())
            .any(|e| e.values.iter().any(|v| v.has_unknown())),
        _ => false,
    }
}

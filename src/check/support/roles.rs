//! Roles and their trust policies across the link: role names and accounts, which ServiceAccounts
//! carry a role, OIDC providers of other clusters or accounts, audiences, and why a trust policy
//! denies a ServiceAccount (for IRSA304's messages).

use super::placeholders::{DOCUMENTATION_ACCOUNTS, looks_like_placeholder};
use super::role_arn::{annotated_role, range_in};
use super::statement::is_web_identity;
use super::subjects::{looks_like_subject, value_sub_span, wildcard_offsets};
use super::text::{MAX_LISTED, quote_list};
use crate::engine::{self, MissPart, Reason, Verdict, statement_at};
use crate::link::verdict::{SaVerdict, ServiceAccountRequest, audience_of, evaluate_subject};
use crate::link::{Linked, PolicyId, RoleMatch, SaId};
use crate::model::oidc::{is_account_id, parse_eks_issuer, parse_provider_arn, parse_provider_key};
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyValue, Principal, Statement, TrustPolicy,
};
use crate::source::Span;

/// The span of a part of a policy value's text (a slice of `value.text`).
pub fn policy_value_part_span(policy: &TrustPolicy, value: &PolicyValue, part: &str) -> Span {
    match range_in(&value.text, part) {
        Some(range) => value_sub_span(policy, value, range.start, range.len()),
        None => value.span,
    }
}

/// When ServiceAccount `sa`'s trust was linked by the subject it names (no trust of the input is
/// named after the role), the assumption a finding rests on, as a sentence to append: `" (assuming
/// … is its trust …)"`; empty otherwise.
pub fn link_assumption(linked: &Linked, sa: SaId) -> String {
    let Some(binding) = linked.annotation_binding(sa).filter(|b| b.is_assumed()) else {
        return String::new();
    };
    let account = linked.service_account(sa);
    let names = match binding.matched {
        RoleMatch::Subject { exact: true } => "it names this ServiceAccount's subject".to_string(),
        _ => format!(
            "it names `{}` in another namespace",
            account.meta.name_str()
        ),
    };
    let role = annotated_role(account).map_or("", |a| a.name);
    format!(
        " (assuming `{}` is the trust of role `{role}`: no trust policy of the input is named after the role, and {names})",
        linked.policy(binding.policy).file()
    )
}

/// A short name of the role a trust policy belongs to, for messages: the role name, the file
/// stem, else the name a linked ServiceAccount's annotation gives, else its Terraform resource
/// address (a role whose name is known only after apply).
pub fn role_name(linked: &Linked, policy: PolicyId) -> String {
    let p = linked.policy(policy);
    if let Some(label) = p.role_label() {
        return label.to_string();
    }
    linked
        .bound_to(policy)
        .find_map(|(i, _)| annotated_role(linked.service_account(i)))
        .map(|a| a.name.to_string())
        .or_else(|| p.resource_address.clone())
        .unwrap_or_else(|| p.file().to_string())
}

/// The ServiceAccounts whose annotation names this trust policy's role (linked by identity or by
/// file stem; a name-only link names a role in another account or partition).
pub fn carriers(linked: &Linked, policy: PolicyId) -> impl Iterator<Item = SaId> + '_ {
    linked
        .bound_to(policy)
        .filter(|(_, b)| b.is_certain())
        .map(|(i, _)| i)
}

/// The 12-digit account a trust policy's role lives in: its identity (`aws iam` output), else the
/// account of the role ARN that a ServiceAccount linked to it names.
pub fn role_account(linked: &Linked, policy: PolicyId) -> Option<String> {
    let p = linked.policy(policy);
    if let Some(account) = p.role.as_ref().and_then(|r| r.account.as_deref()) {
        return is_account_id(account).then(|| account.to_string());
    }
    carriers(linked, policy)
        .filter_map(|i| annotated_role(linked.service_account(i)))
        .map(|a| a.account)
        .find(|a| is_account_id(a))
        .map(str::to_string)
}

/// The `Federated` OIDC principal values of a trust policy's Allow statements, resolved, with
/// their statement.
pub fn allow_oidc_principals(
    policy: &TrustPolicy,
) -> impl Iterator<Item = (&Statement, &PolicyValue)> {
    policy
        .statements
        .iter()
        .filter(|s| s.is_allow() && is_web_identity(s))
        .flat_map(|s| s.oidc_principals().map(move |v| (s, v)))
        .filter(|(_, v)| !v.has_unknown())
}

/// An issuer URL or host reduced to the provider name IAM uses (`oidc.eks.…/id/ABC`).
pub fn issuer_host(issuer: &str) -> &str {
    let issuer = issuer.trim();
    let issuer = issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer);
    issuer.trim_end_matches('/')
}

/// True when the provider (`oidc.eks.…/id/ABC`) is the issuer's: host compared ignoring case (a DNS
/// name), path (the cluster id) exactly, as IAM matches a Federated principal.
pub fn provider_is_issuer(provider: &str, issuer: &str) -> bool {
    let issuer = issuer_host(issuer);
    let split = |p: &str| match p.find('/') {
        Some(i) => (p[..i].to_string(), p[i..].to_string()),
        None => (p.to_string(), String::new()),
    };
    let (ph, pp) = split(provider.trim_end_matches('/'));
    let (ih, ip) = split(issuer);
    ph.eq_ignore_ascii_case(&ih) && pp == ip
}

/// The EKS OIDC principals of a trust policy that belong to none of the given cluster issuers,
/// when the policy names no provider of those clusters at all (so no pod of them can assume the
/// role). Non-EKS providers (GitHub Actions, Google) are not a cluster's concern and are ignored.
/// A list of issuers is accepted so that several configured clusters can share one call.
pub fn foreign_cluster_principals<'p>(
    policy: &'p TrustPolicy,
    issuers: &[&str],
) -> Vec<(&'p Statement, &'p PolicyValue)> {
    if issuers.is_empty() {
        return Vec::new();
    }
    let eks: Vec<(&Statement, &PolicyValue, &str)> = allow_oidc_principals(policy)
        .filter_map(|(s, v)| {
            let provider = parse_provider_arn(&v.text)?.provider;
            parse_eks_issuer(provider).map(|_| (s, v, provider))
        })
        .collect();
    let names_a_cluster = eks
        .iter()
        .any(|(_, _, p)| issuers.iter().any(|i| provider_is_issuer(p, i)));
    if names_a_cluster || eks.iter().any(|(_, v, _)| looks_like_placeholder(&v.text)) {
        return Vec::new();
    }
    eks.into_iter().map(|(s, v, _)| (s, v)).collect()
}

/// One OIDC principal of a trust policy registered in another account than the role's.
pub struct ForeignAccountPrincipal<'p> {
    pub stmt: &'p Statement,
    pub value: &'p PolicyValue,
    /// The provider's account, a slice of `value.text`.
    pub provider_account: &'p str,
    pub role_account: String,
}

/// The OIDC principals of a trust policy whose account differs from the role's account (both
/// known, both real 12-digit accounts, none a documentation placeholder).
pub fn other_account_principals(
    linked: &Linked,
    policy: PolicyId,
) -> Vec<ForeignAccountPrincipal<'_>> {
    let Some(role_account) = role_account(linked, policy) else {
        return Vec::new();
    };
    if DOCUMENTATION_ACCOUNTS.contains(&role_account.as_str()) {
        return Vec::new();
    }
    allow_oidc_principals(linked.policy(policy))
        .filter_map(|(stmt, value)| {
            let arn = parse_provider_arn(&value.text)?;
            let ok = is_account_id(arn.account)
                && !DOCUMENTATION_ACCOUNTS.contains(&arn.account)
                && arn.account != role_account;
            ok.then(|| ForeignAccountPrincipal {
                stmt,
                value,
                provider_account: arn.account,
                role_account: role_account.clone(),
            })
        })
        .collect()
}

/// True when the trust policy of `policy` cannot admit this cluster's pods because of its
/// provider (IRSA307: another cluster; IRSA314: another account): those rules explain a denial
/// that comes from the principal, so IRSA304 does not repeat it.
pub fn provider_rules_explain(linked: &Linked, policy: PolicyId) -> bool {
    !foreign_cluster_principals(linked.policy(policy), &linked.options.cluster_issuers()).is_empty()
        || !other_account_principals(linked, policy).is_empty()
}

/// The span from a condition entry's key to the end of its values.
pub fn entry_span(entry: &ConditionEntry) -> Span {
    entry.key.span.to(entry.values_span)
}

/// Why a request was denied, in words, with the places in the trust policy that decide.
pub struct Denial {
    /// A clause that completes "pods running as X cannot assume role R: …".
    pub why: String,
    /// Locations in the trust policy, with a short message.
    pub related: Vec<(Span, String)>,
    /// True when the denial comes from the principal only (no statement names the provider).
    pub by_principal: bool,
}

/// The values of a condition entry, quoted.
fn entry_values(entry: &ConditionEntry) -> String {
    let texts: Vec<&str> = entry.values.iter().map(|v| v.text.as_str()).collect();
    quote_list(&texts, MAX_LISTED)
}

/// The value of one claim in a request.
fn request_claim<'a>(request: &'a ServiceAccountRequest, claim: &str) -> Option<&'a str> {
    if claim.eq_ignore_ascii_case("sub") {
        Some(&request.subject)
    } else if claim.eq_ignore_ascii_case("aud") {
        Some(&request.audience)
    } else {
        None
    }
}

/// Describe a failing condition entry for a request.
fn describe_condition(
    block: &ConditionBlock,
    entry: &ConditionEntry,
    request: &ServiceAccountRequest,
) -> String {
    let op = &block.operator_name.value;
    let key = &entry.key.value;
    // The claim the key names, whether its issuer is known or a hole (`${local.oidc}:sub`).
    let Some(claim) = entry.claim() else {
        return format!(
            "its trust policy's condition `{op}` on `{key}` does not hold for their tokens"
        );
    };
    // An issuer that is a hole may be theirs: only a known one can be another provider.
    if let Some(k) = parse_provider_key(key).filter(|_| !entry.key_has_unknown()) {
        let request_host = parse_provider_arn(&request.provider_arn)
            .map(|p| p.provider)
            .unwrap_or(&request.provider_arn);
        if !crate::model::oidc::same_provider(k.provider, request_host) {
            return format!(
                "its trust policy's condition on `{key}` names another provider than `{request_host}` that issues their tokens, so it never holds"
            );
        }
    }
    let negated = block.operator.is_some_and(|o| o.base.is_negated());
    let values = entry_values(entry);
    match (request_claim(request, claim), negated) {
        (Some(actual), true) => {
            format!("its trust policy's `{op}` condition on `{key}` excludes `{actual}`")
        }
        (Some(actual), false) if claim.eq_ignore_ascii_case("sub") => {
            format!("its trust policy only admits {values}, not `{actual}`")
        }
        (Some(actual), false) if claim.eq_ignore_ascii_case("aud") => format!(
            "its trust policy requires the token audience to match {values}{}, but their tokens carry `{actual}`",
            if entry.values.iter().any(|v| looks_like_subject(&v.text)) {
                " (a subject pattern written under `:aud`)"
            } else {
                ""
            }
        ),
        _ => format!(
            "its trust policy's condition `{op}` on `{key}` (claim `{}`) does not hold for their tokens",
            claim
        ),
    }
}

/// The `:sub` values a statement admits, for "what the trust admits instead".
fn admitted_subjects(stmt: &Statement) -> Vec<&str> {
    stmt.claim_entries("sub")
        .filter(|(b, _)| b.operator.is_some_and(|o| !o.base.is_negated()))
        .flat_map(|(_, e)| e.values.iter().map(|v| v.text.as_str()))
        .collect()
}

/// Explain a denied verdict for one request.
pub fn explain_denial(
    policy: &TrustPolicy,
    request: &ServiceAccountRequest,
    verdict: &Verdict,
) -> Denial {
    match &verdict.reason {
        Reason::ExplicitDeny {
            statement,
            condition,
        } => {
            let stmt = statement_at(policy, *statement);
            let mut related = Vec::new();
            let name = match stmt.and_then(|s| s.sid.as_ref()) {
                Some(sid) if !sid.value.is_empty() => {
                    format!("statement {statement} (`{}`)", sid.value)
                }
                _ => format!("statement {statement}"),
            };
            let mut why = format!(
                "{name} of its trust policy is a Deny that matches their tokens, and an explicit Deny overrides any Allow"
            );
            if let (Some(stmt), Some(c)) = (stmt, condition)
                && let Some((block, entry)) = c.resolve(stmt)
            {
                why = format!(
                    "{name} of its trust policy denies them (`{}` on `{}` matches their token), and an explicit Deny overrides any Allow",
                    block.operator_name.value, entry.key.value
                );
                related.push((entry_span(entry), "this Deny condition matches".to_string()));
            }
            if related.is_empty()
                && let Some(effect) = stmt.and_then(|s| s.effect.as_ref())
            {
                related.push((effect.span, "this Deny applies".to_string()));
            }
            Denial {
                why,
                related,
                by_principal: false,
            }
        }
        Reason::NoAllow { misses } => {
            // The statement that came closest: one that failed on a condition (principal and
            // action matched), else on the action, else on the principal.
            let rank = |part: &MissPart| match part {
                MissPart::Condition(_) => 0,
                MissPart::Action => 1,
                MissPart::Principal => 2,
            };
            let Some(best) = misses.iter().min_by_key(|m| rank(&m.part)) else {
                return Denial {
                    why: "its trust policy has no Allow statement".to_string(),
                    related: Vec::new(),
                    by_principal: false,
                };
            };
            let stmt = best.statement_in(policy);
            match best.part {
                MissPart::Condition(_) => {
                    let Some((block, entry)) = best.condition_in(policy) else {
                        return generic_denial();
                    };
                    let mut why = describe_condition(block, entry, request);
                    let is_sub = parse_provider_key(&entry.key.value)
                        .is_some_and(|k| k.claim.eq_ignore_ascii_case("sub"));
                    if !is_sub && let Some(stmt) = stmt {
                        let subjects = admitted_subjects(stmt);
                        if !subjects.is_empty()
                            && !subjects.iter().any(|s| looks_like_placeholder(s))
                        {
                            why.push_str(&format!(
                                " (the statement admits {})",
                                quote_list(&subjects, MAX_LISTED)
                            ));
                        }
                    }
                    Denial {
                        why,
                        related: vec![(
                            entry_span(entry),
                            format!(
                                "`{}` on this key does not hold for their token",
                                block.operator_name.value
                            ),
                        )],
                        by_principal: false,
                    }
                }
                MissPart::Action => Denial {
                    why: format!(
                        "no statement of its trust policy allows `{}`",
                        engine::ASSUME_ROLE_WITH_WEB_IDENTITY
                    ),
                    related: stmt
                        .and_then(|s| s.action.as_ref().map(|a| a.key_span))
                        .map(|span| (span, "does not allow the web-identity action".to_string()))
                        .into_iter()
                        .collect(),
                    by_principal: false,
                },
                MissPart::Principal => {
                    let provider = parse_provider_arn(&request.provider_arn)
                        .map(|p| p.provider)
                        .unwrap_or(&request.provider_arn);
                    let why = if allow_oidc_principals(policy).next().is_none() {
                        // No OIDC provider at all (the verdict used a placeholder provider).
                        if trusts_pod_identity(policy) {
                            "its trust policy is written for EKS Pod Identity (`pods.eks.amazonaws.com`), not for an OIDC provider, so no IRSA token is accepted".to_string()
                        } else {
                            "its trust policy names no OIDC provider, so no web-identity token is accepted".to_string()
                        }
                    } else {
                        format!(
                            "its trust policy names no principal for the provider `{provider}` that issues their tokens"
                        )
                    };
                    Denial {
                        why,
                        related: stmt
                            .and_then(|s| s.principal.as_ref().map(|p| p.span))
                            .map(|span| (span, "does not name the cluster's provider".to_string()))
                            .into_iter()
                            .collect(),
                        by_principal: misses.iter().all(|m| m.part == MissPart::Principal),
                    }
                }
            }
        }
        _ => generic_denial(),
    }
}

/// True when an Allow statement trusts the EKS Pod Identity service principal.
fn trusts_pod_identity(policy: &TrustPolicy) -> bool {
    policy.statements.iter().filter(|s| s.is_allow()).any(|s| {
        matches!(
            s.principal.as_ref().map(|p| &p.principal),
            Some(Principal::Map(entries)) if entries.iter().any(|e| {
                e.kind.value.eq_ignore_ascii_case("Service")
                    && e.values.iter().any(|v| v.text == "pods.eks.amazonaws.com")
            })
        )
    })
}

fn generic_denial() -> Denial {
    Denial {
        why: "its trust policy does not admit their tokens".to_string(),
        related: Vec::new(),
        by_principal: false,
    }
}

/// Audiences the trust policy's Allow statements name exactly on `:aud` (no wildcard, no subject,
/// no placeholder), for "this audience would be admitted".
pub fn named_audiences(policy: &TrustPolicy) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
        for (block, entry) in stmt.claim_entries("aud") {
            let positive = block.operator.is_some_and(|o| {
                matches!(
                    o.base,
                    BaseOperator::StringEquals
                        | BaseOperator::StringEqualsIgnoreCase
                        | BaseOperator::StringLike
                )
            });
            if !positive {
                continue;
            }
            for v in &entry.values {
                let usable = !v.has_unknown()
                    && !v.text.is_empty()
                    && wildcard_offsets(&v.text).is_empty()
                    && !looks_like_subject(&v.text)
                    && !looks_like_placeholder(&v.text);
                if usable && !out.contains(&v.text.as_str()) {
                    out.push(&v.text);
                }
            }
        }
    }
    out
}

/// For a ServiceAccount whose verdict is a denial: an audience other than the one its tokens
/// carry that the trust policy would admit for the same subject and providers (the webhook's
/// default `sts.amazonaws.com`, or one the trust names exactly). Some means the audience alone is
/// at fault (IRSA311); None means something else is (IRSA304).
pub fn admitting_audience(linked: &Linked, sa: SaId, verdict: &SaVerdict) -> Option<String> {
    let policy = linked.policy(verdict.policy);
    let (request, _) = verdict.evaluations.first()?;
    let providers: Vec<String> = verdict
        .evaluations
        .iter()
        .map(|(r, _)| r.provider_arn.clone())
        .collect();
    let actual = audience_of(linked, sa);
    let mut candidates: Vec<&str> = vec![engine::STS_AUDIENCE];
    candidates.extend(named_audiences(policy));
    candidates
        .into_iter()
        .filter(|c| *c != actual)
        .find(|c| {
            evaluate_subject(policy, &providers, &request.subject, c)
                .1
                .is_true()
        })
        .map(str::to_string)
}

/// The `:aud` condition entries of a policy's Allow statements.
pub fn aud_entries(policy: &TrustPolicy) -> Vec<&ConditionEntry> {
    policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.claim_entries("aud").map(|(_, e)| e))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuers_compare_like_iam() {
        let id = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";
        assert!(provider_is_issuer(id, &format!("https://{id}")));
        assert!(provider_is_issuer(
            id,
            "https://OIDC.EKS.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F/"
        ));
        assert!(!provider_is_issuer(
            id,
            &format!("https://{}", id.to_ascii_lowercase())
        ));
        assert!(!provider_is_issuer(
            id,
            "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAA"
        ));
    }
}

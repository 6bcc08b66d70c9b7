//! IRSA117 unsupported-claim-key: a condition on a token claim STS does not expose as a key
//! (`oidc.eks.../id/X:namespace`).
//!
//! STS does not copy every token claim into the request context. For an IAM OIDC provider it
//! exposes `<provider>:aud`, `:sub`, `:amr` and `:azp` (and, since 2026, a documented list of
//! extra claims for GitHub Actions, Google, CircleCI and Oracle Cloud). Any other key is absent
//! from every request: a positive condition on it never matches, so no pod can assume the role;
//! under a negated operator or `...IfExists` it is always true and restricts nothing.
//! An EKS token's namespace and service-account name are only available inside `sub`.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, provider_claim_key, web_identity_statements};
use crate::diagnostic::Diagnostic;
use crate::model::oidc::parse_eks_issuer;
use crate::model::policy::{BaseOperator, TrustPolicy};
use crate::registry;

/// Claims STS exposes as condition keys for every IAM OIDC provider.
pub const STANDARD_CLAIMS: [&str; 4] = ["sub", "aud", "amr", "azp"];

/// GitHub Actions claims STS exposes as condition keys (AWS STS, January 2026).
const GITHUB_CLAIMS: [&str; 9] = [
    "actor",
    "actor_id",
    "job_workflow_ref",
    "repository",
    "repository_id",
    "workflow",
    "ref",
    "environment",
    "enterprise_id",
];

/// Claims of the built-in providers documented under "Available keys for AWS web identity
/// federation".
const BUILT_IN_CLAIMS: [(&str, &[&str]); 3] = [
    ("graph.facebook.com", &["app_id", "id"]),
    ("www.amazon.com", &["app_id", "user_id"]),
    ("cognito-identity.amazonaws.com", &[]),
];

/// Which claims a provider's keys may name. None when the provider has a provider-specific claim
/// list this rule does not carry (Google, CircleCI, Oracle Cloud): nothing is reported there.
pub fn supported_claims(provider: &str) -> Option<Vec<&'static str>> {
    let host = provider
        .strip_prefix("https://")
        .unwrap_or(provider)
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut claims: Vec<&'static str> = STANDARD_CLAIMS.to_vec();
    if host == "token.actions.githubusercontent.com" {
        claims.extend(GITHUB_CLAIMS);
    } else if let Some((_, extra)) = BUILT_IN_CLAIMS.iter().find(|(h, _)| *h == host) {
        claims.extend(extra.iter());
    } else if host == "accounts.google.com"
        || host == "oidc.circleci.com"
        || host.ends_with(".oraclecloud.com")
    {
        return None;
    }
    Some(claims)
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        for (block, entry) in stmt.condition_entries() {
            let Some(key) = provider_claim_key(&entry.key.value) else {
                continue;
            };
            // Whitespace around the claim is IRSA128's (a malformed key), not an unknown claim.
            if key.claim.trim() != key.claim || key.claim.is_empty() {
                continue;
            }
            let Some(claims) = supported_claims(key.provider) else {
                continue;
            };
            if claims.iter().any(|c| c.eq_ignore_ascii_case(key.claim)) {
                continue;
            }
            let void = block.operator.is_some_and(|op| {
                op.base.is_negated() || op.if_exists || op.base == BaseOperator::Null
            });
            let effect = if void {
                "so this negated or IfExists check is always true and restricts nothing"
            } else {
                "so this condition never matches and no pod can assume the role through this \
                 statement"
            };
            let eks = parse_eks_issuer(key.provider).is_some();
            let message = format!(
                "STS never puts `{}` in the request context (it exposes only {} of this \
                 provider's token), {effect}",
                entry.key.value,
                if eks {
                    "the `sub`, `aud`, `amr` and `azp` claims".to_string()
                } else {
                    format!(
                        "the {} claims",
                        claims
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            );
            let claim_start = entry.key.value.len() - key.claim.len();
            let span = policy.source.sub_span(
                entry.key.span,
                &entry.key.value,
                claim_start..entry.key.value.len(),
            );
            out.push(
                Diagnostic::new(registry::IRSA117, &policy.source, span, message)
                    .label("not a condition key STS provides")
                    .help(help(key.provider, key.claim, eks))
                    .at_path(logical_path(
                        policy,
                        Some(stmt),
                        &format!("Condition.{}", block.operator_name.value),
                    )),
            );
        }
    }
}

fn help(provider: &str, claim: &str, eks: bool) -> String {
    let lower = claim.to_ascii_lowercase();
    if lower.starts_with("sub") || lower.contains("subject") {
        return format!("use the `sub` key: \"{provider}:sub\"");
    }
    if lower.starts_with("aud") {
        return format!("use the `aud` key: \"{provider}:aud\": \"sts.amazonaws.com\"");
    }
    if eks {
        format!(
            "scope by namespace and service account through `sub`: \"{provider}:sub\": \
             \"system:serviceaccount:<namespace>:<service-account>\" (StringLike with \
             `system:serviceaccount:<namespace>:*` for a whole namespace)"
        )
    } else {
        format!("condition on a key STS provides, usually \"{provider}:sub\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claim_lists() {
        let eks = supported_claims("oidc.eks.eu-west-1.amazonaws.com/id/AB").unwrap();
        assert!(eks.contains(&"azp") && !eks.contains(&"namespace"));
        let gh = supported_claims("token.actions.githubusercontent.com").unwrap();
        assert!(gh.contains(&"job_workflow_ref"));
        assert!(supported_claims("accounts.google.com").is_none());
        assert!(supported_claims("oidc.circleci.com/org/abc").is_none());
    }
}

//! IRSA128 condition-key-malformed: a condition key that can never name a token claim —
//! `https://` in the key, an EKS issuer without its `/id/<ID>` segment, `/sub` where `:sub` belongs,
//! a `/` before the `:`, a claim with no issuer in front of it (`:sub`, `foo:sub`), or white space
//! around the key.
//!
//! IAM exposes an OIDC token's claims as condition keys spelled `<provider URL without
//! https://>:<claim>` (`oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub`), and looks keys up by that
//! exact name (ignoring case only). A key spelled any other way is simply absent from the request
//! context, and an absent key decides the condition by the operator alone: a positive operator
//! (`StringEquals`, `StringLike`) is then false for every token — no pod can assume the role — and
//! a negated or `...IfExists` one is true for every token — it restricts nothing. Keys in every
//! web-identity statement (GitHub Actions' `token.actions.githubusercontent.com:sub` too) are
//! checked; a key with a scheme is reported here rather than as a provider mismatch (IRSA110).

use crate::check::RuleContext;
use crate::check::support::placeholders::{find_placeholders, looks_like_placeholder};
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::diagnostic::Diagnostic;
use crate::engine::{AssumeRoleRequest, Tri, evaluate_entry};
use crate::model::oidc::{parse_eks_issuer, parse_provider_arn, same_provider};
use crate::model::policy::{ConditionBlock, ConditionEntry, Statement, TrustPolicy};
use crate::registry::IRSA128;

/// Claims whose key is sometimes written with `/` instead of `:`.
const CLAIMS: [&str; 5] = ["sub", "aud", "amr", "azp", "email"];

/// What is wrong with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyProblem {
    /// Leading or trailing white space.
    Whitespace,
    /// `https://` or `http://` in front of the provider.
    Scheme,
    /// `<provider>/sub` instead of `<provider>:sub`.
    SlashClaim,
    /// `<provider>/:sub`.
    TrailingSlash,
    /// `oidc.eks.<region>.amazonaws.com[...]:<claim>` without `/id/<ID>`.
    MissingEksId,
    /// A token claim (`:sub`, `foo:sub`) with no issuer in front of it: an empty provider, or a
    /// word that is no host name (global keys such as `aws:` name no token claim either).
    NoIssuer,
}

/// Diagnose a condition key; None when it is well formed (or not a provider key at all).
pub fn key_problem(key: &str) -> Option<KeyProblem> {
    if key.trim() != key {
        return Some(KeyProblem::Whitespace);
    }
    if strip_scheme(key).is_some() {
        return Some(KeyProblem::Scheme);
    }
    if !key.contains(':') && slash_claim(key).is_some() {
        return Some(KeyProblem::SlashClaim);
    }
    let (provider, claim) = key.rsplit_once(':')?;
    // A template variable or placeholder (`${issuer}`, `$oidc_provider`, `OIDC_PROVIDER`) is
    // IRSA114's; `saml:sub` and `saml:aud` are IAM's own keys for SAML federation.
    if !provider.contains('.')
        && !looks_like_placeholder(provider)
        && find_placeholders(provider).is_empty()
        && !provider.eq_ignore_ascii_case("saml")
        && CLAIMS.iter().any(|c| c.eq_ignore_ascii_case(claim))
    {
        return Some(KeyProblem::NoIssuer);
    }
    if provider.contains('.') && provider.ends_with('/') {
        return Some(KeyProblem::TrailingSlash);
    }
    let lower = provider.to_ascii_lowercase();
    // A Terraform/CloudFormation interpolation might supply the `/id/<ID>` part.
    if lower.starts_with("oidc.eks.") && !lower.contains("/id/") && !lower.contains("${") {
        return Some(KeyProblem::MissingEksId);
    }
    None
}

/// The key with every mechanical problem repaired (white space, scheme, `/sub`, `/:`); a missing
/// EKS id cannot be repaired and is left as is.
pub fn repaired_key(key: &str) -> String {
    let mut key = key.trim();
    if let Some(rest) = strip_scheme(key) {
        key = rest;
    }
    let mut key = match (key.contains(':'), slash_claim(key)) {
        (false, Some((provider, claim))) => format!("{provider}:{claim}"),
        _ => key.to_string(),
    };
    if let Some((provider, claim)) = key.rsplit_once(':')
        && provider.ends_with('/')
        && provider.contains('.')
    {
        key = format!("{}:{claim}", provider.trim_end_matches('/'));
    }
    key
}

fn strip_scheme(key: &str) -> Option<&str> {
    ["https://", "http://"].iter().find_map(|scheme| {
        key.get(..scheme.len())
            .filter(|head| head.eq_ignore_ascii_case(scheme))
            .map(|_| &key[scheme.len()..])
    })
}

/// `oidc.../id/ABC/sub` → (`oidc.../id/ABC`, `sub`).
fn slash_claim(key: &str) -> Option<(&str, &str)> {
    let (provider, claim) = key.rsplit_once('/')?;
    (provider.contains('.') && CLAIMS.iter().any(|c| c.eq_ignore_ascii_case(claim)))
        .then_some((provider, claim))
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        let Some(condition) = &stmt.condition else {
            continue;
        };
        for block in &condition.operators {
            for entry in &block.entries {
                if let Some(problem) = key_problem(&entry.key.value) {
                    out.push(diagnostic(policy, stmt, block, entry, &problem));
                }
            }
        }
    }
}

fn diagnostic(
    policy: &TrustPolicy,
    stmt: &Statement,
    block: &ConditionBlock,
    entry: &ConditionEntry,
    problem: &KeyProblem,
) -> Diagnostic {
    let key = &entry.key.value;
    let what = match problem {
        KeyProblem::Whitespace => "has white space around it".to_string(),
        KeyProblem::Scheme => {
            "starts with a URL scheme, but IAM names token claims after the provider URL without `https://`".to_string()
        }
        KeyProblem::SlashClaim => {
            "separates the claim with `/`, but IAM names token claims `<provider>:<claim>`".to_string()
        }
        KeyProblem::TrailingSlash => {
            "has a `/` before the `:`, which the provider name IAM uses never has".to_string()
        }
        KeyProblem::MissingEksId => {
            "names an EKS issuer without its `/id/<OIDC ID>` segment, and every cluster's issuer has one".to_string()
        }
        KeyProblem::NoIssuer => match key.rsplit_once(':') {
            Some(("", claim)) => {
                format!("names the claim `{claim}` of no issuer (the issuer before `:` is empty)")
            }
            Some((provider, claim)) => format!(
                "names the claim `{claim}` of `{provider}`, which is no issuer: IAM names token claims `<provider host>:<claim>`"
            ),
            None => "names no issuer".to_string(),
        },
    };
    let consequence = match absent_key_outcome(block, entry) {
        Tri::False if stmt.is_deny() => {
            "it is never in the request, so this condition is always false and the Deny never applies"
        }
        Tri::False => {
            "it is never in the request, so this condition is false for every token: no pod can assume the role through this statement"
        }
        Tri::True if stmt.is_deny() => {
            "it is never in the request, so this condition always holds and restricts nothing"
        }
        Tri::True => {
            "it is never in the request, so this condition holds for every token: it restricts nothing"
        }
        Tri::Unknown => "it is never in the request, so this condition cannot check the token",
    };
    let message = format!("condition key `{key}` {what}: {consequence}");
    let repaired = repaired_key(key);
    let help = match problem {
        KeyProblem::MissingEksId | KeyProblem::NoIssuer => {
            let claim = key.rsplit_once(':').map_or("sub", |(_, c)| c);
            let provider = principal_issuer(stmt)
                .unwrap_or_else(|| "oidc.eks.<region>.amazonaws.com/id/<OIDC ID>".to_string());
            format!(
                "use the cluster's issuer without `https://`: `\"{provider}:{claim}\"` (`aws eks describe-cluster --query cluster.identity.oidc.issuer`)"
            )
        }
        _ => format!("write the key as `\"{repaired}\"`"),
    };
    let label = match problem {
        KeyProblem::Whitespace => "white space in the key",
        KeyProblem::Scheme => "remove the scheme",
        KeyProblem::SlashClaim => "`/` where `:` belongs",
        KeyProblem::TrailingSlash => "`/` before `:`",
        KeyProblem::MissingEksId => "missing `/id/<OIDC ID>`",
        KeyProblem::NoIssuer => "no issuer before the claim",
    };
    let mut diag = Diagnostic::new(IRSA128, &policy.source, entry.key.span, message)
        .label(label)
        .help(help)
        .at_path(logical_path(
            policy,
            Some(stmt),
            &format!("Condition.{}.{key}", block.operator_name.value),
        ));
    // Point at the principal the key should name, when it is recognisable.
    if let Some((provider, principal)) = stmt.oidc_principals().find_map(|v| {
        let provider = parse_provider_arn(&v.text)?.provider;
        let (key_provider, _) = repaired.rsplit_once(':')?;
        (!matches!(problem, KeyProblem::MissingEksId | KeyProblem::NoIssuer)
            && same_provider(key_provider, provider))
        .then_some((provider, v))
    }) {
        diag = diag.related(
            &policy.source,
            principal.span,
            format!("the provider is `{provider}`: keys are `{provider}:<claim>`"),
        );
    }
    diag
}

/// The EKS issuer named by the statement's principal, for the help text.
fn principal_issuer(stmt: &Statement) -> Option<String> {
    stmt.oidc_principals().find_map(|v| {
        let provider = parse_provider_arn(&v.text)?.provider;
        parse_eks_issuer(provider).map(|_| provider.to_string())
    })
}

/// How the entry evaluates when its key is absent from the request, as it always is for a
/// malformed key: decided by the engine with a request that carries no claim.
fn absent_key_outcome(block: &ConditionBlock, entry: &ConditionEntry) -> Tri {
    evaluate_entry(block, entry, &AssumeRoleRequest::web_identity(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";

    #[test]
    fn problems() {
        assert_eq!(key_problem(&format!("{ID}:sub")), None);
        assert_eq!(key_problem("token.actions.githubusercontent.com:sub"), None);
        assert_eq!(key_problem("aws:SourceIp"), None);
        assert_eq!(key_problem("sts:RoleSessionName"), None);
        assert_eq!(
            key_problem(&format!("https://{ID}:sub")),
            Some(KeyProblem::Scheme)
        );
        assert_eq!(
            key_problem(&format!("{ID}:sub ")),
            Some(KeyProblem::Whitespace)
        );
        assert_eq!(
            key_problem(&format!("{ID}/sub")),
            Some(KeyProblem::SlashClaim)
        );
        assert_eq!(
            key_problem(&format!("{ID}/:aud")),
            Some(KeyProblem::TrailingSlash)
        );
        assert_eq!(
            key_problem("oidc.eks.eu-west-1.amazonaws.com:sub"),
            Some(KeyProblem::MissingEksId)
        );
        assert_eq!(
            key_problem("oidc.eks.eu-west-1.amazonaws.com/5C1D2E3F:sub"),
            Some(KeyProblem::MissingEksId)
        );
        assert_eq!(
            key_problem("oidc.eks.eu-west-1.amazonaws.com${var.id_path}:sub"),
            None
        );
        assert_eq!(
            key_problem("https://${var.issuer}:sub"),
            Some(KeyProblem::Scheme)
        );
        // A claim with no issuer in front of it; SAML's own keys and interpolations are fine.
        assert_eq!(key_problem(":sub"), Some(KeyProblem::NoIssuer));
        assert_eq!(key_problem("foo:SUB"), Some(KeyProblem::NoIssuer));
        assert_eq!(key_problem("aws:aud"), Some(KeyProblem::NoIssuer));
        assert_eq!(key_problem("saml:sub"), None);
        assert_eq!(key_problem("SAML:aud"), None);
        assert_eq!(key_problem("${var.issuer}:sub"), None);
        assert_eq!(key_problem("$oidc_provider:sub"), None);
        assert_eq!(key_problem("OIDC_PROVIDER:sub"), None);
        assert_eq!(key_problem("foo:region"), None);
        assert_eq!(
            repaired_key(&format!(" HTTPS://{ID}/sub")),
            format!("{ID}:sub")
        );
        assert_eq!(
            repaired_key(&format!("https://{ID}/:sub")),
            format!("{ID}:sub")
        );
    }

    fn run(text: &str) -> Vec<Diagnostic> {
        crate::check::support::run_check(check, text)
    }

    #[test]
    fn reports_at_the_key_with_the_operator_consequence() {
        let text = format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
 "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/{ID}"}},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {{"StringEquals": {{"https://{ID}:sub": "system:serviceaccount:a:b"}},
   "StringNotEquals": {{"{ID}/sub": "system:serviceaccount:a:c"}}}}}}]}}"#
        );
        let diags = run(&text);
        assert_eq!(diags.len(), 2);
        assert_eq!(
            &text[diags[0].primary.span.range()],
            format!("\"https://{ID}:sub\"")
        );
        assert!(diags[0].message.contains("no pod can assume"));
        assert!(diags[1].message.contains("restricts nothing"));
        assert_eq!(diags[0].related.len(), 1);
    }
}

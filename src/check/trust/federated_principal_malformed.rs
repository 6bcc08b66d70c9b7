//! IRSA113 federated-principal-malformed: a Federated OIDC principal that is not
//! `arn:<partition>:iam::<12 digits>:oidc-provider/<host>[/path]`.
//!
//! STS matches a web-identity request against the ARN of the IAM OIDC provider it found for the
//! token's issuer: `arn:<partition>:iam::<account>:oidc-provider/` followed by the issuer URL
//! without `https://`. Principal values are identifiers, not patterns, so a principal with the
//! scheme left in, a trailing `/`, a region, a short account id or no ARN at all (a bare host, the
//! issuer URL) never equals that ARN: no token is accepted, when IAM accepts the policy at all.
//!
//! SAML providers and the built-in web-identity providers (`cognito-identity.amazonaws.com`,
//! `accounts.google.com`, `graph.facebook.com`, `www.amazon.com`) are valid Federated values of
//! other flows and are left alone. A value whose only fault is an unreplaced placeholder is
//! IRSA114's finding, not this rule's.

use std::ops::Range;

use crate::check::RuleContext;
use crate::check::support::placeholders::find_placeholders;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::model::oidc::{PARTITIONS, is_account_id, parse_eks_issuer};
use crate::model::policy::{PolicyValue, Principal, Statement, TrustPolicy};
use crate::registry;

/// Federated values that name IAM's built-in web-identity providers rather than an IAM OIDC
/// provider.
const BUILT_IN_PROVIDERS: [&str; 4] = [
    "cognito-identity.amazonaws.com",
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// What is wrong with a value, and where (byte range in the value's text).
struct Problem {
    range: Range<usize>,
    /// Completes "this value ...".
    what: String,
    label: &'static str,
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
            continue;
        };
        for entry in entries.iter().filter(|e| e.is_federated()) {
            for value in entry.values.iter().filter(|v| !v.has_unknown()) {
                check_value(policy, stmt, value, out);
            }
        }
    }
}

fn check_value(
    policy: &TrustPolicy,
    stmt: &Statement,
    value: &PolicyValue,
    out: &mut Vec<Diagnostic>,
) {
    let text = value.text.as_str();
    let Some(problem) = first_problem(text) else {
        return;
    };
    let fix = corrected_arn(policy, text);
    out.push(
        Diagnostic::new(
            registry::IRSA113,
            &policy.source,
            if problem.range == (0..text.len()) {
                // The whole value is wrong: point at it as written, quotes included.
                value.span
            } else {
                policy
                    .source
                    .sub_span(value.span, text, problem.range.clone())
            },
            format!(
                "no token can match this principal: STS compares it with the provider ARN \
                 `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`, and \
                 this value {}, so no pod can assume the role through it",
                problem.what
            ),
        )
        .label(problem.label)
        .help(format!(
            "write the IAM OIDC provider's ARN: \"Federated\": \"{fix}\""
        ))
        .at_path(logical_path(policy, Some(stmt), "Principal.Federated")),
    );
}

/// The first fault of a Federated value that names an OIDC provider, ignoring faults that lie in
/// an unreplaced placeholder (IRSA114 reports those). None for values that are fine or that are
/// not about an OIDC provider.
fn first_problem(text: &str) -> Option<Problem> {
    let lower = text.to_ascii_lowercase();
    if lower.contains(":saml-provider/")
        || BUILT_IN_PROVIDERS.iter().any(|p| lower == *p)
        || text.is_empty()
    {
        return None;
    }
    let problems = if lower.starts_with("arn:") {
        if !lower.contains("oidc-provider") {
            return None;
        }
        arn_problems(text)
    } else if lower.starts_with("https://") || lower.starts_with("http://") {
        vec![Problem {
            range: 0..text.len(),
            what: "is the issuer URL, not the provider's ARN".to_string(),
            label: "issuer URL, not an ARN",
        }]
    } else if looks_like_host(text) {
        vec![Problem {
            range: 0..text.len(),
            what: "is a bare issuer host, not the provider's ARN".to_string(),
            label: "bare host, not an ARN",
        }]
    } else {
        return None;
    };
    let placeholders = find_placeholders(text);
    problems.into_iter().find(|p| {
        !placeholders
            .iter()
            .any(|(r, _)| r.start < p.range.end && p.range.start < r.end)
    })
}

/// `oidc.eks.eu-west-1.amazonaws.com/id/X`, `token.actions.githubusercontent.com`: a DNS name
/// (with a dot), optionally followed by a path, and nothing else.
fn looks_like_host(text: &str) -> bool {
    let host = text.split('/').next().unwrap_or("");
    host.contains('.')
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Every fault of an `arn:...:oidc-provider/...` value, in reading order.
fn arn_problems(text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Field ranges: arn, partition, service, region, account, resource (the rest).
    let mut fields: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    for (i, _) in text.match_indices(':') {
        if fields.len() == 5 {
            break;
        }
        fields.push(start..i);
        start = i + 1;
    }
    fields.push(start..text.len());
    if fields.len() < 6 {
        problems.push(Problem {
            range: 0..text.len(),
            what: "does not have the six `:`-separated parts of an ARN".to_string(),
            label: "not a six-part ARN",
        });
        return problems;
    }
    let field = |i: usize| &text[fields[i].clone()];
    if let Some((i, ch)) = text.char_indices().find(|(_, c)| c.is_whitespace()) {
        problems.push(Problem {
            range: i..i + ch.len_utf8(),
            what: "contains whitespace".to_string(),
            label: "whitespace in the ARN",
        });
    }
    if !PARTITIONS.contains(&field(1)) {
        problems.push(Problem {
            range: fields[1].clone(),
            what: format!("has the unknown partition `{}`", field(1)),
            label: "unknown partition",
        });
    }
    if field(2) != "iam" {
        problems.push(Problem {
            range: fields[2].clone(),
            what: format!("names the service `{}` instead of `iam`", field(2)),
            label: "service must be `iam`",
        });
    }
    if !field(3).is_empty() {
        problems.push(Problem {
            range: fields[3].clone(),
            what: format!("has a region (`{}`) where IAM ARNs have none", field(3)),
            label: "IAM ARNs have no region",
        });
    }
    if !is_account_id(field(4)) {
        let range = if fields[4].is_empty() {
            // Point at the `:` where the account should be.
            fields[4].start - 1..fields[4].start
        } else {
            fields[4].clone()
        };
        problems.push(Problem {
            range,
            what: if field(4).is_empty() {
                "has no account id (a 12-digit account id belongs between `iam::` and `:oidc-provider`)"
                    .to_string()
            } else {
                format!("has `{}` where a 12-digit account id belongs", field(4))
            },
            label: "not a 12-digit account id",
        });
    }
    let resource = fields[5].clone();
    let Some(provider_start) = text[resource.clone()]
        .strip_prefix("oidc-provider/")
        .map(|_| resource.start + "oidc-provider/".len())
    else {
        let end = text[resource.clone()]
            .find('/')
            .map_or(resource.end, |i| resource.start + i);
        problems.push(Problem {
            range: resource.start..end,
            what: format!(
                "has the resource type `{}` instead of `oidc-provider/`",
                &text[resource.start..end]
            ),
            label: "resource must be `oidc-provider/`",
        });
        return problems;
    };
    problems.extend(provider_problems(text, provider_start));
    problems
}

/// Faults of the provider part (`oidc.eks.eu-west-1.amazonaws.com/id/X`) starting at `start`.
fn provider_problems(text: &str, start: usize) -> Vec<Problem> {
    let mut problems = Vec::new();
    let provider = &text[start..];
    let lower = provider.to_ascii_lowercase();
    let scheme = ["https://", "http://"]
        .iter()
        .find(|s| lower.starts_with(**s))
        .map_or(0, |s| s.len());
    if scheme > 0 {
        problems.push(Problem {
            range: start..start + scheme,
            what: format!("keeps the issuer's `{}` scheme", &provider[..scheme]),
            label: "drop the scheme",
        });
    }
    let body_start = start + scheme;
    let body = &text[body_start..];
    if body.is_empty() {
        problems.push(Problem {
            range: start.saturating_sub(1)..text.len(),
            what: "names no provider after `oidc-provider/`".to_string(),
            label: "no provider host",
        });
        return problems;
    }
    // `...amazonaws.com/id/X:sub`: a condition key pasted into the principal.
    let claim_suffix = body.rsplit_once(':').filter(|(_, claim)| {
        ["sub", "aud", "amr", "azp"]
            .iter()
            .any(|c| claim.eq_ignore_ascii_case(c))
    });
    let body_end = match claim_suffix {
        Some((head, _)) => {
            let at = body_start + head.len();
            problems.push(Problem {
                range: at..text.len(),
                what: format!(
                    "ends in the condition-key suffix `{}` (a principal names the provider, not \
                     a claim)",
                    &text[at..]
                ),
                label: "claim suffix in a principal",
            });
            at
        }
        None => text.len(),
    };
    let body = &text[body_start..body_end];
    let host_len = body.find('/').unwrap_or(body.len());
    let host = &body[..host_len];
    let host_ok = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if !host_ok {
        problems.push(Problem {
            range: body_start..body_start + host_len,
            what: format!("has `{host}` where a DNS host name belongs"),
            label: "not a host name",
        });
    }
    // An EKS issuer cut short: the host, maybe `/id`, but no cluster id.
    let lower_body = body.to_ascii_lowercase();
    if lower_body.starts_with("oidc.eks.")
        && (lower_body.ends_with("/id/") || lower_body.ends_with("/id") || !body.contains('/'))
    {
        problems.push(Problem {
            range: body_start..body_end,
            what: "names an EKS issuer without its cluster id (`/id/<32 hexadecimal digits>`)"
                .to_string(),
            label: "no cluster id",
        });
        return problems;
    }
    if let Some(i) = body.find("//") {
        problems.push(Problem {
            range: body_start + i..body_start + i + 2,
            what: "has an empty path segment (`//`)".to_string(),
            label: "empty path segment",
        });
    }
    if body.ends_with('/') {
        problems.push(Problem {
            range: body_end - 1..body_end,
            what: "ends with `/`".to_string(),
            label: "trailing slash",
        });
    }
    // An EKS issuer's id is 32 hexadecimal digits; a shorter or partly redacted one
    // (`F2DXXXXXXXXXXXXXXXXXXXXX`) names no cluster. A placeholder is IRSA114's, a wildcard
    // IRSA112's.
    if let Some(issuer) = parse_eks_issuer(body)
        && !(issuer.id.len() == 32 && issuer.id.bytes().all(|b| b.is_ascii_hexdigit()))
        && !issuer.id.contains(['*', '?'])
        && find_placeholders(issuer.id).is_empty()
    {
        let at = body_end - issuer.id.len();
        problems.push(Problem {
            range: at..body_end,
            what: format!(
                "has the cluster id `{}`, but an EKS issuer's id is 32 hexadecimal digits",
                issuer.id
            ),
            label: "not an EKS cluster id",
        });
    }
    problems
}

/// The value as it should read: partition, service and account repaired where possible (the
/// account from the role's own ARN when the input has one), scheme, trailing `/` and claim suffix
/// removed.
fn corrected_arn(policy: &TrustPolicy, text: &str) -> String {
    let role = policy.role.as_ref();
    let role_account = role
        .and_then(|r| r.account.clone())
        .filter(|a| is_account_id(a));
    let role_partition = role
        .and_then(|r| r.partition.clone())
        .filter(|p| PARTITIONS.contains(&p.as_str()));
    let lower = text.to_ascii_lowercase();
    let (partition, account, provider) = if lower.starts_with("arn:") {
        let parts: Vec<&str> = text.splitn(6, ':').collect();
        let partition = parts
            .get(1)
            .filter(|p| PARTITIONS.contains(p))
            .map(|p| p.to_string());
        let account = parts
            .get(4)
            .filter(|a| is_account_id(a) || !find_placeholders(a).is_empty())
            .map(|a| a.to_string());
        let resource = parts.get(5).copied().unwrap_or("");
        let provider = resource
            .split_once('/')
            .map_or(resource, |(_, rest)| rest)
            .to_string();
        (partition, account, provider)
    } else {
        (None, None, text.to_string())
    };
    let mut provider = provider.trim().to_string();
    for scheme in ["https://", "http://"] {
        if provider.to_ascii_lowercase().starts_with(scheme) {
            provider.drain(..scheme.len());
        }
    }
    if let Some((head, claim)) = provider.rsplit_once(':')
        && ["sub", "aud", "amr", "azp"]
            .iter()
            .any(|c| claim.eq_ignore_ascii_case(c))
    {
        provider.truncate(head.len());
    }
    while provider.ends_with('/') {
        provider.pop();
    }
    while provider.contains("//") {
        provider = provider.replace("//", "/");
    }
    let partition = partition
        .or(role_partition)
        .unwrap_or_else(|| "aws".to_string());
    let account = account
        .or(role_account)
        .unwrap_or_else(|| "<account-id>".to_string());
    format!("arn:{partition}:iam::{account}:oidc-provider/{provider}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(text: &str) -> Option<(String, String)> {
        first_problem(text).map(|p| (text[p.range].to_string(), p.what))
    }

    const GOOD: &str = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";

    #[test]
    fn accepts_valid_and_foreign_values() {
        assert!(what(GOOD).is_none());
        assert!(
            what(
                "arn:aws-us-gov:iam::483920175566:oidc-provider/token.actions.githubusercontent.com"
            )
            .is_none()
        );
        assert!(what("arn:aws:iam::483920175566:saml-provider/Okta").is_none());
        assert!(what("cognito-identity.amazonaws.com").is_none());
        assert!(what("accounts.google.com").is_none());
        // Placeholder-only faults are IRSA114's.
        assert!(what("arn:aws:iam::[AWS_ACCOUNT_ID]:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]").is_none());
        assert!(what("arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE").is_none());
    }

    #[test]
    fn finds_the_fault() {
        let at = |t: &str| what(t).unwrap().0;
        assert_eq!(
            at(
                "arn:aws:iam::483920175566:oidc-provider/https://oidc.eks.eu-west-1.amazonaws.com/id/AB"
            ),
            "https://"
        );
        assert_eq!(
            at("arn:aws:iam::48392017556:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB"),
            "48392017556"
        );
        assert_eq!(
            at("arn:aws:iam::483920175566:oidc-provider/token.actions.githubusercontent.com/"),
            "/"
        );
        assert_eq!(
            at("arn:aws:iam:eu-west-1:483920175566:oidc-provider/x.example.com"),
            "eu-west-1"
        );
        assert_eq!(
            at("arn:amazon:iam::483920175566:oidc-provider/x.example.com"),
            "amazon"
        );
        assert_eq!(
            at(
                "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB:sub"
            ),
            ":sub"
        );
        assert_eq!(
            at("oidc.eks.eu-west-1.amazonaws.com/id/AB"),
            "oidc.eks.eu-west-1.amazonaws.com/id/AB"
        );
        assert_eq!(
            at("https://token.actions.githubusercontent.com"),
            "https://token.actions.githubusercontent.com"
        );
        assert_eq!(
            at("arn:aws:iam::483920175566:oidc-providers/x.example.com"),
            "oidc-providers"
        );
    }
}

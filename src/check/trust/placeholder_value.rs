//! IRSA114 placeholder-value: a tutorial or documentation placeholder was never replaced.
//!
//! Copy-pasted trust policies keep `[AWS_ACCOUNT_ID]`, `<ACCOUNT_ID>`, `$oidc_provider`,
//! `region-code`, `EXAMPLED539D4633E53DE1B71EXAMPLE` or the documentation accounts `111122223333`
//! and `123456789012`. In a literal file nothing will ever expand them: IAM takes them as text, so
//! the Federated principal names a provider no token comes from, a condition key is never in the
//! request context, and a condition value never equals a real claim.
//!
//! The placeholder patterns live in `check::support::placeholders` ([`find_placeholders`]): other
//! rules ask there, so that a value whose only problem is a placeholder is reported once, here.

use std::ops::Range;

use crate::check::RuleContext;
use crate::check::support::placeholders::{
    DOCUMENTATION_ACCOUNTS, arn_account_field, find_placeholders, replace_target,
};
use crate::check::support::statement::{logical_path, provider_claim_key};
use crate::diagnostic::Diagnostic;
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyValue, Principal, TrustPolicy,
};
use crate::model::value::{PartRef, Parts};
use crate::registry;
use crate::source::Span;

/// Where in the statement a placeholder was found.
#[derive(Clone, Copy)]
enum Place {
    Principal,
    Key,
    Value,
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        if let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) {
            for entry in entries.iter().filter(|e| e.is_federated()) {
                for (text, span) in entry.values.iter().flat_map(literal_texts) {
                    report(
                        policy,
                        text,
                        span,
                        Place::Principal,
                        None,
                        logical_path(policy, Some(stmt), "Principal.Federated"),
                        out,
                    );
                }
            }
        }
        for (block, entry) in stmt.condition_entries() {
            if !is_provider_key(entry) {
                continue;
            }
            let path = logical_path(
                policy,
                Some(stmt),
                &format!("Condition.{}", block.operator_name.value),
            );
            for (text, span) in literal_parts(entry.key_parts(), entry.key.span) {
                report(
                    policy,
                    text,
                    span,
                    Place::Key,
                    Some(block),
                    path.clone(),
                    out,
                );
            }
            for (text, span) in entry.values.iter().flat_map(literal_texts) {
                report(
                    policy,
                    text,
                    span,
                    Place::Value,
                    Some(block),
                    path.clone(),
                    out,
                );
            }
        }
    }
}

/// A condition key naming an identity provider's claim, including one whose provider part is
/// itself a placeholder (`$oidc_provider:aud`, `[OIDC_PROVIDER]:sub`), which
/// `parse_provider_key` does not recognise because it holds no `.`, or a template variable
/// (`${oidc}:sub`).
fn is_provider_key(entry: &ConditionEntry) -> bool {
    let key = &entry.key.value;
    (entry.key_has_unknown() && entry.claim().is_some())
        || provider_claim_key(key).is_some()
        || key
            .rsplit_once(':')
            .is_some_and(|(provider, _)| !find_placeholders(provider).is_empty())
}

/// The texts to look for placeholders in, with their spans: the whole text of a literal value,
/// the literal parts of a value with template variables (a variable is filled in later: only
/// what is written around it can still be a forgotten placeholder).
fn literal_texts(value: &PolicyValue) -> Vec<(&str, Span)> {
    literal_parts(value.parts(), value.span)
}

fn literal_parts<'a>(parts: Parts<'a>, whole: Span) -> Vec<(&'a str, Span)> {
    if parts.is_literal() {
        return vec![(parts.known_prefix(), whole)];
    }
    parts
        .spanned()
        .filter_map(|(part, span)| match part {
            PartRef::Literal(text) if !text.is_empty() => Some((text, span)),
            _ => None,
        })
        .collect()
}

/// True when a condition under this operator holds whatever a key or value is: negated operators
/// and `...IfExists` are true for an absent key, `Null` tests absence itself.
fn is_void_when_absent(block: Option<&ConditionBlock>) -> bool {
    block
        .and_then(|b| b.operator)
        .is_some_and(|op| op.base.is_negated() || op.if_exists || op.base == BaseOperator::Null)
}

fn report(
    policy: &TrustPolicy,
    text: &str,
    span: Span,
    place: Place,
    block: Option<&ConditionBlock>,
    path: String,
    out: &mut Vec<Diagnostic>,
) {
    for (range, what) in find_placeholders(text) {
        let placeholder = &text[range.clone()];
        let void = is_void_when_absent(block);
        let message = match place {
            Place::Principal => format!(
                "the Federated principal still holds {what} `{placeholder}`: it names no OIDC \
                 provider your cluster's tokens come from, so IAM rejects the policy or no pod \
                 can ever assume the role"
            ),
            Place::Key if void => format!(
                "the condition key still holds {what} `{placeholder}`: no request ever carries \
                 this key, so this negated or IfExists check is always true and restricts nothing"
            ),
            Place::Key => format!(
                "the condition key still holds {what} `{placeholder}`: no request ever carries \
                 this key, so the condition never matches and no pod can assume the role through \
                 this statement"
            ),
            Place::Value if void => format!(
                "the condition value still holds {what} `{placeholder}`: no token carries this \
                 literal text, so excluding it excludes nothing"
            ),
            Place::Value => format!(
                "the condition value still holds {what} `{placeholder}`: no token carries this \
                 literal text, so this value never matches"
            ),
        };
        out.push(
            Diagnostic::new(
                registry::IRSA114,
                &policy.source,
                policy.source.sub_span(span, text, range.clone()),
                message,
            )
            .label("unreplaced placeholder")
            .help(help_for(text, range, placeholder))
            .at_path(path.clone()),
        );
    }
}

/// A concrete replacement for the placeholder, from where it sits and what it is called.
fn help_for(text: &str, range: Range<usize>, placeholder: &str) -> String {
    let target = replace_target(placeholder);
    let lower = placeholder.to_ascii_lowercase();
    let in_account_field = arn_account_field(text).is_some_and(|f| f == range);
    let after_id = text[..range.start].ends_with("/id/");
    let service_account = lower.contains("service") || lower.contains("sa_") || lower == "<sa>";
    if in_account_field
        || (lower.contains("account") && !service_account)
        || DOCUMENTATION_ACCOUNTS.contains(&placeholder)
    {
        format!(
            "replace {target} with the 12-digit id of the account that owns the cluster's \
             OIDC provider (`aws sts get-caller-identity --query Account --output text`)"
        )
    } else if lower == "region-code" || lower.contains("region") {
        format!("replace {target} with the cluster's region, e.g. `eu-west-1`")
    } else if after_id || lower.contains("oidc_id") || lower.contains("example") {
        format!(
            "replace {target} with the cluster's OIDC id: the last path segment of \
             `aws eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer \
             --output text`"
        )
    } else if lower.contains("provider") || lower.contains("issuer") || lower.contains("oidc") {
        format!(
            "replace {target} with the issuer without `https://`, e.g. \
             `oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F` (from `aws \
             eks describe-cluster --name <cluster> --query cluster.identity.oidc.issuer --output \
             text`)"
        )
    } else if lower.contains("namespace") || service_account {
        format!(
            "replace {target} with the real name, so the subject reads \
             `system:serviceaccount:<namespace>:<service-account>` with both parts filled in"
        )
    } else {
        format!(
            "replace {target} with the real value before applying the policy (render the \
             template or expand the variable first)"
        )
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let out = crate::check::support::run_check(check, text);
        out.iter()
            .map(|d| {
                (
                    d.primary.source.slice(d.primary.span).to_string(),
                    d.message.clone(),
                )
            })
            .collect()
    }

    fn kinds(text: &str) -> Vec<&str> {
        find_placeholders(text)
            .into_iter()
            .map(|(r, _)| &text[r])
            .collect()
    }

    #[test]
    fn recognises_placeholders() {
        assert_eq!(
            kinds(
                "arn:aws:iam::[AWS_ACCOUNT_ID]:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]"
            ),
            ["[AWS_ACCOUNT_ID]", "[OIDC_ID]"]
        );
        assert_eq!(
            kinds(
                "arn:aws:iam::111122223333:oidc-provider/oidc.eks.region-code.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
            ),
            [
                "111122223333",
                "region-code",
                "EXAMPLED539D4633E53DE1B71EXAMPLE"
            ]
        );
        assert_eq!(kinds("$oidc_provider:aud"), ["$oidc_provider"]);
        // Template variables are filled in later: not placeholders, whatever their names say.
        assert_eq!(
            kinds("arn:aws:iam::${AWS_ACCOUNT_ID}:oidc-provider/${OIDC}"),
            [] as [&str; 0]
        );
        assert_eq!(kinds("{{ .Values.accountId }}"), [] as [&str; 0]);
        assert_eq!(kinds("$(ACCOUNT_ID)"), [] as [&str; 0]);
        assert_eq!(
            kinds(
                "arn:aws:iam::${account}:oidc-provider/oidc.eks.{AWS_REGION}.amazonaws.com/id/{OIDC}"
            ),
            ["{AWS_REGION}", "{OIDC}"]
        );
        assert_eq!(kinds("arn:aws:iam::<ACCOUNT_ID>:x"), ["<ACCOUNT_ID>"]);
        assert_eq!(kinds("arn:aws:iam::xxxxxxxxxxxx:x"), ["xxxxxxxxxxxx"]);
        assert_eq!(
            kinds("arn:aws:iam::ACCOUNT_ID:oidc-provider/x"),
            ["ACCOUNT_ID"]
        );
        assert_eq!(
            kinds("oidc.eks.eu-west-1.amazonaws.com/id/OIDC_ID"),
            ["OIDC_ID"]
        );
        assert_eq!(kinds("123456789012"), ["123456789012"]);
        assert_eq!(
            kinds("system:serviceaccount:<namespace>:<sa>"),
            ["<namespace>", "<sa>"]
        );
    }

    #[test]
    fn leaves_real_values_alone() {
        assert!(kinds("arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F").is_empty());
        assert!(kinds("system:serviceaccount:${aws:PrincipalTag/ns}:app").is_empty());
        assert!(kinds("${*}").is_empty());
        assert!(kinds("99123456789012").is_empty());
        assert!(kinds("arn:aws:iam::9111122223333:root").is_empty());
        assert!(kinds("repo:Acme/INFRA_TOOLS:ref:refs/heads/main").is_empty());
        assert!(kinds("system:serviceaccount:example:app").is_empty());
        assert!(kinds("sts.amazonaws.com").is_empty());
    }

    #[test]
    fn points_inside_strings() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
"Principal":{"Federated":"arn:aws:iam::[AWS_ACCOUNT_ID]:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]"},
"Action":"sts:AssumeRoleWithWebIdentity",
"Condition":{"StringLike":{"oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]:aud":"system:serviceaccount:demo:*"}}}]}"#;
        let got = run(text);
        let spans: Vec<&str> = got.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(spans, ["[AWS_ACCOUNT_ID]", "[OIDC_ID]", "[OIDC_ID]"]);
        assert!(got[2].1.contains("never matches"));
    }

    #[test]
    fn unresolved_and_non_provider_keys_are_skipped() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
"Principal":{"AWS":"arn:aws:iam::123456789012:root"},
"Action":"sts:AssumeRole",
"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
        assert!(run(text).is_empty());
    }

    #[test]
    fn unresolved_values_may_be_anything() {
        use crate::engine::testing::*;
        let p = policy([allow()
            .principal_values(
                "Federated",
                vec![unresolved(
                    "arn:aws:iam::${var.account_id}:oidc-provider/${local.oidc}",
                )],
            )
            .action(&["sts:AssumeRoleWithWebIdentity"])
            .condition_values(
                "StringEquals",
                &key("sub"),
                vec![unresolved("system:serviceaccount:${var.ns}:app")],
            )]);
        let mut out = Vec::new();
        check(&p, &RuleContext::default(), &mut out);
        assert!(out.is_empty());
    }
}

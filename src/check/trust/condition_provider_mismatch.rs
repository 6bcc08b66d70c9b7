//! IRSA110 condition-provider-mismatch: a condition key names a provider the statement does not
//! trust (typically copied from another cluster's policy).
//!
//! For `AssumeRoleWithWebIdentity`, STS puts the token's claims in the request context under the
//! provider that issued it: `<issuer host/path>:sub`, `:aud`, ... A statement only ever admits
//! tokens of its own Federated providers, so a key naming another provider is never present when
//! the statement is evaluated. IAM treats an absent key as a failed match for positive operators:
//! the statement never applies and no pod can assume the role through it. Under a negated
//! operator or `...IfExists`, the absent key makes the check always true: it restricts nothing.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, provider_claim_key, web_identity_statements};
use crate::diagnostic::Diagnostic;
use crate::model::oidc::{parse_provider_arn, same_issuer};
use crate::model::policy::{BaseOperator, PolicyValue, Principal, Statement, TrustPolicy};
use crate::registry;

/// The providers a statement's Federated principal trusts, with the value naming each: an OIDC
/// provider ARN gives its URL (`oidc.eks.../id/X`), a built-in web-identity provider
/// (`cognito-identity.amazonaws.com`) itself. None when a Federated value is unresolved (the
/// statement could trust anything) or there is no Federated principal.
pub fn federated_providers(stmt: &Statement) -> Option<Vec<(&str, &PolicyValue)>> {
    let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
        return None;
    };
    let mut providers = Vec::new();
    for value in entries
        .iter()
        .filter(|e| e.is_federated())
        .flat_map(|e| e.values.iter())
    {
        if value.has_unknown() {
            return None;
        }
        if let Some(arn) = parse_provider_arn(&value.text) {
            providers.push((arn.provider, value));
        } else if !value.text.starts_with("arn:") {
            providers.push((value.text.as_str(), value));
        }
    }
    (!providers.is_empty()).then_some(providers)
}

/// A principal's provider as a condition key spells it: without a scheme, a trailing `/` or a
/// claim suffix pasted onto it (`.../id/X:sub`). Those are faults of their own (IRSA113), not a
/// different provider.
fn key_form(principal_provider: &str) -> &str {
    let p = principal_provider
        .strip_prefix("https://")
        .or_else(|| principal_provider.strip_prefix("http://"))
        .unwrap_or(principal_provider);
    let p = match p.rsplit_once(':') {
        Some((head, claim)) if !claim.contains('/') => head,
        _ => p,
    };
    p.trim_end_matches('/')
}

/// Does a condition key's provider name the same provider as a principal's, spelling aside? A
/// scheme or trailing `/` in the key is IRSA128's finding, not a different provider.
fn names_same_provider(principal_provider: &str, key_provider: &str) -> bool {
    same_issuer(key_form(principal_provider), key_provider)
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        let Some(providers) = federated_providers(stmt) else {
            continue;
        };
        // Only statements that trust an IAM OIDC provider: the built-in providers alone are
        // another flow (Cognito), whose keys this rule does not model.
        if !providers
            .iter()
            .any(|(_, v)| parse_provider_arn(&v.text).is_some())
        {
            continue;
        }
        for (block, entry) in stmt.condition_entries() {
            let Some(key) = provider_claim_key(&entry.key.value) else {
                continue;
            };
            // A key whose text is not known (`${replace(var.provider_arn, ...)}:sub`) may name
            // the trusted provider.
            if !entry.key_unknown_parts.is_empty() {
                continue;
            }
            if providers
                .iter()
                .any(|(p, _)| names_same_provider(p, key.provider))
            {
                continue;
            }
            let (trusted, principal) = providers[0];
            let trusted = key_form(trusted);
            let void = block.operator.is_some_and(|op| {
                op.base.is_negated() || op.if_exists || op.base == BaseOperator::Null
            });
            let effect = if void {
                "so this negated or IfExists check is always true and restricts nothing"
            } else if stmt.is_deny() {
                "so this condition never matches and the Deny never takes effect"
            } else {
                "so this condition never matches and no pod can assume the role through this \
                 statement"
            };
            out.push(
                Diagnostic::new(
                    registry::IRSA110,
                    &policy.source,
                    entry.key.span,
                    format!(
                        "the key names provider `{}`, which this statement does not trust: STS \
                         only puts the trusted provider's claims in the request, {effect}",
                        key.provider
                    ),
                )
                .label("provider not in the Federated principal")
                .help(format!(
                    "use the trusted provider in the key: \"{trusted}:{}\" (or trust `{}` in the \
                     Federated principal if that cluster is meant)",
                    key.claim, key.provider
                ))
                .related(
                    &policy.source,
                    principal.span,
                    "the statement trusts this provider",
                )
                .at_path(logical_path(
                    policy,
                    Some(stmt),
                    &format!("Condition.{}", block.operator_name.value),
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(text: &str) -> Vec<String> {
        let out = crate::check::support::run_check(check, text);
        out.iter()
            .map(|d| d.primary.source.slice(d.primary.span).to_string())
            .collect()
    }

    fn policy(principal: &str, op: &str, key: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"{principal}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"{op}":{{"{key}":"system:serviceaccount:ns:sa"}}}}}}]}}"#
        )
    }

    const ARN: &str =
        "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA";

    #[test]
    fn flags_keys_of_other_providers() {
        let got = run(&policy(
            ARN,
            "StringEquals",
            "oidc.eks.eu-west-1.amazonaws.com/id/BBBB:sub",
        ));
        assert_eq!(got, ["\"oidc.eks.eu-west-1.amazonaws.com/id/BBBB:sub\""]);
    }

    #[test]
    fn accepts_matching_keys() {
        assert!(
            run(&policy(
                ARN,
                "StringEquals",
                "oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub"
            ))
            .is_empty()
        );
        assert!(
            run(&policy(
                ARN,
                "StringEquals",
                "OIDC.EKS.eu-west-1.amazonaws.com/id/AAAA:sub"
            ))
            .is_empty()
        );
        assert!(run(&policy(ARN, "StringEquals", "aws:SourceAccount")).is_empty());
        let placeholder = "arn:aws:iam::[AWS_ACCOUNT_ID]:oidc-provider/oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]";
        assert!(
            run(&policy(
                placeholder,
                "StringEquals",
                "oidc.eks.us-east-2.amazonaws.com/id/[OIDC_ID]:sub"
            ))
            .is_empty()
        );
    }

    #[test]
    fn unresolved_principal_may_be_any_provider() {
        use crate::engine::testing::*;
        let p = policy([allow()
            .principal_values(
                "Federated",
                vec![unresolved("${aws_iam_openid_connect_provider.x.arn}")],
            )
            .action(&["sts:AssumeRoleWithWebIdentity"])
            .condition(
                "StringEquals",
                "oidc.eks.eu-west-1.amazonaws.com/id/BBBB:sub",
                &["x"],
            )]);
        let mut out = Vec::new();
        check(&p, &RuleContext::default(), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn unresolved_key_may_name_the_trusted_provider() {
        let key = "${replace(local.provider, \"/^(.*provider/)/\", \"\")}:sub";
        assert!(run(&policy(ARN, "StringEquals", key)).is_empty());
        let key = "oidc.eks.eu-west-1.amazonaws.com/id/${local.id}:sub";
        assert!(run(&policy(ARN, "StringEquals", key)).is_empty());
    }

    #[test]
    fn spelling_faults_are_not_another_provider() {
        // A scheme in the key (IRSA128), a scheme or `:sub` suffix in the principal (IRSA113).
        let https_key = "https://oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub";
        assert!(run(&policy(ARN, "StringEquals", https_key)).is_empty());
        let https_principal = "arn:aws:iam::483920175566:oidc-provider/https://oidc.eks.eu-west-1.amazonaws.com/id/AAAA/";
        let key = "oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub";
        assert!(run(&policy(https_principal, "StringEquals", key)).is_empty());
        let suffixed =
            "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub";
        assert!(run(&policy(suffixed, "StringEquals", key)).is_empty());
        assert!(
            run(&policy(
                ARN,
                "StringEquals",
                "aws:RequestTag/kubernetes.io:cluster"
            ))
            .is_empty()
        );
    }
}

//! IRSA405 pod-identity-wrong-condition-keys: a statement trusting `pods.eks.amazonaws.com`
//! conditions on a key that EKS Pod Identity's `AssumeRole` request never carries.
//!
//! EKS Pod Identity passes six session tags with the request (`eks-cluster-arn`,
//! `eks-cluster-name`, `kubernetes-namespace`, `kubernetes-service-account`,
//! `kubernetes-pod-name`, `kubernetes-pod-uid`); a trust policy reads them as
//! `aws:RequestTag/<key>`. Three mistakes are reported at the condition key:
//!
//! - `aws:PrincipalTag/<pod identity tag>`: in the trust policy the tags are request tags; the
//!   caller is a service principal, which has no principal tags (`${aws:PrincipalTag/...}` is the
//!   syntax for the permission policies of the session);
//! - an OIDC claim key (`<issuer>:sub`, `<issuer>:aud`): no token is exchanged;
//! - a tag name that is not one of the six: a near miss (`kubernetes_namespace`,
//!   `k8s-namespace`) gets a suggestion; any other name is reported only when the statement
//!   trusts nothing but the Pod Identity principal (EKS adds no custom tags to the request).

use crate::check::RuleContext;
use crate::check::support::pod_identity::{
    POD_IDENTITY_SERVICE, SESSION_TAGS, pod_identity_statements, trusts_only_pod_identity,
    with_pod_identity_principal,
};
use crate::check::support::statement::{entry_path, provider_claim_key};
use crate::check::support::text::similar_name;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{ConditionBlock, ConditionEntry, Statement, TrustPolicy};
use crate::registry;

const REQUEST_TAG: &str = "aws:RequestTag/";
const PRINCIPAL_TAG: &str = "aws:PrincipalTag/";

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in pod_identity_statements(policy) {
        let only_pods = trusts_only_pod_identity(stmt);
        for (block, entry) in stmt.condition_entries() {
            let Some((message, help)) = wrong_key(entry, only_pods) else {
                continue;
            };
            out.push(finding(policy, stmt, block, entry, message, help));
        }
    }
}

/// What is wrong with the key, and how to fix it; None for a key EKS Pod Identity may set or
/// that this rule does not judge.
fn wrong_key(entry: &ConditionEntry, only_pods: bool) -> Option<(String, String)> {
    let key = entry.key.value.as_str();
    if entry.key_has_unknown() {
        // `${issuer}:sub`: an OIDC claim whatever the issuer turns out to be.
        let claim = entry.claim()?;
        return (claim.eq_ignore_ascii_case("sub") || claim.eq_ignore_ascii_case("aud"))
            .then(|| oidc_claim(key));
    }
    if let Some(tag) = strip_prefix_ignore_case(key, PRINCIPAL_TAG) {
        let real = real_tag(tag).or_else(|| near_tag(tag));
        return match real {
            Some(real) => Some((
                format!(
                    "EKS Pod Identity's request carries no principal tags: the caller is the \
                     service principal `{POD_IDENTITY_SERVICE}`, and `{real}` arrives as a \
                     request tag"
                ),
                format!("condition on \"{REQUEST_TAG}{real}\""),
            )),
            None if only_pods => Some((
                format!(
                    "EKS Pod Identity's request carries no principal tags: the caller is the \
                     service principal `{POD_IDENTITY_SERVICE}`, so `{key}` is never set"
                ),
                format!(
                    "condition on the session tags EKS adds, as \"{REQUEST_TAG}<tag>\": {}",
                    tag_list()
                ),
            )),
            None => None,
        };
    }
    if let Some(tag) = strip_prefix_ignore_case(key, REQUEST_TAG) {
        if real_tag(tag).is_some_and(|real| real.eq_ignore_ascii_case(tag)) {
            return None;
        }
        if let Some(real) = real_tag(tag).or_else(|| near_tag(tag)) {
            return Some((
                format!(
                    "EKS Pod Identity sets no session tag `{tag}` (did you mean `{real}`?): a \
                     condition on a key the request lacks never holds, or restricts nothing when \
                     negated or with IfExists"
                ),
                format!("condition on \"{REQUEST_TAG}{real}\""),
            ));
        }
        if only_pods {
            return Some((
                format!(
                    "EKS Pod Identity sets no session tag `{tag}`: it adds only its own six tags \
                     to the request, never custom ones"
                ),
                format!(
                    "condition on the session tags EKS adds: {}; tags on the role itself are \
                     read as aws:PrincipalTag in permission policies, not here",
                    tag_list()
                ),
            ));
        }
        return None;
    }
    provider_claim_key(key).map(|_| oidc_claim(key))
}

fn oidc_claim(key: &str) -> (String, String) {
    (
        format!(
            "`{key}` is an OIDC token claim, and EKS Pod Identity exchanges no token: the \
             request never carries this key"
        ),
        format!(
            "restrict the service account with \"{REQUEST_TAG}kubernetes-namespace\" and \
             \"{REQUEST_TAG}kubernetes-service-account\""
        ),
    )
}

/// The real tag name `tag` normalises to: case, `_`/`.`/`-` and `k8s` for `kubernetes` aside.
fn real_tag(tag: &str) -> Option<&'static str> {
    let normal = normalise(tag);
    SESSION_TAGS
        .iter()
        .find(|real| normalise(real) == normal)
        .copied()
}

/// A real tag name within a small edit distance of `tag`.
fn near_tag(tag: &str) -> Option<&'static str> {
    let lower = tag.to_ascii_lowercase();
    similar_name(&lower, SESSION_TAGS.iter().copied())
}

fn normalise(tag: &str) -> String {
    tag.to_ascii_lowercase()
        .replace("k8s", "kubernetes")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

fn tag_list() -> String {
    SESSION_TAGS
        .iter()
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn strip_prefix_ignore_case<'a>(key: &'a str, prefix: &str) -> Option<&'a str> {
    key.get(..prefix.len())
        .filter(|head| head.eq_ignore_ascii_case(prefix))
        .map(|_| &key[prefix.len()..])
}

fn finding(
    policy: &TrustPolicy,
    stmt: &Statement,
    block: &ConditionBlock,
    entry: &ConditionEntry,
    message: String,
    help: String,
) -> Diagnostic {
    let diag = Diagnostic::new(registry::IRSA405, &policy.source, entry.key.span, message)
        .label("a key EKS Pod Identity never sets")
        .help(help)
        .at_path(entry_path(policy, stmt, block, entry, None));
    with_pod_identity_principal(diag, policy, stmt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(principal: &str, condition: &str) -> Vec<String> {
        let text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{condition}}}]}}"#
        );
        let out = crate::check::support::run_check(check, &text);
        out.iter()
            .map(|d| d.primary.source.slice(d.primary.span).to_string())
            .collect()
    }

    const PODS: &str = r#"{"Service":"pods.eks.amazonaws.com"}"#;
    const MIXED: &str =
        r#"{"Service":"pods.eks.amazonaws.com","AWS":"arn:aws:iam::483920175566:role/ci"}"#;

    #[test]
    fn real_request_tags_pass() {
        assert!(
            run(
                PODS,
                r#"{"StringEquals":{"aws:RequestTag/kubernetes-namespace":"a","AWS:requesttag/Kubernetes-Service-Account":"b","aws:RequestTag/eks-cluster-arn":"c"}}"#
            )
            .is_empty()
        );
        assert!(
            run(
                PODS,
                r#"{"StringEquals":{"aws:SourceAccount":"483920175566"}}"#
            )
            .is_empty()
        );
    }

    #[test]
    fn principal_tags_are_request_tags_here() {
        assert_eq!(
            run(
                PODS,
                r#"{"StringEquals":{"aws:PrincipalTag/kubernetes-namespace":"a"}}"#
            ),
            ["\"aws:PrincipalTag/kubernetes-namespace\""]
        );
        assert_eq!(
            run(PODS, r#"{"StringEquals":{"aws:PrincipalTag/team":"a"}}"#),
            ["\"aws:PrincipalTag/team\""]
        );
        assert!(run(MIXED, r#"{"StringEquals":{"aws:PrincipalTag/team":"a"}}"#).is_empty());
    }

    #[test]
    fn misspelt_tags() {
        assert_eq!(
            run(
                MIXED,
                r#"{"StringEquals":{"aws:RequestTag/kubernetes_namespace":"a","aws:RequestTag/k8s-namespace":"b","aws:RequestTag/kubernetes-serviceaccount":"c","aws:RequestTag/team":"d"}}"#
            ),
            [
                "\"aws:RequestTag/kubernetes_namespace\"",
                "\"aws:RequestTag/k8s-namespace\"",
                "\"aws:RequestTag/kubernetes-serviceaccount\""
            ]
        );
        assert_eq!(
            run(PODS, r#"{"StringEquals":{"aws:RequestTag/team":"d"}}"#),
            ["\"aws:RequestTag/team\""]
        );
    }

    #[test]
    fn oidc_claims_are_absent() {
        assert_eq!(
            run(
                PODS,
                r#"{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub":"system:serviceaccount:a:b","oidc.eks.eu-west-1.amazonaws.com/id/AAAA:aud":"sts.amazonaws.com"}}"#
            ),
            [
                "\"oidc.eks.eu-west-1.amazonaws.com/id/AAAA:sub\"",
                "\"oidc.eks.eu-west-1.amazonaws.com/id/AAAA:aud\""
            ]
        );
    }

    #[test]
    fn other_principals_are_not_concerned() {
        assert!(
            run(
                r#"{"Service":"ec2.amazonaws.com"}"#,
                r#"{"StringEquals":{"aws:PrincipalTag/kubernetes-namespace":"a"}}"#
            )
            .is_empty()
        );
    }
}

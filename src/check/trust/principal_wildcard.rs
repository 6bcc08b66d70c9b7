//! IRSA112 principal-wildcard: an Allow statement trusts `*` instead of one provider.
//!
//! `"Principal": "*"` and `{"AWS": "*"}` trust every principal of every AWS account (and, for
//! `"*"`, every web identity): only the Condition, if any, stands between the role and anyone.
//! In a `Federated` principal, `*` is not a pattern: IAM compares principal values as identifiers,
//! so `.../id/*` never equals a real provider ARN (no pod can assume the role), and what it was
//! meant to say — trust every cluster or every provider — is overbroad anyway.

use crate::check::RuleContext;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{Principal, Statement, TrustPolicy};
use crate::registry;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
        let Some(element) = &stmt.principal else {
            continue;
        };
        match &element.principal {
            Principal::Wildcard(value) if !value.has_unknown() && value.text == "*" => {
                out.push(
                    Diagnostic::new(
                        registry::IRSA112,
                        &policy.source,
                        value.span,
                        anyone_message(stmt, "every principal of every AWS account and every web identity"),
                    )
                    .label("trusts everyone")
                    .help(
                        "name the cluster's OIDC provider instead: \"Principal\": {\"Federated\": \
                         \"arn:aws:iam::<account-id>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>\"}",
                    )
                    .at_path(logical_path(policy, Some(stmt), "Principal")),
                );
            }
            Principal::Map(entries) => {
                for entry in entries {
                    let federated = entry.is_federated();
                    let aws = entry.kind.value.eq_ignore_ascii_case("AWS");
                    for value in entry.values.iter().filter(|v| !v.has_unknown()) {
                        if aws && value.text == "*" {
                            out.push(
                                Diagnostic::new(
                                    registry::IRSA112,
                                    &policy.source,
                                    value.span,
                                    anyone_message(
                                        stmt,
                                        "every IAM principal of every AWS account",
                                    ),
                                )
                                .label("any AWS principal")
                                .help(
                                    "trust the cluster's OIDC provider with \"Federated\" (for \
                                     pods), or name the exact role ARN under \"AWS\"",
                                )
                                .at_path(logical_path(
                                    policy,
                                    Some(stmt),
                                    "Principal.AWS",
                                )),
                            );
                        } else if federated && let Some(star) = value.text.find('*') {
                            let whole = value.text == "*";
                            let message = if whole {
                                "this statement trusts no provider of yours: `*` is not a \
                                 wildcard in a Federated principal (IAM compares it literally or \
                                 rejects it), and if it were honoured every identity provider's \
                                 tokens would be trusted"
                            } else {
                                "no token matches this principal: IAM compares Federated values \
                                 literally, so `*` never expands to a real provider ARN and no \
                                 pod can assume the role (and trusting every matching provider \
                                 would be overbroad anyway)"
                            };
                            let span = if whole {
                                value.span
                            } else {
                                policy
                                    .source
                                    .sub_span(value.span, &value.text, star..star + 1)
                            };
                            out.push(
                                Diagnostic::new(registry::IRSA112, &policy.source, span, message)
                                    .label("wildcard in a Federated principal")
                                    .help(
                                        "name one provider exactly: \"Federated\": \
                                         \"arn:aws:iam::<account-id>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/<ID>\" \
                                         (one value per cluster)",
                                    )
                                    .at_path(logical_path(
                                        policy,
                                        Some(stmt),
                                        "Principal.Federated",
                                    )),
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// "... can assume this role", sharpened by whether a Condition is there to narrow it.
fn anyone_message(stmt: &Statement, who: &str) -> String {
    let has_condition = stmt
        .condition
        .as_ref()
        .is_some_and(|c| c.operators.iter().any(|b| !b.entries.is_empty()));
    if has_condition {
        format!(
            "the principal admits {who}: only this statement's Condition keeps anyone else from \
             assuming the role"
        )
    } else {
        format!("{who} can assume this role: nothing in the statement narrows the principal")
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(statement: &str) -> Vec<String> {
        let text = format!(r#"{{"Version":"2012-10-17","Statement":[{statement}]}}"#);
        let out = crate::check::support::run_check(check, &text);
        out.iter()
            .map(|d| d.primary.source.slice(d.primary.span).to_string())
            .collect()
    }

    #[test]
    fn wildcards() {
        assert_eq!(
            run(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}"#),
            ["\"*\""]
        );
        assert_eq!(
            run(
                r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::483920175566:root","*"]},"Action":"sts:AssumeRole"}"#
            ),
            ["\"*\""]
        );
        assert_eq!(
            run(
                r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/*"},"Action":"sts:AssumeRoleWithWebIdentity"}"#
            ),
            ["*"]
        );
        assert!(
            run(r#"{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}"#)
                .is_empty()
        );
    }
}

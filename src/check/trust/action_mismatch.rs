//! IRSA111 action-mismatch: the statement's action does not fit its principal.
//!
//! A pod's SDK exchanges its projected service-account token by calling
//! `AssumeRoleWithWebIdentity`; IAM authorises that call only through a statement whose Action
//! covers `sts:AssumeRoleWithWebIdentity`. A statement trusting an OIDC provider but allowing only
//! `sts:AssumeRole` (the action of IAM users and roles) or `sts:TagSession` never admits the call.
//! Conversely, only federated identities make web-identity calls: an `AWS` or `Service` principal
//! paired with `sts:AssumeRoleWithWebIdentity` names a caller that never makes that request.

use crate::check::RuleContext;
use crate::check::support::pod_identity::pod_identity_principal;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::engine::{ASSUME_ROLE_WITH_WEB_IDENTITY, action_matches};
use crate::model::policy::{Principal, Statement, TrustPolicy};
use crate::registry;
use crate::source::Span;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
        if stmt.oidc_principals().next().is_some() {
            oidc_without_web_identity_action(policy, stmt, out);
        } else {
            web_identity_action_without_federated(policy, stmt, out);
        }
    }
}

/// An OIDC Federated principal whose statement's Action/NotAction excludes the web-identity
/// action.
fn oidc_without_web_identity_action(
    policy: &TrustPolicy,
    stmt: &Statement,
    out: &mut Vec<Diagnostic>,
) {
    let (span, path, written) = if let Some(action) = &stmt.action {
        // An unresolved value could be the right action: report only what holds for any value.
        if action.values.iter().any(|v| v.has_unknown())
            || action
                .values
                .iter()
                .any(|v| action_matches(&v.text, ASSUME_ROLE_WITH_WEB_IDENTITY))
        {
            return;
        }
        let span = match action.values.as_slice() {
            [only] => only.span,
            _ => action.key_span,
        };
        let written = action
            .values
            .iter()
            .map(|v| format!("`{}`", v.text))
            .collect::<Vec<_>>()
            .join(", ");
        (span, "Action", format!("allows only {written}"))
    } else if let Some(not_action) = &stmt.not_action {
        if not_action.values.iter().any(|v| v.has_unknown()) {
            return;
        }
        let Some(excluding) = not_action
            .values
            .iter()
            .find(|v| action_matches(&v.text, ASSUME_ROLE_WITH_WEB_IDENTITY))
        else {
            return;
        };
        (
            excluding.span,
            "NotAction",
            format!("excludes it through NotAction `{}`", excluding.text),
        )
    } else {
        // No Action at all: IAM rejects the statement; not an action mismatch.
        return;
    };
    let mut diag = Diagnostic::new(
        registry::IRSA111,
        &policy.source,
        span,
        format!(
            "no pod can assume this role through this statement: the token exchange calls \
             `sts:AssumeRoleWithWebIdentity`, and the statement {written}"
        ),
    )
    .label("not sts:AssumeRoleWithWebIdentity")
    .help("allow the web-identity call: \"Action\": \"sts:AssumeRoleWithWebIdentity\"")
    .at_path(logical_path(policy, Some(stmt), path));
    if let Some(principal) = stmt.oidc_principals().next() {
        diag = diag.related(
            &policy.source,
            principal.span,
            "this OIDC provider's tokens arrive through AssumeRoleWithWebIdentity",
        );
    }
    out.push(diag);
}

/// `sts:AssumeRoleWithWebIdentity` named explicitly for a statement whose principal holds only
/// `AWS` / `Service` / `CanonicalUser` entries.
fn web_identity_action_without_federated(
    policy: &TrustPolicy,
    stmt: &Statement,
    out: &mut Vec<Diagnostic>,
) {
    // Only a principal made of kinds that never federate cannot make the call.
    // The EKS Pod Identity principal has its own rule (IRSA403) with a message about its calls.
    if !stmt.principal_never_federated() || pod_identity_principal(stmt).is_some() {
        return;
    }
    let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
        return;
    };
    let Some(action) = &stmt.action else {
        return;
    };
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind.value.as_str()).collect();
    let kind_span: Span = entries[0].kind.span;
    for value in action
        .values
        .iter()
        .filter(|v| !v.has_unknown() && v.text.eq_ignore_ascii_case(ASSUME_ROLE_WITH_WEB_IDENTITY))
    {
        out.push(
            Diagnostic::new(
                registry::IRSA111,
                &policy.source,
                value.span,
                format!(
                    "this grant is never used: only federated identities call \
                     `sts:AssumeRoleWithWebIdentity`, and this statement's principal is `{}`",
                    kinds.join("`, `")
                ),
            )
            .label("web-identity action for a non-Federated principal")
            .help(
                "for a pod, trust the cluster's OIDC provider: \"Principal\": {\"Federated\": \
                 \"arn:aws:iam::<account-id>:oidc-provider/<issuer without https://>\"}; for an \
                 AWS or Service principal, use \"Action\": \"sts:AssumeRole\"",
            )
            .related(&policy.source, kind_span, "principal kind")
            .at_path(logical_path(policy, Some(stmt), "Action")),
        );
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

    const FED: &str = r#""Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AAAA"}"#;

    #[test]
    fn oidc_principal_needs_web_identity_action() {
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{FED},"Action":"sts:AssumeRole"}}"#
            )),
            ["\"sts:AssumeRole\""]
        );
        assert_eq!(
            run(&format!(
                r#"{{"Effect":"Allow",{FED},"Action":["sts:AssumeRole","sts:TagSession"]}}"#
            )),
            ["\"Action\""]
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{FED},"Action":"sts:AssumeRole*"}}"#
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Allow",{FED},"Action":"sts:assumerolewithwebidentity"}}"#
            ))
            .is_empty()
        );
        assert!(
            run(&format!(
                r#"{{"Effect":"Deny",{FED},"Action":"sts:AssumeRole"}}"#
            ))
            .is_empty()
        );
    }

    #[test]
    fn web_identity_action_needs_federated_principal() {
        assert_eq!(
            run(
                r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::483920175566:root"},"Action":["sts:AssumeRole","sts:AssumeRoleWithWebIdentity"]}"#
            ),
            ["\"sts:AssumeRoleWithWebIdentity\""]
        );
        assert!(
            run(r#"{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRoleWithWebIdentity"}"#)
                .is_empty()
        );
        assert!(run(r#"{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}"#).is_empty());
    }

    #[test]
    fn unresolved_action_may_be_the_right_one() {
        use crate::engine::testing::*;
        let p = policy([allow()
            .federated(PROVIDER_ARN)
            .action_values(vec![unresolved("${var.action}")])]);
        let mut out = Vec::new();
        check(&p, &RuleContext::default(), &mut out);
        assert!(out.is_empty());
    }
}

//! IRSA103 missing-aud-condition: a web-identity Allow for an OIDC provider has no positive `:aud`
//! condition.
//!
//! IAM only accepts a token whose `aud` is one of the client IDs registered on the IAM OIDC
//! provider, so a missing `:aud` condition does not open the role to arbitrary audiences. But the
//! provider is shared by every role that trusts it, and its client-ID list can grow (another team
//! adds an audience for its own tool): from then on, tokens minted for that other audience are
//! accepted by this role too. AWS's own IRSA trust policies pin `aud` to `sts.amazonaws.com`; this
//! is defence in depth, hence info.
//!
//! Any entry on the `aud` claim under a positive String/ARN operator with at least one value
//! counts (whatever its qualifier: IRSA108/IRSA109 report those; whatever its value: IRSA101 and
//! IRSA122 report wrong values).

use crate::check::RuleContext;
use crate::check::support::placeholders::is_placeholder_provider;
use crate::check::support::statement::{
    allows_web_identity_action, logical_path, loose_claim_entries, names_oidc_provider,
};
use crate::diagnostic::Diagnostic;
use crate::engine::STS_AUDIENCE;
use crate::model::oidc::parse_eks_issuer;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA103;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        if !stmt.is_allow() || !allows_web_identity_action(stmt) || !names_oidc_provider(stmt) {
            continue;
        }
        let has_aud = loose_claim_entries(stmt, "aud").any(|(b, e)| {
            b.operator
                .is_some_and(|op| op.base.is_string_like() && !op.base.is_negated())
                && !e.values.is_empty()
        });
        if has_aud {
            continue;
        }
        let provider = stmt
            .principal_providers()
            .next()
            .filter(|p| parse_eks_issuer(p).is_some() || !is_placeholder_provider(p))
            .unwrap_or("<provider>");
        let (span, path) = match (&stmt.condition, &stmt.principal) {
            (Some(condition), _) => (condition.key_span, "Condition"),
            (None, Some(principal)) => (principal.key_span, "Principal"),
            (None, None) => (stmt.span, ""),
        };
        let mut diag = Diagnostic::new(
            IRSA103,
            &policy.source,
            span,
            "no condition checks the token's `aud`: a token from this provider minted for any of its registered client IDs is accepted, not only one minted for STS",
        )
        .label("no `:aud` condition")
        .help(format!(
            "add `\"{provider}:aud\": \"{STS_AUDIENCE}\"` under `StringEquals` in the Condition"
        ))
        .at_path(logical_path(policy, Some(stmt), path));
        if let Some(principal) = stmt.oidc_principals().next() {
            diag = diag.related(
                &policy.source,
                principal.span,
                "the provider whose tokens are trusted",
            );
        }
        out.push(diag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::*;

    fn fires(stmt: StatementBuilder) -> bool {
        let mut out = Vec::new();
        check(&policy([stmt]), &RuleContext::default(), &mut out);
        !out.is_empty()
    }

    #[test]
    fn positive_aud_conditions() {
        assert!(fires(irsa_allow()));
        assert!(fires(irsa_allow().condition(
            "StringEquals",
            &key("sub"),
            &["system:serviceaccount:ns:sa"]
        )));
        assert!(fires(irsa_allow().condition(
            "StringNotEquals",
            &key("aud"),
            &["x"]
        )));
        assert!(!fires(irsa_statement_for("ns", "sa")));
        assert!(!fires(
            deny()
                .federated(PROVIDER_ARN)
                .action(&["sts:AssumeRoleWithWebIdentity"])
        ));
    }
}

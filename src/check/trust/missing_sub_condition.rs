//! IRSA102 missing-sub-condition: a web-identity Allow for an OIDC provider has no effective
//! positive `:sub` condition.
//!
//! IAM checks that the token was signed by the provider named in `Principal.Federated` and that
//! its `aud` is one of the provider's registered client IDs — nothing more. Without a condition on
//! `sub`, every identity the provider issues tokens to passes: for an EKS cluster every service
//! account in every namespace (any pod), for GitHub Actions every workflow of every repository on
//! GitHub.
//!
//! What counts as a `:sub` restriction: an entry on the `sub` claim under a positive String or
//! ARN operator (`StringEquals`, `StringLike`, `StringEqualsIgnoreCase`, `ArnEquals`, `ArnLike`,
//! with or without `ForAnyValue:`) that holds at least one value and whose provider is the
//! principal's. Decisions:
//! - `…IfExists` and `ForAllValues:` entries count: both are true when the key is absent, but every
//!   OIDC token carries `sub` (a required claim), so against a real token they do restrict.
//!   IRSA108 and IRSA109 report the qualifier itself.
//! - A positive, unqualified entry on *another* provider's `sub` also counts: that key is absent
//!   from this provider's tokens, so the entry is false and nobody is admitted (IRSA110 reports it).
//! - Negated entries (`StringNotEquals`, `StringNotLike`) do not count: they name who is excluded,
//!   and every other subject is admitted.
//! - A pattern that is only `*` does not count, except on an EKS issuer's key where IRSA104
//!   reports it (no double report); on other providers (GitHub Actions) nothing else would.
//! - Values that are not known statically count (they may restrict), and so do keys whose provider
//!   part is a placeholder or empty (`<OIDC_PROVIDER>:sub`, `${oidc_provider}:sub`): the key may
//!   be anything once rendered; IRSA114/IRSA003 report the placeholder.

use crate::check::RuleContext;
use crate::check::support::placeholders::is_placeholder_provider;
use crate::check::support::statement::{
    allows_web_identity_action, is_eks_key, key_matches_principal, logical_path,
    loose_claim_entries, names_oidc_provider,
};
use crate::check::support::subjects::looks_like_subject;
use crate::diagnostic::Diagnostic;
use crate::engine::STS_AUDIENCE;
use crate::model::oidc::parse_eks_issuer;
use crate::model::policy::{ConditionBlock, ConditionEntry, SetQualifier, Statement, TrustPolicy};
use crate::registry::IRSA102;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        if !stmt.is_allow() || !allows_web_identity_action(stmt) || !names_oidc_provider(stmt) {
            continue;
        }
        if loose_claim_entries(stmt, "sub").any(|(b, e)| restricts_sub(stmt, b, e)) {
            continue;
        }
        out.push(diagnostic(policy, stmt));
    }
}

/// Whether a `:sub` entry restricts the subjects this statement admits (see the module docs).
pub fn restricts_sub(stmt: &Statement, block: &ConditionBlock, entry: &ConditionEntry) -> bool {
    let Some(op) = block.operator else {
        return false;
    };
    if !op.base.is_string_like() || op.base.is_negated() || entry.values.is_empty() {
        return false;
    }
    let match_all = op.base.is_like()
        && entry
            .values
            .iter()
            .all(|v| !v.has_unknown() && !v.text.is_empty() && v.text.chars().all(|c| c == '*'));
    if match_all && !is_eks_key(&entry.key.value) {
        return false;
    }
    key_matches_principal(stmt, &entry.key.value)
        || (!op.if_exists && op.set != Some(SetQualifier::ForAllValues))
}

fn diagnostic(policy: &TrustPolicy, stmt: &Statement) -> Diagnostic {
    let provider = stmt
        .principal_providers()
        .next()
        .filter(|p| parse_eks_issuer(p).is_some() || !is_placeholder_provider(p));
    let who = match provider {
        Some(p) if parse_eks_issuer(p).is_some() => {
            "every service account in every namespace of the cluster".to_string()
        }
        Some(p) if p.eq_ignore_ascii_case("token.actions.githubusercontent.com") => {
            "every GitHub Actions workflow of every repository on GitHub".to_string()
        }
        Some(p) => format!("anyone holding a token from `{p}`"),
        None => "anyone holding a token from the trusted provider".to_string(),
    };
    let negated_only = loose_claim_entries(stmt, "sub")
        .any(|(b, _)| b.operator.is_some_and(|op| op.base.is_negated()));
    // The seed's mistake: the subject check was written under `:aud` (IRSA101).
    let misplaced = loose_claim_entries(stmt, "aud")
        .find(|(_, e)| e.values.iter().any(|v| looks_like_subject(&v.text)));
    let message = if let Some((_, aud)) = misplaced {
        format!(
            "no condition restricts the token's `sub`: the subject check was written under `{}`, so once the audience is fixed {who} can assume this role",
            aud.key.value
        )
    } else if negated_only {
        format!(
            "{who} can assume this role except the excluded subjects: the only `:sub` conditions are negated, and none names the allowed subject"
        )
    } else {
        format!("{who} can assume this role: no condition restricts the token's `sub`")
    };
    let key_provider = provider.unwrap_or("<provider>");
    let misplaced_subject = misplaced.and_then(|(_, aud)| {
        let subject = aud.values.iter().find(|v| looks_like_subject(&v.text))?;
        let (aud_provider, _) = aud.key.value.rsplit_once(':')?;
        Some((aud_provider, &subject.text))
    });
    let help = if let Some((aud_provider, subject)) = misplaced_subject {
        format!(
            "move the subject check to the `:sub` key, `\"{aud_provider}:sub\": \"{subject}\"`, and check the audience with `\"{aud_provider}:aud\": \"{STS_AUDIENCE}\"`"
        )
    } else if provider.is_some_and(|p| parse_eks_issuer(p).is_some()) {
        let aud = if loose_claim_entries(stmt, "aud").next().is_none() {
            format!(", \"{key_provider}:aud\": \"{STS_AUDIENCE}\"")
        } else {
            String::new()
        };
        format!(
            "add `\"StringEquals\": {{\"{key_provider}:sub\": \"system:serviceaccount:<namespace>:<service-account>\"{aud}}}` to the Condition"
        )
    } else if provider
        .is_some_and(|p| p.eq_ignore_ascii_case("token.actions.githubusercontent.com"))
    {
        format!(
            "add `\"StringEquals\": {{\"{key_provider}:sub\": \"repo:<owner>/<repo>:ref:refs/heads/<branch>\"}}` to the Condition"
        )
    } else {
        format!(
            "add `\"StringEquals\": {{\"{key_provider}:sub\": \"<the subject allowed to assume this role>\"}}` to the Condition"
        )
    };
    let (span, path, label) = match (&stmt.condition, &stmt.principal) {
        (Some(condition), _) => (condition.key_span, "Condition", "no `:sub` condition here"),
        (None, Some(principal)) => (principal.key_span, "Principal", "no Condition at all"),
        (None, None) => (stmt.span, "", "no Condition at all"),
    };
    let mut diag = Diagnostic::new(IRSA102, &policy.source, span, message)
        .label(label)
        .help(help)
        .at_path(logical_path(policy, Some(stmt), path));
    if let Some(principal) = stmt.oidc_principals().next() {
        diag = diag.related(
            &policy.source,
            principal.span,
            "every token this provider issues is trusted",
        );
    }
    diag
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
    fn effective_sub_conditions() {
        assert!(fires(irsa_allow()));
        assert!(fires(irsa_allow().condition(
            "StringEquals",
            &key("aud"),
            &[STS_AUDIENCE]
        )));
        assert!(!fires(irsa_statement_for("ns", "sa")));
        assert!(fires(irsa_allow().condition(
            "StringNotEquals",
            &key("sub"),
            &["system:serviceaccount:ns:sa"]
        )));
        assert!(!fires(irsa_allow().condition(
            "StringEqualsIfExists",
            &key("sub"),
            &["system:serviceaccount:ns:sa"]
        )));
        assert!(!fires(irsa_allow().condition_values(
            "StringEquals",
            &key("sub"),
            vec![unresolved("${var.subject}")]
        )));
        // `*` on an EKS key: IRSA104's.
        assert!(!fires(irsa_allow().condition(
            "StringLike",
            &key("sub"),
            &["*"]
        )));
        // Deny statements and statements without the action are not concerned.
        assert!(!fires(
            deny()
                .federated(PROVIDER_ARN)
                .action(&["sts:AssumeRoleWithWebIdentity"])
        ));
    }

    #[test]
    fn github_star_counts_as_missing() {
        let gh = "arn:aws:iam::483920175566:oidc-provider/token.actions.githubusercontent.com";
        assert!(fires(
            allow()
                .federated(gh)
                .action(&["sts:AssumeRoleWithWebIdentity"])
                .condition(
                    "StringLike",
                    "token.actions.githubusercontent.com:sub",
                    &["*"]
                )
        ));
    }

    #[test]
    fn unresolved_federated_principal() {
        let stmt = allow()
            .principal_values("Federated", vec![unresolved("${oidc_provider_arn}")])
            .action(&["sts:AssumeRoleWithWebIdentity"]);
        assert!(fires(stmt.clone()));
        assert!(!fires(stmt.condition(
            "StringEquals",
            &key("sub"),
            &["system:serviceaccount:ns:sa"]
        )));
    }
}

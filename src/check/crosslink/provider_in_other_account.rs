//! IRSA314 provider-in-other-account: a trust policy's `Federated` OIDC provider belongs to
//! another AWS account than the role.
//!
//! IAM OIDC providers are per-account resources, and `AssumeRoleWithWebIdentity` only accepts a
//! token for a provider registered in the role's own account. Cross-account IRSA therefore means
//! registering the cluster's issuer as a provider in the role's account and naming that ARN; a
//! trust naming the provider of the cluster's account (a frequent copy-paste from the cluster
//! account's roles) cannot be satisfied. Unless the role really lives in the provider's account
//! (the annotation's account is then the wrong one, which IRSA308 or a failing AssumeRole tells),
//! no pod can assume it through that statement.
//!
//! The role's account comes from its identity (`aws iam` output), else from the annotation of a
//! ServiceAccount linked to it. Documentation accounts (111122223333, 123456789012) are IRSA114's.

use crate::check::support::objects::sa_label;
use crate::check::support::role_arn::{annotated_role, role_arn_annotation, role_arn_part_span};
use crate::check::support::roles::{
    carriers, other_account_principals, policy_value_part_span, role_name,
};
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA314;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (p, policy) in linked.policies() {
        let found = other_account_principals(linked, p);
        if found.is_empty() {
            continue;
        }
        let role = role_name(linked, p);
        let from_identity = policy
            .role
            .as_ref()
            .and_then(|r| r.account.as_ref())
            .is_some();
        for f in found {
            let message = format!(
                "the trust policy of role `{role}` (account `{}`) names the OIDC provider of account `{}`: IAM only accepts tokens for a provider registered in the role's own account, so no pod can assume the role through this statement",
                f.role_account, f.provider_account
            );
            let help = format!(
                "register the cluster's issuer as an OIDC provider in account `{}` and name `arn:…:iam::{}:oidc-provider/…` here (cross-account IRSA)",
                f.role_account, f.role_account
            );
            let span = policy_value_part_span(policy, f.value, f.provider_account);
            let mut diag = Diagnostic::new(IRSA314, &policy.source, span, message)
                .label(format!(
                    "account `{}`, not the role's `{}`",
                    f.provider_account, f.role_account
                ))
                .help(help)
                .at_path(logical_path(policy, Some(f.stmt), "Principal.Federated"));
            if let Some(arn) = policy.role.as_ref().and_then(|r| r.arn.as_ref())
                && from_identity
            {
                diag = diag.related(&policy.source, arn.span, "the role's account");
            } else {
                for i in carriers(linked, p).take(2) {
                    let sa = linked.service_account(i);
                    let Some(arn) = annotated_role(sa) else {
                        continue;
                    };
                    let span = role_arn_part_span(sa, arn.account)
                        .or_else(|| role_arn_annotation(sa).map(|(a, _)| a.value.span));
                    if let Some(span) = span {
                        diag = diag.related(
                            &sa.meta.source,
                            span,
                            format!(
                                "`{}` names the role in account `{}`",
                                sa_label(linked, i),
                                arn.account
                            ),
                        );
                    }
                }
            }
            out.push(diag);
        }
    }
}

//! IRSA307 provider-not-this-cluster: with `--cluster-issuer`, a trust policy names only EKS OIDC
//! providers of other clusters.
//!
//! Pods of a cluster present tokens issued by that cluster's issuer, and IAM matches the
//! `Federated` principal against the provider ARN for exactly that issuer (host ignoring case, the
//! `/id/<ID>` path exactly). A trust naming another cluster's issuer — copied from a staging
//! cluster, or left over after a cluster was recreated (a new cluster gets a new id) — admits no
//! pod of this one: `AssumeRoleWithWebIdentity` fails with `InvalidIdentityToken` or
//! `AccessDenied`.
//!
//! Reported only when no Allow statement names one of the configured clusters (a trust that also
//! admits another cluster, during a migration, is legitimate) and only for EKS issuers (a GitHub
//! Actions or Google provider is not a cluster's). The issuers are passed as a list
//! ([`super::foreign_cluster_principals`]) so that several configured clusters can share it.

use super::{
    carriers, cluster_issuers, foreign_cluster_principals, issuer_host, policy_value_part_span,
    role_arn_annotation, role_name, sa_label,
};
use crate::check::trust::logical_path;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::oidc::parse_provider_arn;
use crate::registry::IRSA307;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    let issuers = cluster_issuers(linked);
    if issuers.is_empty() {
        return;
    }
    let shown: Vec<&str> = issuers.iter().map(|i| issuer_host(i)).collect();
    let this = match shown.as_slice() {
        [one] => format!("this cluster's issuer `{one}`"),
        many => format!(
            "the configured clusters' issuers {}",
            super::quote_list(many, 3)
        ),
    };
    for (p, policy) in linked.model.policies.iter().enumerate() {
        let foreign = foreign_cluster_principals(policy, &issuers);
        if foreign.is_empty() {
            continue;
        }
        let role = role_name(linked, p);
        for (stmt, value) in foreign {
            let Some(provider) = parse_provider_arn(&value.text).map(|a| a.provider) else {
                continue;
            };
            let case_only = shown
                .iter()
                .any(|i| i.eq_ignore_ascii_case(provider.trim_end_matches('/')));
            let message = format!(
                "the trust policy of role `{role}` admits tokens of `{provider}`, not of {this}{}: no pod of this cluster can assume the role",
                if case_only {
                    " (IAM compares the cluster id case-sensitively)"
                } else {
                    ""
                }
            );
            let help = format!(
                "name this cluster's provider in the `Federated` principal and in the condition keys: `arn:<partition>:iam::<account>:oidc-provider/{}`",
                shown[0]
            );
            let span = policy_value_part_span(policy, value, provider);
            let mut diag = Diagnostic::new(IRSA307, &policy.source, span, message)
                .label("another cluster's OIDC provider")
                .help(help)
                .at_path(logical_path(policy, Some(stmt), "Principal.Federated"));
            for i in carriers(linked, p).take(3) {
                let sa = &linked.model.service_accounts[i];
                if let Some((annotation, _)) = role_arn_annotation(sa) {
                    diag = diag.related(
                        &sa.meta.source,
                        annotation.value.span,
                        format!(
                            "`{}` runs in this cluster and uses this role",
                            sa_label(linked, i)
                        ),
                    );
                }
            }
            out.push(diag);
        }
    }
}

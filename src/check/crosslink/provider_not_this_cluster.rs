//! IRSA307 provider-not-this-cluster: with `--cluster-issuer` or configured `clusters`, a trust
//! policy names only EKS OIDC providers of other clusters.
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
//! Actions or Google provider is not a cluster's). The known issuers are `--cluster-issuer` and
//! every configured cluster's ([`crate::link::LinkOptions::cluster_issuers`]): with several, a
//! trust must name at least one of them. Messages name a configured cluster by its `name`, and the
//! help builds the provider ARN in the role's account (else the cluster's `account`).

use crate::check::support::objects::sa_label;
use crate::check::support::role_arn::role_arn_annotation;
use crate::check::support::roles::{
    carriers, foreign_cluster_principals, issuer_host, policy_value_part_span, role_name,
};
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::oidc::parse_provider_arn;
use crate::registry::IRSA307;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    let issuers = linked.options.cluster_issuers();
    if issuers.is_empty() {
        return;
    }
    let shown: Vec<&str> = issuers.iter().map(|i| issuer_host(i)).collect();
    let cluster_name = |issuer: &str| {
        linked
            .options
            .cluster_of(issuer)
            .and_then(|c| c.name.as_deref())
    };
    let this = match (shown.as_slice(), issuers.as_slice()) {
        ([one], [issuer]) => match cluster_name(issuer) {
            Some(name) => format!("cluster `{name}`'s issuer `{one}`"),
            None => format!("this cluster's issuer `{one}`"),
        },
        _ => {
            let names: Vec<String> = issuers
                .iter()
                .zip(&shown)
                .map(|(issuer, host)| match cluster_name(issuer) {
                    Some(name) => format!("`{host}` ({name})"),
                    None => format!("`{host}`"),
                })
                .collect();
            let listed = match names.len() {
                0..=3 => names.join(", "),
                n => format!("{} and {} more", names[..3].join(", "), n - 3),
            };
            format!("any of the configured clusters' issuers {listed}")
        }
    };
    // The account for the suggested provider ARN: the only configured cluster's, when known.
    let cluster_account = match linked.options.clusters.as_slice() {
        [one] => one.account.clone(),
        _ => None,
    };
    for (p, policy) in linked.policies() {
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
            // The provider must be registered in the role's own account (IRSA314).
            let account = policy
                .role
                .as_ref()
                .and_then(|r| r.account.clone())
                .or_else(|| cluster_account.clone())
                .unwrap_or_else(|| "<account>".to_string());
            let partition = policy
                .role
                .as_ref()
                .and_then(|r| r.partition.clone())
                .unwrap_or_else(|| "<partition>".to_string());
            let help = format!(
                "name this cluster's provider in the `Federated` principal and in the condition keys: `arn:{partition}:iam::{account}:oidc-provider/{}`",
                shown[0]
            );
            let span = policy_value_part_span(policy, value, provider);
            let mut diag = Diagnostic::new(IRSA307, &policy.source, span, message)
                .label("another cluster's OIDC provider")
                .help(help)
                .at_path(logical_path(policy, Some(stmt), "Principal.Federated"));
            for i in carriers(linked, p).take(3) {
                let sa = linked.service_account(i);
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

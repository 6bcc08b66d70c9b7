//! IRSA407 pod-identity-cross-account-role: the role of a Pod Identity association is in another
//! account than the cluster.
//!
//! EKS passes the association's role with `iam:PassRole`, which requires the role to be in the
//! cluster's account (EKS user guide, "Access AWS resources using EKS Pod Identity target IAM
//! roles"): a role of another account must be the association's *target* role, assumed with the
//! credentials of a role in the cluster's account. Reported when both accounts are known: the
//! role ARN's, and the cluster's (from the association's ARN in CLI output, or the configuration's
//! `clusters` entry of that name).

use crate::check::support::pod_identity::{association_path, role_label, with_association};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::link::pod_identity::cluster_facts;
use crate::model::arn::parse_role_arn;
use crate::model::template::has_holes;
use crate::registry::IRSA407;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (_, association) in linked.associations() {
        let Some(role_arn) = association.role_arn.as_ref() else {
            continue;
        };
        let Some(arn) = parse_role_arn(role_arn.value.trim()) else {
            continue;
        };
        if has_holes(arn.account) {
            continue;
        }
        let Some(cluster_account) = cluster_facts(linked, association).account else {
            continue;
        };
        if cluster_account == arn.account {
            continue;
        }
        let role = role_label(&role_arn.value);
        let cluster = association
            .cluster
            .as_ref()
            .map_or("the cluster".to_string(), |c| {
                format!("cluster `{}`", c.value)
            });
        let message = format!(
            "the role of {} is in account {}, but {cluster} is in account {cluster_account}: EKS \
             Pod Identity only passes a role of the cluster's account",
            association.label, arn.account
        );
        let diag = Diagnostic::new(IRSA407, &association.source, role_arn.span, message)
            .label(format!("`{role}` is in another account"))
            .help(format!(
                "make `{}` the association's targetRoleArn, and give it as roleArn a role of \
                 account {cluster_account} that trusts `pods.eks.amazonaws.com`; the target's \
                 trust then admits that role",
                role_arn.value.trim()
            ))
            .at_path(association_path(association, "roleArn"));
        out.push(with_association(diag, association));
    }
}

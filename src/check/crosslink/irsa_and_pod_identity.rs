//! IRSA312 irsa-and-pod-identity: a ServiceAccount carries an IRSA role-arn annotation and is
//! named by an EKS Pod Identity association.
//!
//! Its pods then get two credential sources: the webhook injects `AWS_ROLE_ARN` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`, EKS injects `AWS_CONTAINER_CREDENTIALS_FULL_URI`. Which one an SDK
//! uses depends on the order of its credential chain, which differs between SDKs and versions, so
//! the finding does not claim one wins. Roles that differ make it an error: the pods' permissions
//! depend on the SDK. The same role (or one not known statically) is a warning: a migration left
//! half done.

use crate::check::support::objects::sa_label;
use crate::check::support::pod_identity::role_label;
use crate::check::support::role_arn::{role_arn_annotation, role_arn_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Linked;
use crate::model::arn::parse_role_arn;
use crate::model::template::has_holes;
use crate::registry::IRSA312;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, sa) in linked.service_accounts() {
        let associations = linked.associations_of_service_account(id);
        if associations.is_empty() {
            continue;
        }
        let Some((annotation, annotated)) = role_arn_annotation(sa) else {
            continue;
        };
        let others: Vec<&str> = associations
            .iter()
            .filter_map(|&a| linked.association(a).role_arn.as_ref())
            .map(|r| r.value.as_str())
            .filter(|r| differ(annotated, r))
            .collect();
        let first = linked.association(associations[0]);
        let mut diag = if let Some(other) = others.first() {
            Diagnostic::new(
                IRSA312,
                &sa.meta.source,
                annotation.value.span,
                format!(
                    "ServiceAccount `{}` is given two different roles: `{}` by this IRSA \
                     annotation and `{}` by an EKS Pod Identity association; its pods get both \
                     credential sources, and which role an SDK uses depends on its credential chain",
                    sa_label(linked, id),
                    role_label(annotated),
                    role_label(other)
                ),
            )
            .severity(Severity::Error)
            .label("IRSA gives this role")
        } else {
            Diagnostic::new(
                IRSA312,
                &sa.meta.source,
                annotation.value.span,
                format!(
                    "ServiceAccount `{}` gets AWS credentials both through this IRSA annotation \
                     and through an EKS Pod Identity association ({}); its pods get both \
                     credential sources, and which one an SDK uses depends on its credential chain",
                    sa_label(linked, id),
                    first.label
                ),
            )
            .label("IRSA role annotation")
        };
        diag = diag
            .help(
                "finish the migration: once the role's trust admits `pods.eks.amazonaws.com` and \
                 the pods run an SDK that supports EKS Pod Identity, remove the \
                 `eks.amazonaws.com/role-arn` annotation (or delete the association to stay on \
                 IRSA)",
            )
            .at_path(role_arn_path(&sa.meta));
        for &a in associations {
            let association = linked.association(a);
            let role = association.role_arn.as_ref().map_or_else(
                || "a role".to_string(),
                |r| format!("`{}`", role_label(&r.value)),
            );
            diag = diag.related(
                &association.source,
                association.anchor(),
                format!("{} gives it {role}", association.label),
            );
        }
        out.push(diag);
    }
}

/// True when two role ARNs certainly name different roles: both known, and partition, account or
/// name (ignoring case, as IAM does for role names) differ.
fn differ(a: &str, b: &str) -> bool {
    if has_holes(a) || has_holes(b) {
        return false;
    }
    match (parse_role_arn(a.trim()), parse_role_arn(b.trim())) {
        (Some(a), Some(b)) => {
            a.partition != b.partition
                || a.account != b.account
                || !a.name.eq_ignore_ascii_case(b.name)
        }
        _ => false,
    }
}

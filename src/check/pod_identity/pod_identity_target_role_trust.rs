//! IRSA408 pod-identity-target-role-trust: the trust of an association's target role is not
//! restricted to the association.
//!
//! With a target role, EKS Pod Identity assumes the association's role, then the target role with
//! that role's session, passing the association's external id (`sts:ExternalId`) and, unless
//! session tags are disabled, the session tags as transitive tags (EKS user guide, "Access AWS
//! resources using EKS Pod Identity target IAM roles"; API reference, `PodIdentityAssociation`
//! `externalId`). A statement of the target's trust that admits the role should name that role
//! (the role ARN as principal, or `aws:PrincipalArn`) and the association (`sts:ExternalId`, or a
//! session tag such as `aws:PrincipalTag/kubernetes-service-account`): an account principal
//! admits every principal of the account its policies allow, and the role alone admits every
//! association and every other use of the role.
//!
//! A target trust that does not admit the role at all is reported too: the pods then get no
//! credentials.

use crate::check::support::pod_identity::{
    association_path, association_subject, role_label, role_label_of,
};
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Tri};
use crate::link::Linked;
use crate::model::policy::{Principal, Statement};
use crate::registry::IRSA408;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, association) in linked.associations() {
        let links = linked.association_links(id);
        let (Some(target), Some((request, verdict)), Some(role_arn), Some(target_arn)) = (
            links.target_role.filter(|b| b.is_certain()),
            links.target_verdict.as_ref(),
            association.role_arn.as_ref(),
            association.target_role_arn.as_ref(),
        ) else {
            continue;
        };
        let policy = linked.policy(target.policy);
        let role = role_label(&role_arn.value);
        let target_role = role_label_of(&target_arn.value, policy);
        if verdict.is_denied() {
            let diag = Diagnostic::new(
                IRSA408,
                &association.source,
                target_arn.span,
                format!(
                    "the trust of target role `{target_role}` does not admit role `{role}`, so \
                     the pods of {} get no credentials",
                    association.label
                ),
            )
            .label(format!(
                "the trust of `{target_role}` does not admit `{role}`"
            ))
            .help(format!(
                "allow `sts:AssumeRole` to the principal `{}` in the trust of `{target_role}`, \
                 with a condition on `sts:ExternalId` or the session tags",
                role_arn.value.trim()
            ))
            .at_path(association_path(association, "targetRoleArn"));
            let diag = policy
                .statements
                .iter()
                .filter(|s| s.is_allow())
                .filter_map(|s| s.principal.as_ref())
                .fold(diag, |diag, p| {
                    diag.related(
                        &policy.source,
                        p.span,
                        "the principal this trust admits instead",
                    )
                });
            out.push(diag);
            continue;
        }
        for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
            let Some(principal) = &stmt.principal else {
                continue;
            };
            if engine::principal_matches(principal, request) != Tri::True
                || engine::evaluate_statement(stmt, request) == Tri::False
            {
                continue;
            }
            let to_role = names_role(stmt, role_arn.value.trim());
            let to_association = names_association(stmt);
            let missing = match (to_role, to_association) {
                (true, true) => continue,
                (false, true) => "the role (its ARN as principal, or `aws:PrincipalArn`)",
                (true, false) => {
                    "the association (`sts:ExternalId`, or a session tag such as `aws:PrincipalTag/kubernetes-service-account`)"
                }
                (false, false) => "either the role or the association",
            };
            let message = format!(
                "the trust of target role `{target_role}` admits role `{role}` of {} without \
                 being restricted to {missing}",
                association.label
            );
            let diag = Diagnostic::new(IRSA408, &policy.source, principal.span, message)
                .label("admits more than the association")
                .help(format!(
                    "name `{}` as the principal and add a condition on `sts:ExternalId` (the \
                     association's externalId) or on `aws:PrincipalTag/kubernetes-namespace` and \
                     `aws:PrincipalTag/kubernetes-service-account`",
                    role_arn.value.trim()
                ))
                .at_path(crate::check::support::statement::logical_path(
                    policy,
                    Some(stmt),
                    "Principal",
                ));
            out.push(with_target_association(diag, association));
        }
    }
}

/// True when the statement admits no AWS principal but the role: its `AWS` principal values are
/// exactly the role's ARN, or a positive condition names `aws:PrincipalArn`.
fn names_role(stmt: &Statement, role_arn: &str) -> bool {
    let by_condition = stmt.condition_entries().any(|(block, entry)| {
        entry.key.value.eq_ignore_ascii_case("aws:PrincipalArn")
            && block.operator.is_some_and(|o| !o.base.is_negated())
    });
    let by_principal = match stmt.principal.as_ref().map(|p| &p.principal) {
        Some(Principal::Map(entries)) => {
            let mut aws = entries
                .iter()
                .filter(|e| e.kind.value.eq_ignore_ascii_case("AWS"))
                .flat_map(|e| e.values.iter())
                .peekable();
            aws.peek().is_some() && aws.all(|v| v.text.trim() == role_arn)
        }
        _ => false,
    };
    by_condition || by_principal
}

/// True when a positive condition names something only the association's requests carry: its
/// external id, or an EKS Pod Identity session tag.
fn names_association(stmt: &Statement) -> bool {
    stmt.condition_entries().any(|(block, entry)| {
        let key = entry.key.value.as_str();
        block.operator.is_some_and(|o| !o.base.is_negated())
            && (key.eq_ignore_ascii_case("sts:ExternalId")
                || crate::check::support::pod_identity::session_tag_of(key).is_some())
    })
}

/// `diag` with the association as a related location, as the one that makes the target role
/// assumed.
fn with_target_association(
    diag: Diagnostic,
    association: &crate::model::pod_identity::PodIdentityAssociation,
) -> Diagnostic {
    let at = association
        .target_role_arn
        .as_ref()
        .map_or(association.anchor(), |t| t.span);
    diag.related(
        &association.source,
        at,
        format!(
            "{} makes `{}` assume this target role",
            association.label,
            association_subject(association)
        ),
    )
}

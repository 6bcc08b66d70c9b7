//! IRSA402 pod-identity-wrong-principal: the role of a Pod Identity association does not trust
//! the service principal `pods.eks.amazonaws.com`.
//!
//! EKS Pod Identity assumes the role itself, as that service principal: a trust written for IRSA
//! (a `Federated` OIDC provider with `sts:AssumeRoleWithWebIdentity`) admits no request of it, so
//! every pod of the association gets no credentials. The typical cause is a migration from IRSA
//! that created the association but left the role's trust as it was.
//!
//! Only a role matched with certainty is judged (not one matched by name in another account), and
//! only when no Allow statement's principal may admit the service (a `*` principal or a value
//! known only at deploy time may).

use crate::check::support::pod_identity::{
    JudgedRole, POD_IDENTITY_SERVICE, association_path, judged_role, pods_of, role_label_of,
    with_association,
};
use crate::diagnostic::Diagnostic;
use crate::engine::{self, Tri};
use crate::link::Linked;
use crate::model::policy::Principal;
use crate::registry::IRSA402;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, association) in linked.associations() {
        let Some(JudgedRole {
            policy,
            request,
            role_arn,
            ..
        }) = judged_role(linked, id)
        else {
            continue;
        };
        let allows = || policy.statements.iter().filter(|s| s.is_allow());
        let may_admit = allows().any(|s| {
            s.principal
                .as_ref()
                .is_some_and(|p| engine::principal_matches(p, request) != Tri::False)
        });
        if may_admit || allows().next().is_none() {
            continue;
        }
        let role = role_label_of(&role_arn.value, policy);
        let trusted = trusted_kinds(policy);
        let message = format!(
            "EKS Pod Identity cannot assume role `{role}` for {}, so pods running as {} get no \
             credentials: its trust policy does not trust the service principal \
             `{POD_IDENTITY_SERVICE}`{}",
            association.label,
            pods_of(linked, id),
            match trusted.as_str() {
                "" => String::new(),
                kinds => format!(" (it trusts only {kinds})"),
            }
        );
        let mut diag = Diagnostic::new(IRSA402, &association.source, role_arn.span, message)
            .label(format!(
                "the trust of `{role}` does not admit EKS Pod Identity"
            ))
            .help(format!(
                "add a statement to the trust of `{role}`: {{\"Effect\": \"Allow\", \"Principal\": \
                 {{\"Service\": \"{POD_IDENTITY_SERVICE}\"}}, \"Action\": [\"sts:AssumeRole\", \
                 \"sts:TagSession\"]}} with conditions on `aws:RequestTag/kubernetes-namespace` \
                 and `aws:RequestTag/kubernetes-service-account`; keep the IRSA statement until no \
                 pod uses the annotation"
            ))
            .at_path(association_path(association, "roleArn"));
        for stmt in allows() {
            if let Some(principal) = &stmt.principal {
                diag = diag.related(
                    &policy.source,
                    principal.span,
                    "the principal this statement trusts instead",
                );
            }
        }
        out.push(with_association(diag, association));
    }
}

/// What the Allow statements trust, for the message: `a Federated OIDC provider`, `the AWS
/// principal ...`.
fn trusted_kinds(policy: &crate::model::policy::TrustPolicy) -> String {
    let mut kinds: Vec<String> = Vec::new();
    for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
        let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
            continue;
        };
        for entry in entries {
            for value in &entry.values {
                let kind = format!("{} `{}`", entry.kind.value, value.text);
                if !kinds.contains(&kind) {
                    kinds.push(kind);
                }
            }
        }
    }
    kinds.truncate(3);
    kinds.join(", ")
}

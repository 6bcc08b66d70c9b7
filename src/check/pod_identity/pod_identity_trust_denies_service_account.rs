//! IRSA413 pod-identity-trust-denies-service-account: the trust of an association's role scopes
//! EKS Pod Identity by session tags that exclude the association's own namespace or
//! ServiceAccount (or cluster), so its pods get no credentials.
//!
//! The request is the one EKS makes for the association ([`crate::link::pod_identity`]): its
//! namespace and ServiceAccount as `aws:RequestTag/kubernetes-namespace` and
//! `kubernetes-service-account`, the cluster's name when written as text; the pod's name and uid
//! are unknown, and so decide nothing. Reported only when every Allow statement trusting the Pod
//! Identity principal fails on such a tag condition (a statement failing on its action is IRSA401
//! or IRSA403's), with session tags enabled (disabled tags are IRSA406's).

use crate::check::support::pod_identity::{
    JudgedRole, association_path, denied_by_session_tags, pods_of, role_label_of, with_association,
};
use crate::check::support::roles::entry_span;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA413;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, association) in linked.associations() {
        if association.tags_disabled() {
            continue;
        }
        let Some((
            JudgedRole {
                policy,
                request,
                role_arn,
                ..
            },
            misses,
        )) = denied_by_session_tags(linked, id)
        else {
            continue;
        };
        let (_, block, entry) = misses[0];
        let tag = entry.key.value.as_str();
        let value = request
            .context_values(tag)
            .first()
            .and_then(|v| v.known())
            .unwrap_or("?");
        let span = if tag.to_ascii_lowercase().ends_with("/kubernetes-namespace") {
            association.namespace.as_ref().map(|n| n.span)
        } else {
            association.service_account.as_ref().map(|n| n.span)
        }
        .unwrap_or(association.span);
        let role = role_label_of(&role_arn.value, policy);
        let message = format!(
            "pods running as {} get no credentials from {}: the trust of role `{role}` requires \
             `{tag}` to match {} (`{}`), and EKS Pod Identity tags their requests with `{value}`",
            pods_of(linked, id),
            association.label,
            values_of(entry),
            block.operator_name.value,
        );
        let mut diag = Diagnostic::new(IRSA413, &association.source, span, message)
            .label(format!("the trust of `{role}` excludes this"))
            .help(format!(
                "add `{value}` to the values of `{tag}` in the trust of `{role}`, or associate the \
                 ServiceAccount the trust is written for"
            ))
            .at_path(association_path(association, "serviceAccount"));
        for (_, block, entry) in &misses {
            diag = diag.related(
                &policy.source,
                entry_span(entry),
                format!(
                    "`{}` on this session tag does not hold for the association",
                    block.operator_name.value
                ),
            );
        }
        out.push(with_association(diag, association));
    }
}

/// The values of a condition entry, quoted, for a message.
fn values_of(entry: &crate::model::policy::ConditionEntry) -> String {
    let values: Vec<String> = entry
        .values
        .iter()
        .take(3)
        .map(|v| format!("`{}`", v.text))
        .collect();
    values.join(" or ")
}

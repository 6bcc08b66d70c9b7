//! IRSA406 pod-identity-tags-disabled-but-required: an association disables session tags while
//! the trust of its role requires an `aws:RequestTag/*` session tag.
//!
//! With `disableSessionTags`, EKS Pod Identity assumes the role without session tags: a condition
//! on `aws:RequestTag/kubernetes-namespace` (or any other tag) has no value to match, so it never
//! holds and the association's pods get no credentials.

use crate::check::support::pod_identity::{
    JudgedRole, association_path, denied_by_session_tags, pods_of, role_label_of, with_association,
};
use crate::check::support::roles::entry_span;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA406;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (id, association) in linked.associations() {
        let Some(disabled) = association
            .disable_session_tags
            .as_ref()
            .filter(|d| d.value)
        else {
            continue;
        };
        let Some((
            JudgedRole {
                policy, role_arn, ..
            },
            misses,
        )) = denied_by_session_tags(linked, id)
        else {
            continue;
        };
        let (_, _, entry) = misses[0];
        let role = role_label_of(&role_arn.value, policy);
        let message = format!(
            "{} disables session tags, but the trust of role `{role}` requires `{}`: without \
             tags the condition never holds, so pods running as {} get no credentials",
            association.label,
            entry.key.value,
            pods_of(linked, id)
        );
        let mut diag = Diagnostic::new(IRSA406, &association.source, disabled.span, message)
            .label("no session tags")
            .help(format!(
                "enable session tags on the association, or scope the trust of `{role}` without \
                 `aws:RequestTag/*` conditions (e.g. `aws:SourceArn` on the cluster)"
            ))
            .at_path(association_path(association, "disableSessionTags"));
        for (_, block, entry) in &misses {
            diag = diag.related(
                &policy.source,
                entry_span(entry),
                format!(
                    "`{}` on a session tag the association does not send",
                    block.operator_name.value
                ),
            );
        }
        out.push(with_association(diag, association));
    }
}

//! IRSA305 role-not-found: the input holds trust policies, but none belongs to the role a
//! ServiceAccount's annotation names.
//!
//! Cross-link checks (IRSA304, IRSA306, IRSA311, …) can only judge a ServiceAccount whose role's
//! trust policy is in the input. A role is matched by its identity (`aws iam get-role` /
//! `list-roles` / `get-account-authorization-details` output) or by a raw policy file named after
//! it (`payments-api.json`). When trust policies were given but this role is not among them, the
//! ServiceAccount was not checked — often a typo in the role name or a missing export — which is
//! worth saying once, as information. Quiet when the input has no trust policy at all, and for
//! annotations that are not role ARNs or still hold placeholders (IRSA201/IRSA114 report those).

use crate::check::support::objects::sa_label;
use crate::check::support::placeholders::looks_like_placeholder;
use crate::check::support::role_arn::{
    annotated_role, role_arn_annotation, role_arn_part_span, role_arn_path,
};
use crate::check::support::text::similar_name;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA305;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    if linked.model.policies.is_empty() {
        return;
    }
    let known: Vec<&str> = linked
        .model
        .policies
        .iter()
        .filter_map(|p| p.role_label())
        .collect();
    for (i, sa) in linked.service_accounts() {
        // Trust policies of the role that disagree are IRSA315's finding.
        if linked.annotation_binding(i).is_some() || linked.role_is_ambiguous(i) {
            continue;
        }
        let Some((annotation, text)) = role_arn_annotation(sa) else {
            continue;
        };
        let Some(arn) = annotated_role(sa) else {
            continue;
        };
        if arn.name.is_empty() || looks_like_placeholder(text) {
            continue;
        }
        let suggestion = similar_name(arn.name, known.iter().copied()).or_else(|| {
            known
                .iter()
                .copied()
                .find(|k| k.eq_ignore_ascii_case(arn.name) && *k != arn.name)
        });
        let message = format!(
            "ServiceAccount `{}` names role `{}`, but no trust policy of the input ({} given) belongs to it, so whether its pods may assume it was not checked",
            sa_label(linked, i),
            arn.name,
            linked.model.policies.len(),
        );
        let help = match suggestion {
            Some(name) => format!(
                "did you mean role `{name}`? Otherwise add the role's trust policy (`aws iam get-role --role-name {}` output, or the document saved as `{}.json`)",
                arn.name, arn.name
            ),
            None => format!(
                "add the role's trust policy to the input (`aws iam get-role --role-name {}` output, or the document saved as `{}.json`)",
                arn.name, arn.name
            ),
        };
        let span = role_arn_part_span(sa, arn.name).unwrap_or(annotation.value.span);
        out.push(
            Diagnostic::new(IRSA305, &sa.meta.source, span, message)
                .label("no trust policy for this role in the input")
                .help(help)
                .at_path(role_arn_path(&sa.meta)),
        );
    }
}

//! IRSA311 audience-mismatch: the audience a ServiceAccount's tokens carry is not one the role's
//! trust policy admits, while another audience would be.
//!
//! The webhook projects the pod's token for the ServiceAccount's `eks.amazonaws.com/audience`
//! annotation (default `sts.amazonaws.com`), and IAM checks the token's `aud` against the trust's
//! `<issuer>:aud` condition. This rule owns the denials that the audience alone causes: the same
//! subject with the webhook's default audience, or with an audience the trust names exactly,
//! would be admitted. Every other denial is IRSA304's (decision: one finding per cause, and the
//! fix differs — here change one audience string, there rewrite the trust).
//!
//! Skipped like IRSA304: name-only role links, Unknown verdicts.

use crate::check::support::annotations::annotation_path;
use crate::check::support::objects::sa_label;
use crate::check::support::role_arn::{annotated_role_name, role_arn_annotation, role_arn_path};
use crate::check::support::roles::{
    admitting_audience, aud_entries, entry_span, link_assumption, role_name,
};
use crate::diagnostic::Diagnostic;
use crate::engine::{STS_AUDIENCE, Tri};
use crate::link::verdict::audience_of;
use crate::link::{Binding, Linked};
use crate::model::k8s::annotations;
use crate::registry::IRSA311;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(verdict) = linked.verdict(i) else {
            continue;
        };
        if verdict.admitted != Tri::False
            || !linked
                .annotation_binding(i)
                .is_some_and(Binding::is_certain)
        {
            continue;
        }
        let Some(admitted) = admitting_audience(linked, i, verdict) else {
            continue;
        };
        let Some((role_annotation, _)) = role_arn_annotation(sa) else {
            continue;
        };
        let policy = linked.policy(verdict.policy);
        let actual = audience_of(linked, i);
        let role = annotated_role_name(sa)
            .map(str::to_string)
            .unwrap_or_else(|| role_name(linked, verdict.policy));
        let audience_annotation = sa
            .meta
            .annotation(annotations::AUDIENCE)
            .filter(|a| a.value.scalar_text().is_some_and(|t| !t.trim().is_empty()));
        let (span, path, origin) = match audience_annotation {
            Some(a) => (
                a.value.span,
                annotation_path(&sa.meta, annotations::AUDIENCE),
                "its `eks.amazonaws.com/audience` annotation",
            ),
            None => (
                role_annotation.value.span,
                role_arn_path(&sa.meta),
                "the webhook's default, as it sets no `eks.amazonaws.com/audience`",
            ),
        };
        let message = format!(
            "pods running as `{}` get tokens for audience `{actual}` ({origin}), but the trust policy of role `{role}` only admits audience `{admitted}`: `AssumeRoleWithWebIdentity` is denied{}",
            sa_label(linked, i),
            link_assumption(linked, i)
        );
        let help = if admitted == STS_AUDIENCE {
            format!(
                "remove the `eks.amazonaws.com/audience` annotation (the webhook then uses `{STS_AUDIENCE}`), or admit `{actual}` in the trust's `:aud` condition and add it to the OIDC provider's client IDs"
            )
        } else {
            format!(
                "set `eks.amazonaws.com/audience: {admitted}` on the ServiceAccount (the OIDC provider must list it as a client ID), or admit `{actual}` in the trust's `:aud` condition"
            )
        };
        let mut diag = Diagnostic::new(IRSA311, &sa.meta.source, span, message)
            .label(format!("audience `{actual}`"))
            .help(help)
            .at_path(path);
        for entry in aud_entries(policy) {
            diag = diag.related(
                &policy.source,
                entry_span(entry),
                format!("the trust admits these audiences, not `{actual}`"),
            );
        }
        out.push(diag);
    }
}

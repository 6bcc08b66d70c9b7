//! IRSA308 role-arn-mismatch: a ServiceAccount's role-arn annotation and the role of that name in
//! the input disagree on the rest of the ARN.
//!
//! The webhook copies the annotation verbatim into `AWS_ROLE_ARN`, and STS looks the role up by
//! that full ARN. Compared with the role's identity (`aws iam` output, matched by name):
//! - another account or partition (error): the pods ask for a different role than the one whose
//!   trust policy is in the input — usually a staging account id pasted into production manifests,
//!   or `aws` where the cluster is in `aws-cn` / `aws-us-gov`; the call fails or reaches a role
//!   nobody reviewed;
//! - another path (warning): a role's ARN includes its path (`role/teams/payments/api`), and an
//!   ARN with the wrong or a missing path does not name the role;
//! - the name differs only in case (info): IAM keeps role names unique ignoring case, but compares
//!   ARNs case-sensitively, so spell it as the role does.
//!
//! Points at the differing part of the annotation value.

use crate::check::support::objects::sa_label;
use crate::check::support::role_arn::{role_arn_annotation, role_arn_part_span, role_arn_path};
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Linked;
use crate::model::arn::parse_role_arn;
use crate::registry::IRSA308;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(binding) = linked.annotation_binding(i) else {
            continue;
        };
        let policy = linked.policy(binding.policy);
        let Some(identity) = &policy.role else {
            continue;
        };
        let Some((annotation, text)) = role_arn_annotation(sa) else {
            continue;
        };
        let Some(ann) = parse_role_arn(text) else {
            continue;
        };
        let role_arn_text = identity.arn.as_ref().map(|a| a.value.as_str());
        let role = role_arn_text.and_then(parse_role_arn);
        let role_partition = role
            .as_ref()
            .map(|r| r.partition)
            .or(identity.partition.as_deref());
        let role_account = role
            .as_ref()
            .map(|r| r.account)
            .or(identity.account.as_deref());
        let role_path = role
            .as_ref()
            .map(|r| r.path)
            .or(identity.path.as_ref().map(|p| p.value.as_str()));
        let role_name = role
            .as_ref()
            .map(|r| r.name)
            .or(identity.name.as_ref().map(|n| n.value.as_str()))
            .unwrap_or(ann.name);
        let shown = role_arn_text.unwrap_or(role_name);
        let who = sa_label(linked, i);

        let partition_differs = role_partition.is_some_and(|p| p != ann.partition);
        let account_differs = role_account.is_some_and(|a| a != ann.account);
        let (part, severity, message, label) = if partition_differs || account_differs {
            let what = match (partition_differs, account_differs) {
                (true, true) => format!(
                    "partition `{}` and account `{}`",
                    ann.partition, ann.account
                ),
                (true, false) => format!("partition `{}`", ann.partition),
                _ => format!("account `{}`", ann.account),
            };
            (
                if partition_differs {
                    ann.partition
                } else {
                    ann.account
                },
                Severity::Error,
                format!(
                    "ServiceAccount `{who}` names role `{}` in {what}, but the role `{role_name}` in the input is `{shown}`: its pods ask STS for another role than the one whose trust policy is here",
                    ann.name
                ),
                format!(
                    "the role in the input is in {}",
                    if partition_differs {
                        format!("partition `{}`", role_partition.unwrap_or("?"))
                    } else {
                        format!("account `{}`", role_account.unwrap_or("?"))
                    }
                ),
            )
        } else if role_path.is_some_and(|p| p != ann.path) {
            let path = role_path.unwrap_or("/");
            (
                ann.path,
                Severity::Warning,
                format!(
                    "ServiceAccount `{who}` names role `{}` with path `{}`, but the role's path is `{path}` (`{shown}`): STS looks the role up by its full ARN, path included, so `AssumeRoleWithWebIdentity` fails",
                    ann.name, ann.path
                ),
                format!("the role's path is `{path}`"),
            )
        } else if role_name != ann.name && role_name.eq_ignore_ascii_case(ann.name) {
            (
                ann.name,
                Severity::Info,
                format!(
                    "ServiceAccount `{who}` spells the role `{}`, but it is named `{role_name}`: role names are unique ignoring case, yet ARNs are compared case-sensitively",
                    ann.name
                ),
                format!("the role is named `{role_name}`"),
            )
        } else {
            continue;
        };
        let fixed = role_arn_text.unwrap_or(text);
        let span = role_arn_part_span(sa, part).unwrap_or(annotation.value.span);
        let mut diag = Diagnostic::new(IRSA308, &sa.meta.source, span, message)
            .severity(severity)
            .label(label)
            .help(format!(
                "set `eks.amazonaws.com/role-arn: {fixed}` if that is the intended role; otherwise add the annotated role's own trust policy to the input"
            ))
            .at_path(role_arn_path(&sa.meta));
        if let Some(arn) = &identity.arn {
            diag = diag.related(&policy.source, arn.span, "the role's ARN");
        } else if let Some(name) = &identity.name {
            diag = diag.related(&policy.source, name.span, "the role");
        }
        out.push(diag);
    }
}

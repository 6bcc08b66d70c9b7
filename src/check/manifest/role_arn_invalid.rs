//! IRSA201 role-arn-invalid: a ServiceAccount's `eks.amazonaws.com/role-arn` (or the role ARN a Helm
//! values file sets for one) is not a well-formed IAM role ARN.
//!
//! The EKS pod identity webhook does not validate the annotation: it only logs a warning when the
//! value does not match its role-ARN pattern, and copies the text as is into every container's
//! `AWS_ROLE_ARN`. The SDK then calls `sts:AssumeRoleWithWebIdentity` with that text, STS answers
//! with a validation or access error, and the pod has no AWS credentials. An empty value is worse
//! in a quieter way: the webhook treats the ServiceAccount as not using IRSA at all, so the pods
//! silently fall back to the node's instance role.
//!
//! Covered here: an empty value, leading or trailing whitespace (a `|` block scalar keeps its final
//! newline), a value that is not an ARN, an unknown partition, a service other than `iam`, a
//! region in the ARN (IAM ARNs have none), an account id that is not 12 digits, a resource that is
//! not `role/<path><name>`, and characters IAM never allows in a role path or name. Left to other
//! rules: placeholders (`[AWS_ACCOUNT_ID]`, `111122223333`: IRSA114), ARNs of something other than
//! a role (a user, a policy, an `sts` assumed-role: IRSA204) and non-string values (IRSA205).
//!
//! The ARN helpers ([`split_arn`], [`not_a_role`], [`role_arn_values`]) are in
//! `check::support::role_arn`, shared with IRSA204 and the manifest side of IRSA114, so that each
//! problem of a value is reported by exactly one rule.

use std::ops::Range;

use crate::check::support::placeholders::is_unfinished;
use crate::check::support::role_arn::{
    RoleArnOwner, not_a_role, resource_type, role_arn_values, split_arn,
};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::oidc::PARTITIONS;
use crate::model::written::{ScalarStyle, Written};
use crate::registry;
use crate::source::{SourceRef, Span};

/// The header of a block scalar (`|`, `|+`, `>-`...): the place that decides whether the final
/// newline is kept.
fn block_header_span(source: &SourceRef, value: &Written) -> Span {
    let raw = source.slice(value.span);
    let len = raw.find(['\n', '\r', ' ', '#']).unwrap_or(raw.len()).max(1);
    Span::new(value.span.start as usize, value.span.start as usize + len)
}

/// One problem of a role-arn value.
struct Problem {
    span: Span,
    label: String,
    message: String,
    help: String,
}

/// Characters IAM allows in a role name: `[A-Za-z0-9+=,.@_-]`.
fn is_role_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '+' | '=' | ',' | '.' | '@' | '_' | '-')
}

/// A path character: printable ASCII other than space (IAM's `\u0021-\u007E`).
fn is_path_char(c: char) -> bool {
    ('\u{21}'..='\u{7e}').contains(&c)
}

/// Leading or trailing whitespace: the webhook copies it into `AWS_ROLE_ARN`.
fn whitespace_problem(source: &SourceRef, value: &Written, text: &str) -> Option<Problem> {
    let lead = text.len() - text.trim_start().len();
    let trail_start = text.trim_end().len();
    if lead == 0 && trail_start == text.len() {
        return None;
    }
    let trailing = &text[trail_start..];
    let block = value
        .as_scalar()
        .is_some_and(|s| matches!(s.style, ScalarStyle::Literal | ScalarStyle::Folded));
    let newline_only = lead == 0 && trailing.chars().all(|c| c == '\n' || c == '\r');
    let (span, label, what) = if block && newline_only {
        (
            block_header_span(source, value),
            "this block scalar keeps the final newline".to_string(),
            "ends with a newline (a `|` or `>` block scalar keeps it)".to_string(),
        )
    } else if lead > 0 {
        (
            source.sub_span(value.span, text, 0..lead),
            "leading whitespace".to_string(),
            "starts with whitespace".to_string(),
        )
    } else {
        let what = if trailing.contains('\n') {
            "ends with a newline"
        } else {
            "ends with whitespace"
        };
        (
            source.sub_span(value.span, text, trail_start..text.len()),
            "trailing whitespace".to_string(),
            what.to_string(),
        )
    };
    let help = if block {
        "write the ARN on the annotation's line (`eks.amazonaws.com/role-arn: arn:aws:iam::...`), or \
         use `|-` / `>-` to strip the final newline"
            .to_string()
    } else {
        "remove the whitespace around the ARN".to_string()
    };
    Some(Problem {
        span,
        label,
        message: format!(
            "the role ARN {what}: the webhook copies the value verbatim into `AWS_ROLE_ARN`, STS \
             finds no role by that ARN and the pods get no AWS credentials"
        ),
        help,
    })
}

/// The first structural problem of a trimmed role-arn value (`base` is its offset in `text`).
fn structure_problem(
    source: &SourceRef,
    value: &Written,
    text: &str,
    base: usize,
) -> Option<Problem> {
    let arn = &text[base..text.trim_end().len()];
    let span_of = |r: Range<usize>| source.sub_span(value.span, text, base + r.start..base + r.end);
    let runtime = "STS rejects the ARN when the pods call `AssumeRoleWithWebIdentity`, so they get \
                   no AWS credentials";
    let Some(fields) = split_arn(arn) else {
        let (what, help) = if arn.starts_with("arn:") {
            (
                "is an incomplete ARN",
                "use the six-part form `arn:aws:iam::<12-digit account id>:role/<role name>`",
            )
        } else {
            (
                "is not an ARN",
                "use the role's full ARN, `arn:aws:iam::<12-digit account id>:role/<role name>` \
                 (`aws iam get-role --role-name <name> --query Role.Arn`); only a self-hosted \
                 webhook started with role-ARN composition accepts a bare name",
            )
        };
        return Some(Problem {
            span: span_of(0..arn.len()),
            label: "not an IAM role ARN".to_string(),
            message: format!("the role-arn annotation `{arn}` {what}: {runtime}"),
            help: help.to_string(),
        });
    };
    let partition = &arn[fields.partition.clone()];
    if !PARTITIONS.contains(&partition) {
        return Some(Problem {
            span: span_of(fields.partition.clone()),
            label: "unknown partition".to_string(),
            message: format!(
                "the role ARN's partition `{partition}` is not an AWS partition: {runtime}"
            ),
            help: "use `aws` (or `aws-cn`, `aws-us-gov` for those partitions): \
                   `arn:aws:iam::<account id>:role/<role name>`"
                .to_string(),
        });
    }
    let service = &arn[fields.service.clone()];
    if service != "iam" {
        return Some(Problem {
            span: span_of(fields.service.clone()),
            label: "not `iam`".to_string(),
            message: format!(
                "the role ARN names service `{service}`, but IAM roles live in service `iam`: \
                 {runtime}"
            ),
            help: "write `arn:<partition>:iam::<account id>:role/<role name>`".to_string(),
        });
    }
    let region = &arn[fields.region.clone()];
    if !region.is_empty() {
        return Some(Problem {
            span: span_of(fields.region.clone()),
            label: "IAM ARNs have no region".to_string(),
            message: format!(
                "the role ARN holds region `{region}`, but IAM is global and role ARNs have an \
                 empty region field (`iam::`): {runtime}"
            ),
            help: format!(
                "remove the region: `{}{}`",
                &arn[..fields.region.start],
                &arn[fields.region.end..]
            ),
        });
    }
    let account = &arn[fields.account.clone()];
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        let what = if account.is_empty() {
            "has no account id".to_string()
        } else if account.bytes().all(|b| b.is_ascii_digit()) {
            format!(
                "has account id `{account}` of {} digits, but AWS account ids have exactly 12",
                account.len()
            )
        } else {
            format!("has account id `{account}`, but AWS account ids are 12 digits")
        };
        return Some(Problem {
            span: if account.is_empty() {
                span_of(fields.account.start.saturating_sub(1)..fields.account.end + 1)
            } else {
                span_of(fields.account.clone())
            },
            label: "not a 12-digit account id".to_string(),
            message: format!("the role ARN {what}: {runtime}"),
            help: "copy the account id from `aws sts get-caller-identity --query Account --output \
                   text` (keep leading zeros: it is 12 digits, not a number)"
                .to_string(),
        });
    }
    let resource = &arn[fields.resource.clone()];
    let Some(path_and_name) = resource.strip_prefix("role/") else {
        let kind = resource_type(resource);
        return Some(Problem {
            span: span_of(fields.resource.start..fields.resource.start + kind.len().max(1)),
            label: "expected `role/<name>`".to_string(),
            message: format!(
                "the role ARN's resource `{resource}` is not `role/<name>`: {runtime}"
            ),
            help: "the resource part of a role ARN is `role/` followed by the role's path and \
                   name, e.g. `role/payments-api`"
                .to_string(),
        });
    };
    let name_start = path_and_name.rfind('/').map_or(0, |i| i + 1);
    let name = &path_and_name[name_start..];
    let off = fields.resource.start + "role/".len();
    if name.is_empty() {
        return Some(Problem {
            span: span_of(fields.resource.clone()),
            label: "no role name".to_string(),
            message: format!("the role ARN `{arn}` names no role after its path: {runtime}"),
            help: "end the ARN with the role's name, e.g. `role/payments-api`".to_string(),
        });
    }
    if let Some((i, c)) = path_and_name[..name_start]
        .char_indices()
        .find(|&(_, c)| !is_path_char(c))
        .or_else(|| {
            name.char_indices()
                .find(|&(_, c)| !is_role_name_char(c))
                .map(|(i, c)| (name_start + i, c))
        })
    {
        return Some(Problem {
            span: span_of(off + i..off + i + c.len_utf8()),
            label: "not allowed in a role name".to_string(),
            message: format!(
                "the role ARN holds {}, which IAM never allows in a role path or name: {runtime}",
                describe_char(c)
            ),
            help: "role names use only letters, digits and `+=,.@_-`; copy the ARN from `aws iam \
                   get-role --role-name <name> --query Role.Arn`"
                .to_string(),
        });
    }
    if name.len() > 64 {
        return Some(Problem {
            span: span_of(off + name_start..off + path_and_name.len()),
            label: "longer than 64 characters".to_string(),
            message: format!(
                "the role name in the ARN has {} characters, but IAM role names have at most 64: \
                 {runtime}",
                name.len()
            ),
            help: "copy the ARN from `aws iam get-role --role-name <name> --query Role.Arn`"
                .to_string(),
        });
    }
    None
}

fn describe_char(c: char) -> String {
    match c {
        ' ' => "a space".to_string(),
        '\t' => "a tab".to_string(),
        '\n' | '\r' => "a line break".to_string(),
        c => format!("`{c}`"),
    }
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for v in role_arn_values(linked) {
        let (source, value, text) = (v.source, v.value, v.text);
        let mut problems = Vec::new();
        if text.trim().is_empty() {
            // A chart's default (`roleArn: ""`) means "no IRSA" and its template leaves the
            // annotation out: only an annotation written empty is a problem.
            if v.owner == RoleArnOwner::Values {
                continue;
            }
            let message = if text.is_empty() {
                "the role-arn annotation is empty: the webhook treats the ServiceAccount as not \
                 using IRSA, so its pods get no role and fall back to the node's instance role"
            } else {
                "the role-arn annotation holds only whitespace: the webhook injects it as \
                 `AWS_ROLE_ARN`, STS rejects it and the pods get no AWS credentials"
            };
            problems.push(Problem {
                span: value.span,
                label: "no role ARN".to_string(),
                message: message.to_string(),
                help:
                    "set the role's ARN (`aws iam get-role --role-name <name> --query Role.Arn`), \
                       or remove the annotation if the pods need no AWS access"
                        .to_string(),
            });
        } else {
            problems.extend(whitespace_problem(source, value, text));
            // A placeholder (IRSA114's) or a template variable (`${ROLE_ARN}`) may stand for any
            // part of the ARN or all of it: the shape is only judged once it is filled in.
            let trimmed = text.trim();
            if !is_unfinished(trimmed) && not_a_role(trimmed).is_none() {
                let base = text.len() - text.trim_start().len();
                problems.extend(structure_problem(source, value, text, base));
            }
        }
        for p in problems {
            out.push(
                Diagnostic::new(
                    registry::IRSA201,
                    source,
                    p.span,
                    format!("{}: {}", v.label, p.message),
                )
                .label(p.label)
                .help(p.help)
                .at_path(v.path.clone()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_arns() {
        let t = "arn:aws:iam::483920175566:role/team/app";
        let f = split_arn(t).unwrap();
        assert_eq!(&t[f.partition], "aws");
        assert_eq!(&t[f.service], "iam");
        assert_eq!(&t[f.region], "");
        assert_eq!(&t[f.account], "483920175566");
        assert_eq!(&t[f.resource], "role/team/app");
        assert!(split_arn("arn:aws:iam::483920175566").is_none());
        assert!(split_arn("payments-api").is_none());
    }

    #[test]
    fn recognises_non_roles() {
        let kind = |t: &str| not_a_role(t).map(|n| n.kind);
        assert_eq!(
            kind("arn:aws:iam::483920175566:user/ci").as_deref(),
            Some("user")
        );
        assert_eq!(
            kind("arn:aws:sts::483920175566:assumed-role/payments-api/botocore-session-1")
                .as_deref(),
            Some("assumed-role")
        );
        assert_eq!(
            kind("arn:aws:iam::483920175566:instance-profile/eks-node").as_deref(),
            Some("instance-profile")
        );
        assert_eq!(
            kind("arn:aws:iam::483920175566:root").as_deref(),
            Some("root")
        );
        assert_eq!(kind("arn:aws:s3:::payments-bucket").as_deref(), Some("s3"));
        assert_eq!(kind("arn:aws:iam::483920175566:role/x"), None);
        assert_eq!(kind("arn:aws:iam:eu-west-1:483920175566:role/x"), None);
        assert_eq!(kind("arn:aws:sts::483920175566:role/x"), None);
    }

    #[test]
    fn role_name_characters() {
        assert!("payments-api_v2+=,.@".chars().all(is_role_name_char));
        assert!(!is_role_name_char(' '));
        assert!(!is_role_name_char('/'));
        assert!(!is_path_char(' '));
    }
}

//! The `eks.amazonaws.com/role-arn` annotation: its value, its parts and their spans, ARN fields,
//! and ARNs that name something other than a role.

use std::ops::Range;

use super::annotations::annotation_path;
use super::objects::sa_label;
use crate::link::{Linked, SaId};
use crate::model::arn::{RoleArn, parse_role_arn};
use crate::model::k8s::{Annotation, ObjectMeta, ServiceAccount, annotations};
use crate::model::template::has_holes;
use crate::model::written::Written;
use crate::source::{SourceRef, Span};

/// The role-arn annotation of a ServiceAccount with its trimmed text, when it is a string.
pub fn role_arn_annotation(sa: &ServiceAccount) -> Option<(&Annotation, &str)> {
    let annotation = sa.role_arn()?;
    let text = annotation.value.as_str()?.trim();
    Some((annotation, text))
}

/// The parsed role ARN a ServiceAccount's annotation names.
pub fn annotated_role(sa: &ServiceAccount) -> Option<RoleArn<'_>> {
    role_arn_annotation(sa).and_then(|(_, text)| parse_role_arn(text))
}

/// The name of the role a ServiceAccount's annotation names, for messages, unless it is known only
/// at deploy time (`role/${aws_iam_role.x.name}`: the trust's own name says more).
pub fn annotated_role_name(sa: &ServiceAccount) -> Option<&str> {
    annotated_role(sa)
        .map(|a| a.name)
        .filter(|name| !has_holes(name))
}

/// The logical path of the role-arn annotation.
pub fn role_arn_path(meta: &ObjectMeta) -> String {
    annotation_path(meta, annotations::ROLE_ARN)
}

/// Byte range of `part` inside `whole`, when `part` is a sub-slice of it.
pub fn range_in(whole: &str, part: &str) -> Option<Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some(start..start + part.len())
}

/// The span of a part of a ServiceAccount's role-arn annotation value (`part` must be a slice of
/// the annotation's trimmed text, as [`role_arn_annotation`] returns it).
pub fn role_arn_part_span(sa: &ServiceAccount, part: &str) -> Option<Span> {
    let annotation = sa.role_arn()?;
    let full = annotation.value.as_str()?;
    let range = range_in(full, part)?;
    Some(sa.meta.source.sub_span(annotation.value.span, full, range))
}

/// The six fields of `arn:partition:service:region:account:resource`, as byte ranges into the text
/// that was split. The resource keeps any further `:`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnFields {
    pub partition: Range<usize>,
    pub service: Range<usize>,
    pub region: Range<usize>,
    pub account: Range<usize>,
    pub resource: Range<usize>,
}

/// Split an ARN into its fields; None when the text does not start with `arn:` or has fewer than
/// six fields.
pub fn split_arn(text: &str) -> Option<ArnFields> {
    if !text.starts_with("arn:") {
        return None;
    }
    let colons: Vec<usize> = text.match_indices(':').map(|(i, _)| i).take(5).collect();
    if colons.len() < 5 {
        return None;
    }
    Some(ArnFields {
        partition: colons[0] + 1..colons[1],
        service: colons[1] + 1..colons[2],
        region: colons[2] + 1..colons[3],
        account: colons[3] + 1..colons[4],
        resource: colons[4] + 1..text.len(),
    })
}

/// What an ARN that is not a role's names, for IRSA204.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotARole {
    /// "an IAM user", "an STS assumed-role session", "an `s3` resource".
    pub what: String,
    /// The part to point at: the resource type (`user`), or the service for other services.
    pub range: Range<usize>,
    /// The resource type as written (`user`, `assumed-role`), or the service.
    pub kind: String,
}

/// IAM and STS resource types that are not roles, with how a message names them.
const NON_ROLE_TYPES: [(&str, &str); 11] = [
    ("user", "an IAM user"),
    ("group", "an IAM group"),
    ("policy", "an IAM managed policy"),
    ("instance-profile", "an EC2 instance profile"),
    ("oidc-provider", "an IAM OIDC identity provider"),
    ("saml-provider", "an IAM SAML identity provider"),
    ("server-certificate", "an IAM server certificate"),
    ("mfa", "an IAM MFA device"),
    ("root", "an account root user"),
    ("assumed-role", "an STS assumed-role session"),
    ("federated-user", "an STS federated user session"),
];

/// The resource type of an ARN's resource field: what comes before the first `/` (or `:`).
pub fn resource_type(resource: &str) -> &str {
    resource.split(['/', ':']).next().unwrap_or(resource)
}

/// When `text` is a well-formed ARN of something other than an IAM role (a user, a policy, an
/// instance profile, an OIDC provider, an STS session, another service's resource), what it
/// names. A mangled role ARN (`arn:aws:iam:eu-west-1:...:role/x`) is not this: it is IRSA201's.
pub fn not_a_role(text: &str) -> Option<NotARole> {
    let fields = split_arn(text)?;
    let service = &text[fields.service.clone()];
    let resource = &text[fields.resource.clone()];
    let kind = resource_type(resource);
    if let Some((_, what)) = NON_ROLE_TYPES.iter().find(|(t, _)| *t == kind)
        && matches!(service, "iam" | "sts")
    {
        let start = fields.resource.start;
        return Some(NotARole {
            what: (*what).to_string(),
            range: start..start + kind.len(),
            kind: kind.to_string(),
        });
    }
    // Another service's resource (`arn:aws:s3:::bucket`, `arn:aws:eks:...:cluster/x`). A value
    // whose resource is still `role/...` is a role ARN with a mangled service: IRSA201.
    let service_like = !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if service_like && !matches!(service, "iam" | "sts") && kind != "role" {
        return Some(NotARole {
            what: format!("an `{service}` resource"),
            range: fields.service.clone(),
            kind: service.to_string(),
        });
    }
    None
}

/// Where a role-arn value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleArnOwner {
    /// The `eks.amazonaws.com/role-arn` annotation of this ServiceAccount.
    ServiceAccount(SaId),
    /// A key of a Helm values file (`model::k8s::RoleArnSetting`): no ServiceAccount object.
    Values,
}

/// One role-arn value to judge: a ServiceAccount's annotation or a Helm values setting.
pub struct RoleArnValue<'a> {
    pub owner: RoleArnOwner,
    pub source: &'a SourceRef,
    pub value: &'a Written,
    /// The value's text, untrimmed.
    pub text: &'a str,
    /// For messages: ``ServiceAccount `payments/api` `` or
    /// ``values key `serviceAccount.annotations.eks.amazonaws.com/role-arn` ``.
    pub label: String,
    /// The logical path, for fingerprints.
    pub path: String,
}

impl RoleArnValue<'_> {
    /// What holds the value, to start a sentence: "the role-arn annotation of ServiceAccount
    /// `payments/api`", "the role ARN that values key `irsa.roleArn` sets".
    pub fn subject(&self) -> String {
        match self.owner {
            RoleArnOwner::ServiceAccount(_) => format!("the role-arn annotation of {}", self.label),
            RoleArnOwner::Values => format!("the role ARN that {} sets", self.label),
        }
    }
}

/// Every role-arn value that is a string: each ServiceAccount's annotation (in model order),
/// then each Helm values setting. Values with a YAML tag (`!GetAtt Role.Arn`, `!Sub ...`) are
/// skipped: a preprocessor computes them, so their text is not what the API server will see.
pub fn role_arn_values(linked: &Linked) -> impl Iterator<Item = RoleArnValue<'_>> {
    let annotations = linked.service_accounts().filter_map(|(i, sa)| {
        let annotation = sa.meta.annotation(annotations::ROLE_ARN)?;
        if annotation.value.tag.is_some() {
            return None;
        }
        let text = annotation.value.as_str()?;
        Some(RoleArnValue {
            owner: RoleArnOwner::ServiceAccount(i),
            source: &sa.meta.source,
            value: &annotation.value,
            text,
            label: format!("ServiceAccount `{}`", sa_label(linked, i)),
            path: role_arn_path(&sa.meta),
        })
    });
    let settings = linked.role_arn_settings().iter().filter_map(|s| {
        if s.value.tag.is_some() {
            return None;
        }
        let text = s.value.as_str()?;
        Some(RoleArnValue {
            owner: RoleArnOwner::Values,
            source: &s.source,
            value: &s.value,
            text,
            label: format!("values key `{}`", s.key_path),
            path: format!("values:{}", s.key_path),
        })
    });
    annotations.chain(settings)
}

/// A role-arn value as messages name it: the role's name when the value is a role ARN
/// (`payments-api`), else the trimmed value.
pub fn role_display(text: &str) -> &str {
    let text = text.trim();
    parse_role_arn(text).map_or(text, |r| r.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_ranges() {
        let s = "arn:aws:iam::483920175566:role/x";
        let a = parse_role_arn(s).unwrap();
        assert_eq!(range_in(s, a.account), Some(13..25));
        assert_eq!(range_in(s, "other"), None);
    }
}

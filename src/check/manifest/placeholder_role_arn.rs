//! IRSA114 placeholder-value, manifest side: a ServiceAccount's role-arn annotation (or the role ARN
//! a Helm values file sets for one) still holds a tutorial placeholder (`arn:aws:iam::[AWS_ACCOUNT_ID]:role/eks-demo-role`, `<ACCOUNT_ID>`,
//! `${AWS_ACCOUNT_ID}`, the documentation accounts `111122223333` / `123456789012`).
//!
//! `kubectl apply` stores the text as written and the webhook copies it into `AWS_ROLE_ARN`: no
//! role has that ARN, so `AssumeRoleWithWebIdentity` fails and the pods get no AWS credentials.
//! The placeholders are recognised by [`find_placeholders`] (`check::support::placeholders`), as
//! on the trust side (IRSA114), so a ServiceAccount and its role's trust policy are judged alike;
//! IRSA201 and IRSA204 leave values with placeholders to this rule.

use std::ops::Range;

use crate::check::support::placeholders::{
    DOCUMENTATION_ACCOUNTS, find_placeholders, replace_target,
};
use crate::check::support::role_arn::{role_arn_values, split_arn};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry;

/// A replacement hint from where the placeholder sits in the ARN.
fn help_for(arn: &str, range: Range<usize>, placeholder: &str) -> String {
    let target = replace_target(placeholder);
    let fields = split_arn(arn);
    let in_account = fields
        .as_ref()
        .is_some_and(|f| f.account.start <= range.start && range.end <= f.account.end);
    let in_resource = fields
        .as_ref()
        .is_some_and(|f| f.resource.start <= range.start && range.end <= f.resource.end);
    if in_account || DOCUMENTATION_ACCOUNTS.contains(&placeholder) {
        format!(
            "replace {target} with the 12-digit id of the account that owns the role \
             (`aws sts get-caller-identity --query Account --output text`)"
        )
    } else if in_resource {
        format!("replace {target} with the role's name")
    } else if range.start == 0 && range.end == arn.len() {
        format!(
            "replace {target} with the role's ARN (`aws iam get-role --role-name <name> \
             --query Role.Arn`), or render the template before applying the manifest"
        )
    } else {
        format!(
            "replace {target} with the real value, so the annotation reads \
             `arn:aws:iam::<12-digit account id>:role/<role name>`"
        )
    }
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for v in role_arn_values(linked) {
        let text = v.text;
        let base = text.len() - text.trim_start().len();
        let arn = text.trim();
        for (range, what) in find_placeholders(arn) {
            let placeholder = &arn[range.clone()];
            let span = v
                .source
                .sub_span(v.value.span, text, base + range.start..base + range.end);
            out.push(
                Diagnostic::new(
                    registry::IRSA114,
                    v.source,
                    span,
                    format!(
                        "{} still holds {what} `{placeholder}`: the webhook injects the text as \
                         is into `AWS_ROLE_ARN`, no role has that ARN, and the pods get no AWS \
                         credentials",
                        v.subject()
                    ),
                )
                .label("unreplaced placeholder")
                .help(help_for(arn, range, placeholder))
                .at_path(v.path.clone()),
            );
        }
    }
}

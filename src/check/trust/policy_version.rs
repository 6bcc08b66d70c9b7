//! IRSA115 policy-version: `Version` missing, the legacy `2008-10-17`, or a value IAM rejects.
//!
//! IAM knows two policy language versions. Without a `Version`, IAM evaluates the policy as
//! `2008-10-17`, the legacy version in which policy variables (`${aws:PrincipalTag/team}`,
//! `${www.amazon.com:user_id}`) are plain text and newer features are unavailable. Any value other
//! than `2012-10-17` or `2008-10-17` is rejected when the policy is saved (`MalformedPolicyDocument`).
//!
//! The rule looks at every trust policy the tool reads (the version is a property of the whole
//! document, not of one statement). A missing `Version` is reported at the document's opening
//! brace, the only place that exists to point at.

use crate::check::RuleContext;
use crate::check::support::statement::logical_path;
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::policy::TrustPolicy;
use crate::registry;
use crate::source::Span;

pub const CURRENT: &str = "2012-10-17";
pub const LEGACY: &str = "2008-10-17";

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    let fix = format!("put \"Version\": \"{CURRENT}\" first in the policy document");
    let diag = match (&policy.version, policy.version_key) {
        (Some(version), _) if version.value == CURRENT => return,
        (Some(version), _) if version.value == LEGACY => Diagnostic::new(
            registry::IRSA115,
            &policy.source,
            version.span,
            "this policy uses the legacy 2008-10-17 language: IAM treats policy variables \
                 such as `${aws:PrincipalTag/team}` as literal text and newer policy features \
                 are unavailable",
        )
        .label("legacy policy version")
        .help(format!("\"Version\": \"{CURRENT}\"")),
        (Some(version), _) => Diagnostic::new(
            registry::IRSA115,
            &policy.source,
            version.span,
            format!(
                "IAM rejects this policy (MalformedPolicyDocument): `{}` is not a policy \
                     language version, so the role cannot be created or updated with it",
                version.value
            ),
        )
        .severity(Severity::Error)
        .label("unknown policy version")
        .help(format!("\"Version\": \"{CURRENT}\"")),
        (None, Some(key_span)) => Diagnostic::new(
            registry::IRSA115,
            &policy.source,
            key_span,
            "IAM rejects this policy (MalformedPolicyDocument): `Version` must be the string \
                 `2012-10-17`, not a list or an object",
        )
        .severity(Severity::Error)
        .label("Version is not a string")
        .help(format!("\"Version\": \"{CURRENT}\"")),
        (None, None) => Diagnostic::new(
            registry::IRSA115,
            &policy.source,
            Span::new(
                policy.document_span.start as usize,
                policy.document_span.start as usize + 1,
            ),
            "without `Version`, IAM evaluates this policy as the legacy 2008-10-17 \
                 language: policy variables such as `${aws:PrincipalTag/team}` stay literal text \
                 and newer policy features are unavailable",
        )
        .label("no Version")
        .help(fix),
    };
    out.push(diag.at_path(logical_path(policy, None, "Version")));
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(version: &str) -> Vec<(String, Severity)> {
        let text = format!(
            r#"{{{version}"Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::483920175566:oidc-provider/x.example.com"}},"Action":"sts:AssumeRoleWithWebIdentity"}}]}}"#
        );
        let out = crate::check::support::run_check(check, &text);
        out.iter()
            .map(|d| {
                (
                    d.primary.source.slice(d.primary.span).to_string(),
                    d.severity,
                )
            })
            .collect()
    }

    #[test]
    fn versions() {
        assert!(run(r#""Version":"2012-10-17","#).is_empty());
        assert_eq!(run(""), [("{".to_string(), Severity::Warning)]);
        assert_eq!(
            run(r#""Version":"2008-10-17","#),
            [("\"2008-10-17\"".to_string(), Severity::Warning)]
        );
        assert_eq!(
            run(r#""Version":"2012-10-18","#),
            [("\"2012-10-18\"".to_string(), Severity::Error)]
        );
        assert_eq!(
            run(r#""Version":{},"#),
            [("\"Version\"".to_string(), Severity::Error)]
        );
    }
}

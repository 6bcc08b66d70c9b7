//! IRSA127 trust-size-quota: a trust policy over IAM's default 2,048-character quota.
//!
//! IAM limits a role trust policy to 2,048 characters by default ("Role trust policy length" in
//! the IAM and STS quotas; adjustable up to 8,192 through Service Quotas) and does not count white
//! space. A policy over the quota is refused when the role is created or its trust policy updated
//! (`LimitExceeded: Cannot exceed quota for ACLSizePerRole: 2048`), typically after a list of
//! service-account subjects has grown one entry too many; the role keeps its old trust policy.
//!
//! The size is measured on the document as IAM receives it (the frontend computes it,
//! `extract::policy::policy_size`): the policy is re-serialised as compact JSON (strings with JSON
//! escapes, numbers and literals as written) and every non-whitespace character is counted. This measures the same thing for a raw JSON file, a
//! YAML-embedded policy and a URL-encoded `AssumeRolePolicyDocument` (whose host-file text is
//! much longer than the policy). White space inside strings is not counted either, which can only
//! under-count: the rule never fires on a policy IAM would accept.

use crate::check::RuleContext;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA127;
use crate::source::Span;

/// IAM's default quota for a role trust policy, in non-whitespace characters.
pub const DEFAULT_QUOTA: usize = 2048;

/// The most the quota can be raised to.
pub const MAX_QUOTA: usize = 8192;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    let size = policy.size;
    if size <= DEFAULT_QUOTA {
        return;
    }
    // Point at the document's opening brace: the finding is about the whole document.
    let start = policy.document_span.start as usize;
    let span = Span::new(start, (start + 1).min(policy.document_span.end as usize));
    let beyond = if size > MAX_QUOTA {
        ", and over the 8,192 a quota increase allows, so IAM refuses it whatever the account's quota".to_string()
    } else {
        String::new()
    };
    let message = format!(
        "this trust policy has {} non-whitespace characters, over IAM's default 2,048-character quota for role trust policies{beyond}: creating or updating the role fails with `LimitExceeded: Cannot exceed quota for ACLSizePerRole`",
        thousands(size)
    );
    let help = if size > MAX_QUOTA {
        "shrink the policy: merge subjects into one `StringLike` pattern per namespace (`system:serviceaccount:<namespace>:*`) or split the workloads across several roles"
    } else {
        "shrink the policy (list fewer subjects, e.g. one `StringLike` pattern per namespace, or split the workloads across several roles), or raise the account's \"Role trust policy length\" quota in Service Quotas (up to 8,192)"
    };
    out.push(
        Diagnostic::new(IRSA127, &policy.source, span, message)
            .label(format!("{} characters > 2,048", thousands(size)))
            .help(help)
            .at_path(logical_path(policy, None, "")),
    );
}

/// `2266` → `2,266`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::extract::policy::policy_size;
    use crate::parse::tree::{Limits, Node};
    use crate::parse::{self, FileKind};

    fn root(text: &str, kind: FileKind) -> Node {
        let parsed = parse::parse(text, kind, Limits::default());
        parsed.documents.into_iter().next().unwrap().root.unwrap()
    }

    #[test]
    fn size_ignores_layout() {
        let compact = r#"{"a":["b c",1,true,null],"d":{}}"#;
        let pretty = "{\n  \"a\": [ \"b c\", 1, true, null ],\n  \"d\": { }\n}\n";
        // `b c` counts 2 (its space is white space), everything else as written.
        let expected = compact.chars().filter(|c| !c.is_whitespace()).count();
        assert_eq!(policy_size(&root(compact, FileKind::Json)), expected);
        assert_eq!(policy_size(&root(pretty, FileKind::Json)), expected);
        let yaml = "a:\n  - b c\n  - 1\n  - true\n  - null\nd: {}\n";
        assert_eq!(policy_size(&root(yaml, FileKind::Yaml)), expected);
        assert_eq!(policy_size(&root(r#"{"q":"a\"b"}"#, FileKind::Json)), 12);
    }

    #[test]
    fn fires_over_the_quota_at_the_opening_brace() {
        let subjects: Vec<String> = (0..60)
            .map(|i| format!("\"system:serviceaccount:payments:worker-{i:02}\""))
            .collect();
        let text = format!(
            r#"  {{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
 "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"}},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {{"StringEquals": {{"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub": [{}]}}}}}}]}}"#,
            subjects.join(", ")
        );
        let out = crate::check::support::run_check(check, &text);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].primary.span, Span::new(2, 3));
        assert_eq!(thousands(2266), "2,266");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234567), "1,234,567");
    }
}

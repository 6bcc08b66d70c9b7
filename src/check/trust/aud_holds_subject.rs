//! IRSA101 aud-holds-subject: a `:aud` condition holds service-account subjects, or a `:sub`
//! condition holds the STS audience.
//!
//! The two claims are easy to mix up and IAM accepts either spelling. But a token's `aud` is the
//! audience it was minted for (`sts.amazonaws.com` for IRSA and for GitHub Actions' AWS action), and
//! its `sub` the identity it was issued to (`system:serviceaccount:<namespace>:<name>` for an EKS
//! pod, `repo:<owner>/<repo>:...` for a GitHub workflow). A subject under `:aud` never matches, so
//! an Allow built that way admits nobody — and, worse, the author believes the role is scoped to
//! a namespace while no `:sub` condition exists at all (the tutorial this tool was seeded from
//! does exactly that).

use crate::check::RuleContext;
use crate::check::support::statement::{
    dead_entry_effect, entry_path, is_eks_key, is_opaque, web_identity_statements,
};
use crate::check::support::subjects::{looks_like_sts_audience, looks_like_subject};
use crate::diagnostic::Diagnostic;
use crate::engine::STS_AUDIENCE;
use crate::model::oidc::parse_provider_key;
use crate::model::policy::{ConditionBlock, ConditionEntry, PolicyValue, Statement, TrustPolicy};
use crate::registry::IRSA101;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        for (block, entry) in stmt.claim_entries("aud") {
            report(policy, stmt, block, entry, Misplaced::SubjectInAud, out);
        }
        for (block, entry) in stmt.claim_entries("sub") {
            report(policy, stmt, block, entry, Misplaced::AudienceInSub, out);
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Misplaced {
    SubjectInAud,
    AudienceInSub,
}

fn report(
    policy: &TrustPolicy,
    stmt: &Statement,
    block: &ConditionBlock,
    entry: &ConditionEntry,
    kind: Misplaced,
    out: &mut Vec<Diagnostic>,
) {
    let Some(op) = block.operator else { return };
    if !op.base.is_string_like() {
        return;
    }
    let is_wrong = |v: &PolicyValue| {
        !is_opaque(v)
            && match kind {
                Misplaced::SubjectInAud => looks_like_subject(&v.text),
                Misplaced::AudienceInSub => looks_like_sts_audience(&v.text),
            }
    };
    let wrong: Vec<&PolicyValue> = entry.values.iter().filter(|v| is_wrong(v)).collect();
    let Some(first) = wrong.first() else { return };
    let all_wrong = wrong.len() == entry.values.len();
    let key = &entry.key.value;
    let eks = is_eks_key(key);
    let effect = match dead_entry_effect(stmt, op.base.is_negated(), all_wrong, eks) {
        "this value never matches" if wrong.len() > 1 => "these values never match",
        effect => effect,
    };
    // The issuer part of the key, known or not (`${cluster_url}` of `${cluster_url}:aud`).
    let provider = parse_provider_key(key).map_or_else(
        || {
            key.rsplit_once(':')
                .map_or(key.as_str(), |(issuer, _)| issuer)
        },
        |k| k.provider,
    );
    let subject_example = if eks {
        "`system:serviceaccount:<namespace>:<name>`"
    } else {
        "the identity the token was issued to"
    };
    let (message, label, help, value_note) = match kind {
        Misplaced::SubjectInAud => (
            format!(
                "{effect}: `{key}` is the token's audience ({}), never a subject such as `{}`",
                if eks {
                    "`sts.amazonaws.com` for IRSA"
                } else {
                    "normally `sts.amazonaws.com`"
                },
                first.text
            ),
            "`aud` never holds a subject",
            format!(
                "move the subject under the `:sub` key and check the audience separately: `\"{provider}:sub\": \"{}\"` and `\"{provider}:aud\": \"{STS_AUDIENCE}\"` (the latter under StringEquals)",
                first.text
            ),
            "a subject: it belongs under `:sub`",
        ),
        Misplaced::AudienceInSub => (
            format!(
                "{effect}: `{key}` is the token's subject ({subject_example}), never the audience `{}`",
                first.text
            ),
            "`sub` never holds the audience",
            format!(
                "check the audience under the `:aud` key and the subject under `:sub`: `\"{provider}:aud\": \"{STS_AUDIENCE}\"` and `\"{provider}:sub\": {}`",
                if eks {
                    "\"system:serviceaccount:<namespace>:<service-account>\""
                } else {
                    "\"<subject>\""
                }
            ),
            "the audience: it belongs under `:aud`",
        ),
    };
    let mut diag = Diagnostic::new(IRSA101, &policy.source, entry.key.span, message)
        .label(label)
        .help(help)
        .at_path(entry_path(policy, stmt, block, entry, None));
    for value in wrong {
        diag = diag.related(&policy.source, value.span, value_note);
    }
    out.push(diag);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_swapped_values() {
        assert!(looks_like_subject("system:serviceaccount:demo-namespace:*"));
        assert!(looks_like_subject("system:serviceaccounts:demo"));
        assert!(looks_like_subject("repo:octo/app:ref:refs/heads/main"));
        assert!(!looks_like_subject("sts.amazonaws.com"));
        assert!(looks_like_sts_audience("sts.amazonaws.com"));
        assert!(looks_like_sts_audience("https://STS.amazonaws.com/"));
        assert!(!looks_like_sts_audience("system:serviceaccount:a:b"));
    }
}

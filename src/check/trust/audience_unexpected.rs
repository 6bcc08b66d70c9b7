//! IRSA122 audience-unexpected: an EKS issuer's `:aud` condition that cannot match the STS
//! audience, because of a misspelt `sts.amazonaws.com`.
//!
//! The EKS pod identity webhook mounts tokens minted for the audience `sts.amazonaws.com` (in
//! every partition, China included). A condition on `aud` that only accepts `sts.amazon.com`,
//! `https://sts.amazonaws.com`, `sts.amazonaws.com/` or `STS.amazonaws.com` (case-sensitive
//! operator) matches no pod's token: the Allow admits nobody, and the pod's SDK gets
//! `AccessDenied` from `AssumeRoleWithWebIdentity`.
//!
//! Decisions: a service account may legitimately request another audience
//! (`eks.amazonaws.com/audience` annotation), so only values that are recognisably an attempt at
//! the STS audience are reported — a custom audience such as `my-app` or `beta-sts.amazonaws.com`
//! is not. Nothing is reported when some value of the entry matches `sts.amazonaws.com`, when a
//! value is not known statically, or when the entry holds service-account subjects (IRSA101).

use crate::check::RuleContext;
use crate::check::support::statement::{
    dead_entry_effect, entry_path, is_eks, is_eks_key, is_opaque, string_mode,
};
use crate::check::support::subjects::{bare_audience, looks_like_subject};
use crate::diagnostic::Diagnostic;
use crate::engine::STS_AUDIENCE;
use crate::engine::matcher::value_matches;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA122;

pub fn check(policy: &TrustPolicy, context: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in policy.statements.iter().filter(|s| is_eks(s)) {
        for (block, entry) in stmt.claim_entries("aud") {
            let Some(op) = block.operator else { continue };
            if string_mode(op.base).is_none() || !is_eks_key(&entry.key.value) {
                continue;
            }
            if entry.values.is_empty()
                || entry
                    .values
                    .iter()
                    .any(|v| is_opaque(v) || looks_like_subject(&v.text))
                || entry
                    .values
                    .iter()
                    .any(|v| value_matches(op.base, &v.text, STS_AUDIENCE).is_possible())
            {
                continue;
            }
            let consequence = match dead_entry_effect(stmt, op.base.is_negated(), true, true) {
                "this condition holds for every token" => {
                    "this condition holds for every IRSA token"
                }
                effect => effect,
            };
            for (i, value) in entry.values.iter().enumerate() {
                // A configured audience is used on purpose, however close to the STS one it is.
                let configured = context
                    .audiences
                    .iter()
                    .any(|a| a.trim() == value.text.trim());
                if configured || !looks_like_sts_attempt(&value.text) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        IRSA122,
                        &policy.source,
                        value.span,
                        format!(
                            "{consequence}: an IRSA token's `aud` is exactly `{STS_AUDIENCE}`, which `{}` does not match under `{}`",
                            value.text, block.operator_name.value
                        ),
                    )
                    .label(format!("not `{STS_AUDIENCE}`"))
                    .help(format!("use `\"{STS_AUDIENCE}\"`"))
                    .at_path(entry_path(policy, stmt, block, entry, Some(i))),
                );
            }
        }
    }
}

/// A value that is recognisably meant to be `sts.amazonaws.com`: the same host with a scheme,
/// trailing slash, other case or whitespace, a small misspelling, or another STS host name.
pub fn looks_like_sts_attempt(text: &str) -> bool {
    let bare = bare_audience(text);
    let bare = bare.as_str();
    bare == "sts"
        || bare == "amazonaws.com"
        || (bare.starts_with("sts.") && (bare.contains("amazon") || bare.contains("aws")))
        || levenshtein_distance(bare, STS_AUDIENCE) <= 3
}

/// Levenshtein distance over characters. Kept apart from `support::text::edit_distance` (which
/// counts a transposition as one edit) so that this rule's threshold of 3 keeps its meaning.
fn levenshtein_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let next = (row[j + 1] + 1).min(row[j] + 1).min(prev + cost);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        for bad in [
            "sts.amazon.com",
            "https://sts.amazonaws.com",
            "sts.amazonaws.com/",
            "STS.amazonaws.com",
            " sts.amazonaws.com",
            "sts.amazonws.com",
            "sts.eu-west-1.amazonaws.com",
            "amazonaws.com",
        ] {
            assert!(looks_like_sts_attempt(bad), "{bad}");
        }
        for custom in [
            "my-app",
            "beta-sts.amazonaws.com",
            "vault",
            "https://kubernetes.default.svc",
        ] {
            assert!(!looks_like_sts_attempt(custom), "{custom}");
        }
        assert_eq!(levenshtein_distance("sts.amazon.com", STS_AUDIENCE), 3);
    }
}

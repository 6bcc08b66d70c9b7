//! IRSA121 subject-malformed: a `:sub` value on an EKS issuer, or one starting with
//! `system:serviceaccount:` on any issuer, that can never match a service account's subject.
//!
//! EKS projected tokens always carry `sub` = `system:serviceaccount:<namespace>:<name>`, with
//! Kubernetes names: lower case, alphanumerics and `-` (plus `.` in service-account names),
//! no `:`. A value of another shape — plural `serviceaccounts` (the *group* prefix), a missing
//! prefix, `ns/sa`, upper case under a case-sensitive operator, stray whitespace, an empty part —
//! matches no token: an Allow built on it admits nobody (the pod gets `AccessDenied` from
//! `AssumeRoleWithWebIdentity`), a Deny built on it never applies.
//!
//! Values are analysed with the operator's matching (`StringLike` wildcards, `IgnoreCase`). Left
//! to other rules: literal `*`/`?` under an exact operator (IRSA106), the STS audience under `:sub`
//! (IRSA101), placeholders such as `<namespace>` or `$name` (IRSA114/IRSA003), values not known
//! statically. `Arn*` operators are not analysed.

use crate::check::RuleContext;
use crate::check::support::placeholders::looks_like_placeholder;
use crate::check::support::statement::{
    dead_entry_effect, entry_path, is_eks, is_eks_key, is_opaque, string_mode,
};
use crate::check::support::subjects::{
    SUBJECT_PREFIX, SubjectScope, analyse_subject, looks_like_sts_audience, value_sub_span,
    wildcard_offsets,
};
use crate::diagnostic::Diagnostic;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA121;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        let eks_statement = is_eks(stmt);
        for (block, entry) in stmt.claim_entries("sub") {
            let Some(op) = block.operator else { continue };
            let Some((ignore_case, like)) = string_mode(op.base) else {
                continue;
            };
            // On an EKS issuer every value is a service-account subject. On any other issuer
            // (a self-managed cluster's, one not written out) a value that starts like one
            // (`system:serviceaccount`, any case, the plural group prefix included) is meant as
            // one, and is held to its shape.
            let eks_entry = eks_statement && is_eks_key(&entry.key.value);
            let stem = SUBJECT_PREFIX.trim_end_matches(':');
            let meant_as_subject = |text: &str| {
                eks_entry
                    || text
                        .get(..stem.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(stem))
            };
            if !entry.values.iter().any(|v| meant_as_subject(&v.text)) {
                continue;
            }
            let dead = |text: &str| {
                analyse_subject(text, like, ignore_case).scope == SubjectScope::Nothing
            };
            let all_dead = !entry.values.is_empty()
                && entry
                    .values
                    .iter()
                    .all(|v| !is_opaque(v) && meant_as_subject(&v.text) && dead(&v.text));
            let consequence = dead_entry_effect(stmt, op.base.is_negated(), all_dead, true);
            for (i, value) in entry.values.iter().enumerate() {
                let text = &value.text;
                if !meant_as_subject(text)
                    || is_opaque(value)
                    || looks_like_placeholder(text)
                    || looks_like_sts_audience(text)
                    || (!like && !wildcard_offsets(text).is_empty())
                    || !dead(text)
                {
                    continue;
                }
                let why = explain(text, like, ignore_case);
                let span = match why.at {
                    Some((offset, len)) => value_sub_span(policy, value, offset, len),
                    None => value.span,
                };
                let help = match why.suggestion.filter(|s| {
                    analyse_subject(s, like, ignore_case).scope != SubjectScope::Nothing
                }) {
                    Some(fixed) => format!("use `\"{fixed}\"`"),
                    None => format!(
                        "write the subject as `\"{SUBJECT_PREFIX}<namespace>:<service-account>\"`"
                    ),
                };
                out.push(
                    Diagnostic::new(
                        IRSA121,
                        &policy.source,
                        span,
                        if text.is_empty() {
                            format!(
                                "{consequence}: this `:sub` value is empty, and every EKS token's `sub` is `{SUBJECT_PREFIX}<namespace>:<name>`"
                            )
                        } else {
                            format!(
                                "{consequence}: no EKS token's `sub` can match `{text}`, which {}",
                                why.reason
                            )
                        },
                    )
                    .label(why.label)
                    .help(help)
                    .at_path(entry_path(policy, stmt, block, entry, Some(i))),
                );
            }
        }
    }
}

struct Explanation {
    reason: String,
    label: &'static str,
    /// Byte offset and length of the offending part; None for the whole value.
    at: Option<(usize, usize)>,
    suggestion: Option<String>,
}

fn explanation(
    reason: impl Into<String>,
    label: &'static str,
    at: Option<(usize, usize)>,
    suggestion: Option<String>,
) -> Explanation {
    Explanation {
        reason: reason.into(),
        label,
        at,
        suggestion,
    }
}

/// Why a value matches no valid subject, where, and a corrected value when one is obvious.
fn explain(text: &str, like: bool, ignore_case: bool) -> Explanation {
    const PLURAL: &str = "system:serviceaccounts:";
    let starts = |prefix: &str| {
        text.get(..prefix.len()).is_some_and(|head| {
            if ignore_case {
                head.eq_ignore_ascii_case(prefix)
            } else {
                head == prefix
            }
        })
    };
    if text.is_empty() {
        return explanation("is empty", "empty subject", None, None);
    }
    if let Some((at, c)) = text.char_indices().find(|(_, c)| c.is_whitespace()) {
        let fixed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        return explanation(
            "contains whitespace",
            "whitespace",
            Some((at, c.len_utf8())),
            Some(fixed),
        );
    }
    if starts(PLURAL) {
        return explanation(
            "starts with `system:serviceaccounts:` (plural): that is the prefix of the service-account groups, not of a subject",
            "plural `serviceaccounts`",
            Some((PLURAL.len() - 2, 1)),
            Some(format!("{SUBJECT_PREFIX}{}", &text[PLURAL.len()..])),
        );
    }
    let lower = text.to_lowercase();
    let first_upper = text
        .char_indices()
        .find(|(_, c)| c.is_uppercase())
        .map(|(at, c)| (at, c.len_utf8()));
    if !starts(SUBJECT_PREFIX) {
        if lower.starts_with(SUBJECT_PREFIX) || lower.starts_with(PLURAL) {
            return explanation(
                "has upper-case letters, but subjects and Kubernetes names are lower case",
                "upper case",
                first_upper,
                Some(lower.replacen(PLURAL, SUBJECT_PREFIX, 1)),
            );
        }
        if !text.starts_with("system:") {
            let parts: Vec<&str> = text.split([':', '/']).collect();
            if parts.len() == 2 && parts.iter().all(|p| !p.is_empty()) {
                return explanation(
                    "lacks the `system:serviceaccount:` prefix",
                    "missing `system:serviceaccount:`",
                    None,
                    Some(format!("{SUBJECT_PREFIX}{}:{}", parts[0], parts[1])),
                );
            }
        }
        return explanation(
            "does not start with `system:serviceaccount:`",
            "not a service-account subject",
            None,
            None,
        );
    }
    let base = SUBJECT_PREFIX.len();
    let rest = &text[base..];
    if !rest.contains(':')
        && let Some(slash) = rest.find('/')
    {
        return explanation(
            "separates namespace and service account with `/` instead of `:`",
            "`/` instead of `:`",
            Some((base + slash, 1)),
            Some(text.replacen('/', ":", 1)),
        );
    }
    if !ignore_case && first_upper.is_some() {
        return explanation(
            "has upper-case letters, but Kubernetes namespace and service-account names are lower case",
            "upper case",
            first_upper,
            Some(lower),
        );
    }
    let Some((ns, name)) = rest.split_once(':') else {
        return explanation(
            "names no service account after the namespace",
            "no service-account name",
            None,
            None,
        );
    };
    if ns.is_empty() {
        return explanation("has an empty namespace", "empty namespace", None, None);
    }
    if name.is_empty() {
        return explanation(
            "has an empty service-account name",
            "empty service-account name",
            None,
            None,
        );
    }
    if let Some(extra) = name.find(':') {
        return explanation(
            "has more than two parts after the prefix, but Kubernetes names cannot contain `:`",
            "extra `:`",
            Some((base + ns.len() + 1 + extra, 1)),
            None,
        );
    }
    let wildcard = |c: char| like && (c == '*' || c == '?');
    let lower_ok = |c: char| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || ignore_case && c.is_ascii_alphabetic()
    };
    if let Some((at, c)) = ns
        .char_indices()
        .find(|&(_, c)| !(lower_ok(c) || c == '-' || wildcard(c)))
    {
        return explanation(
            format!("has `{c}` in the namespace, a character Kubernetes names cannot contain"),
            "not allowed in a namespace name",
            Some((base + at, c.len_utf8())),
            (c == '_').then(|| text.replace('_', "-")),
        );
    }
    let name_at = base + ns.len() + 1;
    if let Some((at, c)) = name
        .char_indices()
        .find(|&(_, c)| !(lower_ok(c) || c == '-' || c == '.' || wildcard(c)))
    {
        return explanation(
            format!(
                "has `{c}` in the service-account name, a character Kubernetes names cannot contain"
            ),
            "not allowed in a service-account name",
            Some((name_at + at, c.len_utf8())),
            (c == '_').then(|| text.replace('_', "-")),
        );
    }
    explanation(
        "has a namespace or name that does not start and end with a letter or digit",
        "not a valid Kubernetes name",
        None,
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explains_and_fixes() {
        let cases: &[(&str, &str)] = &[
            (
                "system:serviceaccounts:prod:api",
                "system:serviceaccount:prod:api",
            ),
            (
                "system:serviceaccount:prod/api",
                "system:serviceaccount:prod:api",
            ),
            (
                "system:serviceaccount:Prod:api",
                "system:serviceaccount:prod:api",
            ),
            (
                "System:ServiceAccount:prod:api",
                "system:serviceaccount:prod:api",
            ),
            ("prod:api", "system:serviceaccount:prod:api"),
            ("prod/api", "system:serviceaccount:prod:api"),
            (
                " system:serviceaccount:prod:api",
                "system:serviceaccount:prod:api",
            ),
            (
                "system:serviceaccount:prod:my_api",
                "system:serviceaccount:prod:my-api",
            ),
        ];
        for (bad, good) in cases {
            assert_eq!(
                analyse_subject(bad, false, false).scope,
                SubjectScope::Nothing,
                "{bad}"
            );
            assert_eq!(
                explain(bad, false, false).suggestion.as_deref(),
                Some(*good),
                "{bad}"
            );
        }
        assert_eq!(
            explain("system:serviceaccount::", false, false).reason,
            "has an empty namespace"
        );
        assert!(
            explain("system:serviceaccount:prod", false, false)
                .suggestion
                .is_none()
        );
    }
}

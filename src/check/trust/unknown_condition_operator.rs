//! IRSA116 unknown-condition-operator: a condition operator IAM does not know (`StringEqual`,
//! `StringLikes`) or spells differently (`stringEquals`).
//!
//! IAM validates operator names when a policy is saved and refuses unknown ones
//! (`MalformedPolicyDocument: Invalid Condition type : StringEqual`). Operator names are
//! case-sensitive there: `stringEquals` is refused just the same, although this tool's model reads
//! it case-insensitively to keep evaluating the rest. Either way the role cannot be created or
//! updated with this policy, so whatever the pipeline applies next is not this document.

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::check::support::text::edit_distance;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{BaseOperator, Operator, SetQualifier, TrustPolicy};
use crate::registry;

const QUALIFIERS: [&str; 2] = ["ForAllValues", "ForAnyValue"];
const IF_EXISTS: &str = "IfExists";

/// The canonical spelling of a parsed operator: `ForAnyValue:StringLikeIfExists`.
pub fn canonical_name(op: Operator) -> String {
    let set = match op.set {
        Some(SetQualifier::ForAllValues) => "ForAllValues:",
        Some(SetQualifier::ForAnyValue) => "ForAnyValue:",
        None => "",
    };
    let if_exists = if op.if_exists { IF_EXISTS } else { "" };
    format!("{set}{}{if_exists}", op.base.name())
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in web_identity_statements(policy) {
        for block in stmt.condition.iter().flat_map(|c| c.operators.iter()) {
            let written = block.operator_name.value.as_str();
            let (message, label, suggestion) = match block.operator {
                Some(op) => {
                    let canonical = canonical_name(op);
                    if canonical == written {
                        continue;
                    }
                    (
                        format!(
                            "IAM rejects this policy (Invalid Condition type : {written}): \
                             operator names are case-sensitive, so the role cannot be created or \
                             updated with this document"
                        ),
                        "wrong case",
                        Some(canonical),
                    )
                }
                None => (
                    format!(
                        "IAM rejects this policy (Invalid Condition type : {written}): `{written}` \
                         is not a condition operator, so the role cannot be created or updated \
                         with this document"
                    ),
                    "unknown operator",
                    suggest(written),
                ),
            };
            let help = match suggestion {
                Some(name) => format!("did you mean `{name}`? \"{name}\": {{ ... }}"),
                None => "use an IAM string operator, e.g. \"StringEquals\" for exact subjects or \
                         \"StringLike\" for `*` patterns"
                    .to_string(),
            };
            out.push(
                Diagnostic::new(
                    registry::IRSA116,
                    &policy.source,
                    block.operator_name.span,
                    message,
                )
                .label(label)
                .help(help)
                .at_path(logical_path(
                    policy,
                    Some(stmt),
                    &format!("Condition.{written}"),
                )),
            );
        }
    }
}

/// The closest real operator to a misspelt one, qualifier and `IfExists` included, when it is
/// close enough to be a typo.
pub fn suggest(written: &str) -> Option<String> {
    let (qualifier, rest) = match written.rsplit_once(':') {
        Some((q, rest)) => {
            let best = closest(q, QUALIFIERS.iter().copied())?;
            (format!("{best}:"), rest)
        }
        None => (String::new(), written),
    };
    // `...IfExists` (any case, or a close misspelling such as `IfExist`) is a suffix; the base
    // name is matched on its own.
    let (base, if_exists) = split_if_exists(rest);
    let base_name = closest(base, BaseOperator::names())?;
    let base_op = Operator::parse(base_name).map(|o| o.base);
    // `Null` takes no IfExists; `NullIfExists` means `Null`.
    let if_exists = if_exists && base_op != Some(BaseOperator::Null);
    let suffix = if if_exists { IF_EXISTS } else { "" };
    Some(format!("{qualifier}{base_name}{suffix}"))
}

fn split_if_exists(s: &str) -> (&str, bool) {
    let lower = s.to_ascii_lowercase();
    for suffix in ["ifexists", "ifexist", "ifexsits", "ifexits"] {
        if lower.len() > suffix.len() && lower.ends_with(suffix) {
            return (&s[..s.len() - suffix.len()], true);
        }
    }
    (s, false)
}

/// The candidate nearest to `word` (case-insensitive edit distance), if within a typo's reach:
/// at most 2 edits, or 3 for names longer than 12 characters.
fn closest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let limit = if word.len() > 12 { 3 } else { 2 };
    candidates
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("StringEqual").as_deref(), Some("StringEquals"));
        assert_eq!(suggest("StringLikes").as_deref(), Some("StringLike"));
        assert_eq!(suggest("StrnigLike").as_deref(), Some("StringLike"));
        assert_eq!(
            suggest("ForAnyValues:StringLike").as_deref(),
            Some("ForAnyValue:StringLike")
        );
        assert_eq!(
            suggest("StringEqualIfExists").as_deref(),
            Some("StringEqualsIfExists")
        );
        assert_eq!(suggest("NullIfExists").as_deref(), Some("Null"));
        assert_eq!(suggest("Whatever"), None);
    }

    #[test]
    fn canonical_names() {
        let op = Operator::parse("foranyvalue:stringlikeifexists").unwrap();
        assert_eq!(canonical_name(op), "ForAnyValue:StringLikeIfExists");
    }
}

//! IRSA129 condition-blocks-merged: `condition` blocks of one Terraform `aws_iam_policy_document`
//! statement with the same `test` and `variable`, which the AWS provider merges into one key.
//!
//! Separate blocks read as separate conditions, all of which must hold (AND). The provider
//! writes them as one key whose values are the blocks' values together, and IAM matches a key
//! against any of its values (OR). Two `StringEquals` blocks on `:sub`, one per service account,
//! meant "both" (which no token can satisfy) and became "either": in an Allow statement that
//! widens who can assume the role (error). On another key, or in a Deny, the document still says
//! something else than what was written (warning). Negated operators are not reported: IAM reads
//! several values of `StringNotEquals` as "none of them", which is what the separate blocks say.

use crate::check::RuleContext;
use crate::check::support::statement::entry_path;
use crate::check::support::text::{MAX_LISTED, quote_list};
use crate::diagnostic::{Diagnostic, Severity};
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA129;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for stmt in &policy.statements {
        for (block, entry) in stmt.condition_entries() {
            let [first, second, rest @ ..] = entry.merged_from.as_slice() else {
                continue;
            };
            if block.operator.is_some_and(|op| op.base.is_negated()) {
                continue;
            }
            let operator = &block.operator_name.value;
            let key = &entry.key.value;
            let mut values: Vec<&str> = Vec::new();
            for value in &entry.values {
                if !values.contains(&value.text.as_str()) {
                    values.push(&value.text);
                }
            }
            let listed = quote_list(&values, MAX_LISTED);
            let widens_sub =
                stmt.is_allow() && entry.claim().is_some_and(|c| c.eq_ignore_ascii_case("sub"));
            let count = entry.merged_from.len();
            let (message, severity) = if widens_sub {
                (
                    format!(
                        "the AWS provider merges these {count} `condition` blocks (`{operator}` on \
                         `{key}`) into one key, and IAM admits a token whose subject matches any \
                         of its values ({listed}): the blocks read as conditions that must all hold, but \
                         the rendered policy lets every one of these service accounts assume the \
                         role"
                    ),
                    Severity::Error,
                )
            } else {
                (
                    format!(
                        "the AWS provider merges these {count} `condition` blocks (`{operator}` on \
                         `{key}`) into one key, and IAM matches any one of its values \
                         ({listed}): the blocks read as conditions that must all hold, but the \
                         rendered policy holds when one of them does"
                    ),
                    Severity::Warning,
                )
            };
            let mut diag = Diagnostic::new(IRSA129, &policy.source, *second, message)
                .severity(severity)
                .label("merged with the block above: its values become alternatives (OR)")
                .related(
                    &policy.source,
                    *first,
                    format!("first `condition` block on `{key}`"),
                );
            for also in rest {
                diag = diag.related(&policy.source, *also, "merged into the same key too");
            }
            let help = if widens_sub {
                "write one `condition` block per key and list in its `values` exactly the \
                 subjects that may assume the role (IAM reads them as alternatives); a role meant \
                 for one service account names only that one"
            } else {
                "write one `condition` block per key with all its values, so the configuration \
                 says what IAM does (any value matches); if every block must hold, express it in \
                 one value or in separate statements"
            };
            out.push(
                diag.help(help)
                    .at_path(entry_path(policy, stmt, block, entry, None)),
            );
        }
    }
}

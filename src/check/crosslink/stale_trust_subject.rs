//! IRSA309 stale-trust-subject: a trust policy admits an exact subject
//! `system:serviceaccount:<ns>:<name>` while the input defines namespace `<ns>`'s ServiceAccounts
//! and none is named `<name>`.
//!
//! Such a subject is left over from a renamed or deleted ServiceAccount, or misspelt. It grants
//! nothing today, but it keeps a door open: whoever later creates a ServiceAccount of that name in
//! that namespace gets the role. Information only — the input may not hold every ServiceAccount of
//! the namespace (one created by `eksctl`, or by an operator).
//!
//! Only exact values are considered (`StringEquals`, `StringEqualsIgnoreCase`, or `StringLike`
//! without wildcard) in Allow statements; `default` always exists; a subject some workload of the
//! input runs as is IRSA301's concern (the ServiceAccount is missing, not the subject stale); a
//! ServiceAccount of the namespace whose name is known only at deploy time (a Helm chart's default
//! name) may be the one named.

use crate::check::support::objects::with_suggested_service_account;
use crate::check::support::placeholders::looks_like_placeholder;
use crate::check::support::statement::entry_path;
use crate::check::support::subjects::wildcard_offsets;
use crate::check::support::text::{quote_list, similar_name};
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, SaId};
use crate::model::policy::BaseOperator;
use crate::model::template::has_holes;
use crate::registry::IRSA309;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    if !linked.defines_service_accounts() {
        return;
    }
    for policy in &linked.model.policies {
        for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
            for (block, entry) in stmt.claim_entries("sub") {
                let Some(op) = block.operator else { continue };
                let ignore_case = match op.base {
                    BaseOperator::StringEquals | BaseOperator::StringLike => false,
                    BaseOperator::StringEqualsIgnoreCase => true,
                    _ => continue,
                };
                for (k, value) in entry.values.iter().enumerate() {
                    if value.has_unknown()
                        || looks_like_placeholder(&value.text)
                        || !wildcard_offsets(&value.text).is_empty()
                    {
                        continue;
                    }
                    let Some(rest) = value.text.strip_prefix("system:serviceaccount:") else {
                        continue;
                    };
                    let Some((ns, name)) = rest.split_once(':') else {
                        continue;
                    };
                    if ns.is_empty() || name.is_empty() || name.contains(':') || name == "default" {
                        continue;
                    }
                    if !linked.defines_service_accounts_in(ns) {
                        continue;
                    }
                    let in_ns: &[SaId] = linked.service_accounts_in(ns);
                    let names = || {
                        in_ns
                            .iter()
                            .map(|&i| linked.service_account(i).meta.name_str())
                    };
                    // A name known only at deploy time may be this one.
                    let exists = names().any(|n| {
                        if has_holes(n) {
                            true
                        } else if ignore_case {
                            n.eq_ignore_ascii_case(name)
                        } else {
                            n == name
                        }
                    });
                    if exists || !linked.workloads_of(ns, name).is_empty() {
                        continue;
                    }
                    let suggestion = similar_name(name, names());
                    // A ServiceAccount defined in several files (base and overlays) is one name.
                    let mut defined: Vec<&str> = Vec::new();
                    for n in names() {
                        if !defined.contains(&n) {
                            defined.push(n);
                        }
                    }
                    let message = format!(
                        "the trust policy admits `{}`, but namespace `{ns}` has no ServiceAccount `{name}` in the input (it defines {}): the subject is stale or misspelt, and whoever creates `{ns}/{name}` later gets this role",
                        value.text,
                        quote_list(&defined, 3)
                    );
                    let help = match suggestion {
                        Some(s) => format!(
                            "did you mean `system:serviceaccount:{ns}:{s}`? Otherwise remove the subject"
                        ),
                        None => "remove the subject, or fix it to name the ServiceAccount that uses the role".to_string(),
                    };
                    let diag = Diagnostic::new(IRSA309, &policy.source, value.span, message)
                        .label(format!("no ServiceAccount `{ns}/{name}` in the input"))
                        .help(help)
                        .at_path(entry_path(policy, stmt, block, entry, Some(k)));
                    out.push(with_suggested_service_account(diag, linked, ns, suggestion));
                }
            }
        }
    }
}

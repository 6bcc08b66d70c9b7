//! IRSA105 sub-wildcard-name: a `:sub` pattern admits several service accounts of one namespace.
//!
//! `system:serviceaccount:prod:*` (or `prod:app-*`, `prod:?`) pins the namespace but not the
//! service account: every service account that exists in that namespace now, or is created there
//! later, can assume the role. Anyone allowed to create a ServiceAccount (or a pod using an
//! existing one) in the namespace gets these credentials, which defeats per-workload least
//! privilege. It stays inside one namespace, so it is a warning, not an error like IRSA104.

use crate::check::RuleContext;
use crate::check::support::statement::entry_path;
use crate::check::support::subjects::{SUBJECT_PREFIX, SubjectScope, broad_subjects};
use crate::diagnostic::Diagnostic;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA105;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for broad in broad_subjects(policy) {
        if broad.analysis.scope != SubjectScope::SeveralNames {
            continue;
        }
        let text = &broad.value.text;
        let span = broad.wildcard_span(policy, broad.analysis.name_wildcard);
        // `system:serviceaccount:<ns>:<name pattern>` with a literal namespace: name both parts.
        let parts = text
            .strip_prefix(SUBJECT_PREFIX)
            .and_then(|rest| rest.split_once(':'))
            .filter(|(ns, _)| !ns.contains(['*', '?']));
        let (message, help) = match parts {
            Some((ns, name)) => {
                let who = if name.chars().all(|c| c == '*') {
                    format!("every service account in namespace `{ns}`")
                } else {
                    format!("every service account in namespace `{ns}` whose name matches `{name}`")
                };
                (
                    format!(
                        "{who} can assume this role, including ones created later: anyone who can create a service account there gets these credentials"
                    ),
                    format!(
                        "list the service accounts that need the role under StringEquals: `\"{}\": [\"{SUBJECT_PREFIX}{ns}:<service-account>\"]`",
                        broad.entry.key.value
                    ),
                )
            }
            None => (
                format!(
                    "several service accounts of one namespace can assume this role: the wildcard in `{text}` matches any service-account name that fits, including ones created later"
                ),
                format!(
                    "list the service accounts that need the role under StringEquals: `\"{}\": [\"{SUBJECT_PREFIX}<namespace>:<service-account>\"]`",
                    broad.entry.key.value
                ),
            ),
        };
        out.push(
            Diagnostic::new(IRSA105, &policy.source, span, message)
                .label("wildcard matches any service-account name")
                .help(help)
                .related(
                    &policy.source,
                    broad.block.operator_name.span,
                    "`*` and `?` are wildcards under this operator",
                )
                .at_path(entry_path(
                    policy,
                    broad.stmt,
                    broad.block,
                    broad.entry,
                    Some(broad.value_index),
                )),
        );
    }
}

//! IRSA104 sub-wildcard-namespace: a `:sub` pattern admits service accounts of more than one
//! namespace.
//!
//! An EKS projected token's `sub` is `system:serviceaccount:<namespace>:<name>`. IAM's `*` matches
//! any run of characters, `:` included, so `system:serviceaccount:*`, `system:serviceaccount:*:api`
//! or `system:serviceaccount:prod*:api` let a pod in *another* namespace (`prod-sandbox`, a
//! namespace created next month) assume the role: whoever may create a service account anywhere in
//! the cluster gets these credentials. The namespace is the tenancy boundary in Kubernetes; a trust
//! policy that does not pin it throws the boundary away.
//!
//! Which `:sub` values admit several service accounts is decided in
//! `check::support::subjects` ([`broad_subjects`]), shared with IRSA105.

use crate::check::RuleContext;
use crate::check::support::statement::entry_path;
use crate::check::support::subjects::{SUBJECT_PREFIX, SubjectScope, broad_subjects};
use crate::diagnostic::Diagnostic;
use crate::model::policy::TrustPolicy;
use crate::registry::IRSA104;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for broad in broad_subjects(policy) {
        if broad.analysis.scope != SubjectScope::SeveralNamespaces {
            continue;
        }
        let text = &broad.value.text;
        let span = broad.wildcard_span(policy, broad.analysis.namespace_wildcard);
        let everything = text.chars().all(|c| c == '*');
        let message = if everything {
            format!(
                "every service account in every namespace of the cluster can assume this role: `{text}` matches any subject"
            )
        } else if text.starts_with(SUBJECT_PREFIX)
            && text[SUBJECT_PREFIX.len()..].chars().all(|c| c == '*')
        {
            format!(
                "every service account in every namespace of the cluster can assume this role: `{text}` leaves both namespace and name open"
            )
        } else {
            format!(
                "service accounts in more than one namespace can assume this role: the wildcard in `{text}` also matches other namespace names, including namespaces created later"
            )
        };
        out.push(
            Diagnostic::new(IRSA104, &policy.source, span, message)
                .label("wildcard matches any namespace")
                .help(format!(
                    "name the namespace (and ideally the service account) exactly: `\"StringEquals\": {{\"{}\": \"system:serviceaccount:<namespace>:<service-account>\"}}`",
                    broad.entry.key.value
                ))
                .related(
                    &policy.source,
                    broad.block.operator_name.span,
                    "`*` and `?` are wildcards under this operator, and `*` also matches `:`",
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

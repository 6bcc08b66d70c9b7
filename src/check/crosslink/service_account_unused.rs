//! IRSA310 service-account-unused: an IRSA ServiceAccount that no workload of the input runs as.
//!
//! A ServiceAccount that carries a role but no pod uses is either dead configuration (a role that
//! can still be assumed by anyone who creates a pod with it) or the sign of a wiring mistake: the
//! workload that should use it names another ServiceAccount or none. Information only: pods may
//! come from elsewhere (an operator, a CRD such as a Spark application, `kubectl run`).
//!
//! Quiet when the input has no workload at all (a ServiceAccounts-only directory), and when a
//! workload names it from another namespace (IRSA302 reports that, at the workload).

use crate::check::support::objects::{name_span, sa_label};
use crate::check::support::role_arn::role_arn_annotation;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA310;

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    if linked.model.workloads.is_empty() {
        return;
    }
    for (i, sa) in linked.service_accounts() {
        let Some((_, arn)) = role_arn_annotation(sa) else {
            continue;
        };
        let name = sa.meta.name_str();
        if name.is_empty() || !linked.workloads_of_service_account(i).is_empty() {
            continue;
        }
        let named_elsewhere = linked
            .workload_service_accounts()
            .any(|(_, w)| w.span.is_some() && w.name == name);
        if named_elsewhere {
            continue;
        }
        let message = format!(
            "ServiceAccount `{}` carries role `{arn}`, but no workload of the input runs as it: the role is unused here, or the workload meant to use it names another ServiceAccount",
            sa_label(linked, i)
        );
        out.push(
            Diagnostic::new(IRSA310, &sa.meta.source, name_span(&sa.meta), message)
                .label("no workload runs as this ServiceAccount")
                .help(format!(
                    "set `serviceAccountName: {name}` in the pod spec of the workload that needs the role, or delete the ServiceAccount if nothing does"
                ))
                .at_path(sa.meta.logical_path("metadata.name")),
        );
    }
}

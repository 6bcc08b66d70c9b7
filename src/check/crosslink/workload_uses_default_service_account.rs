//! IRSA303 workload-uses-default-service-account: a workload that sets no `serviceAccountName`
//! although it looks meant to run with an IAM role.
//!
//! A pod without `serviceAccountName` runs as its namespace's `default` ServiceAccount. The EKS
//! pod identity webhook only injects `AWS_ROLE_ARN` and the projected token when the pod's
//! ServiceAccount carries `eks.amazonaws.com/role-arn`, so such a pod gets no IRSA credentials: the
//! AWS SDK's default chain falls through to the node's instance profile (the node role's
//! permissions, shared by every pod on the node) or fails with "Unable to locate credentials".
//!
//! Reported when (decision: the two signals that make the omission likely a mistake rather than
//! a pod that needs no AWS access):
//! - the namespace has an IRSA ServiceAccount that no workload of the input runs as (nor a custom
//!   resource names, such as an `OpenTelemetryCollector`'s `spec.serviceAccount`): the workload
//!   was probably meant to name it (when several workloads of the namespace name no
//!   ServiceAccount, only those whose name matches the ServiceAccount's); or
//! - a container sets `AWS_REGION` / `AWS_DEFAULT_REGION` (it calls AWS), while the input uses
//!   IRSA somewhere and the pod has no other credential source (static keys, a token file, a
//!   container credentials endpoint, a profile, a kube2iam/kiam `iam.amazonaws.com/role`
//!   annotation, an `envFrom` that may carry keys).
//!
//! Quiet when the input's `default` ServiceAccount of that namespace itself carries a role (the
//! pod does get credentials; IRSA206 reports that design).

use std::collections::BTreeMap;

use crate::check::support::objects::name_span;
use crate::diagnostic::Diagnostic;
use crate::link::{Linked, SaId, WorkloadId};
use crate::model::k8s::{EnvVar, ServiceAccount, Workload};
use crate::registry::IRSA303;

/// Environment variables that make the SDK expect to call AWS.
const REGION_VARS: [&str; 2] = ["AWS_REGION", "AWS_DEFAULT_REGION"];

/// Environment variables that give the SDK credentials without IRSA.
const OTHER_CREDENTIALS: [&str; 8] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
];

/// The pod annotation kube2iam and kiam read.
const KUBE2IAM_ROLE: &str = "iam.amazonaws.com/role";

/// True when an `envFrom` source could inject credentials: a Secret or ConfigMap that the input
/// does not define, or one that defines `AWS_ACCESS_KEY_ID` (with the prefix applied).
fn env_from_may_carry_credentials(linked: &Linked, w: WorkloadId) -> bool {
    let workload = linked.workload(w);
    let ns = &linked.workload_namespace(w).name;
    workload
        .pod
        .containers
        .iter()
        .flat_map(|c| &c.env_from)
        .any(|from| {
            let sources: Vec<_> = linked
                .env_sources_in(ns)
                .filter(|s| s.kind == from.kind && s.meta.name_str() == from.name.value)
                .collect();
            if sources.is_empty() {
                return true;
            }
            let prefix = from.prefix.as_deref().unwrap_or("");
            sources.iter().any(|s| {
                s.keys.iter().any(|k| {
                    OTHER_CREDENTIALS
                        .iter()
                        .any(|c| format!("{prefix}{}", k.value) == *c)
                })
            })
        })
}

/// The first region variable a container of the pod sets, when no other credential source is
/// visible.
fn expects_irsa_credentials<'a>(
    linked: &Linked,
    w: WorkloadId,
    workload: &'a Workload,
) -> Option<&'a EnvVar> {
    let pod = &workload.pod;
    if pod.annotations.iter().any(|a| a.key.value == KUBE2IAM_ROLE) {
        return None;
    }
    let containers = || pod.containers.iter();
    if containers().any(|c| OTHER_CREDENTIALS.iter().any(|v| c.env_var(v).is_some())) {
        return None;
    }
    if env_from_may_carry_credentials(linked, w) {
        return None;
    }
    containers().find_map(|c| REGION_VARS.iter().find_map(|v| c.env_var(v)))
}

/// True when a workload's name and a ServiceAccount's name designate the same application:
/// equal or one containing the other once `-sa`-style affixes are dropped (`ledger-api` and
/// `ledger-api-sa`, `api` and `ledger-api`).
fn names_match(workload: &str, service_account: &str) -> bool {
    let core = |s: &str| {
        let s = s.to_ascii_lowercase();
        let s = ["-service-account", "-serviceaccount", "-sa"]
            .iter()
            .find_map(|suffix| s.strip_suffix(suffix).map(str::to_string))
            .unwrap_or(s);
        s.strip_prefix("sa-").map(str::to_string).unwrap_or(s)
    };
    let (w, s) = (core(workload), core(service_account));
    w == s || (w.len() >= 3 && s.len() >= 3 && (w.contains(&s) || s.contains(&w)))
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    let uses_irsa = linked
        .model
        .service_accounts
        .iter()
        .any(ServiceAccount::is_irsa);
    // Per namespace, the first IRSA ServiceAccount (not `default`) that nothing runs as.
    let mut unused_irsa: BTreeMap<&str, SaId> = BTreeMap::new();
    for (i, sa) in linked.service_accounts() {
        if sa.is_irsa()
            && sa.meta.name_str() != "default"
            && linked.workloads_of_service_account(i).is_empty()
            && linked.references_of_service_account(i).next().is_none()
        {
            unused_irsa
                .entry(linked.sa_namespace(i).name.as_str())
                .or_insert(i);
        }
    }
    // Per namespace, how many workloads run as the implicit `default`.
    let mut implicit_default: BTreeMap<&str, usize> = BTreeMap::new();
    for (w, sa) in linked.workload_service_accounts() {
        if sa.span.is_none() {
            *implicit_default
                .entry(linked.workload_namespace(w).name.as_str())
                .or_default() += 1;
        }
    }
    for (w, workload) in linked.workloads() {
        if linked.workload_service_account(w).span.is_some() {
            continue;
        }
        let ns = &linked.workload_namespace(w).name;
        let default_has_role = linked
            .service_accounts_named(ns, "default")
            .iter()
            .any(|&i| linked.service_account(i).is_irsa());
        if default_has_role {
            continue;
        }
        // With several such workloads in the namespace, only the one whose name matches the
        // ServiceAccount's is likely meant to run as it (a cache next to the api needs no role).
        let unused_irsa = unused_irsa.get(ns.as_str()).copied().filter(|&i| {
            implicit_default.get(ns.as_str()).copied().unwrap_or(0) == 1
                || names_match(
                    workload.meta.name_str(),
                    linked.service_account(i).meta.name_str(),
                )
        });
        let region_var = if uses_irsa {
            expects_irsa_credentials(linked, w, workload)
        } else {
            None
        };
        if unused_irsa.is_none() && region_var.is_none() {
            continue;
        }
        let who = format!(
            "{} `{}/{}`",
            workload.meta.kind.value,
            ns,
            workload.meta.name_str()
        );
        let (message, help) = match (unused_irsa, region_var) {
            (Some(i), _) => {
                let sa = linked.service_account(i);
                (
                    format!(
                        "{who} sets no `serviceAccountName`, so its pods run as `{ns}/default`, which carries no IAM role, while ServiceAccount `{ns}/{}` carries one and no workload runs as it: the webhook injects no credentials and the SDK falls back to the node's role",
                        sa.meta.name_str()
                    ),
                    format!(
                        "set `serviceAccountName: {}` in the pod spec",
                        sa.meta.name_str()
                    ),
                )
            }
            (None, Some(var)) => (
                format!(
                    "{who} sets `{}` but no `serviceAccountName`, so its pods run as `{ns}/default`, which carries no IAM role: the webhook injects no credentials and the SDK falls back to the node's role (or finds none)",
                    var.name.value
                ),
                "set `serviceAccountName` to a ServiceAccount annotated with `eks.amazonaws.com/role-arn`".to_string(),
            ),
            (None, None) => continue,
        };
        let mut diag = Diagnostic::new(
            IRSA303,
            &workload.meta.source,
            workload.pod.spec_key,
            message,
        )
        .label(format!("runs as `{ns}/default`"))
        .help(help)
        .at_path(workload.meta.logical_path(&workload.pod.path));
        if let Some(i) = unused_irsa {
            let sa = linked.service_account(i);
            diag = diag.related(
                &sa.meta.source,
                name_span(&sa.meta),
                format!(
                    "ServiceAccount `{ns}/{}` is not used by any workload",
                    sa.meta.name_str()
                ),
            );
        }
        if let Some(var) = region_var {
            diag = diag.related(
                &workload.meta.source,
                var.name.span,
                "this container expects AWS credentials",
            );
        }
        out.push(diag);
    }
}

#[cfg(test)]
mod tests {
    use super::names_match;

    #[test]
    fn workload_and_service_account_names() {
        assert!(names_match("ledger-api", "ledger-api"));
        assert!(names_match("ledger-api", "ledger-api-sa"));
        assert!(names_match("ledger-api", "sa-ledger-api"));
        assert!(names_match("ledger-api-v2", "ledger-api"));
        assert!(!names_match("ledger-cache", "ledger-api"));
        assert!(names_match("db", "db"));
        assert!(!names_match("db", "adb"));
    }
}

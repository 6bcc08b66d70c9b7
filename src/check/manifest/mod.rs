//! Manifest rules (IRSA2xx), one file per rule, and the helpers they share.

pub mod annotation_key_typo;
pub mod annotation_not_string;
pub mod annotation_on_wrong_object;
pub mod default_service_account_has_role;
pub mod deprecated_service_account_field;
pub mod duplicate_object;
pub mod host_network_imds;
pub mod namespace_defaulted;
pub mod partial_irsa_env;
pub mod placeholder_role_arn;
pub mod profile_shadow;
pub mod role_arn_invalid;
pub mod role_arn_not_a_role;
pub mod role_shared_across_namespaces;
pub mod skip_containers_mismatch;
pub mod static_aws_credentials;
pub mod static_credentials_shadow_irsa;
pub mod sts_regional_endpoints_invalid;
pub mod token_expiration_invalid;
pub mod token_volume_conflict;
pub mod windows_without_node_selector;

use crate::link::Linked;
use crate::model::k8s::{ServiceAccount, Workload};

/// The ServiceAccounts of the input a workload runs as (its effective ServiceAccount in its
/// effective namespace; several when the input defines it more than once).
pub fn service_accounts_of<'a>(
    linked: &'a Linked,
    workload: usize,
) -> impl Iterator<Item = &'a ServiceAccount> + 'a {
    let ns = &linked.workload_namespaces[workload].name;
    let sa = &linked.workload_service_accounts[workload].name;
    linked
        .service_accounts_named(ns, sa)
        .iter()
        .map(|&i| &linked.model.service_accounts[i])
}

/// True when a workload runs as a ServiceAccount of the input that carries a role-arn
/// annotation: the webhook will inject IRSA credentials into its pods.
pub fn uses_irsa(linked: &Linked, workload: usize) -> bool {
    service_accounts_of(linked, workload).any(ServiceAccount::is_irsa)
}

/// The workloads that use IRSA, with their index.
pub fn irsa_workloads(linked: &Linked) -> impl Iterator<Item = (usize, &Workload)> {
    linked
        .model
        .workloads
        .iter()
        .enumerate()
        .filter(move |(i, _)| uses_irsa(linked, *i))
}

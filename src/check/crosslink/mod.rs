//! Cross-link rules (IRSA3xx): workloads ↔ ServiceAccounts ↔ trust policies, one file per rule;
//! what they share is in `check::support`.
//!
//! A cross-link finding joins objects from different files, so its message names both ends
//! (`pods running as payments/api cannot assume role payments-api: …`) and its related locations
//! point at the other file. Every rule stays silent when the input lacks one side: no trust policy,
//! no ServiceAccount, no workload.

pub mod ambiguous_link;
pub mod audience_mismatch;
pub mod env_role_differs_from_annotation;
pub mod namespace_mismatch;
pub mod pod_identity_agent_missing;
pub mod pod_identity_association_missing_objects;
pub mod pod_identity_proxy_no_bypass;
pub mod pod_identity_unsupported_compute;
pub mod provider_in_other_account;
pub mod provider_not_this_cluster;
pub mod role_arn_mismatch;
pub mod role_not_found;
pub mod service_account_not_found;
pub mod service_account_unused;
pub mod stale_trust_subject;
pub mod trust_admits_other_service_accounts;
pub mod trust_denies_service_account;
pub mod workload_uses_default_service_account;

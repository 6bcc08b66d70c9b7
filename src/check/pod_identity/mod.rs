//! EKS Pod Identity rules over the linked model (IRSA4xx of scope `linked`): associations ↔ roles'
//! trust policies ↔ the workloads that run as the associated ServiceAccounts, one file per rule;
//! what they share is in `check::support::pod_identity`. The Pod Identity rules that read one trust
//! policy alone are in `check::trust`.
//!
//! Every rule stays silent when the input lacks one side: an association whose role's trust is not
//! in the input is judged on nothing but itself.

pub mod pod_identity_agent_missing;
pub mod pod_identity_association_missing_objects;
pub mod pod_identity_cross_account_role;
pub mod pod_identity_proxy_no_bypass;
pub mod pod_identity_tags_disabled_but_required;
pub mod pod_identity_target_role_trust;
pub mod pod_identity_trust_denies_service_account;
pub mod pod_identity_unsupported_compute;
pub mod pod_identity_wrong_principal;

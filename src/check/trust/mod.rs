//! Trust-policy rules (IRSA1xx), one file per rule; what they share is in `check::support`.
//!
//! A rule sees one [`TrustPolicy`](crate::model::policy::TrustPolicy). Most rules only concern
//! web-identity statements (an OIDC Federated principal or the `sts:AssumeRoleWithWebIdentity`
//! action); EKS-specific rules further require the provider to be an EKS issuer
//! (`oidc.eks.<region>.amazonaws.com[.cn]/id/<ID>`).

pub mod action_mismatch;
pub mod aud_holds_subject;
pub mod audience_unexpected;
pub mod condition_blocks_merged;
pub mod condition_key_malformed;
pub mod condition_provider_mismatch;
pub mod deny_blocks_all;
pub mod duplicate_key;
pub mod empty_condition;
pub mod federated_principal_malformed;
pub mod if_exists_on_oidc_key;
pub mod invalid_trust_element;
pub mod like_without_wildcard;
pub mod missing_aud_condition;
pub mod missing_sub_condition;
pub mod multi_provider_partial_scope;
pub mod negated_operator_in_allow;
pub mod overbroad_action;
pub mod placeholder_value;
pub mod pod_identity_missing_tag_session;
pub mod pod_identity_unassumable_condition;
pub mod pod_identity_unscoped_trust;
pub mod pod_identity_wrong_action;
pub mod pod_identity_wrong_condition_keys;
pub mod policy_version;
pub mod principal_wildcard;
pub mod set_operator_on_single_value;
pub mod sub_wildcard_name;
pub mod sub_wildcard_namespace;
pub mod subject_malformed;
pub mod trust_size_quota;
pub mod unknown_condition_operator;
pub mod unsupported_claim_key;
pub mod wildcard_without_like;

//! Manifest rules (IRSA2xx), one file per rule; what they share is in
//! `check::support`.

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

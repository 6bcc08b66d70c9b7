//! Check: each rule is a small pure function over the model, producing diagnostics.
//!
//! Trust-policy rules look at one policy at a time, so the driver runs them in the parallel
//! per-file stage; manifest and cross-link rules read the linked model once every file is in. The table below is the one place that binds a registry entry (from `rules/`) to
//! its implementation; `tests/rules.rs` fails for a registry rule that no fixture triggers.

pub mod crosslink;
pub mod manifest;
pub mod support;
pub mod trust;

use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::policy::TrustPolicy;
use crate::registry::{self, Rule};

/// What the organisation told irsa-lint that a trust-policy rule may need beside the policy
/// (configured audiences today; clusters and the like as rules come to need them). The driver
/// builds it once from the options, so it does no rule logic itself. Rules over the linked model
/// read the same options from `Linked`.
#[derive(Clone, Copy, Debug, Default)]
pub struct RuleContext<'a> {
    /// The configuration's `audiences`: token audiences the organisation uses on purpose.
    pub audiences: &'a [String],
}

/// A trust-policy rule: reads one policy (and the context), appends its findings.
pub type TrustCheck = fn(&TrustPolicy, &RuleContext, &mut Vec<Diagnostic>);

/// Every trust-policy rule with its registry entry.
pub static TRUST_CHECKS: &[(&Rule, TrustCheck)] = &[
    (registry::IRSA101, trust::aud_holds_subject::check),
    (registry::IRSA102, trust::missing_sub_condition::check),
    (registry::IRSA103, trust::missing_aud_condition::check),
    (registry::IRSA104, trust::sub_wildcard_namespace::check),
    (registry::IRSA105, trust::sub_wildcard_name::check),
    (registry::IRSA106, trust::wildcard_without_like::check),
    (registry::IRSA107, trust::like_without_wildcard::check),
    (registry::IRSA108, trust::if_exists_on_oidc_key::check),
    (
        registry::IRSA109,
        trust::set_operator_on_single_value::check,
    ),
    (registry::IRSA110, trust::condition_provider_mismatch::check),
    (registry::IRSA111, trust::action_mismatch::check),
    (registry::IRSA112, trust::principal_wildcard::check),
    (
        registry::IRSA113,
        trust::federated_principal_malformed::check,
    ),
    (registry::IRSA114, trust::placeholder_value::check),
    (registry::IRSA115, trust::policy_version::check),
    (registry::IRSA116, trust::unknown_condition_operator::check),
    (registry::IRSA117, trust::unsupported_claim_key::check),
    (registry::IRSA118, trust::duplicate_key::check),
    (registry::IRSA119, trust::negated_operator_in_allow::check),
    (registry::IRSA120, trust::invalid_trust_element::check),
    (registry::IRSA121, trust::subject_malformed::check),
    (registry::IRSA122, trust::audience_unexpected::check),
    (
        registry::IRSA123,
        trust::multi_provider_partial_scope::check,
    ),
    (registry::IRSA124, trust::overbroad_action::check),
    (registry::IRSA125, trust::empty_condition::check),
    (registry::IRSA126, trust::deny_blocks_all::check),
    (registry::IRSA127, trust::trust_size_quota::check),
    (registry::IRSA128, trust::condition_key_malformed::check),
];

/// A rule over the linked model (manifests and the cross-link between files).
pub type LinkedCheck = fn(&Linked, &mut Vec<Diagnostic>);

/// Every manifest and cross-link rule with its registry entry. A rule may appear in both tables
/// (IRSA114 reads trust policies and role-arn annotations).
pub static LINKED_CHECKS: &[(&Rule, LinkedCheck)] = &[
    (registry::IRSA114, manifest::placeholder_role_arn::check),
    (registry::IRSA201, manifest::role_arn_invalid::check),
    (registry::IRSA202, manifest::annotation_key_typo::check),
    (
        registry::IRSA203,
        manifest::annotation_on_wrong_object::check,
    ),
    (registry::IRSA204, manifest::role_arn_not_a_role::check),
    (registry::IRSA205, manifest::annotation_not_string::check),
    (
        registry::IRSA206,
        manifest::default_service_account_has_role::check,
    ),
    (
        registry::IRSA207,
        manifest::static_credentials_shadow_irsa::check,
    ),
    (registry::IRSA208, manifest::partial_irsa_env::check),
    (registry::IRSA209, manifest::host_network_imds::check),
    (
        registry::IRSA210,
        manifest::sts_regional_endpoints_invalid::check,
    ),
    (registry::IRSA211, manifest::token_expiration_invalid::check),
    (registry::IRSA212, manifest::skip_containers_mismatch::check),
    (registry::IRSA213, manifest::token_volume_conflict::check),
    (
        registry::IRSA214,
        manifest::deprecated_service_account_field::check,
    ),
    (registry::IRSA215, manifest::duplicate_object::check),
    (registry::IRSA216, manifest::profile_shadow::check),
    (registry::IRSA217, manifest::namespace_defaulted::check),
    (
        registry::IRSA218,
        manifest::windows_without_node_selector::check,
    ),
    (
        registry::IRSA219,
        manifest::role_shared_across_namespaces::check,
    ),
    (registry::IRSA220, manifest::static_aws_credentials::check),
    (
        registry::IRSA301,
        crosslink::service_account_not_found::check,
    ),
    (registry::IRSA302, crosslink::namespace_mismatch::check),
    (
        registry::IRSA303,
        crosslink::workload_uses_default_service_account::check,
    ),
    (
        registry::IRSA304,
        crosslink::trust_denies_service_account::check,
    ),
    (registry::IRSA305, crosslink::role_not_found::check),
    (
        registry::IRSA306,
        crosslink::trust_admits_other_service_accounts::check,
    ),
    (
        registry::IRSA307,
        crosslink::provider_not_this_cluster::check,
    ),
    (registry::IRSA308, crosslink::role_arn_mismatch::check),
    (registry::IRSA309, crosslink::stale_trust_subject::check),
    (registry::IRSA310, crosslink::service_account_unused::check),
    (registry::IRSA311, crosslink::audience_mismatch::check),
    (
        registry::IRSA313,
        crosslink::env_role_differs_from_annotation::check,
    ),
    (
        registry::IRSA314,
        crosslink::provider_in_other_account::check,
    ),
];

/// Which rules run, after `--select` / `--ignore`.
pub trait RuleFilter: Sync {
    fn enabled(&self, rule: &Rule) -> bool;
}

/// Run every enabled trust-policy rule on one policy.
pub fn check_policy(
    policy: &TrustPolicy,
    context: &RuleContext,
    filter: &dyn RuleFilter,
    out: &mut Vec<Diagnostic>,
) {
    for (rule, check) in TRUST_CHECKS {
        if filter.enabled(rule) {
            let before = out.len();
            check(policy, context, out);
            // A rule may only report under its own code.
            debug_assert!(out[before..].iter().all(|d| d.rule.code == rule.code));
            // Fingerprints (SARIF, baseline) are built from the logical path.
            debug_assert!(
                out[before..].iter().all(|d| !d.logical_path.is_empty()),
                "{} reported a finding without a logical path",
                rule.code
            );
        }
    }
}

/// Run every enabled manifest and cross-link rule.
pub fn check_linked(linked: &Linked, filter: &dyn RuleFilter, out: &mut Vec<Diagnostic>) {
    for (rule, check) in LINKED_CHECKS {
        if filter.enabled(rule) {
            let before = out.len();
            check(linked, out);
            debug_assert!(out[before..].iter().all(|d| d.rule.code == rule.code));
            // Fingerprints (SARIF, baseline) are built from the logical path.
            debug_assert!(
                out[before..].iter().all(|d| !d.logical_path.is_empty()),
                "{} reported a finding without a logical path",
                rule.code
            );
        }
    }
}

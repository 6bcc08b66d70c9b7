//! EKS Pod Identity trust statements: the statements that trust the service principal
//! `pods.eks.amazonaws.com`, and whether their Action / NotAction covers a given STS action.
//!
//! EKS Pod Identity (the EKS Auth service) assumes the role itself, with `sts:AssumeRole` and
//! session tags (`sts:TagSession`): see
//! <https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html>.

use crate::diagnostic::Diagnostic;
use crate::engine;
use crate::link::{AssociationId, Linked, SaId, WorkloadId};
use crate::model::policy::Located;
use crate::model::policy::{PolicyValue, Principal, Statement, TrustPolicy};
use crate::source::Span;

pub use crate::link::pod_identity::{POD_IDENTITY_SERVICE, literal};

/// The statement's `Service` principal value `pods.eks.amazonaws.com`, if it has one.
pub fn pod_identity_principal(stmt: &Statement) -> Option<&PolicyValue> {
    let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
        return None;
    };
    entries
        .iter()
        .filter(|e| e.kind.value.eq_ignore_ascii_case("Service"))
        .flat_map(|e| e.values.iter())
        .find(|v| !v.has_unknown() && v.text.eq_ignore_ascii_case(POD_IDENTITY_SERVICE))
}

/// `diag` with the statement's Pod Identity principal as a related location, when it has one.
pub fn with_pod_identity_principal(
    diag: Diagnostic,
    policy: &TrustPolicy,
    stmt: &Statement,
) -> Diagnostic {
    match pod_identity_principal(stmt) {
        Some(principal) => diag.related(
            &policy.source,
            principal.span,
            "EKS Pod Identity assumes the role as this service principal",
        ),
        None => diag,
    }
}

/// The Allow statements that trust the EKS Pod Identity service principal.
pub fn pod_identity_statements(policy: &TrustPolicy) -> impl Iterator<Item = &Statement> {
    policy
        .statements
        .iter()
        .filter(|s| s.is_allow() && pod_identity_principal(s).is_some())
}

/// Where a statement's actions fail to cover an action.
pub struct ActionGap {
    /// The single Action value, the Action key when there are several, or the NotAction value
    /// that excludes the action.
    pub span: Span,
    /// `Action` or `NotAction`.
    pub element: &'static str,
    /// What the statement says instead, for a message: "allows only `sts:AssumeRole`".
    pub written: String,
}

/// `Some` when the statement's Action / NotAction certainly does not cover `action`; `None` when
/// it covers it, when a value is not known statically, or when there is no Action at all.
pub fn action_gap(stmt: &Statement, action: &str) -> Option<ActionGap> {
    if let Some(element) = &stmt.action {
        if element.values.iter().any(|v| v.has_unknown())
            || element
                .values
                .iter()
                .any(|v| engine::action_matches(&v.text, action))
        {
            return None;
        }
        let span = match element.values.as_slice() {
            [only] => only.span,
            _ => element.key_span,
        };
        let written = element
            .values
            .iter()
            .map(|v| format!("`{}`", v.text))
            .collect::<Vec<_>>()
            .join(", ");
        Some(ActionGap {
            span,
            element: "Action",
            written: format!("allows only {written}"),
        })
    } else if let Some(element) = &stmt.not_action {
        if element.values.iter().any(|v| v.has_unknown()) {
            return None;
        }
        let excluding = element
            .values
            .iter()
            .find(|v| engine::action_matches(&v.text, action))?;
        Some(ActionGap {
            span: excluding.span,
            element: "NotAction",
            written: format!("excludes it through NotAction `{}`", excluding.text),
        })
    } else {
        None
    }
}

/// True when some Allow statement of the policy trusting the Pod Identity principal covers
/// `action` (or may, its values not being known).
pub fn policy_may_grant_to_pods(policy: &TrustPolicy, action: &str) -> bool {
    pod_identity_statements(policy)
        .any(|s| (s.action.is_some() || s.not_action.is_some()) && action_gap(s, action).is_none())
}

/// A workload whose pods get their credentials from EKS Pod Identity: it runs as a ServiceAccount
/// of the input that an association names.
#[derive(Clone, Copy, Debug)]
pub struct PodIdentityWorkload {
    pub workload: WorkloadId,
    pub service_account: SaId,
    /// The first association naming that ServiceAccount.
    pub association: AssociationId,
    /// True when the ServiceAccount carries a role-arn annotation too: the webhook injects IRSA
    /// credentials, which the SDKs' default chains try before the container credentials.
    pub also_irsa: bool,
}

/// Every workload of the input that uses EKS Pod Identity, once each, in model order.
pub fn pod_identity_workloads(linked: &Linked) -> Vec<PodIdentityWorkload> {
    let mut found: Vec<PodIdentityWorkload> = Vec::new();
    for (sa, account) in linked.service_accounts() {
        let Some(&association) = linked.associations_of_service_account(sa).first() else {
            continue;
        };
        for &workload in linked.workloads_of_service_account(sa) {
            if found.iter().any(|f| f.workload == workload) {
                continue;
            }
            found.push(PodIdentityWorkload {
                workload,
                service_account: sa,
                association,
                also_irsa: account.is_irsa(),
            });
        }
    }
    found.sort_by_key(|f| f.workload);
    found
}

/// The workloads that get their credentials from EKS Pod Identity alone: those whose
/// ServiceAccount carries no role-arn annotation too (with one, IRSA's web identity token comes
/// first in the SDKs' default chains, and the webhook serves Fargate and Windows pods).
pub fn pod_identity_only_workloads(linked: &Linked) -> Vec<PodIdentityWorkload> {
    let mut found = pod_identity_workloads(linked);
    found.retain(|f| !f.also_irsa);
    found
}

/// False only when both clusters are named as plain text and the names differ: objects of two
/// clusters the input certainly tells apart.
pub fn may_be_same_cluster(a: Option<&Located<String>>, b: Option<&Located<String>>) -> bool {
    match (literal(a), literal(b)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// `diag` with association `id` as a related location.
pub fn with_association(
    diag: Diagnostic,
    linked: &Linked,
    id: AssociationId,
    message: impl Into<String>,
) -> Diagnostic {
    let association = linked.association(id);
    diag.related(&association.source, association.anchor(), message)
}

/// Test support for linked Pod Identity rules: a linked model of one YAML file, plus Fargate
/// profiles and add-on lists built by hand (no source yields them yet in every branch).
#[cfg(test)]
pub(crate) mod testing {
    use std::sync::Arc;

    use crate::link::{LinkOptions, Linked, Model};
    use crate::model::pod_identity::{AddonList, FargateProfile, FargateSelector};
    use crate::model::policy::Located;
    use crate::parse::tree::Limits;
    use crate::parse::{FileKind, parse};
    use crate::source::{SourceFile, SourceRef, Span};

    fn located(value: &str, at: usize) -> Located<String> {
        Located {
            value: value.to_string(),
            span: Span::new(at, at + value.len()),
        }
    }

    fn infra() -> SourceRef {
        Arc::new(SourceFile::new("infra/cluster.yaml", None, " ".repeat(200)))
    }

    /// A Fargate profile of `cluster` (None: not written) with one selector.
    pub fn fargate_profile(
        cluster: Option<&str>,
        namespace: &str,
        labels: &[(&str, &str)],
    ) -> FargateProfile {
        FargateProfile {
            source: infra(),
            span: Span::new(0, 100),
            label: "`fargateProfiles[0]`".to_string(),
            logical_path: "fargateProfiles[0]".to_string(),
            cluster: cluster.map(|c| located(c, 10)),
            selectors: vec![FargateSelector {
                namespace: located(namespace, 40),
                labels: labels
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }],
        }
    }

    /// The add-ons of `cluster` (None: not written).
    pub fn addon_list(cluster: Option<&str>, names: &[&str]) -> AddonList {
        AddonList {
            source: infra(),
            span: Span::new(100, 106),
            label: "`addons`".to_string(),
            logical_path: "addons".to_string(),
            cluster: cluster.map(|c| located(c, 10)),
            names: names
                .iter()
                .enumerate()
                .map(|(i, n)| located(n, 110 + 10 * i))
                .collect(),
        }
    }

    /// The linked model of `yaml` (as `k8s/all.yaml`) after `edit`.
    pub fn linked(yaml: &str, edit: impl FnOnce(&mut Model)) -> Linked {
        let source = Arc::new(SourceFile::new("k8s/all.yaml", None, yaml.to_string()));
        let parsed = parse(&source.text, FileKind::Yaml, Limits::default());
        let extracted = crate::extract::extract(&source, &parsed);
        let mut model = Model {
            service_accounts: extracted.k8s.service_accounts,
            workloads: extracted.k8s.workloads,
            env_sources: extracted.k8s.env_sources,
            pod_identity: extracted.pod_identity,
            ..Model::default()
        };
        edit(&mut model);
        Linked::new(model, LinkOptions::default())
    }
}

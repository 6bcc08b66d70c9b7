//! EKS Pod Identity trust statements: the statements that trust the service principal
//! `pods.eks.amazonaws.com`, and whether their Action / NotAction covers a given STS action.
//!
//! EKS Pod Identity (the EKS Auth service) assumes the role itself, with `sts:AssumeRole` and
//! session tags (`sts:TagSession`): see
//! <https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html>.

use crate::check::support::objects::describe_with_workloads;
use crate::diagnostic::Diagnostic;
use crate::engine::{self, ASSUME_ROLE, AssumeRoleRequest, Caller, ContextValue, Reason, Verdict};
use crate::link::{AssociationId, Linked, SaId, WorkloadId};
use crate::model::arn::parse_role_arn;
use crate::model::pod_identity::PodIdentityAssociation;
use crate::model::policy::{
    ConditionBlock, ConditionEntry, Located, PolicyValue, Principal, Statement, TrustPolicy,
};
use crate::source::Span;

pub use crate::link::pod_identity::{POD_IDENTITY_SERVICE, SESSION_TAGS, literal};

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

/// The principal is nothing but `{"Service": "pods.eks.amazonaws.com"}` (one or more such values).
pub fn trusts_only_pod_identity(stmt: &Statement) -> bool {
    let Some(Principal::Map(entries)) = stmt.principal.as_ref().map(|p| &p.principal) else {
        return false;
    };
    entries.iter().all(|e| {
        e.kind.value.eq_ignore_ascii_case("Service")
            && e.values
                .iter()
                .all(|v| !v.has_unknown() && v.text.eq_ignore_ascii_case(POD_IDENTITY_SERVICE))
    })
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

/// The logical path of a finding on one field of an association (`roleArn`, `namespace`).
pub fn association_path(association: &PodIdentityAssociation, field: &str) -> String {
    format!("{}#{field}", association.logical_path)
}

/// `namespace/name` of the ServiceAccount an association names, as written (`?` when missing).
pub fn association_subject(association: &PodIdentityAssociation) -> String {
    let text = |v: Option<&Located<String>>| v.map_or("?", |v| v.value.as_str()).to_string();
    format!(
        "{}/{}",
        text(association.namespace.as_ref()),
        text(association.service_account.as_ref())
    )
}

/// A role named in messages: the name of a role ARN, else the text as written.
pub fn role_label(arn: &str) -> String {
    parse_role_arn(arn.trim())
        .filter(|a| !crate::model::template::has_holes(a.name))
        .map_or_else(|| arn.trim().to_string(), |a| a.name.to_string())
}

/// The role an association names, for messages, when its trust `policy` is in the input: the
/// ARN's name when written as text, else the policy's own (a Terraform or CloudFormation
/// reference, `${aws_iam_role.api.arn}`, names the role `api` whose trust was linked).
pub fn role_label_of(arn: &str, policy: &TrustPolicy) -> String {
    match parse_role_arn(arn.trim()) {
        Some(a) if !crate::model::template::has_holes(a.name) => a.name.to_string(),
        _ => policy
            .role_label()
            .map(str::to_string)
            .or_else(|| policy.resource_address.clone())
            .unwrap_or_else(|| arn.trim().to_string()),
    }
}

/// `diag` with the association as a related location.
pub fn with_association(diag: Diagnostic, association: &PodIdentityAssociation) -> Diagnostic {
    diag.related(
        &association.source,
        association.anchor(),
        format!(
            "{} gives `{}` this role",
            association.label,
            association_subject(association)
        ),
    )
}

/// The session tag an `aws:RequestTag/<tag>` or `aws:PrincipalTag/<tag>` key names, when it is one
/// EKS Pod Identity sets (`kubernetes-namespace`, `eks-cluster-name`, ...), compared ignoring case
/// as IAM compares key names.
pub fn session_tag_of(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let tag = lower
        .strip_prefix("aws:requesttag/")
        .or_else(|| lower.strip_prefix("aws:principaltag/"))?;
    SESSION_TAGS.iter().copied().find(|t| *t == tag)
}

/// A statement, and its condition on a session tag that fails.
pub type SessionTagMiss<'p> = (&'p Statement, &'p ConditionBlock, &'p ConditionEntry);

/// The condition entries of a denied verdict that fail for a request because of a session tag:
/// for each Allow statement trusting the Pod Identity principal that the engine found missing on
/// a condition, that condition, when its key is an `aws:RequestTag/<session tag>` key. Empty
/// unless every such statement fails that way (a statement failing on its action is reported by
/// IRSA401/IRSA403, one failing on another key by nothing here).
pub fn session_tag_misses<'p>(
    policy: &'p TrustPolicy,
    verdict: &Verdict,
) -> Vec<SessionTagMiss<'p>> {
    let Reason::NoAllow { misses } = &verdict.reason else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for miss in misses {
        let Some(stmt) = miss.statement_in(policy) else {
            continue;
        };
        if pod_identity_principal(stmt).is_none() {
            continue;
        }
        match miss.condition_in(policy) {
            Some((block, entry))
                if entry.key_parts().is_literal()
                    && entry
                        .key
                        .value
                        .to_ascii_lowercase()
                        .starts_with("aws:requesttag/") =>
            {
                found.push((stmt, block, entry))
            }
            _ => return Vec::new(),
        }
    }
    found
}

/// An association's role as the linked rules judge it: its trust policy (matched with certainty),
/// EKS Pod Identity's request for the association and the engine's verdict.
pub struct JudgedRole<'l> {
    pub policy: &'l TrustPolicy,
    pub request: &'l AssumeRoleRequest,
    pub verdict: &'l Verdict,
    /// The role ARN as written in the association.
    pub role_arn: &'l Located<String>,
}

/// The judged role of association `id`, when its trust policy is in the input and is certainly
/// the role's (not one of the same name in another account).
pub fn judged_role(linked: &Linked, id: AssociationId) -> Option<JudgedRole<'_>> {
    let links = linked.association_links(id);
    let binding = links.role.filter(|b| b.is_certain())?;
    let (request, verdict) = links.verdict.as_ref()?;
    Some(JudgedRole {
        policy: linked.policy(binding.policy),
        request,
        verdict,
        role_arn: linked.association(id).role_arn.as_ref()?,
    })
}

/// A judged role whose trust denies the association because of session tag conditions: the role
/// and [`session_tag_misses`] (never empty).
pub fn denied_by_session_tags(
    linked: &Linked,
    id: AssociationId,
) -> Option<(JudgedRole<'_>, Vec<SessionTagMiss<'_>>)> {
    let judged = judged_role(linked, id).filter(|j| j.verdict.is_denied())?;
    let misses = session_tag_misses(judged.policy, judged.verdict);
    (!misses.is_empty()).then_some((judged, misses))
}

/// "`payments/api` (run by Deployment `payments/api`)": the ServiceAccount association `id` names,
/// with the workloads of the input that run as it.
pub fn pods_of(linked: &Linked, id: AssociationId) -> String {
    let association = linked.association(id);
    let workloads: Vec<WorkloadId> = linked
        .association_links(id)
        .service_accounts
        .iter()
        .flat_map(|&sa| linked.workloads_of_service_account(sa).iter().copied())
        .collect();
    describe_with_workloads(linked, &association_subject(association), &workloads)
}

/// Condition keys the `AssumeRole` request of EKS Pod Identity never carries with a value a trust
/// policy can expect, each with the reason, for messages. The EKS Auth service calls STS itself:
/// no person signs in (no MFA), the call does not come from your network or through your VPC
/// endpoint, and EKS documents an external id only for the target role of an association.
const NEVER_PRESENTED: [(&str, &str); 7] = [
    (
        "aws:MultiFactorAuthPresent",
        "the EKS service makes the call, not a person who signed in with MFA",
    ),
    (
        "aws:MultiFactorAuthAge",
        "the EKS service makes the call, not a person who signed in with MFA",
    ),
    (
        "aws:SourceIp",
        "the EKS service calls STS from AWS's network, not from your pods' or your addresses",
    ),
    (
        "aws:SourceVpc",
        "the EKS service does not call STS through a VPC endpoint of yours",
    ),
    (
        "aws:SourceVpce",
        "the EKS service does not call STS through a VPC endpoint of yours",
    ),
    (
        "aws:VpcSourceIp",
        "the EKS service does not call STS through a VPC endpoint of yours",
    ),
    (
        "sts:ExternalId",
        "EKS passes an external id only when the role's session assumes an association's \
         target role, never when it assumes the role itself",
    ),
];

/// A condition entry of a Pod Identity statement that can never hold for the request EKS Pod
/// Identity makes, and why.
pub struct NeverHolds<'a> {
    pub block: &'a ConditionBlock,
    pub entry: &'a ConditionEntry,
    pub reason: &'static str,
}

/// The entries of the statement on a key EKS Pod Identity never presents (see
/// [`NEVER_PRESENTED`]) that evaluate to false for its request. The engine decides, with the key
/// absent: `Null` `"true"`, `…IfExists`, negated operators and `ForAllValues:` hold on an absent
/// key and are not returned. For `aws:MultiFactorAuthPresent`, whose absence AWS does not
/// document for service principals, the entry must also fail with the key present as `false`, so
/// `"Bool": {"aws:MultiFactorAuthPresent": "false"}` is not returned either.
pub fn never_holding_entries(stmt: &Statement) -> Vec<NeverHolds<'_>> {
    let absent = AssumeRoleRequest::new(
        Caller::Service(POD_IDENTITY_SERVICE.to_string()),
        ASSUME_ROLE,
    );
    let no_mfa = absent
        .clone()
        .with_key("aws:MultiFactorAuthPresent", [ContextValue::from("false")]);
    stmt.condition_entries()
        .filter(|(_, entry)| !entry.key_has_unknown())
        .filter_map(|(block, entry)| {
            let (key, reason) = NEVER_PRESENTED
                .iter()
                .find(|(key, _)| key.eq_ignore_ascii_case(&entry.key.value))?;
            let fails = |request: &AssumeRoleRequest| {
                engine::evaluate_entry(block, entry, request).is_false()
            };
            let never = fails(&absent)
                && (!key.eq_ignore_ascii_case("aws:MultiFactorAuthPresent") || fails(&no_mfa));
            never.then_some(NeverHolds {
                block,
                entry,
                reason,
            })
        })
        .collect()
}

/// The request EKS Pod Identity makes, as far as a trust policy alone tells: the six session tags
/// and `aws:SourceAccount` / `aws:SourceArn` present with values not known statically; every other
/// key absent.
fn request_shape() -> AssumeRoleRequest {
    let mut request = AssumeRoleRequest::new(
        Caller::Service(POD_IDENTITY_SERVICE.to_string()),
        ASSUME_ROLE,
    );
    for tag in SESSION_TAGS {
        request = request.with_key(
            format!("aws:RequestTag/{tag}"),
            [ContextValue::Unknown(format!("the {tag} session tag"))],
        );
    }
    request
        .with_key("aws:TagKeys", SESSION_TAGS)
        .with_key(
            "aws:SourceAccount",
            [ContextValue::Unknown("the cluster's account".to_string())],
        )
        .with_key(
            "aws:SourceArn",
            [ContextValue::Unknown("the cluster's ARN".to_string())],
        )
}

/// True when some condition entry of the statement certainly fails for every request of EKS Pod
/// Identity with session tags: a positive condition on a key the request lacks (an OIDC claim, a
/// principal tag, a misspelt session tag, MFA, ...). Such a statement admits no pod at all.
pub fn never_admits_pods(stmt: &Statement) -> bool {
    let request = request_shape();
    stmt.condition_entries()
        .any(|(block, entry)| engine::evaluate_entry(block, entry, &request).is_false())
}

/// Test support: an Allow statement for the Pod Identity principal, with both actions and this
/// `Condition` object.
#[cfg(test)]
pub(crate) fn pods_statement(condition: &str) -> String {
    format!(
        r#"{{"Effect":"Allow","Principal":{{"Service":"{POD_IDENTITY_SERVICE}"}},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{condition}}}"#
    )
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

/// `diag` with association `id` as a related location, with `message`.
pub fn with_association_note(
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

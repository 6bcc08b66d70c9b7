//! The verdict for each IRSA ServiceAccount: can its pods assume the role its annotation names?
//!
//! The request is the one the pod's SDK would make: the provider is the cluster's issuer
//! (`--cluster-issuer`, in the role's account) or, when no issuer is configured, each OIDC provider
//! the trust policy names (the cluster is assumed to be one of them); `sub` is
//! `system:serviceaccount:<namespace>:<name>`; `aud` is the `eks.amazonaws.com/audience`
//! annotation or `sts.amazonaws.com`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use super::{Linked, PolicyId, SaId};
use crate::engine::{self, AssumeRoleRequest, ContextValue, Tri, Verdict};
use crate::model::arn::parse_role_arn;
use crate::model::k8s::{ServiceAccount, annotations};
use crate::model::policy::{Principal, Statement, TrustPolicy};
use crate::model::template::has_holes;

/// One request a ServiceAccount's pods would make.
#[derive(Clone, Debug)]
pub struct ServiceAccountRequest {
    pub provider_arn: String,
    pub subject: String,
    pub audience: String,
}

impl ServiceAccountRequest {
    pub fn to_request(&self) -> AssumeRoleRequest {
        // A namespace, name or audience filled in at deploy time (`${NAMESPACE}`) makes that
        // claim unknown: the verdict then says only what holds whatever it is.
        let claim = |text: &str| match has_holes(text) {
            true => ContextValue::Unknown(text.to_string()),
            false => ContextValue::Known(text.to_string()),
        };
        AssumeRoleRequest::web_identity(&self.provider_arn)
            .with_claim("sub", [claim(&self.subject)])
            .with_claim("aud", [claim(&self.audience)])
    }
}

#[derive(Clone, Debug)]
pub struct SaVerdict {
    /// The trust policy evaluated.
    pub policy: PolicyId,
    /// One evaluation per candidate provider.
    pub evaluations: Vec<(ServiceAccountRequest, Verdict)>,
    /// True when some request is allowed, False when every one is denied.
    pub admitted: Tri,
}

impl SaVerdict {
    /// The evaluation that best explains the outcome: an allowed one when admitted, else the
    /// first denied (or unknown) one.
    pub fn explaining(&self) -> Option<&(ServiceAccountRequest, Verdict)> {
        match self.admitted {
            Tri::True => self.evaluations.iter().find(|(_, v)| v.is_allowed()),
            Tri::False => self.evaluations.first(),
            Tri::Unknown => self.evaluations.iter().find(|(_, v)| v.is_unknown()),
        }
    }
}

/// The IRSA subject of a ServiceAccount.
pub fn subject(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// The OIDC provider ARNs a role's pods may present: the configured issuer, else the providers
/// the trust policy's Allow statements name.
pub fn candidate_providers(
    policy: &TrustPolicy,
    cluster_issuer: Option<&str>,
    role_arn: Option<&str>,
) -> Vec<String> {
    if let Some(issuer) = cluster_issuer {
        let host = issuer
            .trim()
            .trim_start_matches("https://")
            .trim_end_matches('/');
        let (partition, account) = role_arn
            .and_then(parse_role_arn)
            .map(|a| (a.partition.to_string(), a.account.to_string()))
            .or_else(|| {
                let r = policy.role.as_ref()?;
                Some((r.partition.clone()?, r.account.clone()?))
            })
            .unwrap_or_else(|| ("aws".to_string(), "000000000000".to_string()));
        return vec![format!(
            "arn:{partition}:iam::{account}:oidc-provider/{host}"
        )];
    }
    let mut providers: Vec<String> = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(Statement::oidc_principals)
        // A principal whose account is a template variable (`arn:aws:iam::${ACCOUNT_ID}:
        // oidc-provider/<host>`) still names its provider: the engine matches the request against
        // it as Unknown, never as a denial.
        .filter(|v| !v.has_unknown() || v.parts().known_suffix().contains(":oidc-provider/"))
        .map(|v| v.text.clone())
        .collect();
    providers.sort();
    providers.dedup();
    if providers.is_empty() {
        // The trust names no OIDC provider: no web-identity request can match a principal. A
        // provider that matches nothing makes the engine say so.
        providers.push("arn:aws:iam::000000000000:oidc-provider/irsa-lint.invalid".to_string());
    }
    providers
}

/// Evaluate a subject and audience against a policy for every candidate provider.
pub fn evaluate_subject(
    policy: &TrustPolicy,
    providers: &[String],
    subject: &str,
    audience: &str,
) -> (Vec<(ServiceAccountRequest, Verdict)>, Tri) {
    let evaluations: Vec<(ServiceAccountRequest, Verdict)> = providers
        .iter()
        .map(|p| {
            let req = ServiceAccountRequest {
                provider_arn: p.clone(),
                subject: subject.to_string(),
                audience: audience.to_string(),
            };
            let verdict = engine::evaluate(policy, &req.to_request());
            (req, verdict)
        })
        .collect();
    let admitted = Tri::any(evaluations.iter().map(|(_, v)| {
        if v.is_allowed() {
            Tri::True
        } else if v.is_denied() {
            Tri::False
        } else {
            Tri::Unknown
        }
    }));
    (evaluations, admitted)
}

/// The audience a ServiceAccount's tokens carry ([`Linked::audience`]).
pub fn audience_of(linked: &Linked, sa: SaId) -> String {
    linked.audience(sa).to_string()
}

/// The audience a ServiceAccount's tokens carry: its `eks.amazonaws.com/audience` annotation,
/// else `sts.amazonaws.com` (computed once per ServiceAccount by the link stage).
pub fn service_account_audience(sa: &ServiceAccount) -> String {
    sa.meta
        .annotation(annotations::AUDIENCE)
        .and_then(|a| a.value.scalar_text())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| engine::STS_AUDIENCE.to_string())
}

/// Asks whether a trust policy admits a subject and audience from any of some providers, like
/// [`evaluate_subject`]'s second half, without explanations: one request per provider is built
/// once and only its `sub` and `aud` claims are replaced for each question.
pub struct SubjectProbe<'a> {
    policy: &'a TrustPolicy,
    requests: Vec<AssumeRoleRequest>,
}

impl<'a> SubjectProbe<'a> {
    pub fn new(policy: &'a TrustPolicy, providers: &[String]) -> SubjectProbe<'a> {
        let requests = providers
            .iter()
            .map(|p| {
                ServiceAccountRequest {
                    provider_arn: p.clone(),
                    subject: String::new(),
                    audience: String::new(),
                }
                .to_request()
            })
            .collect();
        SubjectProbe { policy, requests }
    }

    /// True when some provider's request is allowed, False when every one is denied.
    pub fn admits(&mut self, subject: &str, audience: &str) -> Tri {
        // The claim as `ServiceAccountRequest::to_request` makes it, reusing the buffer.
        let claim = |slot: &mut ContextValue, text: &str| match (slot, has_holes(text)) {
            (ContextValue::Known(s), false) | (ContextValue::Unknown(s), true) => {
                s.clear();
                s.push_str(text);
            }
            (slot, true) => *slot = ContextValue::Unknown(text.to_string()),
            (slot, false) => *slot = ContextValue::Known(text.to_string()),
        };
        let policy = self.policy;
        Tri::any(self.requests.iter_mut().map(|request| {
            for (name, values) in request.claims.iter_mut() {
                let text = match name.as_str() {
                    "sub" => subject,
                    "aud" => audience,
                    _ => continue,
                };
                if let Some(slot) = values.first_mut() {
                    claim(slot, text);
                }
            }
            engine::admits(policy, request)
        }))
    }
}

/// The verdict for ServiceAccount `sa`, when it is linked to a trust policy in the input.
pub fn verdict_for(linked: &Linked, sa: SaId) -> Option<SaVerdict> {
    let binding = linked.annotation_binding(sa)?;
    Some(verdict_against(linked, sa, binding.policy))
}

/// The verdict for ServiceAccount `sa` judged against trust policy `policy_id`.
pub fn verdict_against(linked: &Linked, sa: SaId, policy_id: PolicyId) -> SaVerdict {
    let policy = linked.policy(policy_id);
    let account = linked.service_account(sa);
    let role_arn = account.role_arn().and_then(|a| a.value.as_str());
    let providers = candidate_providers(policy, linked.options.cluster_issuer.as_deref(), role_arn);
    let subject = subject(&linked.sa_namespace(sa).name, account.meta.name_str());
    let (evaluations, admitted) =
        evaluate_subject(policy, &providers, &subject, &audience_of(linked, sa));
    SaVerdict {
        policy: policy_id,
        evaluations,
        admitted,
    }
}

/// The ServiceAccounts of the input whose pods a trust policy admits (the role's blast radius),
/// with their audience taken from their own annotation.
///
/// A monorepo may hold thousands of ServiceAccounts and hundreds of roles, so subjects are first
/// filtered by the literal prefixes of the policy's `:sub` values ([`subject_prefilter`]): a
/// subject that starts with none of them cannot satisfy the positive `:sub` condition every Allow
/// statement carries, and is not evaluated.
///
/// Case-sensitive prefixes select their candidates from the subjects sorted once by the link stage
/// (a range each), and the answer is memoised per evaluation key ([`evaluation_key`]) and
/// providers: roles with the same trust conditions (2,000 roles trusting
/// `system:serviceaccount:*:*`) cost one pass.
pub fn blast_radius(linked: &Linked, policy_id: PolicyId) -> Arc<[SaId]> {
    let policy = linked.policy(policy_id);
    let providers = providers_for_policy(linked, policy_id);
    let key = evaluation_key(policy).map(|mut key| {
        for p in &providers {
            let _ = write!(key, "provider {p:?};");
        }
        key
    });
    let cache = linked.blast_radius_cache();
    if let Some(found) = key.as_ref().and_then(|k| cache.get(k)) {
        return found;
    }
    let radius: Arc<[SaId]> = compute_blast_radius(linked, policy, &providers).into();
    if let Some(key) = key {
        cache.insert(key, radius.clone());
    }
    radius
}

/// [`blast_radius`] without the memo.
fn compute_blast_radius(linked: &Linked, policy: &TrustPolicy, providers: &[String]) -> Vec<SaId> {
    let prefilter = subject_prefilter(policy);
    let candidates: Vec<SaId> = match &prefilter {
        None => linked.subjects().map(|(i, _)| i).collect(),
        Some(f) if f.prefixes.iter().any(|(_, ignore_case)| *ignore_case) => linked
            .subjects()
            .filter(|(_, subject)| f.may_admit(subject))
            .map(|(i, _)| i)
            .collect(),
        Some(f) => {
            let mut ids: Vec<SaId> = f
                .prefixes
                .iter()
                .flat_map(|(prefix, _)| linked.service_accounts_with_subject_prefix(prefix))
                .copied()
                .collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        }
    };
    let mut probe = SubjectProbe::new(policy, providers);
    candidates
        .into_iter()
        .filter(|&i| {
            probe
                .admits(linked.subject(i), linked.audience(i))
                .is_true()
        })
        .collect()
}

/// Blast radii by evaluation key and providers ([`blast_radius`]).
#[derive(Debug, Default)]
pub struct BlastRadiusCache(Mutex<HashMap<String, Arc<[SaId]>>>);

impl BlastRadiusCache {
    fn get(&self, key: &str) -> Option<Arc<[SaId]>> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).cloned()
    }

    fn insert(&self, key: String, radius: Arc<[SaId]>) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(key).or_insert(radius);
    }
}

/// Everything of a trust policy that the engine reads to decide a request, as text: two policies
/// with the same key admit the same requests. Each statement's effect, principal, actions and
/// condition blocks (operator, keys and values); spans, `Sid`s and the statement's position are
/// left out. None when some key or value has unknown parts (not worth a key).
pub fn evaluation_key(policy: &TrustPolicy) -> Option<String> {
    let mut key = String::new();
    let values = |key: &mut String, values: &[crate::model::policy::PolicyValue]| {
        for v in values {
            let _ = write!(key, "{:?}/{},", v.text, v.is_string);
        }
    };
    let literal =
        |values: &[crate::model::policy::PolicyValue]| values.iter().all(|v| !v.has_unknown());
    for stmt in &policy.statements {
        let _ = write!(
            key,
            "statement {:?};",
            stmt.effect.as_ref().map(|e| &e.value)
        );
        match stmt.principal.as_ref().map(|p| &p.principal) {
            None => key.push_str("no principal;"),
            Some(Principal::Wildcard(v)) => {
                if v.has_unknown() {
                    return None;
                }
                let _ = write!(key, "principal * {:?};", v.text);
            }
            Some(Principal::Map(entries)) => {
                for e in entries {
                    if !literal(&e.values) {
                        return None;
                    }
                    let _ = write!(key, "principal {:?}:", e.kind.value);
                    values(&mut key, &e.values);
                    key.push(';');
                }
            }
            Some(Principal::Invalid) => key.push_str("invalid principal;"),
        }
        for (name, element) in [("action", &stmt.action), ("not action", &stmt.not_action)] {
            if let Some(a) = element {
                if !literal(&a.values) {
                    return None;
                }
                let _ = write!(key, "{name}:");
                values(&mut key, &a.values);
                key.push(';');
            }
        }
        for block in stmt.condition.iter().flat_map(|c| &c.operators) {
            let _ = write!(key, "block {:?}:", block.operator);
            for entry in &block.entries {
                if entry.key_has_unknown() || !literal(&entry.values) {
                    return None;
                }
                let _ = write!(key, "{:?}=", entry.key.value);
                values(&mut key, &entry.values);
                key.push(';');
            }
        }
    }
    Some(key)
}

/// The providers a trust policy's requests come from, whoever the ServiceAccount: with
/// `--cluster-issuer`, the issuer registered in the role's account (from the role's identity, else
/// from the annotation of a ServiceAccount linked to it by identity or file stem).
pub fn providers_for_policy(linked: &Linked, policy_id: PolicyId) -> Vec<String> {
    let policy = linked.policy(policy_id);
    let role_arn = linked
        .bound_to(policy_id)
        .filter(|(_, b)| b.is_certain())
        .find_map(|(i, _)| {
            linked
                .service_account(i)
                .role_arn()
                .and_then(|a| a.value.as_str())
                .map(str::trim)
        });
    candidate_providers(policy, linked.options.cluster_issuer.as_deref(), role_arn)
}

/// Literal prefixes that every subject a policy admits starts with (see [`subject_prefilter`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubjectPrefilter {
    /// (prefix, ignore case).
    prefixes: Vec<(String, bool)>,
}

impl SubjectPrefilter {
    /// False when the subject can certainly not be admitted.
    pub fn may_admit(&self, subject: &str) -> bool {
        self.prefixes.iter().any(|(prefix, ignore_case)| {
            // Unicode case folding may map a non-ASCII character onto an ASCII one: do not
            // filter such subjects.
            (*ignore_case && !subject.is_ascii())
                || subject.len() >= prefix.len()
                    && subject.is_char_boundary(prefix.len())
                    && if *ignore_case {
                        subject[..prefix.len()].eq_ignore_ascii_case(prefix)
                    } else {
                        subject.starts_with(prefix.as_str())
                    }
        })
    }
}

/// The literal prefixes of the `:sub` values of a policy's Allow statements, when every Allow
/// statement has a positive `:sub` condition (`StringEquals`, `StringEqualsIgnoreCase`,
/// `StringLike`, without `IfExists` or `ForAllValues:`, which hold for an absent key) whose values
/// are all resolved and free of policy variables. None when some statement could admit any
/// subject: then nothing may be filtered out. Conservative: a statement's conditions are AND-ed,
/// so one such entry bounds the subjects it admits.
pub fn subject_prefilter(policy: &TrustPolicy) -> Option<SubjectPrefilter> {
    use crate::model::policy::{BaseOperator, SetQualifier};
    let mut prefixes: Vec<(String, bool)> = Vec::new();
    for stmt in policy.statements.iter().filter(|s| s.is_allow()) {
        let bounding = stmt.claim_entries("sub").find(|(block, entry)| {
            let Some(op) = block.operator else {
                return false;
            };
            matches!(
                op.base,
                BaseOperator::StringEquals
                    | BaseOperator::StringEqualsIgnoreCase
                    | BaseOperator::StringLike
            ) && !op.if_exists
                && op.set != Some(SetQualifier::ForAllValues)
                && !entry.values.is_empty()
                && entry
                    .values
                    .iter()
                    .all(|v| !v.has_unknown() && !engine::matcher::has_policy_variable(&v.text))
        });
        let (block, entry) = bounding?;
        let op = block.operator?;
        let ignore_case = op.base == BaseOperator::StringEqualsIgnoreCase;
        for v in &entry.values {
            let literal = if op.base == BaseOperator::StringLike {
                v.text.split(['*', '?']).next().unwrap_or("")
            } else {
                v.text.as_str()
            };
            // Case-insensitive prefixes are compared ASCII-wise: keep them ASCII.
            if ignore_case && !literal.is_ascii() {
                return None;
            }
            prefixes.push((literal.to_string(), ignore_case));
        }
    }
    Some(SubjectPrefilter { prefixes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::link::{Binding, BindingSource, LinkOptions, Model, RoleMatch};
    use crate::parse::tree::Limits;
    use crate::parse::{self, FileKind};
    use crate::source::SourceFile;
    use std::sync::Arc;

    const ID: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";

    fn add(model: &mut Model, name: &str, kind: FileKind, text: String) {
        let source = Arc::new(SourceFile::new(name, None, text));
        let parsed = parse::parse(&source.text, kind, Limits::default());
        let extracted = crate::extract::extract(&source, &parsed);
        model.policies.extend(extracted.policies);
        model
            .service_accounts
            .extend(extracted.k8s.service_accounts);
        model.workloads.extend(extracted.k8s.workloads);
    }

    fn trust(operator: &str, subjects: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
 "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/{ID}"}},
 "Action": "sts:AssumeRoleWithWebIdentity",
 "Condition": {{"StringEquals": {{"{ID}:aud": "sts.amazonaws.com"}}, "{operator}": {{"{ID}:sub": {subjects}}}}}}}]}}"#
        )
    }

    fn service_accounts(names: &[(&str, &str)]) -> String {
        names
            .iter()
            .map(|(ns, name)| {
                format!("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n  namespace: {ns}\n")
            })
            .collect::<Vec<_>>()
            .join("---\n")
    }

    fn policy(operator: &str, subjects: &str) -> TrustPolicy {
        let mut model = Model::default();
        add(
            &mut model,
            "role.json",
            FileKind::Json,
            trust(operator, subjects),
        );
        model.policies.remove(0)
    }

    #[test]
    fn prefilter_keeps_literal_prefixes() {
        let p = policy(
            "StringLike",
            r#"["system:serviceaccount:pay*:api", "system:serviceaccount:batch:job-?"]"#,
        );
        let f = subject_prefilter(&p).unwrap();
        assert!(f.may_admit("system:serviceaccount:payments:api"));
        assert!(f.may_admit("system:serviceaccount:batch:job-1"));
        assert!(!f.may_admit("system:serviceaccount:billing:api"));
        let p = policy(
            "StringEqualsIgnoreCase",
            r#""system:serviceaccount:Payments:API""#,
        );
        let f = subject_prefilter(&p).unwrap();
        assert!(f.may_admit("system:serviceaccount:payments:api"));
        assert!(!f.may_admit("system:serviceaccount:billing:api"));
    }

    #[test]
    fn prefilter_gives_up_when_a_statement_may_admit_any_subject() {
        // A negated operator does not bound the subjects.
        assert!(
            subject_prefilter(&policy("StringNotEquals", r#""system:serviceaccount:a:b""#))
                .is_none()
        );
        // IfExists holds when the key is absent.
        assert!(
            subject_prefilter(&policy(
                "StringLikeIfExists",
                r#""system:serviceaccount:a:*""#
            ))
            .is_none()
        );
        // Policy variables are not modelled.
        assert!(
            subject_prefilter(&policy(
                "StringLike",
                r#""system:serviceaccount:${aws:username}:*""#
            ))
            .is_none()
        );
    }

    #[test]
    fn blast_radius_agrees_with_evaluating_every_subject() {
        let mut model = Model::default();
        add(
            &mut model,
            "role.json",
            FileKind::Json,
            trust(
                "StringLike",
                r#"["system:serviceaccount:payments:*", "system:serviceaccount:reports:report-?"]"#,
            ),
        );
        add(
            &mut model,
            "sas.yaml",
            FileKind::Yaml,
            service_accounts(&[
                ("payments", "api"),
                ("payments", "worker"),
                ("payments-batch", "export"),
                ("reports", "report-a"),
                ("reports", "report-10"),
                ("billing", "api"),
            ]),
        );
        let linked = Linked::new(model, LinkOptions::default());
        let radius = blast_radius(&linked, PolicyId::at(0)).to_vec();
        let policy = linked.policy(PolicyId::at(0));
        let providers = providers_for_policy(&linked, PolicyId::at(0));
        let every: Vec<SaId> = linked
            .subjects()
            .filter(|(i, s)| {
                evaluate_subject(policy, &providers, s, &audience_of(&linked, *i))
                    .1
                    .is_true()
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(radius, every);
        let names: Vec<String> = radius
            .iter()
            .map(|&i| {
                format!(
                    "{}/{}",
                    linked.sa_namespace(i).name,
                    linked.service_account(i).meta.name_str()
                )
            })
            .collect();
        assert_eq!(
            names,
            ["payments/api", "payments/worker", "reports/report-a"]
        );
    }

    #[test]
    fn annotation_binds_a_service_account_to_its_role() {
        let mut model = Model::default();
        add(
            &mut model,
            "role.json",
            FileKind::Json,
            trust("StringEquals", r#""system:serviceaccount:payments:api""#),
        );
        add(
            &mut model,
            "sas.yaml",
            FileKind::Yaml,
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/role\n---\n".to_string()
                + &service_accounts(&[("payments", "plain")]),
        );
        let linked = Linked::new(model, LinkOptions::default());
        let ids: Vec<SaId> = linked.service_accounts().map(|(id, _)| id).collect();
        let (api, plain) = (ids[0], ids[1]);
        assert_eq!(linked.service_account(api).meta.name_str(), "api");
        let binding = Binding {
            source: BindingSource::Annotation,
            policy: PolicyId::at(0),
            matched: RoleMatch::FileStem,
        };
        assert_eq!(linked.bindings(api), [binding]);
        assert_eq!(linked.annotation_binding(api), Some(&binding));
        assert!(linked.bindings(plain).is_empty());
        assert_eq!(
            linked.bound_to(PolicyId::at(0)).collect::<Vec<_>>(),
            [(api, &binding)]
        );
        let verdict = linked
            .verdict(api)
            .expect("a bound ServiceAccount has a verdict");
        assert_eq!(verdict.policy, PolicyId::at(0));
        assert!(verdict.admitted.is_true());
        assert!(linked.verdict(plain).is_none());
    }
}

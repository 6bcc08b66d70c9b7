//! Link: join the model across files.
//!
//! - every object's effective namespace ([`NamespaceOrigin`]): `metadata.namespace`, else the
//!   `namespace:` of a `kustomization.yaml` in the same directory that lists the file, else
//!   `--default-namespace`;
//! - every workload's effective ServiceAccount (`serviceAccountName`, else the deprecated
//!   `serviceAccount`, else `default`) and the ServiceAccount objects it resolves to;
//! - the namespace each [`ServiceAccountReference`] of a custom resource looks its ServiceAccount
//!   up in;
//! - every ServiceAccount's [`Binding`]s to roles whose trust policy is in the input, each with
//!   its [`BindingSource`] (today the role-arn annotation, [`roles`]);
//! - every IRSA ServiceAccount's verdict: can its pods assume the role ([`verdict`]);
//! - every EKS Pod Identity association's ServiceAccounts, role and target role, and whether EKS
//!   Pod Identity can assume them for its pods ([`pod_identity`]).
//!
//! A `Linked` holds one scope (a repository, [`scope`]); where a name is defined more than once in
//! it, each link goes to the nearest definition, and equally near ones that disagree are recorded
//! as an [`Ambiguity`] instead of being picked from.

pub mod ids;
pub mod pod_identity;
pub mod roles;
pub mod scope;
pub mod verdict;

use std::collections::BTreeMap;

use crate::discover::PathGlobs;
use crate::model::arn::parse_role_arn;
use crate::model::k8s::{
    EnvSource, Kustomization, ObjectMeta, ReferenceScope, RoleArnSetting, ServiceAccount,
    ServiceAccountReference, Workload,
};
use crate::model::oidc::same_issuer;
use crate::model::pod_identity::{
    AddonList, FargateProfile, PodIdentityAssociation, PodIdentityObjects,
};
use crate::model::policy::TrustPolicy;
use crate::model::template::has_holes;
use crate::source::{SourceRef, Span};

pub use ids::{AssociationId, PolicyId, SaId, WorkloadId};
pub use roles::{Binding, BindingSource, RoleMatch};
pub use scope::Nearness;
pub use verdict::{SaVerdict, ServiceAccountRequest};

/// A cluster the organisation runs (an entry of the configuration's `clusters`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// `name`, for messages.
    pub name: Option<String>,
    /// `issuer`: the cluster's OIDC issuer URL.
    pub issuer: String,
    /// `account`: the AWS account the cluster (and usually its OIDC provider) lives in.
    pub account: Option<String>,
}

/// Raw trust-policy files matching `path` belong to the role `arn`, with `{stem}` replaced by the
/// file's stem (an entry of the configuration's `roles`).
#[derive(Clone, Debug)]
pub struct RoleMapping {
    /// The files.
    pub path: PathGlobs,
    /// The ARN template (`arn:aws:iam::483920175566:role/{stem}`).
    pub arn: String,
}

impl RoleMapping {
    /// The role ARN for a file with this stem, when the result is a role ARN.
    pub fn arn_for(&self, stem: &str) -> Option<String> {
        let arn = self.arn.replace("{stem}", stem);
        parse_role_arn(&arn).is_some().then_some(arn)
    }
}

/// Options of the link stage (and of the rules that need to know the organisation: clusters,
/// roles, audiences).
#[derive(Clone, Debug)]
pub struct LinkOptions {
    /// The namespace of objects that name none (kubectl's default without `-n`).
    pub default_namespace: String,
    /// The issuer of the cluster the manifests are deployed to (`--cluster-issuer`, or the only
    /// configured cluster), when known: verdicts evaluate each ServiceAccount's request as coming
    /// from it.
    pub cluster_issuer: Option<String>,
    /// The configuration's `clusters`: every trust policy must name one of them (or
    /// `cluster_issuer`), else IRSA307.
    pub clusters: Vec<Cluster>,
    /// The configuration's `audiences`: token audiences the organisation uses besides
    /// `sts.amazonaws.com` (IRSA122 does not report them).
    pub audiences: Vec<String>,
    /// The configuration's `roles`: the role identity of raw trust-policy files.
    pub roles: Vec<RoleMapping>,
}

impl Default for LinkOptions {
    fn default() -> Self {
        LinkOptions {
            default_namespace: "default".to_string(),
            cluster_issuer: None,
            clusters: Vec::new(),
            audiences: Vec::new(),
            roles: Vec::new(),
        }
    }
}

impl LinkOptions {
    /// Every known cluster issuer: `cluster_issuer` and the configured clusters', trimmed, empty
    /// ones dropped, each once (compared ignoring scheme, trailing `/` and host case).
    pub fn cluster_issuers(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        let all = self
            .cluster_issuer
            .as_deref()
            .into_iter()
            .chain(self.clusters.iter().map(|c| c.issuer.as_str()));
        for issuer in all.map(str::trim).filter(|s| !s.is_empty()) {
            if !out.iter().any(|o| same_issuer(o, issuer)) {
                out.push(issuer);
            }
        }
        out
    }

    /// The configured cluster whose issuer this is, if any.
    pub fn cluster_of(&self, issuer: &str) -> Option<&Cluster> {
        self.clusters
            .iter()
            .find(|c| same_issuer(&c.issuer, issuer))
    }
}

/// The role name a ServiceAccount's role-arn annotation names, when it is a role ARN.
fn annotated_role_name(sa: &ServiceAccount) -> Option<&str> {
    let text = sa.role_arn()?.value.as_str()?;
    parse_role_arn(text.trim())
        .map(|arn| arn.name)
        .filter(|n| !n.is_empty())
}

/// Everything extracted from every file.
#[derive(Debug, Default)]
pub struct Model {
    pub policies: Vec<TrustPolicy>,
    pub service_accounts: Vec<ServiceAccount>,
    pub workloads: Vec<Workload>,
    /// ServiceAccounts named by custom resources that run pods.
    pub service_account_references: Vec<ServiceAccountReference>,
    pub env_sources: Vec<EnvSource>,
    pub kustomizations: Vec<Kustomization>,
    /// Role-arn settings of Helm values files: checked like annotations, linked to nothing.
    pub role_arn_settings: Vec<RoleArnSetting>,
    /// EKS Pod Identity associations, Fargate profiles and add-on lists.
    pub pod_identity: PodIdentityObjects,
}

impl Model {
    /// Sort every list by file and position, so that the link stage and every rule see the same
    /// order whatever the number of worker threads.
    pub fn sort(&mut self) {
        fn key(m: &ObjectMeta) -> (&str, u32) {
            (m.file(), m.span.start)
        }
        self.policies.sort_by(|a, b| {
            (a.file(), a.document_span.start).cmp(&(b.file(), b.document_span.start))
        });
        self.service_accounts
            .sort_by(|a, b| key(&a.meta).cmp(&key(&b.meta)));
        self.workloads
            .sort_by(|a, b| key(&a.meta).cmp(&key(&b.meta)));
        self.service_account_references.sort_by(|a, b| {
            (key(&a.meta), a.name.span.start).cmp(&(key(&b.meta), b.name.span.start))
        });
        self.env_sources
            .sort_by(|a, b| key(&a.meta).cmp(&key(&b.meta)));
        self.kustomizations
            .sort_by(|a, b| a.source.display_path.cmp(&b.source.display_path));
        self.role_arn_settings.sort_by(|a, b| {
            (a.source.display_path.as_str(), a.key_span.start)
                .cmp(&(b.source.display_path.as_str(), b.key_span.start))
        });
        let at = |source: &crate::source::SourceRef, span: Span| {
            (source.display_path.clone(), span.start)
        };
        let pod_identity = &mut self.pod_identity;
        pod_identity
            .associations
            .sort_by_key(|a| at(&a.source, a.span));
        pod_identity
            .fargate_profiles
            .sort_by_key(|f| at(&f.source, f.span));
        pod_identity
            .addon_lists
            .sort_by_key(|l| at(&l.source, l.span));
    }
}

/// How an object's namespace was decided.
#[derive(Clone, Debug)]
pub enum NamespaceOrigin {
    /// `metadata.namespace`.
    Explicit(Span),
    /// The `namespace:` of a kustomization that lists the file.
    Kustomization { source: SourceRef, span: Span },
    /// Neither: `--default-namespace`.
    Defaulted,
}

#[derive(Clone, Debug)]
pub struct Namespace {
    pub name: String,
    pub origin: NamespaceOrigin,
}

impl Namespace {
    pub fn is_defaulted(&self) -> bool {
        matches!(self.origin, NamespaceOrigin::Defaulted)
    }
}

/// A workload's effective ServiceAccount name and where it came from.
#[derive(Clone, Debug)]
pub struct EffectiveServiceAccount {
    pub name: String,
    /// The span of `serviceAccountName` (or `serviceAccount`), None when defaulted to `default`.
    pub span: Option<Span>,
}

/// Equally near definitions that disagree, where the link stage would have had to guess.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ambiguity {
    /// A workload's ServiceAccount is defined in several places equally near the workload (not
    /// applied together: that is one object defined twice, IRSA215), with different IRSA
    /// annotations. The workload is linked to all of them.
    ServiceAccount {
        workload: WorkloadId,
        candidates: Vec<SaId>,
        nearness: Nearness,
    },
    /// The role a ServiceAccount names has several trust policies equally near it, and they do not
    /// agree on whether its pods may assume the role. The ServiceAccount is bound to none of them,
    /// so nothing is concluded from either.
    Role {
        service_account: SaId,
        /// Each candidate trust policy with whether it admits the ServiceAccount.
        candidates: Vec<(PolicyId, crate::engine::Tri)>,
        nearness: Nearness,
    },
}

/// The linked model: the [`Model`] plus indexes that join it.
#[derive(Debug)]
pub struct Linked {
    pub model: Model,
    pub options: LinkOptions,
    /// Effective namespace of each ServiceAccount (same index as `model.service_accounts`).
    sa_namespaces: Vec<Namespace>,
    /// Effective namespace of each workload (same index as `model.workloads`).
    workload_namespaces: Vec<Namespace>,
    /// Each workload's effective ServiceAccount (same index as `model.workloads`).
    workload_service_accounts: Vec<EffectiveServiceAccount>,
    /// The namespace each ServiceAccount reference looks its ServiceAccount up in, None when the
    /// input does not decide it (same index as `model.service_account_references`).
    reference_namespaces: Vec<Option<Namespace>>,
    /// (namespace, name) → ServiceAccounts.
    sa_index: BTreeMap<(String, String), Vec<SaId>>,
    /// name → ServiceAccounts, in every namespace.
    sa_by_name: BTreeMap<String, Vec<SaId>>,
    /// (namespace, ServiceAccount name) → workloads running as it.
    workloads_by_sa: BTreeMap<(String, String), Vec<WorkloadId>>,
    /// Each workload's ServiceAccounts of the input: the nearest definitions of its effective
    /// ServiceAccount in its namespace (same index as `model.workloads`).
    workload_sas: Vec<Vec<SaId>>,
    /// Each ServiceAccount's workloads: those linked to it (same index as
    /// `model.service_accounts`).
    sa_workloads: Vec<Vec<WorkloadId>>,
    /// Links that had to choose between equally near definitions that disagree.
    ambiguities: Vec<Ambiguity>,
    /// Namespaces in which the input defines at least one ServiceAccount.
    namespaces_with_sas: BTreeMap<String, usize>,
    /// Each ServiceAccount's bindings (same index as `model.service_accounts`).
    bindings: Vec<Vec<Binding>>,
    /// Each IRSA ServiceAccount's verdict, when its trust policy is in the input (same index as
    /// `model.service_accounts`).
    verdicts: Vec<Option<SaVerdict>>,
    /// What each Pod Identity association is linked to (same index as
    /// `model.pod_identity.associations`).
    association_links: Vec<pod_identity::AssociationLinks>,
    /// Each ServiceAccount's Pod Identity associations (same index as `model.service_accounts`).
    sa_associations: Vec<Vec<AssociationId>>,
    /// Each ServiceAccount's IRSA subject, `system:serviceaccount:NS:NAME` (same index as
    /// `model.service_accounts`).
    sa_subjects: Vec<String>,
    /// Every ServiceAccount, sorted by subject (then model order): a literal subject prefix
    /// selects a range.
    sa_by_subject: Vec<SaId>,
    /// The audience each ServiceAccount's tokens carry (same index as `model.service_accounts`).
    sa_audiences: Vec<String>,
    /// namespace → its ServiceAccounts, in model order.
    sa_by_namespace: BTreeMap<String, Vec<SaId>>,
    /// Each trust policy's bound ServiceAccounts with the binding, in model order (same index as
    /// `model.policies`).
    policy_bindings: Vec<Vec<(SaId, Binding)>>,
    /// Blast radii already computed, by what decides them ([`verdict::blast_radius`]).
    blast_radii: verdict::BlastRadiusCache,
    /// Whether each ServiceAccount's role is an [`Ambiguity::Role`] (same index as
    /// `model.service_accounts`).
    role_ambiguous: Vec<bool>,
    /// ServiceAccount name → the references that name it (indexes into
    /// `model.service_account_references`, in model order).
    references_by_name: BTreeMap<String, Vec<usize>>,
    /// namespace → its ConfigMaps and Secrets (indexes into `model.env_sources`, in model order).
    env_sources_by_namespace: BTreeMap<String, Vec<usize>>,
}

impl Linked {
    pub fn new(mut model: Model, options: LinkOptions) -> Linked {
        model.sort();
        let resolve = |meta: &ObjectMeta| resolve_namespace(meta, &model.kustomizations, &options);
        let sa_namespaces: Vec<Namespace> = model
            .service_accounts
            .iter()
            .map(|s| resolve(&s.meta))
            .collect();
        let workload_namespaces: Vec<Namespace> =
            model.workloads.iter().map(|w| resolve(&w.meta)).collect();
        let env_source_namespaces: Vec<Namespace> =
            model.env_sources.iter().map(|e| resolve(&e.meta)).collect();
        let reference_namespaces = model
            .service_account_references
            .iter()
            .map(|r| match &r.scope {
                ReferenceScope::Object => Some(resolve(&r.meta)),
                ReferenceScope::Named(ns) => Some(Namespace {
                    name: ns.value.clone(),
                    origin: NamespaceOrigin::Explicit(ns.span),
                }),
                ReferenceScope::Any => None,
            })
            .collect();
        let workload_service_accounts: Vec<EffectiveServiceAccount> = model
            .workloads
            .iter()
            .map(|w| {
                let field = w
                    .pod
                    .service_account_name
                    .as_ref()
                    .or(w.pod.service_account.as_ref())
                    .filter(|n| !n.value.is_empty());
                match field {
                    Some(n) => EffectiveServiceAccount {
                        name: n.value.clone(),
                        span: Some(n.span),
                    },
                    None => EffectiveServiceAccount {
                        name: "default".to_string(),
                        span: None,
                    },
                }
            })
            .collect();

        let mut sa_index: BTreeMap<(String, String), Vec<SaId>> = BTreeMap::new();
        let mut sa_by_name: BTreeMap<String, Vec<SaId>> = BTreeMap::new();
        let mut namespaces_with_sas: BTreeMap<String, usize> = BTreeMap::new();
        let mut sa_by_namespace: BTreeMap<String, Vec<SaId>> = BTreeMap::new();
        let mut sa_subjects: Vec<String> = Vec::with_capacity(model.service_accounts.len());
        let mut sa_audiences: Vec<String> = Vec::with_capacity(model.service_accounts.len());
        for (i, sa) in model.service_accounts.iter().enumerate() {
            let ns = sa_namespaces[i].name.clone();
            let name = sa.meta.name_str().to_string();
            sa_subjects.push(verdict::subject(&ns, &name));
            sa_audiences.push(verdict::service_account_audience(sa));
            sa_by_namespace
                .entry(ns.clone())
                .or_default()
                .push(SaId::at(i));
            sa_index
                .entry((ns.clone(), name.clone()))
                .or_default()
                .push(SaId::at(i));
            sa_by_name.entry(name).or_default().push(SaId::at(i));
            *namespaces_with_sas.entry(ns).or_default() += 1;
        }
        let mut workloads_by_sa: BTreeMap<(String, String), Vec<WorkloadId>> = BTreeMap::new();
        for (i, sa) in workload_service_accounts.iter().enumerate() {
            workloads_by_sa
                .entry((workload_namespaces[i].name.clone(), sa.name.clone()))
                .or_default()
                .push(WorkloadId::at(i));
        }
        let mut references_by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in model.service_account_references.iter().enumerate() {
            references_by_name
                .entry(r.name.value.clone())
                .or_default()
                .push(i);
        }
        let mut env_sources_by_namespace: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, ns) in env_source_namespaces.iter().enumerate() {
            env_sources_by_namespace
                .entry(ns.name.clone())
                .or_default()
                .push(i);
        }
        let mut sa_by_subject: Vec<SaId> = (0..sa_subjects.len()).map(SaId::at).collect();
        sa_by_subject.sort_by(|a, b| sa_subjects[a.index()].cmp(&sa_subjects[b.index()]));
        // Each workload runs as the nearest definitions of its ServiceAccount.
        let mut ambiguities = Vec::new();
        let mut sa_workloads: Vec<Vec<WorkloadId>> = vec![Vec::new(); model.service_accounts.len()];
        let mut workload_sas: Vec<Vec<SaId>> = Vec::with_capacity(model.workloads.len());
        for (i, w) in model.workloads.iter().enumerate() {
            let key = (
                workload_namespaces[i].name.clone(),
                workload_service_accounts[i].name.clone(),
            );
            let candidates = sa_index.get(&key).map_or(&[][..], Vec::as_slice);
            let (nearest, nearness) = scope::nearest(
                w.meta.file(),
                candidates
                    .iter()
                    .map(|&id| (id, model.service_accounts[id.index()].meta.file())),
                &model.kustomizations,
            );
            for &sa in &nearest {
                sa_workloads[sa.index()].push(WorkloadId::at(i));
            }
            if let Some(nearness) = nearness.filter(|n| !n.applied_together()) {
                let first = &model.service_accounts[nearest[0].index()].meta;
                let disagree = nearest[1..].iter().any(|&j| {
                    !scope::same_irsa_annotations(first, &model.service_accounts[j.index()].meta)
                });
                if disagree {
                    ambiguities.push(Ambiguity::ServiceAccount {
                        workload: WorkloadId::at(i),
                        candidates: nearest.clone(),
                        nearness,
                    });
                }
            }
            workload_sas.push(nearest);
        }
        let mut linked = Linked {
            model,
            options,
            sa_namespaces,
            workload_namespaces,
            workload_service_accounts,
            reference_namespaces,
            sa_index,
            sa_by_name,
            workloads_by_sa,
            workload_sas,
            sa_workloads,
            ambiguities,
            namespaces_with_sas,
            bindings: Vec::new(),
            verdicts: Vec::new(),
            association_links: Vec::new(),
            sa_associations: Vec::new(),
            sa_subjects,
            sa_by_subject,
            sa_audiences,
            sa_by_namespace,
            policy_bindings: Vec::new(),
            blast_radii: verdict::BlastRadiusCache::default(),
            role_ambiguous: Vec::new(),
            references_by_name,
            env_sources_by_namespace,
        };
        let candidates: Vec<Vec<Binding>> = {
            let index = roles::RoleIndex::new(&linked.model.policies);
            linked
                .model
                .service_accounts
                .iter()
                .map(|sa| index.annotation_candidates(sa))
                .collect()
        };
        let mut bindings = Vec::with_capacity(candidates.len());
        for (i, c) in candidates.into_iter().enumerate() {
            bindings.push(linked.bind_annotation(SaId::at(i), c));
        }
        linked.bindings = bindings;
        let mut role_ambiguous = vec![false; linked.model.service_accounts.len()];
        for a in &linked.ambiguities {
            if let Ambiguity::Role {
                service_account, ..
            } = a
            {
                role_ambiguous[service_account.index()] = true;
            }
        }
        linked.role_ambiguous = role_ambiguous;
        linked.bind_by_subject();
        let mut policy_bindings: Vec<Vec<(SaId, Binding)>> =
            vec![Vec::new(); linked.model.policies.len()];
        for (sa, bindings) in linked.bindings.iter().enumerate() {
            for b in bindings {
                policy_bindings[b.policy.index()].push((SaId::at(sa), *b));
            }
        }
        linked.policy_bindings = policy_bindings;
        linked.verdicts = (0..linked.model.service_accounts.len())
            .map(|i| verdict::verdict_for(&linked, SaId::at(i)))
            .collect();
        linked.association_links = pod_identity::link_associations(&linked);
        linked.sa_associations = pod_identity::associations_by_service_account(
            &linked.association_links,
            linked.model.service_accounts.len(),
        );
        linked
    }

    /// The binding of ServiceAccount `sa`'s role-arn annotation: the nearest of the trust
    /// policies that may be its role's ([`roles::RoleIndex::annotation_candidates`]). Several
    /// equally near that disagree on whether the ServiceAccount is admitted bind it to none and are
    /// recorded as an [`Ambiguity::Role`]; several that agree bind it to the first.
    fn bind_annotation(&mut self, sa: SaId, candidates: Vec<Binding>) -> Vec<Binding> {
        let from = self.service_account(sa).meta.file();
        let (nearest, nearness) = scope::nearest(
            from,
            candidates
                .iter()
                .map(|b| (*b, self.policy(b.policy).file())),
            &self.model.kustomizations,
        );
        let (Some(&first), Some(nearness)) = (nearest.first(), nearness) else {
            return Vec::new();
        };
        if nearest.len() > 1 {
            let judged: Vec<(PolicyId, crate::engine::Tri)> = nearest
                .iter()
                .map(|b| {
                    (
                        b.policy,
                        verdict::verdict_against(self, sa, b.policy).admitted,
                    )
                })
                .collect();
            if judged.iter().any(|(_, t)| *t != judged[0].1) {
                self.ambiguities.push(Ambiguity::Role {
                    service_account: sa,
                    candidates: judged,
                    nearness,
                });
                return Vec::new();
            }
        }
        vec![first]
    }

    /// For each IRSA ServiceAccount whose role's trust is in the input by no name (a trust file
    /// saved as `irsa-trust.json`, not `<role>.json`), the raw trust file that names its subject
    /// ([`roles::subject_candidates`]), when exactly one is nearest: a likely guess that findings
    /// state as an assumption. Files already bound by name to another role are not candidates;
    /// several equally near ones are no guess at all (IRSA305 then says nothing was checked).
    fn bind_by_subject(&mut self) {
        // Which role names each policy is bound to by name.
        let mut roles_of_policy: Vec<Vec<String>> = vec![Vec::new(); self.model.policies.len()];
        for (i, sa) in self.model.service_accounts.iter().enumerate() {
            if let (Some(binding), Some(role)) = (self.bindings[i].first(), annotated_role_name(sa))
            {
                roles_of_policy[binding.policy.index()].push(role.to_string());
            }
        }
        // Which policies name each ServiceAccount name in some subject.
        let index = roles::SubjectIndex::new(&self.model.policies);
        for i in 0..self.model.service_accounts.len() {
            let sa = SaId::at(i);
            let account = &self.model.service_accounts[i];
            let Some(role) = annotated_role_name(account) else {
                continue;
            };
            if !self.bindings[i].is_empty() || self.role_is_ambiguous(sa) {
                continue;
            }
            let name = account.meta.name_str();
            let namespace = &self.sa_namespaces[i].name;
            if has_holes(name) || has_holes(namespace) || has_holes(role) {
                continue;
            }
            let candidates = roles::subject_candidates(
                &self.model.policies,
                &index,
                role,
                namespace,
                name,
                |p| roles_of_policy[p].iter().any(|r| r != role),
            );
            let (nearest, _) = scope::nearest(
                account.meta.file(),
                candidates
                    .iter()
                    .map(|b| (*b, self.model.policies[b.policy.index()].file())),
                &self.model.kustomizations,
            );
            if let [only] = nearest.as_slice() {
                self.bindings[i].push(*only);
            }
        }
    }

    /// Every Pod Identity association with its id, in the model's order.
    pub fn associations(&self) -> impl Iterator<Item = (AssociationId, &PodIdentityAssociation)> {
        self.model
            .pod_identity
            .associations
            .iter()
            .enumerate()
            .map(|(i, a)| (AssociationId::at(i), a))
    }

    /// The Pod Identity association `id`.
    pub fn association(&self, id: AssociationId) -> &PodIdentityAssociation {
        &self.model.pod_identity.associations[id.index()]
    }

    /// What association `id` is linked to: its ServiceAccounts, roles and verdicts.
    pub fn association_links(&self, id: AssociationId) -> &pod_identity::AssociationLinks {
        &self.association_links[id.index()]
    }

    /// The Pod Identity associations that name ServiceAccount `sa`.
    pub fn associations_of_service_account(&self, sa: SaId) -> &[AssociationId] {
        self.sa_associations
            .get(sa.index())
            .map_or(&[][..], Vec::as_slice)
    }

    /// The Fargate profiles of the input.
    pub fn fargate_profiles(&self) -> &[FargateProfile] {
        &self.model.pod_identity.fargate_profiles
    }

    /// The add-on lists of the input (one per cluster definition).
    pub fn addon_lists(&self) -> &[AddonList] {
        &self.model.pod_identity.addon_lists
    }

    /// The trust policy `id`.
    pub fn policy(&self, id: PolicyId) -> &TrustPolicy {
        &self.model.policies[id.index()]
    }

    /// Every trust policy with its id, in the model's order.
    pub fn policies(&self) -> impl Iterator<Item = (PolicyId, &TrustPolicy)> {
        self.model
            .policies
            .iter()
            .enumerate()
            .map(|(i, p)| (PolicyId::at(i), p))
    }

    /// ServiceAccount `id`.
    pub fn service_account(&self, id: SaId) -> &ServiceAccount {
        &self.model.service_accounts[id.index()]
    }

    /// Every ServiceAccount with its id, in the model's order.
    /// The role-arn settings of Helm values files, sorted by file and position.
    pub fn role_arn_settings(&self) -> &[RoleArnSetting] {
        &self.model.role_arn_settings
    }

    pub fn service_accounts(&self) -> impl Iterator<Item = (SaId, &ServiceAccount)> {
        self.model
            .service_accounts
            .iter()
            .enumerate()
            .map(|(i, sa)| (SaId::at(i), sa))
    }

    /// ServiceAccount `id`'s effective namespace.
    pub fn sa_namespace(&self, id: SaId) -> &Namespace {
        &self.sa_namespaces[id.index()]
    }

    /// ServiceAccount `id`'s verdict, when it is bound to a role whose trust policy is in the
    /// input.
    pub fn verdict(&self, id: SaId) -> Option<&SaVerdict> {
        self.verdicts[id.index()].as_ref()
    }

    /// Workload `id`.
    pub fn workload(&self, id: WorkloadId) -> &Workload {
        &self.model.workloads[id.index()]
    }

    /// Every workload with its id, in the model's order.
    pub fn workloads(&self) -> impl Iterator<Item = (WorkloadId, &Workload)> {
        self.model
            .workloads
            .iter()
            .enumerate()
            .map(|(i, w)| (WorkloadId::at(i), w))
    }

    /// Workload `id`'s effective namespace.
    pub fn workload_namespace(&self, id: WorkloadId) -> &Namespace {
        &self.workload_namespaces[id.index()]
    }

    /// Workload `id`'s effective ServiceAccount.
    pub fn workload_service_account(&self, id: WorkloadId) -> &EffectiveServiceAccount {
        &self.workload_service_accounts[id.index()]
    }

    /// Every workload's effective ServiceAccount, with the workload's id, in the model's order.
    pub fn workload_service_accounts(
        &self,
    ) -> impl Iterator<Item = (WorkloadId, &EffectiveServiceAccount)> {
        self.workload_service_accounts
            .iter()
            .enumerate()
            .map(|(i, sa)| (WorkloadId::at(i), sa))
    }

    /// The ConfigMaps and Secrets whose effective namespace is `namespace`, in the model's order.
    pub fn env_sources_in<'a>(&'a self, namespace: &'a str) -> impl Iterator<Item = &'a EnvSource> {
        self.env_sources_by_namespace
            .get(namespace)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| &self.model.env_sources[i])
    }

    /// The bindings of ServiceAccount `sa` to roles whose trust policy is in the input.
    pub fn bindings(&self, sa: SaId) -> &[Binding] {
        &self.bindings[sa.index()]
    }

    /// The binding of ServiceAccount `sa`'s role-arn annotation, when its role's trust policy is
    /// in the input.
    pub fn annotation_binding(&self, sa: SaId) -> Option<&Binding> {
        self.bindings(sa)
            .iter()
            .find(|b| b.source == BindingSource::Annotation)
    }

    /// The ServiceAccounts bound to trust policy `policy`, with the binding, in model order.
    pub fn bound_to(&self, policy: PolicyId) -> impl Iterator<Item = (SaId, &Binding)> {
        self.policy_bindings
            .get(policy.index())
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|(sa, b)| (*sa, b))
    }

    /// ServiceAccounts defined in the input with this namespace and name.
    pub fn service_accounts_named(&self, namespace: &str, name: &str) -> &[SaId] {
        self.sa_index
            .get(&(namespace.to_string(), name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// Links that had to choose between equally near definitions that disagree, in the order they
    /// were made (workloads first, then ServiceAccounts, each in model order).
    pub fn ambiguities(&self) -> &[Ambiguity] {
        &self.ambiguities
    }

    /// True when the trust policies of the role ServiceAccount `sa` names disagree and none was
    /// bound ([`Ambiguity::Role`]).
    pub fn role_is_ambiguous(&self, sa: SaId) -> bool {
        self.role_ambiguous
            .get(sa.index())
            .copied()
            .unwrap_or(false)
    }

    /// How near the file displayed as `to` is to the file displayed as `from` ([`scope`]).
    pub fn nearness(&self, from: &str, to: &str) -> Nearness {
        scope::nearness(from, to, &self.model.kustomizations)
    }

    /// Of these ServiceAccounts, the ones nearest to the file displayed as `from`.
    pub fn nearest_service_accounts(&self, from: &str, candidates: &[SaId]) -> Vec<SaId> {
        scope::nearest(
            from,
            candidates
                .iter()
                .map(|&i| (i, self.service_account(i).meta.file())),
            &self.model.kustomizations,
        )
        .0
    }

    /// ServiceAccounts with this name in any namespace.
    pub fn service_accounts_in_any_namespace(&self, name: &str) -> &[SaId] {
        self.sa_by_name.get(name).map_or(&[], Vec::as_slice)
    }

    /// Workloads that run as the ServiceAccount `namespace/name`.
    pub fn workloads_of(&self, namespace: &str, name: &str) -> &[WorkloadId] {
        self.workloads_by_sa
            .get(&(namespace.to_string(), name.to_string()))
            .map_or(&[], Vec::as_slice)
    }

    /// The workloads that run as ServiceAccount `sa`: those whose ServiceAccount lookup found this
    /// definition among the nearest ([`Linked::service_account_ids_of_workload`]).
    pub fn workloads_of_service_account(&self, sa: SaId) -> &[WorkloadId] {
        &self.sa_workloads[sa.index()]
    }

    /// Every ServiceAccount reference of a custom resource with the namespace it looks the
    /// ServiceAccount up in (None: any, the input does not decide it), in the model's order.
    pub fn service_account_references(
        &self,
    ) -> impl Iterator<Item = (&ServiceAccountReference, Option<&Namespace>)> {
        self.model
            .service_account_references
            .iter()
            .zip(self.reference_namespaces.iter().map(Option::as_ref))
    }

    /// The references of custom resources that name ServiceAccount `sa`: its name, in its
    /// effective namespace or in a namespace the input does not decide.
    pub fn references_of_service_account(
        &self,
        sa: SaId,
    ) -> impl Iterator<Item = &ServiceAccountReference> {
        let name = self.service_account(sa).meta.name_str();
        let ns = &self.sa_namespace(sa).name;
        self.references_by_name
            .get(name)
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .map(|&i| {
                (
                    &self.model.service_account_references[i],
                    self.reference_namespaces[i].as_ref(),
                )
            })
            .filter(move |(_, at)| at.is_none_or(|at| &at.name == ns))
            .map(|(r, _)| r)
    }

    /// The ServiceAccounts of the input a workload runs as: the definitions of its effective
    /// ServiceAccount in its effective namespace nearest to it (several when equally near; an
    /// [`Ambiguity::ServiceAccount`] when they disagree), in model order.
    pub fn service_account_ids_of_workload(&self, workload: WorkloadId) -> &[SaId] {
        &self.workload_sas[workload.index()]
    }

    /// The ServiceAccounts of the input a workload runs as
    /// ([`Linked::service_account_ids_of_workload`]).
    pub fn service_accounts_of_workload(
        &self,
        workload: WorkloadId,
    ) -> impl Iterator<Item = &ServiceAccount> + '_ {
        self.service_account_ids_of_workload(workload)
            .iter()
            .map(|&i| self.service_account(i))
    }

    /// The IRSA ServiceAccount (one with a role-arn annotation) a workload runs as.
    pub fn irsa_service_account_of_workload(
        &self,
        workload: WorkloadId,
    ) -> Option<&ServiceAccount> {
        self.service_accounts_of_workload(workload)
            .find(|sa| sa.is_irsa())
    }

    /// True when a workload runs as a ServiceAccount of the input that carries a role-arn
    /// annotation: the webhook will inject IRSA credentials into its pods.
    pub fn workload_uses_irsa(&self, workload: WorkloadId) -> bool {
        self.service_accounts_of_workload(workload)
            .any(ServiceAccount::is_irsa)
    }

    /// The workloads that use IRSA, with their id.
    pub fn irsa_workloads(&self) -> impl Iterator<Item = (WorkloadId, &Workload)> {
        self.workloads()
            .filter(move |(id, _)| self.workload_uses_irsa(*id))
    }

    /// True when the input defines any ServiceAccount in `namespace`.
    pub fn defines_service_accounts_in(&self, namespace: &str) -> bool {
        self.namespaces_with_sas.contains_key(namespace)
    }

    /// True when the input defines any ServiceAccount at all.
    pub fn defines_service_accounts(&self) -> bool {
        !self.model.service_accounts.is_empty()
    }

    /// Iterate over the IRSA subjects (`system:serviceaccount:ns:name`) of every ServiceAccount,
    /// with its id, in model order.
    pub fn subjects(&self) -> impl Iterator<Item = (SaId, &str)> + '_ {
        self.sa_subjects
            .iter()
            .enumerate()
            .map(|(i, s)| (SaId::at(i), s.as_str()))
    }

    /// ServiceAccount `sa`'s IRSA subject, `system:serviceaccount:NS:NAME`.
    pub fn subject(&self, sa: SaId) -> &str {
        &self.sa_subjects[sa.index()]
    }

    /// The ServiceAccounts whose subject starts with `prefix` (case-sensitively), in subject
    /// order.
    pub fn service_accounts_with_subject_prefix(&self, prefix: &str) -> &[SaId] {
        let key = |id: &SaId| self.sa_subjects[id.index()].as_str();
        let start = self.sa_by_subject.partition_point(|id| key(id) < prefix);
        let len = self.sa_by_subject[start..].partition_point(|id| key(id).starts_with(prefix));
        &self.sa_by_subject[start..start + len]
    }

    /// The audience ServiceAccount `sa`'s tokens carry: its `eks.amazonaws.com/audience`
    /// annotation, else `sts.amazonaws.com`.
    pub fn audience(&self, sa: SaId) -> &str {
        &self.sa_audiences[sa.index()]
    }

    /// The ServiceAccounts whose effective namespace is `namespace`, in model order.
    pub fn service_accounts_in(&self, namespace: &str) -> &[SaId] {
        self.sa_by_namespace
            .get(namespace)
            .map_or(&[], Vec::as_slice)
    }

    /// Blast radii already computed ([`verdict::blast_radius`]).
    pub(crate) fn blast_radius_cache(&self) -> &verdict::BlastRadiusCache {
        &self.blast_radii
    }
}

/// Decide an object's namespace.
fn resolve_namespace(
    meta: &ObjectMeta,
    kustomizations: &[Kustomization],
    options: &LinkOptions,
) -> Namespace {
    if let Some(ns) = meta.namespace.as_ref().filter(|n| !n.value.is_empty()) {
        return Namespace {
            name: ns.value.clone(),
            origin: NamespaceOrigin::Explicit(ns.span),
        };
    }
    let file = meta.file();
    for k in kustomizations {
        let Some(ns) = &k.namespace else { continue };
        if k.lists(file) {
            return Namespace {
                name: ns.value.clone(),
                origin: NamespaceOrigin::Kustomization {
                    source: k.source.clone(),
                    span: ns.span,
                },
            };
        }
    }
    Namespace {
        name: options.default_namespace.clone(),
        origin: NamespaceOrigin::Defaulted,
    }
}

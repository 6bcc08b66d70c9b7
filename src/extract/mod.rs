//! Extract: from parsed documents to the typed model.
//!
//! Each file is extracted on its own (in parallel, in the driver); nothing here looks at other
//! files. Documents that are neither trust policies nor (later) Kubernetes objects are skipped.

pub mod aws;
pub mod classify;
pub mod cloudformation;
pub mod eksctl;
pub mod embedded;
pub mod helm_values;
pub mod holes;
pub mod k8s;
pub mod operators;
pub mod pod_identity;
pub mod policy;
pub mod terraform;
pub mod tfplan;
pub mod unresolved;

use crate::model::pod_identity::PodIdentityObjects;
use crate::model::policy::{Located, TrustPolicy};
use crate::parse::tree::{Document, ParsedFile};
use crate::source::SourceRef;
use k8s::K8sObjects;

/// Everything the model holds from one file.
#[derive(Debug, Default)]
pub struct Extracted {
    pub policies: Vec<TrustPolicy>,
    pub k8s: K8sObjects,
    /// EKS Pod Identity associations, Fargate profiles and add-on lists.
    pub pod_identity: PodIdentityObjects,
    /// Values read that are known only at deploy time but that no model object holds, each as
    /// `${expression}` with its span: a Terraform role whose trust policy is unknown until apply.
    pub unknown_values: Vec<Located<String>>,
    /// What kind of input the file is, for a YAML or JSON file (None for Terraform's files).
    pub class: Option<classify::InputClass>,
}

impl Extracted {
    /// Give back the spare capacity of its lists (and of the Kubernetes objects' own lists): they
    /// are kept until the run ends, and grew by doubling.
    pub fn shrink_to_fit(&mut self) {
        self.policies.shrink_to_fit();
        let k8s = &mut self.k8s;
        for sa in &mut k8s.service_accounts {
            sa.meta.annotations.shrink_to_fit();
        }
        for w in &mut k8s.workloads {
            w.meta.annotations.shrink_to_fit();
            let pod = &mut w.pod;
            pod.annotations.shrink_to_fit();
            pod.volumes.shrink_to_fit();
            pod.containers.shrink_to_fit();
            for c in &mut pod.containers {
                c.env.shrink_to_fit();
                c.env_from.shrink_to_fit();
                c.volume_mounts.shrink_to_fit();
            }
        }
        for e in &mut k8s.env_sources {
            e.meta.annotations.shrink_to_fit();
            e.keys.shrink_to_fit();
        }
        k8s.service_accounts.shrink_to_fit();
        k8s.workloads.shrink_to_fit();
        k8s.service_account_references.shrink_to_fit();
        k8s.env_sources.shrink_to_fit();
        k8s.kustomizations.shrink_to_fit();
        k8s.ignore_annotations.shrink_to_fit();
        k8s.role_arn_settings.shrink_to_fit();
        self.pod_identity.associations.shrink_to_fit();
        self.pod_identity.fargate_profiles.shrink_to_fit();
        self.pod_identity.addon_lists.shrink_to_fit();
        self.unknown_values.shrink_to_fit();
    }

    /// Add `next`'s objects after `self`'s (the next run of documents of the same file).
    pub fn append(&mut self, next: Extracted) {
        self.policies.extend(next.policies);
        let (k8s, more) = (&mut self.k8s, next.k8s);
        k8s.service_accounts.extend(more.service_accounts);
        k8s.workloads.extend(more.workloads);
        k8s.service_account_references
            .extend(more.service_account_references);
        k8s.env_sources.extend(more.env_sources);
        k8s.kustomizations.extend(more.kustomizations);
        k8s.ignore_annotations.extend(more.ignore_annotations);
        k8s.role_arn_settings.extend(more.role_arn_settings);
        self.pod_identity.extend(next.pod_identity);
        self.unknown_values.extend(next.unknown_values);
    }

    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
            && self.k8s.service_accounts.is_empty()
            && self.k8s.workloads.is_empty()
            && self.k8s.service_account_references.is_empty()
            && self.k8s.env_sources.is_empty()
            && self.k8s.kustomizations.is_empty()
            && self.k8s.role_arn_settings.is_empty()
            && self.unknown_values.is_empty()
            && self.pod_identity.is_empty()
    }
}

/// Extract the model objects of one parsed file.
pub fn extract(source: &SourceRef, parsed: &ParsedFile) -> Extracted {
    let mut out = Extracted::default();
    let seen = extract_documents(source, &parsed.documents, &mut out);
    out.class = Some(seen.classify(source, parsed.problem.is_some(), &out));
    out
}

/// What [`extract_documents`] saw of a run of documents, for the file's [`classify::InputClass`];
/// the runs of a file cut into pieces [`DocumentsSeen::merge`] in order.
#[derive(Debug, Default)]
pub struct DocumentsSeen {
    /// The class of the first document that has one.
    class: Option<classify::InputClass>,
    /// Whether a document is a helm-unittest suite.
    unittest: bool,
    /// Whether a document is not empty.
    roots: bool,
}

impl DocumentsSeen {
    /// `self` followed by `next`.
    pub fn merge(&mut self, next: DocumentsSeen) {
        if self.class.is_none() {
            self.class = next.class;
        }
        self.unittest |= next.unittest;
        self.roots |= next.roots;
    }

    /// The file's class ([`classify::classify_seen`]), from what its documents were and what they
    /// gave (`out`); `problem`: whether parsing stopped at a problem.
    pub fn classify(
        self,
        source: &SourceRef,
        problem: bool,
        out: &Extracted,
    ) -> classify::InputClass {
        let has_settings = !out.k8s.role_arn_settings.is_empty();
        classify::classify_seen(
            source,
            self.class,
            self.unittest,
            self.roots,
            problem,
            has_settings,
        )
    }
}

/// Extract the model objects of `documents` (all or a run of one file's) into `out`.
pub fn extract_documents(
    source: &SourceRef,
    documents: &[Document],
    out: &mut Extracted,
) -> DocumentsSeen {
    let mut seen = DocumentsSeen::default();
    for root in documents.iter().filter_map(|d| d.root.as_ref()) {
        seen.roots = true;
        let class = classify::classify_document(source, root);
        let unittest = classify::is_helm_unittest(root);
        seen.unittest |= unittest;
        if seen.class.is_none() {
            seen.class = class;
        }
        if tfplan::extract(source, root, out) || eksctl::extract(source, root, out) {
            continue;
        }
        if cloudformation::extract(source, root, out) {
            continue;
        }
        if class.is_none() && !unittest {
            helm_values::extract_settings(source, root, &mut out.k8s.role_arn_settings);
        }
        aws::extract_policies(source, root, &mut out.policies);
        operators::extract_roles(source, root, &mut out.policies);
        operators::extract_associations(source, root, &mut out.pod_identity.associations);
        aws::extract_associations(source, root, &mut out.pod_identity.associations);
        operators::extract_addons(source, root, &mut out.pod_identity.addon_lists);
        k8s::extract_objects(source, root, &mut out.k8s);
        k8s::ignore_annotations(root, &mut out.k8s.ignore_annotations);
    }
    seen
}

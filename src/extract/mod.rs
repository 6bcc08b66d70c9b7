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
use crate::parse::tree::ParsedFile;
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
    for doc in &parsed.documents {
        if let Some(root) = &doc.root {
            if tfplan::extract(source, root, &mut out) || eksctl::extract(source, root, &mut out) {
                continue;
            }
            if cloudformation::extract(source, root, &mut out) {
                continue;
            }
            if classify::classify_document(source, root).is_none()
                && !classify::is_helm_unittest(root)
            {
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
    }
    let has_settings = !out.k8s.role_arn_settings.is_empty();
    out.class = Some(classify::classify_file(source, parsed, has_settings));
    out
}

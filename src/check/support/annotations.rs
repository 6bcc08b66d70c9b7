//! Annotations of ServiceAccounts, workloads and pod templates: every site the webhook may read,
//! with the object it sits on, and their logical paths.

use super::objects::{sa_label, workload_label};
use crate::link::Linked;
use crate::model::k8s::{Annotation, ObjectMeta, Workload};

/// The logical path of an annotation on an object.
pub fn annotation_path(meta: &ObjectMeta, key: &str) -> String {
    meta.logical_path(&format!("metadata.annotations.{key}"))
}

/// Which kind of object an annotation sits on: the webhook reads different keys on each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnotationOwner {
    ServiceAccount,
    /// A workload's own metadata (not its pod template).
    Workload,
    /// A pod template's annotations, or a Pod's own.
    Pod,
}

/// One annotation of the input, with what a rule needs to report on it.
pub struct AnnotationSite<'a> {
    pub meta: &'a ObjectMeta,
    /// Every annotation of the same object (the one at hand included).
    pub siblings: &'a [Annotation],
    pub annotation: &'a Annotation,
    pub owner: AnnotationOwner,
    /// How messages name the object: "ServiceAccount `ns/name`", "Deployment `ns/api`", "the pod
    /// template of Deployment `ns/api`".
    pub place: String,
    /// Logical path of the annotation, for fingerprints.
    pub path: String,
}

/// Dotted path of a workload's pod annotations (`spec.template.metadata.annotations`).
pub fn pod_annotations_path(workload: &Workload) -> String {
    workload
        .pod
        .path
        .strip_suffix(".spec")
        .map_or("metadata.annotations".to_string(), |t| {
            format!("{t}.metadata.annotations")
        })
}

/// The logical path of one pod-template annotation (`spec.template.metadata.annotations.<key>`;
/// `metadata.annotations.<key>` for a Pod).
pub fn pod_annotation_path(workload: &Workload, key: &str) -> String {
    workload
        .meta
        .logical_path(&format!("{}.{key}", pod_annotations_path(workload)))
}

/// Every annotation on ServiceAccounts, workloads and pod templates, in model order. A Pod's own
/// annotations are its pod annotations: they are visited once, as the pod's.
pub fn annotation_sites(linked: &Linked) -> Vec<AnnotationSite<'_>> {
    let mut sites = Vec::new();
    for (i, sa) in linked.service_accounts() {
        let place = format!("ServiceAccount `{}`", sa_label(linked, i));
        for a in &sa.meta.annotations {
            sites.push(AnnotationSite {
                meta: &sa.meta,
                siblings: &sa.meta.annotations,
                annotation: a,
                owner: AnnotationOwner::ServiceAccount,
                place: place.clone(),
                path: annotation_path(&sa.meta, &a.key.value),
            });
        }
    }
    for (w, workload) in linked.workloads() {
        let label = workload_label(linked, w);
        let is_pod = workload.pod.path == "spec";
        if !is_pod {
            for a in &workload.meta.annotations {
                sites.push(AnnotationSite {
                    meta: &workload.meta,
                    siblings: &workload.meta.annotations,
                    annotation: a,
                    owner: AnnotationOwner::Workload,
                    place: label.clone(),
                    path: annotation_path(&workload.meta, &a.key.value),
                });
            }
        }
        let place = if is_pod {
            label
        } else {
            format!("the pod template of {label}")
        };
        for a in &workload.pod.annotations {
            sites.push(AnnotationSite {
                meta: &workload.meta,
                siblings: &workload.pod.annotations,
                annotation: a,
                owner: AnnotationOwner::Pod,
                place: place.clone(),
                path: pod_annotation_path(workload, &a.key.value),
            });
        }
    }
    sites
}

//! IRSA205 annotation-not-string: an `eks.amazonaws.com/` annotation written as an unquoted
//! boolean, number or null (`true`, `yes`, `86400`), or as a list or mapping.
//!
//! Annotations are `map[string]string`. YAML resolves a plain `true`, `yes`, `on` or `86400` to a
//! boolean or a number (the Kubernetes YAML decoder follows YAML 1.1), so `kubectl apply`, Helm
//! and Argo CD fail to decode the object (`cannot unmarshal bool into Go struct field
//! ObjectMeta.metadata.annotations of type string`) and nothing is created. A null (a key with no
//! value) ends up as an empty string (or, in a patch, deletes the key): an empty role-arn turns
//! IRSA off, an empty audience yields a token STS does not accept, the other keys fall back to the
//! webhook's defaults. The value must be quoted: `"true"`, `"86400"`.
//!
//! Applies to every `eks.amazonaws.com/` key on ServiceAccounts, workloads, pod templates,
//! ConfigMaps and Secrets, whether or not the webhook reads it. Values
//! with a YAML tag are left alone (`!!str 86400` is a string; a CloudFormation `!Ref` is resolved
//! before Kubernetes sees it).

use crate::check::support::annotations::{annotation_path, annotation_sites};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::{Annotation, ObjectMeta, annotations};
use crate::model::written::{ScalarType, WrittenKind};
use crate::registry;

/// What an empty (or absent) value of a webhook annotation does.
fn null_consequence(key: &str) -> &'static str {
    match key {
        annotations::ROLE_ARN => {
            "the webhook treats the ServiceAccount as not using IRSA and the pods get no role"
        }
        // The webhook takes an empty audience as given; Kubernetes then issues the token for the
        // API server's own audience, which the role's trust policy does not accept.
        annotations::AUDIENCE => {
            "an empty audience makes Kubernetes issue the token for the API server's audience, \
             which STS does not accept for the role"
        }
        _ => "the pod identity webhook ignores it and keeps its default",
    }
}

fn report(meta: &ObjectMeta, a: &Annotation, what: &str, path: String, out: &mut Vec<Diagnostic>) {
    let key = a.key.value.as_str();
    if !key.starts_with(annotations::PREFIX) || a.value.tag.is_some() {
        return;
    }
    let (kind, null) = match &a.value.kind {
        WrittenKind::Scalar(s) => match s.ty {
            ScalarType::String => return,
            ScalarType::Bool(_) => ("a boolean", false),
            ScalarType::Int | ScalarType::Float => ("a number", false),
            ScalarType::Null => ("null", true),
        },
        WrittenKind::Seq { .. } => ("a list", false),
        WrittenKind::Map { .. } => ("a mapping", false),
        // An alias's target is not known here.
        WrittenKind::Alias => return,
    };
    let text = a.text();
    let (message, help, label) = if null {
        (
            format!(
                "`{key}` on {what} has no value (null), so the annotation ends up empty or \
                 absent: {}",
                null_consequence(key)
            ),
            format!("give `{key}` a quoted value, or remove the key"),
            "null, not a string".to_string(),
        )
    } else {
        let quoted = match &a.value.kind {
            WrittenKind::Scalar(_) => format!("`{key}: \"{text}\"`"),
            _ => "a single quoted string".to_string(),
        };
        (
            format!(
                "`{key}` on {what} is {kind}, not a string: annotations are string-to-string \
                 maps, so the API server (and `kubectl apply`) rejects the whole object and it is \
                 never created"
            ),
            format!("quote the value: {quoted}"),
            format!("{kind}, not a string"),
        )
    };
    out.push(
        Diagnostic::new(registry::IRSA205, &meta.source, a.value.span, message)
            .label(label)
            .help(help)
            .at_path(path),
    );
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for site in annotation_sites(linked) {
        report(site.meta, site.annotation, &site.place, site.path, out);
    }
    for source in &linked.model.env_sources {
        let what = format!("{} `{}`", source.meta.kind.value, source.meta.name_str());
        for a in &source.meta.annotations {
            report(
                &source.meta,
                a,
                &what,
                annotation_path(&source.meta, &a.key.value),
                out,
            );
        }
    }
}

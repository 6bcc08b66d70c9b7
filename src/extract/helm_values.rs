//! Role-arn settings in documents that are not Kubernetes objects: a Helm chart's `values.yaml`,
//! the values of a helmfile release.
//!
//! Charts put the ServiceAccount's annotations under a values key of their own choosing
//! (`serviceAccount.annotations` in aws-load-balancer-controller, external-dns, karpenter and
//! external-secrets; `rbac.serviceAccount.annotations` in cluster-autoscaler;
//! `controller.serviceAccount.annotations` in aws-ebs-csi-driver;
//! `serviceAccount.server.annotations` in velero), so the walk does not follow paths: any mapping
//! key that is the annotation's own, `eks.amazonaws.com/role-arn`, is a setting, wherever it is.
//! A chart that takes the bare ARN composes the annotation itself; the documented key of that
//! form is `irsa.roleArn` (KEDA's `podIdentity.aws.irsa.roleArn`). A helmfile release's `set:`
//! list names the key in Helm's escaped `--set` form
//! (`name: serviceAccount.annotations.eks\.amazonaws\.com/role-arn`, `value: arn:...`).
//!
//! The tree holds no comments, so a key commented out (`# eks.amazonaws.com/role-arn: ...`, as
//! chart defaults show it) never counts. The walk uses an explicit stack: the parser already
//! bounds the depth and the number of nodes.

use std::path::Path;

use crate::model::k8s::{RoleArnSetting, annotations};
use crate::parse::tree::{Node, NodeKind};
use crate::source::SourceRef;

/// The chart a values file presumably configures: the directory of a file named `values*.yaml`.
fn chart_hint(source: &SourceRef) -> Option<String> {
    let path = Path::new(&source.display_path);
    let name = path.file_name()?.to_str()?;
    let is_values = name.starts_with("values")
        && (name.ends_with(".yaml") || name.ends_with(".yml") || name.ends_with(".json"));
    if !is_values {
        return None;
    }
    let dir = path.parent()?.file_name()?.to_str()?;
    Some(dir.to_string())
}

/// Whether a file's name says it holds Helm values (`values.yaml`, `values-prod.yml`).
pub fn is_values_file_name(display_path: &str) -> bool {
    Path::new(display_path)
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("values") && (n.ends_with(".yaml") || n.ends_with(".yml")))
}

/// A `--set` name unescaped: `eks\.amazonaws\.com` → `eks.amazonaws.com`.
fn unescape_set_name(name: &str) -> String {
    name.replace("\\.", ".")
}

/// Every role-arn setting of one document, appended to `out` in source order.
pub fn extract_settings(source: &SourceRef, root: &Node, out: &mut Vec<RoleArnSetting>) {
    let hint = chart_hint(source);
    let push = |out: &mut Vec<RoleArnSetting>, key_path: String, key: &Node, value: &Node| {
        out.push(RoleArnSetting {
            source: source.clone(),
            key_path,
            key_span: key.span,
            value: value.written(),
            chart_hint: hint.clone(),
        });
    };
    // (node, dotted path, the key the node is under)
    let mut stack: Vec<(&Node, String, Option<&str>)> = vec![(root, String::new(), None)];
    let mut found = Vec::new();
    while let Some((node, path, parent)) = stack.pop() {
        match &node.kind {
            NodeKind::Map(entries) => {
                if let Some(name) = set_name(node)
                    && let Some(value) = node.entry("value")
                {
                    push(
                        &mut found,
                        unescape_set_name(name),
                        &value.key,
                        &value.value,
                    );
                    continue;
                }
                for entry in entries.iter().rev() {
                    let Some(key) = entry.key.as_str() else {
                        continue;
                    };
                    let child = if path.is_empty() {
                        key.to_string()
                    } else {
                        format!("{path}.{key}")
                    };
                    let is_setting = key == annotations::ROLE_ARN
                        || (key == "roleArn" && parent == Some("irsa"));
                    if is_setting {
                        push(&mut found, child, &entry.key, &entry.value);
                    } else {
                        stack.push((&entry.value, child, Some(key)));
                    }
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((item, format!("{path}[{i}]"), parent));
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }
    // The stack visits entries in source order already; sort anyway so a `set:` list and nested
    // keys interleave by position.
    found.sort_by_key(|s| s.key_span.start);
    out.extend(found);
}

/// A helmfile `set:` item naming the role-arn annotation: `{name: <escaped key path>, value: ..}`.
fn set_name(node: &Node) -> Option<&str> {
    let name = node.get("name")?.as_str()?;
    let unescaped = unescape_set_name(name);
    let sets_role = unescaped.ends_with(&format!(".{}", annotations::ROLE_ARN))
        || unescaped.ends_with(".irsa.roleArn")
        || unescaped == "irsa.roleArn";
    sets_role.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{self, FileKind, tree::Limits};
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn settings(path: &str, text: &str) -> Vec<(String, Option<String>)> {
        let source: SourceRef = Arc::new(SourceFile::new(path.to_string(), None, text.to_string()));
        let parsed = parse::parse(text, FileKind::Yaml, Limits::default());
        let mut out = Vec::new();
        for root in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
            extract_settings(&source, root, &mut out);
        }
        out.into_iter()
            .map(|s| (s.key_path, s.value.as_str().map(str::to_string)))
            .collect()
    }

    #[test]
    fn finds_settings_anywhere() {
        let text = "controller:\n  serviceAccount:\n    annotations:\n      eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/ebs\n    # eks.amazonaws.com/role-arn: arn:aws:iam::111122223333:role/x\npodIdentity:\n  aws:\n    irsa:\n      roleArn: arn:aws:iam::483920175566:role/keda\nroleArn: not-this\nreleases:\n- set:\n  - name: serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn\n    value: arn:aws:iam::483920175566:role/lb\n";
        let found = settings("charts/x/values.yaml", text);
        assert_eq!(
            found,
            vec![
                (
                    "controller.serviceAccount.annotations.eks.amazonaws.com/role-arn".into(),
                    Some("arn:aws:iam::483920175566:role/ebs".into())
                ),
                (
                    "podIdentity.aws.irsa.roleArn".into(),
                    Some("arn:aws:iam::483920175566:role/keda".into())
                ),
                (
                    "serviceAccount.annotations.eks.amazonaws.com/role-arn".into(),
                    Some("arn:aws:iam::483920175566:role/lb".into())
                ),
            ]
        );
    }

    #[test]
    fn hints_the_chart() {
        let source: SourceRef = Arc::new(SourceFile::new(
            "charts/keda/values-prod.yaml".to_string(),
            None,
            String::new(),
        ));
        assert_eq!(chart_hint(&source).as_deref(), Some("keda"));
        assert!(is_values_file_name("a/values.yml"));
        assert!(!is_values_file_name("a/myvalues.yaml"));
    }
}

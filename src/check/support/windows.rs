//! Windows pods: the signs that a pod spec targets Windows nodes, read by IRSA218 (the IRSA
//! webhook's token path) and IRSA409 (EKS Pod Identity gives Windows pods no credentials).

use crate::model::k8s::PodSpec;
use crate::source::Span;

/// The nodeSelector keys the webhook reads.
pub const OS_KEYS: [&str; 2] = ["kubernetes.io/os", "beta.kubernetes.io/os"];

/// The Windows token path the webhook writes for pods selecting Windows nodes.
pub const WINDOWS_TOKEN_PATH: &str = r"C:\var\run\secrets\eks.amazonaws.com\serviceaccount\token";

/// One reason to believe a pod runs on Windows.
#[derive(Clone, Debug)]
pub struct WindowsSignal {
    pub span: Span,
    /// `spec.os.name: windows`, `image mcr.microsoft.com/windows/servercore:ltsc2022`, …
    pub what: String,
    /// Logical path below the pod spec (`affinity.nodeAffinity…`).
    pub path: String,
}

/// True for an image that only runs on Windows nodes.
pub fn is_windows_image(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    image.starts_with("mcr.microsoft.com/windows")
        || image.starts_with("mcr.microsoft.com/dotnet/framework/")
        || image.contains("servercore")
        || image.contains("nanoserver")
}

/// The Windows signals of a pod spec, in source order of kind (see the module doc).
pub fn windows_signals(pod: &PodSpec) -> Vec<WindowsSignal> {
    let mut found = Vec::new();
    if let Some(name) = pod.os_name.as_ref().filter(|n| n.value == "windows") {
        found.push(WindowsSignal {
            span: name.span,
            what: "`os.name: windows`".to_string(),
            path: "os.name".to_string(),
        });
    }
    for (key_at, value) in &pod.node_selector {
        let (key, value) = (key_at.value.as_str(), value.value.as_str());
        if OS_KEYS.contains(&key) {
            continue;
        }
        if key == "node.kubernetes.io/windows-build" || value.eq_ignore_ascii_case("windows") {
            found.push(WindowsSignal {
                span: key_at.span,
                what: format!("`nodeSelector` `{key}: {value}`"),
                path: format!("nodeSelector.{key}"),
            });
        }
    }
    for expression in &pod.node_affinity {
        let key = expression.key.value.as_str();
        if expression.operator == "In"
            && OS_KEYS.contains(&key)
            && let Some(v) = expression.values.iter().find(|v| v.value == "windows")
        {
            found.push(WindowsSignal {
                span: v.span,
                what: format!("node affinity `{key} In [windows]`"),
                path: "affinity.nodeAffinity".to_string(),
            });
        }
    }
    if let Some(span) = pod.windows_options {
        found.push(WindowsSignal {
            span,
            what: "`securityContext.windowsOptions`".to_string(),
            path: "securityContext.windowsOptions".to_string(),
        });
    }
    // Init containers first, then containers: the model's order.
    for c in &pod.containers {
        let list = if c.init {
            "initContainers"
        } else {
            "containers"
        };
        let i = c.index;
        if let Some(span) = c.windows_options {
            found.push(WindowsSignal {
                span,
                what: "`securityContext.windowsOptions`".to_string(),
                path: format!("{list}[{i}].securityContext.windowsOptions"),
            });
        }
        if let Some(image) = c.image.as_ref().filter(|i| is_windows_image(&i.value)) {
            found.push(WindowsSignal {
                span: image.span,
                what: format!("Windows image `{}`", image.value),
                path: format!("{list}[{i}].image"),
            });
        }
    }
    found
}

/// Where a pod is certain to be scheduled on a Windows node: the first of `os.name: windows`, a
/// `nodeSelector` entry whose value is `windows` (under any key, `kubernetes.io/os` included) or
/// whose key is `node.kubernetes.io/windows-build`, and a required node affinity every term of
/// which has a `kubernetes.io/os` (or `beta.`) expression `In` only `[windows]` (terms are ORed:
/// one term without it may match a Linux node). Preferred affinity, images, `windowsOptions` and
/// tolerations do not decide where the pod runs; a `nodeSelector` naming another OS wins.
pub fn scheduled_on_windows(pod: &PodSpec) -> Option<WindowsSignal> {
    if pod.node_selector.iter().any(|(k, v)| {
        OS_KEYS.contains(&k.value.as_str()) && !v.value.eq_ignore_ascii_case("windows")
    }) {
        return None;
    }
    if let Some(name) = pod.os_name.as_ref().filter(|n| n.value == "windows") {
        return Some(WindowsSignal {
            span: name.span,
            what: "`os.name: windows`".to_string(),
            path: "os.name".to_string(),
        });
    }
    for (key_at, value) in &pod.node_selector {
        let (key, value_text) = (key_at.value.as_str(), value.value.as_str());
        if key == "node.kubernetes.io/windows-build" || value_text.eq_ignore_ascii_case("windows") {
            let windows_value = value_text.eq_ignore_ascii_case("windows");
            return Some(WindowsSignal {
                span: if windows_value {
                    value.span
                } else {
                    key_at.span
                },
                what: format!("`nodeSelector` `{key}: {value_text}`"),
                path: format!("nodeSelector.{key}"),
            });
        }
    }
    let terms: std::collections::BTreeSet<usize> = pod
        .node_affinity
        .iter()
        .filter_map(|e| e.required_term)
        .collect();
    let windows_in = |e: &&crate::model::k8s::NodeSelectorExpression| {
        e.operator == "In"
            && OS_KEYS.contains(&e.key.value.as_str())
            && !e.values.is_empty()
            && e.values.iter().all(|v| v.value == "windows")
    };
    let mut first = None;
    for term in &terms {
        let found = pod
            .node_affinity
            .iter()
            .filter(|e| e.required_term == Some(*term))
            .find(windows_in)?;
        first.get_or_insert(found);
    }
    let found = first?;
    Some(WindowsSignal {
        span: found.values[0].span,
        what: format!("required node affinity `{} In [windows]`", found.key.value),
        path: "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_images() {
        assert!(is_windows_image(
            "mcr.microsoft.com/windows/servercore:ltsc2022"
        ));
        assert!(is_windows_image(
            "mcr.microsoft.com/dotnet/framework/aspnet:4.8"
        ));
        assert!(is_windows_image(
            "483920175566.dkr.ecr.eu-west-1.amazonaws.com/app:1.2-nanoserver-ltsc2022"
        ));
        assert!(!is_windows_image("mcr.microsoft.com/dotnet/aspnet:8.0"));
        assert!(!is_windows_image(
            "public.ecr.aws/amazonlinux/amazonlinux:2023"
        ));
    }
}

//! IRSA218 windows-without-node-selector: an IRSA pod targets Windows nodes without
//! `nodeSelector: kubernetes.io/os: windows`, so the webhook gives it the Linux token path.
//!
//! The EKS pod identity webhook decides whether a pod runs on Windows from its `nodeSelector`
//! only: `kubernetes.io/os: windows` or `beta.kubernetes.io/os: windows`. Then it writes
//! `AWS_WEB_IDENTITY_TOKEN_FILE` as `C:\var\run\secrets\eks.amazonaws.com\serviceaccount\token`;
//! for every other pod it writes the Linux path `/var/run/secrets/eks.amazonaws.com/serviceaccount/token`.
//! Its README says that pods targeting Windows through node affinity are not supported. On Windows,
//! SDKs that require an absolute path reject the drive-less one (the AWS SDK for .NET: "The
//! webIdentityTokenFile must be an absolute path"), and the pod cannot assume its role.
//!
//! The signals that a pod targets Windows are deliberately unambiguous:
//! - `spec.os.name: windows` (the pod OS field);
//! - a `nodeSelector` entry whose key is `node.kubernetes.io/windows-build` or whose value is
//!   `windows` under another key than the two the webhook reads;
//! - a node affinity expression `kubernetes.io/os` (or `beta.kubernetes.io/os`) `In` [`windows`];
//! - `securityContext.windowsOptions` on the pod or a container;
//! - a container image that only runs on Windows (`mcr.microsoft.com/windows/…`,
//!   `mcr.microsoft.com/dotnet/framework/…`, tags or names with `servercore` or `nanoserver`).
//!
//! Not signals: a toleration of a `windows` taint (it allows Windows nodes, it does not pick them),
//! and a `runtimeClassName` (the RuntimeClass admission plugin adds the class's `nodeSelector`
//! before the webhook runs, so the webhook sees it). A pod whose nodeSelector names the OS
//! explicitly (`kubernetes.io/os: linux`) is not reported. Only workloads running as an IRSA
//! ServiceAccount of the input are checked; one finding per workload, at the first signal.

use crate::check::support::objects::workload_label;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::PodSpec;
use crate::registry::IRSA218;
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

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.irsa_workloads() {
        let pod = &workload.pod;
        // Any OS named in the nodeSelector the webhook reads decides (Windows: the webhook
        // already writes the Windows path).
        if pod
            .node_selector
            .iter()
            .any(|(k, _)| OS_KEYS.contains(&k.value.as_str()))
        {
            continue;
        }
        let source = &workload.meta.source;
        let signals = windows_signals(pod);
        let Some(first) = signals.first() else {
            continue;
        };
        let mut diag = Diagnostic::new(
            IRSA218,
            source,
            first.span,
            format!(
                "{} targets Windows nodes ({}) but has no `nodeSelector` `kubernetes.io/os: windows`: the EKS pod identity webhook decides from that nodeSelector alone, so it sets `AWS_WEB_IDENTITY_TOKEN_FILE` to the Linux path `/var/run/secrets/eks.amazonaws.com/serviceaccount/token` instead of `{WINDOWS_TOKEN_PATH}`, which SDKs on Windows reject (the AWS SDK for .NET: \"must be an absolute path\")",
                workload_label(linked, w),
                first.what
            ),
        )
        .label("Windows pod")
        .help("add `kubernetes.io/os: windows` under the pod spec's `nodeSelector` (the webhook ignores node affinity and the pod OS field)")
        .at_path(
            workload
                .meta
                .logical_path(&format!("{}.{}", pod.path, first.path)),
        );
        for other in signals.iter().skip(1).take(3) {
            diag = diag.related(
                source,
                other.span,
                format!("also targets Windows: {}", other.what),
            );
        }
        out.push(diag);
    }
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

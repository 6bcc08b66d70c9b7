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
use crate::check::support::windows::{OS_KEYS, WINDOWS_TOKEN_PATH, windows_signals};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry::IRSA218;

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

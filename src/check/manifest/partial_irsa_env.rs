//! IRSA208 partial-irsa-env: a container sets only one of `AWS_ROLE_ARN` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`.
//!
//! The pod identity webhook treats the two as one reserved pair: when a container's `env` already
//! defines either of them (by name, whatever the value), it injects neither (it still adds the
//! token volume and mount, and the region and STS variables). The SDKs' web-identity provider needs
//! both, the role and the token file, so such a container has no web identity credentials: the
//! chain falls through to the node's instance role, or fails. The same holds without the webhook.
//!
//! The missing variable may come from an `envFrom`: the webhook does not look there, but the
//! container would still have both at run time, so a ConfigMap or Secret of the input providing it
//! silences the rule, and so does an `envFrom` of one the input does not hold (it might).

use crate::check::support::env::{ROLE_ARN_VAR, TOKEN_FILE_VAR};
use crate::check::support::env::{container_label, container_path, lookup_env};
use crate::check::support::objects::workload_label;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry;

/// Where the webhook mounts the projected token (Linux containers).
const TOKEN_PATH: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        let irsa = linked.workload_uses_irsa(w);
        for c in &workload.pod.containers {
            let role = c.env.iter().find(|e| e.name.value == ROLE_ARN_VAR);
            let token = c.env.iter().find(|e| e.name.value == TOKEN_FILE_VAR);
            let (present, missing) = match (role, token) {
                (Some(var), None) => (var, TOKEN_FILE_VAR),
                (None, Some(var)) => (var, ROLE_ARN_VAR),
                _ => continue,
            };
            let other = lookup_env(linked, w, c, missing);
            if other.origin.is_some() || other.unresolved {
                continue;
            }
            let set = present.name.value.as_str();
            let webhook = if irsa {
                "the pod identity webhook injects neither variable into a container that defines \
                 either, and "
            } else {
                ""
            };
            let help = match (set, irsa) {
                (ROLE_ARN_VAR, true) => format!(
                    "remove `{ROLE_ARN_VAR}` and let the webhook inject both from the ServiceAccount's \
                     role, or also set `{TOKEN_FILE_VAR}: {TOKEN_PATH}`"
                ),
                (ROLE_ARN_VAR, false) => format!(
                    "also set `{TOKEN_FILE_VAR}` to a projected ServiceAccount token (`{TOKEN_PATH}` \
                     when the webhook mounts it), or move the role to the ServiceAccount's \
                     `eks.amazonaws.com/role-arn` and remove `{ROLE_ARN_VAR}`"
                ),
                (_, true) => format!(
                    "remove `{TOKEN_FILE_VAR}` and let the webhook inject both, or also set \
                     `{ROLE_ARN_VAR}` to the role's ARN"
                ),
                (_, false) => format!(
                    "also set `{ROLE_ARN_VAR}` to the role's ARN, or move the role to the \
                     ServiceAccount's `eks.amazonaws.com/role-arn` and remove `{TOKEN_FILE_VAR}`"
                ),
            };
            out.push(
                Diagnostic::new(
                    registry::IRSA208,
                    &workload.meta.source,
                    present.name.span,
                    format!(
                        "{} of {} sets `{set}` but not `{missing}`: {webhook}the SDKs use web \
                         identity only when both are set, so it falls back to the node's role or \
                         finds no credentials",
                        container_label(c),
                        workload_label(linked, w),
                    ),
                )
                .label(format!("`{missing}` is not set"))
                .help(help)
                .at_path(container_path(workload, c, &format!("env.{set}"))),
            );
        }
    }
}

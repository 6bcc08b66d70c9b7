//! IRSA210 sts-regional-endpoints-invalid: the `eks.amazonaws.com/sts-regional-endpoints`
//! annotation is not a Go boolean, or a container's `AWS_STS_REGIONAL_ENDPOINTS` is neither
//! `regional` nor `legacy`.
//!
//! The webhook parses the ServiceAccount annotation with Go's `strconv.ParseBool`, which accepts
//! exactly `1`, `t`, `T`, `TRUE`, `true`, `True`, `0`, `f`, `F`, `FALSE`, `false` and `False`. Any
//! other text (`yes`, `enabled`, `regional`, ` true`) is ignored with only a debug log line, and the
//! webhook's own default applies: the author's choice is silently lost.
//!
//! The environment variable is read by the SDKs, which know two values, `regional` and `legacy`.
//! Python's botocore raises `InvalidSTSRegionalEndpointsConfigError` for anything else (its
//! comparison is case-sensitive), other SDKs fail to resolve the STS endpoint or fall back to
//! the global one. An empty value counts as unset in the SDKs and is left alone, as are values
//! from `valueFrom`.
//!
//! Non-string annotation values (`true` unquoted) are IRSA205's; the annotation on a pod is
//! IRSA203's.

use crate::check::support::annotations::annotation_path;
use crate::check::support::env::{container_label, container_path};
use crate::check::support::objects::{sa_label, workload_label};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::annotations;
use crate::registry;

/// What Go's `strconv.ParseBool` accepts.
const GO_BOOLS: [&str; 12] = [
    "1", "t", "T", "TRUE", "true", "True", "0", "f", "F", "FALSE", "false", "False",
];

/// What the SDKs accept in `AWS_STS_REGIONAL_ENDPOINTS`.
const SDK_VALUES: [&str; 2] = ["regional", "legacy"];

const ENV: &str = "AWS_STS_REGIONAL_ENDPOINTS";

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(a) = sa.meta.annotation(annotations::STS_REGIONAL_ENDPOINTS) else {
            continue;
        };
        if a.value.tag.is_some() {
            continue;
        }
        let Some(text) = a.value.as_str() else {
            continue;
        };
        if GO_BOOLS.contains(&text) {
            continue;
        }
        let hint = match text.trim().to_ascii_lowercase().as_str() {
            "regional" | "yes" | "y" | "on" | "enabled" | "enable" | "true" | "1" => {
                " (for regional endpoints: `\"true\"`)"
            }
            "legacy" | "global" | "no" | "n" | "off" | "disabled" | "disable" | "false" | "0" => {
                " (for the global endpoint: `\"false\"`)"
            }
            _ => "",
        };
        out.push(
            Diagnostic::new(
                registry::IRSA210,
                &sa.meta.source,
                a.value.span,
                format!(
                    "ServiceAccount `{}` sets `{}` to `{text}`, which Go's `strconv.ParseBool` \
                     rejects: the webhook ignores the annotation and its own default STS endpoint \
                     setting applies to the pods",
                    sa_label(linked, i),
                    annotations::STS_REGIONAL_ENDPOINTS
                ),
            )
            .label("not a Go boolean")
            .help(format!(
                "write `\"true\"` or `\"false\"`{hint}; the webhook then sets \
                 `AWS_STS_REGIONAL_ENDPOINTS=regional` in the containers when it is true"
            ))
            .at_path(annotation_path(
                &sa.meta,
                annotations::STS_REGIONAL_ENDPOINTS,
            )),
        );
    }

    for (w, workload) in linked.workloads() {
        for c in &workload.pod.containers {
            for var in c.env.iter().filter(|e| e.name.value == ENV) {
                let Some(value) = &var.value else { continue };
                let text = value.value.as_str();
                if text.is_empty() || SDK_VALUES.contains(&text) {
                    continue;
                }
                let lower = text.trim().to_ascii_lowercase();
                let suggestion = if SDK_VALUES.contains(&lower.as_str()) {
                    format!("write `{lower}` exactly (botocore compares case-sensitively)")
                } else if matches!(lower.as_str(), "true" | "1" | "yes" | "on" | "enabled") {
                    "write `regional` (the variable takes `regional` or `legacy`, not a boolean)"
                        .to_string()
                } else {
                    "write `regional` (recommended) or `legacy`".to_string()
                };
                out.push(
                    Diagnostic::new(
                        registry::IRSA210,
                        &workload.meta.source,
                        value.span,
                        format!(
                            "{} of {} sets `{ENV}` to `{text}`: the SDKs accept only `regional` \
                             or `legacy`; Python's botocore raises a configuration error when it \
                             creates the STS client for web identity credentials, other SDKs \
                             fail or ignore the setting",
                            container_label(c),
                            workload_label(linked, w)
                        ),
                    )
                    .label("not `regional` or `legacy`")
                    .help(suggestion)
                    .at_path(container_path(
                        workload,
                        c,
                        &format!("env.{ENV}"),
                    )),
                );
            }
        }
    }
}

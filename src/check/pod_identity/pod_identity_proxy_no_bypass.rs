//! IRSA410 pod-identity-proxy-no-bypass: a container of a workload that gets its credentials from
//! EKS Pod Identity sends HTTP through a proxy (`HTTP_PROXY`, `HTTPS_PROXY`, either case) and
//! `NO_PROXY` / `no_proxy` does not exempt the agent's address `169.254.170.23`.
//!
//! The EKS user guide ("EKS Pod Identity considerations"): if pods use a proxy, add
//! `169.254.170.23` for IPv4 and `[fd00:ec2::23]` for IPv6 to the `no_proxy`/`NO_PROXY`
//! variables of the pods; otherwise the SDKs' requests to the agent go to the proxy, which cannot
//! route the node's link-local address. Only the IPv4 address is required: the input does not say
//! whether the cluster is IPv6, and the help names the IPv6 one.
//!
//! A proxy counts when it is an `env` entry with a literal, non-empty value, or a key of an
//! `envFrom` ConfigMap/Secret of the input. `NO_PROXY` is judged only when every definition the
//! container may have is known: an `env` value with a hole or a `valueFrom`, a key of an
//! `envFrom` source (its value is not in the model) or an `envFrom` source the input lacks
//! leaves it unknown, and nothing is reported. One finding per container, at the first proxy
//! variable.

use std::net::Ipv4Addr;

use crate::check::support::env::{
    EnvLookup, EnvOrigin, container_label, container_path, lookup_env,
};
use crate::check::support::objects::workload_label;
use crate::check::support::pod_identity::{pod_identity_only_workloads, with_association_note};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::template::has_holes;
use crate::registry::IRSA410;

/// The variables that send a client's requests through a proxy, in the order reported.
const PROXY_VARS: [&str; 4] = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"];

/// The variables that exempt hosts from the proxy.
const NO_PROXY_VARS: [&str; 2] = ["NO_PROXY", "no_proxy"];

/// The EKS Pod Identity Agent's IPv4 address.
pub const AGENT_IPV4: Ipv4Addr = Ipv4Addr::new(169, 254, 170, 23);

/// True when the variable sets a proxy.
fn sets_proxy(lookup: &EnvLookup) -> bool {
    match lookup.origin {
        Some(EnvOrigin::Env(var)) => {
            var.value_from.is_none()
                && var
                    .value
                    .as_ref()
                    .is_some_and(|v| !v.value.trim().is_empty() && !has_holes(&v.value))
        }
        Some(EnvOrigin::EnvFrom { .. }) => true,
        None => false,
    }
}

/// True when one entry of a `NO_PROXY` list exempts the agent's IPv4 address: `*`, the address
/// (with or without a port) or a CIDR block holding it.
pub fn exempts_agent(list: &str) -> bool {
    list.split([',', ' ']).map(str::trim).any(|entry| {
        if entry == "*" {
            return true;
        }
        if let Some((ip, bits)) = entry.split_once('/') {
            let (Ok(ip), Ok(bits)) = (ip.parse::<Ipv4Addr>(), bits.parse::<u32>()) else {
                return false;
            };
            if bits > 32 {
                return false;
            }
            let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
            return u32::from(ip) & mask == u32::from(AGENT_IPV4) & mask;
        }
        let host = entry.rsplit_once(':').map_or(entry, |(h, _)| h);
        host.parse::<Ipv4Addr>().is_ok_and(|ip| ip == AGENT_IPV4)
    })
}

/// What the container's `NO_PROXY` variables say of the agent.
enum Bypass {
    /// Some variable exempts the agent, or one is not known statically.
    ExemptOrUnknown,
    /// Literal lists, none exempting the agent (the name of the first).
    Lacks(&'static str),
    /// No `NO_PROXY` variable at all.
    Missing,
}

fn bypass(lookups: &[(&'static str, EnvLookup)]) -> Bypass {
    let mut lacks = None;
    for (name, lookup) in lookups {
        if lookup.unresolved {
            return Bypass::ExemptOrUnknown;
        }
        match lookup.origin {
            None => {}
            Some(EnvOrigin::EnvFrom { .. }) => return Bypass::ExemptOrUnknown,
            Some(EnvOrigin::Env(var)) => {
                let Some(value) = var.value.as_ref().filter(|_| var.value_from.is_none()) else {
                    return Bypass::ExemptOrUnknown;
                };
                if has_holes(&value.value) || exempts_agent(&value.value) {
                    return Bypass::ExemptOrUnknown;
                }
                lacks.get_or_insert(*name);
            }
        }
    }
    lacks.map_or(Bypass::Missing, Bypass::Lacks)
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    // With IRSA too, the SDKs use the web identity token first.
    for found in pod_identity_only_workloads(linked) {
        let w = found.workload;
        let workload = linked.workload(w);
        for c in &workload.pod.containers {
            let Some((proxy, lookup)) = PROXY_VARS
                .iter()
                .map(|&n| (n, lookup_env(linked, w, c, n)))
                .find(|(_, l)| sets_proxy(l))
            else {
                continue;
            };
            let no_proxy: Vec<(&'static str, EnvLookup)> = NO_PROXY_VARS
                .iter()
                .map(|&n| (n, lookup_env(linked, w, c, n)))
                .collect();
            let gap = match bypass(&no_proxy) {
                Bypass::ExemptOrUnknown => continue,
                Bypass::Lacks(name) => format!("`{name}` does not list `{AGENT_IPV4}`"),
                Bypass::Missing => "it sets no `NO_PROXY`".to_string(),
            };
            let (span, how, path) = match lookup.origin {
                Some(EnvOrigin::Env(var)) => (
                    var.name.span,
                    format!("sets `{proxy}`"),
                    container_path(workload, c, &format!("env.{proxy}")),
                ),
                Some(EnvOrigin::EnvFrom { from, source, .. }) => (
                    from.name.span,
                    format!(
                        "gets `{proxy}` from {} `{}` (envFrom)",
                        source.meta.kind.value, from.name.value
                    ),
                    container_path(workload, c, "envFrom"),
                ),
                None => continue,
            };
            let mut diag = Diagnostic::new(
                IRSA410,
                &workload.meta.source,
                span,
                format!(
                    "{} of {} {how}, but {gap}: {}, which cannot reach the node's link-local address, so the pod gets no credentials (the EKS user guide requires the agent's address in `NO_PROXY` for pods that use a proxy)",
                    container_label(c),
                    workload_label(linked, w),
                    if proxy.eq_ignore_ascii_case("HTTP_PROXY") {
                        format!("its SDK's requests for EKS Pod Identity credentials to the agent at `http://{AGENT_IPV4}` go to the proxy")
                    } else {
                        format!("a client that also sends plain HTTP through this proxy sends its requests for EKS Pod Identity credentials to the agent at `http://{AGENT_IPV4}` there")
                    }
                ),
            )
            .label("the Pod Identity Agent is reached through the proxy")
            .help(format!(
                "add `{AGENT_IPV4}` to `NO_PROXY` and `no_proxy` (clients read one or the other), and `[fd00:ec2::23]` on an IPv6 cluster"
            ))
            .at_path(path);
            if let Some(EnvOrigin::EnvFrom { source, key, .. }) = lookup.origin {
                diag = diag.related(
                    &source.meta.source,
                    key.span,
                    format!("`{proxy}` is set here"),
                );
            }
            let association = linked.association(found.association);
            out.push(with_association_note(
                diag,
                linked,
                found.association,
                format!(
                    "{} gives the pods their role through EKS Pod Identity",
                    association.label
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_proxy_entries_that_exempt_the_agent() {
        for list in [
            "169.254.170.23",
            "localhost,169.254.170.23,.svc",
            "169.254.170.23:80",
            "169.254.0.0/16",
            "169.254.170.0/24, .cluster.local",
            "*",
            "0.0.0.0/0",
        ] {
            assert!(exempts_agent(list), "{list}");
        }
        for list in [
            "",
            "169.254.169.254",
            "localhost,.svc,10.0.0.0/8",
            "169.254.170.0/33",
            "169.254.170.230",
            "[fd00:ec2::23]",
        ] {
            assert!(!exempts_agent(list), "{list}");
        }
    }
}

//! IRSA213 token-volume-conflict: an IRSA pod declares, by hand, the webhook's token volume
//! (`aws-iam-token`) or a mount at its token directory, and the two collide.
//!
//! For a pod whose ServiceAccount carries a role, the EKS pod identity webhook adds a projected
//! ServiceAccount-token volume named `aws-iam-token` (audience from the ServiceAccount, file
//! `token`) and mounts it in every container not listed in `eks.amazonaws.com/skip-containers` at
//! `/var/run/secrets/eks.amazonaws.com/serviceaccount`, where `AWS_WEB_IDENTITY_TOKEN_FILE` points.
//! It decides by name, not by content:
//!
//! - a pod volume already named `aws-iam-token` is kept instead of the webhook's. Current releases
//!   accept it only when it is the same projected token (same audience, path `token`), and
//!   otherwise leave the whole pod unmutated (no `AWS_ROLE_ARN`, no token); older releases mount
//!   it at the token path, so the SDK reads whatever it holds as the web identity token;
//! - a container that already mounts a volume named `aws-iam-token` gets no mount from the webhook:
//!   mounted anywhere but the token directory, the token file the environment names is missing;
//! - a container that mounts another volume at the token directory gets the webhook's mount at the
//!   same path as well, and the API server rejects the pod (`mountPath: must be unique`); a mount
//!   below the directory shadows the token file.
//!
//! What the webhook itself would have written (`kubectl get pod -o yaml` output: the projected
//! token volume with the ServiceAccount's audience, mounted by name at the token directory) is
//! not reported. Workloads whose ServiceAccount is not an IRSA ServiceAccount of the input are not
//! mutated by the webhook and are left alone.

use crate::check::support::objects::{sa_label, workload_label};
use crate::check::support::skip_containers::skipped_containers;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::link::verdict::audience_of;
use crate::model::k8s::Volume;
use crate::registry::IRSA213;

/// The name of the webhook's projected token volume.
pub const TOKEN_VOLUME: &str = "aws-iam-token";
/// The directory the webhook mounts the token volume at.
pub const TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";
/// The file name of the token inside [`TOKEN_DIR`].
pub const TOKEN_FILE: &str = "token";

/// True when a volume is the webhook's own: a projected ServiceAccount token for `audience`,
/// written to `token`.
pub fn is_webhook_volume(volume: &Volume, audience: &str) -> bool {
    volume
        .token_projections
        .iter()
        .any(|t| t.audience.as_deref() == Some(audience) && t.path.as_deref() == Some(TOKEN_FILE))
}

/// What kind of volume a volume declares, for messages (`hostPath`, `secret`, …).
fn volume_source(volume: &Volume) -> &str {
    volume.source_kind.as_deref().unwrap_or("unknown")
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.workloads() {
        // The IRSA ServiceAccount the webhook reads (the first definition, when duplicated).
        let Some(&sa) = linked
            .service_account_ids_of_workload(w)
            .iter()
            .find(|&&i| linked.service_account(i).is_irsa())
        else {
            continue;
        };
        let pod = &workload.pod;
        let source = &workload.meta.source;
        let label = workload_label(linked, w);
        let audience = audience_of(linked, sa);
        let sa_meta = &linked.service_account(sa).meta;
        let sa_span = sa_meta.name.as_ref().map_or(sa_meta.span, |n| n.span);

        for volume in pod.volumes.iter().filter(|v| v.name.value == TOKEN_VOLUME) {
            if is_webhook_volume(volume, &audience) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    IRSA213,
                    source,
                    volume.name.span,
                    format!(
                        "{label} declares its own `{TOKEN_VOLUME}` volume ({}), the name the EKS pod identity webhook reserves for the role's token: current webhook releases then leave the pods unmutated (no `AWS_ROLE_ARN`, no token), older ones mount this volume where the SDK expects a `{audience}` token, so the pods never assume the role of ServiceAccount `{}`",
                        describe_volume(volume),
                        sa_label(linked, sa)
                    ),
                )
                .label("the webhook's reserved volume name")
                .help(format!(
                    "rename the volume (and its mounts), or delete it and let the webhook inject the projected token (audience `{audience}`, path `{TOKEN_FILE}`)"
                ))
                .related(&sa_meta.source, sa_span, "the IRSA ServiceAccount the pods run as")
                .at_path(
                    workload
                        .meta
                        .logical_path(&format!("{}.volumes.{TOKEN_VOLUME}", pod.path)),
                ),
            );
        }

        let skipped = skipped_containers(pod);
        for container in &pod.containers {
            if skipped.contains(&container.name.value) {
                continue;
            }
            let kind = if container.init {
                "initContainers"
            } else {
                "containers"
            };
            for mount in &container.volume_mounts {
                let path = mount.mount_path.value.trim_end_matches('/');
                let at_dir = path == TOKEN_DIR;
                let below_dir = path
                    .strip_prefix(TOKEN_DIR)
                    .is_some_and(|rest| rest.starts_with('/'));
                let ours = mount.name.value == TOKEN_VOLUME;
                let problem = match (ours, at_dir, below_dir) {
                    (true, true, _) => continue,
                    (true, false, _) => format!(
                        "container `{}` of {label} mounts `{TOKEN_VOLUME}` at `{}`: the webhook sees a mount of its volume and adds none at `{TOKEN_DIR}`, so the file `AWS_WEB_IDENTITY_TOKEN_FILE` names does not exist and the SDK cannot assume the role",
                        container.name.value, mount.mount_path.value
                    ),
                    (false, true, _) => format!(
                        "container `{}` of {label} mounts volume `{}` at `{TOKEN_DIR}`, where the EKS pod identity webhook mounts the role's token: the webhook adds its `{TOKEN_VOLUME}` mount at the same path and the API server rejects the pods (`mountPath: must be unique`)",
                        container.name.value, mount.name.value
                    ),
                    (false, false, true) => format!(
                        "container `{}` of {label} mounts volume `{}` at `{}`, inside the webhook's token directory: it shadows the projected token, so the SDK reads the wrong file and cannot assume the role",
                        container.name.value, mount.name.value, mount.mount_path.value
                    ),
                    (false, false, false) => continue,
                };
                let help = if ours {
                    format!(
                        "remove this mount (the webhook mounts `{TOKEN_VOLUME}` at `{TOKEN_DIR}` itself), or mount it exactly there"
                    )
                } else {
                    format!(
                        "mount volume `{}` somewhere outside `{TOKEN_DIR}`; the webhook provides the token there",
                        mount.name.value
                    )
                };
                out.push(
                    Diagnostic::new(IRSA213, source, mount.mount_path.span, problem)
                        .label("collides with the webhook's token mount")
                        .help(help)
                        .related(
                            &sa_meta.source,
                            sa_span,
                            "the IRSA ServiceAccount the pods run as",
                        )
                        .at_path(workload.meta.logical_path(&format!(
                            "{}.{kind}[{}].volumeMounts.{}",
                            pod.path, container.index, mount.name.value
                        ))),
                );
            }
        }
    }
}

/// `a hostPath volume`, `a projected token for audience `vault``.
fn describe_volume(volume: &Volume) -> String {
    match volume.token_projections.first() {
        Some(t) => match &t.audience {
            Some(aud) => format!("a projected token for audience `{aud}`"),
            None => "a projected token for the API server's default audience".to_string(),
        },
        None => format!("a `{}` volume", volume_source(volume)),
    }
}

//! IRSA216 profile-shadow: a container of an IRSA workload sets `AWS_PROFILE` or
//! `AWS_SHARED_CREDENTIALS_FILE`, or mounts a volume at a `.aws` directory.
//!
//! The webhook gives the container `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE`, but the SDKs
//! do not all put the web identity token before the shared config and credentials files: the AWS
//! SDK for JavaScript v3 reads the shared files (`fromIni`) before the token file, and stops
//! reading static keys from the environment once `AWS_PROFILE` is set; botocore assumes a
//! profile's `role_arn`/`source_profile` before web identity. A profile selected by `AWS_PROFILE`,
//! a credentials file named by `AWS_SHARED_CREDENTIALS_FILE`, or a `~/.aws` directory mounted
//! into the container may therefore win over the role, silently and only in some languages.
//! Info: the profile may well be empty or itself use `web_identity_token_file`.
//!
//! Containers listed in `eks.amazonaws.com/skip-containers` get no IRSA credentials and are left
//! alone; variables from `envFrom` of a ConfigMap/Secret of the input count too.

use crate::check::support::env::env_from_vars;
use crate::check::support::objects::workload_label;
use crate::check::support::skip_containers::skipped_containers;
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::EnvSourceKind;
use crate::registry::IRSA216;

/// The variables that select a profile or a credentials file.
pub const PROFILE_VARS: [&str; 2] = ["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"];

/// True for a mount path at or inside a `.aws` directory (`/root/.aws`, `/home/app/.aws/config`).
pub fn is_aws_dir(path: &str) -> bool {
    let path = path.trim_end_matches('/');
    path.ends_with("/.aws") || path.contains("/.aws/") || path == ".aws"
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (w, workload) in linked.irsa_workloads() {
        let skipped = skipped_containers(&workload.pod);
        let label = workload_label(linked, w);
        let source = &workload.meta.source;
        let help = "remove it, so the SDK's default chain reaches the web identity token; if the container needs a profile, give it `role_arn` and `web_identity_token_file = /var/run/secrets/eks.amazonaws.com/serviceaccount/token` instead of keys";
        for container in &workload.pod.containers {
            if skipped.contains(&container.name.value) {
                continue;
            }
            let kind = if container.init {
                "initContainers"
            } else {
                "containers"
            };
            let base = format!("{}.{kind}[{}]", workload.pod.path, container.index);
            let who = format!("container `{}` of {label}", container.name.value);
            for var in &container.env {
                if !PROFILE_VARS.contains(&var.name.value.as_str()) {
                    continue;
                }
                let value = match (&var.value, var.value_from) {
                    (Some(v), _) if !v.value.trim().is_empty() => {
                        format!(" to `{}`", v.value.trim())
                    }
                    (_, Some(_)) => String::new(),
                    _ => continue,
                };
                out.push(
                    Diagnostic::new(
                        IRSA216,
                        source,
                        var.name.span,
                        format!(
                            "{who} sets `{}`{value} although it uses IRSA: a profile or credentials file may take precedence over the web identity token (the AWS SDK for JavaScript v3 reads the shared files first), so the pods may not use the ServiceAccount's role",
                            var.name.value
                        ),
                    )
                    .label("may shadow the IRSA role")
                    .help(help)
                    .at_path(
                        workload
                            .meta
                            .logical_path(&format!("{base}.env.{}", var.name.value)),
                    ),
                );
            }
            for var in env_from_vars(linked, w, container) {
                if !PROFILE_VARS.contains(&var.name.as_str())
                    || container.env_var(&var.name).is_some()
                {
                    continue;
                }
                let kind_name = match var.source.kind {
                    EnvSourceKind::Secret => "Secret",
                    EnvSourceKind::ConfigMap => "ConfigMap",
                };
                out.push(
                    Diagnostic::new(
                        IRSA216,
                        source,
                        var.reference.name.span,
                        format!(
                            "{who} gets `{}` from {kind_name} `{}` although it uses IRSA: a profile or credentials file may take precedence over the web identity token (the AWS SDK for JavaScript v3 reads the shared files first), so the pods may not use the ServiceAccount's role",
                            var.name,
                            var.source.meta.name_str()
                        ),
                    )
                    .label(format!("brings in `{}`", var.name))
                    .help(help)
                    .related(&var.source.meta.source, var.key.span, format!("`{}` is defined here", var.key.value))
                    .at_path(workload.meta.logical_path(&format!("{base}.envFrom.{}", var.reference.name.value))),
                );
            }
            for mount in &container.volume_mounts {
                if !is_aws_dir(&mount.mount_path.value) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        IRSA216,
                        source,
                        mount.mount_path.span,
                        format!(
                            "{who} mounts volume `{}` at `{}` although it uses IRSA: shared config or credentials files there may take precedence over the web identity token (the AWS SDK for JavaScript v3 reads them first), so the pods may not use the ServiceAccount's role",
                            mount.name.value, mount.mount_path.value
                        ),
                    )
                    .label("AWS shared config/credentials location")
                    .help("do not mount AWS config or credentials files into IRSA containers; the webhook provides the role's token and environment")
                    .at_path(workload.meta.logical_path(&format!("{base}.volumeMounts.{}", mount.name.value))),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_dirs() {
        assert!(is_aws_dir("/root/.aws"));
        assert!(is_aws_dir("/root/.aws/"));
        assert!(is_aws_dir("/home/app/.aws/credentials"));
        assert!(!is_aws_dir(
            "/var/run/secrets/eks.amazonaws.com/serviceaccount"
        ));
        assert!(!is_aws_dir("/data/.aws-cache"));
    }
}

//! IRSA202 annotation-key-typo: an annotation key that is a near miss of one the EKS pod identity
//! webhook reads (`eks.amazon.com/role-arn`, `eks.amazonaws.com/role_arn`,
//! `eks.amazonaws.com/token-expiry`), or kube2iam's `iam.amazonaws.com/role` on a ServiceAccount.
//!
//! The webhook looks annotations up by their exact key. Any other key is just metadata to it, so a
//! misspelt role-arn means the pods are never mutated (they fall back to the node's instance
//! role, or find no credentials) and a misspelt option silently keeps the default. Nothing logs
//! an error. kube2iam reads `iam.amazonaws.com/role` from pods, never from ServiceAccounts, so on a
//! ServiceAccount that key does nothing either.
//!
//! A key is a near miss when its domain is `eks.amazonaws.com` or close to it (`eks.amazon.com`,
//! edit distance ≤ 2, different case or separators) and its name, compared without case,
//! hyphens and underscores, equals or is within a small edit distance of one of the five names the
//! webhook reads, or is a known alias (`role`, `token-expiry`, `regional-sts`). The exact keys and
//! unrelated `eks.amazonaws.com/*` keys (`compute-type`) are left alone.

use crate::check::support::annotations::{AnnotationOwner, annotation_sites};
use crate::check::support::text::edit_distance;
use crate::diagnostic::{Diagnostic, Severity};
use crate::link::Linked;
use crate::model::k8s::{Annotation, ObjectMeta, annotations};
use crate::registry;

/// The names the webhook reads under `eks.amazonaws.com/`, with the aliases people write for
/// them (already normalised: lower case, no `-`, `_`, `.` or spaces).
const NAMES: [(&str, &str, &[&str]); 5] = [
    (
        annotations::ROLE_ARN,
        "rolearn",
        &[
            "role",
            "arn",
            "iamrole",
            "iamrolearn",
            "rolename",
            "serviceaccountrolearn",
        ],
    ),
    (annotations::AUDIENCE, "audience", &["aud", "tokenaudience"]),
    (
        annotations::STS_REGIONAL_ENDPOINTS,
        "stsregionalendpoints",
        &[
            "regionalsts",
            "useregionalsts",
            "stsregional",
            "stsendpoints",
            "stsregionalendpoint",
        ],
    ),
    (
        annotations::TOKEN_EXPIRATION,
        "tokenexpiration",
        &[
            "tokenexpiry",
            "tokenexpirationseconds",
            "expiration",
            "tokenttl",
            "expirationseconds",
        ],
    ),
    (
        annotations::SKIP_CONTAINERS,
        "skipcontainers",
        &["skipcontainer", "skip"],
    ),
];

/// The webhook's annotation domain.
const DOMAIN: &str = "eks.amazonaws.com";

/// Lower case, without separators.
fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '_' | '.' | ' ' | '\t'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// True when a key's domain is the webhook's or a near miss of it. `iam.amazonaws.com` is
/// kube2iam's own domain, handled separately.
fn domain_is_near(domain: &str) -> bool {
    let lower = domain.trim().to_ascii_lowercase();
    if lower == "iam.amazonaws.com" {
        return false;
    }
    if lower == DOMAIN {
        return true;
    }
    let flat = normalise(&lower);
    edit_distance(&lower, DOMAIN) <= 2
        || matches!(
            flat.as_str(),
            "eksamazonawscom" | "eksamazoncom" | "eksawsamazoncom" | "eksawscom" | "amazonawscom"
        )
}

/// The webhook key a name is a near miss of, if any.
fn near_name(name: &str) -> Option<&'static str> {
    let flat = normalise(name);
    if flat.is_empty() {
        return None;
    }
    NAMES.iter().find_map(|(key, canonical, aliases)| {
        // Longer names tolerate two edits, short ones one (`audince`, `rolarn`).
        let limit = if canonical.len() >= 10 { 2 } else { 1 };
        let near = flat == *canonical
            || aliases.contains(&flat.as_str())
            || edit_distance(&flat, canonical) <= limit;
        near.then_some(*key)
    })
}

/// What a misspelt key should have been, or None when it is not a near miss.
pub fn intended_key(key: &str) -> Option<&'static str> {
    if NAMES.iter().any(|(k, _, _)| *k == key) {
        return None;
    }
    match key.rsplit_once('/') {
        Some((domain, name)) => {
            if domain_is_near(domain) {
                near_name(name)
            } else {
                None
            }
        }
        // A bare `role-arn` / `role_arn` (the prefix forgotten). Other bare names (`audience`)
        // are too generic to be sure.
        None => (normalise(key) == "rolearn").then_some(annotations::ROLE_ARN),
    }
}

/// The keys the webhook reads on each kind of object.
fn read_on(key: &str) -> AnnotationOwner {
    if key == annotations::SKIP_CONTAINERS {
        AnnotationOwner::Pod
    } else {
        AnnotationOwner::ServiceAccount
    }
}

fn report(
    meta: &ObjectMeta,
    siblings: &[Annotation],
    annotation: &Annotation,
    owner: AnnotationOwner,
    what: &str,
    path: String,
    out: &mut Vec<Diagnostic>,
) {
    let key = annotation.key.value.as_str();
    if key == "iam.amazonaws.com/role" {
        if owner != AnnotationOwner::ServiceAccount {
            return;
        }
        out.push(
            Diagnostic::new(
                registry::IRSA202,
                &meta.source,
                annotation.key.span,
                format!(
                    "{what} carries kube2iam's `iam.amazonaws.com/role`: kube2iam reads it from \
                     pods only and the EKS pod identity webhook never reads it, so the pods get no \
                     role from it"
                ),
            )
            .label("not an IRSA annotation")
            .help(format!(
                "for IRSA, use `{}` with the role's full ARN \
                 (`arn:aws:iam::<account id>:role/<role name>`)",
                annotations::ROLE_ARN
            ))
            .at_path(path),
        );
        return;
    }
    let Some(intended) = intended_key(key) else {
        return;
    };
    let consequence = match intended {
        annotations::ROLE_ARN => {
            "so the pods are never given the role (they fall back to the node's instance role, or \
             find no credentials)"
        }
        annotations::AUDIENCE => "so the token keeps the default audience `sts.amazonaws.com`",
        annotations::STS_REGIONAL_ENDPOINTS => {
            "so the webhook's default STS endpoint setting applies"
        }
        annotations::TOKEN_EXPIRATION => "so the token keeps the default lifetime (86400 s)",
        _ => "so every container of the pod is given the credentials",
    };
    let mut help = format!("rename the key to `{intended}`");
    match (read_on(intended), owner) {
        (AnnotationOwner::ServiceAccount, AnnotationOwner::Workload | AnnotationOwner::Pod) => help.push_str(
            " and move it to the ServiceAccount the pods run as: the webhook reads it only there",
        ),
        (AnnotationOwner::Pod, AnnotationOwner::ServiceAccount | AnnotationOwner::Workload) => help.push_str(
            " and move it to the pod template's `metadata.annotations`: the webhook reads it only \
             on pods",
        ),
        _ => {}
    }
    // Next to the exact key, the near miss changes nothing: clutter that may drift apart.
    if let Some(exact) = siblings.iter().find(|a| a.key.value == intended) {
        out.push(
            Diagnostic::new(
                registry::IRSA202,
                &meta.source,
                annotation.key.span,
                format!(
                    "{what} carries `{key}` next to `{intended}`: the pod identity webhook reads \
                     only the exact key, so this near miss is ignored"
                ),
            )
            .label("ignored near miss")
            .help(format!(
                "remove `{key}`; `{intended}` is the annotation in effect"
            ))
            .related(&meta.source, exact.key.span, "the key the webhook reads")
            .severity(Severity::Warning)
            .at_path(path),
        );
        return;
    }
    out.push(
        Diagnostic::new(
            registry::IRSA202,
            &meta.source,
            annotation.key.span,
            format!(
                "{what} carries `{key}`, a near miss of `{intended}`: the pod identity webhook \
                 only reads the exact key and ignores this one silently, {consequence}"
            ),
        )
        .label(format!("did you mean `{intended}`?"))
        .help(help)
        .at_path(path),
    );
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for site in annotation_sites(linked) {
        report(
            site.meta,
            site.siblings,
            site.annotation,
            site.owner,
            &site.place,
            site.path,
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_misses() {
        for (key, want) in [
            ("eks.amazon.com/role-arn", annotations::ROLE_ARN),
            ("eks.amazonaws.com/role_arn", annotations::ROLE_ARN),
            ("eks.amazonaws.com/rolearn", annotations::ROLE_ARN),
            ("eks.amazonaws.com/Role-Arn", annotations::ROLE_ARN),
            ("eks.amazonaws.com/role", annotations::ROLE_ARN),
            ("EKS.amazonaws.com/role-arn", annotations::ROLE_ARN),
            ("eks.amazonaws.co/role-arn", annotations::ROLE_ARN),
            ("eks-amazonaws.com/role-arn", annotations::ROLE_ARN),
            ("role-arn", annotations::ROLE_ARN),
            (
                "eks.amazonaws.com/sts-regional-endpoint",
                annotations::STS_REGIONAL_ENDPOINTS,
            ),
            (
                "eks.amazonaws.com/token-expiry",
                annotations::TOKEN_EXPIRATION,
            ),
            ("eks.amazonaws.com/audiance", annotations::AUDIENCE),
            (
                "eks.amazonaws.com/skip-container",
                annotations::SKIP_CONTAINERS,
            ),
        ] {
            assert_eq!(intended_key(key), Some(want), "{key}");
        }
    }

    #[test]
    fn leaves_other_keys_alone() {
        for key in [
            "eks.amazonaws.com/role-arn",
            "eks.amazonaws.com/skip-containers",
            "eks.amazonaws.com/compute-type",
            "eks.amazonaws.com/nodegroup",
            "iam.amazonaws.com/role",
            "vpc.amazonaws.com/pod-eni",
            "service.beta.kubernetes.io/aws-load-balancer-type",
            "audience",
            "prometheus.io/scrape",
            "example.com/role-arn",
        ] {
            assert_eq!(intended_key(key), None, "{key}");
        }
    }
}

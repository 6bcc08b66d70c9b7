//! Release versions of the published modules `super::modules` knows, and version constraints
//! (`version = "~> 5.0"`) resolved to the newest tag they allow.

/// Release tags of `terraform-aws-modules/terraform-aws-iam` from 4.0.0 (read from the
/// repository's tags).
pub const IAM_TAGS: &str = "4.0.0 4.1.0 4.2.0 4.3.0 4.4.0 4.5.0 4.6.0 4.7.0 4.8.0 4.9.0 4.10.0 \
    4.10.1 4.11.0 4.12.0 4.13.0 4.13.1 4.13.2 4.14.0 4.15.0 4.15.1 4.16.0 4.17.0 4.17.1 4.17.2 \
    4.18.0 4.19.0 4.20.0 4.20.1 4.20.2 4.20.3 4.21.0 4.21.1 4.22.0 4.22.1 4.23.0 4.24.0 4.24.1 \
    5.0.0 5.1.0 5.2.0 5.3.0 5.3.1 5.3.2 5.3.3 5.4.0 5.5.0 5.5.1 5.5.2 5.5.3 5.5.4 5.5.5 5.5.6 \
    5.5.7 5.6.0 5.7.0 5.8.0 5.9.0 5.9.1 5.9.2 5.10.0 5.11.0 5.11.1 5.11.2 5.12.0 5.13.0 5.14.0 \
    5.14.1 5.14.2 5.14.3 5.14.4 5.15.0 5.16.0 5.17.0 5.17.1 5.18.0 5.19.0 5.20.0 5.21.0 5.22.0 \
    5.23.0 5.23.1 5.24.0 5.25.0 5.26.0 5.27.0 5.28.0 5.29.0 5.29.1 5.29.2 5.30.0 5.30.1 5.30.2 \
    5.31.0 5.32.0 5.32.1 5.33.0 5.33.1 5.34.0 5.35.0 5.36.0 5.37.0 5.37.1 5.37.2 5.38.0 5.39.0 \
    5.39.1 5.40.0 5.41.0 5.42.0 5.43.0 5.44.0 5.44.1 5.44.2 5.45.0 5.46.0 5.47.0 5.47.1 5.48.0 \
    5.49.0 5.50.0 5.51.0 5.52.0 5.52.1 5.52.2 5.53.0 5.54.0 5.54.1 5.55.0 5.56.0 5.57.0 5.58.0 \
    5.59.0 5.60.0 6.0.0 6.0.1 6.1.0 6.1.1 6.1.2 6.2.0 6.2.1 6.2.2 6.2.3 6.3.0 6.4.0 6.5.0";

/// Release tags of `aws-ia/terraform-aws-eks-blueprints-addon`.
pub const ADDON_TAGS: &str = "1.0.0 1.0.1 1.1.0 1.1.1";

/// Release tags of `terraform-aws-modules/terraform-aws-eks-pod-identity`.
pub const POD_IDENTITY_TAGS: &str = "1.0.0 1.1.0 1.2.0 1.2.1 1.3.0 1.4.0 1.4.1 1.4.2 1.4.3 1.5.0 \
    1.6.0 1.6.1 1.7.0 1.8.0 1.9.0 1.9.1 1.10.0 1.11.0 1.12.0 1.12.1 2.0.0 2.1.0 2.2.0 2.2.1 2.3.0 \
    2.4.0 2.4.1 2.4.2 2.5.0 2.6.0 2.7.0 2.8.0 2.8.1";

/// A release version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// `5`, `5.30`, `v5.30.0` (missing parts are 0); None for anything else (a pre-release).
    pub fn parse(text: &str) -> Option<(Version, usize)> {
        let text = text.trim();
        let text = text.strip_prefix('v').unwrap_or(text);
        let mut parts = [0u32; 3];
        let mut count = 0;
        for (i, piece) in text.split('.').enumerate() {
            if i >= 3 || piece.is_empty() || !piece.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            parts[i] = piece.parse().ok()?;
            count = i + 1;
        }
        Some((Version(parts[0], parts[1], parts[2]), count))
    }
}

pub fn tags(list: &str) -> Vec<Version> {
    list.split_whitespace()
        .filter_map(|t| Version::parse(t).map(|(v, _)| v))
        .collect()
}

/// Whether `v` satisfies one constraint (`>= 4.12`, `~> 5.0`, `5.30.0`); None when the
/// constraint cannot be read.
fn satisfies(v: Version, constraint: &str) -> Option<bool> {
    let c = constraint.trim();
    let (op, rest) = ["~>", ">=", "<=", "!=", "=", ">", "<"]
        .iter()
        .find_map(|op| c.strip_prefix(op).map(|rest| (*op, rest)))
        .unwrap_or(("=", c));
    let (w, count) = Version::parse(rest)?;
    Some(match op {
        ">=" => v >= w,
        "<=" => v <= w,
        ">" => v > w,
        "<" => v < w,
        "!=" => v != w,
        "=" => v == w,
        // `~> 5` is `>= 5`; `~> 5.1` stays in 5.x; `~> 5.1.2` in 5.1.x.
        _ => {
            v >= w
                && match count {
                    1 => true,
                    2 => v.0 == w.0,
                    _ => v.0 == w.0 && v.1 == w.1,
                }
        }
    })
}

/// The newest of `tags` in `[from, to)` that the constraint (comma-separated; None or
/// unreadable: any) allows.
pub fn newest_allowed(
    tags: &[Version],
    from: Version,
    to: Version,
    constraint: Option<&str>,
) -> Option<Version> {
    let allowed = |v: Version| match constraint {
        None => true,
        Some(c) => c.split(',').all(|one| satisfies(v, one).unwrap_or(true)),
    };
    tags.iter()
        .copied()
        .filter(|v| *v >= from && *v < to && allowed(*v))
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::terraform::modules::Known;

    fn v(text: &str) -> Version {
        Version::parse(text).unwrap().0
    }

    #[test]
    fn versions_resolve_to_the_newest_allowed_tag() {
        let eks = Known::IrsaEks;
        assert_eq!(eks.version(None), Some(v("5.60.0")));
        assert_eq!(eks.version(Some("~> 5.0")), Some(v("5.60.0")));
        assert_eq!(eks.version(Some("~> 5.30.0")), Some(v("5.30.2")));
        assert_eq!(eks.version(Some(">= 4.12")), Some(v("5.60.0")));
        assert_eq!(eks.version(Some("4.20.0")), Some(v("4.20.0")));
        assert_eq!(eks.version(Some("~> 4.20")), Some(v("4.24.1")));
        assert_eq!(eks.version(Some(">= 4.12, < 4.21.1")), Some(v("4.21.0")));
        assert_eq!(eks.version(Some("~> 6.0")), None);
        assert_eq!(eks.version(Some("4.11.0")), None);
        assert_eq!(Known::Irsa.version(Some("~> 6.0")), Some(v("6.5.0")));
        assert_eq!(Known::Irsa.version(Some("~> 5.0")), None);
        assert_eq!(
            Known::BlueprintsAddon.version(Some("~> 1.1")),
            Some(v("1.1.1"))
        );
        // Unreadable: any.
        assert_eq!(eks.version(Some("latest")), Some(v("5.60.0")));
    }
}

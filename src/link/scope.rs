//! Scope and nearness: which of several objects of one name a link means.
//!
//! One model serves every lookup of the link stage and every rule that asks whether two files go
//! together:
//!
//! - **Scope.** A link never crosses a repository root (a directory holding `.git`): the driver
//!   links the files of each repository on its own (files outside any repository together), so a
//!   [`super::Linked`] holds one scope, and whatever a rule says of "the input" (it defines
//!   ServiceAccounts, trust policies, workloads) is said of that repository.
//! - **Nearness.** Within a scope, a name may be defined more than once: `envs/dev` and
//!   `envs/prod` each with a ServiceAccount `api` and a trust `api.json`, overlays, teams. A
//!   lookup ranks the candidates by [`Nearness`] to the asking object's file (same file, then a
//!   kustomization listing both, then the same directory, then the deepest common directory) and
//!   keeps the nearest. When several are equally near and disagree, the link does not pick one:
//!   [`super::Ambiguity`] records it and IRSA315 reports it.
//! - **Applied together.** Two files are applied together (one `kubectl apply -f dir/`, one
//!   kustomization) when they are at most [`Nearness::SameDirectory`] apart: two definitions of
//!   one object there are one object (IRSA215), and two definitions farther apart are variants
//!   (environments, overlays).

use crate::model::k8s::{Annotation, Kustomization, ObjectMeta, annotations};

/// How near a file is to the file asking for it, nearest first (the derived order: a smaller value
/// is nearer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Nearness {
    /// The same file (another document of one stream).
    SameFile,
    /// One kustomization lists both files in its `resources`.
    SameKustomization,
    /// The same directory.
    SameDirectory,
    /// The nearest directory holding both lies this many levels above the asking file's directory
    /// (0: the other file is in a subdirectory of it).
    Ancestor(usize),
}

impl Nearness {
    /// True when the two files are applied together: the same file, the same kustomization or the
    /// same directory.
    pub fn applied_together(self) -> bool {
        self <= Nearness::SameDirectory
    }
}

/// The directory part of a displayed path (`k8s/base` for `k8s/base/sa.yaml`, empty for a file at
/// the top).
pub fn dir_of(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// How near the file displayed as `to` is to the file displayed as `from`.
pub fn nearness(from: &str, to: &str, kustomizations: &[Kustomization]) -> Nearness {
    if from == to {
        return Nearness::SameFile;
    }
    if kustomizations.iter().any(|k| k.lists(from) && k.lists(to)) {
        return Nearness::SameKustomization;
    }
    let (a, b) = (dir_of(from), dir_of(to));
    if a == b {
        return Nearness::SameDirectory;
    }
    let a_parts: Vec<&str> = a.split('/').filter(|p| !p.is_empty()).collect();
    let b_parts: Vec<&str> = b.split('/').filter(|p| !p.is_empty()).collect();
    let common = a_parts
        .iter()
        .zip(&b_parts)
        .take_while(|(x, y)| x == y)
        .count();
    Nearness::Ancestor(a_parts.len() - common)
}

/// The candidates nearest to `from`: every one at the smallest [`Nearness`], in the order given,
/// with that nearness. Empty when there is no candidate.
pub fn nearest<'a, T: Copy>(
    from: &str,
    candidates: impl IntoIterator<Item = (T, &'a str)>,
    kustomizations: &[Kustomization],
) -> (Vec<T>, Option<Nearness>) {
    let mut best: Option<Nearness> = None;
    let mut out = Vec::new();
    for (candidate, file) in candidates {
        let n = nearness(from, file, kustomizations);
        match best {
            Some(b) if n > b => continue,
            Some(b) if n == b => {}
            _ => {
                best = Some(n);
                out.clear();
            }
        }
        out.push(candidate);
    }
    (out, best)
}

/// The IRSA annotations of an object (`eks.amazonaws.com/*`), as (key, value text trimmed,
/// annotation) in source order: what two definitions of one ServiceAccount must agree on.
pub fn irsa_annotations(meta: &ObjectMeta) -> Vec<(&str, &str, &Annotation)> {
    meta.annotations
        .iter()
        .filter(|a| a.key.value.starts_with(annotations::PREFIX))
        .map(|a| {
            let text = a.value.scalar_text().unwrap_or_else(|| a.value.kind_name());
            (a.key.value.as_str(), text.trim(), a)
        })
        .collect()
}

/// True when two definitions carry the same IRSA annotations (in any order).
pub fn same_irsa_annotations(a: &ObjectMeta, b: &ObjectMeta) -> bool {
    let key = |m| {
        let mut v: Vec<(&str, &str)> = irsa_annotations(m)
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect();
        v.sort_unstable();
        v
    };
    key(a) == key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearer_is_smaller() {
        let none: &[Kustomization] = &[];
        let n = |a, b| nearness(a, b, none);
        assert_eq!(n("k8s/a.yaml", "k8s/a.yaml"), Nearness::SameFile);
        assert_eq!(n("k8s/a.yaml", "k8s/b.yaml"), Nearness::SameDirectory);
        assert_eq!(
            n("envs/dev/a.yaml", "envs/dev/iam/a.json"),
            Nearness::Ancestor(0)
        );
        assert_eq!(
            n("envs/dev/a.yaml", "envs/prod/a.json"),
            Nearness::Ancestor(1)
        );
        assert_eq!(
            n("envs/dev/k8s/a.yaml", "iam/a.json"),
            Nearness::Ancestor(3)
        );
        assert_eq!(n("a.yaml", "iam/a.json"), Nearness::Ancestor(0));
        assert!(Nearness::SameDirectory < Nearness::Ancestor(0));
        assert!(Nearness::Ancestor(1) < Nearness::Ancestor(2));
        assert!(Nearness::SameDirectory.applied_together());
        assert!(!Nearness::Ancestor(0).applied_together());
    }

    #[test]
    fn nearest_keeps_every_tie() {
        let none: &[Kustomization] = &[];
        let files = [
            (0, "envs/prod/sa.yaml"),
            (1, "envs/dev/sa.yaml"),
            (2, "base/sa.yaml"),
            (3, "envs/dev/more.yaml"),
        ];
        assert_eq!(
            nearest("envs/dev/deploy.yaml", files, none),
            (vec![1, 3], Some(Nearness::SameDirectory))
        );
        assert_eq!(
            nearest(
                "base/deploy.yaml",
                [(0, "envs/dev/sa.yaml"), (1, "envs/prod/sa.yaml")],
                none
            ),
            (vec![0, 1], Some(Nearness::Ancestor(1)))
        );
        assert_eq!(nearest::<u8>("x.yaml", [], none), (vec![], None));
    }
}

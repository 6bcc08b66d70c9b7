//! Links never cross a repository root (a directory holding `.git`): linting a directory of
//! checkouts is linting each of them. A run over the whole tree must give each repository exactly
//! the findings of a run over that repository alone, and no finding may join a file of one
//! repository to a file of another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use irsa_lint::diagnostic::Diagnostic;
use irsa_lint::lint::{LintOptions, lint};

mod common;
use common::{CLEAN_POLICY, write};

fn run(path: &Path) -> Vec<Diagnostic> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        ..LintOptions::default()
    };
    lint(&opts).expect("lint runs").diagnostics
}

/// A finding as text: code, place, message, help and related places. Paths are absolute in both
/// runs (the trees live outside the working directory), so they compare as they are.
fn describe(d: &Diagnostic) -> String {
    let place = |l: &irsa_lint::diagnostic::Label| {
        let at = l.start();
        format!("{}:{}:{}", l.file(), at.line, at.column)
    };
    let mut out = format!(
        "{} {} {} | {}",
        d.rule.code,
        d.severity.as_str(),
        place(&d.primary),
        d.message
    );
    if let Some(help) = &d.help {
        out.push_str(&format!(" | help: {help}"));
    }
    for r in &d.related {
        out.push_str(&format!(" | related {}: {}", place(r), r.message));
    }
    out
}

/// The repository (a direct child of `root`) a displayed file lies in.
fn repository_of(file: &str, root: &Path) -> Option<String> {
    let rest = file.strip_prefix(&format!("{}/", root.display()))?;
    rest.split('/').next().map(str::to_string)
}

/// Lint `root` whole and each of its directories alone; every finding of the whole run stays in
/// one repository, and each repository's findings are those of its own run. Returns how many
/// findings the whole run had.
fn assert_each_repository_linted_alone(root: &Path) -> usize {
    let whole = run(root);
    let mut by_repository: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut crossing = Vec::new();
    for d in &whole {
        let repo = repository_of(d.file(), root).expect("every finding lies in a repository");
        for r in &d.related {
            if repository_of(r.file(), root).as_deref() != Some(repo.as_str()) {
                crossing.push(describe(d));
            }
        }
        by_repository.entry(repo).or_default().push(describe(d));
    }
    assert!(
        crossing.is_empty(),
        "findings that join two repositories:\n{}",
        crossing.join("\n")
    );
    let mut repositories: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    repositories.sort();
    let mut differences = Vec::new();
    for dir in &repositories {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let mut alone: Vec<String> = run(dir).iter().map(describe).collect();
        let mut together = by_repository.remove(&name).unwrap_or_default();
        alone.sort();
        together.sort();
        if alone != together {
            let only = |a: &[String], b: &[String]| -> Vec<String> {
                a.iter().filter(|x| !b.contains(x)).cloned().collect()
            };
            differences.push(format!(
                "{name}:\n  only in the whole run: {:#?}\n  only when alone: {:#?}",
                only(&together, &alone),
                only(&alone, &together)
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "the whole run differs from the runs of each repository alone:\n{}",
        differences.join("\n")
    );
    whole.len()
}

/// Copy a tree of directories and regular files (symbolic links and special files are left out,
/// as a walk passes over them anyway).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let kind = entry.file_type().unwrap();
        let target = to.join(entry.file_name());
        if kind.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if kind.is_file() {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

const DEPLOYMENT_AS_API: &str = "apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: payments
spec:
  template:
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: api:1.0.0
";

/// Team `a` runs a Deployment as ServiceAccount `api` that it never defines, and a ServiceAccount
/// `worker` annotated with role `api`; team `b` defines `api` and role `api`'s trust. Linked over
/// the whole tree, `a`'s Deployment found `b`'s ServiceAccount (hiding that its own is missing)
/// and `a`'s `worker` was judged against `b`'s trust.
#[test]
fn two_checkouts_side_by_side_are_linted_apart() {
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    std::fs::create_dir_all(root.join("a/.git")).unwrap();
    // A worktree or submodule has a `.git` file: that is a repository root too.
    std::fs::create_dir_all(root.join("b")).unwrap();
    std::fs::write(root.join("b/.git"), "gitdir: ../elsewhere\n").unwrap();
    write(
        root,
        "a/k8s.yaml",
        &format!(
            "{DEPLOYMENT_AS_API}---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: worker
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/api
"
        ),
    );
    write(
        root,
        "b/k8s.yaml",
        &format!(
            "{DEPLOYMENT_AS_API}---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: payments
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/api
"
        ),
    );
    write(root, "b/iam/api.json", CLEAN_POLICY);
    assert_each_repository_linted_alone(root);
    let codes: Vec<(&str, String)> = run(root)
        .iter()
        .map(|d| (d.rule.code, repository_of(d.file(), root).unwrap()))
        .collect();
    assert!(
        codes.contains(&("IRSA301", "a".to_string())),
        "a's Deployment names a ServiceAccount that a does not define: {codes:?}"
    );
    assert!(
        !codes.iter().any(|(c, _)| *c == "IRSA304"),
        "a's worker is not judged against b's trust: {codes:?}"
    );
    // Named inside a repository, a path finds the repository's root by walking up: the run over
    // `a/k8s.yaml` alone is the run over `a`.
    let file: Vec<String> = run(&root.join("a/k8s.yaml")).iter().map(describe).collect();
    let dir: Vec<String> = run(&root.join("a")).iter().map(describe).collect();
    assert_eq!(file, dir);
}

/// The shared corpus of real repositories (`../shared/corpus` beside the checkout), when present.
fn shared_corpus() -> Option<PathBuf> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.is_dir() {
        eprintln!("note: {} is absent; the test is skipped", corpus.display());
        return None;
    }
    Some(corpus)
}

/// The shared corpus of real repositories (`../shared/corpus` beside the checkout), each folder
/// made a repository: the whole run gives each the findings of its own run.
#[test]
fn the_corpus_as_repositories_is_linted_as_each_repository_alone() {
    let Some(corpus) = shared_corpus() else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let root = root.path();
    copy_tree(&corpus, root);
    for entry in std::fs::read_dir(root).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            // An empty `.git` directory is all it takes: the git binary is not needed.
            std::fs::create_dir_all(path.join(".git")).unwrap();
        } else {
            // A file at the top (the corpus' notes) belongs to no repository.
            std::fs::remove_file(path).unwrap();
        }
    }
    let findings = assert_each_repository_linted_alone(root);
    assert!(findings > 0, "the corpus yields findings");
}

/// Every Helm values file of the shared corpus (`values*.yaml`, `*-values.yaml`) is linted on its
/// own without a crash, and the role-arn settings in them are found: the corpus holds a chart
/// default with a `<<ACCOUNT-ID>>` placeholder (IRSA114).
#[test]
fn every_values_file_of_the_corpus_is_linted() {
    let Some(corpus) = shared_corpus() else {
        return;
    };
    let mut files = Vec::new();
    let mut dirs = vec![corpus];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let kind = entry.file_type().unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if kind.is_dir() {
                dirs.push(path);
            } else if kind.is_file()
                && name.contains("values")
                && (name.ends_with(".yaml") || name.ends_with(".yml"))
            {
                files.push(path);
            }
        }
    }
    assert!(!files.is_empty(), "the corpus holds values files");
    let mut placeholders = 0;
    for file in &files {
        placeholders += run(file)
            .iter()
            .filter(|d| d.rule.code == "IRSA114")
            .count();
    }
    assert!(
        placeholders > 0,
        "no IRSA114 in {} values files",
        files.len()
    );
}

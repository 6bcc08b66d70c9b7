//! Multi-file scenarios: each directory under `testdata/link/` is one run over manifests and trust
//! policies together, and its `expected.txt` lists EVERY diagnostic of that run, all rules
//! included, as `CODE FILE:LINE:COLUMN` (FILE relative to the scenario directory; `#` comments
//! allowed). So a scenario whose `expected.txt` lists no error and no warning proves that the
//! configuration is clean: a false alarm there is a bug. Scenarios named `clean-*` must in
//! addition produce no error and no warning at all.
//!
//! An optional `options.txt` holds command-line options for the run (one per line, `#` comments):
//! `--cluster-issuer <URL>` and `--default-namespace <NS>`.

use std::path::{Path, PathBuf};

use irsa_lint::diagnostic::{Diagnostic, Severity};
use irsa_lint::lint::{LintOptions, lint};

mod common;
use common::{lines, link_options};

fn run(dir: &Path) -> Vec<Diagnostic> {
    let opts = LintOptions {
        paths: vec![dir.to_path_buf()],
        link: link_options(dir),
        ..LintOptions::default()
    };
    lint(&opts).expect("lint runs").diagnostics
}

fn relative(file: &str, dir: &Path) -> String {
    let dir = dir.to_string_lossy().replace('\\', "/");
    file.strip_prefix(&format!("{dir}/"))
        .unwrap_or(file)
        .to_string()
}

fn scenarios() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("testdata/link")
        .expect("testdata/link exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_scenario_yields_exactly_its_expected_diagnostics() {
    let dirs = scenarios();
    assert!(!dirs.is_empty(), "no scenario under testdata/link");
    let mut failures = Vec::new();
    for dir in &dirs {
        let diags = run(dir);
        let describe = |d: &Diagnostic| {
            let at = d.primary.start();
            format!(
                "{} {}:{}:{}",
                d.rule.code,
                relative(d.file(), dir),
                at.line,
                at.column
            )
        };
        let mut got: Vec<String> = diags.iter().map(describe).collect();
        got.sort();
        let mut want = lines(&dir.join("expected.txt"));
        want.sort();
        if got != want {
            let missing: Vec<&String> = want.iter().filter(|w| !got.contains(w)).collect();
            let extra: Vec<String> = diags
                .iter()
                .filter(|d| !want.contains(&describe(d)))
                .map(|d| format!("{} {}", describe(d), d.message))
                .collect();
            failures.push(format!(
                "{}:\n  missing: {missing:?}\n  unexpected: {extra:#?}",
                dir.display()
            ));
        }
        let clean = dir
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("clean-"));
        if clean {
            let alarms: Vec<String> = diags
                .iter()
                .filter(|d| d.severity >= Severity::Warning)
                .map(|d| format!("{} {}", describe(d), d.message))
                .collect();
            if !alarms.is_empty() {
                failures.push(format!(
                    "{}: a clean scenario produced errors or warnings: {alarms:#?}",
                    dir.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The tutorial configuration from the seed (`examples/`): the Deployment lands in `default`
/// while its ServiceAccount is in `demo-namespace`, and the trust policy's only condition puts the
/// subject pattern under `:aud`, so no pod can assume the role.
#[test]
fn seed_configuration_yields_the_cross_link_findings() {
    let dir = Path::new("testdata/link/seed");
    let diags = run(dir);
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d.rule.code == code)
            .unwrap_or_else(|| panic!("{code} not reported on the seed"))
    };
    let ns = find("IRSA302");
    assert_eq!(relative(ns.file(), dir), "k8s/deployment.yaml");
    assert!(ns.message.contains("`default`") && ns.message.contains("`demo-namespace`"));
    assert_eq!(ns.severity, Severity::Error);
    let trust = find("IRSA304");
    assert_eq!(relative(trust.file(), dir), "k8s/service-account.yaml");
    assert!(trust.message.contains("`demo-namespace/demo-sa`"));
    assert!(trust.message.contains("`eks-demo-role`"));
    assert!(
        trust
            .related
            .iter()
            .any(|r| relative(r.file(), dir) == "iam/eks-demo-role.json"),
        "IRSA304 points at the trust's condition"
    );
}

/// The seed in `testdata/link/seed` is the one in `examples/`.
#[test]
fn seed_scenario_matches_the_examples() {
    for file in [
        "iam/eks-demo-role.json",
        "k8s/service-account.yaml",
        "k8s/deployment.yaml",
    ] {
        let example = std::fs::read_to_string(Path::new("examples").join(file)).unwrap();
        let scenario = std::fs::read_to_string(Path::new("testdata/link/seed").join(file)).unwrap();
        assert_eq!(
            example, scenario,
            "testdata/link/seed/{file} differs from examples/{file}"
        );
    }
}

/// envs/dev and envs/prod define the same ServiceAccount and the same role's trust, differently:
/// each ServiceAccount is judged against the trust of its own environment, and the shared one
/// against the trust of the account its annotation names.
#[test]
fn each_environment_is_judged_against_its_own_trust() {
    let dir = Path::new("testdata/link/envs-same-names");
    let diags = run(dir);
    let denied: Vec<(String, Vec<String>)> = diags
        .iter()
        .filter(|d| d.rule.code == "IRSA304")
        .map(|d| {
            (
                relative(d.file(), dir),
                d.related.iter().map(|r| relative(r.file(), dir)).collect(),
            )
        })
        .collect();
    assert_eq!(
        denied,
        [
            (
                "envs/prod/service-account.yaml".to_string(),
                vec!["envs/prod/api.json".to_string()]
            ),
            (
                "platform/reports.yaml".to_string(),
                vec!["envs/prod/api.json".to_string()]
            ),
        ]
    );
    assert!(
        !diags.iter().any(|d| d.rule.code == "IRSA306"),
        "prod's api/api is not another ServiceAccount for dev's trust"
    );
}

/// A Deployment as near to two teams' definitions of its ServiceAccount, which carry different
/// roles, is told so with both definitions; each team's own Deployment is not.
#[test]
fn an_equally_near_pair_of_definitions_is_reported_not_picked() {
    let dir = Path::new("testdata/link/teams-same-names");
    let diags = run(dir);
    let ambiguous: Vec<&Diagnostic> = diags.iter().filter(|d| d.rule.code == "IRSA315").collect();
    assert_eq!(ambiguous.len(), 1, "{ambiguous:#?}");
    let d = ambiguous[0];
    assert_eq!(relative(d.file(), dir), "platform/proxy.yaml");
    assert_eq!(d.severity, Severity::Info);
    let related: Vec<String> = d.related.iter().map(|r| relative(r.file(), dir)).collect();
    assert_eq!(
        related,
        [
            "teams/a/service-account.yaml",
            "teams/b/service-account.yaml"
        ]
    );
    assert!(d.message.contains("`web/proxy`") && d.message.contains("different IRSA annotations"));
}

//! The baseline round trip: `--write-baseline` records the findings, `--baseline` hides exactly
//! those (lines moving or unrelated findings appearing do not bring them back), new findings fail
//! the run, entries that no longer occur are counted, and a missing or broken baseline is exit 2.

mod common;

use std::path::Path;

use common::{concise_findings, irsa_lint_in, stderr, stdout, write};

/// Two `default` ServiceAccounts with a role: IRSA206 (warning) twice, and IRSA219 (the role is
/// shared across namespaces).
fn two_defaults() -> String {
    ["payments", "batch"]
        .iter()
        .map(|ns| {
            format!(
                "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/shared-s3-read\n"
            )
        })
        .collect::<Vec<_>>()
        .join("---\n")
}

fn run(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![".", "--format", "concise"];
    args.extend_from_slice(extra);
    irsa_lint_in(dir, &args, &[])
}

/// The last line of the human report (the summary) for a run with `args`.
fn human_summary(dir: &Path, args: &[&str]) -> String {
    let out = irsa_lint_in(dir, args, &[]);
    stdout(&out).lines().last().unwrap_or("").to_string()
}

#[test]
fn a_written_baseline_turns_the_run_green_until_a_new_finding_appears() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", &two_defaults());
    let before = run(dir.path(), &[]);
    assert_eq!(
        concise_findings(&before),
        [
            "k8s/sa.yaml:7:33 IRSA206",
            "k8s/sa.yaml:15:33 IRSA206",
            "k8s/sa.yaml:15:33 IRSA219"
        ]
    );
    assert_eq!(before.status.code(), Some(1));

    let out = run(dir.path(), &["--write-baseline", "irsa-lint-baseline.json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "", "writing a baseline writes no report");
    assert_eq!(
        stderr(&out),
        "irsa-lint: wrote 3 findings to baseline irsa-lint-baseline.json\n"
    );
    let text = std::fs::read_to_string(dir.path().join("irsa-lint-baseline.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "irsa-lint");
    let findings = json["findings"].as_array().unwrap();
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["IRSA206", "IRSA206", "IRSA219"]);
    assert!(findings.iter().all(|f| {
        f["file"] == "k8s/sa.yaml"
            && f["fingerprint"].as_str().unwrap().len() == 16
            && f["message"]
                .as_str()
                .unwrap()
                .contains("role `shared-s3-read`")
    }));

    // Green with the baseline; the summary says what it hid.
    let out = run(dir.path(), &["--baseline", "irsa-lint-baseline.json"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        human_summary(dir.path(), &[".", "--baseline", "irsa-lint-baseline.json"]),
        // The baseline file is JSON, so it is read (and yields nothing) too.
        "no problems found in 2 files; 3 baselined"
    );

    // A new finding in another file fails the run, and is the only one reported.
    write(
        dir.path(),
        "k8s/reports.yaml",
        &two_defaults()
            .replace("payments", "reports")
            .replace("batch", "audit"),
    );
    let out = run(dir.path(), &["--baseline", "irsa-lint-baseline.json"]);
    assert_eq!(
        concise_findings(&out),
        [
            "k8s/reports.yaml:7:33 IRSA206",
            "k8s/reports.yaml:15:33 IRSA206",
            "k8s/reports.yaml:15:33 IRSA219"
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn moving_lines_does_not_resurface_baselined_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", &two_defaults());
    let out = run(dir.path(), &["--write-baseline", "b.json"]);
    assert_eq!(out.status.code(), Some(0));

    // Blank lines and comments above the findings, and the documents' keys reordered.
    let moved = format!(
        "# moved\n\n\n{}",
        two_defaults().replace(
            "metadata:\n  name: default\n",
            "metadata:\n\n  # the namespace's default\n  name: default\n"
        )
    );
    write(dir.path(), "k8s/sa.yaml", &moved);
    let out = run(dir.path(), &["--baseline", "b.json"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    // Without the baseline they are all there, at new lines.
    let out = run(dir.path(), &[]);
    assert_eq!(
        concise_findings(&out),
        [
            "k8s/sa.yaml:12:33 IRSA206",
            "k8s/sa.yaml:22:33 IRSA206",
            "k8s/sa.yaml:22:33 IRSA219"
        ]
    );
}

#[test]
fn entries_that_no_longer_occur_are_counted() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", &two_defaults());
    write(dir.path(), "iam/other.yaml", "kind: ConfigMap\n");
    run(dir.path(), &["--write-baseline", "b.json"]);

    // Remove the `batch` ServiceAccount: its IRSA206 and the IRSA219 are gone.
    let fixed = two_defaults().split("---\n").next().unwrap().to_string();
    write(dir.path(), "k8s/sa.yaml", &fixed);
    assert_eq!(
        human_summary(dir.path(), &[".", "--baseline", "b.json"]),
        "no problems found in 3 files; 1 baselined, 2 baseline entries no longer occur"
    );
    let out = irsa_lint_in(
        dir.path(),
        &[".", "--format", "json", "--baseline", "b.json"],
        &[],
    );
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["summary"]["baselined"], 1);
    assert_eq!(json["summary"]["stale_baseline_entries"], 2);
    // A run over part of the tree does not call the other files' entries stale.
    assert_eq!(
        human_summary(dir.path(), &["iam", "--baseline", "b.json"]),
        "no problems found in 1 file"
    );
    // Nor entries of rules that did not run.
    assert_eq!(
        human_summary(
            dir.path(),
            &[".", "--baseline", "b.json", "--select", "IRSA206"]
        ),
        "no problems found in 3 files; 1 baselined, 1 baseline entry no longer occurs"
    );
    // Writing the baseline again prunes it.
    run(
        dir.path(),
        &["--baseline", "b.json", "--write-baseline", "b.json"],
    );
    assert_eq!(
        human_summary(dir.path(), &[".", "--baseline", "b.json"]),
        "no problems found in 3 files; 1 baselined"
    );
}

#[test]
fn a_missing_or_invalid_baseline_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", &two_defaults());
    let out = run(dir.path(), &["--baseline", "missing.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("irsa-lint: error: cannot read baseline missing.json: "),
        "{}",
        stderr(&out)
    );
    write(dir.path(), "bad.json", "{\"version\": 7, \"findings\": []}");
    let out = run(dir.path(), &["--baseline", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "irsa-lint: error: baseline bad.json: baseline version 7 is not supported (this irsa-lint reads version 1); write it again with --write-baseline\n"
    );
}

#[test]
fn the_configuration_can_name_the_baseline() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", &two_defaults());
    std::fs::create_dir_all(dir.path().join("ci")).unwrap();
    let out = run(dir.path(), &["--write-baseline", "ci/baseline.json"]);
    assert_eq!(out.status.code(), Some(0));
    // `baseline:` is relative to the configuration's directory.
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "baseline: ci/baseline.json\n",
    );
    let out = run(dir.path(), &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
    // Findings are matched by their file as shown, relative to the working directory: from `k8s/`
    // the file is `sa.yaml`, which the baseline does not know, and irsa-lint says so.
    let out = irsa_lint_in(&dir.path().join("k8s"), &[".", "--format", "concise"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("none of the 3 baseline entries is for a file linted in this run"),
        "{}",
        stderr(&out)
    );
}

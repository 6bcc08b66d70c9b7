//! The command line as users and CI see it: exit statuses, every output format, stdin, `explain`
//! and `rules`.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;
use common::CLEAN_POLICY;

fn irsa_lint(args: &[&str]) -> Output {
    irsa_lint_stdin(args, None)
}

fn irsa_lint_stdin(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_irsa-lint"))
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary starts");
    {
        let mut pipe = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            pipe.write_all(text.as_bytes()).unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn seed_example_reports_its_mistakes_and_exits_1() {
    let out = irsa_lint(&["--format", "json", "examples/"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["version"], 1);
    assert_eq!(json["tool"]["name"], "irsa-lint");
    let diags = json["diagnostics"].as_array().unwrap();
    let at = |rule: &str| -> Vec<(String, u64, u64)> {
        diags
            .iter()
            .filter(|d| d["rule"] == rule)
            .map(|d| {
                (
                    d["file"].as_str().unwrap().to_string(),
                    d["line"].as_u64().unwrap(),
                    d["column"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let policy = "examples/iam/eks-demo-role.json".to_string();
    // The `:aud` key holding the service-account pattern.
    assert!(
        at("IRSA101").contains(&(policy.clone(), 12, 1)),
        "{:?}",
        at("IRSA101")
    );
    assert!(
        at("IRSA102").iter().any(|(f, _, _)| *f == policy),
        "{:?}",
        at("IRSA102")
    );
    // `[AWS_ACCOUNT_ID]` in the Federated principal (line 7, after `"Federated": "arn:aws:iam::`).
    assert!(
        at("IRSA114").contains(&(policy.clone(), 7, 28)),
        "{:?}",
        at("IRSA114")
    );
    for d in diags {
        for key in [
            "rule",
            "name",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "related",
        ] {
            assert!(d.get(key).is_some(), "diagnostic lacks {key}: {d}");
        }
    }
    let summary = &json["summary"];
    assert_eq!(summary["files"], 3);
    assert!(summary["errors"].as_u64().unwrap() >= 3);
}

#[test]
fn clean_input_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("role.json"), CLEAN_POLICY).unwrap();
    let out = irsa_lint(&[dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("no problems found in 1 file"));
}

#[test]
fn fail_on_controls_the_exit_status() {
    // The seed has errors: --fail-on never still exits 0, error exits 1.
    assert_eq!(
        irsa_lint(&["--fail-on", "never", "-q", "examples/"])
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        irsa_lint(&["--fail-on", "error", "-q", "examples/"])
            .status
            .code(),
        Some(1)
    );
    // Only an info finding (IRSA103 missing-aud-condition) remains: warning passes, info fails.
    let dir = tempfile::tempdir().unwrap();
    let no_aud = CLEAN_POLICY.replace(
        ",\n      \"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud\": \"sts.amazonaws.com\"",
        "",
    );
    assert_ne!(no_aud, CLEAN_POLICY);
    let file = dir.path().join("role.json");
    std::fs::write(&file, no_aud).unwrap();
    let path = file.to_str().unwrap();
    let json = stdout(&irsa_lint(&["--format", "json", path]));
    assert!(json.contains("IRSA103"), "{json}");
    assert_eq!(
        irsa_lint(&["--fail-on", "warning", path]).status.code(),
        Some(0)
    );
    assert_eq!(
        irsa_lint(&["--fail-on", "info", path]).status.code(),
        Some(1)
    );
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(irsa_lint(&["--no-such-flag"]).status.code(), Some(2));
    assert_eq!(irsa_lint(&["does/not/exist"]).status.code(), Some(2));
    assert_eq!(
        irsa_lint(&["--select", "IRSA999", "examples/"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        irsa_lint(&["--format", "xml", "examples/"]).status.code(),
        Some(2)
    );
    assert_eq!(
        irsa_lint(&["explain", "no-such-rule"]).status.code(),
        Some(2)
    );
    let err = String::from_utf8(irsa_lint(&["does/not/exist"]).stderr).unwrap();
    assert!(err.contains("does/not/exist"), "{err}");
}

#[test]
fn malformed_input_is_a_diagnostic_not_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("broken.json"), "{\"Version\": ").unwrap();
    std::fs::write(dir.path().join("role.json"), CLEAN_POLICY).unwrap();
    let out = irsa_lint(&["--format", "concise", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("broken.json:1:"), "{text}");
    assert!(text.contains("error[IRSA001]"), "{text}");
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let out = irsa_lint(&["--format", "concise", "--select", "IRSA101", "examples/"]);
    let text = stdout(&out);
    assert_eq!(
        text.lines().next().unwrap(),
        "examples/iam/eks-demo-role.json:12:1: error[IRSA101] ".to_string()
            + text
                .lines()
                .next()
                .unwrap()
                .split("error[IRSA101] ")
                .nth(1)
                .unwrap()
    );
    assert!(text.lines().all(|l| l.contains("[IRSA101]")), "{text}");
}

#[test]
fn human_format_shows_snippet_help_and_summary() {
    let out = irsa_lint(&["--color", "never", "--select", "IRSA101", "examples/"]);
    let text = stdout(&out);
    assert!(text.contains("error[IRSA101 aud-holds-subject]"), "{text}");
    assert!(
        text.contains("examples/iam/eks-demo-role.json:12:1"),
        "{text}"
    );
    assert!(text.contains("help:"), "{text}");
    assert!(text.trim_end().ends_with("1 error in 3 files"), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no colour codes with --color never"
    );
    let colored = stdout(&irsa_lint(&[
        "--color",
        "always",
        "--select",
        "IRSA101",
        "examples/",
    ]));
    assert!(
        colored.contains('\u{1b}'),
        "colour codes with --color always"
    );
    let quiet = stdout(&irsa_lint(&[
        "-q",
        "--color",
        "never",
        "--select",
        "IRSA101",
        "examples/",
    ]));
    assert!(!quiet.contains("in 3 files"), "{quiet}");
}

#[test]
fn select_and_ignore_take_codes_prefixes_and_names() {
    let count = |args: &[&str]| -> usize {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        all.push("examples/");
        let json: serde_json::Value = serde_json::from_str(&stdout(&irsa_lint(&all))).unwrap();
        json["diagnostics"].as_array().unwrap().len()
    };
    assert_eq!(count(&["--select", "aud-holds-subject"]), 1);
    assert_eq!(
        count(&["--select", "IRSA101,IRSA102"]),
        count(&["--select", "IRSA101", "--select", "IRSA102"])
    );
    let all = count(&[]);
    assert_eq!(
        count(&["--ignore", "IRSA1"]) + count(&["--select", "IRSA1"]),
        all
    );
}

#[test]
fn output_file_receives_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    let out = irsa_lint(&[
        "--format",
        "json",
        "-o",
        file.to_str().unwrap(),
        "examples/",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json["version"], 1);
}

#[test]
fn stdin_is_linted_under_the_given_name() {
    let seed = std::fs::read_to_string("examples/iam/eks-demo-role.json").unwrap();
    let out = irsa_lint_stdin(
        &[
            "--format",
            "concise",
            "--stdin-filename",
            "iam/piped.json",
            "--select",
            "IRSA101",
            "-",
        ],
        Some(&seed),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("iam/piped.json:12:1: error[IRSA101]"),
        "{}",
        stdout(&out)
    );
    let clean = irsa_lint_stdin(&["-"], Some(CLEAN_POLICY));
    assert_eq!(clean.status.code(), Some(0), "{}", stdout(&clean));
}

#[test]
fn results_do_not_depend_on_jobs() {
    let one = stdout(&irsa_lint(&[
        "--format",
        "json",
        "--jobs",
        "1",
        "examples/",
        "testdata/",
    ]));
    let four = stdout(&irsa_lint(&[
        "--format",
        "json",
        "--jobs",
        "4",
        "examples/",
        "testdata/",
    ]));
    assert_eq!(one, four);
}

/// A generated IRSA-dense corpus (as `benches/gen_irsa_dense.py` writes, smaller, plus roles
/// trusting every ServiceAccount and pods running as implicit `default` ServiceAccounts): the
/// cross-link rules run on the worker pool, and their findings must not depend on `--jobs`.
#[test]
fn cross_link_results_do_not_depend_on_jobs() {
    const ISSUER: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("iam")).unwrap();
    std::fs::create_dir_all(root.join("k8s")).unwrap();
    let trust = |sub: &str| {
        let op = if sub.contains('*') {
            "StringLike"
        } else {
            "StringEquals"
        };
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow",
  "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/{ISSUER}"}},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {{"{op}": {{"{ISSUER}:sub": "{sub}", "{ISSUER}:aud": "sts.amazonaws.com"}}}}}}]}}
"#
        )
    };
    for i in 0..60 {
        let ns = format!("ns-{i:03}");
        let sub = match i % 10 {
            3 => format!("system:serviceaccount:{ns}:*"),
            7 => "system:serviceaccount:*:*".to_string(),
            // A stale subject (IRSA309).
            9 => format!("system:serviceaccount:{ns}:old"),
            _ => format!("system:serviceaccount:{ns}:app"),
        };
        std::fs::write(root.join(format!("iam/{ns}-app.json")), trust(&sub)).unwrap();
        let mut yaml = format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app\n  namespace: {ns}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/{ns}-app\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: extra\n  namespace: {ns}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      serviceAccountName: app\n      containers:\n        - name: app\n          image: app:1\n"
        );
        if i % 4 == 0 {
            yaml.push_str(&format!(
                "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  namespace: {ns}\nspec:\n  template:\n    spec:\n      containers:\n        - name: migrate\n          image: migrate:1\n"
            ));
        }
        std::fs::write(root.join(format!("k8s/{ns}.yaml")), yaml).unwrap();
    }
    let path = root.to_str().unwrap();
    for format in ["json", "sarif"] {
        let run = |jobs: &str| {
            let out = irsa_lint(&["--format", format, "--jobs", jobs, path]);
            assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
            stdout(&out)
        };
        let one = run("1");
        assert!(one.contains("IRSA306"), "{one}");
        for jobs in ["2", "3"] {
            assert_eq!(one, run(jobs), "--format {format} --jobs {jobs}");
        }
    }
}

#[test]
fn exclude_and_gitignore_prune_the_walk() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("vendor")).unwrap();
    std::fs::create_dir_all(root.join("build")).unwrap();
    for sub in ["vendor", "build", "."] {
        std::fs::write(root.join(sub).join("broken.json"), "{").unwrap();
    }
    std::fs::write(root.join(".gitignore"), "build/\n").unwrap();
    let run = |extra: &[&str]| -> usize {
        let mut args = vec!["--format", "concise"];
        args.extend_from_slice(extra);
        args.push(root.to_str().unwrap());
        stdout(&irsa_lint(&args)).lines().count()
    };
    assert_eq!(run(&[]), 2, "build/ is git-ignored");
    assert_eq!(run(&["--no-ignore"]), 3);
    assert_eq!(run(&["--exclude", "**/vendor"]), 1);
    // A file named on the command line is linted whatever its extension.
    let odd = root.join("policy.txt");
    std::fs::write(&odd, "{").unwrap();
    let out = stdout(&irsa_lint(&["--format", "concise", odd.to_str().unwrap()]));
    assert!(out.contains("IRSA001"), "{out}");
}

#[test]
fn explain_prints_the_rule_documentation() {
    for key in ["IRSA101", "irsa101", "aud-holds-subject"] {
        let out = irsa_lint(&["explain", key]);
        assert_eq!(out.status.code(), Some(0));
        let text = stdout(&out);
        assert!(
            text.starts_with("IRSA101 aud-holds-subject (error"),
            "{text}"
        );
        assert!(text.contains("## How to fix"), "{text}");
    }
}

#[test]
fn rules_lists_every_rule_in_each_format() {
    let n = irsa_lint::registry::RULES.len();
    let table = stdout(&irsa_lint(&["rules"]));
    assert_eq!(table.lines().count(), n);
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&irsa_lint(&["rules", "--format", "json"]))).unwrap();
    assert_eq!(json["rules"].as_array().unwrap().len(), n);
    let md = stdout(&irsa_lint(&["rules", "--format", "markdown"]));
    assert_eq!(md.lines().filter(|l| l.starts_with("| IRSA")).count(), n);
}

#[test]
fn version_flag() {
    let out = irsa_lint(&["--version"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stdout(&out).starts_with("irsa-lint 0.1.0"));
}

#[test]
fn readme_example_output_is_current() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find("$ irsa-lint examples/ --format concise\n")
        .expect("README shows the concise example");
    let body = &readme[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    let shown = &body[..body.find("```").unwrap()];
    let actual = stdout(&irsa_lint(&["examples/", "--format", "concise"]));
    assert_eq!(shown, actual, "README.md's example output is stale");
}

#[test]
fn check_subcommand_is_the_default_command() {
    let implicit = stdout(&irsa_lint(&[
        "--format",
        "concise",
        "--no-config",
        "examples/",
    ]));
    let explicit = stdout(&irsa_lint(&[
        "check",
        "--format",
        "concise",
        "--no-config",
        "examples/",
    ]));
    assert!(!implicit.is_empty());
    assert_eq!(implicit, explicit);
}

#[test]
fn quiet_drops_the_summary_line_of_human_and_github_output() {
    for format in ["human", "github"] {
        let loud = stdout(&irsa_lint(&[
            "--no-config",
            "--color",
            "never",
            "--format",
            format,
            "examples/",
        ]));
        let quiet = stdout(&irsa_lint(&[
            "--no-config",
            "--color",
            "never",
            "-q",
            "--format",
            format,
            "examples/",
        ]));
        assert!(loud.trim_end().ends_with("in 3 files"), "{format}: {loud}");
        assert!(!quiet.contains("in 3 files"), "{format}: {quiet}");
        assert_eq!(loud.lines().count(), quiet.lines().count() + 1, "{format}");
    }
}

#[test]
fn state_files_are_read_when_named_or_with_include_state() {
    let dir = "testdata/link/terraform-state";
    let state = "testdata/link/terraform-state/terraform.tfstate";
    let from_state = |args: &[&str]| -> usize {
        let mut all = vec!["--format", "concise", "--select", "IRSA104"];
        all.extend_from_slice(args);
        stdout(&irsa_lint(&all))
            .lines()
            .filter(|l| l.starts_with(state))
            .count()
    };
    assert_eq!(from_state(&[dir]), 0, "a walk passes state files over");
    assert_eq!(from_state(&["--include-state", dir]), 1);
    assert_eq!(from_state(&[state]), 1, "a state file named is read");
    let verbose = irsa_lint(&["--verbose", "--format", "concise", dir]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        stderr.contains("terraform.tfstate") && stderr.contains("--include-state"),
        "{stderr}"
    );
    // The configuration's `include-state:` does the same.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(state, tmp.path().join("terraform.tfstate")).unwrap();
    let run = |config: &str| {
        std::fs::write(tmp.path().join(".irsa-lint.yaml"), config).unwrap();
        let out = common::irsa_lint_in(tmp.path(), &["--format", "concise", "."], &[]);
        stdout(&out)
            .lines()
            .filter(|l| l.contains("IRSA104"))
            .count()
    };
    assert_eq!(run("include-state: false\n"), 0);
    assert_eq!(run("include-state: true\n"), 1);
}

#[test]
fn verbose_lists_the_files_read_as_no_input_kind() {
    let tmp = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(tmp.path().join(name), text).unwrap();
    write("settings.yaml", "logLevel: debug\nreplicas: 2\n");
    write("empty.yaml", "");
    // A helm-unittest suite: the ARN it sets (malformed) is test data.
    write(
        "serviceaccount_test.yaml",
        "suite: ServiceAccount\ntests:\n  - it: sets the role\n    set:\n      serviceAccount.annotations:\n        eks.amazonaws.com/role-arn: arn:aws:iam::123456789:role/test\n",
    );
    // Helm values without a setting (by name), a values file with one (by content), a Kubernetes
    // object, a CloudFormation template and an eksctl config are all kinds of input.
    write("values.yaml", "serviceAccount:\n  annotations: {}\n");
    write(
        "release.yaml",
        "sa:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/x\n",
    );
    write(
        "sa.yaml",
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: a\n",
    );
    write(
        "stack.yaml",
        "Resources:\n  Role:\n    Type: AWS::IAM::Role\n",
    );
    write(
        "cluster.yaml",
        "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c\n",
    );
    let verbose = common::irsa_lint_in(
        tmp.path(),
        &["--no-config", "--verbose", "--format", "concise", "."],
        &[],
    );
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    let listed: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("irsa-lint: skipped"))
        .collect();
    assert_eq!(
        listed,
        [
            "irsa-lint: skipped empty.yaml: it holds no YAML or JSON document",
            "irsa-lint: skipped serviceaccount_test.yaml: a helm-unittest suite: its values and \
             asserted outputs are test data",
            "irsa-lint: skipped settings.yaml: no Kubernetes object, IAM policy, AWS CLI output, \
             CloudFormation template, eksctl config, Terraform plan or role-arn setting",
        ],
        "{stderr}"
    );
    assert!(
        !stdout(&verbose).contains("IRSA201"),
        "{}",
        stdout(&verbose)
    );
    let quiet = common::irsa_lint_in(tmp.path(), &["--no-config", "."], &[]);
    assert!(
        !String::from_utf8_lossy(&quiet.stderr).contains("skipped"),
        "without --verbose nothing is listed"
    );
}

// ---- habits: empty runs, --verbose, --statistics, ALL, did you mean, destinations, colour ----

use common::{irsa_lint_in, stderr, write};

/// A `default` ServiceAccount with a role: IRSA206 (warning), and IRSA217-free.
const DEFAULT_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: payments\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/payments-s3-read\n";

#[test]
fn linting_no_file_is_a_warning_and_an_error_with_fail_on_empty() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "vendor/sa.yaml", DEFAULT_SA);
    // An --exclude that hides everything.
    let out = irsa_lint_in(
        dir.path(),
        &[".", "--no-config", "--exclude", "vendor"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("irsa-lint: warning: no files were linted"),
        "{}",
        stderr(&out)
    );
    let out = irsa_lint_in(
        dir.path(),
        &[".", "--no-config", "--exclude", "vendor", "--fail-on-empty"],
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("irsa-lint: error: no files were linted"));
    // The github format says it on the run's page.
    let out = irsa_lint_in(
        dir.path(),
        &[
            ".",
            "--no-config",
            "--exclude",
            "vendor",
            "--format",
            "github",
        ],
        &[],
    );
    assert!(
        stdout(&out).starts_with("::warning title=irsa-lint::no files were linted"),
        "{}",
        stdout(&out)
    );
    // A run that lints something is not affected by --fail-on-empty.
    let out = irsa_lint_in(dir.path(), &[".", "--no-config", "--fail-on-empty"], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!stderr(&out).contains("no files were linted"));
}

#[test]
fn verbose_lists_every_file_with_its_kind_and_every_skip() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", DEFAULT_SA);
    write(dir.path(), "iam/trust.json", CLEAN_POLICY);
    write(dir.path(), "other.yaml", "just: data\n");
    write(dir.path(), "README.md", "# hi\n");
    write(dir.path(), "main.tf", "locals {}\n");
    let out = irsa_lint_in(dir.path(), &[".", "--no-config", "-v"], &[]);
    let err = stderr(&out);
    for line in [
        "irsa-lint: linted k8s/sa.yaml (Kubernetes)",
        "irsa-lint: linted iam/trust.json (IAM policy)",
        "irsa-lint: linted main.tf (Terraform)",
        "irsa-lint: skipped other.yaml: no Kubernetes object",
        "irsa-lint: skipped README.md",
    ] {
        assert!(err.contains(line), "{line}\n{err}");
    }
    let out = irsa_lint_in(dir.path(), &[".", "--no-config"], &[]);
    assert!(!stderr(&out).contains("linted"));
}

#[test]
fn statistics_count_findings_per_rule() {
    let out = irsa_lint(&["--statistics", "-q", "--format", "concise", "examples/"]);
    let err = String::from_utf8(out.stderr.clone()).unwrap();
    let findings = stdout(&out).lines().count();
    let mut rows = err.lines();
    let first = rows.next().unwrap();
    assert!(first.trim_start().starts_with(char::is_numeric), "{err}");
    assert!(
        err.ends_with(&format!("{findings:>6}  findings in total\n")),
        "{err}"
    );
    // Most frequent first.
    let counts: Vec<usize> = err
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    let per_rule = &counts[..counts.len() - 1];
    assert!(per_rule.windows(2).all(|w| w[0] >= w[1]), "{err}");
    assert_eq!(per_rule.iter().sum::<usize>(), findings);
}

#[test]
fn select_all_and_did_you_mean() {
    let all = irsa_lint(&["--format", "concise", "--select", "ALL", "examples/"]);
    let default = irsa_lint(&["--format", "concise", "examples/"]);
    assert_eq!(stdout(&all), stdout(&default));
    let none = irsa_lint(&["--format", "concise", "--ignore", "all", "examples/"]);
    assert_eq!(none.status.code(), Some(0));
    assert_eq!(stdout(&none), "");

    for (args, hint) in [
        (
            vec!["--select", "IRSA1O1", "examples/"],
            "did you mean `IRSA101`?",
        ),
        (
            vec!["--ignore", "aud-hold-subject", "examples/"],
            "did you mean `aud-holds-subject`?",
        ),
        (vec!["explain", "irsa1o1"], "did you mean `IRSA101`?"),
        (
            vec!["explain", "namespace-mismatc"],
            "did you mean `namespace-mismatch`?",
        ),
    ] {
        let out = irsa_lint(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(hint), "{args:?}: {err}");
    }
}

#[test]
fn format_dash_is_stdout_and_destinations_do_not_mix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    let run = |args: &[&str]| {
        let mut all = vec![".", "--no-config"];
        all.extend_from_slice(args);
        irsa_lint_in(dir.path(), &all, &[])
    };
    let dash = run(&["--format", "json:-"]);
    let plain = run(&["--format", "json"]);
    assert_eq!(dash.status.code(), Some(1));
    assert_eq!(stdout(&dash), stdout(&plain));
    assert!(!dir.path().join("-").exists(), "no file named `-`");
    for args in [
        vec!["--format", "json", "--format", "sarif"],
        vec!["--format", "json:-", "--format", "human"],
        vec!["--format", "json", "--format", "sarif", "-o", "out.txt"],
        vec!["--format", "json:r.txt", "--format", "sarif:r.txt"],
        vec!["--format", "json:r.txt", "--format", "sarif:./r.txt"],
        vec!["--format", "json:r.txt", "--format", "human", "-o", "r.txt"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
        assert!(
            !dir.path().join("r.txt").exists(),
            "{args:?}: nothing written"
        );
    }
    // One to stdout and others to files is fine.
    let out = run(&[
        "--format",
        "concise",
        "--format",
        "json:r.json",
        "--format",
        "sarif:r.sarif",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(dir.path().join("r.json").is_file() && dir.path().join("r.sarif").is_file());
}

#[test]
fn colour_follows_no_color_force_color_and_term() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec![".", "--no-config"];
        all.extend_from_slice(args);
        stdout(&irsa_lint_in(dir.path(), &all, env)).contains('\u{1b}')
    };
    // stdout is a pipe here: no colour unless forced.
    assert!(!coloured(&[], &[]));
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "0")]));
    assert!(!coloured(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    // TERM=dumb off, decided without a terminal by the same function the run uses.
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| std::ffi::OsString::from(v))
        }
    };
    use irsa_lint::cli::auto_color;
    assert!(auto_color(env(&[]), true));
    assert!(!auto_color(env(&[("TERM", "dumb")]), true));
    assert!(auto_color(env(&[("TERM", "xterm-256color")]), true));
    assert!(!auto_color(env(&[("NO_COLOR", "1")]), true));
    assert!(auto_color(
        env(&[("FORCE_COLOR", "1"), ("TERM", "dumb")]),
        false
    ));
}

#[test]
fn human_output_says_info() {
    let out = irsa_lint(&["--color", "never", "--select", "IRSA217", "examples/"]);
    let text = stdout(&out);
    assert!(text.contains("info[IRSA217 namespace-defaulted]"), "{text}");
    assert!(!text.contains("note["), "{text}");
    // Coloured too.
    let out = irsa_lint(&["--color", "always", "--select", "IRSA217", "examples/"]);
    assert!(stdout(&out).contains("info[IRSA217"), "{}", stdout(&out));
}

#[test]
fn jobs_and_sizes_are_checked_with_readable_messages() {
    for (args, message) in [
        (
            vec!["-j", "99999999999"],
            "out of range: expected a whole number from 1 to 256",
        ),
        (vec!["-j", "0"], "out of range"),
        (vec!["-j", "2000"], "out of range"),
        (
            vec!["--max-file-size", "1x"],
            "invalid size `1x`: expected a number of bytes with an optional unit such as 512k, 16MiB",
        ),
    ] {
        let mut all = args.clone();
        all.push("examples/");
        let out = irsa_lint(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains(message), "{args:?}: {err}");
    }
    for size in ["1k", "16MiB", "16 MiB"] {
        let out = irsa_lint(&["--max-file-size", size, "--format", "concise", "examples/"]);
        assert_eq!(out.status.code(), Some(1), "{size}");
    }
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = irsa_lint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = stdout(&out);
        assert!(script.contains("irsa-lint"), "{shell}");
        assert!(
            script.contains("fail-on-empty"),
            "{shell}: options come from the parser"
        );
    }
    let out = irsa_lint(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let out = irsa_lint(&["man"]);
    assert_eq!(out.status.code(), Some(0));
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie"),
        "roff: {}",
        &page[..80.min(page.len())]
    );
    assert!(page.contains(".TH irsa-lint 1"), "{page}");
    for text in [
        "fail\\-on\\-empty",
        ".SH \"IRSA\\-LINT EXPLAIN\"",
        ".SH \"IRSA\\-LINT COMPLETIONS\"",
        ".SH \"IRSA\\-LINT INIT\"",
    ] {
        assert!(page.contains(text), "{text}");
    }
}

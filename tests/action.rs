//! The GitHub Action (`action.yml` and its steps' script `.github/action/run.sh`) and the
//! pre-commit hook (`.pre-commit-hooks.yaml`) call the binary with flags of their own: every one
//! of them must exist, and every input the action reads must be declared. The script's `lint`
//! step runs here as the runner runs it (GitHub's environment variables set, this build's binary
//! given through `IRSA_LINT_BIN` instead of a download), and `docs/ci.md`'s snippets run too.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

mod common;

const SCRIPT: &str = ".github/action/run.sh";

/// A trust policy with one finding (IRSA102: no `:sub` condition).
const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"}}}]}
"#;

fn help() -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_irsa-lint"))
        .arg("--help")
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Every `--flag` in a text.
fn flags(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in text.match_indices("--") {
        let rest = &text[i + 2..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

/// The `lint` function of the script: the only place it calls irsa-lint.
fn lint_function() -> String {
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let start = script
        .find("\nlint() {")
        .expect("run.sh has a lint function");
    let end = script[start..].find("\n}\n").unwrap();
    script[start..start + end].to_string()
}

#[test]
fn every_flag_the_action_passes_exists() {
    let lint = lint_function();
    let help = help();
    let used = flags(&lint);
    for expected in ["format", "fail-on", "config"] {
        assert!(
            used.contains(&expected.to_string()),
            "action passes --{expected}"
        );
    }
    for flag in used {
        assert!(
            help.contains(&format!("--{flag}")),
            "run.sh passes --{flag}, which `irsa-lint --help` does not list"
        );
    }
    assert!(lint.contains("--format github"));
    assert!(lint.contains("--format \"sarif:$INPUT_SARIF_FILE\""));
    assert!(lint.contains("--format \"json:$report\""));
}

#[test]
fn every_input_the_action_reads_is_declared() {
    let action = std::fs::read_to_string("action.yml").unwrap();
    let declared_section = action.split("\noutputs:").next().unwrap();
    for (i, _) in action.match_indices("inputs.") {
        let name: String = action[i + 7..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '-')
            .collect();
        assert!(
            declared_section.contains(&format!("\n  {name}:")),
            "action.yml reads inputs.{name}, which it does not declare"
        );
    }
    // The binary's location never depends on `$HOME/.cargo` (a `container:` job has another
    // CARGO_HOME), and the cache is saved even when the lint fails.
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    assert!(!action.contains("$HOME/.cargo") && !script.contains("\"$HOME/.cargo/bin/irsa-lint"));
    assert!(action.contains("actions/cache/restore@"));
    let save = action.split("actions/cache/save@").next().unwrap();
    let save_step = save.rsplit("- name:").next().unwrap();
    assert!(save_step.contains("if: always()"), "{save_step}");
}

#[test]
fn pre_commit_hook_flags_exist() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    let help = help();
    for flag in flags(&hooks) {
        assert!(help.contains(&format!("--{flag}")), "hook passes --{flag}");
    }
    assert!(hooks.contains("language: rust"));
}

fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A checkout with one finding in each of `a dir/role.json`, `k8s/role.json`, `iam/role.json`
/// and `other/role.json` (never named: it must not be linted).
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in [
        "a dir/role.json",
        "k8s/role.json",
        "iam/role.json",
        "other/role.json",
    ] {
        write(dir.path(), file, POLICY);
    }
    dir
}

struct Step {
    _runner_temp: tempfile::TempDir,
    output: Output,
    outputs: String,
    report: Value,
}

impl Step {
    fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["file"].as_str().unwrap().to_string())
            .collect();
        files.dedup();
        files
    }
}

/// Runs `run.sh lint` in `dir` as the Actions runner would: inputs as `INPUT_*`, and GitHub's
/// variables set.
fn lint(dir: &Path, inputs: &[(&str, &str)]) -> Step {
    // Outside the checkout, as on a runner: the JSON report written there is not linted.
    let temp = tempfile::tempdir().unwrap();
    let runner_temp = temp.path().to_path_buf();
    let outputs = runner_temp.join("github-output");
    let summary = runner_temp.join("step-summary");
    let mut command = common::action_step("lint", &runner_temp);
    command
        .current_dir(dir)
        .env("IRSA_LINT_BIN", env!("CARGO_BIN_EXE_irsa-lint"))
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("INPUT_FAIL_ON", "warning")
        .env_remove("NO_COLOR");
    for (name, value) in inputs {
        command.env(name, value);
    }
    let output = command.output().unwrap();
    let report = std::fs::read_to_string(runner_temp.join("irsa-lint-report.json"))
        .map(|text| serde_json::from_str(&text).unwrap())
        .unwrap_or(Value::Null);
    Step {
        _runner_temp: temp,
        output,
        outputs: std::fs::read_to_string(outputs).unwrap_or_default(),
        report,
    }
}

#[test]
fn multi_line_paths_lint_every_line_with_its_spaces_and_the_failing_lint_fails_the_step() {
    let dir = checkout();
    let step = lint(
        dir.path(),
        &[
            // What a YAML block gives: indented lines, a blank one, a final line feed.
            ("INPUT_PATHS", "a dir/role.json\n  k8s\n\niam/role.json\n"),
            ("INPUT_SARIF_FILE", "irsa-lint.sarif"),
        ],
    );
    assert_eq!(
        step.output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&step.output.stderr)
    );
    assert_eq!(
        step.files(),
        ["a dir/role.json", "iam/role.json", "k8s/role.json"]
    );
    assert_eq!(step.report["summary"]["files"], 3);
    let count = step.report["diagnostics"].as_array().unwrap().len();
    assert!(count >= 3);
    assert!(
        step.outputs.contains(&format!("findings={count}\n")),
        "{}",
        step.outputs
    );
    assert!(step.outputs.contains("sarif-file=irsa-lint.sarif\n"));
    assert!(dir.path().join("irsa-lint.sarif").is_file());
    // The annotations are on stdout for the runner.
    assert!(
        String::from_utf8_lossy(&step.output.stdout).contains("::warning file=a dir/role.json")
            || String::from_utf8_lossy(&step.output.stdout)
                .contains("::error file=a dir/role.json")
    );
}

#[test]
fn one_line_paths_are_separated_by_spaces_and_not_globbed() {
    let dir = checkout();
    let step = lint(dir.path(), &[("INPUT_PATHS", "k8s  iam\t")]);
    assert_eq!(step.output.status.code(), Some(1));
    assert_eq!(step.files(), ["iam/role.json", "k8s/role.json"]);

    // `*` reaches irsa-lint as typed: the shell does not expand it (no such file: exit 2).
    let step = lint(dir.path(), &[("INPUT_PATHS", "k8s/*.json")]);
    assert_eq!(step.output.status.code(), Some(2));

    // No paths: the checkout.
    let step = lint(dir.path(), &[("INPUT_PATHS", "")]);
    assert_eq!(step.report["summary"]["files"], 4);
}

#[test]
fn linting_nothing_fails_the_step_unless_allowed() {
    let dir = checkout();
    // An exclude that hides every file: by default the gate does not pass on nothing.
    let hide_all = [("INPUT_PATHS", "k8s"), ("INPUT_ARGS", "--exclude k8s")];
    let step = lint(dir.path(), &hide_all);
    assert_eq!(
        step.output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&step.output.stderr)
    );
    let mut allowed = hide_all.to_vec();
    allowed.push(("INPUT_FAIL_ON_EMPTY", "false"));
    let step = lint(dir.path(), &allowed);
    assert_eq!(step.output.status.code(), Some(0));
}

#[test]
fn args_are_split_as_a_shell_would_or_one_per_line() {
    let dir = checkout();
    // Quotes honoured, nothing evaluated.
    let step = lint(
        dir.path(),
        &[
            ("INPUT_PATHS", "k8s"),
            (
                "INPUT_ARGS",
                r#"--format "concise:my report.txt" --select 'IRSA102' --exclude=$(touch${IFS}pwned)"#,
            ),
            ("INPUT_FAIL_ON", "never"),
        ],
    );
    assert_eq!(
        step.output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&step.output.stderr)
    );
    let concise = std::fs::read_to_string(dir.path().join("my report.txt")).unwrap();
    assert!(concise.contains("k8s/role.json"), "{concise}");
    assert!(!dir.path().join("pwned").exists());

    // One argument per line: a value with spaces needs no quotes.
    let step = lint(
        dir.path(),
        &[
            ("INPUT_PATHS", "iam"),
            (
                "INPUT_ARGS",
                "--format\n  concise:second report.txt\n--select=IRSA102\n",
            ),
            ("INPUT_FAIL_ON", "never"),
        ],
    );
    assert_eq!(step.output.status.code(), Some(0));
    let concise = std::fs::read_to_string(dir.path().join("second report.txt")).unwrap();
    assert!(concise.contains("iam/role.json"), "{concise}");
    assert!(step.outputs.contains("findings=1\n"), "{}", step.outputs);

    // An unbalanced quote is an error of the step, not a silently different command.
    let step = lint(dir.path(), &[("INPUT_ARGS", "--select 'IRSA102")]);
    assert_eq!(step.output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&step.output.stderr).contains("::error"));
}

#[test]
fn the_script_is_valid_bash_and_names_the_release_assets_the_workflow_builds() {
    let status = Command::new("bash").args(["-n", SCRIPT]).status().unwrap();
    assert!(status.success());
    let script = std::fs::read_to_string(SCRIPT).unwrap();
    let release = std::fs::read_to_string(".github/workflows/release.yml").unwrap();
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(script.contains(target), "run.sh knows {target}");
        assert!(release.contains(target), "release.yml builds {target}");
    }
    // The same asset names on both sides.
    assert!(script.contains("irsa-lint-${v}-${target}.tar.gz"));
    assert!(release.contains("irsa-lint-${VERSION}-${TARGET}.tar.gz"));
    assert!(release.contains(".sha256"));
}

/// Without a release (a branch, a commit), the install step builds the action's checkout with
/// the cargo of `CARGO_HOME` when none is on `PATH` (a `container: rust` job), into the cached
/// directory, never `$HOME/.cargo/bin`.
#[test]
fn without_a_release_the_install_step_builds_with_the_cargo_of_cargo_home() {
    let cargo_home = tempfile::tempdir().unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let calls = runner_temp.path().join("cargo-calls");
    // A stand-in cargo: records its arguments and installs a binary where `--root` says.
    write(
        cargo_home.path(),
        "bin/cargo",
        &format!(
            "#!/bin/sh\necho \"$@\" >> '{}'\nwhile [ \"$1\" != --root ]; do shift; done\nmkdir -p \"$2/bin\" && printf '#!/bin/sh\\n' > \"$2/bin/irsa-lint\" && chmod +x \"$2/bin/irsa-lint\"\n",
            calls.display()
        ),
    );
    let cargo = cargo_home.path().join("bin/cargo");
    Command::new("chmod")
        .arg("+x")
        .arg(&cargo)
        .status()
        .unwrap();
    let dir = runner_temp.path().join("irsa-lint/bin");
    let out = common::action_step("install", runner_temp.path())
        .env("PATH", "/usr/bin:/bin")
        .env("CARGO_HOME", cargo_home.path())
        .env("HOME", runner_temp.path())
        .env("INPUT_VERSION", "main")
        .env("INPUT_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let calls = std::fs::read_to_string(calls).unwrap();
    assert_eq!(
        calls.trim(),
        format!(
            "install --locked --root {}/irsa-lint/bin/.. --path {}",
            runner_temp.path().display(),
            env!("CARGO_MANIFEST_DIR")
        )
    );
    assert!(dir.join("irsa-lint").is_file());
    assert!(!runner_temp.path().join(".cargo").exists());
}

//! Helpers shared by the fixture-driven tests (each test crate uses a part of them).
#![allow(dead_code)]

use std::path::Path;

use irsa_lint::link::LinkOptions;

/// A trust policy with one known defect (IRSA102: no `:sub` condition), to prove that a run goes
/// on past whatever else it is given.
pub const POLICY_WITHOUT_SUB: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"}}
  }]
}
"#;

/// The non-empty lines of a fixture file, `#` comments removed.
pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|_| panic!("{} is missing", path.display()))
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Apply one command-line option (`--cluster-issuer URL`, `--default-namespace NS`) to the link
/// options of a fixture run.
pub fn apply_option(options: &mut LinkOptions, flag: &str, value: &str) {
    match flag.trim_start_matches("--") {
        "cluster-issuer" => options.cluster_issuer = Some(value.to_string()),
        "default-namespace" => options.default_namespace = value.to_string(),
        other => panic!("unknown fixture option {other}"),
    }
}

/// The link options of a fixture directory: its optional `options.txt` holds command-line
/// options, one per line.
pub fn link_options(dir: &Path) -> LinkOptions {
    let mut options = LinkOptions::default();
    let path = dir.join("options.txt");
    if !path.exists() {
        return options;
    }
    for line in lines(&path) {
        let (flag, value) = line
            .split_once(char::is_whitespace)
            .unwrap_or_else(|| panic!("{}: `{line}` needs a value", path.display()));
        apply_option(&mut options, flag, value.trim());
    }
    options
}

/// Run the irsa-lint binary in `dir` (the working directory matters: the configuration file is
/// looked up from it) with a clean environment for the things that change its behaviour.
pub fn irsa_lint_in(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_irsa-lint"));
    command
        .current_dir(dir)
        .args(args)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("IRSA_LINT_TODAY")
        .env_remove("GITHUB_STEP_SUMMARY")
        .stdin(std::process::Stdio::null());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("irsa-lint runs")
}

/// Write `text` to `dir/relative`, creating directories.
pub fn write(dir: &Path, relative: &str, text: &str) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Standard output as text.
pub fn stdout(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `FILE:LINE:COL CODE` for each line of `--format concise` output, in order.
pub fn concise_findings(output: &std::process::Output) -> Vec<String> {
    stdout(output)
        .lines()
        .filter_map(|l| {
            let (place, rest) = l.split_once(": ")?;
            let code = rest.split_once('[')?.1.split_once(']')?.0;
            Some(format!("{place} {code}"))
        })
        .collect()
}

/// A trust policy that breaks no rule: one EKS provider, exact `:sub` and `:aud`.
pub const CLEAN_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub": "system:serviceaccount:payments:api",
      "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"
    }}
  }]
}
"#;

/// `bash .github/action/run.sh STEP` (a step of the GitHub Action) with the variables a Linux
/// x86_64 runner sets, `RUNNER_TEMP` the given directory; add the step's `INPUT_*`.
pub fn action_step(step: &str, runner_temp: &Path) -> std::process::Command {
    let mut command = std::process::Command::new("bash");
    command
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join(".github/action/run.sh"))
        .arg(step)
        .env("RUNNER_OS", "Linux")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner_temp)
        .env("GITHUB_ACTION_PATH", env!("CARGO_MANIFEST_DIR"));
    command
}

//! The CI snippets of `docs/ci.md` and the README's install section run here, as far as they can
//! without a network: every `irsa-lint` command against this build's binary in a checkout holding
//! the bundled example as `k8s/` and `iam/`, and every download line against a release laid out as
//! `.github/workflows/release.yml` lays it out (archive and `.sha256`), reached through `file://`.
//! `.ci/run` checks the same snippets against the GitHub workflow and GitLab CI schemas.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

const RELEASES: &str = "https://github.com/irsa-lint/irsa-lint/releases/download";
const VERSION: &str = "v0.1.0";
const TARGET: &str = "x86_64-unknown-linux-musl";

/// The fenced code blocks of a Markdown file: (language, text).
fn blocks(file: &str) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(file).unwrap();
    let mut out = Vec::new();
    let mut current: Option<(String, String, usize)> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        match &mut current {
            None => {
                if let Some(lang) = trimmed.strip_prefix("```") {
                    current = Some((lang.to_string(), String::new(), indent));
                }
            }
            Some((lang, body, fence_indent)) => {
                if trimmed == "```" {
                    out.push((std::mem::take(lang), std::mem::take(body)));
                    current = None;
                } else {
                    body.push_str(line.get(*fence_indent..).unwrap_or(trimmed));
                    body.push('\n');
                }
            }
        }
    }
    out
}

fn docs_blocks() -> Vec<(String, String)> {
    let mut all = blocks("docs/ci.md");
    all.extend(blocks("README.md"));
    all
}

fn snippet(first_line: &str) -> String {
    blocks("docs/ci.md")
        .into_iter()
        .map(|(_, b)| b)
        .find(|b| b.starts_with(first_line))
        .unwrap_or_else(|| panic!("docs/ci.md has a snippet starting {first_line}"))
}

/// The lines after the line holding `marker` that are indented deeper than it, dedented.
fn block_after(text: &str, marker: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(marker));
    let head = lines.next().unwrap_or_else(|| panic!("no {marker}"));
    let indent = head.len() - head.trim_start().len();
    let body: Vec<&str> = lines
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .collect();
    let cut = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    body.iter()
        .map(|l| l.get(cut..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A checkout with the bundled example as `k8s/` and `iam/`, and as `examples/`.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (from, to) in [
        ("examples/k8s", "k8s"),
        ("examples/iam", "iam"),
        ("examples/k8s", "examples/k8s"),
        ("examples/iam", "examples/iam"),
    ] {
        std::fs::create_dir_all(dir.path().join(to)).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            std::fs::copy(&path, dir.path().join(to).join(path.file_name().unwrap())).unwrap();
        }
    }
    // The README's Pod Identity example.
    copy_tree(
        Path::new("testdata/link/pod-identity-migration"),
        &dir.path().join("testdata/link/pod-identity-migration"),
    );
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// A directory holding only `irsa-lint`, this build's binary, to put first on `PATH`.
fn bin_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(
        env!("CARGO_BIN_EXE_irsa-lint"),
        dir.path().join("irsa-lint"),
    )
    .unwrap();
    dir
}

fn bash(dir: &Path, script: &str, path_first: Option<&Path>, env: &[(&str, &str)]) -> Output {
    let mut path = std::env::var_os("PATH").unwrap_or_default();
    if let Some(first) = path_first {
        let mut joined = first.as_os_str().to_owned();
        joined.push(":");
        joined.push(&path);
        path = joined;
    }
    let mut command = Command::new("bash");
    command
        .args(["-euo", "pipefail", "-c", script])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("GITHUB_STEP_SUMMARY");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn explain(output: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A release of this build laid out as release.yml publishes it: `RELEASES/VERSION/ASSET` and
/// `ASSET.sha256`, the archive holding `irsa-lint`, the README and the licences.
fn release(tamper: bool) -> (tempfile::TempDir, String) {
    let root = tempfile::tempdir().unwrap();
    let staging = root.path().join("staging");
    std::fs::create_dir_all(&staging).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_irsa-lint"), staging.join("irsa-lint")).unwrap();
    for file in ["README.md", "LICENSE-MIT", "LICENSE-APACHE"] {
        std::fs::copy(file, staging.join(file)).unwrap();
    }
    let dist = root.path().join("releases").join(VERSION);
    std::fs::create_dir_all(&dist).unwrap();
    let asset = format!("irsa-lint-{VERSION}-{TARGET}.tar.gz");
    let out = bash(
        &dist,
        &format!(
            "tar -czf {asset} -C ../../staging irsa-lint README.md LICENSE-MIT LICENSE-APACHE && sha256sum {asset} > {asset}.sha256"
        ),
        None,
        &[],
    );
    assert!(out.status.success(), "{}", explain(&out));
    if tamper {
        let sums = dist.join(format!("{asset}.sha256"));
        let text = std::fs::read_to_string(&sums).unwrap();
        let flipped = if text.starts_with('0') { "1" } else { "0" };
        std::fs::write(&sums, format!("{flipped}{}", &text[1..])).unwrap();
    }
    let url = format!("file://{}", root.path().join("releases").display());
    (root, url)
}

/// Every YAML snippet is well-formed YAML.
#[test]
fn yaml_snippets_parse() {
    let mut count = 0;
    for (lang, body) in docs_blocks() {
        if lang == "yaml" {
            count += 1;
            for event in saphyr_parser::Parser::new_from_str(&body) {
                if let Err(e) = event {
                    panic!("{e}\n{body}");
                }
            }
        }
    }
    assert!(count >= 4);
}

/// No placeholder owner, and one home everywhere: Cargo.toml's `repository`.
#[test]
fn the_docs_name_the_repository_of_cargo_toml() {
    let repository = env!("CARGO_PKG_REPOSITORY");
    for file in ["docs/ci.md", "README.md", "action.yml"] {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(!text.contains("OWNER"), "{file} has an OWNER placeholder");
        for (i, _) in text.match_indices("https://github.com/") {
            let url: String = text[i..]
                .chars()
                .take_while(|c| !c.is_whitespace() && !"\"')`".contains(*c))
                .collect();
            assert!(
                url.starts_with(repository) || url.starts_with("https://github.com/github/"),
                "{file}: {url} is not under {repository}"
            );
        }
    }
    let pre_commit = snippet("# .pre-commit-config.yaml");
    assert!(pre_commit.contains(&format!("repo: {repository}\n")));
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    assert!(pre_commit.contains("- id: irsa-lint") && hooks.contains("- id: irsa-lint"));
}

/// Every command line of the docs that runs irsa-lint runs, with its flags accepted.
#[test]
fn every_irsa_lint_command_of_the_docs_runs() {
    let bin = bin_dir();
    let mut ran = Vec::new();
    for (lang, body) in docs_blocks() {
        if !matches!(lang.as_str(), "sh" | "console" | "yaml") {
            continue; // `text` blocks show output and help, not commands
        }
        for line in body.lines() {
            let line = line.trim();
            let line = line
                .strip_prefix("- run: ")
                .or_else(|| line.strip_prefix("- "))
                .or_else(|| line.strip_prefix("$ "))
                .unwrap_or(line);
            if !line.starts_with("irsa-lint ") || line.contains("...") || line.contains('<') {
                continue;
            }
            let dir = checkout();
            let out = bash(dir.path(), line, Some(bin.path()), &[]);
            assert!(
                matches!(out.status.code(), Some(0 | 1)),
                "{line}\n{}",
                explain(&out)
            );
            ran.push(line.to_string());
        }
    }
    for wanted in ["--format gitlab:", "--format sarif:", "--write-baseline"] {
        assert!(
            ran.iter().any(|l| l.contains(wanted)),
            "no command with {wanted} ran: {ran:#?}"
        );
    }
}

/// The pre-commit hook's command, as pre-commit runs it.
#[test]
fn the_pre_commit_hook_runs() {
    let hooks = std::fs::read_to_string(".pre-commit-hooks.yaml").unwrap();
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .unwrap();
    let args = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("args: "))
        .unwrap();
    let args: Vec<String> = serde_json::from_str(args).unwrap();
    let dir = checkout();
    let out = bash(
        dir.path(),
        &format!("{entry} {}", args.join(" ")),
        Some(bin_dir().path()),
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("k8s/service-account.yaml"));
}

/// The README's install line downloads, checks and unpacks the release binary; a wrong checksum
/// stops it before anything is unpacked.
#[test]
fn the_readme_install_line_checks_and_unpacks_the_release() {
    let install = blocks("README.md")
        .into_iter()
        .map(|(_, b)| b)
        .find(|b| b.contains("curl -fsSL"))
        .expect("README has an install snippet");
    assert!(install.contains(&format!("v={VERSION} t={TARGET}")));
    for tamper in [false, true] {
        let (_release, url) = release(tamper);
        let dir = tempfile::tempdir().unwrap();
        let out = bash(dir.path(), &install.replace(RELEASES, &url), None, &[]);
        if tamper {
            assert!(!out.status.success(), "{}", explain(&out));
            assert!(!dir.path().join("irsa-lint").exists());
        } else {
            assert!(out.status.success(), "{}", explain(&out));
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(
                stdout.contains(env!("CARGO_PKG_VERSION")),
                "{}",
                explain(&out)
            );
        }
    }
}

/// The GitLab job: its download (once, then from the cache directory inside the project) and its
/// script, giving the two reports it publishes.
#[test]
fn the_gitlab_job_installs_into_the_project_and_writes_its_reports() {
    let job = snippet("# .gitlab-ci.yml");
    assert!(
        job.contains("      - .cache/irsa-lint/\n"),
        "cache inside the project"
    );
    let download = block_after(&job, "- |");
    let script = block_after(&job, "  script:");
    let script: Vec<&str> = script
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- "))
        .collect();
    let export = job
        .lines()
        .find_map(|l| l.trim().strip_prefix("- export "))
        .unwrap();
    let (_release, url) = release(false);
    let dir = checkout();
    let all = format!(
        "{}\nexport {export}\n{}",
        download.replace(RELEASES, &url),
        script.join("\n")
    );
    let out = bash(
        dir.path(),
        &format!("{all} || test $? = 1"),
        None,
        &[("IRSA_LINT_VERSION", VERSION)],
    );
    assert!(out.status.success(), "{all}\n{}", explain(&out));
    assert!(dir.path().join(".cache/irsa-lint/irsa-lint").is_file());
    for report in ["gl-code-quality-report.json", "irsa-lint-junit.xml"] {
        assert!(dir.path().join(report).is_file(), "{report}");
    }
    // The second run finds the binary in the cache and downloads nothing (the release is gone).
    let out = bash(
        dir.path(),
        &format!(
            "{} || test $? = 1",
            all.replace(&url, "file:///nonexistent")
        ),
        None,
        &[("IRSA_LINT_VERSION", VERSION)],
    );
    assert!(out.status.success(), "{}", explain(&out));
}

/// The GitHub job without the action: its install step puts the binary on the `PATH` of later
/// steps.
#[test]
fn the_github_install_step_without_the_action_works() {
    let docs = std::fs::read_to_string("docs/ci.md").unwrap();
    let step = block_after(&docs, "- name: Install irsa-lint");
    let run = block_after(&step, "run: |");
    let version = step
        .lines()
        .find_map(|l| l.trim().strip_prefix("V: "))
        .unwrap();
    assert_eq!(version, VERSION);
    let (_release, url) = release(false);
    let dir = tempfile::tempdir().unwrap();
    let runner_temp = tempfile::tempdir().unwrap();
    let github_path = runner_temp.path().join("github-path");
    let out = bash(
        dir.path(),
        &run.replace(RELEASES, &url),
        None,
        &[
            ("V", version),
            ("RUNNER_TEMP", runner_temp.path().to_str().unwrap()),
            ("GITHUB_PATH", github_path.to_str().unwrap()),
        ],
    );
    assert!(out.status.success(), "{run}\n{}", explain(&out));
    let added = PathBuf::from(std::fs::read_to_string(&github_path).unwrap().trim());
    assert!(added.join("irsa-lint").is_file());
}

/// The action's install step: the release archive downloaded, its checksum checked (a mismatch
/// fails the step, never falls back to a build), the binary where the cache step saves it.
#[test]
fn the_action_installs_the_release_binary_and_refuses_a_wrong_checksum() {
    for tamper in [false, true] {
        let (_release, url) = release(tamper);
        let runner_temp = tempfile::tempdir().unwrap();
        let dir = runner_temp.path().join("irsa-lint/bin");
        let out = common::action_step("install", runner_temp.path())
            .env("INPUT_VERSION", VERSION)
            .env("INPUT_DIR", &dir)
            .env("IRSA_LINT_RELEASES_URL", &url)
            .output()
            .unwrap();
        if tamper {
            assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
            assert!(String::from_utf8_lossy(&out.stderr).contains("checksum mismatch"));
            assert!(!dir.join("irsa-lint").exists());
        } else {
            assert!(out.status.success(), "{}", explain(&out));
            assert!(String::from_utf8_lossy(&out.stdout).contains("verified"));
            let version = Command::new(dir.join("irsa-lint"))
                .arg("--version")
                .output()
                .unwrap();
            assert!(String::from_utf8_lossy(&version.stdout).contains(env!("CARGO_PKG_VERSION")));
        }
    }

    // The plan step: a release tag is cached per version, the binary under RUNNER_TEMP.
    let runner_temp = tempfile::tempdir().unwrap();
    let outputs = runner_temp.path().join("out");
    let out = common::action_step("plan", runner_temp.path())
        .env("ACTION_REF", VERSION)
        .env("RUNNER_ARCH", "ARM64")
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", explain(&out));
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert!(outputs.contains(&format!("version={VERSION}\n")));
    assert!(outputs.contains(&format!("key=irsa-lint-Linux-ARM64-{VERSION}\n")));
    assert!(outputs.contains(&format!(
        "dir={}/irsa-lint/bin\n",
        runner_temp.path().display()
    )));
}

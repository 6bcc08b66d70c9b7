//! Local Terraform modules: what a `module` call reads of the called directory, and what it
//! never does (leave the repository, loop, run unbounded), and that a policy the called module
//! builds from its own text alone is reported once, in the module.

use std::path::Path;
use std::time::{Duration, Instant};

use irsa_lint::lint::{LintOptions, lint};

/// `(file relative to the root, code, line)` of every diagnostic.
fn run(root: &Path, path: &Path) -> Vec<(String, String, usize)> {
    let opts = LintOptions {
        paths: vec![path.to_path_buf()],
        ..LintOptions::default()
    };
    let root = root.to_string_lossy().replace('\\', "/");
    let mut got: Vec<(String, String, usize)> = lint(&opts)
        .expect("lint runs")
        .diagnostics
        .iter()
        .map(|d| {
            let file = d.file().replace('\\', "/");
            let file = file
                .strip_prefix(&format!("{root}/"))
                .unwrap_or(&file)
                .to_string();
            (
                file,
                d.rule.code.to_string(),
                d.primary.start().line as usize,
            )
        })
        .collect();
    got.sort();
    got
}

/// A scratch repository (a `.git` directory at its root).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn write(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

const ROLE: &str = r#"
variable "subjects" {
  type = list(string)
}

resource "aws_iam_role" "this" {
  name = "r"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F" }
      Condition = {
        StringLike = {
          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub" = [for s in var.subjects : "system:serviceaccount:${s}"]
          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}
"#;

#[test]
fn nested_local_modules_are_followed_without_loops() {
    let dir = repository();
    let root = dir.path();
    // root → a → b → a (a cycle), and a → a itself; b holds the role.
    write(
        root,
        "live/main.tf",
        "module \"a\" {\n  source   = \"../modules/a\"\n  subjects = [\"team:*\"]\n}\n",
    );
    write(
        root,
        "modules/a/main.tf",
        "variable \"subjects\" {}\nmodule \"b\" {\n  source   = \"../b\"\n  subjects = var.subjects\n}\nmodule \"self\" {\n  source   = \"./\"\n  subjects = var.subjects\n}\n",
    );
    write(root, "modules/b/main.tf", ROLE);
    write(
        root,
        "modules/b/loop.tf",
        "module \"back\" {\n  source   = \"../a\"\n  subjects = var.subjects\n}\n",
    );
    let started = Instant::now();
    let got = run(root, &root.join("live"));
    assert!(started.elapsed() < Duration::from_secs(10));
    // Once, at the caller's argument, through a → b.
    assert_eq!(
        got,
        [("live/main.tf".to_string(), "IRSA105".to_string(), 3)]
    );
}

#[test]
fn a_module_outside_the_repository_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "outside/main.tf", ROLE);
    std::fs::create_dir_all(root.join("repo/.git")).unwrap();
    write(
        root,
        "repo/main.tf",
        "module \"x\" {\n  source   = \"../outside\"\n  subjects = [\"team:*\"]\n}\n",
    );
    assert!(run(root, &root.join("repo")).is_empty());
}

#[test]
fn many_instances_stay_bounded() {
    let dir = repository();
    let root = dir.path();
    write(
        root,
        "live/main.tf",
        "module \"a\" {\n  count    = 100000\n  source   = \"../modules/b\"\n  subjects = [\"team:*\"]\n}\n",
    );
    write(root, "modules/b/main.tf", ROLE);
    let started = Instant::now();
    let got = run(root, &root.join("live"));
    assert!(started.elapsed() < Duration::from_secs(20));
    let at_call = got.iter().filter(|(f, _, _)| f == "live/main.tf").count();
    assert!(
        at_call > 0 && at_call <= irsa_lint::extract::terraform::modules::MAX_MODULE_INSTANCES,
        "{at_call}"
    );
}

#[test]
fn a_policy_the_module_writes_alone_is_reported_in_the_module_only() {
    let dir = repository();
    let root = dir.path();
    // The caller gives nothing the trust depends on.
    write(
        root,
        "live/main.tf",
        "module \"a\" {\n  source   = \"../modules/b\"\n  subjects = []\n  tags     = { team = \"x\" }\n}\n",
    );
    write(
        root,
        "modules/b/main.tf",
        &ROLE.replace(
            "[for s in var.subjects : \"system:serviceaccount:${s}\"]",
            "\"system:serviceaccount:ci:*\"",
        ),
    );
    write(root, "modules/b/tags.tf", "variable \"tags\" {}\n");
    let got = run(root, root);
    assert_eq!(
        got,
        [("modules/b/main.tf".to_string(), "IRSA105".to_string(), 16)]
    );
}

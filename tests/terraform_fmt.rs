//! Every Terraform fixture is formatted as `terraform fmt` would: fixtures are the configurations
//! users write, and an unformatted one would test a file nobody has. Skipped, saying so, on a
//! machine without `terraform` (no test may require it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn tf_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            tf_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
            out.push(path);
        }
    }
}

#[test]
fn terraform_fixtures_are_formatted() {
    let probe = Command::new("terraform").arg("version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("skipped: `terraform` is not on PATH, Terraform fixtures are not format-checked");
        return;
    }
    let mut files = Vec::new();
    tf_files(Path::new("testdata"), &mut files);
    files.sort();
    assert!(
        !files.is_empty(),
        "no Terraform fixture found under testdata/"
    );
    let mut unformatted = Vec::new();
    for file in &files {
        let out = Command::new("terraform")
            .args(["fmt", "-check", "-no-color"])
            .arg(file)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("terraform runs");
        if !out.status.success() {
            unformatted.push(file.display().to_string());
        }
    }
    assert!(
        unformatted.is_empty(),
        "not formatted as `terraform fmt` would (run `terraform fmt` on them): {unformatted:?}"
    );
}

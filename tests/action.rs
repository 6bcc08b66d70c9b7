//! The GitHub Action (`action.yml`) and the pre-commit hook (`.pre-commit-hooks.yaml`) call the
//! binary with flags of their own: every one of them must exist, and every input the action reads
//! must be declared.

use std::process::Command;

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
        // `--` alone ends the options; `--locked`/`--path` belong to `cargo install`.
        if !name.is_empty() && !found.contains(&name) {
            found.push(name);
        }
    }
    found
}

#[test]
fn every_flag_the_action_passes_exists() {
    let action = std::fs::read_to_string("action.yml").unwrap();
    let run_step = action
        .split("- name: Run irsa-lint")
        .nth(1)
        .expect("action.yml has a `Run irsa-lint` step");
    let help = help();
    let used = flags(run_step);
    for expected in ["format", "fail-on", "config"] {
        assert!(
            used.contains(&expected.to_string()),
            "action passes --{expected}"
        );
    }
    for flag in used {
        assert!(
            help.contains(&format!("--{flag}")),
            "action.yml passes --{flag}, which `irsa-lint --help` does not list"
        );
    }
    // The formats it asks for exist.
    assert!(action.contains("--format github"));
    assert!(action.contains("--format \"sarif:$INPUT_SARIF_FILE\""));
}

#[test]
fn every_input_the_action_reads_is_declared() {
    let action = std::fs::read_to_string("action.yml").unwrap();
    let declared_section = action.split("\nruns:").next().unwrap();
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

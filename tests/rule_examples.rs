//! Every fenced ```<lang> fail / ```<lang> pass example in `rules/*.md` runs here: a fail example
//! must trigger its rule, a pass example must not.
//!
//! An example without `file=NAME` is linted alone. Examples of one rule with `file=NAME` and the
//! same expectation are written side by side into one directory and linted together: that is how
//! a cross-link example shows a ServiceAccount and its role's trust policy. Other `key=value` words
//! are options for the run (`cluster-issuer=URL`).

use irsa_lint::lint::{LintOptions, lint};
use irsa_lint::registry::{Example, Expect, RULES, Rule};

mod common;

fn fires(rule: &Rule, examples: &[(usize, &Example)]) -> bool {
    let dir = tempfile::tempdir().unwrap();
    for (i, ex) in examples {
        let name = ex
            .file
            .map(str::to_string)
            .unwrap_or_else(|| format!("example-{i}.{}", ex.lang));
        let path = dir.path().join(&name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, ex.code).unwrap();
    }
    let mut opts = LintOptions {
        paths: vec![dir.path().to_path_buf()],
        ..LintOptions::default()
    };
    for (_, ex) in examples {
        for (key, value) in ex.options {
            common::apply_option(&mut opts.link, key, value);
        }
    }
    let diags = lint(&opts).expect("lint runs").diagnostics;
    diags.iter().any(|d| d.rule.code == rule.code)
}

#[test]
fn rule_documentation_examples_behave_as_documented() {
    let mut failures = Vec::new();
    for rule in RULES {
        let mut runs: Vec<(Expect, Vec<(usize, &Example)>)> = Vec::new();
        for (i, ex) in rule.examples.iter().enumerate() {
            let group = ex.file.is_some().then(|| {
                runs.iter_mut()
                    .find(|(expect, members)| *expect == ex.expect && members[0].1.file.is_some())
            });
            match group.flatten() {
                Some((_, members)) => members.push((i, ex)),
                None => runs.push((ex.expect, vec![(i, ex)])),
            }
        }
        for (expect, members) in runs {
            let fired = fires(rule, &members);
            if fired != (expect == Expect::Fail) {
                let lines: Vec<String> = members.iter().map(|(_, e)| e.line.to_string()).collect();
                failures.push(format!(
                    "{}:{}: {:?} example {}",
                    rule.source_file,
                    lines.join(","),
                    expect,
                    if fired {
                        "triggered the rule"
                    } else {
                        "did not trigger the rule"
                    }
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

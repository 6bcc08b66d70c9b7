//! A Terraform module directory through the whole pipeline: HCL parsing, the evaluator (locals,
//! variables, tfvars, templates, functions, bounded), the policy and Kubernetes readers, the rules
//! and the JSON report. The first byte picks the layout; the rest is `main.tf`, or, when the first
//! byte is odd, `main.tf` and `terraform.tfvars` split at the first 0xFF byte.
#![no_main]

use irsa_lint::discover::DiscoverOptions;
use irsa_lint::lint::{LintOptions, lint_in_memory};
use irsa_lint::report::{self, Format, Summary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let mut files = Vec::new();
    match bytes
        .iter()
        .position(|&b| b == 0xFF)
        .filter(|_| first & 1 == 1)
    {
        Some(at) => {
            files.push(("fuzz/main.tf".to_string(), bytes[..at].to_vec()));
            files.push((
                "fuzz/terraform.tfvars".to_string(),
                bytes[at + 1..].to_vec(),
            ));
        }
        None => files.push(("fuzz/main.tf".to_string(), bytes.to_vec())),
    }
    let opts = LintOptions {
        discover: DiscoverOptions {
            jobs: 1,
            ..LintOptions::default().discover
        },
        ..LintOptions::default()
    };
    let result = lint_in_memory(files, &opts).expect("no selection is given");
    let summary = Summary::new(result.files, &result.diagnostics);
    let out = report::render(Format::Json, &result.diagnostics, &summary, false);
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
        panic!("JSON output is not JSON: {e}");
    }
});

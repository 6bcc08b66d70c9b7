//! The whole pipeline on one in-memory file, then every report format. The JSON, SARIF and
//! GitLab outputs must be valid JSON whatever the input: a consumer that cannot parse them is a
//! finding, so this target panics then.
#![no_main]

use irsa_lint::discover::DiscoverOptions;
use irsa_lint::lint::{LintOptions, lint_in_memory};
use irsa_lint::report::{self, Format, Summary};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks the file kind by name (as discovery would), so one corpus covers both
    // parsers; the rest is the file.
    let Some((&first, bytes)) = data.split_first() else {
        return;
    };
    let name = if first & 1 == 0 {
        "fuzz.yaml"
    } else {
        "fuzz.json"
    };
    let opts = LintOptions {
        // On the calling thread: no rayon pool per input.
        discover: DiscoverOptions {
            jobs: 1,
            ..LintOptions::default().discover
        },
        ..LintOptions::default()
    };
    let result = lint_in_memory(vec![(name.to_string(), bytes.to_vec())], &opts)
        .expect("no selection is given, so there is no usage error");
    let diags = &result.diagnostics;
    let summary = Summary::new(result.files, diags);
    for format in Format::ALL {
        let out = report::render(format, diags, &summary, false);
        if matches!(format, Format::Json | Format::Sarif | Format::Gitlab) {
            if let Err(e) = serde_json::from_slice::<serde_json::Value>(&out) {
                panic!("{} output is not JSON: {e}", format.name());
            }
        }
    }
    report::github::step_summary(diags, &summary);
});

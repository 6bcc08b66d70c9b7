//! Policies embedded as a string (src/extract/embedded.rs): the fuzz input is wrapped into a
//! host file as the `AssumeRolePolicyDocument` string of a role, in one of the ways tools write
//! it, and the whole per-file pipeline runs on the host, so the decoding and the mapping of
//! offsets back into the host (and `SourceFile::sub_span` on the mapped spans) see arbitrary
//! documents. Nothing is asserted beyond not panicking.
#![no_main]

use irsa_lint::discover::DiscoverOptions;
use irsa_lint::lint::{LintOptions, lint_in_memory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    // The host file is text: non-UTF-8 input would only test the decoder's rejection.
    let Ok(doc) = std::str::from_utf8(rest) else {
        return;
    };
    let (name, host) = match first % 5 {
        // A YAML literal block scalar, every line indented under the key.
        0 => {
            let mut host = String::from("Role:\n  RoleName: r\n  AssumeRolePolicyDocument: |\n");
            for line in doc.split_inclusive('\n') {
                host.push_str("    ");
                host.push_str(line);
            }
            ("role.yaml", host)
        }
        // A JSON string holding the document, escaped as a JSON encoder would.
        1 => ("role.json", json_host(&json_string(doc))),
        // The raw IAM API's form: percent-encoded inside a JSON string.
        2 => (
            "role.json",
            json_host(&format!("\"{}\"", percent_encode(doc))),
        ),
        // A YAML double-quoted scalar (JSON string syntax is valid there too).
        3 => (
            "role.yaml",
            format!(
                "Role:\n  RoleName: r\n  AssumeRolePolicyDocument: {}\n",
                json_string(doc)
            ),
        ),
        // The input verbatim between the quotes, so that the escapes themselves are fuzzed.
        _ => ("role.json", json_host(&format!("\"{doc}\""))),
    };
    let opts = LintOptions {
        discover: DiscoverOptions {
            jobs: 1,
            ..LintOptions::default().discover
        },
        ..LintOptions::default()
    };
    let _ = lint_in_memory(vec![(name.to_string(), host.into_bytes())], &opts);
});

fn json_host(string_literal: &str) -> String {
    format!(
        "{{\"Role\":{{\"RoleName\":\"r\",\"Arn\":\"arn:aws:iam::483920175566:role/r\",\
         \"AssumeRolePolicyDocument\":{string_literal}}}}}"
    )
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a str always serializes")
}

/// Percent-encode every byte but the unreserved ones, `{` included, so the result starts with
/// `%7B` when the document starts with `{` (which is how embedded.rs recognises the form).
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

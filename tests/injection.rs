//! Input cannot be turned against the reader of a report: whatever a file name or a value holds,
//! no format writes a raw control, bidi or invisible character to a terminal or a log, no output
//! line starts a workflow command irsa-lint did not write, every XML report is well-formed and
//! every JSON report parses and holds the value as the file does.

mod common;

use std::path::Path;

use common::irsa_lint_in;
use serde_json::Value;

/// Everything the attacker's text holds: CR and LF followed by workflow commands, ESC sequences
/// (clear screen, window title, an OSC 8 link), BEL, U+202E, zero-width and line-separator
/// characters, a C1 control, and the characters Markdown, XML and workflow properties give a
/// meaning to.
const HOSTILE: &str = "evil\r::warning file=pwned::owned\n::add-mask::x\r\n::stop-commands::tok\u{1b}]0;title\u{7}\u{1b}[2J\u{1b}]8;;https://x.example/\u{1b}\\link\u{1b}]8;;\u{1b}\\\u{202e}gnp.exe\u{200b}\u{2028}\u{85}`|]]>&<%,\u{1}";

/// The same, where a file name can hold it (no `/`, no NUL).
const HOSTILE_NAME: &str =
    "x\r::warning file=pwned::owned\n::error::y\u{1b}[2J\u{7}\u{202e}`|]]>&<%,\u{1}.yaml";

/// A JSON string literal for `text` (also a valid YAML double-quoted scalar: YAML's escapes are a
/// superset of JSON's).
fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

/// A tree whose findings quote hostile values and name a hostile file: a ServiceAccount whose name
/// and role ARN hold [`HOSTILE`] (IRSA201, IRSA310), a trust policy whose subject does (IRSA1xx),
/// a file named [`HOSTILE_NAME`], and a JSON file with raw control characters in its text, which
/// the human format shows in its snippet.
fn hostile_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sa = format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {}\n  namespace: prod\n  annotations:\n    eks.amazonaws.com/role-arn: {}\n",
        quoted(HOSTILE),
        quoted(&format!("arn:aws:iam::123:role/{HOSTILE}"))
    );
    std::fs::write(dir.path().join("sa.yaml"), &sa).unwrap();
    std::fs::write(dir.path().join(HOSTILE_NAME), &sa).unwrap();
    let trust = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                "oidc.eks.us-east-1.amazonaws.com/id/ABC:sub": format!("system:serviceaccount:{HOSTILE}"),
                "oidc.eks.us-east-1.amazonaws.com/id/ABC:aud": "sts.amazonaws.com"
            }}
        }]
    });
    std::fs::write(
        dir.path().join("trust.json"),
        serde_json::to_string_pretty(&trust).unwrap(),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("raw.json"),
        "{\"a\": \"x\u{1b}[2J\u{202e}\r::warning::in-source\u{7}\"}\n",
    )
    .unwrap();
    dir
}

/// True for a character that must not reach a terminal or a log as it is. Written independently
/// of the linter's own list, so the two check each other.
fn dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{61c}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Lines as a GitHub runner reads them: split at LF, CR and CRLF, leading white space trimmed.
fn runner_lines(out: &str) -> Vec<&str> {
    out.split(['\r', '\n']).map(str::trim_start).collect()
}

/// No line of `out` is a workflow command, except the annotations `--format github` writes.
fn assert_no_foreign_command(format: &str, out: &str) {
    for line in runner_lines(out) {
        if !line.starts_with("::") && !line.starts_with("##[") {
            continue;
        }
        let ours = format == "github"
            && (["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|p| line.starts_with(p))
                || line.starts_with("::notice title=irsa-lint%3A findings not annotated::"));
        assert!(ours, "--format {format} wrote a workflow command: {line:?}");
    }
}

/// No dangerous character in `out`, but the line feeds that end lines.
fn assert_terminal_safe(what: &str, out: &str) {
    for (i, c) in out.char_indices() {
        assert!(
            c == '\n' || !dangerous(c),
            "{what}: raw {c:?} at byte {i}: {:?}",
            &out[i.saturating_sub(40)..(i + 40).min(out.len())]
        );
    }
}

fn run(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let out = irsa_lint_in(dir, args, env);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        String::from_utf8(out.stderr).expect("UTF-8 output"),
    )
}

#[test]
fn terminal_formats_show_escapes_and_start_no_command() {
    let dir = hostile_tree();
    for format in ["human", "concise", "github"] {
        let (out, err) = run(dir.path(), &["--no-config", "--format", format, "."], &[]);
        assert_terminal_safe(format, &out);
        assert_terminal_safe(format, &err);
        assert_no_foreign_command(format, &out);
        assert_no_foreign_command(format, &err);
        // The values are there, readable: each unsafe character as a visible escape (and `%` as
        // the runner unescapes it in a workflow command).
        let percent = if format == "github" { "%25" } else { "%" };
        assert!(
            out.contains(&format!(
                "gnp.exe\\u{{200b}}\\u{{2028}}\\u{{85}}`|]]>&<{percent},\\u{{1}}"
            )),
            "{format}: {out}"
        );
    }
    let (concise, _) = run(
        dir.path(),
        &["--no-config", "--format", "concise", "."],
        &[],
    );
    assert!(concise.contains(
        "ServiceAccount `prod/evil\\r::warning file=pwned::owned\\n::add-mask::x\\r\\n::stop-commands::tok\\u{1b}]0;title\\u{7}\\u{1b}[2J\\u{1b}]8;;https://x.example/\\u{1b}\\link"
    ), "{concise}");
    // The hostile file name, one line per finding, escaped the same way.
    assert!(
        concise.contains(
            "x\\r::warning file=pwned::owned\\n::error::y\\u{1b}[2J\\u{7}\\u{202e}`|]]>&<%,\\u{1}.yaml:7:33: error[IRSA201]"
        ),
        "{concise}"
    );
    // The snippet of the file with raw control characters shows them escaped, and its header
    // keeps the column of the file as written.
    let (human, _) = run(dir.path(), &["--no-config", "raw.json"], &[]);
    assert!(
        human.contains("raw.json:1:9\n"),
        "the column of the raw file: {human}"
    );
    assert!(
        human.contains("{\"a\": \"x\\u{1b}[2J\\u{202e}\\r::warning::in-source\\u{7}\"}"),
        "{human}"
    );
}

#[test]
fn coloured_output_holds_only_our_colour_sequences() {
    let dir = hostile_tree();
    let (out, _) = run(
        dir.path(),
        &["--no-config", "--color", "always", "--format", "human", "."],
        &[],
    );
    // Every ESC starts a Select Graphic Rendition sequence (`ESC [ digits ; ... m`), and nothing
    // else is a control character.
    let mut rest = out.as_str();
    let mut sequences = 0;
    while let Some(i) = rest.find('\u{1b}') {
        let after = &rest[i + 1..];
        let end = after.find('m').expect("an SGR sequence ends with m");
        assert!(
            after.starts_with('[')
                && after[1..end]
                    .chars()
                    .all(|c| c.is_ascii_digit() || c == ';'),
            "not a colour sequence: {:?}",
            &after[..(end + 1).min(after.len())]
        );
        sequences += 1;
        rest = &after[end + 1..];
    }
    assert!(sequences > 10, "the output is coloured");
    let stripped: String = out.split('\u{1b}').collect::<Vec<_>>().join("");
    assert_terminal_safe("human --color always", &stripped);
}

#[test]
fn xml_reports_are_well_formed_and_show_escapes() {
    let dir = hostile_tree();
    let (xml, _) = run(dir.path(), &["--no-config", "--format", "junit", "."], &[]);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failures: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .collect();
    assert!(
        failures.iter().any(|f| f
            .attribute("message")
            .unwrap()
            .contains("\\u{202e}gnp.exe\\u{200b}\\u{2028}\\u{85}`|]]>&<%,\\u{1}")),
        "{xml}"
    );
    // The hostile file name is a class name, read back exactly but for its escapes.
    assert!(
        doc.descendants().any(|n| n.attribute("classname")
            == Some("x\\r::warning file=pwned::owned\\n::error::y\\u{1b}[2J\\u{7}\\u{202e}`|]]>&<%,\\u{1}.yaml")),
        "{xml}"
    );
    // Nothing in the text is a raw control character or a reference to one, but the layout's
    // line feeds.
    assert_terminal_safe("junit", &xml);
    assert!(!xml.contains("&#"), "{xml}");
    assert_no_foreign_command("junit", &xml);
}

#[test]
fn json_reports_parse_and_hold_the_values_as_written() {
    let dir = hostile_tree();
    for format in ["json", "sarif", "gitlab"] {
        let (out, _) = run(dir.path(), &["--no-config", "--format", format, "."], &[]);
        let value: Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("--format {format} is not JSON: {e}\n{out}"));
        // serde_json escapes every control character: the text has none, and no line a runner
        // reads starts a command.
        assert_terminal_safe(
            format,
            &out.replace('\u{202e}', "")
                .replace(['\u{200b}', '\u{2028}', '\u{85}'], ""),
        );
        assert_no_foreign_command(format, &out);
        let text = value.to_string();
        assert!(
            text.contains(&quoted(HOSTILE)[1..quoted(HOSTILE).len() - 1]),
            "{format} holds the value as written"
        );
    }
    let (out, _) = run(dir.path(), &["--no-config", "--format", "json", "."], &[]);
    let value: Value = serde_json::from_str(&out).unwrap();
    let files: Vec<&str> = value["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&HOSTILE_NAME), "{files:?}");
}

#[test]
fn step_summary_shows_values_literally() {
    let dir = hostile_tree();
    let summary = dir.path().join("summary.md");
    let summary_path = summary.to_str().unwrap().to_string();
    run(
        dir.path(),
        &["--no-config", "--format", "github", "."],
        &[("GITHUB_STEP_SUMMARY", &summary_path)],
    );
    let md = std::fs::read_to_string(&summary).unwrap();
    assert_terminal_safe("step summary", &md);
    assert_no_foreign_command("step summary", &md);
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| error ")).collect();
    assert!(rows.len() >= 3, "{md}");
    for row in rows {
        // Every backtick, `<` and `&` is escaped, and the row has exactly its five cell pipes.
        let bytes = row.as_bytes();
        let mut pipes = 0;
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 1,
                b'|' => pipes += 1,
                b'`' | b'<' | b'&' => panic!("unescaped {:?} in {row:?}", bytes[i] as char),
                _ => {}
            }
            i += 1;
        }
        assert_eq!(pipes, 5, "{row}");
    }
    assert!(
        md.contains(
            "\\\\u{202e}gnp.exe\\\\u{200b}\\\\u{2028}\\\\u{85}\\`\\|\\]\\]\\>\\&\\<%,\\\\u{1}"
        ),
        "{md}"
    );
}

/// Reports read a diagnostic's text only through `report::text`, which hands it out as
/// `Untrusted`; the only way to write that is to render it for a sink. A report that read
/// `d.message` or a file's display path directly would pass input to its output unrendered.
#[test]
fn reports_read_input_text_only_through_sinks() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/report");
    let forbidden = [
        ".message",
        ".help",
        "display_path",
        ".file()",
        "source.text",
        "original.text",
    ];
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        // text.rs is where the accessors live; rules_doc.rs writes only the rules' own docs.
        if name == "text.rs" || name == "rules_doc.rs" {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        let code = source.split("#[cfg(test)]").next().unwrap();
        for (n, full) in code.lines().enumerate() {
            let exempt = full.trim_end().ends_with("// counted, not written");
            let line = full.split("//").next().unwrap();
            for pattern in forbidden {
                assert!(
                    !line.contains(pattern) || exempt,
                    "src/report/{name}:{}: `{pattern}` outside report::text: {line}",
                    n + 1
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 8, "every report module was read");
}

#[test]
fn messages_on_stderr_show_escapes_and_start_no_command() {
    let dir = tempfile::tempdir().unwrap();
    // A configuration value and a path quoted by the error messages.
    std::fs::write(
        dir.path().join(".irsa-lint.yaml"),
        format!("fail-on: {}\n", quoted(HOSTILE)),
    )
    .unwrap();
    let out = irsa_lint_in(dir.path(), &["."], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_terminal_safe("configuration error", &err);
    assert_no_foreign_command("configuration error", &err);
    assert!(
        err.contains(".irsa-lint.yaml:1:10: error: `evil\\r::warning file=pwned::owned\\n"),
        "{err}"
    );

    let missing = format!("missing{HOSTILE}");
    let out = irsa_lint_in(dir.path(), &["--no-config", &missing], &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_terminal_safe("missing path", &err);
    assert_no_foreign_command("missing path", &err);
    assert!(
        err.starts_with("irsa-lint: error: missingevil\\r::warning"),
        "{err}"
    );
}

//! The CI report formats as CI systems read them: SARIF validated against the official 2.1.0
//! schema, stable fingerprints, GitHub workflow commands (escaping, the per-step caps, the step
//! summary), GitLab Code Quality and JUnit XML, and several formats in one run.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use irsa_lint::registry::RULES;
use serde_json::Value;

mod common;
use common::CLEAN_POLICY;

/// Run the binary in `dir` (the package root when `None`) with `stdin`, ignoring config files.
fn run_in(dir: Option<&Path>, args: &[&str], envs: &[(&str, &Path)], stdin: &str) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_irsa-lint"));
    // `--no-config`: a `.irsa-lint.yaml` in the working directory or a parent (the temporary
    // directory's included) must not change what these tests see.
    cmd.arg("--no-config")
        .args(args)
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("FORCE_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("binary starts");
    {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(stdin.as_bytes()).unwrap();
    }
    child.wait_with_output().unwrap()
}

fn run(args: &[&str]) -> Output {
    run_in(None, args, &[], "")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn json(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            stdout(o),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The published schema's `language` pattern with its stray `]` (schemastore's copy has it), and
/// the pattern it was meant to be (the one errata01 has).
const BROKEN_LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
const LANGUAGE_PATTERN: &str = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$";

/// Replace the broken `language` pattern wherever it occurs; returns how many were replaced.
fn patch_language_pattern(schema: &mut Value) -> usize {
    match schema {
        Value::Object(map) => {
            let mut n = 0;
            if let Some(Value::String(p)) = map.get_mut("pattern")
                && p == BROKEN_LANGUAGE_PATTERN
            {
                *p = LANGUAGE_PATTERN.to_string();
                n += 1;
            }
            n + map.values_mut().map(patch_language_pattern).sum::<usize>()
        }
        Value::Array(items) => items.iter_mut().map(patch_language_pattern).sum(),
        _ => 0,
    }
}

/// The errors of `log` against testdata/sarif-schema-2.1.0.json (draft-04, formats checked).
fn sarif_schema_errors(log: &Value) -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/testdata/sarif-schema-2.1.0.json"
    );
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("schema copy")).unwrap();
    // The copy is errata01, which has the fixed pattern; patching is a no-op for it, but keeps the
    // test working if the copy is ever replaced by one with the stray `]`.
    patch_language_pattern(&mut schema);
    assert_eq!(
        schema["definitions"]["run"]["properties"]["language"]["pattern"],
        LANGUAGE_PATTERN
    );
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

/// Validate `log` against the SARIF schema, and the URI references draft-04 cannot check; panic
/// with every error.
fn assert_valid_sarif(log: &Value) {
    let errors = sarif_schema_errors(log);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );

    // `artifactLocation.uri` is a `uri-reference`, a format draft-04 does not know: check that
    // every URI holds only characters RFC 3986 allows unencoded (we encode all the others).
    let mut uris = Vec::new();
    collect_uris(log, &mut uris);
    assert!(!uris.is_empty() || log["runs"][0]["results"] == Value::Array(vec![]));
    for uri in uris {
        let ok = uri.bytes().all(|b| {
            b.is_ascii_alphanumeric() || b"-._~/%:".contains(&b) // `:` only in `file:`
        }) && (uri.starts_with("file:///") || !uri.contains(':'));
        assert!(ok, "not an encoded URI reference: {uri:?}");
    }
}

fn collect_uris(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(uri)) = map.get("artifactLocation").and_then(|a| a.get("uri"))
            {
                out.push(uri.clone());
            }
            map.values().for_each(|v| collect_uris(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_uris(v, out)),
        _ => {}
    }
}

/// The region of a location as (uri, startLine, startColumn, endLine, endColumn).
fn region(location: &Value) -> (String, u64, u64, u64, u64) {
    let p = &location["physicalLocation"];
    let r = &p["region"];
    (
        p["artifactLocation"]["uri"].as_str().unwrap().to_string(),
        r["startLine"].as_u64().unwrap(),
        r["startColumn"].as_u64().unwrap(),
        r["endLine"].as_u64().unwrap(),
        r["endColumn"].as_u64().unwrap(),
    )
}

#[test]
fn sarif_of_the_seed_example_is_valid_and_complete() {
    let out = run(&["--format", "sarif", "examples/"]);
    assert_eq!(out.status.code(), Some(1));
    let log = json(&out);
    assert_valid_sarif(&log);

    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "irsa-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    // Cargo.toml's `repository` is the project page and the root of every rule's `helpUri`
    // (left out while it is empty: no dead links; the unit tests of `report::sarif` cover that).
    let repository = env!("CARGO_PKG_REPOSITORY");
    assert!(!repository.is_empty(), "Cargo.toml names the repository");
    assert_eq!(driver["informationUri"], repository);

    // rules[]: the whole registry, in registry order, with its metadata.
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), RULES.len());
    for (sarif, rule) in rules.iter().zip(RULES) {
        assert_eq!(sarif["id"], rule.code);
        assert_eq!(sarif["name"], rule.name);
        assert_eq!(sarif["shortDescription"]["text"], rule.summary);
        assert_eq!(sarif["help"]["markdown"], rule.body().trim());
        assert_eq!(sarif["help"]["text"], rule.body().trim());
        assert_eq!(
            sarif["helpUri"],
            format!(
                "{repository}/blob/main/docs/rules/{}",
                irsa_lint::report::rules_doc::page_name(rule)
            )
        );
        let level = match rule.default_severity.as_str() {
            "info" => "note",
            other => other,
        };
        assert_eq!(sarif["defaultConfiguration"]["level"], level);
        let tags: Vec<&str> = sarif["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tags, rule.tags);
        assert_eq!(
            sarif["properties"]["security-severity"],
            rule.security_severity
        );
        assert_eq!(sarif["properties"]["precision"], rule.precision);
    }
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let security = &rules[ids.iter().position(|&id| id == "IRSA101").unwrap()];
    assert!(
        security["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("security"))
    );

    // Results: the same findings as the JSON report, in the same order.
    let report = json(&run_in(None, &["--format", "json", "examples/"], &[], ""));
    let diags = report["diagnostics"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), diags.len());
    for (r, d) in results.iter().zip(diags) {
        assert_eq!(r["ruleId"], d["rule"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        let level = match d["severity"].as_str().unwrap() {
            "info" => "note",
            other => other,
        };
        assert_eq!(r["level"], level);
        let mut text = d["message"].as_str().unwrap().to_string();
        if let Some(help) = d["help"].as_str() {
            text = format!("{text}\nhelp: {help}");
        }
        assert_eq!(r["message"]["text"], text.as_str());
        assert_eq!(
            region(&r["locations"][0]),
            (
                d["file"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["end_line"].as_u64().unwrap(),
                d["end_column"].as_u64().unwrap()
            )
        );
        assert_eq!(
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        let related = r["relatedLocations"].as_array().map_or(&[][..], |v| v);
        assert_eq!(related.len(), d["related"].as_array().unwrap().len());
        for (i, (sr, dr)) in related
            .iter()
            .zip(d["related"].as_array().unwrap())
            .enumerate()
        {
            assert_eq!(sr["id"], i);
            assert_eq!(sr["message"]["text"], dr["message"]);
        }
        let fp = r["partialFingerprints"]["irsaLint/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
        assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
    }

    // The trust-policy finding at the `:aud` key (end column exclusive, after the closing quote).
    let aud = results.iter().find(|r| r["ruleId"] == "IRSA101").unwrap();
    assert_eq!(
        region(&aud["locations"][0]),
        ("examples/iam/eks-demo-role.json".to_string(), 12, 1, 12, 52)
    );
    // The cross-link finding on the ServiceAccount, whose related location is in the trust policy.
    let denied = results.iter().find(|r| r["ruleId"] == "IRSA304").unwrap();
    assert_eq!(
        region(&denied["locations"][0]),
        (
            "examples/k8s/service-account.yaml".to_string(),
            8,
            33,
            8,
            81
        )
    );
    assert_eq!(
        region(&denied["relatedLocations"][0]),
        ("examples/iam/eks-demo-role.json".to_string(), 12, 1, 12, 94)
    );
    let mismatch = results.iter().find(|r| r["ruleId"] == "IRSA302").unwrap();
    assert_eq!(
        region(&mismatch["relatedLocations"][0]),
        ("examples/k8s/service-account.yaml".to_string(), 5, 9, 5, 16)
    );

    // Fingerprints are unique within the run.
    let fps: BTreeSet<&str> = results
        .iter()
        .map(|r| r["partialFingerprints"]["irsaLint/v1"].as_str().unwrap())
        .collect();
    assert_eq!(fps.len(), results.len());
}

#[test]
fn the_schema_check_rejects_broken_sarif() {
    // Guards the guard: a validator that accepted anything would make the tests above vacuous.
    let mut log = json(&run(&["--format", "sarif", "examples/"]));
    assert!(sarif_schema_errors(&log).is_empty());
    log["runs"][0]["results"][0]["level"] = Value::from("fatal");
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    log["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = Value::from("not a uri");
    let errors = sarif_schema_errors(&log);
    assert_eq!(errors.len(), 3, "{errors:#?}");
}

#[test]
fn sarif_of_link_scenarios_is_valid() {
    for (dir, expected) in [
        (
            "testdata/link/wildcards",
            vec!["IRSA104", "IRSA304", "IRSA219", "IRSA304"],
        ),
        ("testdata/link/cronjob-wrong-namespace", vec!["IRSA302"]),
    ] {
        let log = json(&run(&["--format", "sarif", dir]));
        assert_valid_sarif(&log);
        let ids: Vec<&str> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["ruleId"].as_str().unwrap())
            .collect();
        assert_eq!(ids, expected, "{dir}");
    }
    // The CronJob finding points at its namespace and at its ServiceAccount in the other file.
    let log = json(&run(&[
        "--format",
        "sarif",
        "testdata/link/cronjob-wrong-namespace",
    ]));
    let r = &log["runs"][0]["results"][0];
    assert_eq!(
        region(&r["locations"][0]).0,
        "testdata/link/cronjob-wrong-namespace/k8s/cronjob.yaml"
    );
    let related: Vec<(String, u64)> = r["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let (uri, line, ..) = region(l);
            (uri, line)
        })
        .collect();
    assert_eq!(
        related,
        [
            (
                "testdata/link/cronjob-wrong-namespace/k8s/cronjob.yaml".to_string(),
                6
            ),
            (
                "testdata/link/cronjob-wrong-namespace/k8s/service-account.yaml".to_string(),
                4
            )
        ]
    );
    assert_eq!(r["relatedLocations"][1]["id"], 1);
}

const BAD_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
  "Action": "sts:AssumeRoleWithWebIdentity"}]}
"#;

#[test]
fn sarif_paths_are_encoded_relative_uris_or_file_uris() {
    // A relative path with a space and a `#`: percent-encoded, resolved against %SRCROOT%.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("my iam")).unwrap();
    std::fs::write(dir.path().join("my iam/role #1.json"), BAD_POLICY).unwrap();
    let log = json(&run_in(
        Some(dir.path()),
        &["--format", "sarif", "."],
        &[],
        "",
    ));
    assert_valid_sarif(&log);
    let location = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({"uri": "my%20iam/role%20%231.json", "uriBaseId": "%SRCROOT%"})
    );

    // A file outside the working directory is shown by its absolute path: a `file:` URI, no base.
    let abs = dir.path().join("my iam/role #1.json");
    let log = json(&run(&["--format", "sarif", abs.to_str().unwrap()]));
    assert_valid_sarif(&log);
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    let uri = artifact["uri"].as_str().unwrap();
    assert!(uri.starts_with("file:///"), "{uri}");
    assert!(uri.ends_with("/my%20iam/role%20%231.json"), "{uri}");
    assert!(artifact.get("uriBaseId").is_none());

    // Standard input: still a valid log.
    let log = json(&run_in(None, &["--format", "sarif", "-"], &[], BAD_POLICY));
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    assert_eq!(
        results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "%3Cstdin%3E"
    );
}

/// Copy a directory tree (files only, one level of subdirectories is enough for the fixtures).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// fingerprint → (rule, uri, start line) of every result.
fn fingerprinted(dir: &Path) -> BTreeMap<String, (String, String, u64)> {
    let log = json(&run_in(Some(dir), &["--format", "sarif", "."], &[], ""));
    let results = log["runs"][0]["results"].as_array().unwrap();
    let map: BTreeMap<_, _> = results
        .iter()
        .map(|r| {
            let (uri, line, ..) = region(&r["locations"][0]);
            (
                r["partialFingerprints"]["irsaLint/v1"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                (r["ruleId"].as_str().unwrap().to_string(), uri, line),
            )
        })
        .collect();
    assert_eq!(map.len(), results.len(), "fingerprints are unique");
    map
}

/// Insert `n` blank lines before 1-based line `at` of `path`.
fn insert_blank_lines(path: &Path, at: usize, n: usize) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    let blanks = vec!["\n"; n];
    lines.splice(at - 1..at - 1, blanks);
    std::fs::write(path, lines.concat()).unwrap();
}

#[test]
fn fingerprints_survive_inserted_lines() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new("examples"), dir.path());
    let before = fingerprinted(dir.path());
    assert!(before.len() >= 9, "{before:?}");

    // Blank lines inside the policy's object (above every finding), between the ServiceAccount's
    // keys and at the top of the Deployment.
    insert_blank_lines(&dir.path().join("iam/eks-demo-role.json"), 3, 4);
    insert_blank_lines(&dir.path().join("k8s/service-account.yaml"), 4, 2);
    insert_blank_lines(&dir.path().join("k8s/deployment.yaml"), 1, 3);
    let after = fingerprinted(dir.path());

    let keys = |m: &BTreeMap<String, (String, String, u64)>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&before), keys(&after));
    // Same finding under each fingerprint, and every finding did move.
    for (fp, (rule, uri, line)) in &before {
        let (rule2, uri2, line2) = &after[fp];
        assert_eq!((rule, uri), (rule2, uri2));
        assert!(line2 > line, "{rule} {uri}:{line} did not move ({line2})");
    }
}

// ---------------------------------------------------------------------------------------------
// GitHub

/// Every line of `--format github` output is a command we wrote or the summary line.
fn assert_only_our_commands(out: &str) {
    for line in out.lines() {
        let ours = ["::error file=", "::warning file=", "::notice file="]
            .iter()
            .any(|p| line.starts_with(p))
            || line.starts_with("::notice title=irsa-lint%3A findings not annotated::")
            || line.starts_with("irsa-lint: ");
        assert!(ours, "unexpected line: {line:?}");
    }
}

#[test]
fn github_annotations_cannot_be_injected_from_a_manifest_value() {
    let dir = tempfile::tempdir().unwrap();
    // A double-quoted YAML scalar: `\r\n` and `\x01` are escapes, so the value holds a real line
    // break followed by a workflow command, a `%0A` that must not be unescaped to one, and a
    // control character.
    std::fs::write(
        dir.path().join("sa.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: prod\n  annotations:\n    eks.amazonaws.com/role-arn: \"x\\r\\n::error file=x::pwned\\x01<&>%0A::warning::y\"\n",
    )
    .unwrap();
    let out = run_in(Some(dir.path()), &["--format", "github", "."], &[], "");
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_only_our_commands(&text);
    assert!(
        !text.lines().any(|l| l.starts_with("::error file=x")),
        "{text}"
    );
    assert!(
        !text.lines().any(|l| l.starts_with("::warning::")),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert!(
        lines[0].starts_with(
            "::error file=sa.yaml,line=7,endLine=7,col=33,endColumn=83,title=irsa-lint IRSA201 role-arn-invalid::"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].contains("`x%0D%0A::error file=x::pwned\\u{1}<&>%250A::warning::y`"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[1], "irsa-lint: 1 error in 1 file");

    // The same value in JUnit: well-formed XML, the control character shown as a visible escape
    // (XML 1.0 cannot hold U+0001, even as a character reference: the parser refuses both).
    assert!(roxmltree::Document::parse("<a>\u{1}</a>").is_err());
    assert!(roxmltree::Document::parse("<a>&#1;</a>").is_err());
    let out = run_in(Some(dir.path()), &["--format", "junit", "."], &[], "");
    let xml = stdout(&out);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .attribute("message")
            .unwrap()
            .contains("`x\\r\\n::error file=x::pwned\\u{1}<&>%0A::warning::y`")
    );
}

/// A directory with 12 IRSA201 errors and 13 IRSA206 warnings.
fn many_findings() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for i in 0..12 {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: app{i}\n  namespace: team{i}\n  annotations:\n    eks.amazonaws.com/role-arn: not-an-arn-{i}\n"
        ));
    }
    for i in 0..13 {
        docs.push(format!(
            "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: ns{i}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/role{i}\n"
        ));
    }
    std::fs::write(dir.path().join("sa.yaml"), docs.join("---\n")).unwrap();
    dir
}

#[test]
fn github_caps_annotations_and_the_step_summary_lists_every_finding() {
    let dir = many_findings();
    let summary_file = dir.path().join("summary.md");
    std::fs::write(&summary_file, "earlier content\n").unwrap();
    let out = run_in(
        Some(dir.path()),
        &["--format", "github", "sa.yaml"],
        &[("GITHUB_STEP_SUMMARY", &summary_file)],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_only_our_commands(&text);
    let count = |p: &str| text.lines().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("::error file="), 10);
    assert_eq!(count("::warning file="), 10);
    assert_eq!(count("::notice file="), 0);
    // Errors first, then warnings, then the overflow notice, then the summary line.
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[..10].iter().all(|l| l.contains("IRSA201")));
    assert!(lines[10..20].iter().all(|l| l.contains("IRSA206")));
    assert_eq!(
        lines[20],
        "::notice title=irsa-lint%3A findings not annotated::5 more findings were not annotated (2 errors, 3 warnings): GitHub shows at most 10 error and 10 warning annotations per step. The job's step summary lists every finding, and `--format sarif:FILE` writes all of them for code scanning."
    );
    assert_eq!(lines[21], "irsa-lint: 12 errors, 13 warnings in 1 file");
    assert_eq!(lines.len(), 22);

    // The step summary was appended to, and lists all 25 findings.
    let md = std::fs::read_to_string(&summary_file).unwrap();
    assert!(
        md.starts_with(
            "earlier content\n## irsa-lint\n\n12 errors, 13 warnings in 1 file\n\n| severity | rule | location | message |\n| --- | --- | --- | --- |\n"
        ),
        "{md}"
    );
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| error |") || l.starts_with("| warning |"))
        .collect();
    assert_eq!(rows.len(), 25);
    assert!(
        rows[0].starts_with("| error | IRSA201 role-arn-invalid | sa.yaml:7:33 | "),
        "{}",
        rows[0]
    );
    assert!(md.len() < 1024 * 1024);
}

// ---------------------------------------------------------------------------------------------
// GitLab and JUnit

#[test]
fn gitlab_report_has_the_fields_gitlab_requires() {
    let report = json(&run(&["--format", "json", "examples/"]));
    let diags = report["diagnostics"].as_array().unwrap();
    let issues = json(&run(&["--format", "gitlab", "examples/"]));
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), diags.len());
    let mut fingerprints = BTreeSet::new();
    for (issue, d) in issues.iter().zip(diags) {
        assert_eq!(
            issue["description"],
            format!(
                "{} {}: {}",
                d["rule"].as_str().unwrap(),
                d["name"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        );
        assert_eq!(issue["check_name"], d["rule"]);
        let severity = match d["severity"].as_str().unwrap() {
            "error" => "critical",
            "warning" => "major",
            _ => "info",
        };
        assert_eq!(issue["severity"], severity);
        assert_eq!(issue["location"]["path"], d["file"]);
        assert_eq!(issue["location"]["lines"]["begin"], d["line"]);
        assert_eq!(issue["location"]["lines"]["end"], d["end_line"]);
        assert!(fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_string()));
    }
    // The same fingerprints as SARIF's, in the same order.
    let log = json(&run(&["--format", "sarif", "examples/"]));
    let sarif: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["partialFingerprints"]["irsaLint/v1"].as_str().unwrap())
        .collect();
    let gitlab: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(sarif, gitlab);
}

#[test]
fn junit_is_well_formed_with_expected_counts() {
    let report = json(&run(&["--format", "json", "examples/"]));
    let diags = report["diagnostics"].as_array().unwrap();
    let failing = diags.iter().filter(|d| d["severity"] != "info").count();
    assert!(
        failing > 0 && failing < diags.len(),
        "the seed has both kinds"
    );

    let xml = stdout(&run(&["--format", "junit", "examples/"]));
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suite = root
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    for node in [root, suite] {
        assert_eq!(node.attribute("name"), Some("irsa-lint"));
        assert_eq!(
            node.attribute("tests"),
            Some(diags.len().to_string().as_str())
        );
        assert_eq!(
            node.attribute("failures"),
            Some(failing.to_string().as_str())
        );
        assert_eq!(node.attribute("errors"), Some("0"));
    }
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), diags.len());
    for (case, d) in cases.iter().zip(diags) {
        assert_eq!(case.attribute("classname"), d["file"].as_str());
        assert_eq!(
            case.attribute("name").unwrap(),
            format!(
                "{} {} at {}:{}",
                d["rule"].as_str().unwrap(),
                d["name"].as_str().unwrap(),
                d["line"],
                d["column"]
            )
        );
        let failure = case.children().find(|n| n.has_tag_name("failure"));
        if d["severity"] == "info" {
            assert!(failure.is_none());
            let out = case
                .children()
                .find(|n| n.has_tag_name("system-out"))
                .unwrap();
            assert!(out.text().unwrap().contains(d["message"].as_str().unwrap()));
        } else {
            let failure = failure.expect("a failure for errors and warnings");
            assert_eq!(failure.attribute("type"), d["rule"].as_str());
            assert_eq!(failure.attribute("message"), d["message"].as_str());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Several formats, and runs without findings

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("irsa-lint.sarif");
    let junit = dir.path().join("junit.xml");
    let gitlab = dir.path().join("gl-code-quality.json");
    let spec = |name: &str, path: &Path| format!("{name}:{}", path.display());
    let (s, j, g) = (
        spec("sarif", &sarif),
        spec("junit", &junit),
        spec("gitlab", &gitlab),
    );
    let out = run(&[
        "--format",
        "github",
        "--format",
        &s,
        "--format",
        &j,
        "--format",
        &g,
        "examples/",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_only_our_commands(&text);
    let annotations = text.lines().filter(|l| l.starts_with("::")).count();

    let log: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap().len();
    assert_eq!(
        annotations, results,
        "the seed has fewer than 10 of each level"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(
        doc.root_element().attribute("tests"),
        Some(results.to_string().as_str())
    );
    let issues: Value = serde_json::from_str(&std::fs::read_to_string(&gitlab).unwrap()).unwrap();
    assert_eq!(issues.as_array().unwrap().len(), results);
}

#[test]
fn clean_runs_give_valid_empty_reports() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.json"), CLEAN_POLICY).unwrap();
    let summary_file = dir.path().join("summary.md");
    let go = |format: &str| {
        let out = run_in(
            Some(dir.path()),
            &["--format", format, "api.json"],
            &[("GITHUB_STEP_SUMMARY", &summary_file)],
            "",
        );
        assert_eq!(out.status.code(), Some(0), "{format}");
        stdout(&out)
    };

    let log: Value = serde_json::from_str(&go("sarif")).unwrap();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(go("gitlab"), "[]\n");
    assert_eq!(go("github"), "irsa-lint: no problems found in 1 file\n");
    assert_eq!(
        std::fs::read_to_string(&summary_file).unwrap(),
        "## irsa-lint\n\nno problems found in 1 file\n"
    );
    let xml = go("junit");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 1);
    assert_eq!(
        cases[0].attribute("name"),
        Some("no problems found in 1 file")
    );
    assert!(cases[0].first_element_child().is_none(), "a passing case");
    assert_eq!(doc.root_element().attribute("failures"), Some("0"));
}

// ---------------------------------------------------------------------------------------------
// JUnit against the Jenkins xUnit plugin's junit-10.xsd (testdata/README-junit-schema.md)

/// What `junit-10.xsd` declares for one element.
#[derive(Default, Debug)]
struct XsdElement {
    attributes: std::collections::BTreeSet<String>,
    required: std::collections::BTreeSet<String>,
    children: std::collections::BTreeSet<String>,
    text: bool,
}

/// The element declarations of an XSD as simple as junit-10.xsd: global elements, each of type
/// `xs:string`, a named complex type, or an inline complex type whose attributes and child
/// element references are collected (the order of a `choice` with unbounded occurrences does not
/// matter; `testsuites` holds `testsuite`s only).
fn xsd_elements(xsd: &str) -> BTreeMap<String, XsdElement> {
    let doc = roxmltree::Document::parse(xsd).expect("the XSD parses");
    let schema = doc.root_element();
    let is = |n: &roxmltree::Node, tag: &str| n.is_element() && n.tag_name().name() == tag;
    let describe = |complex: roxmltree::Node| {
        let mut element = XsdElement {
            text: complex.attribute("mixed") == Some("true"),
            ..XsdElement::default()
        };
        for n in complex.descendants() {
            if is(&n, "attribute") {
                let name = n.attribute("name").unwrap().to_string();
                if n.attribute("use") == Some("required") {
                    element.required.insert(name.clone());
                }
                element.attributes.insert(name);
            } else if is(&n, "element") && n != complex {
                let name = n.attribute("ref").or(n.attribute("name")).unwrap();
                element.children.insert(name.to_string());
            }
        }
        element
    };
    let named_types: BTreeMap<&str, roxmltree::Node> = schema
        .children()
        .filter(|n| is(n, "complexType"))
        .map(|n| (n.attribute("name").unwrap(), n))
        .collect();
    schema
        .children()
        .filter(|n| is(n, "element"))
        .map(|n| {
            let name = n.attribute("name").unwrap().to_string();
            let element = match n.attribute("type") {
                Some("xs:string") => XsdElement {
                    text: true,
                    ..XsdElement::default()
                },
                Some(named) => describe(named_types[named]),
                None => describe(n.children().find(|c| is(c, "complexType")).unwrap()),
            };
            (name, element)
        })
        .collect()
}

/// Every violation of the declarations in `xml`, as `element: problem`.
fn xsd_violations(xml: &str, declared: &BTreeMap<String, XsdElement>) -> Vec<String> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let mut problems = Vec::new();
    for node in doc.descendants().filter(|n| n.is_element()) {
        let name = node.tag_name().name();
        let Some(decl) = declared.get(name) else {
            problems.push(format!("{name}: not declared"));
            continue;
        };
        for attribute in node.attributes() {
            if !decl.attributes.contains(attribute.name()) {
                problems.push(format!(
                    "{name}: attribute {} not allowed",
                    attribute.name()
                ));
            }
        }
        for required in &decl.required {
            if node.attribute(required.as_str()).is_none() {
                problems.push(format!("{name}: attribute {required} missing"));
            }
        }
        for child in node.children() {
            if child.is_element() && !decl.children.contains(child.tag_name().name()) {
                problems.push(format!(
                    "{name}: child {} not allowed",
                    child.tag_name().name()
                ));
            }
            if child.is_text() && !decl.text && !child.text().unwrap().trim().is_empty() {
                problems.push(format!("{name}: text not allowed"));
            }
        }
    }
    if let Some(root) = doc.root().first_element_child()
        && root.tag_name().name() != "testsuites"
    {
        problems.push(format!("root is {}", root.tag_name().name()));
    }
    problems
}

/// Validate with the real XSD validator too where libxml2's `xmllint` is installed.
fn xmllint_problems(xml: &str) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.xml");
    std::fs::write(&file, xml).unwrap();
    let xsd = Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/junit-10.xsd");
    let out = Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&xsd)
        .arg(&file)
        .output()
        .ok()?;
    (!out.status.success()).then(|| String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn junit_is_valid_against_the_jenkins_xunit_schema() {
    let xsd = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/junit-10.xsd"),
    )
    .unwrap();
    let declared = xsd_elements(&xsd);
    assert!(declared["testsuites"].attributes.contains("failures"));
    assert!(!declared["testsuites"].attributes.contains("skipped"));
    assert!(declared["testsuite"].required.contains("tests"));
    // The checker catches what the Jenkins schema refuses: the report of earlier versions had
    // `skipped` on `<testsuites>` and `file`/`line` on `<testcase>`.
    let old = "<testsuites name=\"irsa-lint\" tests=\"1\" failures=\"0\" errors=\"0\" skipped=\"0\"><testsuite name=\"irsa-lint\" tests=\"1\" failures=\"0\" errors=\"0\"><testcase classname=\"a\" name=\"b\" file=\"a\" line=\"1\"/></testsuite></testsuites>";
    assert_eq!(
        xsd_violations(old, &declared),
        [
            "testsuites: attribute skipped not allowed",
            "testcase: attribute file not allowed",
            "testcase: attribute line not allowed"
        ]
    );
    let clean = tempfile::tempdir().unwrap();
    std::fs::write(clean.path().join("trust.json"), CLEAN_POLICY).unwrap();
    let reports = [
        stdout(&run(&["--format", "junit", "examples/"])),
        stdout(&run(&[
            "--format",
            "junit",
            "--fail-on",
            "info",
            "examples/",
        ])),
        stdout(&run_in(
            Some(clean.path()),
            &["--format", "junit", "."],
            &[],
            "",
        )),
    ];
    for xml in &reports {
        assert_eq!(
            xsd_violations(xml, &declared),
            Vec::<String>::new(),
            "{xml}"
        );
        if let Some(problems) = xmllint_problems(xml) {
            panic!("xmllint: {problems}\n{xml}");
        }
    }
}

#[test]
fn junit_failures_follow_fail_on() {
    let report = json(&run(&["--format", "json", "examples/"]));
    let diags = report["diagnostics"].as_array().unwrap();
    let at_least = |levels: &[&str]| {
        diags
            .iter()
            .filter(|d| levels.contains(&d["severity"].as_str().unwrap()))
            .count()
    };
    for (fail_on, failing) in [
        ("error", at_least(&["error"])),
        ("warning", at_least(&["error", "warning"])),
        ("info", diags.len()),
        ("never", 0),
    ] {
        let out = run(&["--format", "junit", "--fail-on", fail_on, "examples/"]);
        let xml = stdout(&out);
        let doc = roxmltree::Document::parse(&xml).unwrap();
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, failing, "--fail-on {fail_on}");
        assert_eq!(
            doc.root_element().attribute("failures"),
            Some(failing.to_string().as_str())
        );
        // The report fails exactly when the exit status does.
        assert_eq!(
            out.status.code() == Some(1),
            failing > 0,
            "--fail-on {fail_on}"
        );
    }
}

#[test]
fn the_step_summary_is_written_once_escaped_and_an_unwritable_one_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // A value with backticks, a pipe and HTML ends up in a message and the file name.
    std::fs::write(
        dir.path().join("a`b|<i>c.yaml"),
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: \"x\"\n  annotations:\n    eks.amazonaws.com/role-arn: \"arn:aws:iam::483920175566:role/r`|<b>x</b>\"\n",
    )
    .unwrap();
    let summary_file = dir.path().join("summary.md");
    let out = run_in(
        Some(dir.path()),
        &["--format", "github", "--format", "github:gh.txt", "."],
        &[("GITHUB_STEP_SUMMARY", &summary_file)],
        "",
    );
    assert!(
        out.status.code() == Some(1) || out.status.code() == Some(0),
        "{out:?}"
    );
    let md = std::fs::read_to_string(&summary_file).unwrap();
    assert_eq!(md.matches("## irsa-lint").count(), 1, "{md}");
    let rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| severity") && !l.starts_with("| ---"))
        .collect();
    assert!(!rows.is_empty(), "{md}");
    for row in rows {
        // Four cells: every `|` of the value is escaped, and no backtick or `<` is bare.
        let unescaped = |c: char| {
            row.char_indices()
                .filter(|&(i, x)| x == c && !row[..i].ends_with('\\'))
                .count()
        };
        assert_eq!(unescaped('|'), 5, "{row}");
        assert_eq!(unescaped('`'), 0, "{row}");
        assert_eq!(unescaped('<'), 0, "{row}");
    }
    // A summary file that cannot be written: a warning, and the exit status of the findings.
    let out = run_in(
        Some(dir.path()),
        &["--format", "github", "."],
        &[(
            "GITHUB_STEP_SUMMARY",
            Path::new("/nonexistent-dir/summary.md"),
        )],
        "",
    );
    let expected = run_in(Some(dir.path()), &["--format", "github", "."], &[], "");
    assert_eq!(out.status.code(), expected.status.code());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "irsa-lint: warning: cannot write the step summary /nonexistent-dir/summary.md"
        ),
        "{err}"
    );
}

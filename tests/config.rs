//! The configuration file as users see it: discovery from the working directory and its parents,
//! `--config` / `--no-config`, the command line winning over the file, errors with their line and
//! column (exit status 2), and the keys that change what rules know: `severity`, `clusters`,
//! `roles`, `audiences`, `exclude`.

mod common;

use std::path::Path;

use common::{concise_findings, irsa_lint_in, stderr, stdout, write};

/// A `default` ServiceAccount with a role: IRSA206 (warning) at 7:33.
const DEFAULT_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: payments\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/payments-s3-read\n";

fn concise(dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![".", "--format", "concise"];
    args.extend_from_slice(extra);
    irsa_lint_in(dir, &args, &[])
}

#[test]
fn the_configuration_in_the_working_directory_is_used() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(dir.path(), ".irsa-lint.yaml", "fail-on: error\n");
    let out = concise(dir.path(), &[]);
    assert_eq!(concise_findings(&out), ["sa.yaml:7:33 IRSA206"]);
    // A warning no longer fails the run.
    assert_eq!(out.status.code(), Some(0));
    // --no-config ignores it.
    let out = concise(dir.path(), &["--no-config"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn the_nearest_parent_configuration_is_used_with_paths_relative_to_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/apps/sa.yaml", DEFAULT_SA);
    write(dir.path(), "k8s/vendor/sa.yaml", DEFAULT_SA);
    // The root configuration excludes `k8s/vendor`, relative to the root.
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "exclude: [\"k8s/vendor\"]\nfail-on: never\n",
    );
    let k8s = dir.path().join("k8s");
    let out = concise(&k8s, &[]);
    assert_eq!(concise_findings(&out), ["apps/sa.yaml:7:33 IRSA206"]);
    assert_eq!(out.status.code(), Some(0));
    // A nearer configuration wins over the root's (they are not merged).
    write(dir.path(), "k8s/.irsa-lint.yaml", "ignore: [IRSA206]\n");
    let out = concise(&k8s, &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn config_names_a_file_and_a_missing_one_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(
        dir.path(),
        "ci/lint.yaml",
        "ignore: default-service-account-has-role\n",
    );
    let out = concise(dir.path(), &["--config", "ci/lint.yaml"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));

    let out = concise(dir.path(), &["--config", "missing.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with("missing.yaml: error: cannot read: "),
        "{}",
        stderr(&out)
    );
    let out = concise(dir.path(), &["--config", "ci/lint.yaml", "--no-config"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_command_line_wins_over_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "fail-on: never\nselect: [IRSA219]\nformat: json\nseverity:\n  IRSA206: error\n",
    );
    // `--select` replaces the configuration's `select`, `--fail-on` its `fail-on`, `--format` its
    // `format`; `severity` (no flag) still applies.
    let out = irsa_lint_in(
        dir.path(),
        &[
            ".",
            "--select",
            "IRSA206",
            "--fail-on",
            "error",
            "--format",
            "concise",
        ],
        &[],
    );
    assert!(
        stdout(&out).starts_with("sa.yaml:7:33: error[IRSA206] "),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
    // Without flags, the configuration decides: IRSA206 is not selected, JSON, never fails.
    let out = irsa_lint_in(dir.path(), &["."], &[]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(json["diagnostics"].as_array().unwrap().len(), 0);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn configuration_errors_are_reported_at_their_place_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "fail_on: error\nignore: [IRSA206, aud-holds-subjet]\nseverity: {IRSA105: critical}\nclusters:\n  - name: prod\n    issuer: oidc.eks.eu-west-1.amazonaws.com/id/5C1D\nsuppressions:\n  - rule: IRSA105\n    reason: shared\n    expires: 31/01/2027\n",
    );
    let out = concise(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stdout(&out),
        "",
        "no report when the configuration is wrong"
    );
    assert_eq!(
        stderr(&out),
        ".irsa-lint.yaml:1:1: error: unknown key `fail_on`; did you mean `fail-on`?\n\
         .irsa-lint.yaml:2:19: error: `aud-holds-subjet` names no rule; did you mean `aud-holds-subject`?\n\
         .irsa-lint.yaml:3:21: error: `critical` is not a severity (expected error, warning or info)\n\
         .irsa-lint.yaml:6:13: error: `oidc.eks.eu-west-1.amazonaws.com/id/5C1D` is not an OIDC issuer URL (expected `https://oidc.eks.<region>.amazonaws.com/id/<ID>`, as `aws eks describe-cluster --query cluster.identity.oidc.issuer` prints it)\n\
         .irsa-lint.yaml:10:14: error: `31/01/2027` is not a date (expected YYYY-MM-DD, e.g. 2027-01-31)\n"
    );
    // A YAML syntax error, at its position.
    write(dir.path(), ".irsa-lint.yaml", "select: [IRSA1\n");
    let out = concise(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).starts_with(".irsa-lint.yaml:2:1: error: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn severity_overrides_replace_the_rules_choice() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "severity:\n  IRSA2: error\n  default-service-account-has-role: info\n",
    );
    let out = concise(dir.path(), &[]);
    // The name is more specific than the prefix.
    assert!(
        stdout(&out).starts_with("sa.yaml:7:33: info[IRSA206] "),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(0));
}

/// A trust policy for the cluster `5C1D…` (test the `clusters` key with it) that names the
/// cluster `9A8B…` instead.
const OTHER_CLUSTER_TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringEquals": {
      "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D:sub": "system:serviceaccount:payments:ledger-api",
      "oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D:aud": "sts.amazonaws.com"
    }}
  }]
}
"#;

#[test]
fn clusters_make_irsa307_check_every_trust_against_the_known_issuers() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "iam/ledger-api.json", OTHER_CLUSTER_TRUST);
    let select = ["--select", "IRSA307"];
    // No cluster known: nothing to compare with.
    let out = concise(dir.path(), &select);
    assert_eq!(concise_findings(&out), Vec::<String>::new());

    write(
        dir.path(),
        ".irsa-lint.yaml",
        "clusters:\n  - name: prod\n    issuer: https://oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F\n    account: \"483920175566\"\n  - name: staging\n    issuer: https://oidc.eks.eu-west-1.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0\n",
    );
    let out = concise(dir.path(), &select);
    assert_eq!(concise_findings(&out), ["iam/ledger-api.json:5:73 IRSA307"]);
    assert!(
        stdout(&out).contains("not of any of the configured clusters' issuers `oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F` (prod), `oidc.eks.eu-west-1.amazonaws.com/id/0F1E2D3C4B5A69788796A5B4C3D2E1F0` (staging)"),
        "{}",
        stdout(&out)
    );
    // `--cluster-issuer` adds to the configured clusters: the trust names it, so it is fine.
    let out = concise(
        dir.path(),
        &[
            "--select",
            "IRSA307",
            "--cluster-issuer",
            "https://oidc.eks.eu-west-1.amazonaws.com/id/9A8B7C6D5E4F3A2B1C0D9E8F7A6B5C4D",
        ],
    );
    assert_eq!(concise_findings(&out), Vec::<String>::new());
}

/// A ServiceAccount naming role `ledger-api` in account 907316652140.
const LEDGER_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: ledger-api\n  namespace: payments\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::907316652140:role/ledger-api\n";

#[test]
fn roles_give_raw_trust_policy_files_an_identity() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "iam/legacy/ledger-api.json",
        OTHER_CLUSTER_TRUST,
    );
    write(dir.path(), "k8s/sa.yaml", LEDGER_SA);
    let select = ["--select", "IRSA308"];
    // A raw file is linked by its stem only: its account is unknown, nothing to compare.
    let out = concise(dir.path(), &select);
    assert_eq!(concise_findings(&out), Vec::<String>::new());

    write(
        dir.path(),
        ".irsa-lint.yaml",
        "roles:\n  - path: \"iam/legacy/*.json\"\n    arn: \"arn:aws:iam::483920175566:role/{stem}\"\n",
    );
    let out = concise(dir.path(), &select);
    assert_eq!(concise_findings(&out), ["k8s/sa.yaml:7:46 IRSA308"]);
    assert!(
        stdout(&out).contains(
            "but the role `ledger-api` in the input is `arn:aws:iam::483920175566:role/ledger-api`"
        ),
        "{}",
        stdout(&out)
    );
    // The glob is relative to the configuration's directory: from `k8s/`, the same identity.
    let out = irsa_lint_in(
        &dir.path().join("k8s"),
        &["..", "--format", "concise", "--select", "IRSA308"],
        &[],
    );
    assert_eq!(concise_findings(&out), ["../k8s/sa.yaml:7:46 IRSA308"]);
}

#[test]
fn configured_audiences_are_not_reported_as_misspelt() {
    let dir = tempfile::tempdir().unwrap();
    let trust = OTHER_CLUSTER_TRUST.replace("\"sts.amazonaws.com\"", "\"sts.aws.acme.internal\"");
    write(dir.path(), "iam/ledger-api.json", &trust);
    let out = concise(dir.path(), &["--select", "IRSA122"]);
    assert_eq!(concise_findings(&out), ["iam/ledger-api.json:9:83 IRSA122"]);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "audiences: [sts.amazonaws.com, sts.aws.acme.internal]\n",
    );
    let out = concise(dir.path(), &["--select", "IRSA122"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
}

/// A ServiceAccount whose namespace and role name are filled in by envsubst.
const TEMPLATED_SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: carts\n  namespace: ${NAMESPACE}\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/${ROLE}\n";

/// The trust of role `shop-carts`: admits `shop/carts` only.
const SHOP_CARTS_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
"Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
"Action":"sts:AssumeRoleWithWebIdentity",
"Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub":"system:serviceaccount:shop:carts",
"oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud":"sts.amazonaws.com"}}}]}"#;

#[test]
fn vars_fill_in_template_variables_as_envsubst_would() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "k8s/sa.yaml", TEMPLATED_SA);
    write(dir.path(), "iam/shop-carts.json", SHOP_CARTS_TRUST);
    // Unknown values: one IRSA006 for the file, no verdict on what depends on them.
    let out = concise(dir.path(), &[]);
    assert_eq!(concise_findings(&out), ["k8s/sa.yaml:5:14 IRSA006"]);
    assert!(
        stdout(&out).contains(
            "2 values are filled in at deploy time (variables `${NAMESPACE}` and `${ROLE}`)"
        ),
        "{}",
        stdout(&out)
    );
    assert_eq!(out.status.code(), Some(0));
    // `--var` fills them in (`${NAME}` and `$NAME`): the trust admits `shop/carts`.
    let out = concise(
        dir.path(),
        &["--var", "NAMESPACE=shop", "--var", "ROLE=shop-carts"],
    );
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    // The configuration's `vars` do the same, and `--var` wins over them.
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "vars:\n  NAMESPACE: shop\n  ROLE: shop-carts\n",
    );
    let out = concise(dir.path(), &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    let out = concise(dir.path(), &["--var", "NAMESPACE=prod"]);
    assert_eq!(concise_findings(&out), ["k8s/sa.yaml:7:33 IRSA304"]);
    assert!(stdout(&out).contains("`prod/carts`"), "{}", stdout(&out));
    assert_eq!(out.status.code(), Some(1));
    // A bare `$ROLE` is a placeholder nothing expands (IRSA114), unless `--var` gives it.
    write(
        dir.path(),
        "k8s/sa.yaml",
        &TEMPLATED_SA.replace("${ROLE}", "$ROLE"),
    );
    let out = concise(dir.path(), &["--no-config"]);
    assert_eq!(
        concise_findings(&out),
        ["k8s/sa.yaml:5:14 IRSA006", "k8s/sa.yaml:7:64 IRSA114"]
    );
    let out = concise(dir.path(), &["--var", "ROLE=shop-carts"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    // A malformed `--var` is a usage error.
    let out = concise(dir.path(), &["--var", "NAMESPACE"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("is not NAME=VALUE"),
        "{}",
        stderr(&out)
    );
    let out = concise(dir.path(), &["--var", "1X=y"]);
    assert_eq!(out.status.code(), Some(2));
}

// ---- `.irsa-lint.yml`, the JSON Schema, `init` ----

#[test]
fn the_yml_name_is_found_and_both_names_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    write(dir.path(), ".irsa-lint.yml", "fail-on: error\n");
    let out = concise(dir.path(), &[]);
    assert_eq!(concise_findings(&out), ["sa.yaml:7:33 IRSA206"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // With both names in one directory, which one is meant is not known.
    write(dir.path(), ".irsa-lint.yaml", "fail-on: warning\n");
    let out = concise(dir.path(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(".irsa-lint.yml exist: keep one"),
        "{}",
        stderr(&out)
    );
    // --config names one of them.
    let out = concise(dir.path(), &["--config", ".irsa-lint.yml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn schema_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/irsa-lint.schema.json"),
    )
    .unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("the configuration schema compiles")
}

/// A YAML document as JSON, the way an editor's YAML language server sees it: read with the
/// project's own YAML parser (core schema: `2027-01-31` is a string).
fn yaml_to_json(text: &str) -> serde_json::Value {
    use irsa_lint::parse::tree::{Limits, Node, NodeKind, ScalarType};
    fn convert(node: &Node) -> serde_json::Value {
        match &node.kind {
            NodeKind::Scalar(s) => match s.ty {
                ScalarType::Null => serde_json::Value::Null,
                ScalarType::Bool(b) => b.into(),
                ScalarType::Int => s
                    .text
                    .parse::<i64>()
                    .map_or_else(|_| s.text.clone().into(), Into::into),
                ScalarType::Float => s.text.parse::<f64>().unwrap().into(),
                ScalarType::String => s.text.clone().into(),
            },
            NodeKind::Seq(items) => items.iter().map(convert).collect(),
            NodeKind::Map(entries) => entries
                .iter()
                .map(|e| (e.key.scalar_text().unwrap().to_string(), convert(&e.value)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
            NodeKind::Alias(_) => panic!("no aliases in the examples"),
        }
    }
    let parsed = irsa_lint::parse::parse(text, irsa_lint::parse::FileKind::Yaml, Limits::default());
    assert!(parsed.problem.is_none(), "{text}");
    parsed
        .documents
        .first()
        .and_then(|d| d.root.as_ref())
        .map_or(serde_json::Value::Null, convert)
}

/// The fenced YAML blocks of a Markdown file.
fn yaml_blocks(markdown: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim_start().starts_with("```yaml") => current = Some(String::new()),
            Some(block) if line.trim_start().starts_with("```") => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn the_committed_schema_is_the_generated_one_and_the_command_prints_it() {
    let committed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas/irsa-lint.schema.json"),
    )
    .unwrap();
    assert_eq!(
        committed,
        irsa_lint::config::schema::text(),
        "schemas/irsa-lint.schema.json is stale: run `cargo run -- config-schema > schemas/irsa-lint.schema.json`"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = irsa_lint_in(dir.path(), &["config-schema"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), committed);
}

#[test]
fn the_schema_accepts_every_documented_example() {
    let validator = schema_validator();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for doc in ["docs/configuration.md", "README.md"] {
        let markdown = std::fs::read_to_string(root.join(doc)).unwrap();
        for block in yaml_blocks(&markdown) {
            let value = yaml_to_json(&block);
            // A configuration example: its keys are configuration keys (the other blocks are
            // manifests showing inline suppressions, workflows, ...), or only comments.
            let is_config = match &value {
                serde_json::Value::Null => true,
                serde_json::Value::Object(map) => map
                    .keys()
                    .next()
                    .is_some_and(|k| irsa_lint::config::KEYS.iter().any(|key| key.name == k)),
                _ => false,
            };
            if !is_config {
                continue;
            }
            let errors: Vec<String> = validator
                .iter_errors(&value)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{doc}:\n{block}\n{errors:?}");
            checked += 1;
        }
    }
    assert!(checked >= 5, "only {checked} examples found");
    // The starter file of `irsa-lint init` too.
    assert!(validator.is_valid(&yaml_to_json(irsa_lint::config::STARTER)));
}

#[test]
fn the_schema_rejects_what_the_reader_rejects() {
    let validator = schema_validator();
    for wrong in [
        "fail_on: warning\n",
        "fail-on: sometimes\n",
        "jobs: 0\n",
        "jobs: 257\n",
        "max-file-size: 1x\n",
        "max-nodes: 1.5M\n",
        "quiet: yes please\n",
        "format: [xml]\n",
        "cluster-issuer: http://x\n",
        "clusters: [{name: prod}]\n",
        "clusters: [{issuer: \"https://x\", account: \"48392017556\"}]\n",
        "roles: [{path: \"*.json\"}]\n",
        "suppressions: [{rule: IRSA105, reason: r, expire: 2027-01-01}]\n",
        "severity: {IRSA105: fatal}\n",
        "- fail-on\n",
    ] {
        assert!(
            !validator.is_valid(&yaml_to_json(wrong)),
            "accepted: {wrong}"
        );
        // And the reader rejects it too.
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".irsa-lint.yaml", wrong);
        let out = irsa_lint_in(dir.path(), &["."], &[]);
        assert_eq!(out.status.code(), Some(2), "{wrong}: {}", stderr(&out));
    }
    for right in [
        "jobs: 4\n",
        "jobs: \"8\"\n",
        "max-file-size: 16MiB\n",
        "max-file-size: 1k\n",
        "max-file-size: 500000\n",
        "max-nodes: 5M\n",
        "format: [JSON, \"sarif:out.sarif\", \"junit:-\"]\n",
        "select: ALL\n",
        "select: \"IRSA1,IRSA2\"\n",
        "clusters: [{issuer: \"https://x\", account: 483920175566}]\n",
    ] {
        assert!(
            validator.is_valid(&yaml_to_json(right)),
            "rejected: {right}"
        );
    }
}

/// The schema's table drives the reader: every key it lists is read (a value of the wrong shape
/// is an error at that key, rather than the silent `_ => {}` of a key the reader forgot).
#[test]
fn the_reader_reads_every_key_of_the_schema_table() {
    for key in irsa_lint::config::KEYS {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            ".irsa-lint.yaml",
            &format!("{}: [[{{x: 1}}]]\n", key.name),
        );
        let out = irsa_lint_in(dir.path(), &["."], &[]);
        assert_eq!(out.status.code(), Some(2), "{}: {}", key.name, stderr(&out));
        assert!(
            stderr(&out).contains(".irsa-lint.yaml:1:"),
            "{}: {}",
            key.name,
            stderr(&out)
        );
    }
}

#[test]
fn init_writes_a_starter_that_loads_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let out = irsa_lint_in(dir.path(), &["init"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let written = std::fs::read_to_string(dir.path().join(".irsa-lint.yaml")).unwrap();
    assert_eq!(written, irsa_lint::config::STARTER);
    assert!(written.contains("# yaml-language-server: $schema="));
    // The starter is a valid configuration: a run with it lints.
    write(dir.path(), "sa.yaml", DEFAULT_SA);
    let out = concise(dir.path(), &[]);
    assert_eq!(concise_findings(&out), ["sa.yaml:7:33 IRSA206"]);
    // A second init refuses, and leaves the file as it was.
    write(dir.path(), ".irsa-lint.yaml", "fail-on: never\n");
    let out = irsa_lint_in(dir.path(), &["init"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".irsa-lint.yaml")).unwrap(),
        "fail-on: never\n"
    );
    // Another path.
    let out = irsa_lint_in(dir.path(), &["init", "ci/irsa.yaml"], &[]);
    assert_eq!(out.status.code(), Some(2), "the directory does not exist");
    let out = irsa_lint_in(dir.path(), &["init", "other.yml"], &[]);
    assert_eq!(out.status.code(), Some(0));
    assert!(dir.path().join("other.yml").is_file());
}

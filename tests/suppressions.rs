//! Suppressions as users write them: a trailing comment, a comment above the line, `ignore-file`,
//! the `irsa-lint/ignore` annotation and configured entries with a glob; unused (IRSA004) and
//! expired (IRSA005) suppressions, each reported at its place.

mod common;

use common::{concise_findings, irsa_lint_in, stderr, write};

/// A `default` ServiceAccount with a role: IRSA206 at 7:33 (the annotation's value). `suffix`
/// ends line 7; `before` is inserted as lines before line 7.
fn default_sa(before: &str, suffix: &str) -> String {
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: default\n  namespace: payments\n  annotations:\n{before}    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/payments-s3-read{suffix}\n"
    )
}

/// A raw trust policy that admits every ServiceAccount of `payments`: IRSA105 at 8:115.
const WILDCARD_TRUST: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Principal": {"Federated": "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {"StringLike": {
      "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub": "system:serviceaccount:payments:*",
      "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud": "sts.amazonaws.com"
    }}
  }]
}
"#;

fn lint(dir: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![".", "--format", "concise"];
    args.extend_from_slice(extra);
    irsa_lint_in(dir, &args, &[])
}

#[test]
fn without_a_suppression_the_finding_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "sa.yaml", &default_sa("", ""));
    let out = lint(dir.path(), &[]);
    assert_eq!(concise_findings(&out), ["sa.yaml:7:33 IRSA206"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_trailing_comment_suppresses_the_finding_on_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sa.yaml",
        &default_sa(
            "",
            " # irsa-lint: ignore IRSA206 -- every pod of payments reads the bucket",
        ),
    );
    let out = lint(dir.path(), &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_comment_above_suppresses_the_next_non_comment_line_only() {
    let dir = tempfile::tempdir().unwrap();
    // By rule name, with an ordinary comment in between.
    write(
        dir.path(),
        "a/sa.yaml",
        &default_sa(
            "    # irsa-lint: ignore default-service-account-has-role -- reviewed\n    # (the bucket is public anyway)\n",
            "",
        ),
    );
    // Above `annotations:`: it applies to that line, not to the annotation two lines below.
    write(
        dir.path(),
        "b/sa.yaml",
        &default_sa("", "").replace(
            "  annotations:\n",
            "  # irsa-lint: ignore IRSA206 -- misplaced\n  annotations:\n",
        ),
    );
    let out = lint(dir.path(), &[]);
    assert_eq!(
        concise_findings(&out),
        ["b/sa.yaml:6:23 IRSA004", "b/sa.yaml:8:33 IRSA206"]
    );
    assert!(
        common::stdout(&out).contains(
            "b/sa.yaml:6:23: info[IRSA004] unused suppression: no `IRSA206` finding on line 7 (the line it applies to)"
        ),
        "{}",
        common::stdout(&out)
    );
}

#[test]
fn ignore_file_covers_the_whole_file_and_prefixes_work() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "{}# irsa-lint: ignore-file IRSA2 -- legacy namespace, removed in Q3\n",
        default_sa("", "")
    );
    write(dir.path(), "sa.yaml", &text);
    let out = lint(dir.path(), &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn the_annotation_suppresses_findings_inside_its_object_only() {
    let dir = tempfile::tempdir().unwrap();
    let suppressed = default_sa("    irsa-lint/ignore: \"IRSA206 -- reviewed\"\n", "");
    // The annotation of another object does not reach the first object's finding.
    let other = format!(
        "{}---\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: payments\n  annotations:\n    irsa-lint/ignore: \"IRSA206 -- reviewed\"\n",
        default_sa("", "")
    );
    write(dir.path(), "suppressed.yaml", &suppressed);
    write(dir.path(), "other.yaml", &other);
    let out = lint(dir.path(), &[]);
    assert_eq!(
        concise_findings(&out),
        ["other.yaml:7:33 IRSA206", "other.yaml:15:24 IRSA004"]
    );
    assert!(
        common::stdout(&out).contains(
            "other.yaml:15:24: info[IRSA004] unused suppression: no `IRSA206` finding in ServiceAccount `payments/api`"
        ),
        "{}",
        common::stdout(&out)
    );
}

#[test]
fn a_suppression_without_a_reason_does_not_apply() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sa.yaml",
        &default_sa("", " # irsa-lint: ignore IRSA206"),
    );
    let out = lint(dir.path(), &[]);
    assert_eq!(
        concise_findings(&out),
        ["sa.yaml:7:33 IRSA206", "sa.yaml:7:83 IRSA004"]
    );
    assert!(common::stdout(&out).contains("gives no reason, so it suppresses nothing"));
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn unused_selectors_are_reported_at_the_selector_unless_their_rule_does_not_run() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sa.yaml",
        &default_sa(
            "",
            " # irsa-lint: ignore IRSA206, IRSA303, no-such-rule -- reviewed",
        ),
    );
    let out = lint(dir.path(), &[]);
    // IRSA206 is used; IRSA303 matched nothing; `no-such-rule` names no rule.
    assert_eq!(
        concise_findings(&out),
        ["sa.yaml:7:110 IRSA004", "sa.yaml:7:119 IRSA004"]
    );
    // IRSA004 is info: below the default `--fail-on warning`.
    assert_eq!(out.status.code(), Some(0));

    // When IRSA303 does not run, its suppression cannot be judged unused.
    let out = lint(dir.path(), &["--ignore", "IRSA303"]);
    assert_eq!(concise_findings(&out), ["sa.yaml:7:119 IRSA004"]);
    // IRSA004 can be turned off like any rule.
    let out = lint(dir.path(), &["--ignore", "IRSA004"]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
}

#[test]
fn configured_suppressions_match_files_by_glob_and_report_unused_entries() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "iam/payments-api.json", WILDCARD_TRUST);
    write(dir.path(), "other/payments-api.json", WILDCARD_TRUST);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "suppressions:\n  - rule: IRSA105\n    path: \"iam/*.json\"\n    reason: batch jobs share the role on purpose\n  - rule: [sub-wildcard-name]\n    path: \"k8s/**\"\n    reason: nothing there\n",
    );
    let out = lint(dir.path(), &[]);
    assert_eq!(
        concise_findings(&out),
        [
            ".irsa-lint.yaml:5:12 IRSA004",
            "other/payments-api.json:8:115 IRSA105"
        ]
    );
    assert!(common::stdout(&out).contains(
        ".irsa-lint.yaml:5:12: info[IRSA004] unused suppression: no `sub-wildcard-name` finding in files matching `k8s/**`"
    ));
    // The glob is relative to the configuration's directory, wherever irsa-lint starts.
    let sub = dir.path().join("iam");
    let out = irsa_lint_in(&sub, &[".", "--format", "concise"], &[]);
    assert_eq!(concise_findings(&out), Vec::<String>::new());
}

#[test]
fn an_expired_configured_suppression_no_longer_applies() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "iam/payments-api.json", WILDCARD_TRUST);
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "suppressions:\n  - rule: IRSA105\n    path: iam/payments-api.json\n    reason: batch jobs share the role on purpose\n    expires: 2027-01-31\n",
    );
    let run = |today: &str| {
        irsa_lint_in(
            dir.path(),
            &[".", "--format", "concise"],
            &[("IRSA_LINT_TODAY", today)],
        )
    };
    // The expiry date is the last day the suppression applies.
    let out = run("2027-01-31");
    assert_eq!(concise_findings(&out), Vec::<String>::new());
    assert_eq!(out.status.code(), Some(0));

    let out = run("2027-02-01");
    assert_eq!(
        concise_findings(&out),
        [
            ".irsa-lint.yaml:5:14 IRSA005",
            "iam/payments-api.json:8:115 IRSA105"
        ]
    );
    assert!(common::stdout(&out).contains(
        ".irsa-lint.yaml:5:14: warning[IRSA005] the suppression of `IRSA105` in files matching `iam/payments-api.json` expired on 2027-01-31 and no longer applies: the finding it hid is reported again"
    ));
    assert_eq!(out.status.code(), Some(1));

    let out = run("tomorrow");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("IRSA_LINT_TODAY=\"tomorrow\" is not a date"));
}

#[test]
fn an_expired_inline_suppression_brings_the_finding_back() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sa.yaml",
        &default_sa(
            "",
            " # irsa-lint: ignore IRSA206 until 2027-01-31 -- until the split",
        ),
    );
    let today = |d: &str| {
        irsa_lint_in(
            dir.path(),
            &[".", "--format", "concise"],
            &[("IRSA_LINT_TODAY", d)],
        )
    };
    assert_eq!(concise_findings(&today("2027-01-31")), Vec::<String>::new());
    assert_eq!(
        concise_findings(&today("2027-02-01")),
        ["sa.yaml:7:33 IRSA206", "sa.yaml:7:115 IRSA005"]
    );
}

#[test]
fn severity_overrides_apply_to_suppression_findings_too() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sa.yaml",
        &default_sa("", " # irsa-lint: ignore IRSA206, IRSA303 -- reviewed"),
    );
    write(
        dir.path(),
        ".irsa-lint.yaml",
        "severity: {unused-suppression: error}\n",
    );
    let out = lint(dir.path(), &[]);
    assert!(
        common::stdout(&out).starts_with("sa.yaml:7:110: error[IRSA004]"),
        "{}",
        common::stdout(&out)
    );
    assert_eq!(out.status.code(), Some(1));
}

/// A Terraform role whose jsonencode trust admits every ServiceAccount of `payments`: IRSA105 at
/// 11:120, the `*`. `above` is inserted as the line before the subject, `trailing` ends it.
fn terraform_role(above: &str, trailing: &str) -> String {
    format!(
        r#"resource "aws_iam_role" "payments" {{
  name = "payments-api"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F" }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        StringLike = {{
{above}          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub" = "system:serviceaccount:payments:*"{trailing}
          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud" = "sts.amazonaws.com"
        }}
      }}
    }}]
  }})
}}
"#
    )
}

#[test]
fn terraform_comments_carry_suppressions_in_all_three_styles() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", &terraform_role("", ""));
    assert_eq!(
        concise_findings(&lint(dir.path(), &[])),
        ["main.tf:11:120 IRSA105"]
    );
    for (above, trailing) in [
        (
            "",
            " # irsa-lint: ignore IRSA105 -- payments runs one service account per pod",
        ),
        (
            "",
            " // irsa-lint: ignore IRSA105 -- payments runs one service account per pod",
        ),
        (
            "          # irsa-lint: ignore IRSA105 -- payments runs one service account per pod\n",
            "",
        ),
        (
            "          /* irsa-lint: ignore IRSA105 -- payments runs one service account per pod */\n",
            "",
        ),
    ] {
        write(dir.path(), "main.tf", &terraform_role(above, trailing));
        let out = lint(dir.path(), &[]);
        assert_eq!(
            concise_findings(&out),
            Vec::<String>::new(),
            "{above:?} {trailing:?}: {}",
            stderr(&out)
        );
    }
}

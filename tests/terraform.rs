//! Terraform files as users hand them over: named on the command line, with a syntax error beside
//! a good file, and a value that comes from another file of the module directory.

mod common;

use common::{concise_findings, irsa_lint_in, stdout, write};

const WILDCARD_ROLE: &str = r#"resource "aws_iam_role" "payments" {
  name               = "payments-api"
  assume_role_policy = jsonencode(local.trust)
}
"#;

const LOCALS: &str = r#"locals {
  oidc = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
  trust = {
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::483920175566:oidc-provider/${local.oidc}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc}:sub" = "system:serviceaccount:${var.namespace}:*"
          "${local.oidc}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  }
}
"#;

#[test]
fn a_tf_file_named_on_the_command_line_is_read_as_terraform_with_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "infra/main.tf", WILDCARD_ROLE);
    write(dir.path(), "infra/locals.tf", LOCALS);
    write(
        dir.path(),
        "infra/variables.tf",
        "variable \"namespace\" {\n  type = string\n}\n",
    );
    write(
        dir.path(),
        "infra/terraform.tfvars",
        "namespace = \"payments\"\n",
    );
    // A -var-file that Terraform does not load by itself: its value is not assumed.
    write(dir.path(), "infra/prod.tfvars", "namespace = \"prod\"\n");
    let out = irsa_lint_in(
        dir.path(),
        &[
            "infra/main.tf",
            "infra/locals.tf",
            "infra/variables.tf",
            "infra/terraform.tfvars",
            "--format",
            "concise",
        ],
        &[],
    );
    // No YAML syntax error: the trust written in locals.tf (at its value: the namespace from
    // terraform.tfvars was substituted into it).
    assert_eq!(concise_findings(&out), ["infra/locals.tf:11:33 IRSA106"]);
    assert!(
        stdout(&out).contains("system:serviceaccount:payments:*"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_syntax_error_is_reported_at_its_place_and_the_directory_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "main.tf", WILDCARD_ROLE);
    write(dir.path(), "locals.tf", LOCALS);
    write(
        dir.path(),
        "broken.tf",
        "resource \"aws_iam_role\" \"x\" {\n  name = \"x\"\n  tags = {\n}\n",
    );
    let out = irsa_lint_in(dir.path(), &[".", "--format", "concise"], &[]);
    let findings = concise_findings(&out);
    assert!(
        findings
            .iter()
            .any(|f| f.starts_with("broken.tf:") && f.ends_with("IRSA001")),
        "{findings:?}"
    );
    // The other files are evaluated without it. The variable has no value: a hole, and the `*`
    // written after it is literal whatever it is (at the `*`, in locals.tf where it is written).
    assert!(
        findings.contains(&"locals.tf:11:73 IRSA106".to_string()),
        "{findings:?}"
    );
}

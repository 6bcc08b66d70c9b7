locals {
  issuer       = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
  provider_arn = "arn:aws:iam::483920175566:oidc-provider/${local.issuer}"
  service_accounts = {
    api    = "payments"
    worker = "payments"
  }
}

# One statement per service account, written by a dynamic block.
data "aws_iam_policy_document" "payments" {
  dynamic "statement" {
    for_each = local.service_accounts
    content {
      sid     = statement.key
      actions = ["sts:AssumeRoleWithWebIdentity"]

      principals {
        type        = "Federated"
        identifiers = [local.provider_arn]
      }

      condition {
        test     = "StringEquals"
        variable = "${local.issuer}:sub"
        values   = ["system:serviceaccount:${statement.value}:${statement.key}"]
      }

      condition {
        test     = "StringEquals"
        variable = "${local.issuer}:aud"
        values   = ["sts.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role" "payments" {
  name               = "tfdoc-payments"
  assume_role_policy = data.aws_iam_policy_document.payments.json
}

# A shared base whose broad statement the override replaces (same Sid).
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Irsa"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringLike"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:*"]
    }
  }
}

data "aws_iam_policy_document" "reports_override" {
  statement {
    sid     = "Irsa"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:reports:exporter"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "reports" {
  source_policy_documents   = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [data.aws_iam_policy_document.reports_override.json]
}

resource "aws_iam_role" "reports" {
  name               = "tfdoc-reports"
  assume_role_policy = data.aws_iam_policy_document.reports.json
}

# The legacy template_file data source, its template read with file().
data "template_file" "ledger_trust" {
  template = file("${path.module}/trust.json.tpl")
  vars = {
    provider_arn = local.provider_arn
    issuer       = local.issuer
    namespace    = "ledger"
    name         = "api"
  }
}

resource "aws_iam_role" "ledger" {
  name               = "tfdoc-ledger"
  assume_role_policy = data.template_file.ledger_trust.rendered
}

# ... and written inline, its `$${...}` left for template_file to fill in.
data "template_file" "billing_trust" {
  template = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "$${provider_arn}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
          "$${issuer}:sub": "system:serviceaccount:billing:invoicer",
          "$${issuer}:aud": "sts.amazonaws.com"
        }}
      }]
    }
  EOT
  vars = {
    provider_arn = local.provider_arn
    issuer       = local.issuer
  }
}

resource "aws_iam_role" "billing" {
  name               = "tfdoc-billing"
  assume_role_policy = data.template_file.billing_trust.rendered
}

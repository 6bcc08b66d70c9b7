locals {
  issuer = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
}

data "aws_iam_policy_document" "payments" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::483920175566:oidc-provider/${local.issuer}"]
    }

    # Both service accounts in one block: the values say OR, as IAM reads them.
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:payments:api", "system:serviceaccount:payments:worker"]
    }

    # Another operator on the same key is another key of the Condition element: AND.
    condition {
      test     = "StringNotLike"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:payments:debug-*"]
    }

    # Negated blocks merged: IAM reads their values as NOR, what the blocks say.
    condition {
      test     = "StringNotEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:payments:admin"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "${local.issuer}:sub"
      values   = ["system:serviceaccount:payments:root"]
    }

    # Identical blocks are one element of the provider's set: nothing is merged.
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "payments" {
  name               = "irsa129-payments"
  assume_role_policy = data.aws_iam_policy_document.payments.json
}

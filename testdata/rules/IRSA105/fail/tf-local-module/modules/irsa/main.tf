locals {
  issuer = replace(var.oidc_issuer_url, "https://", "")
}

resource "aws_iam_role" "this" {
  name = var.name

  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/${local.issuer}" }
      Condition = {
        StringLike = {
          "${local.issuer}:sub" = [for sa in var.service_accounts : "system:serviceaccount:${sa}"]
          "${local.issuer}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

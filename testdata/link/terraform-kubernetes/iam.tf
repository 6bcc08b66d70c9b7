data "aws_caller_identity" "current" {}

locals {
  oidc_arn = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
  oidc     = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
}

# Trusts payments/worker, but kubernetes_service_account_v1.api carries its ARN (IRSA304).
resource "aws_iam_role" "api" {
  name = "payments-api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc}:sub" = "system:serviceaccount:payments:worker"
          "${local.oidc}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

# One role per ServiceAccount, each trusting exactly it.
resource "aws_iam_role" "irsa" {
  for_each = {
    "payments-ledger"              = "payments:ledger"
    "aws-load-balancer-controller" = "kube-system:aws-load-balancer-controller"
    "external-dns"                 = "external-dns:external-dns"
    "ebs-csi"                      = "kube-system:ebs-csi-controller-sa"
  }
  name = each.key
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = local.oidc_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc}:sub" = "system:serviceaccount:${each.value}"
          "${local.oidc}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

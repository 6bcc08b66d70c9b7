# Every value of this trust is known only when Terraform runs: nothing about the holes themselves
# is a finding (no IRSA110, IRSA113, IRSA114 or IRSA128), only IRSA006 says what was not checked.
data "aws_caller_identity" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  oidc       = module.eks.oidc_provider
}

resource "aws_iam_role" "all_holes" {
  name = "all-holes"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:${data.aws_partition.current.partition}:iam::${local.account_id}:oidc-provider/${local.oidc}" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.oidc}:sub" = "system:serviceaccount:${var.namespace}:${var.service_account}"
          "${local.oidc}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

variable "namespace" {
  type = string
}

variable "service_account" {
  type = string
}

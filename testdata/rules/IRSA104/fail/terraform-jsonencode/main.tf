# A trust written with jsonencode: the cluster-wide StringLike is found at the `*` of the value,
# whatever module.eks's outputs turn out to be.
locals {
  oidc_host = replace(module.eks.cluster_oidc_issuer_url, "https://", "")
}

resource "aws_iam_role" "reports" {
  name = "reports-exporter"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = module.eks.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = {
          "${local.oidc_host}:sub" = "system:serviceaccount:*:reports-exporter"
          "${local.oidc_host}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

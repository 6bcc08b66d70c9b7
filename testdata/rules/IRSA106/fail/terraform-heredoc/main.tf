# A trust in a heredoc, its namespace from a variable default: StringEquals compares the `*`
# literally. The finding points inside the heredoc.
variable "namespace" {
  type    = string
  default = "payments"
}

resource "aws_iam_role" "payments" {
  name               = "payments-api"
  assume_role_policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "${module.eks.oidc_provider_arn}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
          "StringEquals": {
            "${module.eks.oidc_provider}:sub": "system:serviceaccount:${var.namespace}:*",
            "${module.eks.oidc_provider}:aud": "sts.amazonaws.com"
          }
        }
      }]
    }
  EOT
}

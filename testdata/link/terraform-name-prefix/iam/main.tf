# A role named by a prefix: Terraform names it `alb-controller-` and a 26-digit suffix at apply.
# A ServiceAccount annotated with such a name is linked to it by the prefix.
resource "aws_iam_role" "alb" {
  name_prefix = "alb-controller-"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:sub" = "system:serviceaccount:kube-system:aws-load-balancer-controller"
          "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

resource "aws_iam_role" "orders" {
  name = "orders"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5E3A1C0B7D9F2468ACE13579BDF02468" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "oidc.eks.eu-west-1.amazonaws.com/id/5E3A1C0B7D9F2468ACE13579BDF02468:sub" = "system:serviceaccount:orders:api"
          "oidc.eks.eu-west-1.amazonaws.com/id/5E3A1C0B7D9F2468ACE13579BDF02468:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}

resource "aws_eks_pod_identity_association" "orders" {
  cluster_name    = "prod"
  namespace       = "orders"
  service_account = "api"
  role_arn        = aws_iam_role.orders.arn
}

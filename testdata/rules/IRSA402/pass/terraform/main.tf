resource "aws_iam_role" "orders" {
  name = "orders"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
      Condition = {
        StringEquals = {
          "aws:RequestTag/kubernetes-namespace"       = "orders"
          "aws:RequestTag/kubernetes-service-account" = "api"
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

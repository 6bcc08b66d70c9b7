resource "aws_iam_role" "warehouse" {
  name = "warehouse-reader"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::483920175566:root" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_eks_pod_identity_association" "warehouse" {
  cluster_name    = "prod"
  namespace       = "warehouse"
  service_account = "loader"
  role_arn        = "arn:aws:iam::483920175566:role/warehouse-loader"
  target_role_arn = aws_iam_role.warehouse.arn
}

resource "aws_eks_fargate_profile" "reports" {
  cluster_name           = "fargate-tf"
  fargate_profile_name   = "reports"
  pod_execution_role_arn = "arn:aws:iam::483920175566:role/fargate-pods"
  subnet_ids             = ["subnet-0a1b2c3d4e5f60718"]

  selector {
    namespace = "reports"
    labels = {
      compute = "fargate"
    }
  }
}

resource "aws_eks_pod_identity_association" "reports" {
  cluster_name    = "fargate-tf"
  namespace       = "reports"
  service_account = "builder"
  role_arn        = "arn:aws:iam::483920175566:role/reports-builder"
}

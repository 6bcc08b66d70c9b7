resource "kubernetes_service_account_v1" "shipping" {
  metadata {
    name      = "shipping"
    namespace = "shipping"
  }
}

resource "aws_eks_pod_identity_association" "shipping" {
  cluster_name    = "prod"
  namespace       = "shipping"
  service_account = "shipping"
  role_arn        = "arn:aws:iam::483920175566:role/shipping"
}

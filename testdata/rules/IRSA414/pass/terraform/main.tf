resource "aws_eks_addon" "coredns" {
  cluster_name = "tf-prod"
  addon_name   = "coredns"
}

resource "aws_eks_addon" "pod_identity_agent" {
  cluster_name = "tf-prod"
  addon_name   = "eks-pod-identity-agent"
}

resource "aws_eks_pod_identity_association" "cart" {
  cluster_name    = "tf-prod"
  namespace       = "shop"
  service_account = "cart"
  role_arn        = "arn:aws:iam::483920175566:role/shop-cart"
}

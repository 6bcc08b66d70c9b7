locals {
  cluster = "prod"
}

resource "aws_iam_role" "api" {
  name = "api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Service = "pods.eks.amazonaws.com" }
      Action    = ["sts:AssumeRole", "sts:TagSession"]
    }]
  })
}

resource "aws_eks_pod_identity_association" "api" {
  cluster_name         = local.cluster
  namespace            = "payments"
  service_account      = "api"
  role_arn             = aws_iam_role.api.arn
  target_role_arn      = "arn:aws:iam::444455556666:role/data"
  disable_session_tags = true
  policy               = data.aws_iam_policy_document.session.json
}

resource "aws_eks_pod_identity_association" "workers" {
  for_each        = toset(["a", "b"])
  cluster_name    = aws_eks_cluster.main.name
  namespace       = "jobs"
  service_account = "worker-${each.key}"
  role_arn        = aws_iam_role.api.arn
}

resource "aws_eks_pod_identity_association" "none" {
  count           = 0
  cluster_name    = "prod"
  namespace       = "x"
  service_account = "x"
  role_arn        = "arn:aws:iam::111122223333:role/x"
}

resource "aws_eks_fargate_profile" "default" {
  cluster_name           = local.cluster
  fargate_profile_name   = "default"
  pod_execution_role_arn = "arn:aws:iam::111122223333:role/fargate"
  subnet_ids             = ["subnet-1"]

  selector {
    namespace = "payments"
    labels = {
      compute = "fargate"
    }
  }

  selector {
    namespace = "kube-system"
  }
}

resource "aws_eks_addon" "vpc_cni" {
  cluster_name = local.cluster
  addon_name   = "vpc-cni"
}

resource "aws_eks_addon" "agent" {
  cluster_name = "prod"
  addon_name   = "eks-pod-identity-agent"
}

resource "aws_eks_addon" "other" {
  cluster_name = "staging"
  addon_name   = "coredns"
}

resource "aws_eks_pod_identity_associations" "near_miss" {
  cluster_name    = "prod"
  namespace       = "x"
  service_account = "x"
  role_arn        = "arn:aws:iam::111122223333:role/x"
}

# The chart's ServiceAccount kube-system/aws-load-balancer-controller, annotated with the role's
# ARN by reference: its trust admits it.
resource "helm_release" "lbc" {
  name       = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  chart      = "aws-load-balancer-controller"
  namespace  = "kube-system"

  set {
    name  = "serviceAccount.name"
    value = "aws-load-balancer-controller"
  }
  set {
    name  = "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn"
    value = aws_iam_role.irsa["aws-load-balancer-controller"].arn
  }
}

# The chart's ServiceAccount takes the chart's default name, unknown here: nothing is concluded
# of its name, but its namespace is the trust's.
resource "helm_release" "dns" {
  name       = "external-dns"
  repository = "https://kubernetes-sigs.github.io/external-dns"
  chart      = "external-dns"
  namespace  = "external-dns"

  values = [yamlencode({
    serviceAccount = {
      annotations = {
        "eks.amazonaws.com/role-arn" = aws_iam_role.irsa["external-dns"].arn
      }
    }
  })]
}

# The chart runs its controller as a ServiceAccount made here (`controller.serviceAccount.create =
# false`): the ServiceAccount is used, no IRSA310.
resource "kubernetes_service_account_v1" "ebs_csi" {
  metadata {
    name      = "ebs-csi-controller-sa"
    namespace = "kube-system"
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.irsa["ebs-csi"].arn
    }
  }
}

resource "helm_release" "ebs_csi" {
  name       = "aws-ebs-csi-driver"
  repository = "https://kubernetes-sigs.github.io/aws-ebs-csi-driver"
  chart      = "aws-ebs-csi-driver"
  namespace  = "kube-system"

  set {
    name  = "controller.serviceAccount.create"
    value = "false"
  }
  set {
    name  = "controller.serviceAccount.name"
    value = kubernetes_service_account_v1.ebs_csi.metadata[0].name
  }
}

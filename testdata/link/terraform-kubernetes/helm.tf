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

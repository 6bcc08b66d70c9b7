# v6 iam-role-for-service-accounts and the aws-ia addon module: their trusts are synthesised
# from the arguments and linked to the ServiceAccounts by role name.
module "external_dns_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts"
  version = "~> 6.0"

  name            = "external-dns-irsa"
  use_name_prefix = false

  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
      namespace_service_accounts = ["external-dns:external-dns"]
    }
  }
}

module "aws_load_balancer_controller" {
  source  = "aws-ia/eks-blueprints-addon/aws"
  version = "~> 1.1"

  chart      = "aws-load-balancer-controller"
  repository = "https://aws.github.io/eks-charts"
  namespace  = "kube-system"

  create_role          = true
  role_name            = "aws-load-balancer-controller"
  role_name_use_prefix = false

  oidc_providers = {
    this = {
      provider_arn    = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
      service_account = "aws-load-balancer-controller"
    }
  }
}

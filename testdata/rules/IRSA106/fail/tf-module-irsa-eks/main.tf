# iam-role-for-service-accounts-eks (v5) with the default operator, StringEquals: the `*` of
# "karpenter:*" is a literal character, so no pod can assume the role (IRSA106, not IRSA105).
module "karpenter_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.0"

  role_name = "karpenter-controller"

  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
      namespace_service_accounts = ["karpenter:*"]
    }
  }
}

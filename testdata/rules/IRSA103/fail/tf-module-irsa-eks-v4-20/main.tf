# Before 4.21.1 iam-role-for-service-accounts-eks writes no :aud condition (IRSA103).
module "ebs_csi_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "4.20.0"

  role_name = "ebs-csi"

  oidc_providers = {
    main = {
      provider_arn               = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
      namespace_service_accounts = ["kube-system:ebs-csi-controller-sa"]
    }
  }
}

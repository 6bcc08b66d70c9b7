# iam-assumable-role-with-oidc without oidc_fully_qualified_subjects: the module writes no :sub
# condition at all, so every service account of the cluster can assume the role (IRSA102).
module "app_role" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-assumable-role-with-oidc"
  version = "~> 5.0"

  create_role  = true
  role_name    = "app"
  provider_url = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"

  oidc_fully_qualified_audiences = ["sts.amazonaws.com"]
}

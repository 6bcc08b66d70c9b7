# A local module: the wildcard comes from the caller, so the finding is here, at the argument.
module "monitoring_irsa" {
  source = "./modules/irsa"

  name             = "prometheus"
  account_id       = "483920175566"
  oidc_issuer_url  = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
  service_accounts = ["monitoring:*"]
}

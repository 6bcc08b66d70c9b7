# A ServiceAccount annotated with the ARN output of an IRSA module call: linked to the role the
# module creates by reference, whatever account it is in. The module admits orders/api only.
module "orders_api_irsa" {
  source  = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  version = "~> 5.0"

  role_name = "orders-api"
  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["orders:api"]
    }
  }
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = "payments"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.orders_api_irsa.iam_role_arn
    }
  }
}

resource "kubernetes_service_account_v1" "orders" {
  metadata {
    name      = "api"
    namespace = "orders"
    annotations = {
      "eks.amazonaws.com/role-arn" = module.orders_api_irsa.iam_role_arn
    }
  }
}

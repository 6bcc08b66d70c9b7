# A trust rendered by templatefile(): the finding points into the template, where the `*` is
# written; the namespace comes from the call.
resource "aws_iam_role" "orders" {
  name = "orders-api"
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {
    provider_arn = module.eks.oidc_provider_arn
    oidc         = module.eks.oidc_provider
    namespace    = "orders"
  })
}

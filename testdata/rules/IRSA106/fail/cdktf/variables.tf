# A native .tf file beside the CDK for Terraform output: one module, whose variable the JSON
# file's strings interpolate and whose value comes from terraform.tfvars.json.
variable "namespace" {
  type = string
}

locals {
  oidc_host = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
}

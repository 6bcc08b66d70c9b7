variable "name" {
  type = string
}

variable "account_id" {
  type = string
}

variable "oidc_issuer_url" {
  type = string
}

variable "service_accounts" {
  description = "namespace:name pairs allowed to assume the role"
  type        = list(string)
}

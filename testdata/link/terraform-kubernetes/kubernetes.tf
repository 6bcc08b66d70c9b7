resource "kubernetes_namespace_v1" "payments" {
  metadata {
    name = "payments"
  }
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name      = "api"
    namespace = kubernetes_namespace_v1.payments.metadata[0].name
    annotations = {
      "eks.amazonaws.com/role-arn" = aws_iam_role.api.arn
    }
  }
}

# Runs as kubernetes_service_account_v1.api, read by reference: no IRSA301.
resource "kubernetes_deployment_v1" "api" {
  metadata {
    name      = "api"
    namespace = kubernetes_namespace_v1.payments.metadata[0].name
  }
  spec {
    selector {
      match_labels = { app = "api" }
    }
    template {
      metadata {
        labels = { app = "api" }
      }
      spec {
        service_account_name = kubernetes_service_account_v1.api.metadata[0].name
        container {
          name  = "api"
          image = "example/api:1.4.2"
        }
      }
    }
  }
}

# The role's ARN built from its name, in an account known only at apply: linked to
# aws_iam_role.irsa["payments-ledger"], whose trust admits payments/ledger.
resource "kubernetes_manifest" "ledger" {
  manifest = {
    apiVersion = "v1"
    kind       = "ServiceAccount"
    metadata = {
      name      = "ledger"
      namespace = "payments"
      annotations = {
        "eks.amazonaws.com/role-arn" = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.irsa["payments-ledger"].name}"
      }
    }
  }
}

resource "kubernetes_job_v1" "reconcile" {
  metadata {
    name      = "reconcile"
    namespace = "payments"
  }
  spec {
    template {
      metadata {}
      spec {
        service_account_name = "ledger"
        restart_policy       = "Never"
        container {
          name  = "reconcile"
          image = "example/ledger:2.0.1"
        }
      }
    }
  }
}

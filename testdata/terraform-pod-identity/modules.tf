module "pi" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "~> 2.0"

  name = "api"

  trust_policy_conditions = [{
    test     = "StringEquals"
    variable = "aws:SourceAccount"
    values   = ["111122223333"]
  }]

  association_defaults = {
    namespace       = "payments"
    service_account = "api"
  }

  associations = {
    prod = {
      cluster_name = "prod"
    }
    staging = {
      cluster_name         = "staging"
      service_account      = "api-staging"
      role_arn             = "arn:aws:iam::111122223333:role/ignored"
      disable_session_tags = true
    }
  }
}

module "old" {
  source  = "terraform-aws-modules/eks-pod-identity/aws"
  version = "1.2.0"

  name = "old"

  associations = {
    one = {
      cluster_name         = "prod"
      namespace            = "a"
      service_account      = "b"
      disable_session_tags = true
    }
  }
}

module "off" {
  source = "terraform-aws-modules/eks-pod-identity/aws"
  create = false

  associations = {
    one = {
      cluster_name    = "prod"
      namespace       = "a"
      service_account = "b"
    }
  }
}

module "elsewhere" {
  source = "example/eks-pod-identity/aws"

  associations = {
    one = {
      cluster_name    = "prod"
      namespace       = "a"
      service_account = "b"
    }
  }
}

module "eks" {
  source  = "terraform-aws-modules/eks/aws"
  version = "~> 20.0"

  cluster_name = "prod"

  cluster_addons = {
    coredns = {}
    agent = {
      name = "eks-pod-identity-agent"
    }
  }

  fargate_profile_defaults = {
    selectors = [{ namespace = "default" }]
  }

  fargate_profiles = {
    apps = {
      selectors = [{
        namespace = "payments"
        labels    = { compute = "fargate" }
      }]
    }
    defaults = {}
    skipped = {
      create = false
    }
  }
}

module "eks21" {
  source = "terraform-aws-modules/eks/aws"

  name = "v21"

  addons = {
    vpc-cni = {}
  }
}

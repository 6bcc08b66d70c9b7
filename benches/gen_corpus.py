#!/usr/bin/env python3
"""Generate a synthetic monorepo for benchmarking irsa-lint.

Usage: gen_corpus.py OUT_DIR [TEAMS]

Each team gets an IAM trust policy (a third with a defect), a ServiceAccount and a Deployment, a
Terraform module (a worker role whose trust is written with jsonencode from variables and locals,
a fifth with a defect), and unrelated configuration (ConfigMaps with large data blocks,
package-lock-style JSON) that irsa-lint must read, parse and skip. Deterministic: the same TEAMS
gives the same bytes.
"""
import json
import os
import sys

out = sys.argv[1]
teams = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
ACCOUNT = "483920175566"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

for i in range(teams):
    ns = f"team-{i:05d}"
    root = os.path.join(out, f"services/{ns}")
    sub = f"system:serviceaccount:{ns}:api"
    if i % 3 == 1:
        sub = f"system:serviceaccount:{ns}:*"
    cond = {"StringLike" if "*" in sub else "StringEquals": {
        f"{ISSUER}:sub": sub, f"{ISSUER}:aud": "sts.amazonaws.com"}}
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": cond}]}
    write(f"{root}/iam/{ns}-api.json", json.dumps(policy, indent=2) + "\n")
    write(f"{root}/k8s/service-account.yaml", f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: {ns}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::{ACCOUNT}:role/{ns}-api
""")
    write(f"{root}/k8s/deployment.yaml", f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: {ns}
spec:
  replicas: 3
  selector:
    matchLabels: {{app: api}}
  template:
    metadata:
      labels: {{app: api}}
    spec:
      serviceAccountName: api
      containers:
        - name: api
          image: registry.example.com/{ns}/api:1.{i}
          env:
            - name: AWS_REGION
              value: eu-west-1
          ports:
            - containerPort: 8080
""")
    data = "\n".join(f"    line {j}: " + "x" * 60 for j in range(400))
    write(f"{root}/k8s/configmap.yaml", f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: {ns}
data:
  app.conf: |
{data}
""")
    lock = {"name": ns, "lockfileVersion": 3, "packages": {
        f"node_modules/pkg-{j}": {"version": f"1.{j}.0", "resolved": f"https://registry.example.com/pkg-{j}-1.{j}.0.tgz",
                                   "integrity": "sha512-" + "A" * 86} for j in range(120)}}
    write(f"{root}/app/package-lock.json", json.dumps(lock, indent=2) + "\n")
    operator = "StringLike" if i % 5 == 2 else "StringEquals"
    subjects = "local.subjects"
    if i % 5 == 2:
        subjects = 'concat(local.subjects, ["system:serviceaccount:${var.namespace}:*"])'
    write(f"{root}/terraform/variables.tf", f"""variable "namespace" {{
  type    = string
  default = "{ns}"
}}

variable "oidc_provider_arn" {{
  type = string
}}
""")
    write(f"{root}/terraform/terraform.tfvars", f"""oidc_provider_arn = "arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"
""")
    write(f"{root}/terraform/main.tf", f"""locals {{
  oidc_host = replace(var.oidc_provider_arn, "/^(.*provider/)/", "")
  issuer    = "{ISSUER}"
  subjects  = [for name in ["worker", "cron"] : "system:serviceaccount:${{var.namespace}}:${{name}}"]
}}

resource "aws_iam_role" "worker" {{
  name = "${{var.namespace}}-worker"
  assume_role_policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [{{
      Effect    = "Allow"
      Principal = {{ Federated = var.oidc_provider_arn }}
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {{
        {operator} = {{
          "${{local.issuer}}:sub" = {subjects}
          "${{local.issuer}}:aud" = "sts.amazonaws.com"
        }}
      }}
    }}]
  }})
}}
""")

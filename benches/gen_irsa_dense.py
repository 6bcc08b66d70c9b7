#!/usr/bin/env python3
"""Generate an IRSA-dense corpus for benchmarking the link stage of irsa-lint.

Usage: gen_irsa_dense.py OUT_DIR [N]

N namespaces (default 1000), each with one YAML file (a ServiceAccount annotated with its role and
a Deployment running as it) and one IAM trust policy JSON for that role. A tenth of the trusts
admit the whole namespace (`system:serviceaccount:<ns>:*`), the others the one ServiceAccount.
Every file is about IRSA, so the cross-link stage dominates. Deterministic: the same N gives the
same bytes.
"""
import json
import os
import sys

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
ACCOUNT = "483920175566"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

for i in range(n):
    ns = f"ns-{i:06d}"
    role = f"{ns}-app"
    sub = f"system:serviceaccount:{ns}:app"
    if i % 10 == 3:
        sub = f"system:serviceaccount:{ns}:*"
    cond = {"StringLike" if "*" in sub else "StringEquals": {
        f"{ISSUER}:sub": sub, f"{ISSUER}:aud": "sts.amazonaws.com"}}
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": cond}]}
    write(f"{out}/iam/{role}.json", json.dumps(policy, indent=2) + "\n")
    write(f"{out}/k8s/{ns}/app.yaml", f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: {ns}
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::{ACCOUNT}:role/{role}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  namespace: {ns}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: app}}
  template:
    metadata:
      labels: {{app: app}}
    spec:
      serviceAccountName: app
      containers:
        - name: app
          image: registry.example.com/{ns}/app:1.{i}
          env:
            - name: AWS_REGION
              value: eu-west-1
""")

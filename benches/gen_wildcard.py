#!/usr/bin/env python3
"""Generate the wildcard worst case for the link stage of irsa-lint.

Usage: gen_wildcard.py OUT_DIR [ROLES] [SERVICE_ACCOUNTS]

ROLES trust policies (default 2000) that all admit `system:serviceaccount:*:*`, and
SERVICE_ACCOUNTS ServiceAccounts (default 20000) in namespaces of 20, one multi-document YAML file
per namespace; the first ROLES ServiceAccounts each carry one of the roles, so every role admits
every other ServiceAccount (IRSA306 on each). Deterministic: the same arguments give the same bytes.
"""
import json
import os
import sys

out = sys.argv[1]
roles = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
sas = int(sys.argv[3]) if len(sys.argv) > 3 else 20000
ACCOUNT = "483920175566"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F"
PER_NAMESPACE = 20

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

for r in range(roles):
    policy = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {
            f"{ISSUER}:sub": "system:serviceaccount:*:*",
            f"{ISSUER}:aud": "sts.amazonaws.com"}}}]}
    write(f"{out}/iam/role-{r:05d}.json", json.dumps(policy, indent=2) + "\n")

for start in range(0, sas, PER_NAMESPACE):
    ns = f"ns-{start // PER_NAMESPACE:05d}"
    docs = []
    for i in range(start, min(start + PER_NAMESPACE, sas)):
        annotations = ""
        if i < roles:
            annotations = f"""
  annotations:
    eks.amazonaws.com/role-arn: arn:aws:iam::{ACCOUNT}:role/role-{i:05d}"""
        docs.append(f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: sa-{i:05d}
  namespace: {ns}{annotations}
""")
    write(f"{out}/k8s/{ns}.yaml", "---\n".join(docs))

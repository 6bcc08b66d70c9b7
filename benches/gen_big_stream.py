#!/usr/bin/env python3
"""Generate one large multi-document YAML stream for benchmarking irsa-lint.

Usage: gen_big_stream.py OUT_FILE [DOCUMENTS]   (default 100,000 documents, about 43 MB)

What `kubectl get all -A -o yaml`-style dumps and rendered charts look like: one file, documents
separated by `---`, cycling through a ServiceAccount annotated with a role (every seventh one
naming no account ID's role), a Deployment running as it, a small ConfigMap and a Service.
Deterministic: the same DOCUMENTS gives the same bytes.
"""
import sys

out = sys.argv[1]
documents = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
ACCOUNT = "483920175566"


def document(i):
    ns = f"team-{i // 4:05d}"
    k = i % 4
    if k == 0:
        arn = f"arn:aws:iam::{ACCOUNT}:role/{ns}-api" if i % 7 else f"{ns}-api"
        return f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: api
  namespace: {ns}
  labels:
    app.kubernetes.io/name: api
    app.kubernetes.io/part-of: {ns}
  annotations:
    eks.amazonaws.com/role-arn: {arn}
    eks.amazonaws.com/sts-regional-endpoints: "true"
"""
    if k == 1:
        return f"""apiVersion: apps/v1
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
"""
    if k == 2:
        return f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: api-config
  namespace: {ns}
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "alpha,beta"
  app.conf: |
    listen 0.0.0.0:8080
    upstream http://backend.{ns}.svc.cluster.local:9000
    timeout 30s
"""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: api
  namespace: {ns}
spec:
  selector:
    app: api
  ports:
    - name: http
      port: 80
      targetPort: 8080
"""


with open(out, "w") as f:
    for i in range(documents):
        f.write("---\n")
        f.write(document(i))

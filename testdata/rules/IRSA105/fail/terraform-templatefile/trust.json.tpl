{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Federated": "${provider_arn}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringLike": {
          "${oidc}:sub": "system:serviceaccount:${namespace}:*",
          "${oidc}:aud": "sts.amazonaws.com"
        }
      }
    }
  ]
}

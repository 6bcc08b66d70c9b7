# A trust read with file(): a JSON document with no `:sub` condition at all.
resource "aws_iam_role" "ci" {
  name               = "ci-deployer"
  assume_role_policy = file("${path.module}/ci-trust.json")
}

//! The IAM evaluation engine: decides whether a trust policy admits a web-identity request.

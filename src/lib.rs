//! irsa-lint: a static analyzer for EKS IAM Roles for Service Accounts.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`discover`]: walk the paths given, in parallel, honouring .gitignore and globs.
//! 2. [`parse`]: YAML and JSON into one spanned tree ([`parse::tree`]).
//! 3. [`extract`]: the typed [`model`]: trust policies, ServiceAccounts, workloads.
//! 4. [`link`]: effective namespaces and ServiceAccounts, role links, per-ServiceAccount verdicts.
//! 5. [`check`]: each rule a small pure function over the linked model.
//! 6. [`report`]: human, concise, JSON, SARIF, GitHub, GitLab and JUnit output.
//!
//! [`engine`] evaluates a trust policy against a web-identity request the way AWS does; rules and
//! the cross-link use it. [`registry`] is generated from `rules/`.
//!
//! Around the rules: [`config`] reads `.irsa-lint.yaml`; [`suppress`] applies inline, annotation
//! and configured suppressions; [`baseline`] leaves out findings recorded earlier. The driver,
//! [`lint`], runs it all; [`cli`] is the command line.

pub mod baseline;
pub mod check;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod extract;
pub mod frontend;
pub mod limits;
pub mod link;
pub mod lint;
pub mod model;
pub mod parse;
pub mod registry;
pub mod report;
pub mod source;
pub mod suppress;

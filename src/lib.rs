//! irsa-lint: a static analyzer for EKS IAM Roles for Service Accounts.
//!
//! The pipeline, one module per stage:
//!
//! 1. [`discover`]: walk the paths given, in parallel, honouring .gitignore and globs.
//! 2. [`parse`]: YAML and JSON into one spanned tree ([`parse::tree`]).
//! 3. [`extract`]: the typed [`model`] (trust policies; later ServiceAccounts and workloads).
//! 4. [`link`]: index the model by role and by namespace/name.
//! 5. [`check`]: each rule a small pure function over the linked model.
//! 6. [`report`]: human, concise and JSON output.
//!
//! [`engine`] evaluates a trust policy against a web-identity request the way AWS does; rules and
//! the cross-link use it. [`registry`] is generated from `rules/`.

pub mod check;
pub mod cli;
pub mod diagnostic;
pub mod discover;
pub mod engine;
pub mod extract;
pub mod link;
pub mod lint;
pub mod model;
pub mod parse;
pub mod registry;
pub mod report;
pub mod source;

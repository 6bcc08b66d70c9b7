//! The typed model the rules read: trust policies (and, later, Kubernetes objects).

pub mod oidc;
pub mod policy;

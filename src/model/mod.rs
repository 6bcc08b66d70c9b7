//! The typed model the rules read: trust policies (and, later, Kubernetes objects).

pub mod arn;
pub mod k8s;
pub mod oidc;
pub mod policy;
pub mod template;
pub mod value;
pub mod written;

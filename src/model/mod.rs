//! The typed model the rules read: trust policies, Kubernetes objects, EKS Pod Identity
//! associations.

pub mod arn;
pub mod k8s;
pub mod oidc;
pub mod pod_identity;
pub mod policy;
pub mod template;
pub mod value;
pub mod written;

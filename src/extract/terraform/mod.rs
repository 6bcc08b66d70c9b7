//! Terraform: a module directory's HCL evaluated the way Terraform builds an IAM trust policy or a
//! Kubernetes object, then turned into the spanned tree the JSON/YAML readers produce, so
//! `extract::policy` and `extract::k8s` read it unchanged.
//!
//! * [`value`]: [`TfValue`], a value with the place it was written ([`Origin`]: file and span);
//!   strings are parts, literal or unknown; `jsonencode` results keep the value they encode.
//! * [`eval`]: [`Module`], one directory's files, variables, locals; [`Module::eval`].
//! * [`node`]: [`to_node`], [`document_node`], [`json_string_node`]: values into trees.
//!
//! # Use
//!
//! ```ignore
//! let bodies: Vec<(SourceRef, hcl::Body)> = /* the directory's .tf files, parse::hcl::parse_body */;
//! let tfvars: Vec<(SourceRef, hcl::Body)> = /* terraform.tfvars, *.auto.tfvars */;
//! let module = Module::new(bodies, tfvars, HashMap::new(), "modules/irsa".into(), &NoFiles);
//! for role in module.resources("aws_iam_role") {
//!     for env in module.instances(&role) {             // count / for_each
//!         let Some(policy) = module.attribute(&role, "assume_role_policy", &env) else { continue };
//!         if let Some((source, node)) = document_node(&policy) {
//!             // extract::policy::read_policy(&source, &node, ...)
//!         }
//!     }
//! }
//! ```
//!
//! Nested blocks (`statement`, `principals`, `condition` of `data "aws_iam_policy_document"`)
//! are [`BlockRef::blocks`]; a `dynamic` block's iterator is bound with [`Env::with`]. A module
//! call's arguments, evaluated in the caller with [`Module::eval`], are the `given` values of the
//! called module's [`Module::new`].
//!
//! # What is known
//!
//! Literals, string templates and heredocs (interpolations, `%{if}`/`%{for}` over known values),
//! lists, objects, `var.*` (default < `terraform.tfvars` < `*.auto.tfvars` < given), `local.*`,
//! `path.module`, conditionals, `for` expressions (filters, grouping), splats, unary and binary
//! operators, and the functions of `functions.rs` (`jsonencode`, `jsondecode`, `replace` with a
//! plain pattern, `format`, `join`, `merge`, `templatefile`, `file`, ...). Unknown, with the
//! expression as written: resources, data sources, `module.*`, `path.root`, `path.cwd`,
//! `terraform.workspace`, `each`/`count` outside an instance, any other function, a `replace`
//! with a `/regex/` pattern, a local in a reference cycle, and whatever is over a bound
//! ([`eval::MAX_DEPTH`], [`eval::MAX_REFERENCE_DEPTH`], [`eval::MAX_STEPS`],
//! [`eval::MAX_ELEMENTS`], [`eval::MAX_STRING`]). An expression Terraform would reject is
//! unknown too ([`Module::try_eval`] gives the error).

mod data;
pub mod eval;
mod functions;
pub mod kubernetes;
pub mod modules;
pub mod node;
pub mod pod_identity;
pub mod policy_document;
pub mod roles;
pub mod value;
pub mod versions;

pub use eval::{BlockRef, Env, EvalError, FileLoader, Module, NoFiles};
pub use node::{document_node, json_string_node, to_node};
pub use value::{Origin, StrPart, TfValue, ValueKind};

#[cfg(test)]
mod tests;

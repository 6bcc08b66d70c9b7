//! The IAM evaluation engine: decides whether a trust policy admits a web-identity request.
//!
//! [`evaluate`] takes a [`TrustPolicy`](crate::model::policy::TrustPolicy) and an
//! [`AssumeRoleRequest`] (a [`Caller`]: web identity, AWS service or AWS principal; the actions,
//! each of which must be allowed; the context keys, each value known or [`ContextValue::Unknown`])
//! and returns a [`Verdict`]: Allowed, Denied or Unknown, with the statement and condition entry
//! responsible. Evaluation follows the
//! IAM User Guide ("Policy evaluation logic", "Condition operators", "Conditions with multiple
//! context keys or values") in three-valued logic ([`Tri`]), so values that are not known
//! statically (Terraform interpolations) give Unknown instead of a guess.
//!
//! - [`matcher`]: wildcard, action, ARN and per-operator value matching.
//! - [`tri`]: Kleene logic.
//! - [`request`]: the request and its condition-key context.
//! - [`eval`]: statements, principals, actions, conditions, the whole policy.
//! - [`verdict`]: outcomes and their explanations.

pub mod eval;
pub mod matcher;
pub mod request;
#[doc(hidden)]
pub mod testing;
pub mod tri;
pub mod verdict;

pub use eval::{
    action_applies, admits, aws_principal_matches, evaluate, evaluate_block, evaluate_entry,
    evaluate_statement, explain_statement, federated_matches, principal_matches, service_matches,
};
pub use matcher::{action_matches, arn_matches, wildcard_match};
pub use request::{
    ASSUME_ROLE, ASSUME_ROLE_WITH_WEB_IDENTITY, AssumeRoleRequest, Caller, ContextValue,
    STS_AUDIENCE, TAG_SESSION,
};
pub use tri::Tri;
pub use verdict::{
    ConditionRef, EntryUnknown, Miss, MissPart, Outcome, Reason, StatementEval, UnknownCause,
    Verdict, statement_at,
};

#[cfg(test)]
mod tests;

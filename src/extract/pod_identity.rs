//! What the readers of EKS Pod Identity objects share (CloudFormation, eksctl, `aws eks` output,
//! the ACK and Crossplane custom resources): an association with only its place filled in, and a
//! trimmed text value.

use crate::model::pod_identity::{AssociationOrigin, PodIdentityAssociation};
use crate::model::policy::Located;
use crate::parse::tree::Node;
use crate::source::{SourceRef, Span};

/// An association known only by where it is written: each reader fills in the fields its source
/// states, so that a field a source lacks is None, never a guess.
pub fn association_at(
    source: &SourceRef,
    origin: AssociationOrigin,
    span: Span,
    label: String,
    logical_path: String,
) -> PodIdentityAssociation {
    PodIdentityAssociation {
        source: source.clone(),
        origin,
        span,
        label,
        logical_path,
        address: None,
        cluster: None,
        namespace: None,
        service_account: None,
        role_arn: None,
        role_created: false,
        service_account_created: false,
        target_role_arn: None,
        disable_session_tags: None,
        session_policy: None,
        cluster_account: None,
    }
}

/// A string value trimmed, with its span; None when missing, not a string or blank (an empty
/// `roleARN` is no role).
pub fn located_trimmed(node: Option<&Node>) -> Option<Located<String>> {
    let node = node?;
    let value = node.as_str()?.trim();
    (!value.is_empty()).then(|| Located {
        value: value.to_string(),
        span: node.span,
    })
}

/// The items of a sequence (none when the node is missing or not a sequence).
pub fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_seq).unwrap_or_default()
}

//! The trust-policy model: a role's AssumeRolePolicyDocument with every element's span.
//!
//! Extraction (`crate::extract::policy`) normalises the shapes IAM accepts: `Statement` as object
//! or array; `Action`, principal values and condition values as string or array. Element names are
//! matched case-insensitively there, as IAM does. Nothing here is evaluated: that is
//! `crate::engine`'s job.

use crate::model::oidc;
use crate::model::value::{self, Part, Parts, ValuePart};
use crate::model::written::Written;
use crate::source::{SourceRef, Span};

/// A string with the span it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

/// One value in a policy (an action, a principal, a condition value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyValue {
    /// The value's text as written. For a non-string JSON/YAML scalar (`true`, `3`), its literal
    /// text; for a value with unknown parts, as written too (`$(NS)`, `{{ .Values.x }}`), or when
    /// built from parts, the literal parts and each unknown one as `${expression}` (for messages:
    /// matching reads [`PolicyValue::parts`]).
    pub text: String,
    pub span: Span,
    /// The value's literal and unknown parts when some part is not known statically (a Terraform
    /// interpolation, a CloudFormation `!Sub` with variables); empty for a wholly literal value,
    /// which is `text`. Rules and the engine use three-valued logic for unknown parts.
    pub unknown_parts: Vec<ValuePart>,
    /// True when the source gave a string (quoted); false for numbers, booleans, null.
    pub is_string: bool,
}

impl PolicyValue {
    /// A value known as it is written.
    pub fn literal(text: impl Into<String>, span: Span, is_string: bool) -> PolicyValue {
        PolicyValue {
            text: text.into(),
            span,
            unknown_parts: Vec::new(),
            is_string,
        }
    }

    /// A string value made of `parts`; wholly literal when none is unknown.
    pub fn from_parts(parts: Vec<ValuePart>, span: Span) -> PolicyValue {
        if parts.iter().all(|p| matches!(p.part, Part::Literal(_))) {
            let text = value::written(&parts);
            return PolicyValue::literal(text, span, true);
        }
        PolicyValue {
            text: value::written(&parts),
            span,
            unknown_parts: parts,
            is_string: true,
        }
    }

    /// The value's parts (one literal part for a wholly literal value).
    pub fn parts(&self) -> Parts<'_> {
        Parts::new(&self.text, &self.unknown_parts)
    }

    /// True when some part of the value is not known statically.
    pub fn has_unknown(&self) -> bool {
        !self.unknown_parts.is_empty()
    }
}

/// The start of the `resource_address` of a role eksctl creates under a name CloudFormation
/// generates (`eksctl/CLUSTER/NS/NAME`), and of the hole (`${eksctl/CLUSTER/NS/NAME}`) that its
/// ServiceAccount's role-arn annotation holds: the link binds the two by that text.
pub const EKSCTL_GENERATED_ROLE_PREFIX: &str = "eksctl/";

/// Where a trust policy was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyOrigin {
    /// A file that is just the policy document.
    RawFile,
    /// `aws iam get-role` output (`Role.AssumeRolePolicyDocument`).
    GetRole,
    /// `aws iam list-roles` output (`Roles[].AssumeRolePolicyDocument`).
    ListRoles,
    /// `aws iam get-account-authorization-details` output.
    AccountAuthorizationDetails,
    /// A Terraform resource's argument (`aws_iam_role.x.assume_role_policy`), evaluated.
    Terraform,
    /// An `aws_iam_role` of a Terraform plan (`terraform show -json` of a plan).
    TerraformPlan,
    /// An `aws_iam_role` of Terraform state (`terraform show -json` of state, or a raw
    /// `terraform.tfstate`).
    TerraformState,
    /// An `AWS::IAM::Role` of a CloudFormation template (SAM, `cdk synth` output), evaluated.
    CloudFormation,
    /// A Kubernetes custom resource an operator creates the role from (ACK or Crossplane `Role`).
    KubernetesResource,
    /// The role eksctl creates for a `ClusterConfig`'s `iam.serviceAccounts[]` entry, its trust
    /// synthesised from the entry.
    Eksctl,
}

/// A role's identity, as far as the input tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleIdentity {
    pub name: Option<Located<String>>,
    /// The prefix of a name Terraform generates (`name_prefix`): the role is named this prefix and
    /// a 26-digit suffix, known only after apply.
    pub name_prefix: Option<Located<String>>,
    /// The role path (`/` or `/team/`), when known.
    pub path: Option<Located<String>>,
    pub arn: Option<Located<String>>,
    /// Parsed from the ARN when there is one.
    pub partition: Option<String>,
    pub account: Option<String>,
}

#[derive(Clone, Debug)]
pub struct TrustPolicy {
    pub source: SourceRef,
    pub origin: PolicyOrigin,
    /// Dotted path of the policy document inside its file (`Role.AssumeRolePolicyDocument`), empty
    /// for a raw file; used for stable fingerprints.
    pub logical_path: String,
    /// The role identity when the input carries it (aws iam outputs), None for a raw policy file.
    pub role: Option<RoleIdentity>,
    /// For a raw policy file: its file stem, a candidate role name for cross-linking.
    pub candidate_role_name: Option<String>,
    /// The address of the Terraform resource the policy belongs to
    /// (`module.payments.aws_iam_role.this[0]`), for messages about a role whose name is known
    /// only after apply.
    pub resource_address: Option<String>,
    /// Terraform expressions that evaluate to the role's ARN (`module.irsa.iam_role_arn` for a
    /// role a module call makes), so that a value holding one of them as an unknown part (a
    /// ServiceAccount annotation `${module.irsa.iam_role_arn}`) can be linked to this trust.
    pub arn_references: Vec<String>,
    /// Span of the whole policy document.
    pub document_span: Span,
    /// The document's size as IAM counts it against the trust-policy quota: its non-whitespace
    /// characters once serialised as compact JSON (see `extract::policy::policy_size`).
    pub size: usize,
    /// Keys written twice in one object of the document (names compared ignoring case, as IAM
    /// reads policy elements and condition keys), in document order.
    pub duplicate_keys: Vec<DuplicateKey>,
    /// True when the policy was given as a URL-encoded or JSON-in-a-string value: spans inside it
    /// then point at the whole string (positions inside an encoded string cannot be mapped).
    pub encoded: bool,
    pub version: Option<Located<String>>,
    /// Span of the `Version` key, when present.
    pub version_key: Option<Span>,
    pub statements: Vec<Statement>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
    /// Anything else (IAM rejects it; kept so a rule can point at it).
    Invalid(String),
}

/// A key written twice in one object of a policy document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// Dotted path of the object holding both (`Statement[0].Condition`), empty for the root.
    pub object_path: String,
    /// The first occurrence: its name as written and the key's span.
    pub earlier: Located<String>,
    /// The later occurrence.
    pub later: Located<String>,
}

#[derive(Clone, Debug)]
pub struct Statement {
    /// Position in the `Statement` list (0-based).
    pub index: usize,
    pub span: Span,
    pub sid: Option<Located<String>>,
    pub effect: Option<Located<Effect>>,
    pub principal: Option<PrincipalElement>,
    /// Span of a `NotPrincipal` key (invalid in a trust policy).
    pub not_principal: Option<Span>,
    pub action: Option<ActionElement>,
    pub not_action: Option<ActionElement>,
    /// Spans of `Resource` / `NotResource` keys (invalid in a trust policy).
    pub resource: Option<Span>,
    pub not_resource: Option<Span>,
    pub condition: Option<ConditionElement>,
}

/// What rules and the link stage ask of a statement. These read the model only; what a statement
/// *means* for a request is the engine's business.
impl Statement {
    /// True when the statement's effect is `Allow`.
    pub fn is_allow(&self) -> bool {
        matches!(self.effect.as_ref().map(|e| &e.value), Some(Effect::Allow))
    }

    /// True when the statement's effect is `Deny`.
    pub fn is_deny(&self) -> bool {
        matches!(self.effect.as_ref().map(|e| &e.value), Some(Effect::Deny))
    }

    /// Every value of the statement's `Federated` principal entries.
    pub fn federated_values(&self) -> impl Iterator<Item = &PolicyValue> {
        let entries = match self.principal.as_ref().map(|p| &p.principal) {
            Some(Principal::Map(entries)) => entries.as_slice(),
            _ => &[],
        };
        entries
            .iter()
            .filter(|e| e.is_federated())
            .flat_map(|e| e.values.iter())
    }

    /// The Federated principal values that name an OIDC provider.
    pub fn oidc_principals(&self) -> impl Iterator<Item = &PolicyValue> {
        self.federated_values()
            .filter(|v| oidc::is_oidc_principal(&v.text))
    }

    /// The provider names (`oidc.eks.../id/X`) of the statement's OIDC principals.
    pub fn principal_providers(&self) -> impl Iterator<Item = &str> {
        self.oidc_principals()
            .filter_map(|v| oidc::parse_provider_arn(&v.text).map(|p| p.provider))
    }

    /// Every (operator block, entry) of the statement's Condition element.
    pub fn condition_entries(&self) -> impl Iterator<Item = (&ConditionBlock, &ConditionEntry)> {
        self.condition
            .iter()
            .flat_map(|c| c.operators.iter())
            .flat_map(|b| b.entries.iter().map(move |e| (b, e)))
    }

    /// True when the `Principal` names only principals that never make a web-identity call: a
    /// non-empty map of `AWS`, `Service` or `CanonicalUser` entries, every value known. (`"*"`
    /// admits federated callers too, and a `Federated` entry has its own flows.)
    pub fn principal_never_federated(&self) -> bool {
        let Some(Principal::Map(entries)) = self.principal.as_ref().map(|p| &p.principal) else {
            return false;
        };
        !entries.is_empty()
            && !entries
                .iter()
                .any(|e| e.is_federated() || e.values.iter().any(PolicyValue::has_unknown))
    }

    /// The condition entries on a provider claim (`sub`, `aud`, ...), matched case-insensitively;
    /// also those whose issuer is unknown (`"${local.oidc_host}:sub"` is a `sub` entry).
    pub fn claim_entries<'a>(
        &'a self,
        claim: &'a str,
    ) -> impl Iterator<Item = (&'a ConditionBlock, &'a ConditionEntry)> + 'a {
        self.condition_entries()
            .filter(move |(_, e)| e.claim().is_some_and(|c| c.eq_ignore_ascii_case(claim)))
    }
}

#[derive(Clone, Debug)]
pub struct ActionElement {
    pub key_span: Span,
    pub values: Vec<PolicyValue>,
}

#[derive(Clone, Debug)]
pub struct PrincipalElement {
    pub key_span: Span,
    pub span: Span,
    pub principal: Principal,
}

#[derive(Clone, Debug)]
pub enum Principal {
    /// `"Principal": "*"`.
    Wildcard(PolicyValue),
    /// `{"Federated": [...], "AWS": "...", ...}`.
    Map(Vec<PrincipalEntry>),
    /// Something IAM rejects (a number, a list, ...); kept for its span.
    Invalid,
}

#[derive(Clone, Debug)]
pub struct PrincipalEntry {
    /// `Federated`, `AWS`, `Service`, `CanonicalUser`, as written.
    pub kind: Located<String>,
    pub values: Vec<PolicyValue>,
}

impl PrincipalEntry {
    pub fn is_federated(&self) -> bool {
        self.kind.value.eq_ignore_ascii_case("Federated")
    }
}

#[derive(Clone, Debug)]
pub struct ConditionElement {
    pub key_span: Span,
    pub span: Span,
    /// The element's value as written (`{}` is an empty mapping).
    pub written: Written,
    pub operators: Vec<ConditionBlock>,
}

/// One operator block: `"StringEquals": { key: values, ... }`.
#[derive(Clone, Debug)]
pub struct ConditionBlock {
    /// The operator as written, with the span of the operator key.
    pub operator_name: Located<String>,
    /// None when the operator is not one IAM knows (`StringEqual`).
    pub operator: Option<Operator>,
    /// Span of the block's value (the mapping of keys).
    pub span: Span,
    /// The block's value as written (`{}` is an empty mapping).
    pub written: Written,
    pub entries: Vec<ConditionEntry>,
}

/// `"oidc.eks.../id/X:sub": ["system:serviceaccount:ns:sa", ...]`.
#[derive(Clone, Debug)]
pub struct ConditionEntry {
    /// The key as written (for a key with unknown parts, each as `${expression}`).
    pub key: Located<String>,
    /// The key's literal and unknown parts when some part is not known statically
    /// (`"${local.oidc_host}:sub"`); empty for a literal key, which is `key.value`.
    pub key_unknown_parts: Vec<ValuePart>,
    /// Span of the value (a string or the list).
    pub values_span: Span,
    /// The value as written (`[]` is an empty list).
    pub written: Written,
    pub values: Vec<PolicyValue>,
    /// When the input wrote this key in several places that its tool merged into this one entry
    /// (Terraform's `aws_iam_policy_document` joins the `values` of `condition` blocks with the
    /// same `test` and `variable`), the span of each place, in the order written; else empty.
    pub merged_from: Vec<Span>,
}

impl ConditionEntry {
    /// The key's parts (one literal part for a literal key).
    pub fn key_parts(&self) -> Parts<'_> {
        Parts::new(&self.key.value, &self.key_unknown_parts)
    }

    /// True when some part of the key is not known statically.
    pub fn key_has_unknown(&self) -> bool {
        !self.key_unknown_parts.is_empty()
    }

    /// The claim a provider key names (`sub` of `<issuer>:sub`), whether its issuer is known or
    /// not; None for a key that names no provider claim (`aws:SourceIp`) or whose claim is itself
    /// unknown.
    pub fn claim(&self) -> Option<&str> {
        if self.key_has_unknown() {
            self.key_parts().claim()
        } else {
            oidc::parse_provider_key(&self.key.value).map(|k| k.claim)
        }
    }
}

/// A parsed condition operator: `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operator {
    pub set: Option<SetQualifier>,
    pub base: BaseOperator,
    pub if_exists: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SetQualifier {
    ForAllValues,
    ForAnyValue,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BaseOperator {
    StringEquals,
    StringNotEquals,
    StringEqualsIgnoreCase,
    StringNotEqualsIgnoreCase,
    StringLike,
    StringNotLike,
    ArnEquals,
    ArnNotEquals,
    ArnLike,
    ArnNotLike,
    NumericEquals,
    NumericNotEquals,
    NumericLessThan,
    NumericLessThanEquals,
    NumericGreaterThan,
    NumericGreaterThanEquals,
    DateEquals,
    DateNotEquals,
    DateLessThan,
    DateLessThanEquals,
    DateGreaterThan,
    DateGreaterThanEquals,
    Bool,
    BinaryEquals,
    IpAddress,
    NotIpAddress,
    Null,
}

impl BaseOperator {
    const ALL: [(&'static str, BaseOperator); 27] = [
        ("StringEquals", BaseOperator::StringEquals),
        ("StringNotEquals", BaseOperator::StringNotEquals),
        (
            "StringEqualsIgnoreCase",
            BaseOperator::StringEqualsIgnoreCase,
        ),
        (
            "StringNotEqualsIgnoreCase",
            BaseOperator::StringNotEqualsIgnoreCase,
        ),
        ("StringLike", BaseOperator::StringLike),
        ("StringNotLike", BaseOperator::StringNotLike),
        ("ArnEquals", BaseOperator::ArnEquals),
        ("ArnNotEquals", BaseOperator::ArnNotEquals),
        ("ArnLike", BaseOperator::ArnLike),
        ("ArnNotLike", BaseOperator::ArnNotLike),
        ("NumericEquals", BaseOperator::NumericEquals),
        ("NumericNotEquals", BaseOperator::NumericNotEquals),
        ("NumericLessThan", BaseOperator::NumericLessThan),
        ("NumericLessThanEquals", BaseOperator::NumericLessThanEquals),
        ("NumericGreaterThan", BaseOperator::NumericGreaterThan),
        (
            "NumericGreaterThanEquals",
            BaseOperator::NumericGreaterThanEquals,
        ),
        ("DateEquals", BaseOperator::DateEquals),
        ("DateNotEquals", BaseOperator::DateNotEquals),
        ("DateLessThan", BaseOperator::DateLessThan),
        ("DateLessThanEquals", BaseOperator::DateLessThanEquals),
        ("DateGreaterThan", BaseOperator::DateGreaterThan),
        ("DateGreaterThanEquals", BaseOperator::DateGreaterThanEquals),
        ("Bool", BaseOperator::Bool),
        ("BinaryEquals", BaseOperator::BinaryEquals),
        ("IpAddress", BaseOperator::IpAddress),
        ("NotIpAddress", BaseOperator::NotIpAddress),
        ("Null", BaseOperator::Null),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, op)| *op == self)
            .map(|(name, _)| *name)
            .unwrap_or("?")
    }

    /// Every base operator name (for "did you mean" suggestions).
    pub fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|(name, _)| *name)
    }

    /// Operators whose values are patterns with `*` and `?` wildcards.
    pub fn is_like(self) -> bool {
        matches!(
            self,
            BaseOperator::StringLike
                | BaseOperator::StringNotLike
                | BaseOperator::ArnLike
                | BaseOperator::ArnNotLike
        )
    }

    /// Negated operators: true when the key is absent, and true when no value matches.
    pub fn is_negated(self) -> bool {
        matches!(
            self,
            BaseOperator::StringNotEquals
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringNotLike
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnNotLike
                | BaseOperator::NumericNotEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::NotIpAddress
        )
    }

    /// String and ARN operators: the ones that can constrain an OIDC claim.
    pub fn is_string_like(self) -> bool {
        matches!(
            self,
            BaseOperator::StringEquals
                | BaseOperator::StringNotEquals
                | BaseOperator::StringEqualsIgnoreCase
                | BaseOperator::StringNotEqualsIgnoreCase
                | BaseOperator::StringLike
                | BaseOperator::StringNotLike
                | BaseOperator::ArnEquals
                | BaseOperator::ArnNotEquals
                | BaseOperator::ArnLike
                | BaseOperator::ArnNotLike
        )
    }
}

impl Operator {
    /// Parse an operator name. Operator names are case-sensitive in IAM... in practice IAM
    /// accepts them case-insensitively; we accept any case and let a rule flag odd casing if needed.
    pub fn parse(name: &str) -> Option<Operator> {
        let (set, rest) = if let Some(rest) = strip_prefix_ci(name, "ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else if let Some(rest) = strip_prefix_ci(name, "ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else {
            (None, name)
        };
        let (rest, if_exists) = match strip_suffix_ci(rest, "IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let base = BaseOperator::ALL
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(rest))
            .map(|(_, op)| *op)?;
        // `Null` takes no IfExists qualifier.
        if base == BaseOperator::Null && if_exists {
            return None;
        }
        Some(Operator {
            set,
            base,
            if_exists,
        })
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &s[prefix.len()..])
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let cut = s.len().checked_sub(suffix.len())?;
    let tail = s.get(cut..)?;
    tail.eq_ignore_ascii_case(suffix).then(|| &s[..cut])
}

impl TrustPolicy {
    /// The display path of the file the policy came from.
    pub fn file(&self) -> &str {
        &self.source.display_path
    }

    /// A short name for messages: the role name, else the candidate from the file stem.
    pub fn role_label(&self) -> Option<&str> {
        self.role
            .as_ref()
            .and_then(|r| r.name.as_ref())
            .map(|n| n.value.as_str())
            .or(self.candidate_role_name.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_qualified_operators() {
        let op = Operator::parse("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(op.set, Some(SetQualifier::ForAnyValue));
        assert_eq!(op.base, BaseOperator::StringLike);
        assert!(op.if_exists);
        assert_eq!(
            Operator::parse("StringEquals").unwrap().base,
            BaseOperator::StringEquals
        );
        assert!(Operator::parse("StringEqual").is_none());
        assert!(Operator::parse("StringLikes").is_none());
        assert!(Operator::parse("NullIfExists").is_none());
    }
}

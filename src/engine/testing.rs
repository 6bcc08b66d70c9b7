//! Concise constructors for trust policies and requests, for tests (unit, rule and integration
//! tests). Not part of the public API.
//!
//! ```
//! use irsa_lint::engine::testing::*;
//! use irsa_lint::engine::evaluate;
//!
//! let policy = policy([irsa_allow().condition("StringEquals", &key("sub"), &["system:serviceaccount:ns:sa"])]);
//! assert!(evaluate(&policy, &request("system:serviceaccount:ns:sa")).is_allowed());
//! ```
//!
//! Every span is empty (`Span::default()`) and every node a dummy empty mapping.

use std::sync::Arc;

use crate::model::policy::{
    ActionElement, ConditionBlock, ConditionElement, ConditionEntry, Effect, Located, Operator,
    PolicyOrigin, PolicyValue, Principal, PrincipalElement, PrincipalEntry, Statement, TrustPolicy,
};
use crate::model::value::{Part, ValuePart};
use crate::model::written::{Written, WrittenKind};
use crate::source::{SourceFile, SourceRef, Span};

use super::request::{AssumeRoleRequest, STS_AUDIENCE};

/// An EKS cluster's OIDC provider host, as condition keys spell it.
pub const PROVIDER_HOST: &str =
    "oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/// The IAM OIDC provider ARN for [`PROVIDER_HOST`].
pub const PROVIDER_ARN: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";

/// Another cluster's provider in the same account.
pub const OTHER_PROVIDER_ARN: &str = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210";

/// `<PROVIDER_HOST>:<claim>`.
pub fn key(claim: &str) -> String {
    format!("{PROVIDER_HOST}:{claim}")
}

/// `system:serviceaccount:<namespace>:<name>`.
pub fn sub(namespace: &str, name: &str) -> String {
    format!("system:serviceaccount:{namespace}:{name}")
}

/// The IRSA request from [`PROVIDER_ARN`] with this `sub` and `aud: sts.amazonaws.com`.
pub fn request(sub: &str) -> AssumeRoleRequest {
    AssumeRoleRequest::irsa(PROVIDER_ARN, sub, STS_AUDIENCE)
}

/// An empty source file named `t.json`.
pub fn source() -> SourceRef {
    Arc::new(SourceFile::new("t.json", None, String::new()))
}

/// A dummy node (an empty mapping).
/// A value written as a mapping of `len` entries, or a list of `len` items.
fn written(kind: WrittenKind) -> Written {
    Written {
        span: Span::default(),
        kind,
        tag: None,
    }
}

fn located<T>(value: T) -> Located<T> {
    Located {
        value,
        span: Span::default(),
    }
}

/// A resolved string value.
pub fn value(text: &str) -> PolicyValue {
    PolicyValue::literal(text, Span::default(), true)
}

/// A wholly unknown value (a Terraform interpolation `${expression}`): nothing about it is known.
pub fn unresolved(expression: &str) -> PolicyValue {
    template(&[Part::Unknown(expression.to_string())])
}

/// A value of literal and unknown parts, e.g.
/// `template(&[lit("system:serviceaccount:"), hole("var.ns"), lit(":api")])`.
pub fn template(parts: &[Part]) -> PolicyValue {
    PolicyValue::from_parts(
        parts
            .iter()
            .map(|part| ValuePart {
                part: part.clone(),
                span: Span::default(),
            })
            .collect(),
        Span::default(),
    )
}

/// A literal part, for [`template`].
pub fn lit(text: &str) -> Part {
    Part::Literal(text.to_string())
}

/// An unknown part, for [`template`].
pub fn hole(expression: &str) -> Part {
    Part::Unknown(expression.to_string())
}

/// Resolved string values.
pub fn values(texts: &[&str]) -> Vec<PolicyValue> {
    texts.iter().map(|t| value(t)).collect()
}

/// Builds one [`Statement`]. Its `index` is set by [`policy`].
#[derive(Clone, Debug)]
pub struct StatementBuilder {
    stmt: Statement,
}

/// A statement with this effect (None: no `Effect` key) and nothing else.
pub fn statement(effect: Option<Effect>) -> StatementBuilder {
    StatementBuilder {
        stmt: Statement {
            index: 0,
            span: Span::default(),
            sid: None,
            effect: effect.map(located),
            principal: None,
            not_principal: None,
            action: None,
            not_action: None,
            resource: None,
            not_resource: None,
            condition: None,
        },
    }
}

/// `"Effect": "Allow"`, nothing else.
pub fn allow() -> StatementBuilder {
    statement(Some(Effect::Allow))
}

/// `"Effect": "Deny"`, nothing else.
pub fn deny() -> StatementBuilder {
    statement(Some(Effect::Deny))
}

/// The usual IRSA statement without conditions: Allow, `Federated: PROVIDER_ARN`,
/// `Action: sts:AssumeRoleWithWebIdentity`.
pub fn irsa_allow() -> StatementBuilder {
    allow()
        .federated(PROVIDER_ARN)
        .action(&["sts:AssumeRoleWithWebIdentity"])
}

/// The usual IRSA statement for one service account: `StringEquals` on `sub` and `aud`.
pub fn irsa_statement_for(namespace: &str, name: &str) -> StatementBuilder {
    irsa_allow()
        .condition("StringEquals", &key("sub"), &[&sub(namespace, name)])
        .condition("StringEquals", &key("aud"), &[STS_AUDIENCE])
}

impl StatementBuilder {
    pub fn sid(mut self, sid: &str) -> Self {
        self.stmt.sid = Some(located(sid.to_string()));
        self
    }

    /// `"Principal": "*"`.
    pub fn principal_star(mut self) -> Self {
        self.stmt.principal = Some(principal_element(Principal::Wildcard(value("*"))));
        self
    }

    /// `"Principal": <value>` as a plain string (unresolved or not).
    pub fn principal_string(mut self, v: PolicyValue) -> Self {
        self.stmt.principal = Some(principal_element(Principal::Wildcard(v)));
        self
    }

    /// Add `"<kind>": [values]` to a `Principal` mapping.
    pub fn principal(self, kind: &str, texts: &[&str]) -> Self {
        self.principal_values(kind, values(texts))
    }

    /// Add `"<kind>": [values]` to a `Principal` mapping, with values as given.
    pub fn principal_values(mut self, kind: &str, vals: Vec<PolicyValue>) -> Self {
        let entry = PrincipalEntry {
            kind: located(kind.to_string()),
            values: vals,
        };
        match &mut self.stmt.principal {
            Some(PrincipalElement {
                principal: Principal::Map(entries),
                ..
            }) => entries.push(entry),
            _ => self.stmt.principal = Some(principal_element(Principal::Map(vec![entry]))),
        }
        self
    }

    /// `"Principal": {"Federated": arn}`.
    pub fn federated(self, arn: &str) -> Self {
        self.principal("Federated", &[arn])
    }

    pub fn action(self, texts: &[&str]) -> Self {
        self.action_values(values(texts))
    }

    pub fn action_values(mut self, vals: Vec<PolicyValue>) -> Self {
        self.stmt.action = Some(ActionElement {
            key_span: Span::default(),
            values: vals,
        });
        self
    }

    pub fn not_action(mut self, texts: &[&str]) -> Self {
        self.stmt.not_action = Some(ActionElement {
            key_span: Span::default(),
            values: values(texts),
        });
        self
    }

    pub fn no_action(mut self) -> Self {
        self.stmt.action = None;
        self.stmt.not_action = None;
        self
    }

    /// Add `"<operator>": {"<key>": [values]}`; joins an existing block with the same operator
    /// name, as one JSON object holds several keys under one operator.
    pub fn condition(self, operator: &str, key: &str, texts: &[&str]) -> Self {
        self.condition_values(operator, key, values(texts))
    }

    /// [`StatementBuilder::condition`] with values as given (e.g. [`unresolved`]).
    pub fn condition_values(mut self, operator: &str, key: &str, vals: Vec<PolicyValue>) -> Self {
        let entry = ConditionEntry {
            key: located(key.to_string()),
            key_unknown_parts: Vec::new(),
            values_span: Span::default(),
            written: written(WrittenKind::Seq { len: vals.len() }),
            values: vals,
            merged_from: Vec::new(),
        };
        let element = self.stmt.condition.get_or_insert_with(|| ConditionElement {
            key_span: Span::default(),
            span: Span::default(),
            written: written(WrittenKind::Map { len: 1 }),
            operators: Vec::new(),
        });
        match element
            .operators
            .iter_mut()
            .find(|b| b.operator_name.value == operator)
        {
            Some(block) => block.entries.push(entry),
            None => element.operators.push(ConditionBlock {
                operator_name: located(operator.to_string()),
                operator: Operator::parse(operator),
                span: Span::default(),
                written: written(WrittenKind::Map { len: 1 }),
                entries: vec![entry],
            }),
        }
        self
    }

    /// [`StatementBuilder::condition`] with a key of literal and unknown parts
    /// (`[hole("local.oidc_host"), lit(":sub")]`).
    pub fn condition_key_parts(self, operator: &str, key: &[Part], texts: &[&str]) -> Self {
        let template = template(key);
        let mut built = self.condition(operator, &template.text, texts);
        if let Some(entry) = built
            .stmt
            .condition
            .as_mut()
            .and_then(|c| c.operators.last_mut())
            .and_then(|b| b.entries.last_mut())
        {
            entry.key_unknown_parts = template.unknown_parts;
        }
        built
    }

    /// Start a new block even if one with this operator exists (duplicate operator keys).
    pub fn condition_new_block(mut self, operator: &str, key: &str, texts: &[&str]) -> Self {
        let element = self.stmt.condition.get_or_insert_with(|| ConditionElement {
            key_span: Span::default(),
            span: Span::default(),
            written: written(WrittenKind::Map { len: 1 }),
            operators: Vec::new(),
        });
        element.operators.push(ConditionBlock {
            operator_name: located(operator.to_string()),
            operator: Operator::parse(operator),
            span: Span::default(),
            written: written(WrittenKind::Map { len: 1 }),
            entries: vec![ConditionEntry {
                key: located(key.to_string()),
                key_unknown_parts: Vec::new(),
                values_span: Span::default(),
                written: written(WrittenKind::Seq { len: texts.len() }),
                values: values(texts),
                merged_from: Vec::new(),
            }],
        });
        self
    }

    pub fn build(self) -> Statement {
        self.stmt
    }
}

fn principal_element(principal: Principal) -> PrincipalElement {
    PrincipalElement {
        key_span: Span::default(),
        span: Span::default(),
        principal,
    }
}

impl From<StatementBuilder> for Statement {
    fn from(b: StatementBuilder) -> Statement {
        b.build()
    }
}

/// A raw-file trust policy (`Version: 2012-10-17`) with these statements, indexed in order.
pub fn policy<S: Into<Statement>>(statements: impl IntoIterator<Item = S>) -> TrustPolicy {
    let statements = statements
        .into_iter()
        .enumerate()
        .map(|(index, s)| Statement { index, ..s.into() })
        .collect();
    TrustPolicy {
        source: source(),
        origin: PolicyOrigin::RawFile,
        logical_path: String::new(),
        role: None,
        candidate_role_name: Some("t".to_string()),
        resource_address: None,
        arn_references: Vec::new(),
        document_span: Span::default(),
        size: 0,
        duplicate_keys: Vec::new(),
        encoded: false,
        version: Some(located("2012-10-17".to_string())),
        version_key: None,
        statements,
    }
}

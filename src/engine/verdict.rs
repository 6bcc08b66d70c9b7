//! What the engine concludes and why: the outcome, the statement responsible, and the part of it
//! (principal, action, condition entry) that decided.
//!
//! Statements are named by [`Statement::index`] (their position in the policy's `Statement`
//! list); conditions by [`ConditionRef`]. The `*_in` / `resolve` helpers turn those back into
//! references into the [`TrustPolicy`], so a rule can quote the failing condition.

use crate::model::policy::{ConditionBlock, ConditionEntry, Statement, TrustPolicy};

use super::tri::Tri;

/// Allowed, denied, or not decidable statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    Allowed,
    Denied,
    Unknown,
}

impl Outcome {
    /// Allowed → True, Denied → False.
    pub fn tri(self) -> Tri {
        match self {
            Outcome::Allowed => Tri::True,
            Outcome::Denied => Tri::False,
            Outcome::Unknown => Tri::Unknown,
        }
    }
}

/// One condition entry: `Condition.<operators[block]>.<entries[entry]>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConditionRef {
    /// Index into [`crate::model::policy::ConditionElement::operators`].
    pub block: usize,
    /// Index into [`ConditionBlock::entries`].
    pub entry: usize,
}

impl ConditionRef {
    /// The operator block in `stmt`.
    pub fn block_in(self, stmt: &Statement) -> Option<&ConditionBlock> {
        stmt.condition.as_ref()?.operators.get(self.block)
    }

    /// The entry in `stmt`.
    pub fn entry_in(self, stmt: &Statement) -> Option<&ConditionEntry> {
        self.block_in(stmt)?.entries.get(self.entry)
    }

    /// The block and the entry in `stmt`.
    pub fn resolve(self, stmt: &Statement) -> Option<(&ConditionBlock, &ConditionEntry)> {
        let block = self.block_in(stmt)?;
        Some((block, block.entries.get(self.entry)?))
    }
}

/// The statement whose [`Statement::index`] is `index`.
pub fn statement_at(policy: &TrustPolicy, index: usize) -> Option<&Statement> {
    policy
        .statements
        .get(index)
        .filter(|s| s.index == index)
        .or_else(|| policy.statements.iter().find(|s| s.index == index))
}

/// The first part of a statement that does not match the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MissPart {
    /// The principal does not admit the request's provider (or the statement has no
    /// `Principal`, which IAM would reject).
    Principal,
    /// `Action` does not match the request's action, `NotAction` does, or the statement has
    /// neither (which IAM would reject).
    Action,
    /// This condition entry does not hold.
    Condition(ConditionRef),
}

/// Why one Allow statement does not admit the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Miss {
    /// [`Statement::index`] of the Allow statement.
    pub statement: usize,
    pub part: MissPart,
}

impl Miss {
    pub fn statement_in(self, policy: &TrustPolicy) -> Option<&Statement> {
        statement_at(policy, self.statement)
    }

    /// The failing condition's block and entry, when the miss is a condition.
    pub fn condition_in(self, policy: &TrustPolicy) -> Option<(&ConditionBlock, &ConditionEntry)> {
        match self.part {
            MissPart::Condition(c) => c.resolve(self.statement_in(policy)?),
            _ => None,
        }
    }
}

/// Why a condition entry is Unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntryUnknown {
    /// A value is not known statically (a Terraform interpolation, a CloudFormation `!Sub`).
    UnresolvedValue,
    /// A value uses an IAM policy variable (`${aws:username}`), which is not modelled.
    PolicyVariable,
    /// The operator cannot be decided statically here (the `Date…` family).
    UnsupportedOperator,
    /// The request's value for the key is not known statically (a session tag such as the EKS
    /// cluster ARN when the manifests do not say which cluster runs them).
    UnknownContextValue,
    /// A value is not valid for its operator (`NumericEquals: "abc"`, `Null: "maybe"`): IAM would
    /// reject the policy, so it has no meaning to evaluate.
    InvalidValue,
}

/// The first thing in a statement that could not be decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnknownCause {
    /// A principal value is unresolved and no other principal value admits the request.
    Principal,
    /// An `Action`/`NotAction` value is unresolved and the others do not decide.
    Action,
    /// The block's operator is not one IAM knows (`StringEqual`): IAM would reject the policy
    /// when it is saved, and what the author meant cannot be known.
    UnknownOperator { block: usize },
    /// A condition entry cannot be decided.
    Condition {
        condition: ConditionRef,
        why: EntryUnknown,
    },
}

impl UnknownCause {
    /// The condition entry responsible, when the cause is one.
    pub fn condition(self) -> Option<ConditionRef> {
        match self {
            UnknownCause::Condition { condition, .. } => Some(condition),
            _ => None,
        }
    }
}

/// Whether one statement applies to a request, with the part that decided when it does not.
/// The effect is not considered: Allow and Deny statements "apply" the same way.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatementEval {
    /// Principal, action and every condition match.
    Applies,
    /// Something definitely does not match: the first such part (principal, then action, then
    /// conditions in order).
    Misses(MissPart),
    /// Nothing definitely fails, but something cannot be decided: the first such part.
    Unknown(UnknownCause),
}

impl StatementEval {
    pub fn tri(self) -> Tri {
        match self {
            StatementEval::Applies => Tri::True,
            StatementEval::Misses(_) => Tri::False,
            StatementEval::Unknown(_) => Tri::Unknown,
        }
    }
}

/// Why the outcome is what it is.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// This Allow statement applies and no Deny statement might.
    AllowedBy { statement: usize },
    /// This Deny statement applies (explicit deny wins over any Allow). `condition` is the Deny's
    /// first condition entry (all of them hold), None when the Deny is unconditional.
    ExplicitDeny {
        statement: usize,
        condition: Option<ConditionRef>,
    },
    /// No Allow statement applies (implicit deny): for each Allow statement, in order, the first
    /// part that does not match. Empty when the policy has no Allow statement.
    NoAllow { misses: Vec<Miss> },
    /// The outcome hinges on something undecidable in this statement: a Deny that might apply
    /// while an Allow does, or an Allow that might apply while none definitely does.
    Unknown {
        statement: usize,
        cause: UnknownCause,
    },
}

/// The engine's answer for one policy and one request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub outcome: Outcome,
    pub reason: Reason,
}

impl Verdict {
    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }

    pub fn is_denied(&self) -> bool {
        self.outcome == Outcome::Denied
    }

    pub fn is_unknown(&self) -> bool {
        self.outcome == Outcome::Unknown
    }

    /// The statement responsible, when a single one is (not for an implicit deny).
    pub fn statement(&self) -> Option<usize> {
        match &self.reason {
            Reason::AllowedBy { statement }
            | Reason::ExplicitDeny { statement, .. }
            | Reason::Unknown { statement, .. } => Some(*statement),
            Reason::NoAllow { .. } => None,
        }
    }

    /// The misses of an implicit deny (empty otherwise).
    pub fn misses(&self) -> &[Miss] {
        match &self.reason {
            Reason::NoAllow { misses } => misses,
            _ => &[],
        }
    }

    /// The condition entry named by an explicit deny or an unknown cause.
    pub fn condition_ref(&self) -> Option<ConditionRef> {
        match &self.reason {
            Reason::ExplicitDeny { condition, .. } => *condition,
            Reason::Unknown { cause, .. } => cause.condition(),
            _ => None,
        }
    }

    /// [`Verdict::condition_ref`] resolved in `policy`.
    pub fn condition_in<'p>(
        &self,
        policy: &'p TrustPolicy,
    ) -> Option<(&'p ConditionBlock, &'p ConditionEntry)> {
        let stmt = statement_at(policy, self.statement()?)?;
        self.condition_ref()?.resolve(stmt)
    }
}

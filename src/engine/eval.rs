//! Policy evaluation as IAM does it for a role trust policy and a request to assume the role
//! (`AssumeRoleWithWebIdentity`, `AssumeRole`, with `TagSession`), in three-valued logic.
//!
//! References (AWS IAM User Guide): "Policy evaluation logic", "IAM JSON policy elements:
//! Condition operators", "Conditions with multiple context keys or values", "Set operators for
//! multivalued context keys".

use crate::model::oidc::parse_provider_arn;
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, Effect, Operator, PolicyValue, Principal,
    PrincipalElement, PrincipalEntry, SetQualifier, Statement, TrustPolicy,
};

use super::matcher::{
    action_matches, eq_ignore_case, has_policy_variable, parts_match, policy_value_matches,
};
use super::request::{AssumeRoleRequest, Caller, ContextValue};
use super::tri::Tri;
use super::verdict::{
    ConditionRef, EntryUnknown, Miss, MissPart, Outcome, Reason, StatementEval, UnknownCause,
    Verdict,
};

/// Evaluate a trust policy against a request.
///
/// "Policy evaluation logic": an explicit Deny that applies overrides everything; otherwise an
/// Allow that applies allows; otherwise the request is implicitly denied. In three-valued logic:
/// a Deny that might apply makes an otherwise allowed request Unknown, and an Allow that might
/// apply (while none surely does) makes an otherwise denied request Unknown. Statements whose
/// `Effect` is missing or not `Allow`/`Deny` are ignored: IAM would reject the policy, and a rule
/// reports that.
///
/// A request for several actions (`sts:AssumeRole` and `sts:TagSession`) is several
/// authorizations with the same principal and context (see [`AssumeRoleRequest`]): each action is
/// evaluated over the whole policy, and the request is allowed when every action is. In Kleene
/// AND: the first denied action's verdict, else the first unknown one's, else the first action's
/// (all allowed). With one action this is that action's verdict.
pub fn evaluate(policy: &TrustPolicy, request: &AssumeRoleRequest) -> Verdict {
    let mut allowed: Option<Verdict> = None;
    let mut unknown: Option<Verdict> = None;
    for action in &request.actions {
        let verdict = evaluate_action(policy, request, std::slice::from_ref(action));
        match verdict.outcome {
            Outcome::Denied => return verdict,
            Outcome::Unknown => {
                unknown.get_or_insert(verdict);
            }
            Outcome::Allowed => {
                allowed.get_or_insert(verdict);
            }
        }
    }
    // No action at all: nothing asked for, nothing allowed.
    unknown.or(allowed).unwrap_or(Verdict {
        outcome: Outcome::Denied,
        reason: Reason::NoAllow { misses: Vec::new() },
    })
}

/// Does the trust policy admit the request? [`evaluate`]'s outcome as a [`Tri`] (Allowed is
/// True, Denied False, Unknown Unknown), without building the explanation: for the many yes/no
/// questions of the link stage (a role's blast radius), where only reported findings need the
/// reason. A property test checks that the two agree.
pub fn admits(policy: &TrustPolicy, request: &AssumeRoleRequest) -> Tri {
    if request.actions.is_empty() {
        // No action at all: nothing asked for, nothing allowed.
        return Tri::False;
    }
    // Kleene AND over the actions: the first denied one decides, else any unknown one.
    Tri::all(
        request
            .actions
            .iter()
            .map(|action| admits_action(policy, request, std::slice::from_ref(action))),
    )
}

/// [`admits`] for one action of the request ([`evaluate_action`]'s outcome).
fn admits_action(policy: &TrustPolicy, request: &AssumeRoleRequest, action: &[String]) -> Tri {
    let (mut allowed, mut allow_unknown, mut deny_unknown) = (false, false, false);
    for stmt in &policy.statements {
        let is_deny = match stmt.effect.as_ref().map(|e| &e.value) {
            Some(Effect::Allow) => false,
            Some(Effect::Deny) => true,
            Some(Effect::Invalid(_)) | None => continue,
        };
        // Once an Allow surely applies, another Allow changes nothing.
        if !is_deny && allowed {
            continue;
        }
        match (is_deny, statement_applies(stmt, request, action)) {
            (true, Tri::True) => return Tri::False,
            (true, Tri::Unknown) => deny_unknown = true,
            (false, Tri::True) => allowed = true,
            (false, Tri::Unknown) => allow_unknown = true,
            (_, Tri::False) => {}
        }
    }
    match (allowed, deny_unknown, allow_unknown) {
        (true, true, _) => Tri::Unknown,
        (true, false, _) => Tri::True,
        (false, _, true) => Tri::Unknown,
        (false, _, false) => Tri::False,
    }
}

/// [`explain_for`]'s answer as a [`Tri`]: the Kleene AND of the principal, the actions and every
/// condition entry (an unreadable operator block is Unknown).
fn statement_applies(stmt: &Statement, request: &AssumeRoleRequest, actions: &[String]) -> Tri {
    let principal = match &stmt.principal {
        Some(p) => principal_matches(p, request),
        None => Tri::False,
    };
    if principal.is_false() {
        return Tri::False;
    }
    let action = Tri::all(actions.iter().map(|a| action_covers(stmt, a)));
    if action.is_false() {
        return Tri::False;
    }
    let mut result = principal.and(action);
    let blocks = stmt
        .condition
        .as_ref()
        .map(|c| c.operators.as_slice())
        .unwrap_or(&[]);
    for block in blocks {
        if block.operator.is_none() {
            result = result.and(Tri::Unknown);
            continue;
        }
        for entry in &block.entries {
            match evaluate_entry(block, entry, request) {
                Tri::True => {}
                Tri::False => return Tri::False,
                Tri::Unknown => result = Tri::Unknown,
            }
        }
    }
    result
}

/// [`evaluate`] for one action of the request.
fn evaluate_action(
    policy: &TrustPolicy,
    request: &AssumeRoleRequest,
    action: &[String],
) -> Verdict {
    let mut allowed_by: Option<usize> = None;
    let mut allow_unknown: Option<(usize, UnknownCause)> = None;
    let mut deny_unknown: Option<(usize, UnknownCause)> = None;
    let mut misses = Vec::new();

    for stmt in &policy.statements {
        let is_deny = match stmt.effect.as_ref().map(|e| &e.value) {
            Some(Effect::Allow) => false,
            Some(Effect::Deny) => true,
            Some(Effect::Invalid(_)) | None => continue,
        };
        match (is_deny, explain_for(stmt, request, action)) {
            (true, StatementEval::Applies) => {
                return Verdict {
                    outcome: Outcome::Denied,
                    reason: Reason::ExplicitDeny {
                        statement: stmt.index,
                        condition: first_condition(stmt),
                    },
                };
            }
            (true, StatementEval::Unknown(cause)) => {
                deny_unknown.get_or_insert((stmt.index, cause));
            }
            (true, StatementEval::Misses(_)) => {}
            (false, StatementEval::Applies) => {
                allowed_by.get_or_insert(stmt.index);
            }
            (false, StatementEval::Unknown(cause)) => {
                allow_unknown.get_or_insert((stmt.index, cause));
            }
            (false, StatementEval::Misses(part)) => misses.push(Miss {
                statement: stmt.index,
                part,
            }),
        }
    }

    let unknown = |(statement, cause): (usize, UnknownCause)| Verdict {
        outcome: Outcome::Unknown,
        reason: Reason::Unknown { statement, cause },
    };
    match (allowed_by, deny_unknown, allow_unknown) {
        (Some(_), Some(deny), _) => unknown(deny),
        (Some(statement), None, _) => Verdict {
            outcome: Outcome::Allowed,
            reason: Reason::AllowedBy { statement },
        },
        // No Allow surely applies; one might. A Deny that might apply cannot make this worse
        // than Unknown, and cannot make it Allowed.
        (None, _, Some(allow)) => unknown(allow),
        (None, _, None) => Verdict {
            outcome: Outcome::Denied,
            reason: Reason::NoAllow { misses },
        },
    }
}

/// The first condition entry of a statement, if it has one.
fn first_condition(stmt: &Statement) -> Option<ConditionRef> {
    let blocks = &stmt.condition.as_ref()?.operators;
    blocks
        .iter()
        .position(|b| !b.entries.is_empty())
        .map(|block| ConditionRef { block, entry: 0 })
}

/// Whether a statement applies to the request (principal, every action and conditions all
/// match), whatever its effect.
pub fn evaluate_statement(stmt: &Statement, request: &AssumeRoleRequest) -> Tri {
    explain_statement(stmt, request).tri()
}

/// [`evaluate_statement`] with the part that decided: the first part (principal, action,
/// condition entries in order) that definitely fails, else the first that is Unknown.
pub fn explain_statement(stmt: &Statement, request: &AssumeRoleRequest) -> StatementEval {
    explain_for(stmt, request, &request.actions)
}

/// [`explain_statement`] for some of the request's actions (all of them must be covered).
fn explain_for(stmt: &Statement, request: &AssumeRoleRequest, actions: &[String]) -> StatementEval {
    // Kleene AND over all parts: one definite failure decides, whatever is unknown elsewhere, so
    // failures are looked for first, across all parts.
    let principal = match &stmt.principal {
        Some(p) => principal_matches(p, request),
        // No Principal: IAM refuses such a trust policy; nothing can be admitted by it.
        None => Tri::False,
    };
    let action = Tri::all(actions.iter().map(|a| action_covers(stmt, a)));

    let mut first_unknown: Option<UnknownCause> = None;
    let mut note_unknown = |cause: UnknownCause| {
        first_unknown.get_or_insert(cause);
    };
    if principal.is_false() {
        return StatementEval::Misses(MissPart::Principal);
    }
    if principal.is_unknown() {
        note_unknown(UnknownCause::Principal);
    }
    if action.is_false() {
        return StatementEval::Misses(MissPart::Action);
    }
    if action.is_unknown() {
        note_unknown(UnknownCause::Action);
    }

    let blocks = stmt
        .condition
        .as_ref()
        .map(|c| c.operators.as_slice())
        .unwrap_or(&[]);
    for (block_index, block) in blocks.iter().enumerate() {
        if block.operator.is_none() {
            // A block we cannot read is Unknown, not False: Kleene AND still lets a definitely
            // failing sibling block decide the statement.
            note_unknown(UnknownCause::UnknownOperator { block: block_index });
            continue;
        }
        for (entry_index, entry) in block.entries.iter().enumerate() {
            let condition = ConditionRef {
                block: block_index,
                entry: entry_index,
            };
            match evaluate_entry(block, entry, request) {
                Tri::True => {}
                Tri::False => return StatementEval::Misses(MissPart::Condition(condition)),
                Tri::Unknown => note_unknown(UnknownCause::Condition {
                    condition,
                    why: entry_unknown_reason(block, entry, request),
                }),
            }
        }
    }

    match first_unknown {
        Some(cause) => StatementEval::Unknown(cause),
        None => StatementEval::Applies,
    }
}

/// Does the `Principal` element admit the request's caller?
///
/// - `"*"` admits everyone, and so does `{"AWS": "*"}` (the IAM docs treat the two as the same
///   "all principals"), whatever the caller.
/// - A `Federated` value admits the web-identity provider it names: see [`federated_matches`].
/// - A `Service` value admits the service caller it names: see [`service_matches`].
/// - Another `AWS` value admits an AWS caller it names: see [`aws_principal_matches`].
/// - Any other pairing (a `Service` value and a web identity, `CanonicalUser`, …) admits nothing.
///
/// Values are OR-ed; an unresolved value is Unknown when some text in its unknown parts could
/// name the caller.
pub fn principal_matches(element: &PrincipalElement, request: &AssumeRoleRequest) -> Tri {
    match &element.principal {
        Principal::Wildcard(value) if value.has_unknown() => could_be(value, "*"),
        Principal::Wildcard(value) => (value.text == "*").into(),
        Principal::Map(entries) => Tri::any(entries.iter().flat_map(|entry| {
            entry
                .values
                .iter()
                .map(move |value| principal_value_matches(entry, value, &request.caller))
        })),
        Principal::Invalid => Tri::False,
    }
}

fn principal_value_matches(entry: &PrincipalEntry, value: &PolicyValue, caller: &Caller) -> Tri {
    let text = value.text.as_str();
    let kind = entry.kind.value.as_str();
    if entry.is_federated() {
        let Caller::WebIdentity { provider_arn } = caller else {
            return Tri::False;
        };
        if value.has_unknown() {
            // Principal values are compared as identifiers, the provider's host ignoring case: a
            // case-blind match with unknown parts as any text is the widest that comparison gets.
            return if parts_match(value.parts(), provider_arn, false, true) {
                Tri::Unknown
            } else {
                Tri::False
            };
        }
        federated_matches(text, provider_arn).into()
    } else if kind.eq_ignore_ascii_case("AWS") {
        if value.has_unknown() {
            let names = match caller {
                Caller::Aws(arn) => aws_names(arn),
                _ => Vec::new(),
            };
            return Tri::any(
                std::iter::once("*")
                    .chain(names.iter().map(String::as_str))
                    .map(|name| could_be(value, name)),
            );
        }
        match caller {
            Caller::Aws(arn) => (text == "*" || aws_principal_matches(text, arn)).into(),
            _ => (text == "*").into(),
        }
    } else if kind.eq_ignore_ascii_case("Service") {
        let Caller::Service(name) = caller else {
            return Tri::False;
        };
        if value.has_unknown() {
            return could_be(value, name);
        }
        service_matches(text, name).into()
    } else {
        Tri::False
    }
}

/// Does a `Service` principal value name this service principal?
///
/// A service principal is an identifier (`pods.eks.amazonaws.com`), not a pattern: IAM accepts no
/// wildcard in it. It is compared exactly, case included: the stored IAM pages did not settle
/// whether IAM folds case here, and an exact comparison never reports a mismatched spelling as
/// admitted.
pub fn service_matches(principal: &str, service: &str) -> bool {
    principal == service
}

/// Does an `AWS` principal value (not `*`) name this AWS caller?
///
/// "AWS JSON policy elements: Principal", "AWS account principals": an account, written as its
/// root ARN (`arn:aws:iam::111122223333:root`) or as its bare 12-digit id, delegates to the
/// account: it admits every principal of that account (whose own identity policies must then
/// allow the call, which a trust policy does not see), not only the root user. Any other value
/// names one principal by ARN (a role, a user, an assumed-role session) and is compared exactly.
pub fn aws_principal_matches(principal: &str, caller_arn: &str) -> bool {
    aws_names(caller_arn).iter().any(|name| name == principal)
}

/// Every `AWS` principal value that names this caller: its ARN, its account's root ARN and its
/// account id (the last two when the ARN has an account).
fn aws_names(caller_arn: &str) -> Vec<String> {
    let mut names = vec![caller_arn.to_string()];
    let fields: Vec<&str> = caller_arn.splitn(6, ':').collect();
    if let [_, partition, _, _, account, _] = fields[..]
        && !account.is_empty()
    {
        names.push(format!("arn:{partition}:iam::{account}:root"));
        names.push(account.to_string());
    }
    names
}

/// Unknown when `value`'s unknown parts can make it exactly `text`, else False.
fn could_be(value: &PolicyValue, text: &str) -> Tri {
    if parts_match(value.parts(), text, false, false) {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// Does a `Federated` principal value name the request's provider?
///
/// Principal values are not patterns: IAM compares them as identifiers. For two IAM OIDC provider
/// ARNs, partition and account must be equal, the provider's host name is compared ignoring case
/// (DNS names are case-insensitive), and the path after the host (`/id/<cluster id>`) exactly —
/// so a lower-cased EKS cluster id does not match. Anything else (`accounts.google.com`,
/// `cognito-identity.amazonaws.com`, SAML providers) is compared exactly.
pub fn federated_matches(principal: &str, provider_arn: &str) -> bool {
    match (
        parse_provider_arn(principal),
        parse_provider_arn(provider_arn),
    ) {
        (Some(p), Some(r)) => {
            let (p_host, p_path) = split_host(p.provider);
            let (r_host, r_path) = split_host(r.provider);
            p.partition == r.partition
                && p.account == r.account
                && p_host.eq_ignore_ascii_case(r_host)
                && p_path == r_path
        }
        _ => principal == provider_arn,
    }
}

fn split_host(provider: &str) -> (&str, &str) {
    match provider.find('/') {
        Some(i) => provider.split_at(i),
        None => (provider, ""),
    }
}

/// Does the statement's `Action` (or `NotAction`) cover every action of the request?
pub fn action_applies(stmt: &Statement, request: &AssumeRoleRequest) -> Tri {
    Tri::all(request.actions.iter().map(|a| action_covers(stmt, a)))
}

/// Does the statement's `Action` (or `NotAction`) cover one action?
///
/// `Action` values are OR-ed patterns; `NotAction` applies when the action matches none of its
/// patterns. A statement with neither does not apply (IAM would reject it). With both (also
/// invalid), both must hold.
fn action_covers(stmt: &Statement, action: &str) -> Tri {
    let any_pattern = |values: &[crate::model::policy::PolicyValue]| {
        Tri::any(values.iter().map(|v| {
            if v.has_unknown() {
                // Action names ignore case, and patterns have wildcards.
                if parts_match(v.parts(), action, true, true) {
                    Tri::Unknown
                } else {
                    Tri::False
                }
            } else {
                action_matches(&v.text, action).into()
            }
        }))
    };
    match (&stmt.action, &stmt.not_action) {
        (None, None) => Tri::False,
        (action, not_action) => {
            let in_action = action
                .as_ref()
                .map_or(Tri::True, |a| any_pattern(&a.values));
            let outside_not_action = not_action
                .as_ref()
                .map_or(Tri::True, |n| !any_pattern(&n.values));
            in_action.and(outside_not_action)
        }
    }
}

/// Evaluate an operator block: its entries (keys) are AND-ed. Unknown for an operator IAM does not
/// know.
pub fn evaluate_block(block: &ConditionBlock, request: &AssumeRoleRequest) -> Tri {
    if block.operator.is_none() {
        return Tri::Unknown;
    }
    Tri::all(
        block
            .entries
            .iter()
            .map(|entry| evaluate_entry(block, entry, request)),
    )
}

/// Evaluate one condition entry (one key and its values) under its block's operator.
///
/// From the IAM docs ("Condition operators", "Conditions with multiple context keys or values",
/// "Set operators for multivalued context keys"):
///
/// - The policy values of one key are OR-ed: the request value must match one of them. For a
///   negated operator (`StringNotEquals`, `StringNotLike`, `ArnNotLike`, …) they are NOR-ed: the
///   request value must match none of them.
/// - A key absent from the request: positive operators are false, negated operators are true;
///   `…IfExists` is true; `ForAllValues:` is true (vacuously: every one of no values matches);
///   `ForAnyValue:` is false.
/// - `Null`: `"true"` holds when the key is absent, `"false"` when it is present.
/// - `ForAllValues:` holds when every request value matches; `ForAnyValue:` when at least one
///   does.
/// - No set qualifier but several request values (a multi-valued claim such as `amr`): the IAM
///   docs say to use a set operator; we read a positive operator as `ForAnyValue:` (some value
///   matches) and a negated one as "no request value matches any policy value" — the literal
///   negation of the positive reading, which equals the single-valued meaning when there is one
///   value.
///
/// A policy value with unknown parts makes its comparison Unknown when some text in them could
/// match, False when none could ([`policy_value_matches`]), combined in Kleene logic. A request
/// value that is not known statically ([`ContextValue::Unknown`]) is present (for `Null`,
/// `…IfExists` and the absent-key rules) but its every comparison is Unknown.
pub fn evaluate_entry(
    block: &ConditionBlock,
    entry: &ConditionEntry,
    request: &AssumeRoleRequest,
) -> Tri {
    let Some(op) = block.operator else {
        return Tri::Unknown;
    };
    if entry.key_has_unknown() {
        return evaluate_unknown_key(op, entry, request);
    }
    evaluate_entry_values(op, entry, request.context_values(&entry.key.value))
}

/// An entry whose key has unknown parts (`"${local.oidc_host}:sub"`): the key is one of the
/// request's context keys that its parts can spell (case-insensitively, as key names compare), or
/// a key the request does not carry. Decided when every such reading gives the same answer, else
/// Unknown.
fn evaluate_unknown_key(op: Operator, entry: &ConditionEntry, request: &AssumeRoleRequest) -> Tri {
    let parts = entry.key_parts();
    let mut readings: Vec<&[ContextValue]> = vec![&[]];
    for (name, values) in &request.keys {
        if parts_match(parts, name, false, true) {
            readings.push(values);
        }
    }
    if let Some(host) = request.provider_host() {
        for (claim, values) in &request.claims {
            if parts_match(parts, &format!("{host}:{claim}"), false, true) {
                readings.push(values);
            }
        }
    }
    let mut answers = readings
        .into_iter()
        .map(|values| evaluate_entry_values(op, entry, values));
    let first = answers.next().unwrap_or(Tri::Unknown);
    if answers.all(|a| a == first) {
        first
    } else {
        Tri::Unknown
    }
}

/// [`evaluate_entry`] once the key's values in the request are known (empty: the key is absent).
fn evaluate_entry_values(
    op: Operator,
    entry: &ConditionEntry,
    request_values: &[ContextValue],
) -> Tri {
    let absent = request_values.is_empty();

    if op.base == BaseOperator::Null {
        // The set qualifier is meaningless for Null; values are OR-ed like any other.
        return Tri::any(entry.values.iter().map(|v| {
            if v.has_unknown() {
                Tri::Unknown
            } else if eq_ignore_case(&v.text, "true") {
                absent.into()
            } else if eq_ignore_case(&v.text, "false") {
                (!absent).into()
            } else {
                Tri::Unknown
            }
        }));
    }

    if absent {
        return if op.if_exists {
            Tri::True
        } else {
            match op.set {
                Some(SetQualifier::ForAllValues) => Tri::True,
                Some(SetQualifier::ForAnyValue) => Tri::False,
                None => op.base.is_negated().into(),
            }
        };
    }

    // Does one request value match one of the policy values (positive sense)?
    let matches_some_policy_value = |request_value: &ContextValue| match request_value {
        ContextValue::Known(text) => Tri::any(
            entry
                .values
                .iter()
                .map(|v| policy_value_matches(op.base, v, text)),
        ),
        ContextValue::Unknown(_) => Tri::Unknown,
    };
    // Does one request value satisfy the operator (negated operators: match none)?
    let satisfies = |request_value: &ContextValue| {
        let m = matches_some_policy_value(request_value);
        if op.base.is_negated() { !m } else { m }
    };

    match op.set {
        Some(SetQualifier::ForAllValues) => Tri::all(request_values.iter().map(satisfies)),
        Some(SetQualifier::ForAnyValue) => Tri::any(request_values.iter().map(satisfies)),
        None if op.base.is_negated() => Tri::all(request_values.iter().map(satisfies)),
        None => Tri::any(request_values.iter().map(satisfies)),
    }
}

/// Why an entry that evaluated to Unknown is Unknown (the first applicable reason).
fn entry_unknown_reason(
    block: &ConditionBlock,
    entry: &ConditionEntry,
    request: &AssumeRoleRequest,
) -> EntryUnknown {
    let base = block.operator.map(|op| op.base);
    let unknown_in_request = request
        .context_values(&entry.key.value)
        .iter()
        .any(|v| matches!(v, ContextValue::Unknown(_)));
    if unknown_in_request {
        EntryUnknown::UnknownContextValue
    } else if entry.key_has_unknown() || entry.values.iter().any(PolicyValue::has_unknown) {
        EntryUnknown::UnresolvedValue
    } else if base.is_some_and(BaseOperator::is_string_like)
        && entry.values.iter().any(|v| has_policy_variable(&v.text))
    {
        EntryUnknown::PolicyVariable
    } else if matches!(
        base,
        Some(
            BaseOperator::DateEquals
                | BaseOperator::DateNotEquals
                | BaseOperator::DateLessThan
                | BaseOperator::DateLessThanEquals
                | BaseOperator::DateGreaterThan
                | BaseOperator::DateGreaterThanEquals
        )
    ) {
        EntryUnknown::UnsupportedOperator
    } else {
        EntryUnknown::InvalidValue
    }
}

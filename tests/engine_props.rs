//! Property tests of the evaluation engine against simple reference models.

use irsa_lint::engine::testing::{irsa_allow, key, policy, request};
use irsa_lint::engine::{Outcome, evaluate, wildcard_match};
use proptest::prelude::*;

/// An obviously correct wildcard matcher: dynamic programming over (pattern prefix, text prefix).
/// `m[i][j]`: does `pattern[..i]` match `text[..j]`?
fn reference_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let fold = |s: &str| -> Vec<char> {
        if ignore_case {
            s.chars().flat_map(char::to_lowercase).collect()
        } else {
            s.chars().collect()
        }
    };
    let p = fold(pattern);
    let t = fold(text);
    let mut m = vec![vec![false; t.len() + 1]; p.len() + 1];
    m[0][0] = true;
    for i in 1..=p.len() {
        for j in 0..=t.len() {
            m[i][j] = match p[i - 1] {
                // `*` matches nothing (m[i-1][j]) or one more character (m[i][j-1]).
                '*' => m[i - 1][j] || (j > 0 && m[i][j - 1]),
                '?' => j > 0 && m[i - 1][j - 1],
                c => j > 0 && m[i - 1][j - 1] && t[j - 1] == c,
            };
        }
    }
    m[p.len()][t.len()]
}

fn pattern_strategy() -> impl Strategy<Value = String> {
    "[ab:*?]{0,10}"
}

fn text_strategy() -> impl Strategy<Value = String> {
    "[ab:]{0,12}"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// (a) The linear-ish matcher agrees with the reference on a small alphabet.
    #[test]
    fn wildcard_agrees_with_reference(pattern in pattern_strategy(), text in text_strategy()) {
        prop_assert_eq!(
            wildcard_match(&pattern, &text, false),
            reference_match(&pattern, &text, false),
            "pattern {:?} text {:?}", pattern, text
        );
    }

    /// (a') The same with mixed case and case folding.
    #[test]
    fn wildcard_ignore_case_agrees(pattern in "[aAbB:*?]{0,8}", text in "[aAbB:]{0,10}") {
        prop_assert_eq!(
            wildcard_match(&pattern, &text, true),
            reference_match(&pattern, &text, true)
        );
        prop_assert_eq!(
            wildcard_match(&pattern, &text, false),
            reference_match(&pattern, &text, false)
        );
    }

    /// Texts built to match a pattern (every `*` and `?` replaced by something) always match.
    #[test]
    fn wildcard_matches_its_instances(
        pattern in pattern_strategy(),
        fills in proptest::collection::vec("[ab:]{0,3}", 10),
    ) {
        let mut text = String::new();
        for (i, c) in pattern.chars().enumerate() {
            match c {
                '*' => text.push_str(&fills[i]),
                '?' => text.push(fills[i].chars().next().unwrap_or('a')),
                c => text.push(c),
            }
        }
        prop_assert!(wildcard_match(&pattern, &text, false), "{:?} {:?}", pattern, text);
    }

    /// (b) StringEquals treats `*` and `?` literally: a value matches only itself.
    #[test]
    fn string_equals_is_literal(pattern in pattern_strategy(), sub in text_strategy()) {
        let p = policy([irsa_allow().condition("StringEquals", &key("sub"), &[&pattern])]);
        let expected = if pattern == sub { Outcome::Allowed } else { Outcome::Denied };
        prop_assert_eq!(evaluate(&p, &request(&sub)).outcome, expected);
        // And the literal itself is always admitted.
        prop_assert!(evaluate(&p, &request(&pattern)).is_allowed());
    }

    /// (c) A single-statement policy with `StringLike` on `sub` admits exactly the subs the
    /// pattern matches.
    #[test]
    fn string_like_policy_is_wildcard_match(pattern in pattern_strategy(), sub in text_strategy()) {
        let p = policy([irsa_allow().condition("StringLike", &key("sub"), &[&pattern])]);
        let expected = if wildcard_match(&pattern, &sub, false) {
            Outcome::Allowed
        } else {
            Outcome::Denied
        };
        prop_assert_eq!(evaluate(&p, &request(&sub)).outcome, expected);
    }

    /// `StringNotLike` is the exact complement of `StringLike` for a present key.
    #[test]
    fn string_not_like_is_complement(pattern in pattern_strategy(), sub in text_strategy()) {
        let like = policy([irsa_allow().condition("StringLike", &key("sub"), &[&pattern])]);
        let not_like = policy([irsa_allow().condition("StringNotLike", &key("sub"), &[&pattern])]);
        let req = request(&sub);
        prop_assert_ne!(evaluate(&like, &req).outcome, evaluate(&not_like, &req).outcome);
    }
}

#[test]
fn reference_matcher_sanity() {
    assert!(reference_match("a*b", "a::b", false));
    assert!(!reference_match("a?b", "ab", false));
    assert!(reference_match("A*", "ab", true));
    assert!(reference_match("", "", false));
    assert!(!reference_match("", "a", false));
}

// ---------------------------------------------------------------------------------------------
// Values with unknown parts

use irsa_lint::engine::matcher::{parts_match, policy_value_matches, value_matches};
use irsa_lint::engine::testing::{hole, lit, template};
use irsa_lint::model::policy::BaseOperator;
use irsa_lint::model::value::Part;

/// The operators whose answer for a value with unknown parts is computed (not just Unknown).
const MATCHED_OPERATORS: [BaseOperator; 6] = [
    BaseOperator::StringEquals,
    BaseOperator::StringNotEquals,
    BaseOperator::StringEqualsIgnoreCase,
    BaseOperator::StringLike,
    BaseOperator::StringNotLike,
    BaseOperator::ArnLike,
];

/// A value of up to four parts, each literal (from a small alphabet with wildcards) or unknown.
fn parts_strategy() -> impl Strategy<Value = Vec<Option<String>>> {
    proptest::collection::vec(proptest::option::of("[aAb:*?]{0,4}"), 0..5)
}

fn as_parts(spec: &[Option<String>]) -> Vec<Part> {
    spec.iter()
        .enumerate()
        .map(|(i, p)| match p {
            Some(text) => lit(text),
            None => hole(&format!("var.p{i}")),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// A wholly literal value matches as its text does: the parts matcher is the wildcard matcher
    /// for the Like operators, and plain equality otherwise.
    #[test]
    fn literal_parts_match_as_text(pattern in "[aAb:*?]{0,10}", text in "[aAb:]{0,10}") {
        let value = template(&[lit(&pattern)]);
        prop_assert_eq!(
            parts_match(value.parts(), &text, true, false),
            wildcard_match(&pattern, &text, false)
        );
        prop_assert_eq!(
            parts_match(value.parts(), &text, true, true),
            wildcard_match(&pattern, &text, true)
        );
        prop_assert_eq!(parts_match(value.parts(), &text, false, false), pattern == text);
        for op in MATCHED_OPERATORS {
            prop_assert_eq!(
                policy_value_matches(op, &value, &text),
                value_matches(op, &pattern, &text)
            );
        }
    }

    /// Sound three-valued answers: when some filling of the unknown parts makes the value match a
    /// request value, the value with holes is never said not to match (False); when some filling
    /// makes it not match, it is never said to match (True). Only Unknown may hedge.
    #[test]
    fn unknown_parts_never_decide_wrongly(
        spec in parts_strategy(),
        fills in proptest::collection::vec("[aAb:*?]{0,3}", 5),
        request_value in "[aAb:]{0,10}",
    ) {
        let value = template(&as_parts(&spec));
        let filled: String = spec
            .iter()
            .zip(&fills)
            .map(|(p, fill)| p.clone().unwrap_or_else(|| fill.clone()))
            .collect();
        for op in MATCHED_OPERATORS {
            let concrete = value_matches(op, &filled, &request_value);
            let with_holes = policy_value_matches(op, &value, &request_value);
            if concrete.is_true() {
                prop_assert!(!with_holes.is_false(), "{op:?} {filled:?} {request_value:?}");
            }
            if concrete.is_false() {
                prop_assert!(!with_holes.is_true(), "{op:?} {filled:?} {request_value:?}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Requests with several actions, context values not known statically

use irsa_lint::engine::testing::allow;
use irsa_lint::engine::{AssumeRoleRequest, Caller, ContextValue};

const ACTIONS: [&str; 3] = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"];

/// An `Action` list of patterns over the STS actions.
fn action_patterns() -> impl Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(
        proptest::sample::select(vec![
            "sts:AssumeRole",
            "sts:TagSession",
            "sts:SetSourceIdentity",
            "sts:*",
            "sts:Tag*",
            "sts:AssumeRole*",
        ]),
        0..3,
    )
}

/// Kleene AND of outcomes.
fn and(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut out = Outcome::Allowed;
    for o in outcomes {
        match o {
            Outcome::Denied => return Outcome::Denied,
            Outcome::Unknown => out = Outcome::Unknown,
            Outcome::Allowed => {}
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A request for several actions is allowed exactly when each action alone is (each one is
    /// its own authorization), whichever statements allow or deny which action.
    #[test]
    fn several_actions_are_each_authorized(
        allows in proptest::collection::vec(action_patterns(), 0..3),
        denies in proptest::collection::vec(action_patterns(), 0..2),
        picked in proptest::sample::subsequence(ACTIONS.to_vec(), 1..=3),
    ) {
        let service = "pods.eks.amazonaws.com";
        let statements = allows
            .iter()
            .map(|a| allow().principal("Service", &[service]).action(a))
            .chain(denies.iter().map(|a| {
                irsa_lint::engine::testing::deny().principal_star().action(a)
            }));
        let p = policy(statements);
        let base = AssumeRoleRequest::new(Caller::Service(service.to_string()), picked[0]);
        let whole = evaluate(&p, &base.clone().with_actions(picked.iter().copied())).outcome;
        let each = picked.iter().map(|a| evaluate(&p, &base.clone().with_action(*a)).outcome);
        prop_assert_eq!(whole, and(each));
    }

    /// A context value not known statically never decides a comparison: a statement whose
    /// condition compares it (under any string or ARN operator) is never surely applying or
    /// surely not, unless something else about it is decided.
    #[test]
    fn unknown_context_values_never_decide(
        op in proptest::sample::select(vec![
            "StringEquals", "StringNotEquals", "StringLike", "StringNotLike",
            "StringEqualsIgnoreCase", "ArnLike", "ArnNotEquals",
            "ForAllValues:StringEquals", "ForAnyValue:StringLike", "StringEqualsIfExists",
        ]),
        value in "[ab:*?]{0,6}",
    ) {
        let key = "aws:RequestTag/eks-cluster-arn";
        let p = policy([allow()
            .principal("Service", &["pods.eks.amazonaws.com"])
            .action(&["sts:AssumeRole"])
            .condition(op, key, &[&value])]);
        let req = AssumeRoleRequest::new(
            Caller::Service("pods.eks.amazonaws.com".to_string()),
            "sts:AssumeRole",
        )
        .with_key(key, [ContextValue::Unknown("the cluster's ARN".to_string())]);
        prop_assert_eq!(evaluate(&p, &req).outcome, Outcome::Unknown);
    }
}

// ---------------------------------------------------------------------------------------------
// The cheap yes/no evaluation agrees with the explained one

use irsa_lint::engine::testing::{OTHER_PROVIDER_ARN, PROVIDER_ARN, statement, unresolved};
use irsa_lint::engine::{Tri, admits};
use irsa_lint::model::policy::Effect;

/// One random statement: effect, principal, actions and up to three condition entries, some with
/// values not known statically.
fn statement_strategy() -> impl Strategy<Value = irsa_lint::model::policy::Statement> {
    let effect = proptest::sample::select(vec![
        Some(Effect::Allow),
        Some(Effect::Allow),
        Some(Effect::Deny),
        Some(Effect::Invalid("Maybe".to_string())),
        None,
    ]);
    let principal = 0..5usize;
    let actions = proptest::collection::vec(
        proptest::sample::select(vec![
            "sts:AssumeRoleWithWebIdentity",
            "sts:AssumeRole*",
            "sts:TagSession",
            "sts:*",
            "s3:*",
        ]),
        0..3,
    );
    let not_action = any::<bool>();
    let condition = (
        proptest::sample::select(vec![
            "StringEquals",
            "StringLike",
            "StringNotLike",
            "StringEqualsIgnoreCase",
            "StringLikeIfExists",
            "ForAllValues:StringEquals",
            "ForAnyValue:StringLike",
            "Null",
            "NoSuchOperator",
        ]),
        proptest::sample::select(vec!["sub", "aud", "amr", "aws:PrincipalTag/x"]),
        proptest::collection::vec("[aAb:*?]{0,4}|true|false", 0..3),
        any::<bool>(),
        any::<bool>(),
    );
    (
        effect,
        principal,
        actions,
        not_action,
        proptest::collection::vec(condition, 0..4),
    )
        .prop_map(|(effect, principal, actions, not_action, conditions)| {
            let mut s = statement(effect);
            s = match principal {
                0 => s.principal_star(),
                1 => s.federated(PROVIDER_ARN),
                2 => s.federated(OTHER_PROVIDER_ARN),
                3 => s.principal_values("Federated", vec![unresolved("var.provider")]),
                _ => s.principal("Service", &["pods.eks.amazonaws.com"]),
            };
            s = match (actions.is_empty(), not_action) {
                (true, _) => s.no_action(),
                (false, false) => s.action(&actions),
                (false, true) => s.not_action(&actions),
            };
            for (op, claim, values, unknown, new_block) in conditions {
                let k = if claim.contains(':') {
                    claim.to_string()
                } else {
                    key(claim)
                };
                let texts: Vec<&str> = values.iter().map(String::as_str).collect();
                s = if unknown {
                    let mut vals = irsa_lint::engine::testing::values(&texts);
                    vals.push(unresolved("var.x"));
                    s.condition_values(op, &k, vals)
                } else if new_block {
                    s.condition_new_block(op, &k, &texts)
                } else {
                    s.condition(op, &k, &texts)
                };
            }
            s.build()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    /// `admits` is `evaluate(...).outcome` as a Tri, on random policies and requests.
    #[test]
    fn admits_agrees_with_evaluate(
        statements in proptest::collection::vec(statement_strategy(), 0..4),
        provider in proptest::sample::select(vec![PROVIDER_ARN, OTHER_PROVIDER_ARN]),
        sub in "[aAb:]{0,4}",
        sub_unknown in any::<bool>(),
        aud in proptest::sample::select(vec!["sts.amazonaws.com", "a", "b"]),
        amr in proptest::collection::vec("[ab]{0,2}", 0..3),
        actions in proptest::collection::vec(
            proptest::sample::select(vec![
                "sts:AssumeRoleWithWebIdentity",
                "sts:TagSession",
                "sts:AssumeRole",
            ]),
            0..3,
        ),
    ) {
        let p = policy(statements);
        let sub_value = if sub_unknown {
            ContextValue::Unknown(sub.clone())
        } else {
            ContextValue::Known(sub.clone())
        };
        let mut req = AssumeRoleRequest::web_identity(provider)
            .with_claim("sub", [sub_value])
            .with_claim("aud", [aud])
            .with_claim("amr", amr.iter().map(String::as_str));
        req.actions = actions.iter().map(|a| a.to_string()).collect();
        let expected = match evaluate(&p, &req).outcome {
            Outcome::Allowed => Tri::True,
            Outcome::Denied => Tri::False,
            Outcome::Unknown => Tri::Unknown,
        };
        prop_assert_eq!(admits(&p, &req), expected);
    }

    /// The wildcard matcher's ASCII byte path and its character path answer alike: texts with
    /// non-ASCII characters (case folding onto ASCII included: the Kelvin sign is a `k`) agree
    /// with the reference too.
    #[test]
    fn wildcard_non_ascii_agrees(pattern in "[akKé*?]{0,8}", text in "[akKÉé\u{212A}]{0,10}") {
        for ignore_case in [false, true] {
            prop_assert_eq!(
                wildcard_match(&pattern, &text, ignore_case),
                reference_match(&pattern, &text, ignore_case),
                "pattern {:?} text {:?} ignore_case {}", pattern, text, ignore_case
            );
        }
    }
}

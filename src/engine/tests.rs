//! Unit tests of whole-policy and per-entry evaluation.

use super::testing::*;
use super::*;
use crate::model::policy::{Effect, Statement};

const SA: &str = "system:serviceaccount:billing:api";

fn entry_tri(op: &str, k: &str, vals: &[&str], req: &AssumeRoleRequest) -> Tri {
    let p = policy([irsa_allow().condition(op, k, vals)]);
    let block = &p.statements[0].condition.as_ref().unwrap().operators[0];
    evaluate_entry(block, &block.entries[0], req)
}

/// Evaluate one condition on `sub` against a request with this `sub`.
fn sub_tri(op: &str, vals: &[&str], sub_value: &str) -> Tri {
    entry_tri(op, &key("sub"), vals, &request(sub_value))
}

// ---------------------------------------------------------------------------------------------
// Whole policies

#[test]
fn typical_irsa_policy() {
    let p = policy([irsa_statement_for("billing", "api")]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.outcome, Outcome::Allowed);
    assert_eq!(v.reason, Reason::AllowedBy { statement: 0 });

    let v = evaluate(&p, &request("system:serviceaccount:billing:worker"));
    assert_eq!(v.outcome, Outcome::Denied);
    let misses = v.misses();
    assert_eq!(
        misses,
        [Miss {
            statement: 0,
            part: MissPart::Condition(ConditionRef { block: 0, entry: 0 })
        }]
    );
    let (block, entry) = misses[0].condition_in(&p).unwrap();
    assert_eq!(block.operator_name.value, "StringEquals");
    assert_eq!(entry.values[0].text, SA);

    // Wrong audience: the second entry of the block fails.
    let req = AssumeRoleRequest::irsa(PROVIDER_ARN, SA, "something-else");
    assert_eq!(
        evaluate(&p, &req).misses()[0].part,
        MissPart::Condition(ConditionRef { block: 0, entry: 1 })
    );
}

#[test]
fn wrong_provider_misses_principal() {
    let p = policy([irsa_statement_for("billing", "api")]);
    let req = AssumeRoleRequest::irsa(OTHER_PROVIDER_ARN, SA, STS_AUDIENCE);
    let v = evaluate(&p, &req);
    assert!(v.is_denied());
    assert_eq!(v.misses()[0].part, MissPart::Principal);
}

#[test]
fn wrong_action_misses_action() {
    let p = policy([allow().federated(PROVIDER_ARN).action(&["sts:AssumeRole"])]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.misses()[0].part, MissPart::Action);
    // Patterns.
    for pattern in [
        "sts:AssumeRole*",
        "sts:*",
        "*",
        "STS:ASSUMEROLEWITHWEBIDENTITY",
        "sts:Assume?oleWithWebIdentity",
    ] {
        let p = policy([allow().federated(PROVIDER_ARN).action(&[pattern])]);
        assert!(evaluate(&p, &request(SA)).is_allowed(), "{pattern}");
    }
    // Several actions are OR-ed.
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .action(&["sts:TagSession", "sts:AssumeRoleWithWebIdentity"])]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
}

#[test]
fn not_action() {
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .not_action(&["sts:TagSession"])]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .not_action(&["sts:AssumeRole*"])]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.misses()[0].part, MissPart::Action);
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .not_action(&["sts:TagSession", "sts:*"])]);
    assert!(evaluate(&p, &request(SA)).is_denied());
}

#[test]
fn missing_principal_or_action_never_applies() {
    let p = policy([allow().action(&["*"])]);
    assert_eq!(
        evaluate(&p, &request(SA)).misses()[0].part,
        MissPart::Principal
    );
    let p = policy([allow().principal_star()]);
    assert_eq!(
        evaluate(&p, &request(SA)).misses()[0].part,
        MissPart::Action
    );
}

#[test]
fn principal_forms() {
    let star = policy([allow()
        .principal_star()
        .action(&["sts:AssumeRoleWithWebIdentity"])]);
    assert!(evaluate(&star, &request(SA)).is_allowed());
    let aws_star = policy([allow()
        .principal("AWS", &["*"])
        .action(&["sts:AssumeRoleWithWebIdentity"])]);
    assert!(evaluate(&aws_star, &request(SA)).is_allowed());
    let aws_account = policy([allow()
        .principal("AWS", &["arn:aws:iam::111122223333:root"])
        .action(&["*"])]);
    assert_eq!(
        evaluate(&aws_account, &request(SA)).misses()[0].part,
        MissPart::Principal
    );
    let service = policy([allow()
        .principal("Service", &["ec2.amazonaws.com"])
        .action(&["*"])]);
    assert!(evaluate(&service, &request(SA)).is_denied());
    // A Federated list is OR-ed; a Service entry next to it does not matter.
    let mixed = policy([allow()
        .principal("Service", &["ec2.amazonaws.com"])
        .principal("Federated", &[OTHER_PROVIDER_ARN, PROVIDER_ARN])
        .action(&["*"])]);
    assert!(evaluate(&mixed, &request(SA)).is_allowed());
    // A principal string other than "*" is not a principal.
    let odd = policy([allow().principal_string(value(PROVIDER_ARN)).action(&["*"])]);
    assert!(evaluate(&odd, &request(SA)).is_denied());
}

#[test]
fn federated_comparison() {
    assert!(federated_matches(PROVIDER_ARN, PROVIDER_ARN));
    // Host case-insensitive, cluster id exact.
    let upper_host = PROVIDER_ARN.replace("oidc.eks.eu-west-1", "OIDC.EKS.EU-WEST-1");
    assert!(federated_matches(&upper_host, PROVIDER_ARN));
    let lower_id = PROVIDER_ARN.replace(
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcdef",
    );
    assert!(!federated_matches(&lower_id, PROVIDER_ARN));
    // Account and partition must be equal.
    assert!(!federated_matches(
        &PROVIDER_ARN.replace("111122223333", "444455556666"),
        PROVIDER_ARN
    ));
    assert!(!federated_matches(
        &PROVIDER_ARN.replace("arn:aws:", "arn:aws-cn:"),
        PROVIDER_ARN
    ));
    // Principals are not patterns.
    assert!(!federated_matches(
        "arn:aws:iam::111122223333:oidc-provider/*",
        PROVIDER_ARN
    ));
    assert!(!federated_matches("*", PROVIDER_ARN));
    assert!(federated_matches(
        "accounts.google.com",
        "accounts.google.com"
    ));
}

#[test]
fn multiple_allows_are_ored() {
    let p = policy([
        irsa_statement_for("billing", "api"),
        irsa_statement_for("billing", "worker"),
    ]);
    let v = evaluate(&p, &request("system:serviceaccount:billing:worker"));
    assert_eq!(v.reason, Reason::AllowedBy { statement: 1 });
    let v = evaluate(&p, &request("system:serviceaccount:other:x"));
    assert_eq!(v.misses().len(), 2);
    assert_eq!(v.misses()[1].statement, 1);
}

#[test]
fn explicit_deny_wins() {
    let p = policy([
        irsa_allow().condition(
            "StringLike",
            &key("sub"),
            &["system:serviceaccount:billing:*"],
        ),
        deny().federated(PROVIDER_ARN).action(&["sts:*"]).condition(
            "StringEquals",
            &key("sub"),
            &["system:serviceaccount:billing:debug"],
        ),
    ]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
    let v = evaluate(&p, &request("system:serviceaccount:billing:debug"));
    assert_eq!(v.outcome, Outcome::Denied);
    assert_eq!(
        v.reason,
        Reason::ExplicitDeny {
            statement: 1,
            condition: Some(ConditionRef { block: 0, entry: 0 })
        }
    );
    assert_eq!(
        v.condition_in(&p).unwrap().1.values[0].text,
        "system:serviceaccount:billing:debug"
    );

    // An unconditional Deny denies everything it covers.
    let p = policy([irsa_allow(), deny().principal_star().action(&["*"])]);
    assert_eq!(
        evaluate(&p, &request(SA)).reason,
        Reason::ExplicitDeny {
            statement: 1,
            condition: None
        }
    );
}

#[test]
fn invalid_effects_are_ignored() {
    let p = policy([
        statement(Some(Effect::Invalid("Alow".into())))
            .federated(PROVIDER_ARN)
            .action(&["*"]),
        statement(None).federated(PROVIDER_ARN).action(&["*"]),
    ]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.reason, Reason::NoAllow { misses: vec![] });
    // An invalid Deny does not deny.
    let p = policy([
        irsa_allow(),
        statement(Some(Effect::Invalid("Deny ".into())))
            .principal_star()
            .action(&["*"]),
    ]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
}

#[test]
fn empty_policy_denies() {
    let p = policy(Vec::<Statement>::new());
    assert_eq!(
        evaluate(&p, &request(SA)),
        Verdict {
            outcome: Outcome::Denied,
            reason: Reason::NoAllow { misses: vec![] }
        }
    );
}

// ---------------------------------------------------------------------------------------------
// Operators

#[test]
fn string_equals_is_exact_and_literal() {
    assert_eq!(sub_tri("StringEquals", &[SA], SA), Tri::True);
    assert_eq!(
        sub_tri("StringEquals", &[&SA.to_uppercase()], SA),
        Tri::False
    );
    assert_eq!(
        sub_tri("StringEquals", &["system:serviceaccount:billing:*"], SA),
        Tri::False
    );
    assert_eq!(
        sub_tri(
            "StringEquals",
            &["system:serviceaccount:billing:*"],
            "system:serviceaccount:billing:*"
        ),
        Tri::True
    );
    // Values OR-ed.
    assert_eq!(sub_tri("StringEquals", &["a", SA, "b"], SA), Tri::True);
    assert_eq!(
        sub_tri("StringEqualsIgnoreCase", &[&SA.to_uppercase()], SA),
        Tri::True
    );
    assert_eq!(
        sub_tri("StringEqualsIgnoreCase", &["system:serviceaccount:*"], SA),
        Tri::False
    );
}

#[test]
fn string_like_star_crosses_colons() {
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:*"], SA),
        Tri::True
    );
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:billing:*"], SA),
        Tri::True
    );
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:*:api"], SA),
        Tri::True
    );
    assert_eq!(sub_tri("StringLike", &["*"], SA), Tri::True);
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:billing:ap?"], SA),
        Tri::True
    );
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:billing:a?"], SA),
        Tri::False
    );
    // Case-sensitive.
    assert_eq!(sub_tri("StringLike", &["SYSTEM:*"], SA), Tri::False);
    assert_eq!(
        sub_tri("StringLike", &["system:serviceaccount:prod:*"], SA),
        Tri::False
    );
}

#[test]
fn negated_operators_nor_their_values() {
    assert_eq!(sub_tri("StringNotEquals", &["a", "b"], SA), Tri::True);
    assert_eq!(sub_tri("StringNotEquals", &["a", SA], SA), Tri::False);
    assert_eq!(
        sub_tri(
            "StringNotLike",
            &["system:serviceaccount:kube-system:*"],
            SA
        ),
        Tri::True
    );
    assert_eq!(
        sub_tri("StringNotLike", &["*:billing:*", "x"], SA),
        Tri::False
    );
    assert_eq!(
        sub_tri("StringNotEqualsIgnoreCase", &[&SA.to_uppercase()], SA),
        Tri::False
    );
}

#[test]
fn absent_keys() {
    let amr = key("amr");
    let req = request(SA);
    // Positive operators: false. Negated: true.
    assert_eq!(entry_tri("StringEquals", &amr, &["x"], &req), Tri::False);
    assert_eq!(entry_tri("StringLike", &amr, &["*"], &req), Tri::False);
    assert_eq!(entry_tri("StringNotEquals", &amr, &["x"], &req), Tri::True);
    assert_eq!(entry_tri("StringNotLike", &amr, &["*"], &req), Tri::True);
    assert_eq!(entry_tri("ArnNotLike", &amr, &["*"], &req), Tri::True);
    // IfExists: true when absent, normal when present.
    assert_eq!(
        entry_tri("StringEqualsIfExists", &amr, &["x"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("StringEqualsIfExists", &key("sub"), &["x"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("StringEqualsIfExists", &key("sub"), &[SA], &req),
        Tri::True
    );
    // Set operators.
    assert_eq!(
        entry_tri("ForAllValues:StringEquals", &amr, &["x"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringEquals", &amr, &["x"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringNotEquals", &amr, &["x"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringEqualsIfExists", &amr, &["x"], &req),
        Tri::True
    );
    // An explicitly empty claim is absent too.
    let empty = req.clone().with_claim("amr", Vec::<String>::new());
    assert_eq!(
        entry_tri("ForAllValues:StringEquals", &amr, &["x"], &empty),
        Tri::True
    );
    // Keys of another provider and global keys are absent.
    let other = "oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210:sub";
    assert_eq!(entry_tri("StringLike", other, &["*"], &req), Tri::False);
    assert_eq!(
        entry_tri("StringEquals", "aws:PrincipalTag/team", &["x"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("StringNotEquals", "aws:PrincipalTag/team", &["x"], &req),
        Tri::True
    );
}

#[test]
fn condition_keys_are_case_insensitive() {
    let upper = key("SUB").to_uppercase();
    assert_eq!(
        entry_tri("StringEquals", &upper, &[SA], &request(SA)),
        Tri::True
    );
    // IAM names the key after the provider URL without its scheme: a key written with
    // `https://` is one no request carries (IRSA128 reports it).
    let with_scheme = format!("https://{PROVIDER_HOST}:sub");
    assert_eq!(
        entry_tri("StringEquals", &with_scheme, &[SA], &request(SA)),
        Tri::False
    );
    // Values stay case-sensitive.
    assert_eq!(
        entry_tri("StringEquals", &upper, &[&SA.to_uppercase()], &request(SA)),
        Tri::False
    );
}

#[test]
fn federated_provider_global_key() {
    let req = request(SA);
    assert_eq!(
        entry_tri(
            "StringEquals",
            "aws:FederatedProvider",
            &[PROVIDER_ARN],
            &req
        ),
        Tri::True
    );
    assert_eq!(
        entry_tri(
            "ArnLike",
            "aws:FederatedProvider",
            &["arn:aws:iam::111122223333:oidc-provider/*"],
            &req
        ),
        Tri::True
    );
    assert_eq!(
        entry_tri(
            "StringEquals",
            "aws:FederatedProvider",
            &[OTHER_PROVIDER_ARN],
            &req
        ),
        Tri::False
    );
}

#[test]
fn null_operator() {
    let req = request(SA);
    assert_eq!(entry_tri("Null", &key("amr"), &["true"], &req), Tri::True);
    assert_eq!(entry_tri("Null", &key("amr"), &["false"], &req), Tri::False);
    assert_eq!(entry_tri("Null", &key("sub"), &["false"], &req), Tri::True);
    assert_eq!(entry_tri("Null", &key("sub"), &["TRUE"], &req), Tri::False);
    assert_eq!(
        entry_tri("Null", &key("sub"), &["maybe"], &req),
        Tri::Unknown
    );
}

#[test]
fn set_operators_on_multivalued_claims() {
    let amr = key("amr");
    let req = request(SA).with_claim("amr", ["authenticated", "mfa"]);
    assert_eq!(
        entry_tri(
            "ForAllValues:StringEquals",
            &amr,
            &["authenticated", "mfa", "x"],
            &req
        ),
        Tri::True
    );
    assert_eq!(
        entry_tri("ForAllValues:StringEquals", &amr, &["authenticated"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringEquals", &amr, &["mfa"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringEquals", &amr, &["x"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringLike", &amr, &["m*"], &req),
        Tri::True
    );
    // Negated with set operators: per request value "matches none of the policy values".
    assert_eq!(
        entry_tri("ForAllValues:StringNotEquals", &amr, &["x"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("ForAllValues:StringNotEquals", &amr, &["mfa"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ForAnyValue:StringNotEquals", &amr, &["mfa"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri(
            "ForAnyValue:StringNotEquals",
            &amr,
            &["mfa", "authenticated"],
            &req
        ),
        Tri::False
    );
    // No qualifier on a multi-valued key: positive = any value matches; negated = none does.
    assert_eq!(entry_tri("StringEquals", &amr, &["mfa"], &req), Tri::True);
    assert_eq!(
        entry_tri("StringNotEquals", &amr, &["mfa"], &req),
        Tri::False
    );
    assert_eq!(entry_tri("StringNotEquals", &amr, &["x"], &req), Tri::True);
}

#[test]
fn arn_operators() {
    let req = request(SA);
    let fp = "aws:FederatedProvider";
    assert_eq!(entry_tri("ArnEquals", fp, &[PROVIDER_ARN], &req), Tri::True);
    // ArnEquals takes wildcards too (the IAM docs give it ArnLike's behaviour).
    assert_eq!(
        entry_tri("ArnEquals", fp, &["arn:aws:iam::*:oidc-provider/*"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("ArnLike", fp, &["arn:aws:iam::444455556666:*"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("ArnNotLike", fp, &["arn:aws:iam::444455556666:*"], &req),
        Tri::True
    );
    // A sub is not an ARN.
    assert_eq!(
        sub_tri("ArnLike", &["system:serviceaccount:*"], SA),
        Tri::False
    );
}

#[test]
fn bool_and_numeric_operators() {
    let req = request(SA)
        .with_claim("email_verified", ["true"])
        .with_claim("n", ["42"]);
    assert_eq!(
        entry_tri("Bool", &key("email_verified"), &["True"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("Bool", &key("email_verified"), &["false"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("NumericLessThan", &key("n"), &["100"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("NumericGreaterThanEquals", &key("n"), &["42"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("NumericNotEquals", &key("n"), &["42"], &req),
        Tri::False
    );
    assert_eq!(
        entry_tri("NumericNotEquals", &key("absent"), &["42"], &req),
        Tri::True
    );
    assert_eq!(
        entry_tri("DateLessThan", &key("n"), &["2030-01-01T00:00:00Z"], &req),
        Tri::Unknown
    );
}

#[test]
fn blocks_and_entries_are_anded() {
    // Two keys in one block.
    let p = policy([irsa_allow()
        .condition("StringEquals", &key("sub"), &[SA])
        .condition("StringEquals", &key("aud"), &["nope"])]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    // Two blocks.
    let p = policy([irsa_allow()
        .condition(
            "StringLike",
            &key("sub"),
            &["system:serviceaccount:billing:*"],
        )
        .condition(
            "StringNotEquals",
            &key("sub"),
            &["system:serviceaccount:billing:debug"],
        )]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
    let v = evaluate(&p, &request("system:serviceaccount:billing:debug"));
    assert_eq!(
        v.misses()[0].part,
        MissPart::Condition(ConditionRef { block: 1, entry: 0 })
    );
    // A key with no values matches nothing (OR over no values).
    let p = policy([irsa_allow().condition("StringEquals", &key("sub"), &[])]);
    assert!(evaluate(&p, &request(SA)).is_denied(), "no value to match");
}

// ---------------------------------------------------------------------------------------------
// Three-valued logic

#[test]
fn unresolved_condition_values() {
    let unres = || vec![unresolved("system:serviceaccount:${var.ns}:api")];
    let p = policy([irsa_allow().condition_values("StringEquals", &key("sub"), unres())]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.outcome, Outcome::Unknown);
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Condition {
                condition: ConditionRef { block: 0, entry: 0 },
                why: EntryUnknown::UnresolvedValue
            }
        }
    );
    assert_eq!(
        v.condition_in(&p).unwrap().0.operator_name.value,
        "StringEquals"
    );

    // OR with a matching literal value: True.
    let mut vals = unres();
    vals.push(value(SA));
    let p = policy([irsa_allow().condition_values("StringEquals", &key("sub"), vals)]);
    assert!(evaluate(&p, &request(SA)).is_allowed());

    // AND with a definitely failing entry: False, and the miss names the failing entry.
    let p = policy([irsa_allow()
        .condition_values("StringEquals", &key("sub"), unres())
        .condition("StringEquals", &key("aud"), &["nope"])]);
    let v = evaluate(&p, &request(SA));
    assert!(v.is_denied());
    assert_eq!(
        v.misses()[0].part,
        MissPart::Condition(ConditionRef { block: 0, entry: 1 })
    );

    // Negated: still Unknown (NOT Unknown).
    let p = policy([irsa_allow().condition_values("StringNotEquals", &key("sub"), unres())]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
    // ...but an absent key decides without looking at the values.
    let p = policy([irsa_allow().condition_values("StringNotEquals", &key("amr"), unres())]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
}

#[test]
fn partially_known_condition_values() {
    // `system:serviceaccount:${var.ns}:api`: a subject named `api` in an unknown namespace.
    let subject = || {
        vec![template(&[
            lit("system:serviceaccount:"),
            hole("var.ns"),
            lit(":api"),
        ])]
    };
    let p = policy([irsa_allow().condition_values("StringEquals", &key("sub"), subject())]);
    // Whatever the namespace, a ServiceAccount named `web` never matches: decided.
    assert!(evaluate(&p, &request(&sub("billing", "web"))).is_denied());
    // One named `api` does if the namespace turns out to be its own: unknown.
    let v = evaluate(&p, &request(SA));
    assert!(v.is_unknown());
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Condition {
                condition: ConditionRef { block: 0, entry: 0 },
                why: EntryUnknown::UnresolvedValue
            }
        }
    );
    // Under StringEquals a literal `*` is itself; under StringLike it is a wildcard.
    let star = || {
        vec![template(&[
            lit("system:serviceaccount:"),
            hole("ns"),
            lit(":*"),
        ])]
    };
    let p = policy([irsa_allow().condition_values("StringEquals", &key("sub"), star())]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    let p = policy([irsa_allow().condition_values("StringLike", &key("sub"), star())]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
    assert!(evaluate(&p, &request("repo:org/app:ref:refs/heads/main")).is_denied());
    // Negated: a value that can never match makes StringNotEquals hold.
    let p = policy([irsa_allow().condition_values("StringNotEquals", &key("sub"), subject())]);
    assert!(evaluate(&p, &request(&sub("billing", "web"))).is_allowed());
    assert!(evaluate(&p, &request(SA)).is_unknown());
    // The audience: `${var.audience}` alone is unknown, `sts.${suffix}` cannot be `other`.
    let p = policy([irsa_allow().condition_values(
        "StringEquals",
        &key("aud"),
        vec![template(&[
            lit("sts."),
            hole("data.aws_partition.current.dns_suffix"),
        ])],
    )]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
    let other_audience = AssumeRoleRequest::irsa(PROVIDER_ARN, SA, "other");
    assert!(evaluate(&p, &other_audience).is_denied());
}

#[test]
fn condition_keys_with_an_unknown_issuer() {
    // `"${local.oidc_host}:sub": SA`: whatever the host, a ServiceAccount other than SA fails it,
    // unless the host is another provider's, when the key is absent and StringEquals fails too.
    let key = || [hole("local.oidc_host"), lit(":sub")];
    let p = policy([irsa_allow().condition_key_parts("StringEquals", &key(), &[SA])]);
    assert!(evaluate(&p, &request(&sub("billing", "web"))).is_denied());
    // SA itself passes if the host is this provider's, fails if not: unknown.
    let v = evaluate(&p, &request(SA));
    assert!(v.is_unknown());
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Condition {
                condition: ConditionRef { block: 0, entry: 0 },
                why: EntryUnknown::UnresolvedValue
            }
        }
    );
    // `StringLike "${host}:sub": "*"` holds for any token of this provider, but fails when the host
    // names another one: still unknown, never decided as allowed.
    let p = policy([irsa_allow().condition_key_parts("StringLike", &key(), &["*"])]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
    // The model reads the claim of such a key.
    let stmt = irsa_allow()
        .condition_key_parts("StringEquals", &key(), &[SA])
        .build();
    assert_eq!(stmt.claim_entries("sub").count(), 1);
    assert_eq!(stmt.claim_entries("aud").count(), 0);
    // A key whose literal part rules out every context key reads as absent: decided.
    let p = policy([irsa_allow().condition_key_parts(
        "StringEquals",
        &[lit("aws:"), hole("x"), lit(":nothing-like-it")],
        &["v"],
    )]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    let p = policy([irsa_allow().condition_key_parts(
        "StringNotEquals",
        &[lit("aws:"), hole("x"), lit(":nothing-like-it")],
        &["v"],
    )]);
    assert!(evaluate(&p, &request(SA)).is_allowed());
}

#[test]
fn partially_known_principal_and_action() {
    // The provider of another cluster: the account is unknown, the host is not.
    let principal = |host: &str| {
        template(&[
            lit("arn:aws:iam::"),
            hole("data.aws_caller_identity.current.account_id"),
            lit(&format!(":oidc-provider/{host}")),
        ])
    };
    let p = policy([allow()
        .principal_values(
            "Federated",
            vec![principal("oidc.eks.us-east-1.amazonaws.com/id/OTHER")],
        )
        .action(&["sts:AssumeRoleWithWebIdentity"])]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    let p = policy([allow()
        .principal_values("Federated", vec![principal(PROVIDER_HOST)])
        .action(&["sts:AssumeRoleWithWebIdentity"])]);
    assert_eq!(
        evaluate(&p, &request(SA)).reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Principal
        }
    );
    // `s3:${x}` is never a web-identity action; `sts:${x}` may be.
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .action_values(vec![template(&[lit("s3:"), hole("x")])])]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .action_values(vec![template(&[lit("STS:"), hole("x")])])]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
    // `{"AWS": "arn:aws:iam::${account}:root"}` is never `*`.
    let p = policy([allow()
        .principal_values(
            "AWS",
            vec![template(&[
                lit("arn:aws:iam::"),
                hole("account"),
                lit(":root"),
            ])],
        )
        .action(&["*"])]);
    assert!(evaluate(&p, &request(SA)).is_denied());
}

#[test]
fn unresolved_principal_and_action() {
    let p = policy([allow()
        .principal_values(
            "Federated",
            vec![unresolved("${aws_iam_openid_connect_provider.x.arn}")],
        )
        .action(&["sts:AssumeRoleWithWebIdentity"])]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Principal
        }
    );
    // A definitely failing condition still decides.
    let p = policy([allow()
        .principal_values("Federated", vec![unresolved("${x}")])
        .action(&["*"])
        .condition("StringEquals", &key("sub"), &["other"])]);
    assert!(evaluate(&p, &request(SA)).is_denied());

    let p = policy([allow()
        .federated(PROVIDER_ARN)
        .action_values(vec![unresolved("${var.action}")])]);
    assert_eq!(
        evaluate(&p, &request(SA)).reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Action
        }
    );
    let p = policy([allow().principal_string(unresolved("${p}")).action(&["*"])]);
    assert!(evaluate(&p, &request(SA)).is_unknown());
}

#[test]
fn unknown_operator_is_unknown() {
    let p = policy([irsa_allow().condition("StringEqual", &key("sub"), &[SA])]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::UnknownOperator { block: 0 }
        }
    );
    // A failing sibling block still decides.
    let p = policy([irsa_allow()
        .condition("StringEqual", &key("sub"), &[SA])
        .condition("StringEquals", &key("aud"), &["nope"])]);
    assert_eq!(
        evaluate(&p, &request(SA)).misses()[0].part,
        MissPart::Condition(ConditionRef { block: 1, entry: 0 })
    );
}

#[test]
fn policy_variables_are_unknown() {
    let p = policy([irsa_allow().condition("StringLike", &key("sub"), &["${aws:username}"])]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Condition {
                condition: ConditionRef { block: 0, entry: 0 },
                why: EntryUnknown::PolicyVariable
            }
        }
    );
}

#[test]
fn deny_unknown_with_allow() {
    let unknown_deny = deny()
        .federated(PROVIDER_ARN)
        .action(&["*"])
        .condition_values(
            "StringEquals",
            &key("sub"),
            vec![unresolved("${var.blocked}")],
        );
    // Allow true + Deny unknown → Unknown, naming the Deny.
    let p = policy([irsa_allow(), unknown_deny.clone()]);
    let v = evaluate(&p, &request(SA));
    assert_eq!(v.outcome, Outcome::Unknown);
    assert_eq!(v.statement(), Some(1));
    // No Allow → Denied whatever the Deny does.
    let p = policy([
        irsa_allow().condition("StringEquals", &key("sub"), &["other"]),
        unknown_deny.clone(),
    ]);
    assert!(evaluate(&p, &request(SA)).is_denied());
    // A definite Deny beats an unknown Allow.
    let p = policy([
        irsa_allow().condition_values("StringEquals", &key("sub"), vec![unresolved("${x}")]),
        deny().principal_star().action(&["*"]),
    ]);
    assert_eq!(evaluate(&p, &request(SA)).statement(), Some(1));
    assert!(evaluate(&p, &request(SA)).is_denied());
    // Unknown Allow + true Allow → Allowed by the true one.
    let p = policy([
        irsa_allow().condition_values("StringEquals", &key("sub"), vec![unresolved("${x}")]),
        irsa_allow(),
    ]);
    assert_eq!(
        evaluate(&p, &request(SA)).reason,
        Reason::AllowedBy { statement: 1 }
    );
}

#[test]
fn explain_statement_reports_first_failure() {
    let p = policy([allow()
        .federated(OTHER_PROVIDER_ARN)
        .action(&["sts:AssumeRole"])
        .condition("StringEquals", &key("sub"), &["x"])]);
    assert_eq!(
        explain_statement(&p.statements[0], &request(SA)),
        StatementEval::Misses(MissPart::Principal)
    );
    assert_eq!(
        evaluate_statement(&p.statements[0], &request(SA)),
        Tri::False
    );
    assert_eq!(
        evaluate_block(
            &p.statements[0].condition.as_ref().unwrap().operators[0],
            &request("x")
        ),
        Tri::True
    );
}

#[test]
fn web_identity_with_other_providers() {
    let p = policy([allow()
        .federated("accounts.google.com")
        .action(&["sts:AssumeRoleWithWebIdentity"])
        .condition("StringEquals", "accounts.google.com:aud", &["client-id"])]);
    let req = AssumeRoleRequest::irsa("accounts.google.com", "12345", "client-id");
    assert!(evaluate(&p, &req).is_allowed());
    assert!(evaluate(&p, &request(SA)).is_denied());
}

// ---------------------------------------------------------------------------------------------
// Other callers: EKS Pod Identity (a service principal with session tags), role chaining

const POD_IDENTITY: &str = "pods.eks.amazonaws.com";

/// The trust policy EKS documents for Pod Identity, restricted to one namespace by a session tag.
fn pod_identity_policy() -> crate::model::policy::TrustPolicy {
    policy([allow()
        .principal("Service", &[POD_IDENTITY])
        .action(&["sts:AssumeRole", "sts:TagSession"])
        .condition(
            "StringEquals",
            "aws:RequestTag/kubernetes-namespace",
            &["billing"],
        )])
}

/// What Pod Identity asks for a pod of `namespace`: AssumeRole and TagSession, with its tags.
fn pod_identity_request(namespace: &str) -> AssumeRoleRequest {
    AssumeRoleRequest::new(Caller::Service(POD_IDENTITY.to_string()), ASSUME_ROLE)
        .with_actions([ASSUME_ROLE, TAG_SESSION])
        .with_key("aws:RequestTag/kubernetes-namespace", [namespace])
        .with_key("aws:RequestTag/kubernetes-service-account", ["api"])
        .with_key(
            "aws:RequestTag/eks-cluster-arn",
            [ContextValue::Unknown("the cluster's ARN".to_string())],
        )
}

#[test]
fn service_caller_with_session_tags() {
    let p = pod_identity_policy();
    let v = evaluate(&p, &pod_identity_request("billing"));
    assert_eq!(v.reason, Reason::AllowedBy { statement: 0 });
    let v = evaluate(&p, &pod_identity_request("other"));
    assert_eq!(
        v.misses(),
        [Miss {
            statement: 0,
            part: MissPart::Condition(ConditionRef { block: 0, entry: 0 })
        }]
    );
    // A web identity is not the service, nor is another service.
    assert_eq!(
        evaluate(&p, &request(SA)).misses()[0].part,
        MissPart::Principal
    );
    let ec2 = pod_identity_request("billing");
    let ec2 = AssumeRoleRequest {
        caller: Caller::Service("ec2.amazonaws.com".to_string()),
        ..ec2
    };
    assert_eq!(evaluate(&p, &ec2).misses()[0].part, MissPart::Principal);
    // A Federated principal does not admit a service.
    let irsa_only = policy([irsa_allow().action(&["*"])]);
    assert!(evaluate(&irsa_only, &pod_identity_request("billing")).is_denied());
}

#[test]
fn every_action_must_be_allowed() {
    // AssumeRole alone: TagSession is refused, so the request is.
    let p = policy([allow()
        .principal("Service", &[POD_IDENTITY])
        .action(&["sts:AssumeRole"])]);
    let v = evaluate(&p, &pod_identity_request("billing"));
    assert_eq!(v.misses()[0].part, MissPart::Action);
    // The same request without tags needs only AssumeRole.
    let untagged = pod_identity_request("billing").with_action(ASSUME_ROLE);
    assert!(evaluate(&p, &untagged).is_allowed());
    // Two statements, one per action: each action is authorized on its own, so both are allowed.
    let split = policy([
        allow()
            .principal("Service", &[POD_IDENTITY])
            .action(&["sts:AssumeRole"]),
        allow()
            .principal("Service", &[POD_IDENTITY])
            .action(&["sts:TagSession"]),
    ]);
    assert!(evaluate(&split, &pod_identity_request("billing")).is_allowed());
    // A Deny of TagSession denies the whole request.
    let no_tags = policy([
        allow()
            .principal("Service", &[POD_IDENTITY])
            .action(&["sts:*"]),
        deny().principal_star().action(&["sts:TagSession"]),
    ]);
    let v = evaluate(&no_tags, &pod_identity_request("billing"));
    assert_eq!(
        v.reason,
        Reason::ExplicitDeny {
            statement: 1,
            condition: None
        }
    );
    // Statement-level: a statement applies when it covers every action.
    assert_eq!(
        evaluate_statement(&split.statements[0], &pod_identity_request("billing")),
        Tri::False
    );
}

#[test]
fn unknown_session_tag_is_unknown() {
    let cluster = "arn:aws:eks:eu-west-1:111122223333:cluster/prod";
    let p = policy([allow()
        .principal("Service", &[POD_IDENTITY])
        .action(&["sts:AssumeRole", "sts:TagSession"])
        .condition("StringEquals", "aws:RequestTag/eks-cluster-arn", &[cluster])]);
    let v = evaluate(&p, &pod_identity_request("billing"));
    assert_eq!(v.outcome, Outcome::Unknown);
    assert_eq!(
        v.reason,
        Reason::Unknown {
            statement: 0,
            cause: UnknownCause::Condition {
                condition: ConditionRef { block: 0, entry: 0 },
                why: EntryUnknown::UnknownContextValue,
            }
        }
    );
    // Negated, `Like`, set-qualified: still undecided. Null and IfExists only ask whether the key
    // is there, and it is.
    let req = pod_identity_request("billing");
    let key = "aws:RequestTag/eks-cluster-arn";
    for op in [
        "StringNotEquals",
        "StringLike",
        "ArnLike",
        "ForAllValues:StringEquals",
        "ForAnyValue:StringNotLike",
    ] {
        assert_eq!(entry_tri(op, key, &[cluster], &req), Tri::Unknown, "{op}");
    }
    assert_eq!(entry_tri("Null", key, &["false"], &req), Tri::True);
    assert_eq!(entry_tri("Null", key, &["true"], &req), Tri::False);
    // A decided sibling entry still decides.
    let p2 = policy([allow()
        .principal("Service", &[POD_IDENTITY])
        .action(&["sts:AssumeRole", "sts:TagSession"])
        .condition("StringEquals", key, &[cluster])
        .condition(
            "StringEquals",
            "aws:RequestTag/kubernetes-namespace",
            &["other"],
        )]);
    assert!(evaluate(&p2, &req).is_denied());
}

#[test]
fn aws_caller_role_chaining() {
    let caller = "arn:aws:iam::444455556666:role/ci";
    let chained = |external_id: &str| {
        AssumeRoleRequest::new(Caller::Aws(caller.to_string()), ASSUME_ROLE)
            .with_key("sts:ExternalId", [external_id])
    };
    let trusting = |principal: &str| {
        policy([allow()
            .principal("AWS", &[principal])
            .action(&["sts:AssumeRole"])
            .condition("StringEquals", "sts:ExternalId", &["7f3a"])])
    };
    // The role by ARN, its account by root ARN or bare id, everyone.
    for principal in [
        caller,
        "arn:aws:iam::444455556666:root",
        "444455556666",
        "*",
    ] {
        let p = trusting(principal);
        assert!(evaluate(&p, &chained("7f3a")).is_allowed(), "{principal}");
        assert_eq!(
            evaluate(&p, &chained("other")).misses()[0].part,
            MissPart::Condition(ConditionRef { block: 0, entry: 0 }),
            "{principal}"
        );
    }
    // Another role, another account, another partition: not this caller.
    for principal in [
        "arn:aws:iam::444455556666:role/deploy",
        "arn:aws:iam::111122223333:root",
        "111122223333",
        "arn:aws-cn:iam::444455556666:root",
    ] {
        let p = trusting(principal);
        assert_eq!(
            evaluate(&p, &chained("7f3a")).misses()[0].part,
            MissPart::Principal,
            "{principal}"
        );
    }
    // No external id in the request: the condition's key is absent.
    let no_id = AssumeRoleRequest::new(Caller::Aws(caller.to_string()), ASSUME_ROLE);
    assert!(evaluate(&trusting(caller), &no_id).is_denied());
    // An AWS principal does not admit a web identity, except `*`.
    assert!(evaluate(&trusting(caller), &request(SA)).is_denied());
    // An account id left to Terraform could be the caller's.
    let p = policy([allow()
        .principal_values(
            "AWS",
            vec![template(&[
                lit("arn:aws:iam::"),
                hole("var.account"),
                lit(":root"),
            ])],
        )
        .action(&["sts:AssumeRole"])]);
    assert_eq!(evaluate(&p, &no_id).outcome, Outcome::Unknown);
    let p = policy([allow()
        .principal_values(
            "AWS",
            vec![template(&[
                lit("arn:aws:iam::"),
                hole("var.account"),
                lit(":user/x"),
            ])],
        )
        .action(&["sts:AssumeRole"])]);
    assert!(evaluate(&p, &no_id).is_denied());
}

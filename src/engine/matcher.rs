//! Value matching: IAM wildcards, actions, ARNs, and one request value against one policy value
//! under a condition operator.
//!
//! Everything here compares plain strings; the set logic (several policy values, several request
//! values, absent keys, `ForAllValues:` ...) lives in `eval`.

use std::net::IpAddr;

use crate::model::policy::{BaseOperator, PolicyValue};
use crate::model::value::{PartRef, Parts};

use super::tri::Tri;

/// IAM's glob: `*` matches any run of characters (including none, and including `:` and `/`), `?`
/// exactly one character; everything else matches itself (ignoring case when asked). Linear-ish,
/// never exponential (see [`match_tokens`]).
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        // One byte is one character, and ASCII case folding is Unicode's for ASCII: the same
        // answer without collecting either string.
        return ascii_wildcard_match(pattern.as_bytes(), text.as_bytes(), ignore_case);
    }
    let mut tokens = Vec::with_capacity(pattern.len());
    push_tokens(&mut tokens, pattern, true);
    match_tokens(&tokens, text, ignore_case)
}

/// [`wildcard_match`] for ASCII pattern and text: [`match_tokens`]'s algorithm on bytes.
fn ascii_wildcard_match(p: &[u8], t: &[u8], ignore_case: bool) -> bool {
    two_pointer_match(
        p,
        t,
        |c| c == b'*',
        |c, x| c == b'?' || c == x || (ignore_case && c.eq_ignore_ascii_case(&x)),
    )
}

fn chars_equal(a: char, b: char, ignore_case: bool) -> bool {
    a == b || (ignore_case && a.to_lowercase().eq(b.to_lowercase()))
}

/// Case-insensitive whole-string equality (`StringEqualsIgnoreCase`), Unicode-aware.
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a == b
        || a.chars()
            .flat_map(char::to_lowercase)
            .eq(b.chars().flat_map(char::to_lowercase))
}

/// Does an `Action`/`NotAction` pattern match an action? IAM action names are case-insensitive
/// (`sts:assumerolewithwebidentity` is the same action) and patterns use `*` and `?` anywhere
/// (`sts:AssumeRole*`, `sts:*`, `*`).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    wildcard_match(pattern, action, true)
}

/// `ArnEquals`/`ArnLike` (the IAM docs give both the same behaviour): the policy value and the
/// request value are each split into their six `:`-separated components (`arn`, partition,
/// service, region, account, resource — the resource keeps any further `:`), and each component is
/// wildcard-matched case-sensitively on its own, so a `*` in the region never spans into the
/// account. A value that does not have six components is not an ARN and matches nothing.
pub fn arn_matches(pattern: &str, arn: &str) -> bool {
    let pattern_parts: Vec<&str> = pattern.splitn(6, ':').collect();
    let arn_parts: Vec<&str> = arn.splitn(6, ':').collect();
    pattern_parts.len() == 6
        && arn_parts.len() == 6
        && pattern_parts
            .iter()
            .zip(&arn_parts)
            .all(|(p, a)| wildcard_match(p, a, false))
}

/// True when a condition value uses an IAM policy variable (`${aws:username}`, `${*}`). Policy
/// variables are substituted from the request at evaluation time; this engine does not model
/// that, so comparisons against such values are Unknown.
pub fn has_policy_variable(value: &str) -> bool {
    value
        .find("${")
        .is_some_and(|start| value[start + 2..].contains('}'))
}

/// Whether one request value satisfies one policy value under `op`'s *positive* sense: for a
/// negated operator (`StringNotLike`), the match of its positive twin (`StringLike`); the caller
/// negates. `Null` is not a value comparison and is handled by the caller; here it is Unknown.
///
/// Unknown when the comparison cannot be decided statically: date and unsupported operators, a
/// policy value that is not valid for the operator (IAM would reject it when the policy is saved,
/// so what it "means" is undefined), a policy variable.
pub fn value_matches(op: BaseOperator, policy_value: &str, request_value: &str) -> Tri {
    use BaseOperator::*;
    match op {
        StringEquals | StringNotEquals => {
            // Exact and case-sensitive; `*` and `?` are literal here (only the Like operators
            // treat them as wildcards).
            if has_policy_variable(policy_value) {
                Tri::Unknown
            } else {
                (policy_value == request_value).into()
            }
        }
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            if has_policy_variable(policy_value) {
                Tri::Unknown
            } else {
                eq_ignore_case(policy_value, request_value).into()
            }
        }
        StringLike | StringNotLike => {
            if has_policy_variable(policy_value) {
                Tri::Unknown
            } else {
                wildcard_match(policy_value, request_value, false).into()
            }
        }
        ArnEquals | ArnNotEquals | ArnLike | ArnNotLike => {
            if has_policy_variable(policy_value) {
                Tri::Unknown
            } else {
                arn_matches(policy_value, request_value).into()
            }
        }
        NumericEquals
        | NumericNotEquals
        | NumericLessThan
        | NumericLessThanEquals
        | NumericGreaterThan
        | NumericGreaterThanEquals => numeric_matches(op, policy_value, request_value),
        // Boolean values are the strings "true"/"false"; IAM compares them case-insensitively.
        Bool => eq_ignore_case(policy_value, request_value).into(),
        // Binary values are base64 text; equal bytes means equal text.
        BinaryEquals => (policy_value == request_value).into(),
        IpAddress | NotIpAddress => ip_matches(policy_value, request_value),
        // Dates come in several formats (ISO 8601 variants, epoch seconds); OIDC claims never
        // reach a date operator in practice, so we do not try.
        DateEquals
        | DateNotEquals
        | DateLessThan
        | DateLessThanEquals
        | DateGreaterThan
        | DateGreaterThanEquals => Tri::Unknown,
        Null => Tri::Unknown,
    }
}

/// [`value_matches`] for a policy value that may have unknown parts (see
/// [`crate::model::value`]). A wholly literal value is compared exactly as [`value_matches`] does.
///
/// With unknown parts, the answer is False when no text in the unknown parts can make the value
/// match, else Unknown (some text might). For the string and ARN operators that is decided by
/// matching with each unknown part as a `*` that may absorb any run of characters: whatever an
/// unknown part turns out to be (a literal `*` or `?` included), the value then matches a subset of
/// what that pattern matches, so no match there is no match for any filling. (For the ARN
/// operators, which match each `:`-separated component on its own, the whole-string pattern is a
/// superset too.) The other operators compare a whole number, address or date: Unknown.
pub fn policy_value_matches(op: BaseOperator, value: &PolicyValue, request_value: &str) -> Tri {
    if !value.has_unknown() {
        return value_matches(op, &value.text, request_value);
    }
    let parts = value.parts();
    let literal_has_variable = parts
        .iter()
        .any(|p| matches!(p, PartRef::Literal(text) if has_policy_variable(text)));
    if literal_has_variable {
        return Tri::Unknown;
    }
    use BaseOperator::*;
    let could_match = match op {
        StringEquals | StringNotEquals => parts_match(parts, request_value, false, false),
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => {
            parts_match(parts, request_value, false, true)
        }
        StringLike | StringNotLike | ArnEquals | ArnNotEquals | ArnLike | ArnNotLike => {
            parts_match(parts, request_value, true, false)
        }
        _ => true,
    };
    if could_match {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// One element of a pattern made of a value's parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// A character that matches itself.
    Char(char),
    /// Any run of characters: an unknown part, or a literal `*` where wildcards count.
    AnyRun,
    /// Exactly one character: a literal `?` where wildcards count.
    AnyOne,
}

/// Can `text` be what `parts` turn into? Unknown parts match any run of characters; a literal `*`
/// and `?` are wildcards only when `wildcards` (the Like operators), else themselves.
///
/// For a wholly literal value with `wildcards` it answers as [`wildcard_match`] does (the same
/// matcher; a property test checks it).
pub fn parts_match(parts: Parts<'_>, text: &str, wildcards: bool, ignore_case: bool) -> bool {
    let mut tokens = Vec::new();
    for part in parts.iter() {
        match part {
            PartRef::Unknown(_) => tokens.push(Token::AnyRun),
            PartRef::Literal(literal) => push_tokens(&mut tokens, literal, wildcards),
        }
    }
    match_tokens(&tokens, text, ignore_case)
}

/// The tokens of literal text: `*` and `?` are wildcards when `wildcards`, else themselves.
fn push_tokens(tokens: &mut Vec<Token>, literal: &str, wildcards: bool) {
    tokens.extend(literal.chars().map(|c| match c {
        '*' if wildcards => Token::AnyRun,
        '?' if wildcards => Token::AnyOne,
        c => Token::Char(c),
    }));
}

/// Does `text` match the pattern `p`?
///
/// The classic two-pointer algorithm with a single backtrack point: when a mismatch follows an
/// any-run token, only the most recent one needs to absorb one more character, because any earlier
/// one could already absorb whatever the later one does. So the cost is O(|pattern| × |text|) in
/// the worst case and never exponential (a pattern like `*a*a*a*a*b` against `aaaa…` stays cheap).
/// Characters, not bytes, are compared, so `?` matches one non-ASCII character.
fn match_tokens(p: &[Token], text: &str, ignore_case: bool) -> bool {
    let t: Vec<char> = text.chars().collect();
    two_pointer_match(
        p,
        &t,
        |token| token == Token::AnyRun,
        |token, c| match token {
            Token::AnyOne => true,
            Token::Char(p) => chars_equal(p, c, ignore_case),
            Token::AnyRun => false,
        },
    )
}

/// The two-pointer matcher of [`match_tokens`] over any pattern and text elements: `is_run` tells
/// an any-run element, `matches_one` whether a pattern element consumes one text element.
fn two_pointer_match<P: Copy, T: Copy>(
    p: &[P],
    t: &[T],
    is_run: impl Fn(P) -> bool,
    matches_one: impl Fn(P, T) -> bool,
) -> bool {
    let (mut pi, mut ti) = (0usize, 0usize);
    // After the most recent any-run: the pattern index just past it, and the text index it was
    // last tried at (it has absorbed t[its start..that index]).
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        let token = p.get(pi).copied();
        if token.is_some_and(&is_run) {
            pi += 1;
            backtrack = Some((pi, ti));
        } else if token.is_some_and(|token| matches_one(token, t[ti])) {
            pi += 1;
            ti += 1;
        } else if let Some((after_run, absorbed_to)) = backtrack {
            // Let the last any-run swallow one more character and retry from just after it.
            pi = after_run;
            ti = absorbed_to + 1;
            backtrack = Some((after_run, ti));
        } else {
            return false;
        }
    }
    // The text is used up: what is left of the pattern must be able to match nothing.
    p[pi..].iter().all(|&token| is_run(token))
}

fn numeric_matches(op: BaseOperator, policy_value: &str, request_value: &str) -> Tri {
    let Ok(policy) = policy_value.trim().parse::<f64>() else {
        // Not a number: IAM would refuse the policy; its meaning is undefined.
        return Tri::Unknown;
    };
    let Ok(request) = request_value.trim().parse::<f64>() else {
        // A request value that is not a number compares to nothing.
        return Tri::False;
    };
    // The request value is on the left: `NumericLessThan: {k: 5}` holds when k < 5.
    let holds = match op {
        BaseOperator::NumericEquals | BaseOperator::NumericNotEquals => request == policy,
        BaseOperator::NumericLessThan => request < policy,
        BaseOperator::NumericLessThanEquals => request <= policy,
        BaseOperator::NumericGreaterThan => request > policy,
        BaseOperator::NumericGreaterThanEquals => request >= policy,
        _ => return Tri::Unknown,
    };
    holds.into()
}

/// `IpAddress`: the policy value is an address or a CIDR block (IPv4 or IPv6).
fn ip_matches(policy_value: &str, request_value: &str) -> Tri {
    let (addr, prefix) = match policy_value.trim().split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (policy_value.trim(), None),
    };
    let Ok(network) = addr.parse::<IpAddr>() else {
        return Tri::Unknown;
    };
    let width = if network.is_ipv4() { 32 } else { 128 };
    let prefix = match prefix.map(str::parse::<u32>) {
        None => width,
        Some(Ok(p)) if p <= width => p,
        Some(_) => return Tri::Unknown,
    };
    let Ok(request) = request_value.trim().parse::<IpAddr>() else {
        return Tri::False;
    };
    let in_block = match (network, request) {
        (IpAddr::V4(n), IpAddr::V4(r)) => {
            same_prefix(u32::from(n).into(), u32::from(r).into(), prefix, 32)
        }
        (IpAddr::V6(n), IpAddr::V6(r)) => same_prefix(n.into(), r.into(), prefix, 128),
        _ => false,
    };
    in_block.into()
}

fn same_prefix(a: u128, b: u128, prefix: u32, width: u32) -> bool {
    if prefix == 0 {
        return true;
    }
    let shift = width - prefix;
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_basics() {
        assert!(wildcard_match("", "", false));
        assert!(!wildcard_match("", "a", false));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("*", "anything:at/all", false));
        assert!(wildcard_match("a?c", "abc", false));
        assert!(!wildcard_match("a?c", "ac", false));
        assert!(wildcard_match("a*c", "ac", false));
        assert!(wildcard_match("a*c", "abbbc", false));
        assert!(!wildcard_match("a*c", "abbbd", false));
        assert!(wildcard_match("*b*", "abc", false));
        assert!(wildcard_match("??", "éx", false));
        assert!(!wildcard_match("ABC", "abc", false));
        assert!(wildcard_match("ABC", "abc", true));
        assert!(wildcard_match("A*C", "abxc", true));
    }

    #[test]
    fn star_crosses_colons_and_slashes() {
        assert!(wildcard_match(
            "system:serviceaccount:*",
            "system:serviceaccount:billing:api",
            false
        ));
        assert!(wildcard_match(
            "system:serviceaccount:billing:*",
            "system:serviceaccount:billing:a:b/c",
            false
        ));
        assert!(wildcard_match(
            "system:*:api",
            "system:serviceaccount:prod:api",
            false
        ));
        assert!(!wildcard_match(
            "system:serviceaccount:billing:*",
            "system:serviceaccount:billingx:api",
            false
        ));
    }

    #[test]
    fn no_exponential_blowup() {
        let text = "a".repeat(5000);
        let pattern = format!("{}b", "*a".repeat(50));
        assert!(!wildcard_match(&pattern, &text, false));
    }

    #[test]
    fn actions() {
        assert!(action_matches(
            "sts:AssumeRoleWithWebIdentity",
            "sts:AssumeRoleWithWebIdentity"
        ));
        assert!(action_matches(
            "STS:assumerolewithwebidentity",
            "sts:AssumeRoleWithWebIdentity"
        ));
        assert!(action_matches(
            "sts:AssumeRole*",
            "sts:AssumeRoleWithWebIdentity"
        ));
        assert!(action_matches("sts:*", "sts:AssumeRoleWithWebIdentity"));
        assert!(action_matches("*", "sts:AssumeRoleWithWebIdentity"));
        assert!(!action_matches(
            "sts:AssumeRole",
            "sts:AssumeRoleWithWebIdentity"
        ));
        assert!(!action_matches(
            "sts:AssumeRoleWithSAML",
            "sts:AssumeRoleWithWebIdentity"
        ));
    }

    #[test]
    fn arns_match_per_component() {
        let arn = "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB";
        assert!(arn_matches(arn, arn));
        assert!(arn_matches("arn:aws:iam::*:oidc-provider/*", arn));
        assert!(arn_matches("arn:*:iam::111122223333:*", arn));
        assert!(arn_matches("arn:aws:iam::?????????333:*", arn));
        // A `*` stays inside its component.
        assert!(!arn_matches("arn:*:oidc-provider/*", arn));
        assert!(!arn_matches("*", arn));
        // Case-sensitive.
        assert!(!arn_matches(&arn.to_uppercase(), arn));
        // The resource component keeps its colons.
        assert!(arn_matches(
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket/a:b:c"
        ));
        // Not an ARN.
        assert!(!arn_matches(
            "system:serviceaccount:*",
            "system:serviceaccount:a:b"
        ));
    }

    #[test]
    fn string_operators() {
        use BaseOperator::*;
        assert_eq!(value_matches(StringEquals, "a*", "a*"), Tri::True);
        assert_eq!(value_matches(StringEquals, "a*", "ab"), Tri::False);
        assert_eq!(value_matches(StringEquals, "Ab", "ab"), Tri::False);
        assert_eq!(value_matches(StringEqualsIgnoreCase, "Ab", "aB"), Tri::True);
        assert_eq!(value_matches(StringLike, "a*", "ab"), Tri::True);
        assert_eq!(value_matches(StringLike, "A*", "ab"), Tri::False);
        assert_eq!(value_matches(StringNotLike, "a*", "ab"), Tri::True); // positive sense
        assert_eq!(
            value_matches(StringLike, "${aws:username}", "x"),
            Tri::Unknown
        );
        assert!(!has_policy_variable("${notclosed"));
    }

    #[test]
    fn other_operators() {
        use BaseOperator::*;
        assert_eq!(value_matches(Bool, "True", "true"), Tri::True);
        assert_eq!(value_matches(Bool, "false", "true"), Tri::False);
        assert_eq!(value_matches(NumericLessThan, "5", "3"), Tri::True);
        assert_eq!(value_matches(NumericLessThan, "5", "5"), Tri::False);
        assert_eq!(value_matches(NumericLessThanEquals, "5", "5.0"), Tri::True);
        assert_eq!(value_matches(NumericGreaterThan, "5", "6"), Tri::True);
        assert_eq!(value_matches(NumericEquals, "x", "6"), Tri::Unknown);
        assert_eq!(value_matches(NumericEquals, "6", "x"), Tri::False);
        assert_eq!(
            value_matches(IpAddress, "10.0.0.0/8", "10.1.2.3"),
            Tri::True
        );
        assert_eq!(
            value_matches(IpAddress, "10.0.0.0/8", "11.1.2.3"),
            Tri::False
        );
        assert_eq!(value_matches(IpAddress, "10.1.2.3", "10.1.2.3"), Tri::True);
        assert_eq!(value_matches(IpAddress, "0.0.0.0/0", "1.2.3.4"), Tri::True);
        assert_eq!(
            value_matches(IpAddress, "2001:db8::/32", "2001:db8::1"),
            Tri::True
        );
        assert_eq!(
            value_matches(IpAddress, "2001:db8::/32", "10.0.0.1"),
            Tri::False
        );
        assert_eq!(
            value_matches(IpAddress, "nonsense", "10.0.0.1"),
            Tri::Unknown
        );
        assert_eq!(
            value_matches(DateLessThan, "2020-01-01T00:00:00Z", "x"),
            Tri::Unknown
        );
        assert_eq!(value_matches(BinaryEquals, "QUJD", "QUJD"), Tri::True);
    }
}

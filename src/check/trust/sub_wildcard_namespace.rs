//! IRSA104 sub-wildcard-namespace: a `:sub` pattern admits service accounts of more than one
//! namespace.
//!
//! An EKS projected token's `sub` is `system:serviceaccount:<namespace>:<name>`. IAM's `*` matches
//! any run of characters, `:` included, so `system:serviceaccount:*`, `system:serviceaccount:*:api`
//! or `system:serviceaccount:prod*:api` let a pod in *another* namespace (`prod-sandbox`, a
//! namespace created next month) assume the role: whoever may create a service account anywhere in
//! the cluster gets these credentials. The namespace is the tenancy boundary in Kubernetes; a trust
//! policy that does not pin it throws the boundary away.
//!
//! This file also holds the subject/audience helpers the other `:sub`/`:aud` rules (IRSA101-109,
//! IRSA121, IRSA122) share: a precise analysis of what a `:sub` value can match
//! ([`analyse_subject`]), sub-spans inside a value ([`value_sub_span`]), and wildcard positions
//! ([`wildcard_offsets`]).

use super::{
    claim_entries, condition_entries, is_allow, is_eks, logical_path, principal_providers,
};
use crate::diagnostic::Diagnostic;
use crate::engine::matcher::has_policy_variable;
use crate::model::oidc::{parse_eks_issuer, parse_provider_key, same_provider};
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyValue, Statement, TrustPolicy,
};
use crate::registry::IRSA104;
use crate::source::Span;

/// Every EKS service-account token's `sub` starts with this.
pub const SUBJECT_PREFIX: &str = "system:serviceaccount:";

/// The audience the EKS pod identity webhook requests for IRSA tokens by default.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// How many service accounts a `:sub` value can admit, ordered from narrowest to broadest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SubjectScope {
    /// No valid `system:serviceaccount:<namespace>:<name>` matches it.
    Nothing,
    /// Exactly one service account.
    One,
    /// Several service accounts, all in one namespace.
    SeveralNames,
    /// Service accounts of more than one namespace.
    SeveralNamespaces,
}

/// [`analyse_subject`]'s answer: the scope, and which wildcard (byte offset in the value) makes it
/// broad.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubjectAnalysis {
    pub scope: SubjectScope,
    /// Byte offset of the first wildcard that can match characters of a namespace name.
    pub namespace_wildcard: Option<usize>,
    /// Byte offset of the first wildcard that can match characters of a service-account name.
    pub name_wildcard: Option<usize>,
}

/// [`analyse_subject`] for a case-sensitive operator: `like` for `StringLike` (wildcards), false
/// for `StringEquals` (every character literal).
pub fn analyse_sub_pattern(pattern: &str, like: bool) -> SubjectScope {
    analyse_subject(pattern, like, false).scope
}

/// What a `:sub` condition value can match among valid EKS subjects.
///
/// A valid subject is `system:serviceaccount:<namespace>:<name>` where the namespace is a DNS-1123
/// label (lower-case alphanumerics and `-`, alphanumeric at both ends) and the name a DNS-1123
/// subdomain (lower-case alphanumerics, `-` and `.`, alphanumeric at both ends); neither can hold a
/// `:`, which is why a `*` after `system:serviceaccount:<ns>:` cannot reach another namespace.
/// Length limits (63 / 253) are ignored.
///
/// The value is matched as IAM does: with `like`, `*` is any run of characters and `?` one
/// character; `ignore_case` compares letters ignoring case (`StringEqualsIgnoreCase`). The answer
/// is exact: the pattern is run against an automaton of valid subjects, and a wildcard that can
/// consume a namespace (name) character means several namespaces (names) — replacing that
/// character by another letter gives another valid subject the pattern still matches.
pub fn analyse_subject(pattern: &str, like: bool, ignore_case: bool) -> SubjectAnalysis {
    let tokens = tokenize(pattern, like);
    let overall = explore(&tokens, ignore_case, None);
    let scope = if !overall.accepts {
        SubjectScope::Nothing
    } else if overall.ns_wild {
        SubjectScope::SeveralNamespaces
    } else if overall.name_wild {
        SubjectScope::SeveralNames
    } else {
        SubjectScope::One
    };
    let mut analysis = SubjectAnalysis {
        scope,
        namespace_wildcard: None,
        name_wildcard: None,
    };
    if scope >= SubjectScope::SeveralNames {
        // One more search per wildcard, blaming only that one, until the wildcard that explains
        // the scope is found (in practice the first or second wildcard).
        for (i, tok) in tokens.iter().enumerate() {
            if tok.kind == TokKind::Lit {
                continue;
            }
            let blamed = explore(&tokens, ignore_case, Some(i));
            if blamed.ns_wild && analysis.namespace_wildcard.is_none() {
                analysis.namespace_wildcard = Some(tok.offset);
            }
            if blamed.name_wild && analysis.name_wildcard.is_none() {
                analysis.name_wildcard = Some(tok.offset);
            }
            let explained = match scope {
                SubjectScope::SeveralNamespaces => analysis.namespace_wildcard.is_some(),
                _ => analysis.name_wildcard.is_some(),
            };
            if explained {
                break;
            }
        }
    }
    analysis
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TokKind {
    Lit,
    /// `?`
    One,
    /// `*`
    Star,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: TokKind,
    ch: char,
    offset: usize,
}

fn tokenize(pattern: &str, like: bool) -> Vec<Tok> {
    pattern
        .char_indices()
        .map(|(offset, ch)| {
            let kind = match ch {
                '*' if like => TokKind::Star,
                '?' if like => TokKind::One,
                _ => TokKind::Lit,
            };
            Tok { kind, ch, offset }
        })
        .collect()
}

/// States of the valid-subject automaton: `0..PREFIX_LEN` inside the prefix, then these.
const PREFIX_LEN: usize = SUBJECT_PREFIX.len();
const NS_START: usize = PREFIX_LEN;
const NS_ALNUM: usize = PREFIX_LEN + 1;
const NS_DASH: usize = PREFIX_LEN + 2;
const NAME_START: usize = PREFIX_LEN + 3;
const NAME_ALNUM: usize = PREFIX_LEN + 4;
const NAME_OTHER: usize = PREFIX_LEN + 5;
const STATES: usize = PREFIX_LEN + 6;

#[derive(Clone, Copy, PartialEq, Eq)]
enum CharRole {
    Structure,
    Namespace,
    Name,
}

/// One step of the valid-subject automaton on a concrete character.
fn step(state: usize, c: char) -> Option<(usize, CharRole)> {
    let alnum = c.is_ascii_lowercase() || c.is_ascii_digit();
    match state {
        s if s < PREFIX_LEN => (SUBJECT_PREFIX.as_bytes()[s] as char == c).then(|| {
            (
                if s + 1 == PREFIX_LEN { NS_START } else { s + 1 },
                CharRole::Structure,
            )
        }),
        NS_START => alnum.then_some((NS_ALNUM, CharRole::Namespace)),
        NS_ALNUM | NS_DASH => {
            if alnum {
                Some((NS_ALNUM, CharRole::Namespace))
            } else if c == '-' {
                Some((NS_DASH, CharRole::Namespace))
            } else if c == ':' && state == NS_ALNUM {
                Some((NAME_START, CharRole::Structure))
            } else {
                None
            }
        }
        NAME_START => alnum.then_some((NAME_ALNUM, CharRole::Name)),
        NAME_ALNUM | NAME_OTHER => {
            if alnum {
                Some((NAME_ALNUM, CharRole::Name))
            } else if c == '-' || c == '.' {
                Some((NAME_OTHER, CharRole::Name))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Characters that stand for every class the automaton distinguishes in `state`.
fn representatives(state: usize) -> Vec<char> {
    let mut reps = vec!['a', '-', '.', ':'];
    if state < PREFIX_LEN {
        reps.push(SUBJECT_PREFIX.as_bytes()[state] as char);
    }
    reps
}

struct Exploration {
    accepts: bool,
    ns_wild: bool,
    name_wild: bool,
}

/// Breadth-first search over (pattern position, automaton state, flags). Flags record whether a
/// wildcard (only token `blame` when given) consumed a namespace / name character on the way.
fn explore(tokens: &[Tok], ignore_case: bool, blame: Option<usize>) -> Exploration {
    let n = tokens.len();
    let index = |pos: usize, state: usize, flags: usize| (pos * STATES + state) * 4 + flags;
    let mut seen = vec![false; (n + 1) * STATES * 4];
    let mut queue = vec![(0usize, 0usize, 0usize)];
    seen[index(0, 0, 0)] = true;
    let mut result = Exploration {
        accepts: false,
        ns_wild: false,
        name_wild: false,
    };
    let mut push = |queue: &mut Vec<(usize, usize, usize)>, pos, state, flags| {
        let i = index(pos, state, flags);
        if !seen[i] {
            seen[i] = true;
            queue.push((pos, state, flags));
        }
    };
    while let Some((pos, state, flags)) = queue.pop() {
        if pos == n {
            if state == NAME_ALNUM {
                result.accepts = true;
                result.ns_wild |= flags & 1 != 0;
                result.name_wild |= flags & 2 != 0;
            }
            continue;
        }
        let tok = tokens[pos];
        let counts = blame.is_none_or(|b| b == pos);
        let wild_flags = |role: CharRole| match role {
            CharRole::Namespace if counts => flags | 1,
            CharRole::Name if counts => flags | 2,
            _ => flags,
        };
        match tok.kind {
            TokKind::Lit => {
                let mut candidates = vec![tok.ch];
                if ignore_case {
                    candidates.extend(tok.ch.to_lowercase());
                    candidates.extend(tok.ch.to_uppercase());
                }
                for c in candidates {
                    if let Some((next, _)) = step(state, c) {
                        push(&mut queue, pos + 1, next, flags);
                    }
                }
            }
            TokKind::One => {
                for c in representatives(state) {
                    if let Some((next, role)) = step(state, c) {
                        push(&mut queue, pos + 1, next, wild_flags(role));
                    }
                }
            }
            TokKind::Star => {
                push(&mut queue, pos + 1, state, flags);
                for c in representatives(state) {
                    if let Some((next, role)) = step(state, c) {
                        push(&mut queue, pos, next, wild_flags(role));
                    }
                }
            }
        }
    }
    result
}

/// Byte offsets of the IAM wildcards (`*`, `?`) in a value, skipping policy variables such as
/// `${*}` (IAM's escape for a literal `*`) and `${aws:username}`.
pub fn wildcard_offsets(text: &str) -> Vec<usize> {
    let mut offsets = Vec::new();
    let mut rest = 0;
    while rest < text.len() {
        let tail = &text[rest..];
        if let Some(start) = tail.strip_prefix("${")
            && let Some(end) = start.find('}')
        {
            rest += 2 + end + 1;
            continue;
        }
        let c = tail.chars().next().unwrap_or_default();
        if c == '*' || c == '?' {
            offsets.push(rest);
        }
        rest += c.len_utf8().max(1);
    }
    offsets
}

/// The span of `len` bytes at `offset` inside a string value, when positions inside it map 1:1
/// onto the source (a plain quoted JSON/YAML string without escapes in a file that is not an
/// encoded document); otherwise the whole value's span.
pub fn value_sub_span(
    policy: &TrustPolicy,
    value: &PolicyValue,
    offset: usize,
    len: usize,
) -> Span {
    if !value.is_string {
        return value.span;
    }
    text_sub_span(policy, value.span, &value.text, offset, len)
}

/// [`value_sub_span`] for any string scalar (a key, an operator name) given its span and text.
pub fn text_sub_span(
    policy: &TrustPolicy,
    whole: Span,
    text: &str,
    offset: usize,
    len: usize,
) -> Span {
    policy.source.sub_span(whole, text, offset..offset + len)
}

/// The logical path of a condition entry (and value, when the finding concerns one value).
pub fn entry_path(
    policy: &TrustPolicy,
    stmt: &Statement,
    block: &ConditionBlock,
    entry: &ConditionEntry,
    value_index: Option<usize>,
) -> String {
    let mut rest = format!(
        "Condition.{}[\"{}\"]",
        block.operator_name.value, entry.key.value
    );
    if let Some(i) = value_index {
        rest.push_str(&format!("[{i}]"));
    }
    logical_path(policy, Some(stmt), &rest)
}

/// True when the condition key names a claim of an EKS cluster's issuer
/// (`oidc.eks.<region>.amazonaws.com/id/<ID>:<claim>`).
pub fn is_eks_key(key: &str) -> bool {
    parse_provider_key(key).is_some_and(|k| parse_eks_issuer(k.provider).is_some())
}

/// The condition entries on a provider claim, like [`claim_entries`](super::claim_entries), but
/// also when the provider part of the key is not a recognisable provider name: a placeholder
/// (`<OIDC_PROVIDER>:sub`, `${oidc_provider}:sub`) or an empty string left by a template
/// (`:sub`). Rules that conclude from the *absence* of a claim condition use this, so that an
/// unrendered key is not mistaken for a missing one. Global keys (`aws:...`, `sts:...`) are
/// excluded.
pub fn loose_claim_entries<'a>(
    stmt: &'a Statement,
    claim: &'a str,
) -> impl Iterator<Item = (&'a ConditionBlock, &'a ConditionEntry)> + 'a {
    condition_entries(stmt).filter(move |(_, e)| {
        e.key.value.rsplit_once(':').is_some_and(|(provider, c)| {
            c.eq_ignore_ascii_case(claim)
                && !["aws", "sts"]
                    .iter()
                    .any(|g| provider.eq_ignore_ascii_case(g))
        })
    })
}

/// True for a provider name that cannot be a real one: empty, or an unreplaced placeholder.
pub fn is_placeholder_provider(provider: &str) -> bool {
    provider.is_empty() || looks_like_placeholder(provider)
}

/// True when the statement names no resolved OIDC provider (so any provider's key may apply), or
/// when the key's provider is one of the statement's principal providers. A key or principal
/// whose provider is a placeholder may be anything, so it may match.
pub fn key_matches_principal(stmt: &Statement, key: &str) -> bool {
    let Some(k) = parse_provider_key(key) else {
        return key
            .rsplit_once(':')
            .is_some_and(|(p, _)| is_placeholder_provider(p));
    };
    let mut providers = principal_providers(stmt).peekable();
    providers.peek().is_none()
        || providers.any(|p| is_placeholder_provider(p) || same_provider(p, k.provider))
}

/// What a condition entry that can never match does to its statement at run time, for messages:
/// `all_dead` when no value of the entry can match a real token (else only some values are dead
/// weight), `negated` for a negated operator, `pods` to speak of pods (EKS) rather than callers.
pub fn dead_entry_effect(
    stmt: &Statement,
    negated: bool,
    all_dead: bool,
    pods: bool,
) -> &'static str {
    match (all_dead, negated, is_allow(stmt)) {
        (true, false, true) if pods => "no pod can assume the role through this statement",
        (true, false, true) => "nobody can assume the role through this statement",
        (true, false, false) => "this Deny never applies",
        (true, true, true) => "this condition excludes nothing",
        (true, true, false) => "this condition holds for every token",
        (false, _, _) => "this value never matches",
    }
}

/// A value whose meaning is not known statically: unresolved, or using a policy variable.
pub fn is_opaque(value: &PolicyValue) -> bool {
    value.has_unknown() || has_policy_variable(&value.text)
}

/// A value that looks like an unreplaced placeholder (`<namespace>`, `[OIDC_ID]`, `$name`,
/// `{{ .Release.Namespace }}`): IRSA114/IRSA003 report those, so value-shape rules skip them.
pub fn looks_like_placeholder(text: &str) -> bool {
    text.contains(['<', '>', '[', ']', '{', '}', '$'])
}

/// The `(ignore_case, like)` matching mode of a String operator, None for other operators
/// (`Arn*` operators compare six-part ARNs and never match a subject or an audience).
pub fn string_mode(base: BaseOperator) -> Option<(bool, bool)> {
    use BaseOperator::*;
    match base {
        StringEquals | StringNotEquals => Some((false, false)),
        StringEqualsIgnoreCase | StringNotEqualsIgnoreCase => Some((true, false)),
        StringLike | StringNotLike => Some((false, true)),
        _ => None,
    }
}

/// One `:sub` value of an EKS Allow statement that admits more than one service account, after
/// the statement's other `:sub` conditions have been taken into account.
pub struct BroadSubject<'a> {
    pub stmt: &'a Statement,
    pub block: &'a ConditionBlock,
    pub entry: &'a ConditionEntry,
    pub value_index: usize,
    pub value: &'a PolicyValue,
    pub analysis: SubjectAnalysis,
}

/// The `:sub` values that make EKS Allow statements admit several service accounts (IRSA104 takes
/// those spanning namespaces, IRSA105 those spanning names of one namespace).
///
/// Per statement and provider, the `:sub` entries under positive String operators are AND-ed: the
/// statement admits the narrowest of their scopes (an entry's scope is the broadest of its OR-ed
/// values). Only values as broad as that effective scope are returned, so a `StringLike` `*` next
/// to a `StringEquals` on one subject is not reported. Nothing is returned for a provider when one
/// of its entries holds a value not known statically (it may narrow the rest), nor for a key whose
/// provider is not the statement's principal (the key is then absent from every token: IRSA110).
pub fn broad_subjects(policy: &TrustPolicy) -> Vec<BroadSubject<'_>> {
    let mut found = Vec::new();
    for stmt in policy
        .statements
        .iter()
        .filter(|s| is_allow(s) && is_eks(s))
    {
        let entries: Vec<(&ConditionBlock, &ConditionEntry)> = claim_entries(stmt, "sub")
            .filter(|(b, e)| {
                b.operator
                    .is_some_and(|op| op.base.is_string_like() && !op.base.is_negated())
                    && !e.values.is_empty()
                    && is_eks_key(&e.key.value)
                    && key_matches_principal(stmt, &e.key.value)
            })
            .collect();
        let mut done: Vec<usize> = Vec::new();
        for (i, (_, first)) in entries.iter().enumerate() {
            if done.contains(&i) {
                continue;
            }
            let provider = provider_of(&first.key.value);
            let group: Vec<usize> = (i..entries.len())
                .filter(|&j| same_provider(provider_of(&entries[j].1.key.value), provider))
                .collect();
            done.extend(&group);
            let scopes: Option<Vec<Vec<SubjectAnalysis>>> = group
                .iter()
                .map(|&j| value_analyses(entries[j].0, entries[j].1))
                .collect();
            let Some(scopes) = scopes else { continue };
            let effective = scopes
                .iter()
                .map(|vals| {
                    vals.iter()
                        .map(|a| a.scope)
                        .max()
                        .unwrap_or(SubjectScope::Nothing)
                })
                .min()
                .unwrap_or(SubjectScope::Nothing);
            if effective < SubjectScope::SeveralNames {
                continue;
            }
            for (&j, analyses) in group.iter().zip(&scopes) {
                let (block, entry) = entries[j];
                for (value_index, (value, analysis)) in
                    entry.values.iter().zip(analyses).enumerate()
                {
                    if analysis.scope == effective {
                        found.push(BroadSubject {
                            stmt,
                            block,
                            entry,
                            value_index,
                            value,
                            analysis: *analysis,
                        });
                    }
                }
            }
        }
    }
    found
}

fn provider_of(key: &str) -> &str {
    parse_provider_key(key).map_or(key, |k| k.provider)
}

/// The analysis of every value of an entry, or None when one is not known statically.
fn value_analyses(block: &ConditionBlock, entry: &ConditionEntry) -> Option<Vec<SubjectAnalysis>> {
    let base = block.operator?.base;
    entry
        .values
        .iter()
        .map(|v| {
            if is_opaque(v) {
                return None;
            }
            Some(match string_mode(base) {
                Some((ignore_case, like)) => analyse_subject(&v.text, like, ignore_case),
                // ArnEquals/ArnLike: a subject is not a six-part ARN, nothing matches.
                None => SubjectAnalysis {
                    scope: SubjectScope::Nothing,
                    namespace_wildcard: None,
                    name_wildcard: None,
                },
            })
        })
        .collect()
}

pub fn check(policy: &TrustPolicy, out: &mut Vec<Diagnostic>) {
    for broad in broad_subjects(policy) {
        if broad.analysis.scope != SubjectScope::SeveralNamespaces {
            continue;
        }
        let text = &broad.value.text;
        let span = match broad.analysis.namespace_wildcard {
            Some(offset) => value_sub_span(policy, broad.value, offset, 1),
            None => broad.value.span,
        };
        let everything = text.chars().all(|c| c == '*');
        let message = if everything {
            format!(
                "every service account in every namespace of the cluster can assume this role: `{text}` matches any subject"
            )
        } else if text.starts_with(SUBJECT_PREFIX)
            && text[SUBJECT_PREFIX.len()..].chars().all(|c| c == '*')
        {
            format!(
                "every service account in every namespace of the cluster can assume this role: `{text}` leaves both namespace and name open"
            )
        } else {
            format!(
                "service accounts in more than one namespace can assume this role: the wildcard in `{text}` also matches other namespace names, including namespaces created later"
            )
        };
        out.push(
            Diagnostic::new(IRSA104, &policy.source, span, message)
                .label("wildcard matches any namespace")
                .help(format!(
                    "name the namespace (and ideally the service account) exactly: `\"StringEquals\": {{\"{}\": \"system:serviceaccount:<namespace>:<service-account>\"}}`",
                    broad.entry.key.value
                ))
                .related(
                    &policy.source,
                    broad.block.operator_name.span,
                    "`*` and `?` are wildcards under this operator, and `*` also matches `:`",
                )
                .at_path(entry_path(
                    policy,
                    broad.stmt,
                    broad.block,
                    broad.entry,
                    Some(broad.value_index),
                )),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubjectScope::*;

    #[test]
    fn scopes() {
        let cases: &[(&str, bool, SubjectScope)] = &[
            ("system:serviceaccount:prod:api", false, One),
            ("system:serviceaccount:prod:api", true, One),
            ("*", true, SeveralNamespaces),
            ("**", true, SeveralNamespaces),
            ("system:serviceaccount:*", true, SeveralNamespaces),
            ("system:serviceaccount:*:api", true, SeveralNamespaces),
            ("*:api", true, SeveralNamespaces),
            ("system:serviceaccount:prod*:api", true, SeveralNamespaces),
            ("system:serviceaccount:prod?:api", true, SeveralNamespaces),
            ("system:serviceaccount:prod*", true, SeveralNamespaces),
            ("system:*:api", true, SeveralNamespaces),
            ("system:serviceaccount:prod:*", true, SeveralNames),
            ("system:serviceaccount:prod:app-*", true, SeveralNames),
            ("system:serviceaccount:prod:?", true, SeveralNames),
            ("system:serviceaccount:prod:*:*", true, Nothing),
            ("system:serviceaccount:prod:*", false, Nothing),
            ("prod*:x", true, Nothing),
            ("system:serviceaccounts:prod:api", false, Nothing),
            ("system:serviceaccount:Prod:api", false, Nothing),
            ("system:serviceaccount:prod/api", false, Nothing),
            ("system:serviceaccount:prod:api ", false, Nothing),
            ("system:serviceaccount::", false, Nothing),
            ("", false, Nothing),
            ("sts.amazonaws.com", false, Nothing),
            ("system:serviceaccount:-prod:api", false, Nothing),
            ("system:serviceaccount:prod:api-", false, Nothing),
            ("system:serviceaccount:prod:api.v2", false, One),
        ];
        for (pattern, like, want) in cases {
            assert_eq!(
                analyse_sub_pattern(pattern, *like),
                *want,
                "{pattern} like={like}"
            );
        }
        assert_eq!(
            analyse_subject("SYSTEM:serviceaccount:Prod:API", false, true).scope,
            One
        );
    }

    #[test]
    fn blames_the_right_wildcard() {
        let a = analyse_subject("system:serviceaccount:prod*:app-*", true, false);
        assert_eq!(a.scope, SeveralNamespaces);
        assert_eq!(a.namespace_wildcard, Some(26));
        let a = analyse_subject("system:serviceaccount:?*:app", true, false);
        assert_eq!(a.namespace_wildcard, Some(22));
        let a = analyse_subject("system:serviceaccount:prod:app-*", true, false);
        assert_eq!(a.scope, SeveralNames);
        assert_eq!(a.namespace_wildcard, None);
        assert_eq!(a.name_wildcard, Some(31));
    }

    #[test]
    fn wildcards_outside_policy_variables() {
        assert_eq!(wildcard_offsets("a*b?${*}c${aws:x}*"), vec![1, 3, 17]);
        assert!(wildcard_offsets("${*}").is_empty());
        assert_eq!(wildcard_offsets("${*"), vec![2]);
    }

    fn codes(stmts: Vec<crate::engine::testing::StatementBuilder>) -> Vec<&'static str> {
        let policy = crate::engine::testing::policy(stmts);
        let mut out = Vec::new();
        check(&policy, &mut out);
        super::super::sub_wildcard_name::check(&policy, &mut out);
        out.iter().map(|d| d.rule.code).collect()
    }

    #[test]
    fn statement_scope_is_the_narrowest_entry() {
        use crate::engine::testing::*;
        let like = |v: &str| irsa_allow().condition("StringLike", &key("sub"), &[v]);
        assert_eq!(codes(vec![like("*")]), ["IRSA104"]);
        assert_eq!(codes(vec![like("system:serviceaccount:ns:*")]), ["IRSA105"]);
        // A StringEquals on one subject narrows the statement: nothing to report.
        assert!(
            codes(vec![like("*").condition(
                "StringEquals",
                &key("sub"),
                &[&sub("ns", "sa")]
            )])
            .is_empty()
        );
        // Narrowed to one namespace by another entry: the name wildcard is what remains.
        assert_eq!(
            codes(vec![
                like("*")
                    .condition("StringEqualsIfExists", &key("sub"), &[&sub("ns", "sa")])
                    .condition(
                        "ForAnyValue:StringLike",
                        &key("sub"),
                        &["system:serviceaccount:ns:*"]
                    )
            ]),
            Vec::<&str>::new()
        );
        assert_eq!(
            codes(vec![like("*").condition(
                "ForAnyValue:StringLike",
                &key("sub"),
                &["system:serviceaccount:ns:*"]
            )]),
            ["IRSA105"]
        );
        // A value not known statically may narrow the rest: report nothing.
        assert!(
            codes(vec![like("*").condition_values(
                "StringEquals",
                &key("sub"),
                vec![unresolved("${var.subject}")]
            )])
            .is_empty()
        );
        // Deny statements, negated operators and keys of another provider are not reported.
        assert!(
            codes(vec![
                deny()
                    .federated(PROVIDER_ARN)
                    .action(&["sts:AssumeRoleWithWebIdentity"])
                    .condition("StringLike", &key("sub"), &["*"])
            ])
            .is_empty()
        );
        assert!(
            codes(vec![irsa_allow().condition(
                "StringNotLike",
                &key("sub"),
                &["*"]
            )])
            .is_empty()
        );
        let other = "oidc.eks.eu-west-1.amazonaws.com/id/FEDCBA9876543210FEDCBA9876543210:sub";
        assert!(codes(vec![irsa_allow().condition("StringLike", other, &["*"])]).is_empty());
    }
}

//! Subjects, audiences and wildcards: what a `:sub` value can match among EKS service-account
//! subjects ([`analyse_subject`]), which `:sub` values make a statement broad
//! ([`broad_subjects`]), where the IAM wildcards of a value are ([`wildcard_offsets`]) and
//! sub-spans inside a value ([`value_sub_span`]).

use crate::check::support::statement::{
    is_eks_key, key_matches_principal, may_be_eks, string_mode,
};
use crate::engine::STS_AUDIENCE;
use crate::engine::matcher::has_policy_variable;
use crate::model::oidc::{parse_eks_issuer, parse_provider_key, same_provider};
use crate::model::policy::{
    BaseOperator, ConditionBlock, ConditionEntry, PolicyValue, Statement, TrustPolicy,
};
use crate::model::value::PartRef;
use crate::source::Span;

/// Every EKS service-account token's `sub` starts with this.
pub const SUBJECT_PREFIX: &str = "system:serviceaccount:";

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

/// The first IAM wildcard written in a value (`*` or `?`), with its span: in a value with unknown
/// parts, the first in a literal part (a wildcard the unknown part may bring is not written
/// there). None when the value holds none.
pub fn first_written_wildcard(policy: &TrustPolicy, value: &PolicyValue) -> Option<(char, Span)> {
    if !value.has_unknown() {
        let offset = *wildcard_offsets(&value.text).first()?;
        let c = value.text[offset..].chars().next()?;
        return Some((c, value_sub_span(policy, value, offset, 1)));
    }
    value.parts().spanned().find_map(|(part, span)| {
        let PartRef::Literal(text) = part else {
            return None;
        };
        let offset = *wildcard_offsets(text).first()?;
        let c = text[offset..].chars().next()?;
        Some((c, text_sub_span(policy, span, text, offset, 1)))
    })
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

/// One `:sub` value of an EKS Allow statement that admits more than one service account, after
/// the statement's other `:sub` conditions have been taken into account.
pub struct BroadSubject<'a> {
    pub stmt: &'a Statement,
    pub block: &'a ConditionBlock,
    pub entry: &'a ConditionEntry,
    pub value_index: usize,
    pub value: &'a PolicyValue,
    /// Offsets are into the value's text, or for a value with template variables, into its
    /// [`Neutral`] rendering: use [`BroadSubject::wildcard_span`].
    pub analysis: SubjectAnalysis,
}

impl BroadSubject<'_> {
    /// The span of the wildcard at `offset` of [`BroadSubject::analysis`] (the whole value's when
    /// positions inside it cannot be mapped).
    pub fn wildcard_span(&self, policy: &TrustPolicy, offset: Option<usize>) -> Span {
        let Some(offset) = offset else {
            return self.value.span;
        };
        if self.value.has_unknown() {
            return Neutral::of(self.value).source_span(policy, offset, self.value.span);
        }
        value_sub_span(policy, self.value, offset, 1)
    }
}

/// A value with template variables, each variable replaced by a neutral name (`x`), to analyse
/// what its literal parts admit whatever fills the variables in. The assumption: a variable in a
/// subject stands for (part of) a namespace or a name, never for a `:` or a wildcard, which is
/// what a template author means by `system:serviceaccount:${ns}:*`.
struct Neutral<'a> {
    text: String,
    /// Each literal part: where it starts in `text`, its text and its span.
    literals: Vec<(usize, &'a str, Span)>,
}

impl<'a> Neutral<'a> {
    fn of(value: &'a PolicyValue) -> Neutral<'a> {
        let mut text = String::new();
        let mut literals = Vec::new();
        for (part, span) in value.parts().spanned() {
            match part {
                PartRef::Literal(literal) => {
                    literals.push((text.len(), literal, span));
                    text.push_str(literal);
                }
                PartRef::Unknown(_) => text.push('x'),
            }
        }
        Neutral { text, literals }
    }

    /// The source span of the byte at `offset` of the rendering (a wildcard, so always in a
    /// literal part).
    fn source_span(&self, policy: &TrustPolicy, offset: usize, whole: Span) -> Span {
        self.literals
            .iter()
            .find(|(start, literal, _)| (*start..start + literal.len()).contains(&offset))
            .map_or(whole, |(start, literal, span)| {
                text_sub_span(policy, *span, literal, offset - start, 1)
            })
    }
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
        .filter(|s| s.is_allow() && may_be_eks(s))
    {
        let entries: Vec<(&ConditionBlock, &ConditionEntry)> = stmt
            .claim_entries("sub")
            .filter(|(b, e)| {
                b.operator
                    .is_some_and(|op| op.base.is_string_like() && !op.base.is_negated())
                    && !e.values.is_empty()
                    && (is_eks_key(&e.key.value) || e.key_has_unknown())
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
            // A wholly unknown value or a policy variable may be anything: it may narrow the
            // rest. Template variables inside a subject are neutral names (see [`Neutral`]).
            let policy_variable = v
                .parts()
                .iter()
                .any(|p| matches!(p, PartRef::Literal(text) if has_policy_variable(text)));
            if v.parts().is_wholly_unknown() || policy_variable {
                return None;
            }
            let neutral = v.has_unknown().then(|| Neutral::of(v).text);
            let text = neutral.as_deref().unwrap_or(&v.text);
            Some(match string_mode(base) {
                Some((ignore_case, like)) => analyse_subject(text, like, ignore_case),
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

/// A service-account subject (or a GitHub Actions subject), plural typo included.
pub fn looks_like_subject(text: &str) -> bool {
    let lower = text.trim().to_ascii_lowercase();
    lower.starts_with("system:serviceaccount") || lower.starts_with("repo:")
}

/// An audience as a host name: trimmed, lower-case, without `http(s)://` and trailing `/`.
pub fn bare_audience(text: &str) -> String {
    let lower = text.trim().to_ascii_lowercase();
    lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .unwrap_or(&lower)
        .trim_end_matches('/')
        .to_string()
}

/// The STS audience, written with or without scheme, trailing slash or China suffix.
pub fn looks_like_sts_audience(text: &str) -> bool {
    let bare = bare_audience(text);
    bare == STS_AUDIENCE || bare == "sts.amazonaws.com.cn"
}

/// A placeholder subject in the provider's own format, for help texts: a service account for an
/// EKS issuer, a repository ref for GitHub Actions, `<subject>` otherwise.
pub fn subject_example(provider: &str) -> &'static str {
    if parse_eks_issuer(provider).is_some() {
        "system:serviceaccount:<namespace>:<service-account>"
    } else if same_provider(provider, "token.actions.githubusercontent.com") {
        "repo:<owner>/<repo>:ref:refs/heads/<branch>"
    } else {
        "<subject>"
    }
}

/// Two probe subjects that no sensible condition names: an EKS service account and a GitHub
/// Actions workflow. A condition that admits both admits any subject.
pub const PROBE_SUBJECTS: [&str; 2] = [
    "system:serviceaccount:irsa-lint-probe:probe",
    "repo:irsa-lint-probe/probe:ref:refs/heads/main",
];

/// How `*` and `?` are filled when a `StringLike` pattern is instantiated.
const FILLS: [(&str, char); 3] = [("x", 'x'), ("irsa-lint-probe", 'q'), ("", 'z')];

/// One concrete string matched by an IAM wildcard pattern: every `*` replaced by `star`, every `?`
/// by `one`.
pub fn instantiate(pattern: &str, star: &str, one: char) -> String {
    let mut out = String::with_capacity(pattern.len());
    for c in pattern.chars() {
        match c {
            '*' => out.push_str(star),
            '?' => out.push(one),
            c => out.push(c),
        }
    }
    out
}

/// Concrete values that the statement's positive string conditions on `<provider>:<claim>` admit
/// (exact values as written, `StringLike` patterns instantiated several ways), deduplicated, in
/// order. Empty when no such condition exists. Unresolved values and values with policy variables
/// are skipped.
pub fn admitted_values(stmt: &Statement, provider: &str, claim: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let Some(condition) = &stmt.condition else {
        return out;
    };
    for block in &condition.operators {
        let Some(op) = block.operator else { continue };
        let like = match op.base {
            BaseOperator::StringEquals | BaseOperator::StringEqualsIgnoreCase => false,
            BaseOperator::StringLike => true,
            _ => continue,
        };
        for entry in &block.entries {
            let on_key = parse_provider_key(&entry.key.value).is_some_and(|k| {
                k.claim.eq_ignore_ascii_case(claim) && same_provider(k.provider, provider)
            });
            if !on_key {
                continue;
            }
            for value in entry.values.iter().filter(|v| !v.has_unknown()) {
                if value.text.contains("${") {
                    continue;
                }
                let texts: Vec<String> = if like {
                    FILLS
                        .iter()
                        .map(|(star, one)| instantiate(&value.text, star, *one))
                        .collect()
                } else {
                    vec![value.text.clone()]
                };
                for text in texts {
                    if !out.contains(&text) {
                        out.push(text);
                    }
                }
            }
        }
    }
    out
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

    #[test]
    fn instantiation() {
        assert_eq!(
            instantiate("system:serviceaccount:ns:*", "x", 'x'),
            "system:serviceaccount:ns:x"
        );
        assert_eq!(instantiate("a?c*", "", 'z'), "azc");
    }

    /// The rule each broad subject goes to: IRSA104 (several namespaces) or IRSA105 (several names
    /// of one namespace).
    fn codes(stmts: Vec<crate::engine::testing::StatementBuilder>) -> Vec<&'static str> {
        let policy = crate::engine::testing::policy(stmts);
        broad_subjects(&policy)
            .iter()
            .map(|b| match b.analysis.scope {
                SeveralNamespaces => "IRSA104",
                _ => "IRSA105",
            })
            .collect()
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

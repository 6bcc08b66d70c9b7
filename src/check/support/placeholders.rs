//! Unreplaced placeholders (`<ACCOUNT_ID>`, `[OIDC_ID]`, `{AWS_REGION}`, `$oidc_provider`, the
//! documentation accounts): text nothing will ever replace.
//!
//! IRSA114 reports a placeholder; every other rule that looks at the shape of a value asks here
//! first, so that a value whose only problem is a placeholder is reported once. Template
//! variables (`${NAME}`, `$(NAME)`, `{{ x }}`, Terraform's `%{ }`) are not placeholders: they
//! are filled in before anything reads the value, and the extractor keeps them as unknown parts
//! (`crate::extract::holes`).

use std::ops::Range;

use crate::model::template::{find_holes, has_holes};

/// A value that looks like an unreplaced placeholder (`<namespace>`, `[OIDC_ID]`, `$name`,
/// `{{ .Release.Namespace }}`): IRSA114/IRSA003 report those, so value-shape rules skip them.
pub fn looks_like_placeholder(text: &str) -> bool {
    text.contains(['<', '>', '[', ']', '{', '}', '$'])
}

/// How a help text names the placeholder to replace: a single-brace `{AWS_REGION}` looks like a
/// variable some tool fills in, so the help says the braces go too.
pub fn replace_target(placeholder: &str) -> String {
    if placeholder.starts_with('{') {
        format!("`{placeholder}` (braces included)")
    } else {
        format!("`{placeholder}`")
    }
}

/// True when `text` is not final: it holds a placeholder, or a template variable filled in at
/// deploy time. Rules that judge a value's shape wait until it is final.
pub fn is_unfinished(text: &str) -> bool {
    has_holes(text) || !find_placeholders(text).is_empty()
}

/// True for a provider name that cannot be a real one: empty, or an unreplaced placeholder.
pub fn is_placeholder_provider(provider: &str) -> bool {
    provider.is_empty() || looks_like_placeholder(provider)
}

/// The AWS documentation's example account ids. They belong to no customer, so a policy naming
/// them trusts nothing of yours.
pub const DOCUMENTATION_ACCOUNTS: [&str; 2] = ["111122223333", "123456789012"];

/// Every unreplaced placeholder in `text`, as byte ranges with a short description ("a bracketed
/// placeholder"), sorted and non-overlapping.
///
/// Recognised: `[ANY_CAPS]`, `<anything>`, `{NAME}`, a bare `$VAR`, `region-code`, ids containing
/// `EXAMPLE`, all-caps names such as `ACCOUNT_ID` or `OIDC_ID`, redacted `xxxxxxxxxxxx` accounts,
/// and the documentation accounts `111122223333` / `123456789012` when they are the whole text or
/// an ARN's account field (never inside other digits). Not `${VAR}`, `$(VAR)` nor `{{ x }}`:
/// template variables.
pub fn find_placeholders(text: &str) -> Vec<(Range<usize>, &'static str)> {
    let bytes = text.as_bytes();
    let mut found: Vec<(Range<usize>, &'static str)> = Vec::new();
    let mut i = 0;
    let holes = find_holes(text);
    let mut next_hole = holes.iter().peekable();
    while i < bytes.len() {
        let b = bytes[i];
        // A template variable is filled in later, whatever its name says (`${ACCOUNT_ID}`).
        while next_hole.peek().is_some_and(|h| h.range.end <= i) {
            next_hole.next();
        }
        if let Some(hole) = next_hole.peek().filter(|h| h.range.start == i) {
            i = hole.range.end;
        } else if let Some((end, what)) = delimited_at(bytes, i) {
            found.push((i..end, what));
            i = end;
        } else if is_token_byte(b) {
            let end = i + bytes[i..].iter().take_while(|&&c| is_token_byte(c)).count();
            if let Some(what) = placeholder_token(&text[i..end]) {
                found.push((i..end, what));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    if DOCUMENTATION_ACCOUNTS.contains(&text) {
        found.push((0..text.len(), "an AWS documentation example account id"));
    } else if let Some(field) = arn_account_field(text) {
        let account = &text[field.clone()];
        if DOCUMENTATION_ACCOUNTS.contains(&account) {
            found.push((field, "an AWS documentation example account id"));
        } else if is_account_placeholder(account) {
            found.push((field, "a placeholder account id"));
        }
    }
    found.sort_by_key(|(r, _)| (r.start, std::cmp::Reverse(r.end)));
    let mut out: Vec<(Range<usize>, &'static str)> = Vec::with_capacity(found.len());
    for (range, what) in found {
        if out.last().is_some_and(|(last, _)| range.start < last.end) {
            continue;
        }
        out.push((range, what));
    }
    out
}

/// Characters of a "word" for the token checks (`region-code`, `EXAMPLE...`, `ACCOUNT_ID`).
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// A placeholder that starts with a delimiter at `i`: `[CAPS]`, `<name>`, `{NAME}`, `$VAR`.
/// Returns its end.
fn delimited_at(bytes: &[u8], i: usize) -> Option<(usize, &'static str)> {
    let rest = &bytes[i..];
    match rest.first()? {
        b'[' => {
            let len = rest[1..]
                .iter()
                .take_while(|&&c| {
                    c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b' ')
                })
                .count();
            let inner = &rest[1..1 + len];
            (rest.get(1 + len) == Some(&b']') && inner.iter().any(u8::is_ascii_uppercase))
                .then_some((i + len + 2, "a bracketed placeholder"))
        }
        b'<' => {
            let len = rest[1..]
                .iter()
                .take_while(|&&c| {
                    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ' | b'.')
                })
                .count();
            let inner = &rest[1..1 + len];
            (rest.get(1 + len) == Some(&b'>') && inner.iter().any(u8::is_ascii_alphabetic))
                .then_some((i + len + 2, "an angle-bracket placeholder"))
        }
        // `{AWS_REGION}`, `{OIDC}`: a single-brace name (documentation style). `{{ x }}` and
        // `${x}` are template variables, holes the extractor keeps as unknown parts.
        b'{' if rest.get(1) != Some(&b'{') && (i == 0 || !matches!(bytes[i - 1], b'$' | b'{')) => {
            let len = rest[1..]
                .iter()
                .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-'))
                .count();
            (len > 0 && rest.get(1 + len) == Some(&b'}'))
                .then_some((i + len + 2, "a brace placeholder"))
        }
        b'$' => match rest.get(1)? {
            // A bare shell `$name` nothing expanded (a heredoc saved with a quoted delimiter):
            // `${name}` and `$(name)` are holes, not placeholders.
            c if c.is_ascii_alphabetic() || *c == b'_' => {
                let len = rest[1..]
                    .iter()
                    .take_while(|&&c| c.is_ascii_alphanumeric() || c == b'_')
                    .count();
                Some((i + 1 + len, "an unexpanded shell variable"))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Words that are placeholders on their own.
fn placeholder_token(token: &str) -> Option<&'static str> {
    if token.eq_ignore_ascii_case("region-code") {
        return Some("the documentation placeholder");
    }
    // `EXAMPLED539D4633E53DE1B71EXAMPLE`, `AKIAIOSFODNN7EXAMPLE`: AWS documentation ids.
    if token.contains("EXAMPLE") {
        return Some("an AWS documentation example id");
    }
    // `ACCOUNT_ID`, `OIDC_ID`, `YOUR_CLUSTER_NAME`: an all-caps name with an underscore and a
    // telling word. Real account ids are digits, EKS OIDC ids hex without `_`, and Kubernetes
    // names lower case, so these never occur in a working trust policy.
    let all_caps = token.contains('_')
        && token
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
    const WORDS: [&str; 8] = [
        "ACCOUNT",
        "OIDC",
        "REGION",
        "CLUSTER",
        "PROVIDER",
        "NAMESPACE",
        "ISSUER",
        "YOUR_",
    ];
    if all_caps && WORDS.iter().any(|w| token.contains(w)) {
        return Some("a placeholder name");
    }
    None
}

/// The byte range of the account field of `arn:partition:service:region:account:resource`.
pub fn arn_account_field(text: &str) -> Option<Range<usize>> {
    if !text.starts_with("arn:") {
        return None;
    }
    let mut colons = text.match_indices(':').map(|(i, _)| i);
    let start = colons.nth(3)? + 1;
    let end = colons.next()?;
    Some(start..end)
}

/// An account field that stands for "your account": `XXXXXXXXXXXX`, `ACCOUNT_ID`-like names.
fn is_account_placeholder(account: &str) -> bool {
    let xs = account.len() == 12 && account.bytes().all(|c| c == b'x' || c == b'X');
    let caps_name = !account.is_empty()
        && account.bytes().any(|c| c.is_ascii_uppercase())
        && account
            .bytes()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_' || c == b'-');
    xs || caps_name
}

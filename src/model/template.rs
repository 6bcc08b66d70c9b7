//! Template variables: the parts of a value that something fills in before AWS or Kubernetes
//! reads it.
//!
//! Real repositories keep trust policies and manifests as templates: `envsubst` replaces
//! `${CARTS_IAM_ROLE}`, Terraform's `templatefile()` replaces `${account_id}` and runs `%{ if }`
//! directives, Helm replaces `{{ .Values.x }}` inside a quoted string, and the kubelet expands
//! `$(POD_NAMESPACE)` in a container's env. Such a part is a hole in the value
//! ([`crate::model::value::Part::Unknown`]), not a placeholder somebody forgot: rules report what
//! holds whatever fills it, and IRSA006 counts them per file.
//!
//! What is *not* a hole, because nothing will ever replace it:
//! * IAM policy variables, which IAM itself resolves: `${aws:username}`,
//!   `${www.amazon.com:user_id}`, `${aws:PrincipalTag/team, 'default'}` (a name, then `:`), and
//!   the escapes `${*}`, `${?}`, `${$}` (but `${AWS::AccountId}`, a name then `::`, is a
//!   CloudFormation pseudo parameter: a hole);
//! * the escapes `$${...}`, `%%{...}` and `$$(...)`, which render as the literal text;
//! * a bare shell `$name`: a heredoc saved with a quoted delimiter keeps it as is (IRSA114 reports
//!   it), and `--var` substitutes it like `envsubst` does.
//!
//! With `--var NAME=VALUE` (or `vars:` in the configuration) [`substitute_text`] fills in
//! `${NAME}` and `$NAME` as `envsubst` would, before any hole is looked for.
//!
//! These are conventions of the text of a value, whatever file syntax carried it: the extractor
//! turns holes into unknown parts, and rules that read raw text (a manifest's annotation) ask
//! [`has_holes`].

use std::collections::BTreeMap;
use std::ops::Range;

/// One template variable or directive in a value's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hole {
    /// Byte range in the value's text, delimiters included.
    pub range: Range<usize>,
    /// The expression inside the delimiters, trimmed (`CARTS_IAM_ROLE`, `var.ns`,
    /// `.Values.roleArn`); for a run of `%{ }` directives, the first directive's.
    pub expression: String,
}

/// True when `text` has a template variable or directive.
pub fn has_holes(text: &str) -> bool {
    text.contains(['$', '%', '{']) && !find_holes(text).is_empty()
}

/// Every hole in `text`, in order, not overlapping.
pub fn find_holes(text: &str) -> Vec<Hole> {
    let bytes = text.as_bytes();
    let mut holes = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], bytes.get(i + 1)) {
            // Escapes: `$${` `$$(` render as `${` `$(`; `%%{` as `%{`.
            (b'$', Some(b'$')) | (b'%', Some(b'%')) => i += 2,
            (b'$', Some(b'{')) => match closing_brace(bytes, i + 2) {
                Some(close) => {
                    let inner = &text[i + 2..close];
                    if !is_policy_variable(inner) && !inner.trim().is_empty() {
                        holes.push(hole(text, i..close + 1, inner));
                    }
                    i = close + 1;
                }
                None => i += 2,
            },
            (b'$', Some(b'(')) => {
                let name_len = identifier_len(&bytes[i + 2..]);
                if name_len > 0 && bytes.get(i + 2 + name_len) == Some(&b')') {
                    let end = i + 2 + name_len + 1;
                    holes.push(hole(text, i..end, &text[i + 2..end - 1]));
                    i = end;
                } else {
                    i += 2;
                }
            }
            (b'%', Some(b'{')) => match directives_end(bytes, i) {
                Some(end) => {
                    let first_close = closing_brace(bytes, i + 2).unwrap_or(end - 1);
                    holes.push(hole(text, i..end, &text[i + 2..first_close]));
                    i = end;
                }
                None => i += 2,
            },
            (b'{', Some(b'{')) => match find(bytes, i + 2, b"}}") {
                Some(close) => {
                    let inner = text[i + 2..close].trim_matches('-');
                    holes.push(hole(text, i..close + 2, inner));
                    i = close + 2;
                }
                None => i += 2,
            },
            _ => i += 1,
        }
    }
    holes
}

fn hole(text: &str, range: Range<usize>, inner: &str) -> Hole {
    debug_assert!(text.is_char_boundary(range.start) && text.is_char_boundary(range.end));
    Hole {
        range,
        expression: inner.trim().to_string(),
    }
}

/// An IAM policy variable (`aws:username`, `www.amazon.com:user_id`, `aws:PrincipalTag/team,
/// 'x'`) or one of IAM's escapes (`*`, `?`, `$`): IAM resolves these itself.
fn is_policy_variable(inner: &str) -> bool {
    if matches!(inner, "*" | "?" | "$") {
        return true;
    }
    let name_len = inner
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'))
        .count();
    // `${AWS::AccountId}` is a CloudFormation pseudo parameter (`Fn::Sub`), not a policy variable:
    // no IAM variable name is followed by `::`.
    name_len > 0
        && inner.as_bytes().get(name_len) == Some(&b':')
        && inner.as_bytes().get(name_len + 1) != Some(&b':')
}

/// The length of the shell identifier (`[A-Za-z_][A-Za-z0-9_]*`) at the start of `bytes`.
fn identifier_len(bytes: &[u8]) -> usize {
    match bytes.first() {
        Some(c) if c.is_ascii_alphabetic() || *c == b'_' => {
            1 + bytes[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count()
        }
        _ => 0,
    }
}

/// The `}` that closes an expression starting at `from` (just after `${` or `%{`): braces nest,
/// and quoted strings in the expression (`${replace(x, "}", "")}`) are skipped.
fn closing_brace(bytes: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut in_string = false;
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'"' => in_string = !in_string,
            b'{' if !in_string => depth += 1,
            b'}' if !in_string => {
                if depth == 0 {
                    return Some(i);
                }
                depth -= 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end of a run of Terraform template directives starting at `start` (`%{ if x }a%{ else
/// }b%{ endif }`): up to the end of the last directive in the text, since what lies between them
/// is kept or dropped depending on values unknown here.
fn directives_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut end = closing_brace(bytes, start + 2)? + 1;
    let mut i = end;
    while let Some(next) = find(bytes, i, b"%{") {
        if next > 0 && bytes[next - 1] == b'%' {
            i = next + 2;
            continue;
        }
        match closing_brace(bytes, next + 2) {
            Some(close) => {
                end = close + 1;
                i = end;
            }
            None => break,
        }
    }
    Some(end)
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

/// True for a name `envsubst` substitutes: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_variable_name(name: &str) -> bool {
    !name.is_empty() && identifier_len(name.as_bytes()) == name.len()
}

/// Values for template variables (`--var NAME=VALUE`, the configuration's `vars`).
pub type Vars = BTreeMap<String, String>;

/// `text` with `${NAME}` and `$NAME` replaced for every NAME in `vars`, as `envsubst` does; other
/// variables are left as they are. None when nothing was replaced.
pub fn substitute_text(text: &str, vars: &Vars) -> Option<String> {
    if vars.is_empty() || !text.contains('$') {
        return None;
    }
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut replaced = false;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'$' {
            i += 1;
            continue;
        }
        let braced = bytes.get(i + 1) == Some(&b'{');
        let name_start = i + 1 + usize::from(braced);
        let name_len = identifier_len(&bytes[name_start..]);
        let name_end = name_start + name_len;
        let end = if braced {
            (bytes.get(name_end) == Some(&b'}')).then_some(name_end + 1)
        } else {
            Some(name_end)
        };
        match (name_len, end) {
            (1.., Some(end)) => match vars.get(&text[name_start..name_end]) {
                Some(value) => {
                    out.push_str(&text[copied..i]);
                    out.push_str(value);
                    copied = end;
                    replaced = true;
                    i = end;
                }
                None => i = end,
            },
            _ => i += 1,
        }
    }
    replaced.then(|| {
        out.push_str(&text[copied..]);
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holes(text: &str) -> Vec<(&str, String)> {
        find_holes(text)
            .into_iter()
            .map(|h| (&text[h.range], h.expression))
            .collect()
    }

    fn one(text: &str, hole: &str, expression: &str) {
        assert_eq!(
            holes(text),
            [(hole, expression.to_string())],
            "holes of {text:?}"
        );
    }

    #[test]
    fn envsubst_kubernetes_terraform_and_helm_variables_are_holes() {
        one("${CARTS_IAM_ROLE}", "${CARTS_IAM_ROLE}", "CARTS_IAM_ROLE");
        one(
            "arn:aws:iam::${account_id}:role/x",
            "${account_id}",
            "account_id",
        );
        one("$(POD_NAMESPACE)", "$(POD_NAMESPACE)", "POD_NAMESPACE");
        one(
            "${replace(var.url, \"https://\", \"\")}:sub",
            "${replace(var.url, \"https://\", \"\")}",
            "replace(var.url, \"https://\", \"\")",
        );
        one(
            "${ {a = 1}[\"a\"] }",
            "${ {a = 1}[\"a\"] }",
            "{a = 1}[\"a\"]",
        );
        one(
            "arn:{{ .Values.partition }}:iam",
            "{{ .Values.partition }}",
            ".Values.partition",
        );
        one("{{- .Values.x -}}", "{{- .Values.x -}}", ".Values.x");
        assert_eq!(
            holes("system:serviceaccount:${ns}:${name}"),
            [("${ns}", "ns".to_string()), ("${name}", "name".to_string())]
        );
    }

    #[test]
    fn a_run_of_directives_is_one_hole() {
        one(
            "a%{ if x }b%{ else }c%{ endif }d",
            "%{ if x }b%{ else }c%{ endif }",
            "if x",
        );
        one(
            "%{ for n in ns }x%{ endfor }",
            "%{ for n in ns }x%{ endfor }",
            "for n in ns",
        );
    }

    #[test]
    fn policy_variables_escapes_and_bare_names_are_not_holes() {
        for text in [
            "${aws:username}",
            "${www.amazon.com:user_id}",
            "${aws:PrincipalTag/team, 'x'}",
            "${*}",
            "${?}",
            "${$}",
            "$${x}",
            "%%{ if x }",
            "$$(X)",
            "$oidc_provider:aud",
            "$(not a name)",
            "${}",
            "${unclosed",
            "{{ unclosed",
            "{AWS_REGION}",
            "plain",
        ] {
            assert_eq!(holes(text), [], "{text:?}");
        }
    }

    #[test]
    fn substitution_is_envsubst_for_the_names_given() {
        let vars: Vars = [("NS".to_string(), "prod".to_string())].into();
        assert_eq!(
            substitute_text("system:serviceaccount:${NS}:$NS-${NAME}", &vars).as_deref(),
            Some("system:serviceaccount:prod:prod-${NAME}")
        );
        assert_eq!(substitute_text("$NSX ${var.NS} $(NS)", &vars), None);
        assert_eq!(substitute_text("no variable", &vars), None);
        assert_eq!(substitute_text("${NS", &vars), None);
    }
}

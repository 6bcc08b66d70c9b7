//! A policy document node → [`TrustPolicy`].
//!
//! IAM accepts a single string where a list is allowed (`Action`, principal values, condition
//! values) and a single object where `Statement` is a list: both are normalised here, so rules never
//! see the difference. Element names are looked up ignoring case; a key written twice in one
//! object counts once, at its last occurrence (see [`element`]).

use std::collections::HashMap;

use crate::extract::holes;
use crate::model::policy::{
    ActionElement, ConditionBlock, ConditionElement, ConditionEntry, DuplicateKey, Effect, Located,
    Operator, PolicyOrigin, PolicyValue, Principal, PrincipalElement, PrincipalEntry, Statement,
    TrustPolicy,
};
use crate::parse::tree::{Entry, Node, NodeKind, ScalarType};
use crate::source::{SourceFile, SourceRef};

/// Whether a document is a role trust policy (as opposed to an identity or resource policy): some
/// statement names a principal together with an `sts:` action, or names a Federated principal.
pub fn is_trust_policy(root: &Node) -> bool {
    let Some(statements) = element(root, "Statement") else {
        return false;
    };
    statement_nodes(&statements.value).any(|stmt| {
        let has_principal =
            element(stmt, "Principal").is_some() || element(stmt, "NotPrincipal").is_some();
        let federated =
            element(stmt, "Principal").is_some_and(|p| element(&p.value, "Federated").is_some());
        let sts_action = ["Action", "NotAction"].iter().any(|k| {
            element(stmt, k).is_some_and(|a| {
                let items = a.value.as_seq().unwrap_or(std::slice::from_ref(&a.value));
                items.iter().filter_map(Node::scalar_text).any(|text| {
                    text.get(..4)
                        .is_some_and(|p| p.eq_ignore_ascii_case("sts:"))
                })
            })
        });
        has_principal && (sts_action || federated)
    })
}

/// Read a policy document. `encoded` marks a document parsed out of a string value.
pub fn read_policy(
    source: &SourceRef,
    document: &Node,
    origin: PolicyOrigin,
    logical_path: String,
    encoded: bool,
) -> TrustPolicy {
    let version = element(document, "Version");
    let statements = element(document, "Statement")
        .map(|e| {
            statement_nodes(&e.value)
                .enumerate()
                .map(|(index, node)| read_statement(source, index, node))
                .collect()
        })
        .unwrap_or_default();
    TrustPolicy {
        source: source.clone(),
        origin,
        logical_path,
        role: None,
        candidate_role_name: None,
        resource_address: None,
        arn_references: Vec::new(),
        document_span: document.span,
        size: policy_size(document),
        duplicate_keys: duplicate_keys(document),
        encoded,
        version: version.and_then(|e| {
            Some(Located {
                value: e.value.scalar_text()?.to_string(),
                span: e.value.span,
            })
        }),
        version_key: version.map(|e| e.key.span),
        statements,
    }
}

fn read_statement(source: &SourceFile, index: usize, node: &Node) -> Statement {
    let effect = element(node, "Effect").and_then(|e| {
        let text = e.value.scalar_text()?;
        let value = match text {
            "Allow" => Effect::Allow,
            "Deny" => Effect::Deny,
            other => Effect::Invalid(other.to_string()),
        };
        Some(Located {
            value,
            span: e.value.span,
        })
    });
    let action = |key: &str| {
        element(node, key).map(|e| ActionElement {
            key_span: e.key.span,
            values: values(source, &e.value).collect(),
        })
    };
    Statement {
        index,
        span: node.span,
        sid: element(node, "Sid").and_then(|e| {
            Some(Located {
                value: e.value.scalar_text()?.to_string(),
                span: e.value.span,
            })
        }),
        effect,
        principal: element(node, "Principal").map(|e| read_principal(source, e)),
        not_principal: element(node, "NotPrincipal").map(|e| e.key.span),
        action: action("Action"),
        not_action: action("NotAction"),
        resource: element(node, "Resource").map(|e| e.key.span),
        not_resource: element(node, "NotResource").map(|e| e.key.span),
        condition: element(node, "Condition").map(|e| read_condition(source, e)),
    }
}

fn read_principal(source: &SourceFile, entry: &Entry) -> PrincipalElement {
    let principal = match &entry.value.kind {
        NodeKind::Scalar(_) => match value_of(source, &entry.value) {
            Some(v) if v.text == "*" => Principal::Wildcard(v),
            _ => Principal::Invalid,
        },
        NodeKind::Map(entries) => Principal::Map(
            last_occurrences(entries)
                .into_iter()
                .filter_map(|e| {
                    Some(PrincipalEntry {
                        kind: Located {
                            value: e.key.scalar_text()?.to_string(),
                            span: e.key.span,
                        },
                        values: values(source, &e.value).collect(),
                    })
                })
                .collect(),
        ),
        _ => Principal::Invalid,
    };
    PrincipalElement {
        key_span: entry.key.span,
        span: entry.value.span,
        principal,
    }
}

fn read_condition(source: &SourceFile, entry: &Entry) -> ConditionElement {
    let operators = last_occurrences(entry.value.as_map().unwrap_or_default())
        .into_iter()
        .filter_map(|block| {
            let name = block.key.scalar_text()?;
            Some(ConditionBlock {
                operator_name: Located {
                    value: name.to_string(),
                    span: block.key.span,
                },
                operator: Operator::parse(name),
                span: block.value.span,
                written: block.value.written(),
                entries: last_occurrences(block.value.as_map().unwrap_or_default())
                    .into_iter()
                    .filter_map(|e| {
                        let key = e.key.scalar_text()?;
                        Some(ConditionEntry {
                            key: Located {
                                value: key.to_string(),
                                span: e.key.span,
                            },
                            key_unknown_parts: holes::value_parts(source, e.key.span, key)
                                .unwrap_or_default(),
                            values_span: e.value.span,
                            written: e.value.written(),
                            values: values(source, &e.value).collect(),
                            merged_from: Vec::new(),
                        })
                    })
                    .collect(),
            })
        })
        .collect();
    ConditionElement {
        key_span: entry.key.span,
        span: entry.value.span,
        written: entry.value.written(),
        operators,
    }
}

/// Keys written twice in one object of `document`, names compared ignoring case (IAM reads policy
/// elements and condition keys so), in document order. An iterative walk: nesting is bounded by
/// the parser's limit, but a stack keeps this independent of it.
pub fn duplicate_keys(document: &Node) -> Vec<DuplicateKey> {
    let mut found = Vec::new();
    let mut stack: Vec<(&Node, String)> = vec![(document, String::new())];
    while let Some((node, path)) = stack.pop() {
        match &node.kind {
            NodeKind::Map(entries) => {
                let mut first: HashMap<String, usize> = HashMap::new();
                for (i, entry) in entries.iter().enumerate() {
                    let Some(name) = entry.key.scalar_text() else {
                        continue;
                    };
                    match first.get(&name.to_lowercase()) {
                        Some(&j) => {
                            let earlier = &entries[j].key;
                            found.push(DuplicateKey {
                                object_path: path.clone(),
                                earlier: Located {
                                    value: earlier.scalar_text().unwrap_or_default().to_string(),
                                    span: earlier.span,
                                },
                                later: Located {
                                    value: name.to_string(),
                                    span: entry.key.span,
                                },
                            });
                        }
                        None => {
                            first.insert(name.to_lowercase(), i);
                        }
                    }
                    let child = if path.is_empty() {
                        name.to_string()
                    } else {
                        format!("{path}.{name}")
                    };
                    stack.push((&entry.value, child));
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    stack.push((item, format!("{path}[{i}]")));
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }
    found
}

/// The non-whitespace characters of `node` serialised as compact JSON: what IAM counts against the
/// role trust-policy quota. The same for a raw JSON file, a YAML-embedded policy and a URL-encoded
/// `AssumeRolePolicyDocument` (whose host-file text is much longer than the policy). White space
/// inside strings is not counted either, which can only under-count.
pub fn policy_size(node: &Node) -> usize {
    let mut size = 0;
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &node.kind {
            NodeKind::Scalar(scalar) => {
                size += match scalar.ty {
                    ScalarType::String => json_string_size(&scalar.text),
                    ScalarType::Null => 4,
                    ScalarType::Bool(true) => 4,
                    ScalarType::Bool(false) => 5,
                    ScalarType::Int | ScalarType::Float => non_whitespace(&scalar.text),
                };
            }
            NodeKind::Seq(items) => {
                // `[` `]` and the commas between items.
                size += 2 + items.len().saturating_sub(1);
                stack.extend(items.iter());
            }
            NodeKind::Map(entries) => {
                // `{` `}`, a `:` per entry and the commas between entries.
                size += 2 + entries.len() + entries.len().saturating_sub(1);
                for entry in entries {
                    // Keys are strings in JSON, whatever they resolve to in YAML.
                    size += entry.key.scalar_text().map_or(2, json_string_size);
                    stack.push(&entry.value);
                }
            }
            // An unexpanded YAML alias: its target is counted where it is defined.
            NodeKind::Alias(_) => {}
        }
    }
    size
}

fn non_whitespace(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// A string as a JSON literal: quotes, plus escapes for `"`, `\` and control characters.
fn json_string_size(text: &str) -> usize {
    2 + text
        .chars()
        .map(|c| match c {
            '"' | '\\' | '\u{8}' | '\u{c}' | '\n' | '\r' | '\t' => 2,
            c if (c as u32) < 0x20 => 6,
            c if c.is_whitespace() => 0,
            _ => 1,
        })
        .sum::<usize>()
}

/// A policy element by name, ignoring ASCII case; of a name written twice, the last occurrence.
///
/// AWS documents neither how IAM reads an element name written in another case nor which of two
/// occurrences of a key it keeps. JSON parsers commonly keep the last (Jackson's and Go's do), and
/// IRSA118 reports every repetition as an error whatever IAM does; reading the last occurrence
/// makes the model say what such a parser leaves (a second `StringEquals` block replacing the
/// first), so the other rules judge the policy IAM most likely stores.
pub fn element<'a>(node: &'a Node, name: &str) -> Option<&'a Entry> {
    node.as_map()?.iter().rev().find(|e| {
        e.key
            .scalar_text()
            .is_some_and(|k| k.eq_ignore_ascii_case(name))
    })
}

/// The entries of a mapping with each name (compared ignoring case) kept once, at its last
/// occurrence (see [`element`]), in source order.
fn last_occurrences(entries: &[Entry]) -> Vec<&Entry> {
    entries
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            let Some(name) = e.key.scalar_text() else {
                return true;
            };
            !entries[i + 1..].iter().any(|later| {
                later
                    .key
                    .scalar_text()
                    .is_some_and(|k| k.eq_ignore_ascii_case(name))
            })
        })
        .map(|(_, e)| e)
        .collect()
}

/// `Statement` as a list of statement objects (a single object counts as a list of one).
fn statement_nodes(node: &Node) -> impl Iterator<Item = &Node> {
    let items: &[Node] = match &node.kind {
        NodeKind::Seq(items) => items,
        NodeKind::Map(_) => std::slice::from_ref(node),
        _ => &[],
    };
    items.iter().filter(|n| n.as_map().is_some())
}

/// A string-or-list element as a list of values. Non-scalar items are skipped.
fn values<'a>(source: &'a SourceFile, node: &'a Node) -> impl Iterator<Item = PolicyValue> + 'a {
    let items: &[Node] = match &node.kind {
        NodeKind::Seq(items) => items,
        _ => std::slice::from_ref(node),
    };
    items.iter().filter_map(|item| value_of(source, item))
}

/// A scalar as a policy value: a string with template variables (`${account_id}`) has them as
/// unknown parts.
fn value_of(source: &SourceFile, node: &Node) -> Option<PolicyValue> {
    let scalar = node.as_scalar()?;
    if scalar.ty == ScalarType::Null {
        return None;
    }
    if scalar.ty == ScalarType::String
        && let Some(parts) = holes::value_parts(source, node.span, &scalar.text)
    {
        let mut value = PolicyValue::from_parts(parts, node.span);
        // The text as written, for messages: `${NAME}`, `$(NAME)`, `{{ x }}` as they are.
        value.text = scalar.text.clone();
        return Some(value);
    }
    Some(PolicyValue::literal(
        scalar.text.clone(),
        node.span,
        scalar.ty == ScalarType::String,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::tree::Limits;
    use crate::parse::{self, FileKind};
    use crate::source::SourceFile;
    use std::sync::Arc;

    fn read(text: &str) -> TrustPolicy {
        let source = Arc::new(SourceFile::new("t.json", None, text.to_string()));
        let parsed = parse::parse(text, FileKind::Json, Limits::default());
        let root = parsed.documents[0].root.as_ref().unwrap();
        read_policy(&source, root, PolicyOrigin::RawFile, String::new(), false)
    }

    #[test]
    fn a_repeated_key_counts_once_at_its_last_occurrence() {
        let p = read(
            r#"{"Statement": [{"Effect": "Deny"}], "statement": {"Effect": "Allow",
              "Condition": {"StringEquals": {"k:aud": "a", "k:sub": "x", "K:SUB": "y"},
                            "stringequals": {"k:sub": "z"}}}}"#,
        );
        // The second `Statement` (in another case) replaces the first.
        assert_eq!(p.statements.len(), 1);
        assert_eq!(
            p.statements[0].effect.as_ref().unwrap().value,
            Effect::Allow
        );
        // The second `StringEquals` block replaces the first, `k:aud` with it.
        let blocks = &p.statements[0].condition.as_ref().unwrap().operators;
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].operator_name.value, "stringequals");
        assert_eq!(blocks[0].entries.len(), 1);
        assert_eq!(blocks[0].entries[0].values[0].text, "z");
        // Every repetition is recorded for IRSA118, with both places.
        let names: Vec<(&str, &str, &str)> = p
            .duplicate_keys
            .iter()
            .map(|d| {
                (
                    d.object_path.as_str(),
                    d.earlier.value.as_str(),
                    d.later.value.as_str(),
                )
            })
            .collect();
        assert!(names.contains(&("", "Statement", "statement")), "{names:?}");
        assert!(
            names.contains(&("statement.Condition", "StringEquals", "stringequals")),
            "{names:?}"
        );
        assert!(
            names.contains(&("statement.Condition.StringEquals", "k:sub", "K:SUB")),
            "{names:?}"
        );
    }

    #[test]
    fn size_and_document_span_come_from_the_document() {
        let text = "  {\"Version\": \"2012-10-17\"}";
        let p = read(text);
        assert_eq!(p.document_span.start, 2);
        assert_eq!(p.size, "{\"Version\":\"2012-10-17\"}".len());
    }
}

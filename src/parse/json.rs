//! JSON: jsonc-parser in strict mode into the spanned tree.
//!
//! Every jsonc-parser extension is off (comments, trailing or missing commas, unquoted or
//! single-quoted strings, hex, `+1`, `.5`, `Infinity`, JSON5 escapes). What it still accepts beyond
//! RFC 8259 is caught by a byte pre-scan that runs first: raw control characters inside strings,
//! and non-JSON whitespace (vertical tab, form feed, Unicode spaces) or any other stray character
//! outside strings. The pre-scan also bounds the work: nesting deeper than
//! [`Limits::max_depth`] or more than [`Limits::max_nodes`] values and keys is rejected before
//! jsonc-parser (which is recursive descent) ever sees the text. When the nesting is deeper than a
//! few levels, jsonc-parser runs on a thread with a stack sized for that depth.
//!
//! A UTF-8 byte order mark at the start is skipped; offsets stay relative to the original text.
//! Empty or whitespace-only text has no document.

use std::panic::{AssertUnwindSafe, catch_unwind};

use jsonc_parser::ast::{ObjectPropName, Value};
use jsonc_parser::errors::ParseErrorKind;
use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

use super::tree::{
    Document, Entry, Limits, Node, NodeKind, ParseProblem, ParsedFile, ProblemKind, Scalar,
    ScalarStyle, ScalarType,
};
use crate::source::Span;

/// Up to this nesting depth jsonc-parser runs on the caller's stack.
const INLINE_DEPTH: usize = 24;
/// Stack given to jsonc-parser per nesting level beyond that (generous: debug builds use ~5 KiB).
const STACK_PER_LEVEL: usize = 16 * 1024;

/// Parse one JSON text: one [`Document`], or none for empty text.
pub(super) fn parse(text: &str, limits: Limits) -> ParsedFile {
    let offset = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let body = &text[offset..];
    let scan = match prescan(body, limits) {
        Ok(scan) => scan,
        Err(problem) => return failed(shift(problem, offset)),
    };
    let run = || parse_strict(body, offset, scan.violation.clone());
    if scan.max_depth <= INLINE_DEPTH {
        return run();
    }
    let stack = (1 << 20) + scan.max_depth.saturating_mul(STACK_PER_LEVEL);
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .name("irsa-lint-json".to_string())
            .stack_size(stack)
            .spawn_scoped(scope, run)
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                failed(ParseProblem {
                    kind: ProblemKind::Syntax,
                    span: Span::new(offset, offset),
                    message: "JSON syntax error: the JSON parser failed on this input".to_string(),
                })
            }),
            Err(e) => failed(ParseProblem {
                kind: ProblemKind::Rejected,
                span: Span::new(offset, offset),
                message: format!("nesting too deep to parse here ({e})"),
            }),
        }
    })
}

fn failed(problem: ParseProblem) -> ParsedFile {
    ParsedFile {
        documents: Vec::new(),
        problem: Some(problem),
    }
}

fn shift(mut problem: ParseProblem, offset: usize) -> ParseProblem {
    problem.span = Span::new(
        problem.span.start as usize + offset,
        problem.span.end as usize + offset,
    );
    problem
}

fn strict_options() -> ParseOptions {
    ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// Run jsonc-parser on `body` (which starts at `offset` in the file) and build the tree.
/// `violation` is the pre-scan's first strictness violation (offset in `body`, message).
fn parse_strict(body: &str, offset: usize, violation: Option<(usize, String)>) -> ParsedFile {
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let options = strict_options();
    let result = catch_unwind(AssertUnwindSafe(|| {
        parse_to_ast(body, &collect, &options).map(|r| r.value)
    }));
    let syntax = |at: usize, message: String| {
        failed(ParseProblem {
            kind: ProblemKind::Syntax,
            span: Span::new(offset + at, offset + at),
            message,
        })
    };
    match result {
        Err(_) => syntax(
            0,
            "JSON syntax error: the JSON parser failed on this input".to_string(),
        ),
        Ok(Err(error)) => {
            let at = error.range().start.min(body.len());
            if let Some((v, message)) = violation.filter(|(v, _)| *v < at) {
                return syntax(v, message);
            }
            if matches!(error.kind(), ParseErrorKind::NestingDepthExceeded) {
                return failed(ParseProblem {
                    kind: ProblemKind::Rejected,
                    span: Span::new(offset + at, offset + at + 1),
                    message: "nesting too deep for the JSON parser".to_string(),
                });
            }
            syntax(
                at,
                format!(
                    "JSON syntax error: {}",
                    lower_first(&error.kind().to_string())
                ),
            )
        }
        Ok(Ok(value)) => {
            if let Some((v, message)) = violation {
                return syntax(v, message);
            }
            ParsedFile {
                documents: value
                    .map(|v| Document {
                        root: Some(convert(v, offset)),
                    })
                    .into_iter()
                    .collect(),
                problem: None,
            }
        }
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Convert jsonc-parser's AST. Recursion depth is bounded by the pre-scan's depth check.
fn convert(value: Value<'_>, offset: usize) -> Node {
    let span = |r: jsonc_parser::common::Range| Span::new(r.start + offset, r.end + offset);
    let scalar = |text: String, style: ScalarStyle, ty: ScalarType| {
        NodeKind::Scalar(Scalar { text, style, ty })
    };
    let (span, kind) = match value {
        Value::StringLit(s) => (
            span(s.range),
            scalar(
                s.value.into_owned(),
                ScalarStyle::DoubleQuoted,
                ScalarType::String,
            ),
        ),
        Value::NumberLit(n) => {
            let ty = if n.value.contains(['.', 'e', 'E']) {
                ScalarType::Float
            } else {
                ScalarType::Int
            };
            (
                span(n.range),
                scalar(n.value.to_string(), ScalarStyle::Plain, ty),
            )
        }
        Value::BooleanLit(b) => (
            span(b.range),
            scalar(
                b.value.to_string(),
                ScalarStyle::Plain,
                ScalarType::Bool(b.value),
            ),
        ),
        Value::NullKeyword(n) => (
            span(n.range),
            scalar("null".to_string(), ScalarStyle::Plain, ScalarType::Null),
        ),
        Value::Array(a) => (
            span(a.range),
            NodeKind::Seq(a.elements.into_iter().map(|v| convert(v, offset)).collect()),
        ),
        Value::Object(o) => (
            span(o.range),
            NodeKind::Map(
                o.properties
                    .into_iter()
                    .map(|p| {
                        let (key_range, key_text) = match p.name {
                            ObjectPropName::String(s) => (s.range, s.value.into_owned()),
                            ObjectPropName::Word(w) => (w.range, w.value.to_string()),
                        };
                        Entry {
                            key: Node {
                                span: span(key_range),
                                kind: scalar(
                                    key_text,
                                    ScalarStyle::DoubleQuoted,
                                    ScalarType::String,
                                ),
                                tag: None,
                            },
                            value: convert(p.value, offset),
                        }
                    })
                    .collect(),
            ),
        ),
    };
    Node {
        span,
        kind,
        tag: None,
    }
}

struct Prescan {
    max_depth: usize,
    /// The first thing jsonc-parser accepts but RFC 8259 does not: offset and message.
    violation: Option<(usize, String)>,
}

/// One pass over the bytes: string state, bracket depth, a count of keys and values, and the first
/// strictness violation. Offsets are relative to `body`.
fn prescan(body: &str, limits: Limits) -> Result<Prescan, ParseProblem> {
    let bytes = body.as_bytes();
    let mut depth = 0usize;
    let mut max_depth = 0usize;
    let mut nodes = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut in_literal = false;
    let mut violation: Option<(usize, String)> = None;
    let too_many = |at: usize| ParseProblem {
        kind: ProblemKind::Rejected,
        span: Span::new(at, at + 1),
        message: format!(
            "more than {} nodes (keys and values), over the node limit: raise it with --max-nodes (or `max-nodes:` in .irsa-lint.yaml)",
            limits.max_nodes
        ),
    };
    for (i, &b) in bytes.iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            } else if b < 0x20 && violation.is_none() {
                violation = Some((
                    i,
                    format!(
                        "JSON syntax error: control character U+{b:04X} in a string (write it as an escape)"
                    ),
                ));
            }
            continue;
        }
        match b {
            b'"' => {
                in_string = true;
                in_literal = false;
                nodes += 1;
            }
            b'[' | b'{' => {
                in_literal = false;
                nodes += 1;
                depth += 1;
                if depth > limits.max_depth {
                    return Err(ParseProblem {
                        kind: ProblemKind::Rejected,
                        span: Span::new(i, i + 1),
                        message: format!(
                            "nesting deeper than {} levels (a fixed limit)",
                            limits.max_depth
                        ),
                    });
                }
                max_depth = max_depth.max(depth);
            }
            b']' | b'}' => {
                in_literal = false;
                depth = depth.saturating_sub(1);
            }
            b' ' | b'\t' | b'\n' | b'\r' | b',' | b':' => in_literal = false,
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'+' | b'.' => {
                if !in_literal {
                    in_literal = true;
                    nodes += 1;
                }
            }
            _ => {
                in_literal = false;
                if violation.is_none() {
                    let c = body[i..].chars().next().unwrap_or('\u{fffd}');
                    violation = Some((
                        i,
                        format!(
                            "JSON syntax error: unexpected character {c:?} (U+{:04X})",
                            c as u32
                        ),
                    ));
                }
            }
        }
        if nodes > limits.max_nodes {
            return Err(too_many(i));
        }
    }
    Ok(Prescan {
        max_depth,
        violation,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> Node {
        let parsed = parse(text, Limits::default());
        assert_eq!(parsed.problem, None, "{text:?}");
        assert_eq!(parsed.documents.len(), 1);
        parsed.documents.into_iter().next().unwrap().root.unwrap()
    }

    fn problem(text: &str) -> ParseProblem {
        let parsed = parse(text, Limits::default());
        assert!(parsed.documents.is_empty());
        parsed.problem.unwrap()
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = r#"{"Version": "2012-10-17", "n": -1.5e3, "i": 42, "t": true, "z": null, "s": ["a\"b", {}]}"#;
        let r = parse_ok(text);
        assert_eq!(r.span, Span::new(0, text.len()));
        let m = r.as_map().unwrap();
        let keys: Vec<&str> = m.iter().map(|e| &text[e.key.span.range()]).collect();
        assert_eq!(
            keys,
            ["\"Version\"", "\"n\"", "\"i\"", "\"t\"", "\"z\"", "\"s\""]
        );
        assert_eq!(m[0].key.as_str(), Some("Version"));
        assert_eq!(&text[m[0].value.span.range()], "\"2012-10-17\"");
        let v = m[0].value.as_scalar().unwrap();
        assert_eq!(
            (v.style, v.ty),
            (ScalarStyle::DoubleQuoted, ScalarType::String)
        );
        assert_eq!(&text[m[1].value.span.range()], "-1.5e3");
        assert_eq!(m[1].value.as_scalar().unwrap().ty, ScalarType::Float);
        assert_eq!(m[2].value.as_scalar().unwrap().ty, ScalarType::Int);
        assert_eq!(m[3].value.as_scalar().unwrap().ty, ScalarType::Bool(true));
        assert!(m[4].value.is_null());
        let s = m[5].value.as_seq().unwrap();
        assert_eq!(&text[s[0].span.range()], r#""a\"b""#);
        assert_eq!(s[0].as_str(), Some("a\"b"));
        assert_eq!(&text[s[1].span.range()], "{}");
    }

    #[test]
    fn bom_non_ascii_and_crlf() {
        let text = "\u{feff}{\r\n  \"clé\": \"été\"\r\n}\r\n";
        let r = parse_ok(text);
        assert_eq!(r.span.start, 3);
        let m = r.as_map().unwrap();
        assert_eq!(&text[m[0].key.span.range()], "\"clé\"");
        assert_eq!(&text[m[0].value.span.range()], "\"été\"");
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let text = r#"{"a": 1, "a": 2}"#;
        let r = parse_ok(text);
        let m = r.as_map().unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[1].key.span, Span::new(9, 12));
        assert_eq!(m[1].value.scalar_text(), Some("2"));
    }

    #[test]
    fn empty_text_has_no_document() {
        for text in ["", "  \n\t", "\u{feff}"] {
            let parsed = parse(text, Limits::default());
            assert_eq!(parsed, ParsedFile::default(), "{text:?}");
        }
    }

    #[test]
    fn lenient_syntax_is_rejected() {
        for (text, at) in [
            ("{\"a\": 1,}", 7),
            ("[1, 2,]", 5),
            ("{a: 1}", 1),
            ("{'a': 1}", 1),
            ("[0xFF]", 1),
            ("[+1]", 1),
            ("[.5]", 1),
            ("[5.]", 1),
            ("[NaN]", 1),
            ("[Infinity]", 1),
            ("[1] // c", 4),
            ("[1 /* c */]", 3),
            ("[\"\\x41\"]", 2),
            ("[1 2]", 2),
            ("01", 1),
            ("[1][2]", 3),
            ("{\"a\" 1}", 5),
            ("[\"a\nb\"]", 3),
            ("\u{a0}[]", 0),
            ("[1,\u{b}2]", 3),
            ("[1,\u{2028}2]", 3),
            ("{\"a\": 1", 0),
            ("\"abc", 0),
        ] {
            let p = problem(text);
            assert_eq!(p.kind, ProblemKind::Syntax, "{text:?}: {p:?}");
            assert_eq!(p.span, Span::new(at, at), "{text:?}: {}", p.message);
            assert!(
                p.message.starts_with("JSON syntax error: "),
                "{}",
                p.message
            );
        }
    }

    #[test]
    fn depth_limit_is_checked_before_parsing() {
        let limits = Limits {
            max_depth: 2,
            max_nodes: 100,
        };
        assert_eq!(parse("[[1]]", limits).problem, None);
        let p = parse("[[[1]]]", limits).problem.unwrap();
        assert_eq!(p.kind, ProblemKind::Rejected);
        assert_eq!(p.span, Span::new(2, 3));
        assert_eq!(p.message, "nesting deeper than 2 levels (a fixed limit)");
        // A bracket inside a string does not count.
        assert_eq!(parse("[[\"[[[\"]]", limits).problem, None);
    }

    #[test]
    fn deep_but_allowed_nesting_parses_on_a_small_stack() {
        let text = format!("{}1{}", "{\"a\":".repeat(256), "}".repeat(256));
        let parsed = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || {
                let parsed = parse(&text, Limits::default());
                (parsed.problem, parsed.documents.len())
            })
            .unwrap()
            .join()
            .unwrap();
        assert_eq!(parsed, (None, 1));
    }

    #[test]
    fn node_limit() {
        let limits = Limits {
            max_depth: 10,
            max_nodes: 3,
        };
        assert_eq!(parse("{\"a\": 1}", limits).problem, None);
        let p = parse("[1, 22, 333]", limits).problem.unwrap();
        assert_eq!(p.kind, ProblemKind::Rejected);
        assert_eq!(p.span, Span::new(8, 9));
    }
}

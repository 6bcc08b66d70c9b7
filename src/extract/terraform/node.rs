//! Values into the spanned tree ([`crate::parse::tree::Node`]) that `extract::policy` and
//! `extract::k8s` read, so a trust policy built by Terraform is read exactly as one written in
//! JSON.
//!
//! A tree's spans point into one file, its host (see each function). A value written in another
//! file (a local of `locals.tf` used in `main.tf`) takes the span of its nearest enclosing value
//! written in the host; the evaluator already reports a value read through `var.x`/`local.x` from
//! another file at the reference.

use super::value::{
    Origin, StrPart, TfValue, ValueKind, json_string, json_text, number_text, render_parts,
};
use crate::extract::embedded::parse_json_object;
use crate::limits::MAX_DEPTH;
use crate::parse::hcl::{self, Literal};
use crate::parse::tree::{Entry, Node, NodeKind, Scalar, ScalarStyle, ScalarType};
use crate::source::embedded::whole_span;
use crate::source::{SourceRef, Span};

/// The tree of a policy document or manifest held in `value`, and the file its spans point into:
/// a `jsonencode(...)` result or an object (host: the file of the value's origin), or a string
/// holding a JSON object (a heredoc, `file()`, `templatefile()`: host: the file its text was
/// written in, so diagnostics point into the heredoc or the template). None for anything else,
/// an unknown value included.
pub fn document_node(value: &TfValue) -> Option<(SourceRef, Node)> {
    match &value.kind {
        ValueKind::Json(inner) if matches!(inner.kind, ValueKind::Object(_)) => {
            let host = written_in(inner).unwrap_or(&value.origin.source).clone();
            let node = build(
                inner,
                &host,
                span_in(&inner.origin, &host, value.origin.span),
                0,
            );
            Some((host, node))
        }
        ValueKind::Object(_) => Some(to_node(value)),
        ValueKind::String(_) => json_string_node(value),
        _ => None,
    }
}

/// The JSON-shaped tree of a value, as `jsonencode` would write it (objects → mappings, lists →
/// sequences, strings → string scalars with each unknown part written `${expression}`, a wholly
/// unknown value → the string `${expression}`, since it may be anything), in the file of the
/// value's origin. A `jsonencode` result at the top is the tree of what it encodes; one deeper is
/// a string, as it is in the JSON.
pub fn to_node(value: &TfValue) -> (SourceRef, Node) {
    let host = value.origin.source.clone();
    let node = match &value.kind {
        ValueKind::Json(inner) => build(inner, &host, value.origin.span, 0),
        _ => build(value, &host, value.origin.span, 0),
    };
    (host, node)
}

/// The file an object's entries were written in, when that is one file: `jsonencode(local.trust)`
/// in `main.tf` encodes an object written in `locals.tf`, and findings belong where the statements
/// are.
fn written_in(object: &TfValue) -> Option<&SourceRef> {
    let ValueKind::Object(entries) = &object.kind else {
        return None;
    };
    let first = &entries.first()?.0.origin.source;
    entries
        .iter()
        .all(|(k, _)| std::sync::Arc::ptr_eq(&k.origin.source, first))
        .then_some(first)
}

/// The tree of a value as it stands in a manifest, its spans in `host` (a part written in another
/// file takes the span of its nearest enclosing value written in `host`, else `fallback`): as
/// [`to_node`], but a `jsonencode` result is the string it is (an annotation holding JSON), not the
/// tree it encodes.
pub fn value_node(value: &TfValue, host: &SourceRef, fallback: Span) -> Node {
    build(value, host, fallback, 0)
}

fn scalar(text: String, span: Span, style: ScalarStyle, ty: ScalarType) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(Scalar { text, style, ty }),
        tag: None,
    }
}

fn build(value: &TfValue, host: &SourceRef, fallback: Span, depth: usize) -> Node {
    let span = span_in(&value.origin, host, fallback);
    if depth > MAX_DEPTH {
        return scalar(
            "${...}".into(),
            span,
            ScalarStyle::DoubleQuoted,
            ScalarType::String,
        );
    }
    let string = |text: String| scalar(text, span, ScalarStyle::DoubleQuoted, ScalarType::String);
    let plain = |text: String, ty| scalar(text, span, ScalarStyle::Plain, ty);
    match &value.kind {
        ValueKind::Null => plain("null".into(), ScalarType::Null),
        ValueKind::Bool(b) => plain(b.to_string(), ScalarType::Bool(*b)),
        ValueKind::Number(n) => {
            let ty = if n.fract() == 0.0 && n.is_finite() {
                ScalarType::Int
            } else {
                ScalarType::Float
            };
            plain(number_text(*n), ty)
        }
        ValueKind::String(parts) => string(render_parts(parts)),
        ValueKind::Unknown(expr) => string(format!("${{{expr}}}")),
        ValueKind::Json(inner) => string(json_text(inner)),
        ValueKind::List(items) => Node {
            span,
            kind: NodeKind::Seq(
                items
                    .iter()
                    .map(|item| build(item, host, span, depth + 1))
                    .collect(),
            ),
            tag: None,
        },
        ValueKind::Object(entries) => Node {
            span,
            kind: NodeKind::Map(
                entries
                    .iter()
                    .map(|(k, v)| Entry {
                        key: scalar(
                            k.rendered(),
                            span_in(&k.origin, host, span),
                            ScalarStyle::DoubleQuoted,
                            ScalarType::String,
                        ),
                        value: build(v, host, span, depth + 1),
                    })
                    .collect(),
            ),
            tag: None,
        },
    }
}

fn span_in(origin: &Origin, host: &SourceRef, fallback: Span) -> Span {
    if origin.is_in(host) {
        origin.span
    } else {
        fallback
    }
}

/// The tree of a string value holding a JSON object (a heredoc policy, `file()`,
/// `templatefile()`), each span mapped to where its text was written. Unknown parts are written
/// `${expression}`: inside a JSON string as part of it (escaped), elsewhere as a string of their
/// own (`"Statement": ${jsonencode(local.statements)}` becomes a string: it may be anything).
/// The host is the file of the string's first literal text. None when the text, so rendered, is
/// not one JSON object.
pub fn json_string_node(value: &TfValue) -> Option<(SourceRef, Node)> {
    let ValueKind::String(parts) = &value.kind else {
        return None;
    };
    let host = parts
        .iter()
        .find_map(|p| match p {
            StrPart::Literal {
                origin,
                form: Some(_),
                ..
            } => Some(origin.source.clone()),
            _ => None,
        })
        .unwrap_or_else(|| value.origin.source.clone());
    let mut text = String::new();
    let mut map: Vec<u32> = Vec::new();
    let mut last = if value.origin.is_in(&host) {
        value.origin.span.start
    } else {
        0
    };
    let mut lexer = JsonLexer::default();
    for part in parts {
        match part {
            StrPart::Literal {
                text: t,
                origin,
                form,
            } => {
                let offsets = match (origin.is_in(&host), form) {
                    (true, Some(form)) => hcl::literal_offsets(
                        &host.text,
                        &Literal {
                            text: t.clone(),
                            span: origin.span,
                        },
                        *form,
                    ),
                    (true, None) => whole_span(t, origin.span).1,
                    (false, _) => vec![last; t.len() + 1],
                };
                map.extend_from_slice(&offsets[..t.len()]);
                last = offsets[t.len()];
                text.push_str(t);
                lexer.feed(t);
            }
            StrPart::Unknown { expr, origin } => {
                let hole = format!("${{{expr}}}");
                let mut rendered = String::new();
                json_string(&hole, &mut rendered);
                if lexer.in_string {
                    // Inside a JSON string: the escaped text without the quotes.
                    rendered = rendered[1..rendered.len() - 1].to_string();
                }
                let (start, end) = if origin.is_in(&host) {
                    (origin.span.start, origin.span.end)
                } else {
                    (last, last)
                };
                map.extend(std::iter::repeat_n(start, rendered.len()));
                last = end;
                text.push_str(&rendered);
            }
        }
    }
    map.push(last);
    let node = parse_json_object(&text, &map)?;
    Some((host, node))
}

/// Whether JSON text read so far ends inside a string.
#[derive(Default)]
struct JsonLexer {
    in_string: bool,
    escaped: bool,
}

impl JsonLexer {
    fn feed(&mut self, text: &str) {
        for c in text.chars() {
            if !self.in_string {
                self.in_string = c == '"';
            } else if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.in_string = false;
            }
        }
    }
}

/// A value's JSON text as string parts, for a `jsonencode` result used as a string: each unknown
/// part of a string stays an unknown part inside the JSON string, and a wholly unknown value is
/// an unknown part of its own.
pub fn json_parts(value: &TfValue) -> Vec<StrPart> {
    let mut w = PartsWriter {
        parts: Vec::new(),
        buf: String::new(),
        origin: value.origin.clone(),
    };
    w.value(value, 0);
    w.flush();
    w.parts
}

struct PartsWriter {
    parts: Vec<StrPart>,
    buf: String,
    origin: Origin,
}

impl PartsWriter {
    fn flush(&mut self) {
        if !self.buf.is_empty() {
            self.parts.push(StrPart::Literal {
                text: std::mem::take(&mut self.buf),
                origin: self.origin.clone(),
                form: None,
            });
        }
    }

    fn unknown(&mut self, expr: &str, origin: &Origin) {
        self.flush();
        self.parts.push(StrPart::Unknown {
            expr: expr.to_string(),
            origin: origin.clone(),
        });
    }

    fn string(&mut self, parts: &[StrPart]) {
        self.buf.push('"');
        for part in parts {
            match part {
                StrPart::Literal { text, .. } => {
                    let mut quoted = String::new();
                    json_string(text, &mut quoted);
                    self.buf.push_str(&quoted[1..quoted.len() - 1]);
                }
                StrPart::Unknown { expr, origin } => self.unknown(expr, origin),
            }
        }
        self.buf.push('"');
    }

    fn value(&mut self, value: &TfValue, depth: usize) {
        if depth > MAX_DEPTH {
            self.unknown("...", &value.origin);
            return;
        }
        match &value.kind {
            ValueKind::String(parts) => self.string(parts),
            ValueKind::Unknown(expr) => self.unknown(expr, &value.origin),
            ValueKind::List(items) => {
                self.buf.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(',');
                    }
                    self.value(item, depth + 1);
                }
                self.buf.push(']');
            }
            ValueKind::Object(entries) => {
                let mut sorted: Vec<&(TfValue, TfValue)> = entries.iter().collect();
                sorted.sort_by_key(|(k, _)| k.rendered());
                self.buf.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        self.buf.push(',');
                    }
                    match &k.kind {
                        ValueKind::String(parts) => self.string(parts),
                        _ => json_string(&k.rendered(), &mut self.buf),
                    }
                    self.buf.push(':');
                    self.value(v, depth + 1);
                }
                self.buf.push('}');
            }
            ValueKind::Json(inner) => {
                let inner_parts = json_parts(inner);
                self.string(&inner_parts);
            }
            ValueKind::Null | ValueKind::Bool(_) | ValueKind::Number(_) => {
                self.buf.push_str(&json_text(value));
            }
        }
    }
}

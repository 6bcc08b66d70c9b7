//! Terraform values as the evaluator produces them: known where the module's own text decides
//! them, unknown where something outside it does (a resource attribute, another module's
//! output), each piece with the place it was written.
//!
//! A module's values come from several files (its `.tf` files, `*.tfvars`, template files read by
//! `templatefile`), and a [`Span`] names no file, so every value and every string part carries an
//! [`Origin`]: the file and the span in it.

use std::borrow::Cow;
use std::sync::Arc;

use crate::parse::hcl::TemplateForm;
use crate::source::{SourceRef, Span};

/// Where a value or a part of a string was written.
#[derive(Clone, Debug)]
pub struct Origin {
    pub source: SourceRef,
    pub span: Span,
}

impl Origin {
    pub fn new(source: &SourceRef, span: Span) -> Origin {
        Origin {
            source: source.clone(),
            span,
        }
    }

    /// True when the origin lies in `source` (the same file, not one with the same text).
    pub fn is_in(&self, source: &SourceRef) -> bool {
        Arc::ptr_eq(&self.source, source)
    }
}

/// A value with the place that produced it: a literal, the expression that computed it, or, for
/// a value read through `var.x` or `local.x` from another file, the reference.
#[derive(Clone, Debug)]
pub struct TfValue {
    pub kind: ValueKind,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub enum ValueKind {
    Null,
    Bool(bool),
    Number(f64),
    /// A string as its parts; no parts is the empty string.
    String(Vec<StrPart>),
    /// A list, tuple or set (sets keep the order they were built in).
    List(Vec<TfValue>),
    /// An object or map, entries in the order written. Keys are string values, possibly with
    /// unknown parts (`"${local.oidc}:sub" = ...`).
    Object(Vec<(TfValue, TfValue)>),
    /// What `jsonencode` returned: the value it encodes, so that a caller can read a policy
    /// document as a tree; as a string it is the JSON text.
    Json(Box<TfValue>),
    /// A value only known when Terraform applies: the expression as written.
    Unknown(String),
}

/// A part of a string value.
#[derive(Clone, Debug)]
pub enum StrPart {
    Literal {
        text: String,
        origin: Origin,
        /// How the source at `origin` maps to `text` (see [`crate::parse::hcl::literal_offsets`]);
        /// None for text the evaluator made (a number turned into a string, a function's result),
        /// which maps to `origin` as a whole.
        form: Option<TemplateForm>,
    },
    /// Text only known when Terraform applies: the expression as written.
    Unknown { expr: String, origin: Origin },
}

impl StrPart {
    pub fn origin(&self) -> &Origin {
        match self {
            StrPart::Literal { origin, .. } | StrPart::Unknown { origin, .. } => origin,
        }
    }
}

impl TfValue {
    pub fn new(kind: ValueKind, origin: Origin) -> TfValue {
        TfValue { kind, origin }
    }

    pub fn null(origin: Origin) -> TfValue {
        TfValue::new(ValueKind::Null, origin)
    }

    pub fn unknown(expr: impl Into<String>, origin: Origin) -> TfValue {
        TfValue::new(ValueKind::Unknown(expr.into()), origin)
    }

    /// A string the evaluator made, mapping to `origin` as a whole.
    pub fn string(text: impl Into<String>, origin: Origin) -> TfValue {
        let text = text.into();
        let parts = if text.is_empty() {
            Vec::new()
        } else {
            vec![StrPart::Literal {
                text,
                origin: origin.clone(),
                form: None,
            }]
        };
        TfValue::new(ValueKind::String(parts), origin)
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, ValueKind::Null)
    }

    /// True for a wholly unknown value (not for a collection or string holding unknown parts).
    pub fn is_unknown(&self) -> bool {
        matches!(self.kind, ValueKind::Unknown(_))
    }

    /// True when nothing in the value, however deep, is unknown.
    pub fn is_known(&self) -> bool {
        !self.any(|v| match &v.kind {
            ValueKind::Unknown(_) => true,
            ValueKind::String(parts) => parts.iter().any(|p| matches!(p, StrPart::Unknown { .. })),
            _ => false,
        })
    }

    /// True when `f` holds for the value or any value inside it (elements, object keys and
    /// values, what a `jsonencode` result encodes), however deep.
    pub fn any(&self, mut f: impl FnMut(&TfValue) -> bool) -> bool {
        let mut stack = vec![self];
        while let Some(v) = stack.pop() {
            if f(v) {
                return true;
            }
            match &v.kind {
                ValueKind::List(items) => stack.extend(items),
                ValueKind::Object(entries) => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                ValueKind::Json(inner) => stack.push(inner),
                _ => {}
            }
        }
        false
    }

    /// The text of a wholly known string (a `jsonencode` result included, as its JSON text).
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            ValueKind::String(parts) => match parts.as_slice() {
                [] => Some(Cow::Borrowed("")),
                [StrPart::Literal { text, .. }] => Some(Cow::Borrowed(text)),
                _ => {
                    let mut out = String::new();
                    for part in parts {
                        match part {
                            StrPart::Literal { text, .. } => out.push_str(text),
                            StrPart::Unknown { .. } => return None,
                        }
                    }
                    Some(Cow::Owned(out))
                }
            },
            ValueKind::Json(inner) => inner.is_known().then(|| Cow::Owned(json_text(inner))),
            _ => None,
        }
    }

    /// A wholly known string, number or boolean as Terraform converts it to a string.
    pub fn to_known_string(&self) -> Option<Cow<'_, str>> {
        match &self.kind {
            ValueKind::Number(n) => Some(Cow::Owned(number_text(*n))),
            ValueKind::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            _ => self.as_str(),
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.kind {
            ValueKind::Bool(b) => Some(*b),
            _ => match self.as_str()?.as_ref() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }

    pub fn as_number(&self) -> Option<f64> {
        match &self.kind {
            ValueKind::Number(n) => Some(*n),
            ValueKind::String(_) => self.as_str()?.trim().parse().ok(),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[TfValue]> {
        match &self.kind {
            ValueKind::List(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[(TfValue, TfValue)]> {
        match &self.kind {
            ValueKind::Object(entries) => Some(entries),
            _ => None,
        }
    }

    /// The value at key `key` of an object whose key is known (the last entry of that name).
    pub fn get(&self, key: &str) -> Option<&TfValue> {
        self.as_object()?
            .iter()
            .rev()
            .find(|(k, _)| k.as_str().is_some_and(|k| k == key))
            .map(|(_, v)| v)
    }

    /// The value's text with every unknown part written `${expression}`: what a string becomes
    /// in the spanned tree. A collection gives its JSON text.
    pub fn rendered(&self) -> String {
        match &self.kind {
            ValueKind::String(parts) => render_parts(parts),
            ValueKind::Unknown(expr) => format!("${{{expr}}}"),
            ValueKind::Number(n) => number_text(*n),
            ValueKind::Bool(b) => b.to_string(),
            ValueKind::Null => "null".to_string(),
            ValueKind::Json(inner) => json_text(inner),
            ValueKind::List(_) | ValueKind::Object(_) => json_text(self),
        }
    }

    /// Equal as values, wherever they were written (unknown parts equal when their expressions
    /// are).
    pub fn same(&self, other: &TfValue) -> bool {
        match (&self.kind, &other.kind) {
            (ValueKind::Null, ValueKind::Null) => true,
            (ValueKind::Bool(a), ValueKind::Bool(b)) => a == b,
            (ValueKind::Number(a), ValueKind::Number(b)) => a == b,
            (ValueKind::String(a), ValueKind::String(b)) => render_parts(a) == render_parts(b),
            (ValueKind::List(a), ValueKind::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.same(y))
            }
            (ValueKind::Object(a), ValueKind::Object(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .zip(b)
                        .all(|((ka, va), (kb, vb))| ka.same(kb) && va.same(vb))
            }
            (ValueKind::Json(a), ValueKind::Json(b)) => a.same(b),
            (ValueKind::Unknown(a), ValueKind::Unknown(b)) => a == b,
            _ => false,
        }
    }

    /// A short name of the value's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            ValueKind::Null => "null",
            ValueKind::Bool(_) => "bool",
            ValueKind::Number(_) => "number",
            ValueKind::String(_) | ValueKind::Json(_) => "string",
            ValueKind::List(_) => "list",
            ValueKind::Object(_) => "object",
            ValueKind::Unknown(_) => "unknown",
        }
    }
}

/// Parts' text, each unknown part as `${expression}`.
pub fn render_parts(parts: &[StrPart]) -> String {
    let mut out = String::new();
    for part in parts {
        match part {
            StrPart::Literal { text, .. } => out.push_str(text),
            StrPart::Unknown { expr, .. } => {
                out.push_str("${");
                out.push_str(expr);
                out.push('}');
            }
        }
    }
    out
}

/// A number as Terraform writes it in a string: `10`, `1.5`, never an exponent.
pub fn number_text(n: f64) -> String {
    if n == 0.0 {
        // `-0` is `0` to Terraform.
        return "0".to_string();
    }
    format!("{n}")
}

/// A value as `jsonencode` writes it (object keys sorted, as Terraform does), each unknown part
/// written `${expression}`.
pub fn json_text(value: &TfValue) -> String {
    let mut out = String::new();
    write_json(value, &mut out, 0);
    out
}

/// Past this nesting a value is written as an unknown: values are built from expressions the
/// parser bounds, but local references can stack them.
const MAX_JSON_DEPTH: usize = crate::limits::MAX_DEPTH;

fn write_json(value: &TfValue, out: &mut String, depth: usize) {
    if depth > MAX_JSON_DEPTH {
        out.push_str("\"${...}\"");
        return;
    }
    match &value.kind {
        ValueKind::Null => out.push_str("null"),
        ValueKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ValueKind::Number(n) => out.push_str(&number_text(*n)),
        ValueKind::String(parts) => json_string(&render_parts(parts), out),
        ValueKind::Json(inner) => json_string(&json_text(inner), out),
        ValueKind::Unknown(expr) => json_string(&format!("${{{expr}}}"), out),
        ValueKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out, depth + 1);
            }
            out.push(']');
        }
        ValueKind::Object(entries) => {
            let mut sorted: Vec<(String, &TfValue)> =
                entries.iter().map(|(k, v)| (k.rendered(), v)).collect();
            sorted.sort_by(|a, b| a.0.cmp(&b.0));
            out.push('{');
            for (i, (key, item)) in sorted.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(key, out);
                out.push(':');
                write_json(item, out, depth + 1);
            }
            out.push('}');
        }
    }
}

/// `text` as a JSON string literal, escaped as Terraform's `jsonencode` does (`<`, `>`, `&` as
/// `\u003c`... so the text is safe in HTML).
pub fn json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn origin() -> Origin {
        Origin::new(
            &Arc::new(SourceFile::new("x.tf", None, String::new())),
            Span::default(),
        )
    }

    #[test]
    fn strings_numbers_and_json_text() {
        let o = origin();
        let s = TfValue::string("a\"<b", o.clone());
        assert_eq!(s.as_str().as_deref(), Some("a\"<b"));
        assert_eq!(number_text(10.0), "10");
        assert_eq!(number_text(1.5), "1.5");
        assert_eq!(number_text(123456789012.0), "123456789012");
        let obj = TfValue::new(
            ValueKind::Object(vec![
                (TfValue::string("b", o.clone()), s.clone()),
                (
                    TfValue::string("a", o.clone()),
                    TfValue::unknown("var.x", o.clone()),
                ),
            ]),
            o.clone(),
        );
        assert_eq!(json_text(&obj), r#"{"a":"${var.x}","b":"a\"\u003cb"}"#);
        assert!(!obj.is_known());
        assert_eq!(obj.get("b").unwrap().as_str().as_deref(), Some("a\"<b"));
        let json = TfValue::new(ValueKind::Json(Box::new(s)), o);
        assert_eq!(json.as_str().as_deref(), Some(r#""a\"\u003cb""#));
    }
}

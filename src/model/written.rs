//! Values as their author wrote them, whatever the syntax: a scalar's text, style and type, or
//! that the value is a list, a mapping or an alias.
//!
//! Some rules judge the form, not only the meaning: an annotation written as an unquoted `true`
//! is a boolean the API server rejects (IRSA205), a role ARN in a folded block scalar gains a
//! line break. Frontends fill these in; the model keeps no syntax tree.

use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The scalar's value after unescaping (for YAML: after folding and chomping).
    pub text: String,
    pub style: ScalarStyle,
    pub ty: ScalarType,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    /// An unquoted YAML scalar, or a JSON literal (number, true, false, null).
    Plain,
    SingleQuoted,
    /// A double-quoted YAML scalar or a JSON string.
    DoubleQuoted,
    /// `|` block scalar.
    Literal,
    /// `>` block scalar.
    Folded,
}

/// What a scalar resolves to. YAML plain scalars resolve like Kubernetes' YAML decoder (YAML 1.1
/// booleans `yes`/`no`/`on`/`off` included), because that is what the API server will see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Bool(bool),
    Int,
    Float,
    Null,
}

/// A value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub span: Span,
    pub kind: WrittenKind,
    /// An explicit YAML tag (`!Sub`, `!!str`), as written.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WrittenKind {
    Scalar(Scalar),
    /// A list of `len` items.
    Seq {
        len: usize,
    },
    /// A mapping of `len` entries.
    Map {
        len: usize,
    },
    /// A YAML alias (`*name`), never expanded.
    Alias,
}

impl Written {
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            WrittenKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of any scalar (whatever it resolves to).
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// The text of a scalar that resolves to a string.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar()
            .filter(|s| s.ty == ScalarType::String)
            .map(|s| s.text.as_str())
    }

    /// Short description of the value's kind, for messages ("a mapping", "a boolean").
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            WrittenKind::Scalar(s) => match s.ty {
                ScalarType::String => "a string",
                ScalarType::Bool(_) => "a boolean",
                ScalarType::Int | ScalarType::Float => "a number",
                ScalarType::Null => "null",
            },
            WrittenKind::Seq { .. } => "a list",
            WrittenKind::Map { .. } => "a mapping",
            WrittenKind::Alias => "an alias",
        }
    }
}

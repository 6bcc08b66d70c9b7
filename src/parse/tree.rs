//! The spanned document tree shared by the YAML and JSON parsers.
//!
//! Every key and every value carries its byte span in the source file. Mappings keep their entries
//! in source order and keep duplicate keys, so a rule can point at both occurrences. YAML aliases are
//! kept as [`NodeKind::Alias`] and never expanded: an alias bomb costs one node per alias.

pub use crate::model::written::{Scalar, ScalarStyle, ScalarType};
use crate::model::written::{Written, WrittenKind};
use crate::source::Span;

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
    /// An explicit YAML tag (`!Sub`, `!!str`), as written. CloudFormation short forms need it.
    pub tag: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// A YAML alias (`*name`); the number is the parser's anchor id. Never expanded.
    Alias(usize),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

impl Node {
    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(entries) => Some(entries),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The text of any scalar, whatever its type (`true` for a boolean, `"1"` for a number).
    pub fn scalar_text(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.text.as_str())
    }

    /// The text of a scalar that resolves to a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s) if s.ty == ScalarType::String => Some(&s.text),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s) if s.ty == ScalarType::Null)
    }

    /// The value of the first entry whose key is exactly `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The first entry whose key is exactly `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.scalar_text() == Some(key))
    }

    /// The first entry whose key equals `key` ignoring ASCII case (IAM element names are
    /// case-insensitive in practice: `"effect"` is accepted).
    pub fn entry_ignore_case(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| {
            e.key
                .scalar_text()
                .is_some_and(|k| k.eq_ignore_ascii_case(key))
        })
    }

    /// Follow a path of keys through nested mappings.
    pub fn path(&self, keys: &[&str]) -> Option<&Node> {
        let mut node = self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// Short description of the node's kind, for messages ("a mapping", "a boolean").
    pub fn kind_name(&self) -> &'static str {
        self.written().kind_name()
    }

    /// The node as the model keeps a value as written: its span, tag and scalar, or just that it
    /// is a list, a mapping or an alias (children are not kept).
    pub fn written(&self) -> Written {
        Written {
            span: self.span,
            tag: self.tag.clone(),
            kind: match &self.kind {
                NodeKind::Scalar(s) => WrittenKind::Scalar(s.clone()),
                NodeKind::Seq(items) => WrittenKind::Seq { len: items.len() },
                NodeKind::Map(entries) => WrittenKind::Map { len: entries.len() },
                NodeKind::Alias(_) => WrittenKind::Alias,
            },
        }
    }
}

/// One document of a file: a JSON file has one, a YAML stream one per `---`.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// None for an empty YAML document.
    pub root: Option<Node>,
}

/// Why a file (or the rest of it) could not be parsed.
#[derive(Clone, Debug, PartialEq)]
pub struct ParseProblem {
    pub kind: ProblemKind,
    /// Where the problem is (an empty span at the error position for syntax errors; the whole file
    /// or its first byte for rejected files).
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// IRSA001: a syntax error. Documents before it are still returned.
    Syntax,
    /// IRSA002: over the depth or node limit (or, found earlier: binary, not UTF-8, too large).
    Rejected,
    /// IRSA003: the file holds Helm/Go template syntax outside strings; it is skipped.
    Template,
}

/// The result of parsing one file: the documents that parsed, and at most one problem.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub problem: Option<ParseProblem>,
}

/// Limits that keep hostile input bounded.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Maximum nesting depth of sequences and mappings (fixed at [`crate::limits::MAX_DEPTH`] in a
    /// run; tests lower it).
    pub max_depth: usize,
    /// Maximum number of nodes in one file (`--max-nodes`).
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: crate::limits::MAX_DEPTH,
            max_nodes: crate::limits::DEFAULT_MAX_NODES,
        }
    }
}

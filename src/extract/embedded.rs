//! Policies embedded as a string: `"AssumeRolePolicyDocument": "%7B%22Version%22..."` as the raw
//! IAM API returns it, a JSON document escaped into a JSON string, or a YAML block scalar.
//!
//! The string is decoded with `source::embedded`, which records for every decoded byte the byte
//! offset in the host file it came from; the decoded text is parsed as JSON, and every span of the
//! resulting tree is mapped back, so diagnostics point into the host file. Where the mapping
//! cannot be built (a folded YAML scalar, say), every span becomes the whole string's span.

use crate::parse::tree::{Limits, Node, NodeKind, ScalarStyle};
use crate::parse::{self, FileKind};
use crate::source::SourceRef;
use crate::source::embedded::{
    OffsetMap, decode_json_string, decode_literal_block, host_span, identity, percent_decode,
    whole_span,
};

/// A policy document given either as a mapping or as a string holding JSON: the document node and
/// whether it was decoded from a string. None for anything else.
pub fn policy_document(source: &SourceRef, node: &Node) -> Option<(Node, bool)> {
    match &node.kind {
        NodeKind::Map(_) => Some((node.clone(), false)),
        NodeKind::Scalar(_) => parse_embedded_policy(source, node).map(|doc| (doc, true)),
        _ => None,
    }
}

/// Decode and parse a policy held in a string scalar. None when it is not a JSON policy.
pub fn parse_embedded_policy(source: &SourceRef, node: &Node) -> Option<Node> {
    let (mut text, mut map) = scalar_text_map(source, node)?;
    let trimmed = text.trim_start();
    if trimmed.starts_with("%7B") || trimmed.starts_with("%7b") {
        (text, map) = percent_decode(&text, &map);
    }
    parse_json_object(&text, &map)
}

/// A string scalar's text with the host offset of every byte (see [`crate::source::embedded`]):
/// exact for double-quoted, plain and literal block scalars written verbatim, else the whole
/// scalar's span for every byte. None when the node is not a scalar.
pub fn scalar_text_map(source: &SourceRef, node: &Node) -> Option<(String, OffsetMap)> {
    let scalar = node.as_scalar()?;
    let raw = source.slice(node.span);
    Some(match scalar.style {
        ScalarStyle::DoubleQuoted => decode_json_string(raw, node.span.start as usize)
            .filter(|(decoded, _)| *decoded == scalar.text)
            .unwrap_or_else(|| whole_span(&scalar.text, node.span)),
        ScalarStyle::Plain if raw == scalar.text => {
            identity(&scalar.text, node.span.start as usize)
        }
        ScalarStyle::Literal => decode_literal_block(raw, node.span.start as usize)
            .filter(|(decoded, _)| decoded.trim_end() == scalar.text.trim_end())
            .unwrap_or_else(|| whole_span(&scalar.text, node.span)),
        // `'...'` without a doubled quote or a line break holds its text verbatim.
        ScalarStyle::SingleQuoted
            if raw.len() == scalar.text.len() + 2
                && raw.get(1..raw.len() - 1) == Some(&scalar.text) =>
        {
            identity(&scalar.text, node.span.start as usize + 1)
        }
        // A folded JSON document (`>`, as ACK's examples write it) differs from its lines kept
        // apart only in white space between tokens (a JSON string holds no line break): the
        // lines are read as a literal block, which maps.
        ScalarStyle::Folded => decode_literal_block(raw, node.span.start as usize)
            .filter(|(decoded, _)| same_but_white_space(decoded, &scalar.text))
            .unwrap_or_else(|| whole_span(&scalar.text, node.span)),
        _ => whole_span(&scalar.text, node.span),
    })
}

/// Parse decoded text as `kind` (JSON, or a YAML stream) and map every span of every document
/// back into the host file through `map`. Empty when the text does not parse.
pub fn parse_documents(text: &str, map: &[u32], kind: FileKind) -> Vec<Node> {
    if map.len() != text.len() + 1 {
        return Vec::new();
    }
    let parsed = parse::parse(text, kind, Limits::default());
    if parsed.problem.is_some() {
        return Vec::new();
    }
    let mut roots: Vec<Node> = parsed
        .documents
        .into_iter()
        .filter_map(|d| d.root)
        .collect();
    for root in &mut roots {
        remap(root, map);
    }
    roots
}

/// True when `a` and `b` differ only in white space.
fn same_but_white_space(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Parse decoded text holding a JSON object (white space around it allowed) and map every span
/// of the tree back into the host file through `map` (as [`crate::source::embedded`] records
/// it). None when the text is not one JSON object.
pub fn parse_json_object(text: &str, map: &[u32]) -> Option<Node> {
    if !text.trim_start().starts_with('{') || map.len() != text.len() + 1 {
        return None;
    }
    let parsed = parse::parse(text, FileKind::Json, Limits::default());
    if parsed.problem.is_some() {
        return None;
    }
    let mut root = parsed.documents.into_iter().next()?.root?;
    remap(&mut root, map);
    Some(root)
}

/// Map every span of a tree parsed from decoded text back into the host file.
fn remap(node: &mut Node, map: &[u32]) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        node.span = host_span(map, node.span);
        match &mut node.kind {
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for e in entries.iter_mut() {
                    stack.push(&mut e.key);
                    stack.push(&mut e.value);
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }
}

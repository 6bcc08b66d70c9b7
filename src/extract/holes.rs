//! Template variables in extracted values: a scalar's holes ([`crate::model::template`]) become
//! unknown parts with their spans, and `--var` values are substituted into a document's scalars
//! before anything reads them.

use std::ops::Range;

use crate::model::template::{Vars, find_holes, substitute_text};
use crate::model::value::{Part, ValuePart};
use crate::parse::tree::{Node, NodeKind};
use crate::source::{SourceFile, Span};

/// The parts of a scalar whose text is `text` and whose whole span is `span` in `source`: None
/// when it has no hole. Each part's span is exact where the source holds the text verbatim, else
/// the whole scalar's.
pub fn value_parts(source: &SourceFile, span: Span, text: &str) -> Option<Vec<ValuePart>> {
    if !text.contains(['$', '%', '{']) {
        return None;
    }
    let holes = find_holes(text);
    if holes.is_empty() {
        return None;
    }
    let mut parts = Vec::with_capacity(holes.len() * 2 + 1);
    let mut at = 0;
    let literal = |range: Range<usize>| ValuePart {
        part: Part::Literal(text[range.clone()].to_string()),
        span: source.sub_span(span, text, range),
    };
    for hole in holes {
        if hole.range.start > at {
            parts.push(literal(at..hole.range.start));
        }
        parts.push(ValuePart {
            part: Part::Unknown(hole.expression),
            span: source.sub_span(span, text, hole.range.clone()),
        });
        at = hole.range.end;
    }
    if at < text.len() {
        parts.push(literal(at..text.len()));
    }
    Some(parts)
}

/// Substitute `vars` in every scalar of a document (keys too, as `envsubst` would). Spans stay
/// those of the scalars as written.
pub fn substitute(root: &mut Node, vars: &Vars) {
    if vars.is_empty() {
        return;
    }
    // A stack, not recursion: nesting is bounded by the parser, but this keeps it independent.
    let mut stack: Vec<&mut Node> = vec![root];
    while let Some(node) = stack.pop() {
        match &mut node.kind {
            NodeKind::Scalar(scalar) => {
                if let Some(text) = substitute_text(&scalar.text, vars) {
                    scalar.text = text;
                }
            }
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for entry in entries.iter_mut() {
                    stack.push(&mut entry.key);
                    stack.push(&mut entry.value);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_map_into_the_source() {
        let text = "\"arn:${p}:iam\"";
        let source = SourceFile::new("x", None, text.to_string());
        let value = "arn:${p}:iam";
        let parts = value_parts(&source, Span::new(0, text.len()), value).unwrap();
        let spans: Vec<&str> = parts.iter().map(|p| source.slice(p.span)).collect();
        assert_eq!(spans, ["arn:", "${p}", ":iam"]);
        assert_eq!(parts[1].part, Part::Unknown("p".into()));
        assert!(value_parts(&source, Span::new(0, 3), "a:b").is_none());
    }
}

//! The pod annotation `eks.amazonaws.com/skip-containers`, parsed the way the EKS pod identity
//! webhook parses it.
//!
//! The webhook (`getContainersToSkip` in amazon-eks-pod-identity-webhook's `pkg/handler`) reads
//! the value with Go's `encoding/csv` reader, default settings, and takes its first record: fields
//! split on `,`, not trimmed, quotes strict. When the reader returns an error the webhook logs it
//! and skips no container at all. This module is the one parser of the annotation: IRSA212 reports
//! what it finds, and the rules that leave skipped containers alone (IRSA207, IRSA213, IRSA216)
//! ask [`skipped_containers`], so they agree with each other and with the webhook.

use std::collections::BTreeSet;
use std::ops::Range;

use crate::model::k8s::{PodSpec, annotations};

/// One field of the annotation: the name as the webhook compares it, and its byte range in the
/// annotation's text (the inside of the quotes for a quoted field).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipField {
    pub name: String,
    pub range: Range<usize>,
}

/// Why Go's CSV reader rejects the value (the webhook then skips no container).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvError {
    /// Byte offset of the offending `"` in the annotation's text.
    pub at: usize,
    pub reason: &'static str,
}

/// Parse a skip-containers value like the webhook: the first non-empty line's record of Go's
/// `encoding/csv` reader (`,` separator, no trimming, strict quotes). Empty fields are dropped
/// (they match no container name and are harmless); an empty value gives no field.
pub fn parse_skip_containers(text: &str) -> Result<Vec<SkipField>, CsvError> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    // Go's reader skips empty lines before the first record.
    while pos < bytes.len() && (bytes[pos] == b'\n' || text[pos..].starts_with("\r\n")) {
        pos += if bytes[pos] == b'\n' { 1 } else { 2 };
    }
    let mut fields = Vec::new();
    if pos >= bytes.len() {
        return Ok(fields);
    }
    loop {
        if bytes.get(pos) == Some(&b'"') {
            // Quoted field: `""` is a literal quote; the closing quote must be followed by `,`,
            // the end of the line or the end of the text. It may span lines.
            let start = pos + 1;
            let mut name = String::new();
            let mut i = start;
            // (end of the field's inside, end of the record)
            let (inner_end, end_of_record) = loop {
                let Some(off) = text[i..].find('"') else {
                    // Unterminated at the end of the input: Go keeps what it read.
                    name.push_str(&text[i..]);
                    break (bytes.len(), true);
                };
                let q = i + off;
                name.push_str(&text[i..q]);
                match bytes.get(q + 1) {
                    Some(b'"') => {
                        name.push('"');
                        i = q + 2;
                    }
                    Some(b',') => {
                        pos = q + 2;
                        break (q, false);
                    }
                    None | Some(b'\n') => break (q, true),
                    Some(b'\r') if matches!(bytes.get(q + 2), None | Some(b'\n')) => {
                        break (q, true);
                    }
                    Some(_) => {
                        return Err(CsvError {
                            at: q,
                            reason: "a `\"` inside a quoted field must be doubled",
                        });
                    }
                }
            };
            let range = start..inner_end;
            if !name.is_empty() {
                fields.push(SkipField { name, range });
            }
            if end_of_record {
                return Ok(fields);
            }
        } else {
            let line_end = text[pos..].find('\n').map_or(bytes.len(), |o| pos + o);
            let field_end = text[pos..line_end].find(',').map_or(line_end, |o| pos + o);
            let mut value_end = field_end;
            if field_end == line_end && value_end > pos && bytes[value_end - 1] == b'\r' {
                value_end -= 1;
            }
            let raw = &text[pos..value_end];
            if let Some(q) = raw.find('"') {
                return Err(CsvError {
                    at: pos + q,
                    reason: "a `\"` may only open a field",
                });
            }
            if !raw.is_empty() {
                fields.push(SkipField {
                    name: raw.to_string(),
                    range: pos..value_end,
                });
            }
            if field_end == line_end {
                return Ok(fields);
            }
            pos = field_end + 1;
        }
    }
}

/// The names of the containers the webhook leaves alone in this pod (none when the annotation is
/// absent, not a string, or not valid CSV).
pub fn skipped_containers(pod: &PodSpec) -> BTreeSet<String> {
    pod.annotations
        .iter()
        .find(|a| a.key.value == annotations::SKIP_CONTAINERS)
        .and_then(|a| a.value.as_str())
        .and_then(|text| parse_skip_containers(text).ok())
        .map(|fields| fields.into_iter().map(|f| f.name).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str) -> Vec<String> {
        parse_skip_containers(text)
            .unwrap()
            .into_iter()
            .map(|f| f.name)
            .collect()
    }

    #[test]
    fn splits_without_trimming() {
        assert_eq!(names("init-first,sidecar"), ["init-first", "sidecar"]);
        assert_eq!(names("a, b"), ["a", " b"]);
        assert_eq!(names("a,,b,"), ["a", "b"]);
        assert_eq!(names(""), Vec::<String>::new());
        assert_eq!(names("\n\na,b\nc"), ["a", "b"]);
        assert_eq!(names("a,b\r\n"), ["a", "b"]);
    }

    #[test]
    fn ranges_point_into_the_text() {
        let fields = parse_skip_containers("a, b").unwrap();
        assert_eq!(fields[1].range, 2..4);
        let fields = parse_skip_containers("\"x\",y").unwrap();
        assert_eq!(fields[0].range, 1..2);
        assert_eq!(fields[1].range, 4..5);
    }

    #[test]
    fn quotes_follow_go_csv() {
        assert_eq!(names("\"a\",b"), ["a", "b"]);
        assert_eq!(names("\"a,b\",c"), ["a,b", "c"]);
        assert_eq!(names("\"a\"\"b\""), ["a\"b"]);
        assert_eq!(parse_skip_containers("a, \"b\"").unwrap_err().at, 3);
        assert_eq!(parse_skip_containers("a\"b").unwrap_err().at, 1);
        assert_eq!(parse_skip_containers("\"a\"b").unwrap_err().at, 2);
    }
}

//! Text embedded in a string of the host file, decoded with the host offset of every decoded
//! byte, so that what is found in the decoded text is reported at its place in the file the user
//! wrote.
//!
//! A policy held in a string is the common case: `"AssumeRolePolicyDocument": "%7B%22Version..."`
//! as the raw IAM API returns it, a JSON document escaped into a JSON string, a YAML block scalar;
//! Terraform heredocs and CloudFormation `!Sub` strings are the same problem. Every frontend uses
//! these decoders; where a mapping cannot be built (a folded YAML scalar, say), [`whole_span`]
//! maps every decoded byte to the whole string.

use super::Span;

/// Offsets map: `map[i]` is the host offset of decoded byte `i`; `map[len]` is where the decoded
/// text ends in the host.
pub type OffsetMap = Vec<u32>;

pub fn identity(text: &str, start: usize) -> (String, OffsetMap) {
    let map = (0..=text.len()).map(|i| (start + i) as u32).collect();
    (text.to_string(), map)
}

pub fn whole_span(text: &str, span: Span) -> (String, OffsetMap) {
    let mut map = vec![span.start; text.len() + 1];
    if let Some(last) = map.last_mut() {
        *last = span.end;
    }
    (text.to_string(), map)
}

/// Decode a JSON (or YAML double-quoted) string literal, quotes included, recording offsets.
pub fn decode_json_string(raw: &str, start: usize) -> Option<(String, OffsetMap)> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    let base = start + 1;
    let mut out = String::with_capacity(inner.len());
    let mut map = Vec::with_capacity(inner.len() + 1);
    let bytes = inner.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at = (base + i) as u32;
        if bytes[i] != b'\\' {
            let ch = inner[i..].chars().next()?;
            for _ in 0..ch.len_utf8() {
                map.push(at);
            }
            out.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let esc = *bytes.get(i + 1)?;
        let (ch, len) = match esc {
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'u' => {
                let hex = inner.get(i + 2..i + 6)?;
                let code = u32::from_str_radix(hex, 16).ok()?;
                if (0xD800..0xDC00).contains(&code) {
                    let low_hex = inner.get(i + 8..i + 12)?;
                    let low = u32::from_str_radix(low_hex, 16).ok()?;
                    let c = 0x10000 + ((code - 0xD800) << 10) + (low.checked_sub(0xDC00)?);
                    (char::from_u32(c)?, 12)
                } else {
                    (char::from_u32(code)?, 6)
                }
            }
            _ => return None,
        };
        for _ in 0..ch.len_utf8() {
            map.push(at);
        }
        out.push(ch);
        i += len;
    }
    map.push((base + inner.len()) as u32);
    Some((out, map))
}

/// Decode a YAML literal block scalar (`|`, `|-`, `|+`), header included, recording offsets. The
/// indentation is that of the first non-empty content line.
pub fn decode_literal_block(raw: &str, start: usize) -> Option<(String, OffsetMap)> {
    let header_end = raw.find('\n')?;
    let mut out = String::new();
    let mut map = Vec::new();
    let mut indent: Option<usize> = None;
    let mut offset = header_end + 1;
    for line in raw[header_end + 1..].split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let line_indent = content.len() - content.trim_start_matches(' ').len();
        let indent = *indent.get_or_insert_with(|| {
            if content.trim().is_empty() {
                usize::MAX
            } else {
                line_indent
            }
        });
        let skip = if indent == usize::MAX {
            line_indent
        } else {
            indent.min(line_indent)
        };
        let body = &line[skip..];
        for (i, ch) in body.char_indices() {
            for _ in 0..ch.len_utf8() {
                map.push((start + offset + skip + i) as u32);
            }
        }
        out.push_str(body);
        offset += line.len();
    }
    map.push((start + raw.len()) as u32);
    Some((out, map))
}

/// Percent-decode `text`, composing the offset map.
pub fn percent_decode(text: &str, map: &[u32]) -> (String, OffsetMap) {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut out_map = Vec::with_capacity(bytes.len() + 1);
    let mut i = 0;
    while i < bytes.len() {
        let hex = (bytes[i] == b'%')
            .then(|| text.get(i + 1..i + 3))
            .flatten()
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        out_map.push(map[i]);
        match hex {
            Some(b) => {
                out.push(b);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out_map.push(map[bytes.len()]);
    (String::from_utf8_lossy(&out).into_owned(), out_map)
}

/// The host span of `span` in decoded text mapped by `map`: offsets past the end clamp to the end,
/// and an end before its start (a decoded range inside one escape) collapses onto the start.
pub fn host_span(map: &[u32], span: Span) -> Span {
    let at = |i: u32| map[(i as usize).min(map.len() - 1)];
    Span {
        start: at(span.start),
        end: at(span.end).max(at(span.start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_string_offsets() {
        let raw = r#""a\"b\u00e9c""#;
        let (text, map) = decode_json_string(raw, 10).unwrap();
        assert_eq!(text, "a\"béc");
        assert_eq!(map[0], 11); // a
        assert_eq!(map[1], 12); // \"
        assert_eq!(map[2], 14); // b
        assert_eq!(map[3], 15); // é (first byte)
        assert_eq!(map[5], 21); // c
        assert_eq!(*map.last().unwrap(), 22);
    }

    #[test]
    fn percent_offsets() {
        let (text, map) = identity("%7B%22a%22%7D", 100);
        let (decoded, m) = percent_decode(&text, &map);
        assert_eq!(decoded, "{\"a\"}");
        assert_eq!(m, vec![100, 103, 106, 107, 110, 113]);
    }

    #[test]
    fn literal_block_offsets() {
        let raw = "|\n  {\n    \"a\": 1\n  }\n";
        let (text, map) = decode_literal_block(raw, 0).unwrap();
        assert_eq!(text, "{\n  \"a\": 1\n}\n");
        assert_eq!(map[0], 4); // '{' at raw offset 4
        assert_eq!(&raw[map[4] as usize..map[4] as usize + 1], "\"");
    }
}

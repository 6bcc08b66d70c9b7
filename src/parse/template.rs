//! Detection of Helm/Go template files.
//!
//! A chart's `templates/*.yaml` is not YAML until `helm template` renders it, and worse, some of it
//! parses: `name: {{ .Release.Name }}` is a valid YAML flow mapping. So before parsing, one cheap
//! pass over the lines looks for `{{` outside quoted strings and comments. Things that are not a
//! template-file signal:
//!
//! * `{{` inside a quoted string on that line (`"{{ .Values.x }}"`, `'{{ x }}'`): the file parses
//!   and the string is just a string;
//! * `{{` in a `#` comment (YAML only);
//! * `{{` inside a YAML block scalar (`description: |` followed by more-indented lines), as in
//!   Prometheus alert annotations;
//! * CloudFormation dynamic references `{{resolve:...}}`.
//!
//! A helm-unittest suite (top-level `suite:` and `tests:`) is not a template either: it is plain
//! YAML whose values hold template text for the chart to render (`set:` values, expected
//! results), so it is parsed as it is.
//!
//! Quote state is tracked per line only: a quoted YAML scalar continued on the next line is not
//! followed (such lines are scanned as if unquoted).

use super::FileKind;
use crate::source::Span;

/// The span of the first `{{ ... }}` (up to the matching `}}` on that line, or the end of the line)
/// outside quoted strings, comments and block scalars; None when the file is not a template.
pub fn find_template(text: &str, kind: FileKind) -> Option<Span> {
    let yaml = kind == FileKind::Yaml;
    let bytes = text.as_bytes();
    if !has_double_brace(text) || (yaml && is_helm_unittest_suite(text)) {
        return None;
    }
    let mut line_start = 0;
    // Inside a YAML block scalar: lines indented more than this column (and blank lines) are its
    // content.
    let mut block_parent: Option<isize> = None;
    while line_start < bytes.len() {
        let line_end = bytes[line_start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| line_start + i);
        let line = &bytes[line_start..line_end];
        if let Some(parent) = block_parent {
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let blank = line.iter().all(|b| b.is_ascii_whitespace());
            if blank || indent as isize > parent {
                line_start = line_end + 1;
                continue;
            }
            block_parent = None;
        }
        match scan_line(line, yaml) {
            LineScan::Template(start, end) => {
                return Some(Span::new(line_start + start, line_start + end));
            }
            LineScan::BlockScalarStart(parent) => block_parent = Some(parent),
            LineScan::Nothing => {}
        }
        line_start = line_end + 1;
    }
    None
}

/// A helm-unittest test suite: top-level `suite:` and `tests:` keys (at the start of a line).
fn is_helm_unittest_suite(text: &str) -> bool {
    let top_level = |key: &str| text.lines().any(|l| l.starts_with(key));
    top_level("suite:") && top_level("tests:")
}

/// Whether `{{` occurs at all. (`str::find(char)` runs on memchr, which stays fast in debug
/// builds, unlike a substring search.)
fn has_double_brace(text: &str) -> bool {
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        if rest.as_bytes().get(i + 1) == Some(&b'{') {
            return true;
        }
        rest = &rest[i + 1..];
    }
    false
}

enum LineScan {
    Nothing,
    /// `{{` at the first offset, up to the second (exclusive).
    Template(usize, usize),
    /// The line ends with a block scalar indicator; content lines are indented more than this.
    BlockScalarStart(isize),
}

fn scan_line(line: &[u8], yaml: bool) -> LineScan {
    let mut quote: Option<u8> = None;
    let mut content_end = line.len();
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if let Some(q) = quote {
            if q == b'"' && b == b'\\' {
                i += 2;
                continue;
            }
            if b == q {
                if q == b'\'' && line.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                quote = None;
            }
            i += 1;
            continue;
        }
        match b {
            b'"' if !yaml || opens_quote(line, i) => quote = Some(b),
            b'\'' if yaml && opens_quote(line, i) => quote = Some(b),
            b'#' if yaml && (i == 0 || matches!(line[i - 1], b' ' | b'\t')) => {
                content_end = i;
                break;
            }
            b'{' if line.get(i + 1) == Some(&b'{') => {
                if line[i..].starts_with(b"{{resolve:") {
                    i += 2;
                    continue;
                }
                let end = find(line, i + 2, b"}}")
                    .map_or_else(|| trim_end(line, line.len()).max(i + 2), |close| close + 2);
                return LineScan::Template(i, end);
            }
            _ => {}
        }
        i += 1;
    }
    if yaml
        && quote.is_none()
        && let Some(parent) = block_scalar_parent(line, content_end)
    {
        return LineScan::BlockScalarStart(parent);
    }
    LineScan::Nothing
}

/// A quote opens a YAML quoted scalar only where a scalar can start.
fn opens_quote(line: &[u8], i: usize) -> bool {
    i == 0 || matches!(line[i - 1], b' ' | b'\t' | b'[' | b'{' | b',' | b':')
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p)
}

fn trim_end(line: &[u8], mut end: usize) -> usize {
    while end > 0 && line[end - 1].is_ascii_whitespace() {
        end -= 1;
    }
    end
}

/// When `line[..content_end]` ends with a block scalar header (`key: |`, `- >-`, `key: !t |2`),
/// the column its content must be indented beyond.
fn block_scalar_parent(line: &[u8], content_end: usize) -> Option<isize> {
    let mut end = trim_end(line, content_end);
    while end > 0 && matches!(line[end - 1], b'0'..=b'9' | b'+' | b'-') {
        end -= 1;
    }
    if end == 0 || !matches!(line[end - 1], b'|' | b'>') {
        return None;
    }
    let indicator = end - 1;
    if indicator == 0 || !matches!(line[indicator - 1], b' ' | b'\t') {
        return None;
    }
    // The parent node's column: past the indentation and any `- ` sequence entry markers. A block
    // scalar that is itself a sequence entry (`- |`) belongs to the last `-`.
    let mut col = line.iter().take_while(|&&b| b == b' ').count();
    if line[col..].starts_with(b"---") {
        return None;
    }
    let mut last_dash = None;
    while line.get(col) == Some(&b'-') && matches!(line.get(col + 1), Some(b' ' | b'\t')) {
        last_dash = Some(col);
        col += 1;
        while matches!(line.get(col), Some(b' ' | b'\t')) {
            col += 1;
        }
    }
    if col == indicator {
        return Some(last_dash.map_or(-1, |d| d as isize));
    }
    Some(col as isize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_helm_unittest_suite_is_not_a_template() {
        let suite = "suite: x\ntemplates:\n  - sa.yaml\ntests:\n  - it: y\n    set:\n      arn: a:{{ .Values.id }}:b\n";
        assert_eq!(find_template(suite, FileKind::Yaml), None);
        // The same value in a file that is no suite is a template.
        let chart =
            "kind: ServiceAccount\nmetadata:\n  annotations:\n    arn: a:{{ .Values.id }}:b\n";
        assert!(find_template(chart, FileKind::Yaml).is_some());
    }

    fn found(text: &str) -> Option<&str> {
        find_template(text, FileKind::Yaml).map(|s| &text[s.range()])
    }

    #[test]
    fn helm_directives_are_found() {
        assert_eq!(
            found("{{- if .Values.enabled }}\napiVersion: v1\n{{- end }}\n"),
            Some("{{- if .Values.enabled }}")
        );
        assert_eq!(
            found("metadata:\n  name: {{ .Release.Name }}-sa\n"),
            Some("{{ .Release.Name }}")
        );
        assert_eq!(
            found("spec:\n  template:\n    {{ include \"x\" . | nindent 4 }}\n"),
            Some("{{ include \"x\" . | nindent 4 }}")
        );
        // Unclosed on its line: up to the end of the line.
        assert_eq!(found("a: {{ .x\r\nb: 1\n"), Some("{{ .x"));
    }

    #[test]
    fn quoted_commented_and_block_scalar_braces_are_not_templates() {
        assert_eq!(found("a: \"{{ .Values.x }}\"\n"), None);
        assert_eq!(found("a: '{{ .Values.x }}'\n"), None);
        assert_eq!(found("a: 'it''s {{ x }}'\n"), None);
        assert_eq!(found("a: \"say \\\"{{ x }}\\\"\"\n"), None);
        assert_eq!(found("a: b # {{ not a template }}\n"), None);
        assert_eq!(found("# {{ x }}\n"), None);
        assert_eq!(found("a: !Sub \"{{ x }}\"\n"), None);
        assert_eq!(found("Value: {{resolve:ssm:/param:1}}\n"), None);
        assert_eq!(
            found(
                "annotations:\n  description: |\n    {{ $labels.instance }} is down\n\n    {{ $value }}\n  summary: x\n"
            ),
            None
        );
        assert_eq!(found("- |\n  {{ x }}\n- b\n"), None);
        // After the block scalar ends, a template is found again.
        assert_eq!(found("a: |\n  {{ x }}\nb: {{ y }}\n"), Some("{{ y }}"));
    }

    #[test]
    fn apostrophe_in_plain_scalar_does_not_hide_a_template() {
        assert_eq!(found("a: it's {{ x }}\n"), Some("{{ x }}"));
    }

    #[test]
    fn json_templates() {
        let text = "{\"a\": \"{{ x }}\", \"b\": {{ toJson .Values.b }}}";
        let span = find_template(text, FileKind::Json).unwrap();
        assert_eq!(&text[span.range()], "{{ toJson .Values.b }}");
        assert_eq!(find_template("{\"a\": \"{{ x }}\"}", FileKind::Json), None);
        assert_eq!(find_template("{\"a\": {\"b\": 1}}", FileKind::Json), None);
    }
}

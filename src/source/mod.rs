//! Source files and the mapping from byte offsets to line/column positions.
//!
//! Every span in the pipeline is a byte range into one [`SourceFile`]'s text. Lines and columns are
//! only computed when a diagnostic is reported, and they count characters (not bytes), starting at
//! 1, as the JSON output contract requires. [`embedded`] maps text decoded out of a string back to
//! the host file.

pub mod embedded;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A byte range `start..end` in one source file's text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end.max(start) as u32,
        }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }
}

/// A comment in a source file, as its frontend found it: what suppressions are written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Comment {
    /// From the comment marker (`#`) to the end of its line, trailing white space left out.
    pub span: Span,
    /// The marker's length in bytes (1 for `#`).
    pub marker_len: usize,
    /// 0-based line of the comment.
    pub line: u32,
    /// True when code precedes the comment on its line; false for a comment alone on its line.
    pub trailing: bool,
}

/// A 1-based line and 1-based column counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub column: u32,
}

/// One input file (or stdin) as read from disk, with its line index.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it should be shown to the user: relative to the working directory when the file
    /// lies under it, else as given.
    pub display_path: String,
    /// The path used to read the file (None for stdin).
    pub path: Option<PathBuf>,
    pub text: String,
    /// The byte offset of every line's start, built the first time a position is asked for: most
    /// files are never shown (no finding), and do not pay for it.
    line_starts: std::sync::OnceLock<Vec<u32>>,
}

pub type SourceRef = Arc<SourceFile>;

impl SourceFile {
    pub fn new(display_path: impl Into<String>, path: Option<PathBuf>, text: String) -> SourceFile {
        SourceFile {
            display_path: display_path.into(),
            path,
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[u32] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0u32];
            starts.extend(
                self.text
                    .bytes()
                    .enumerate()
                    .filter(|&(_, b)| b == b'\n')
                    .map(|(i, _)| i as u32 + 1),
            );
            starts.shrink_to_fit();
            starts
        })
    }

    /// The file stem ("eks-demo-role" for "iam/eks-demo-role.json").
    pub fn stem(&self) -> Option<String> {
        Path::new(&self.display_path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
    }

    /// Line and character column of a byte offset. Offsets past the end clamp to the end; offsets
    /// inside a multi-byte character count as that character.
    pub fn line_col(&self, offset: u32) -> LineCol {
        let offset = (offset as usize).min(self.text.len());
        let line_starts = self.line_starts();
        let line_idx = match line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = line_starts[line_idx] as usize;
        let mut end = offset;
        while end > line_start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let column = self.text[line_start..end].chars().count() as u32 + 1;
        LineCol {
            line: line_idx as u32 + 1,
            column,
        }
    }

    /// Byte offset of the start of a 1-based line.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        self.line_starts()
            .get(line.checked_sub(1)? as usize)
            .map(|&o| o as usize)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts().len()
    }

    /// The text of a span.
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }

    /// The span of `range` (byte offsets into a scalar's decoded `text`) inside the scalar whose
    /// whole span is `whole`, so a diagnostic can point at the account digits of an ARN or the `*`
    /// of a pattern. Exact when the source holds the text verbatim (a plain scalar, or one quoted
    /// without escapes, the quotes escaped too in a `.tf.json` expression); otherwise (escapes, folding, a URL-encoded document) the whole scalar,
    /// because positions inside it cannot be mapped.
    pub fn sub_span(&self, whole: Span, text: &str, range: std::ops::Range<usize>) -> Span {
        if range.start > range.end || range.end > text.len() {
            return whole;
        }
        let raw = self.slice(whole);
        let base = if raw == text {
            whole.start as usize
        } else if raw.len() == text.len() + 2
            && (raw.starts_with('"') || raw.starts_with('\''))
            && raw.get(1..raw.len() - 1) == Some(text)
        {
            whole.start as usize + 1
        } else if raw.len() == text.len() + 4
            && raw.starts_with("\\\"")
            && raw.ends_with("\\\"")
            && raw.get(2..raw.len() - 2) == Some(text)
        {
            // A string in an expression written inside a JSON string (`.tf.json`): `\"text\"`.
            whole.start as usize + 2
        } else {
            return whole;
        };
        Span::new(base + range.start, base + range.end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_spans_map_only_verbatim_text() {
        let f = SourceFile::new("x", None, r#"a: "x*y" b: x*y c: "x\*y""#.to_string());
        // Quoted without escapes: exact.
        assert_eq!(f.sub_span(Span::new(3, 8), "x*y", 1..2), Span::new(5, 6));
        // Plain: exact.
        assert_eq!(
            f.sub_span(Span::new(12, 15), "x*y", 1..2),
            Span::new(13, 14)
        );
        // Escaped: the whole scalar.
        assert_eq!(
            f.sub_span(Span::new(19, 25), "x*y", 1..2),
            Span::new(19, 25)
        );
        // Out of range: the whole scalar.
        assert_eq!(f.sub_span(Span::new(3, 8), "x*y", 2..9), Span::new(3, 8));
        // Quoted with escaped quotes, in a `.tf.json` string: exact.
        let j = SourceFile::new("x", None, r#""${f(\"x*y\")}""#.to_string());
        assert_eq!(j.sub_span(Span::new(5, 12), "x*y", 1..2), Span::new(8, 9));
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", None, "ab\nçd\r\nef".to_string());
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(f.line_col(3), LineCol { line: 2, column: 1 });
        // 'd' is after the two-byte 'ç'
        assert_eq!(f.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(f.line_col(8), LineCol { line: 3, column: 1 });
        assert_eq!(f.line_col(999), LineCol { line: 3, column: 3 });
    }
}

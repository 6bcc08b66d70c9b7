//! Parsing: YAML and JSON text into the spanned tree of [`tree`].

pub mod tree;

use tree::{Limits, ParsedFile};

/// Which parser a file goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Yaml,
    Json,
}

/// Parse one file's text. Never panics; problems come back in [`ParsedFile::problem`].
pub fn parse(text: &str, kind: FileKind, limits: Limits) -> ParsedFile {
    let _ = (text, kind, limits);
    ParsedFile::default()
}

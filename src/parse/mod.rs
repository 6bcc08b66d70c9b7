//! Parsing: YAML and JSON text into the spanned tree of [`tree`].
//!
//! * [`decode`] turns a file's bytes into text, rejecting binary, UTF-16 and other non-UTF-8 input.
//! * [`kind_for_path`] and [`sniff_kind`] pick the parser.
//! * [`parse`] first checks for Helm/Go template syntax ([`template`]), then hands the text to the
//!   YAML parser (saphyr's event API, see `yaml.rs`) or the strict JSON parser (jsonc-parser with
//!   every extension off, see `json.rs`).
//!
//! * [`hcl`] parses Terraform (`*.tf`, `*.tfvars`, template files) into a spanned syntax tree of its
//!   own, which `extract::terraform` evaluates; its comments are found by [`hcl::comments`].
//!
//! Every span is a byte range into the text given to [`parse`]. A UTF-8 byte order mark at the
//! start is tolerated by both parsers and counted in the offsets (it is never stripped from the
//! text). Hostile input is bounded: nesting deeper than [`Limits::max_depth`] or more than
//! [`Limits::max_nodes`] nodes gives a [`ProblemKind::Rejected`] problem, YAML aliases are never
//! expanded, and neither parser recurses on the input's nesting beyond the depth limit.

pub mod hcl;
pub mod hcl_json;
mod json;
pub mod template;
pub mod tree;
mod yaml;

use std::ops::Range;
use std::path::Path;

use crate::source::Span;
use tree::{Limits, ParseProblem, ParsedFile, ProblemKind};

pub use yaml::{comments as yaml_comments, resolve_plain};

/// Which parser a file goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Yaml,
    Json,
}

/// The message of a [`ProblemKind::Template`] problem.
pub const TEMPLATE_MESSAGE: &str =
    "this file is a Helm/Go template: lint the output of `helm template` instead";

/// Parse one file's text. Never panics; problems come back in [`ParsedFile::problem`].
///
/// A file holding Helm/Go template syntax (`{{ ... }}` outside quoted strings) is not parsed: it
/// gives no documents and a [`ProblemKind::Template`] problem spanning the first `{{ ... }}`.
pub fn parse(text: &str, kind: FileKind, limits: Limits) -> ParsedFile {
    if text.len() > u32::MAX as usize {
        return ParsedFile {
            documents: Vec::new(),
            problem: Some(ParseProblem {
                kind: ProblemKind::Rejected,
                span: Span::default(),
                message: "file is larger than 4 GiB".to_string(),
            }),
        };
    }
    if let Some(span) = template::find_template(text, kind) {
        return ParsedFile {
            documents: Vec::new(),
            problem: Some(ParseProblem {
                kind: ProblemKind::Template,
                span,
                message: TEMPLATE_MESSAGE.to_string(),
            }),
        };
    }
    match kind {
        FileKind::Yaml => yaml::parse(text, limits),
        FileKind::Json => json::parse(text, limits),
    }
}

/// A YAML stream of `min_len` bytes or more, cut into pieces of about `size` bytes at document
/// starts, that [`parse_yaml_piece`] parses one by one (in parallel, or dropping each tree before
/// the next): None when it is smaller, is a template (see [`parse`]), or cannot be cut. The
/// documents of the pieces, in order, are those [`parse`] returns when every piece parses
/// without a problem and their node counts add up to no more than the limit; otherwise parse the
/// whole text with [`parse`], which reports the problem where it is.
pub fn yaml_pieces(text: &str, min_len: usize, size: usize) -> Option<Vec<Range<usize>>> {
    if text.len() < min_len
        || text.len() > u32::MAX as usize
        || template::find_template(text, FileKind::Yaml).is_some()
    {
        return None;
    }
    yaml::pieces(text, size)
}

/// Parse one piece of [`yaml_pieces`]: its documents (spans in the whole text), its problem, and
/// the nodes it counted.
pub fn parse_yaml_piece(text: &str, piece: Range<usize>, limits: Limits) -> (ParsedFile, usize) {
    yaml::parse_piece(text, piece, limits)
}

/// The parser for a path, from its extension (ASCII case ignored): `.json` is JSON, `.yaml` and
/// `.yml` are YAML, anything else is None (then use [`sniff_kind`]).
pub fn kind_for_path(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?;
    if ext.eq_ignore_ascii_case("json") {
        Some(FileKind::Json)
    } else if ext.eq_ignore_ascii_case("yaml") || ext.eq_ignore_ascii_case("yml") {
        Some(FileKind::Yaml)
    } else {
        None
    }
}

/// A Terraform file, by its extension: configuration (`.tf`) or variable values (`.tfvars`), in
/// the native syntax, or in Terraform's JSON syntax (`.tf.json`, `.tfvars.json`: see [`hcl_json`]).
/// Terraform is read per module directory (`frontend::read_terraform_module`), not as a tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TerraformFile {
    Config,
    Vars,
    ConfigJson,
    VarsJson,
}

impl TerraformFile {
    /// Variable values (`.tfvars`, `.tfvars.json`), not configuration.
    pub fn is_vars(self) -> bool {
        matches!(self, TerraformFile::Vars | TerraformFile::VarsJson)
    }
}

/// The Terraform file kind of a path, from the end of its file name (ASCII case ignored): `.tf`,
/// `.tfvars`, `.tf.json`, `.tfvars.json`; None for any other file (a `.json` file that is not
/// Terraform's is linted as JSON).
pub fn terraform_kind(path: &Path) -> Option<TerraformFile> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    let kinds = [
        (".tf", TerraformFile::Config),
        (".tfvars", TerraformFile::Vars),
        (".tf.json", TerraformFile::ConfigJson),
        (".tfvars.json", TerraformFile::VarsJson),
    ];
    kinds
        .into_iter()
        .find(|(suffix, _)| name.len() > suffix.len() && name.ends_with(suffix))
        .map(|(_, kind)| kind)
}

/// Guess the parser for text with no telling extension (stdin, say): JSON when the first
/// non-whitespace character (after a byte order mark) is `{` or `[`, else YAML.
pub fn sniff_kind(text: &str) -> FileKind {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match text.trim_start().as_bytes().first() {
        Some(b'{' | b'[') => FileKind::Json,
        _ => FileKind::Yaml,
    }
}

/// How far [`decode`] looks for a NUL byte.
const BINARY_SNIFF_LEN: usize = 8 * 1024;

/// Turn a file's bytes into text. Rejects (as [`ProblemKind::Rejected`], pointing at the offending
/// byte) UTF-16 and UTF-32 text (by their byte order marks), binary files (a NUL byte in the first
/// 8 KiB) and anything else that is not valid UTF-8. A UTF-8 byte order mark is kept. The size cap
/// is the caller's business.
pub fn decode(bytes: Vec<u8>) -> Result<String, ParseProblem> {
    decode_or_return(bytes).map_err(|(problem, _)| problem)
}

/// [`decode`], handing the bytes back with the problem, so the caller can still locate the
/// offending byte by line and column.
pub fn decode_or_return(bytes: Vec<u8>) -> Result<String, (ParseProblem, Vec<u8>)> {
    let rejected = |span: Span, message: String| ParseProblem {
        kind: ProblemKind::Rejected,
        span,
        message,
    };
    if bytes.starts_with(&[0xFF, 0xFE, 0, 0]) || bytes.starts_with(&[0, 0, 0xFE, 0xFF]) {
        let problem = rejected(
            Span::new(0, 4),
            "UTF-32 encoded: save it as UTF-8".to_string(),
        );
        return Err((problem, bytes));
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let problem = rejected(
            Span::new(0, 2),
            "UTF-16 encoded: save it as UTF-8".to_string(),
        );
        return Err((problem, bytes));
    }
    let head = &bytes[..bytes.len().min(BINARY_SNIFF_LEN)];
    if let Some(at) = head.iter().position(|&b| b == 0) {
        let problem = rejected(
            Span::new(at, at + 1),
            format!("binary file (NUL byte at offset {at})"),
        );
        return Err((problem, bytes));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let problem = rejected(
            Span::new(at, at + 1),
            format!("not valid UTF-8 (invalid byte at offset {at})"),
        );
        (problem, e.into_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_for_path_by_extension() {
        assert_eq!(kind_for_path(Path::new("a/b.json")), Some(FileKind::Json));
        assert_eq!(kind_for_path(Path::new("b.JSON")), Some(FileKind::Json));
        assert_eq!(kind_for_path(Path::new("b.yaml")), Some(FileKind::Yaml));
        assert_eq!(kind_for_path(Path::new("b.yml")), Some(FileKind::Yaml));
        assert_eq!(kind_for_path(Path::new("b.txt")), None);
        assert_eq!(kind_for_path(Path::new("json")), None);
    }

    #[test]
    fn sniff_kind_by_first_char() {
        assert_eq!(sniff_kind("  \n{\"a\": 1}"), FileKind::Json);
        assert_eq!(sniff_kind("\u{feff}[1]"), FileKind::Json);
        assert_eq!(sniff_kind("a: 1"), FileKind::Yaml);
        assert_eq!(sniff_kind(""), FileKind::Yaml);
        assert_eq!(sniff_kind("# {\n"), FileKind::Yaml);
    }

    #[test]
    fn decode_accepts_utf8_and_keeps_bom() {
        assert_eq!(decode(b"a: 1".to_vec()).unwrap(), "a: 1");
        assert_eq!(
            decode(b"\xef\xbb\xbfa: 1".to_vec()).unwrap(),
            "\u{feff}a: 1"
        );
    }

    #[test]
    fn decode_rejects_binary_and_bad_encodings() {
        let p = decode(b"{\"a\":\x00}".to_vec()).unwrap_err();
        assert_eq!(p.kind, ProblemKind::Rejected);
        assert_eq!(p.span, Span::new(5, 6));
        assert_eq!(p.message, "binary file (NUL byte at offset 5)");

        let p = decode(b"a: caf\xe9\n".to_vec()).unwrap_err();
        assert_eq!(p.span, Span::new(6, 7));
        assert_eq!(p.message, "not valid UTF-8 (invalid byte at offset 6)");

        let p = decode(b"\xff\xfe{\x00}\x00".to_vec()).unwrap_err();
        assert_eq!(p.message, "UTF-16 encoded: save it as UTF-8");
        assert_eq!(p.span, Span::new(0, 2));

        // A NUL byte past the first 8 KiB is left to the parser.
        let mut late = vec![b' '; BINARY_SNIFF_LEN];
        late.push(0);
        assert!(decode(late).is_ok());
    }

    #[test]
    fn template_files_are_not_parsed() {
        let text = "metadata:\n  name: {{ .Release.Name }}\n";
        let parsed = parse(text, FileKind::Yaml, Limits::default());
        assert!(parsed.documents.is_empty());
        let problem = parsed.problem.unwrap();
        assert_eq!(problem.kind, ProblemKind::Template);
        assert_eq!(&text[problem.span.range()], "{{ .Release.Name }}");
        assert_eq!(problem.message, TEMPLATE_MESSAGE);
    }

    #[test]
    fn terraform_kinds_by_file_name() {
        let kind = |p: &str| terraform_kind(Path::new(p));
        assert_eq!(kind("a/main.tf"), Some(TerraformFile::Config));
        assert_eq!(kind("a/prod.TFVARS"), Some(TerraformFile::Vars));
        assert_eq!(kind("a/cdk.tf.json"), Some(TerraformFile::ConfigJson));
        assert_eq!(kind("a/MAIN.TF.JSON"), Some(TerraformFile::ConfigJson));
        assert_eq!(
            kind("a/terraform.tfvars.json"),
            Some(TerraformFile::VarsJson)
        );
        assert_eq!(kind("a/trust.json"), None);
        assert_eq!(kind("a/.tf.json"), None);
        assert_eq!(kind("a/tf.json"), None);
    }
}

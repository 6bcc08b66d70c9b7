//! Frontends: one per input format, each turning a file's text into model objects, the comments
//! suppressions are written in, and its own input problem.
//!
//! The driver hands every file to [`read`] and never looks at its format again: what a format
//! means (JSON has no comments; YAML's are `#` outside quoted scalars) is the frontend's business.
//! Today's formats share the spanned tree (`parse`) and the document readers (`extract`: trust
//! policies in their AWS shapes, Kubernetes objects, policies embedded in strings); a format with
//! another syntax adds its parser and readers beside them and its branch here.

use crate::extract::{self, Extracted, holes};
use crate::model::template::Vars;
use crate::parse::tree::{Limits, ParseProblem};
use crate::parse::{self, FileKind};
use crate::source::{Comment, SourceRef};

/// What a frontend makes of one file.
#[derive(Debug, Default)]
pub struct FrontendOutput {
    /// The model objects it holds.
    pub extracted: Extracted,
    /// Why the file (or the rest of it) could not be read: a syntax error, a limit, a template.
    pub problem: Option<ParseProblem>,
    /// Its comments, in source order, when its text holds `comments_with` (else none: a file
    /// without a suppression marker needs no comment scan).
    pub comments: Vec<Comment>,
}

/// Read `source` as `kind`, with `vars` substituted into its values (`--var`). `comments_with` is the text a comment must be looked for at all (the
/// suppression marker): the line scan for comments runs only on texts that hold it.
pub fn read(
    source: &SourceRef,
    kind: FileKind,
    limits: Limits,
    vars: &Vars,
    comments_with: &str,
) -> FrontendOutput {
    let mut parsed = parse::parse(&source.text, kind, limits);
    for root in parsed.documents.iter_mut().filter_map(|d| d.root.as_mut()) {
        holes::substitute(root, vars);
    }
    let comments = match kind {
        FileKind::Yaml if source.text.contains(comments_with) => parse::yaml_comments(&source.text),
        // JSON has no comments: a `#` in it is inside a string.
        FileKind::Yaml | FileKind::Json => Vec::new(),
    };
    FrontendOutput {
        extracted: extract::extract(source, &parsed),
        problem: parsed.problem,
        comments,
    }
}

//! Human output: codespan-reporting snippets with primary and secondary labels, a `help:` note and
//! a closing summary line.

use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Config, Styles, StylesWriter, termcolor};

use super::Summary;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::SourceFile;

/// The files the diagnostics point into, indexed for codespan.
struct SourceSet<'a> {
    files: Vec<&'a SourceFile>,
}

impl<'a> SourceSet<'a> {
    fn id(&mut self, file: &'a SourceFile) -> usize {
        if let Some(i) = self.files.iter().position(|f| std::ptr::eq(*f, file)) {
            return i;
        }
        self.files.push(file);
        self.files.len() - 1
    }
}

impl<'a> Files<'a> for SourceSet<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self
            .files
            .get(id)
            .ok_or(files::Error::FileMissing)?
            .display_path)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.files.get(id).ok_or(files::Error::FileMissing)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        Ok(file.line_col(byte_index as u32).line as usize - 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        let start = file
            .line_start(line_index as u32 + 1)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: file.line_count() - 1,
            })?;
        let end = file
            .line_start(line_index as u32 + 2)
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// Clamp a span to the text and to character boundaries, so codespan never panics on it.
fn clamp(file: &SourceFile, range: Range<usize>) -> Range<usize> {
    let fix = |mut i: usize| {
        i = i.min(file.text.len());
        while !file.text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (start, end) = (fix(range.start), fix(range.end));
    start..end.max(start)
}

pub fn render(diagnostics: &[Diagnostic], summary: &Summary, color: bool) -> Vec<u8> {
    let mut set = SourceSet { files: Vec::new() };
    let mut prepared = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let primary_id = set.id(&d.primary.source);
        let mut labels = vec![
            CsLabel::primary(primary_id, clamp(&d.primary.source, d.primary.span.range()))
                .with_message(d.primary.message.clone()),
        ];
        for r in &d.related {
            let id = set.id(&r.source);
            labels.push(
                CsLabel::secondary(id, clamp(&r.source, r.span.range()))
                    .with_message(r.message.clone()),
            );
        }
        let mut notes = Vec::new();
        if let Some(help) = &d.help {
            notes.push(format!("help: {help}"));
        }
        notes.push(format!("see `irsa-lint explain {}`", d.rule.code));
        prepared.push(
            CsDiagnostic::new(severity(d.severity))
                .with_code(format!("{} {}", d.rule.code, d.rule.name))
                .with_message(d.message.clone())
                .with_labels(labels)
                .with_notes(notes),
        );
    }

    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let styles = Styles::default();
    let config = Config::default();
    {
        let mut writer = StylesWriter::new(&mut buffer, &styles);
        for d in &prepared {
            // Spans are clamped above, so rendering should not fail; if it does, say so rather
            // than lose the rest of the report.
            if term::emit_to_write_style(&mut writer, &config, &set, d).is_err() {
                let _ = std::io::Write::write_all(&mut writer, b"(snippet unavailable)\n");
            }
        }
    }
    let mut out = buffer.into_inner();
    let line = summary.sentence();
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    out
}

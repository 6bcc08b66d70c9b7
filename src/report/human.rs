//! Human output: codespan-reporting snippets with primary and secondary labels, a `help:` note and
//! a closing summary line.
//!
//! Everything shown that came from the input is rendered for a terminal ([`Sink::Terminal`]): the
//! message, labels and help, the file name in each snippet's header, and the source lines of the
//! snippet themselves, which are shown from a [`TerminalSource`] when the file holds a control,
//! bidi or invisible character. Its spans are mapped into that text, and the header's column is
//! mapped back, so it is the column of the file the user wrote, as in every other format.

use std::ops::Range;

use codespan_reporting::diagnostic::{
    Diagnostic as CsDiagnostic, Label as CsLabel, Severity as CsSeverity,
};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Config, Styles, StylesWriter, termcolor};

use super::Summary;
use super::text::{self, Sink, TerminalSource};
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::SourceFile;

/// One file the diagnostics point into, as shown.
struct Shown<'a> {
    original: &'a SourceFile,
    /// The file's path, rendered for the terminal.
    name: String,
    /// The safe text and its line index, when the original needs escapes.
    safe: Option<(TerminalSource, SourceFile)>,
}

impl Shown<'_> {
    /// The file whose text codespan shows.
    fn shown(&self) -> &SourceFile {
        self.safe.as_ref().map_or(self.original, |(_, file)| file)
    }

    /// A span of the original file as a range of the shown text, clamped to it and to character
    /// boundaries so codespan never panics on it.
    fn range(&self, range: Range<usize>) -> Range<usize> {
        let (start, end) = match &self.safe {
            None => (range.start, range.end),
            Some((safe, _)) => (safe.shown_offset(range.start), safe.shown_offset(range.end)),
        };
        let text = &self.shown().text;
        let fix = |mut i: usize| {
            i = i.min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            i
        };
        let (start, end) = (fix(start), fix(end));
        start..end.max(start)
    }
}

/// The files the diagnostics point into, indexed for codespan.
struct SourceSet<'a> {
    files: Vec<Shown<'a>>,
}

impl<'a> SourceSet<'a> {
    fn id(&mut self, file: &'a SourceFile) -> usize {
        if let Some(i) = self
            .files
            .iter()
            .position(|f| std::ptr::eq(f.original, file))
        {
            return i;
        }
        let safe = TerminalSource::of(file).map(|safe| {
            let shown = SourceFile::new("", None, safe.text.clone());
            (safe, shown)
        });
        self.files.push(Shown {
            original: file,
            name: text::source_path(file).to(Sink::Terminal).into_owned(),
            safe,
        });
        self.files.len() - 1
    }

    fn get(&self, id: usize) -> Result<&Shown<'a>, files::Error> {
        self.files.get(id).ok_or(files::Error::FileMissing)
    }

    /// A codespan label at `label`'s span, with its message rendered for the terminal.
    fn label(&mut self, label: &'a Label, primary: bool) -> CsLabel<usize> {
        let id = self.id(&label.source);
        let range = self.files[id].range(label.span.range());
        let message = text::label_message(label).to(Sink::Terminal).into_owned();
        if primary {
            CsLabel::primary(id, range).with_message(message)
        } else {
            CsLabel::secondary(id, range).with_message(message)
        }
    }
}

impl<'a> Files<'a> for SourceSet<'a> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.get(id)?.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.get(id)?.shown().text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.get(id)?.shown();
        Ok(file.line_col(byte_index as u32).line as usize - 1)
    }

    /// The column of the file the user wrote (escapes before it on its line do not count).
    fn column_number(
        &'a self,
        id: usize,
        _line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let shown = self.get(id)?;
        let original = match &shown.safe {
            None => byte_index,
            Some((safe, _)) => safe.original_offset(byte_index),
        };
        Ok(shown.original.line_col(original as u32).column as usize)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.get(id)?.shown();
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

/// codespan-reporting names its lowest severity `note`; every other format (and `--fail-on`)
/// says `info`. The header is the first thing written for a diagnostic, so its first `note` is
/// the severity (after the colour escape, when coloured).
fn info_not_note(bytes: &mut [u8]) {
    let header_end = bytes
        .iter()
        .position(|&b| b == b'\n')
        .unwrap_or(bytes.len());
    if let Some(at) = bytes[..header_end].windows(4).position(|w| w == b"note") {
        bytes[at..at + 4].copy_from_slice(b"info");
    }
}

pub fn render(diagnostics: &[Diagnostic], summary: &Summary, color: bool) -> Vec<u8> {
    let mut set = SourceSet { files: Vec::new() };
    let mut prepared = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let mut labels = vec![set.label(&d.primary, true)];
        for r in &d.related {
            labels.push(set.label(r, false));
        }
        let mut notes = Vec::new();
        if let Some(help) = text::help(d) {
            notes.push(format!("help: {}", help.to(Sink::Terminal)));
        }
        notes.push(format!("see `irsa-lint explain {}`", d.rule.code));
        prepared.push(
            CsDiagnostic::new(severity(d.severity))
                .with_code(format!("{} {}", d.rule.code, d.rule.name))
                .with_message(text::message(d).to(Sink::Terminal))
                .with_labels(labels)
                .with_notes(notes),
        );
    }

    let styles = Styles::default();
    let config = Config::default();
    let mut out = Vec::new();
    for d in &prepared {
        let mut buffer = if color {
            termcolor::Buffer::ansi()
        } else {
            termcolor::Buffer::no_color()
        };
        {
            let mut writer = StylesWriter::new(&mut buffer, &styles);
            // Spans are clamped above, so rendering should not fail; if it does, say so rather
            // than lose the rest of the report.
            if term::emit_to_write_style(&mut writer, &config, &set, d).is_err() {
                let _ = std::io::Write::write_all(&mut writer, b"(snippet unavailable)\n");
            }
        }
        let mut bytes = buffer.into_inner();
        if d.severity == CsSeverity::Note {
            info_not_note(&mut bytes);
        }
        out.extend_from_slice(&bytes);
    }
    let line = summary.sentence();
    out.extend_from_slice(line.as_bytes());
    out.push(b'\n');
    out
}

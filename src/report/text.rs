//! Input-derived text, made safe for the place a report writes it.
//!
//! Every file irsa-lint reads may be written by an attacker (a pull request from a fork), and
//! messages quote what the files say: names, values, keys, file paths. Written as it is, such text
//! could move a terminal's cursor, retitle its window or hide a link (ESC sequences), reorder what
//! the reader sees (bidi controls such as U+202E), start a GitHub workflow command of its own (a
//! bare CR or LF followed by `::warning`), break out of a Markdown code span or table cell, or make
//! an XML report ill-formed. So reports never write input-derived text directly: they read it
//! through the accessors here, which hand it out as [`Untrusted`], and the only way to get a
//! string out of that is [`Untrusted::to`] with the [`Sink`] it is written to. `tests/injection.rs`
//! checks that no report module reads a diagnostic's text any other way.
//!
//! Ordinary Unicode letters, digits, punctuation and symbols are printed as they are: only
//! characters that control a device or are invisible are replaced, each by a visible escape
//! (`\r`, `\u{1b}`, `\u{202e}`), so messages stay readable and the escape tells what was there.

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::diagnostic::{Diagnostic, Label};
use crate::source::SourceFile;

/// Where text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// A terminal or a plain-text log (human, concise, messages on stderr): one line, every
    /// control character (line breaks and tabs too) and every bidi or invisible format character
    /// as a visible escape.
    Terminal,
    /// The data of a GitHub workflow command (after `::`): `%`, CR and LF escaped the way the
    /// runner unescapes them (so the annotation keeps the line break, and no output line can start
    /// a command), every other unsafe character as a visible escape.
    WorkflowData,
    /// A property value of a workflow command (`file=`, `title=`): as [`Sink::WorkflowData`], and
    /// `:` and `,`, which would end the value.
    WorkflowProperty,
    /// Markdown that must show literally (a table cell of the step summary): unsafe characters as
    /// visible escapes, then every ASCII punctuation character Markdown or GitHub gives a meaning
    /// to (code spans, emphasis, links, HTML, entities, table cells, autolinks) escaped with `\`.
    Markdown,
    /// A double-quoted XML 1.0 attribute value: the five entities, and every unsafe character
    /// (those XML 1.0 forbids, and CR, LF and tab too) as a visible escape. A character reference
    /// such as `&#13;` would give a CR back to whatever reads the report and prints the value.
    XmlAttribute,
    /// XML 1.0 element content: like [`Sink::XmlAttribute`], but quotes stay literal so the report
    /// stays readable. The report's own line breaks are written between such pieces.
    XmlText,
    /// A JSON string value written by serde_json (JSON, SARIF, GitLab): serde_json escapes `"`,
    /// `\` and every control character, and a Rust string is valid UTF-8, so no lone surrogate can
    /// be written. The text passes as it is: a JSON consumer gets the value the file holds.
    Json,
}

/// True for a character that must never reach a reader as it is: C0 and C1 controls and DEL
/// (terminal control, line breaks), bidi controls (they reorder the text around them), invisible
/// format characters (zero-width, joiners, word joiners, BOM, tags, fillers that render as blank),
/// line and paragraph separators, and the noncharacters U+FFFE/U+FFFF.
pub fn is_unsafe(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{115f}'..='\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff9}'..='\u{fffb}'
            | '\u{fffe}'..='\u{ffff}'
            | '\u{e0000}'..='\u{e007f}'
    )
}

/// The visible escape of an unsafe character: `\t`, `\n`, `\r`, else `\u{HEX}`.
fn push_visible(out: &mut String, c: char) {
    match c {
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// Markdown's (CommonMark's and GitHub's) meaningful ASCII punctuation; `\` before any ASCII
/// punctuation makes it literal. `:` stops autolinks (`https://...` in a value), `|` ends a table
/// cell, `<` and `&` start HTML and entities.
fn is_markdown_punctuation(c: char) -> bool {
    matches!(
        c,
        '\\' | '`'
            | '*'
            | '_'
            | '['
            | ']'
            | '('
            | ')'
            | '<'
            | '>'
            | '|'
            | '#'
            | '!'
            | '~'
            | '&'
            | ':'
            | '$'
    )
}

/// `text` rendered for `sink`: the one way a report turns input-derived text into output.
pub fn for_sink(text: &str, sink: Sink) -> Cow<'_, str> {
    if sink == Sink::Json || !text.chars().any(|c| needs_work(c, sink)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match sink {
            Sink::Json => out.push(c),
            Sink::Terminal => {
                if is_unsafe(c) {
                    push_visible(&mut out, c);
                } else {
                    out.push(c);
                }
            }
            Sink::WorkflowData | Sink::WorkflowProperty => match c {
                '%' => out.push_str("%25"),
                '\r' => out.push_str("%0D"),
                '\n' => out.push_str("%0A"),
                ':' if sink == Sink::WorkflowProperty => out.push_str("%3A"),
                ',' if sink == Sink::WorkflowProperty => out.push_str("%2C"),
                c if is_unsafe(c) => push_visible(&mut out, c),
                c => out.push(c),
            },
            Sink::Markdown => {
                if is_unsafe(c) {
                    // `\` of the escape is Markdown punctuation too: written as `\\`.
                    let mut visible = String::new();
                    push_visible(&mut visible, c);
                    out.push('\\');
                    out.push_str(&visible);
                } else {
                    if is_markdown_punctuation(c) {
                        out.push('\\');
                    }
                    out.push(c);
                }
            }
            Sink::XmlAttribute | Sink::XmlText => match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' if sink == Sink::XmlAttribute => out.push_str("&quot;"),
                '\'' if sink == Sink::XmlAttribute => out.push_str("&apos;"),
                c if is_unsafe(c) => push_visible(&mut out, c),
                c => out.push(c),
            },
        }
    }
    Cow::Owned(out)
}

/// True when `c` is not written as it is to `sink`.
fn needs_work(c: char, sink: Sink) -> bool {
    if is_unsafe(c) {
        return true;
    }
    match sink {
        Sink::Json | Sink::Terminal => false,
        Sink::WorkflowData => c == '%',
        Sink::WorkflowProperty => matches!(c, '%' | ':' | ','),
        Sink::Markdown => is_markdown_punctuation(c),
        Sink::XmlAttribute => matches!(c, '&' | '<' | '>' | '"' | '\''),
        Sink::XmlText => matches!(c, '&' | '<' | '>'),
    }
}

/// Text that came from the input (or holds some of it). It has no `Display` and no `Deref`: the
/// only way to write it is [`Untrusted::to`], which renders it for a sink. A report that builds a
/// longer text around it (a message and its help, a path and its line) builds an `Untrusted` too,
/// with [`Untrusted::with`] and [`Untrusted::and`], and renders the whole.
#[derive(Clone, Debug)]
pub struct Untrusted<'a>(Cow<'a, str>);

impl<'a> Untrusted<'a> {
    /// Wrap text that holds input, or text of our own that is written to the same sink.
    pub fn new(text: impl Into<Cow<'a, str>>) -> Untrusted<'a> {
        Untrusted(text.into())
    }

    /// The text rendered for `sink`.
    pub fn to(self, sink: Sink) -> Cow<'a, str> {
        match self.0 {
            Cow::Borrowed(text) => for_sink(text, sink),
            Cow::Owned(text) => Cow::Owned(for_sink(&text, sink).into_owned()),
        }
    }

    /// True when there is no text.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// This text followed by `text` of our own.
    pub fn with(self, text: &str) -> Untrusted<'static> {
        let mut s = self.0.into_owned();
        s.push_str(text);
        Untrusted(Cow::Owned(s))
    }

    /// This text followed by `other`.
    pub fn and(self, other: &Untrusted<'_>) -> Untrusted<'static> {
        self.with(&other.0)
    }

    /// This text cut to at most `max` characters, `…` marking the cut (see
    /// [`super::truncate_chars`]). Cut before rendering, so an escape is never cut in two.
    pub fn truncated(self, max: usize) -> Untrusted<'a> {
        match super::truncate_chars(&self.0, max) {
            Cow::Borrowed(_) => self,
            Cow::Owned(cut) => Untrusted(Cow::Owned(cut)),
        }
    }

    /// This text as a path with `/` separators (see [`super::portable_path`]).
    pub fn portable_path(self) -> Untrusted<'a> {
        match super::portable_path(&self.0) {
            Cow::Borrowed(_) => self,
            Cow::Owned(path) => Untrusted(Cow::Owned(path)),
        }
    }
}

/// A diagnostic's message: it quotes values, keys and names from the input.
pub fn message(d: &Diagnostic) -> Untrusted<'_> {
    Untrusted::new(d.message.as_str())
}

/// A diagnostic's help, which may quote the input too.
pub fn help(d: &Diagnostic) -> Option<Untrusted<'_>> {
    d.help.as_deref().map(Untrusted::new)
}

/// A label's message (the text under a snippet, or of a related location).
pub fn label_message(label: &Label) -> Untrusted<'_> {
    Untrusted::new(label.message.as_str())
}

/// A label's file as shown to the user: a file name can be anything a file system allows.
pub fn file(label: &Label) -> Untrusted<'_> {
    Untrusted::new(label.source.display_path.as_str())
}

/// A source file's display path.
pub fn source_path(source: &SourceFile) -> Untrusted<'_> {
    Untrusted::new(source.display_path.as_str())
}

/// A source file's text made safe to show in a terminal snippet, with the map from the file's
/// byte offsets to the shown text's.
///
/// Line feeds and tabs are kept (they are the snippet's layout), and so is a CR right before a
/// line feed (a CRLF line end moves nothing); every other unsafe character becomes its visible
/// escape. Line numbers are unchanged; a byte offset after an escape moves by the escape's extra
/// length, which [`TerminalSource::shown_offset`] and [`TerminalSource::original_offset`] map.
#[derive(Debug)]
pub struct TerminalSource {
    /// The text to show.
    pub text: String,
    /// For each replaced character, in order: its offset in the original text, its length there,
    /// and the offset and length of its escape in `text`.
    replaced: Vec<Replacement>,
}

#[derive(Clone, Copy, Debug)]
struct Replacement {
    original: usize,
    original_len: usize,
    shown: usize,
    shown_len: usize,
}

impl TerminalSource {
    /// The safe text of `source` (`None` when the text needs no change: the caller shows it as it
    /// is and maps nothing).
    pub fn of(source: &SourceFile) -> Option<TerminalSource> {
        let text = source.text.as_str();
        let keep = |i: usize, c: char| {
            !is_unsafe(c)
                || c == '\n'
                || c == '\t'
                || (c == '\r' && text.as_bytes().get(i + 1) == Some(&b'\n'))
        };
        if text.char_indices().all(|(i, c)| keep(i, c)) {
            return None;
        }
        let mut out = String::with_capacity(text.len() + 16);
        let mut replaced = Vec::new();
        for (i, c) in text.char_indices() {
            if keep(i, c) {
                out.push(c);
            } else {
                let shown = out.len();
                push_visible(&mut out, c);
                replaced.push(Replacement {
                    original: i,
                    original_len: c.len_utf8(),
                    shown,
                    shown_len: out.len() - shown,
                });
            }
        }
        Some(TerminalSource {
            text: out,
            replaced,
        })
    }

    /// The offset in the shown text of `offset` in the original text (an offset inside a replaced
    /// character maps to the start of its escape).
    pub fn shown_offset(&self, offset: usize) -> usize {
        let i = self.replaced.partition_point(|r| r.original <= offset);
        match i.checked_sub(1).map(|i| self.replaced[i]) {
            None => offset,
            Some(r) if offset < r.original + r.original_len => r.shown,
            Some(r) => r.shown + r.shown_len + (offset - r.original - r.original_len),
        }
    }

    /// The offset in the original text of `offset` in the shown text (an offset inside an escape
    /// maps to the replaced character).
    pub fn original_offset(&self, offset: usize) -> usize {
        let i = self.replaced.partition_point(|r| r.shown <= offset);
        match i.checked_sub(1).map(|i| self.replaced[i]) {
            None => offset,
            Some(r) if offset < r.shown + r.shown_len => r.original,
            Some(r) => r.original + r.original_len + (offset - r.shown - r.shown_len),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_controls_bidi_and_invisibles_only() {
        assert_eq!(
            for_sink("evil\r::warning file=x::owned\n\t\u{7}", Sink::Terminal),
            "evil\\r::warning file=x::owned\\n\\t\\u{7}"
        );
        assert_eq!(
            for_sink("\u{1b}]0;title\u{7}\u{1b}[2J", Sink::Terminal),
            "\\u{1b}]0;title\\u{7}\\u{1b}[2J"
        );
        assert_eq!(
            for_sink(
                "abc\u{202e}fed\u{200b}\u{feff}\u{85}\u{2028}",
                Sink::Terminal
            ),
            "abc\\u{202e}fed\\u{200b}\\u{feff}\\u{85}\\u{2028}"
        );
        // Ordinary Unicode text, symbols and punctuation are printed as they are.
        let readable = "déjà-vu Ωμέγα 東京 ✓ `a|b` <c> & 100% \\";
        assert!(matches!(
            for_sink(readable, Sink::Terminal),
            Cow::Borrowed(s) if s == readable
        ));
    }

    #[test]
    fn workflow_sinks_escape_as_the_runner_unescapes() {
        assert_eq!(
            for_sink("50%\r\n::error x\u{1b}", Sink::WorkflowData),
            "50%25%0D%0A::error x\\u{1b}"
        );
        assert_eq!(
            for_sink("a:b,c%\n", Sink::WorkflowProperty),
            "a%3Ab%2Cc%25%0A"
        );
    }

    #[test]
    fn markdown_shows_everything_literally() {
        assert_eq!(
            for_sink("`a`|<img src=x>&amp;\n[l](u) *b* https://x", Sink::Markdown),
            "\\`a\\`\\|\\<img src=x\\>\\&amp;\\\\n\\[l\\]\\(u\\) \\*b\\* https\\://x"
        );
        assert_eq!(for_sink("\u{202e}", Sink::Markdown), "\\\\u{202e}");
    }

    #[test]
    fn xml_escapes_entities_and_replaces_forbidden_characters() {
        assert_eq!(
            for_sink(
                "a<b>&\"c\"'\u{1}\u{b}\t\n\r\u{fffe}é]]>",
                Sink::XmlAttribute
            ),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;\\u{1}\\u{b}\\t\\n\\r\\u{fffe}é]]&gt;"
        );
        assert_eq!(
            for_sink("it's \"a\"\n\t<b>\r\u{2}\u{202e}", Sink::XmlText),
            "it's \"a\"\\n\\t&lt;b&gt;\\r\\u{2}\\u{202e}"
        );
    }

    #[test]
    fn json_is_left_to_serde() {
        assert_eq!(for_sink("\u{1b}\"\r", Sink::Json), "\u{1b}\"\r");
    }

    #[test]
    fn terminal_source_keeps_layout_and_maps_offsets() {
        let clean = SourceFile::new("a", None, "a: 1\r\nb:\t2\n".to_string());
        assert!(TerminalSource::of(&clean).is_none());
        let text = "a: x\u{1b}[2Jy\nb: \u{202e}z\r\n";
        let file = SourceFile::new("a", None, text.to_string());
        let safe = TerminalSource::of(&file).unwrap();
        assert_eq!(safe.text, "a: x\\u{1b}[2Jy\nb: \\u{202e}z\r\n");
        // `y` and `z` are found at their shown offsets, and mapped back.
        for needle in ['y', 'z', '\n'] {
            let original = text.find(needle).unwrap();
            let shown = safe.shown_offset(original);
            assert_eq!(safe.text[shown..].chars().next(), Some(needle));
            assert_eq!(safe.original_offset(shown), original);
        }
        // The escape itself maps to the replaced character, both ways.
        let esc = text.find('\u{1b}').unwrap();
        assert_eq!(safe.shown_offset(esc), 4);
        assert_eq!(safe.original_offset(6), esc);
        assert_eq!(safe.shown_offset(0), 0);
        assert_eq!(safe.shown_offset(text.len()), safe.text.len());
    }
}

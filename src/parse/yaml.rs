//! YAML: saphyr-parser's event stream into the spanned tree.
//!
//! The tree is built with an explicit stack (saphyr's parser is itself a state machine with an
//! explicit stack), so deep nesting costs heap, not call stack, and stops at
//! [`Limits::max_depth`]. Aliases stay [`NodeKind::Alias`]; anchors are dropped.
//!
//! saphyr's markers count characters; they are turned into byte offsets by [`CharToByte`]. Its
//! event spans are then adjusted so every node's span is the node as written:
//!
//! * properties (`!Tag`, `&anchor`) in front of a node are not part of its span (the tag text is
//!   kept in [`Node::tag`]);
//! * a quoted scalar spans its quotes (saphyr's span runs on over trailing blanks and comments);
//! * a block scalar spans from its `|`/`>` indicator to the end of its last non-blank content
//!   (saphyr's starts at the first content line and runs on over trailing line breaks);
//! * a block sequence starts at its first `-` (saphyr's starts after it when the sequence is not
//!   indented under its key);
//! * a block mapping or sequence ends where its last value ends; a flow one at its `}`/`]`;
//! * an empty (implicit null) scalar gets an empty span where the value would be: just after the
//!   `:` of `key:`, or after the last property of `key: !!null`.

use std::borrow::Cow;
use std::panic::{AssertUnwindSafe, catch_unwind};

use saphyr_parser::{Event, Parser, ScalarStyle as YamlStyle, ScanError, Tag};

use super::tree::{
    Document, Entry, Limits, Node, NodeKind, ParseProblem, ParsedFile, ProblemKind, Scalar,
    ScalarStyle, ScalarType,
};
use crate::source::{Comment, Span};

/// Parse a YAML stream: one [`Document`] per document.
pub(super) fn parse(text: &str, limits: Limits) -> ParsedFile {
    parse_counted(text, limits).0
}

/// Parse `text[range]`, one piece of a stream cut by [`pieces`], as a stream of its own: its
/// documents with spans in the whole text, its problem (spans in the piece), and the number of
/// nodes it counted.
pub(super) fn parse_piece(
    text: &str,
    range: std::ops::Range<usize>,
    limits: Limits,
) -> (ParsedFile, usize) {
    let offset = range.start;
    let (mut parsed, nodes) = parse_counted(&text[range], limits);
    if offset > 0 {
        for root in parsed.documents.iter_mut().filter_map(|d| d.root.as_mut()) {
            shift(root, offset as u32);
        }
    }
    (parsed, nodes)
}

/// Move every span of the tree `by` bytes on.
fn shift(root: &mut Node, by: u32) {
    let mut stack: Vec<&mut Node> = vec![root];
    while let Some(node) = stack.pop() {
        node.span.start += by;
        node.span.end += by;
        match &mut node.kind {
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(entries) => {
                for entry in entries.iter_mut() {
                    stack.push(&mut entry.key);
                    stack.push(&mut entry.value);
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }
}

/// Where a YAML stream can be cut into pieces that parse on their own, each about `size` bytes
/// or more: at lines that start a document (`---` alone or followed by a blank, at column 0; no
/// YAML content may start a line with it, so the documents before and after are the same as in
/// the whole stream). None when there would be a single piece, or when a line starts with `%` (a
/// directive belongs to the document after it). Aliases refer to anchors of their own document,
/// so they survive the cut; a piece that fails to parse is the caller's cue to parse the whole
/// stream instead, which reports its problem exactly.
pub(super) fn pieces(text: &str, size: usize) -> Option<Vec<std::ops::Range<usize>>> {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b'%') || text.contains("\n%") {
        return None;
    }
    let mut cuts = vec![0];
    let mut from = size;
    while from < bytes.len() {
        let Some(found) = text[from..].find("\n---") else {
            break;
        };
        let at = from + found + 1;
        let after = bytes.get(at + 3).copied();
        if matches!(after, None | Some(b'\n' | b'\r' | b' ' | b'\t')) {
            cuts.push(at);
            from = at + size;
        } else {
            from = at + 3;
        }
    }
    if cuts.len() < 2 {
        return None;
    }
    cuts.push(bytes.len());
    Some(cuts.windows(2).map(|w| w[0]..w[1]).collect())
}

/// [`parse`], and the number of nodes counted.
fn parse_counted(text: &str, limits: Limits) -> (ParsedFile, usize) {
    let mut builder = Builder::new(text, limits);
    let mut parser = Parser::new_from_str(text);
    loop {
        // saphyr is not supposed to panic; if it does, report the file instead of taking the
        // whole run down.
        let next = catch_unwind(AssertUnwindSafe(|| parser.next_event()));
        let result = match next {
            Ok(Some(result)) => result,
            Ok(None) => break,
            Err(_) => {
                let at = builder.last_pos;
                builder.problem = Some(ParseProblem {
                    kind: ProblemKind::Syntax,
                    span: Span::new(at, at),
                    message: "YAML syntax error: the YAML parser failed on this input".to_string(),
                });
                break;
            }
        };
        match result {
            Ok((event, span)) => {
                let start = builder.pos.byte(span.start.index());
                let end = builder.pos.byte(span.end.index()).max(start);
                builder.last_pos = start;
                match builder.event(event, start, end) {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(problem) => {
                        builder.problem = Some(problem);
                        break;
                    }
                }
            }
            Err(error) => {
                builder.problem = Some(builder.scan_error(&error));
                break;
            }
        }
    }
    (
        ParsedFile {
            documents: builder.documents,
            problem: builder.problem,
        },
        builder.nodes,
    )
}

/// Converts saphyr's character indices to byte offsets. Up to the first non-ASCII byte they are
/// the same (that prefix is only scanned as far as queries go, so a parse stopped early by a limit
/// does not pay for the whole text). Past it, a cursor walks the characters; queries are mostly
/// increasing, and the byte offset of every [`CharToByte::STEP`]th character is remembered so
/// going back is cheap too.
struct CharToByte<'a> {
    bytes: &'a [u8],
    /// `bytes[..ascii]` is known to be ASCII.
    ascii: usize,
    /// Whether `ascii` is final: a non-ASCII byte sits there, or it is the end of the text.
    ascii_final: bool,
    /// The cursor (character index, byte offset), at or past `ascii` once `ascii_final`.
    char_idx: usize,
    byte_idx: usize,
    /// `checkpoints[k]`: the byte offset of character `ascii + k * STEP`.
    checkpoints: Vec<usize>,
}

impl<'a> CharToByte<'a> {
    const STEP: usize = 1024;

    fn new(text: &'a str) -> Self {
        CharToByte {
            bytes: text.as_bytes(),
            ascii: 0,
            ascii_final: false,
            char_idx: 0,
            byte_idx: 0,
            checkpoints: Vec::new(),
        }
    }

    fn byte(&mut self, char_idx: usize) -> usize {
        if char_idx <= self.ascii {
            return char_idx;
        }
        if !self.ascii_final {
            let limit = char_idx.min(self.bytes.len());
            while self.ascii < limit && self.bytes[self.ascii] < 0x80 {
                self.ascii += 1;
            }
            if self.ascii < limit || self.ascii == self.bytes.len() {
                self.ascii_final = true;
                self.char_idx = self.ascii;
                self.byte_idx = self.ascii;
                self.checkpoints.push(self.ascii);
            }
            if char_idx <= self.ascii {
                return char_idx;
            }
        }
        if char_idx < self.char_idx {
            let k = ((char_idx - self.ascii) / Self::STEP).min(self.checkpoints.len() - 1);
            self.char_idx = self.ascii + k * Self::STEP;
            self.byte_idx = self.checkpoints[k];
        }
        while self.char_idx < char_idx && self.byte_idx < self.bytes.len() {
            self.byte_idx += 1;
            while self.byte_idx < self.bytes.len() && (self.bytes[self.byte_idx] & 0xC0) == 0x80 {
                self.byte_idx += 1;
            }
            self.char_idx += 1;
            let walked = self.char_idx - self.ascii;
            if walked.is_multiple_of(Self::STEP) && walked / Self::STEP == self.checkpoints.len() {
                self.checkpoints.push(self.byte_idx);
            }
        }
        self.byte_idx
    }
}

enum Body {
    Seq(Vec<Node>),
    /// Entries, and a key waiting for its value.
    Map(Vec<Entry>, Option<Node>),
}

/// An open sequence or mapping.
struct Frame {
    body: Body,
    /// Byte offset where the collection's content starts.
    start: usize,
    /// The end of the last child seen so far.
    last_end: usize,
    flow: bool,
    tag: Option<String>,
}

struct Builder<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: CharToByte<'a>,
    limits: Limits,
    stack: Vec<Frame>,
    documents: Vec<Document>,
    /// The root of the document being read (None outside documents and before its root).
    root: Option<Node>,
    nodes: usize,
    problem: Option<ParseProblem>,
    /// Where the last event started (for a problem with no better position).
    last_pos: usize,
}

impl<'a> Builder<'a> {
    fn new(text: &'a str, limits: Limits) -> Self {
        Builder {
            text,
            bytes: text.as_bytes(),
            pos: CharToByte::new(text),
            limits,
            stack: Vec::new(),
            documents: Vec::new(),
            root: None,
            nodes: 0,
            problem: None,
            last_pos: 0,
        }
    }

    /// Handle one event spanning `start..end` (bytes). Ok(false) at the end of the stream.
    fn event(&mut self, event: Event<'_>, start: usize, end: usize) -> Result<bool, ParseProblem> {
        match event {
            Event::Nothing | Event::StreamStart => {}
            Event::StreamEnd => return Ok(false),
            Event::DocumentStart(_) => {
                self.stack.clear();
                self.root = None;
            }
            Event::DocumentEnd => {
                // Anything left open (never, for a well-behaved event stream) is dropped.
                self.stack.clear();
                self.documents.push(Document {
                    root: self.root.take(),
                });
            }
            Event::Alias(id) => {
                let node = Node {
                    span: Span::new(start, end),
                    kind: NodeKind::Alias(id),
                    tag: None,
                };
                self.count(start)?;
                self.complete(node);
            }
            Event::Scalar(value, style, anchor, tag) => {
                self.count(start)?;
                let has_props = anchor > 0 || tag.is_some();
                if self.stack.is_empty()
                    && !has_props
                    && style == YamlStyle::Plain
                    && value.is_empty()
                {
                    // An empty document.
                    self.root = None;
                    return Ok(true);
                }
                let node = self.scalar(value, style, has_props, tag, start, end);
                self.complete(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.open(true, anchor > 0 || tag.is_some(), tag, start, end)?;
            }
            Event::MappingStart(anchor, tag) => {
                self.open(false, anchor > 0 || tag.is_some(), tag, start, end)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.close(start, end);
            }
        }
        Ok(true)
    }

    fn count(&mut self, at: usize) -> Result<(), ParseProblem> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(ParseProblem {
                kind: ProblemKind::Rejected,
                span: self.char_span(at),
                message: format!(
                    "more than {} nodes (keys and values), over the node limit: raise it with --max-nodes (or `max-nodes:` in .irsa-lint.yaml)",
                    self.limits.max_nodes
                ),
            });
        }
        Ok(())
    }

    /// A span covering the one character at `at` (empty at the end of the text).
    fn char_span(&self, at: usize) -> Span {
        let len = self
            .text
            .get(at..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        Span::new(at, at + len)
    }

    fn open(
        &mut self,
        is_seq: bool,
        has_props: bool,
        tag: Option<Cow<'_, Tag>>,
        start: usize,
        end: usize,
    ) -> Result<(), ParseProblem> {
        let (mut content, tag_text) = if has_props {
            skip_properties(self.bytes, start, end)
        } else {
            (start, None)
        };
        if self.stack.len() >= self.limits.max_depth {
            return Err(ParseProblem {
                kind: ProblemKind::Rejected,
                span: self.char_span(content),
                message: format!(
                    "nesting deeper than {} levels (a fixed limit)",
                    self.limits.max_depth
                ),
            });
        }
        self.count(content)?;
        let first = self.bytes.get(content).copied();
        // An implicit single-pair mapping in a flow sequence (`[{a: b}: c]`) starts at its key,
        // with an empty event span; a real flow collection's event spans its `[` or `{`.
        let flow = matches!(first, Some(b'[' | b'{')) && end > content;
        if is_seq && !flow && first != Some(b'-') {
            // A sequence not indented under its key: saphyr starts it after the first `-` (and
            // after a comment that follows it, `- # note`, when that first item is empty).
            let p = before_blanks_and_comments(self.bytes, content);
            if p > 0 && self.bytes[p - 1] == b'-' {
                content = p - 1;
            }
        }
        let tag = tag.map(|t| tag_text.map_or_else(|| tag_display(&t), str::to_string));
        self.stack.push(Frame {
            body: if is_seq {
                Body::Seq(Vec::new())
            } else {
                Body::Map(Vec::new(), None)
            },
            start: content,
            last_end: content,
            flow,
            tag,
        });
        Ok(())
    }

    /// Close the innermost collection; its end event spans `start..end`.
    fn close(&mut self, start: usize, end: usize) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let end = if frame.flow && start >= frame.start {
            // saphyr's span of `]`/`}` runs on over the blanks and comment after it, and after a
            // trailing comma it is the comma's.
            closing_bracket(self.bytes, start)
                .unwrap_or_else(|| trim_back(self.bytes, end, frame.last_end))
        } else {
            frame.last_end
        };
        let kind = match frame.body {
            Body::Seq(items) => NodeKind::Seq(items),
            Body::Map(mut entries, pending) => {
                if let Some(key) = pending {
                    let at = key.span.end as usize;
                    entries.push(Entry {
                        key,
                        value: empty_null(at),
                    });
                }
                NodeKind::Map(entries)
            }
        };
        let node = Node {
            span: Span::new(frame.start, end.max(frame.start)),
            kind,
            tag: frame.tag,
        };
        self.complete(node);
    }

    /// Attach a finished node to its parent (or make it the document's root).
    fn complete(&mut self, node: Node) {
        let Some(top) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        top.last_end = top.last_end.max(node.span.end as usize);
        match &mut top.body {
            Body::Seq(items) => items.push(node),
            Body::Map(entries, pending) => match pending.take() {
                Some(key) => entries.push(Entry { key, value: node }),
                None => *pending = Some(node),
            },
        }
    }

    fn scalar(
        &mut self,
        value: Cow<'_, str>,
        style: YamlStyle,
        has_props: bool,
        tag: Option<Cow<'_, Tag>>,
        start: usize,
        end: usize,
    ) -> Node {
        let (content, tag_text) = if has_props {
            skip_properties(self.bytes, start, end)
        } else {
            (start, None)
        };
        let span = match style {
            YamlStyle::Plain if value.is_empty() => {
                if has_props {
                    Span::new(end, end)
                } else if self.bytes.get(content) == Some(&b':') {
                    Span::new(content + 1, content + 1)
                } else {
                    Span::new(content, content)
                }
            }
            YamlStyle::Plain => Span::new(content, end),
            YamlStyle::SingleQuoted | YamlStyle::DoubleQuoted => {
                let close = quoted_end(self.bytes, content, end, style == YamlStyle::DoubleQuoted);
                Span::new(
                    content,
                    close.unwrap_or_else(|| trim_back(self.bytes, end, content)),
                )
            }
            YamlStyle::Literal | YamlStyle::Folded => {
                let header = find_block_header(self.text, content);
                let start = header.unwrap_or(content);
                let mut stop = trim_back(self.bytes, end, start);
                if header.is_some() {
                    stop = stop.max(start + 1);
                }
                Span::new(start, stop)
            }
        };
        let ty = scalar_type(&value, style, tag.as_deref());
        let tag = tag.map(|t| tag_text.map_or_else(|| tag_display(&t), str::to_string));
        Node {
            span,
            kind: NodeKind::Scalar(Scalar {
                text: value.into_owned(),
                style: match style {
                    YamlStyle::Plain => ScalarStyle::Plain,
                    YamlStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    YamlStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    YamlStyle::Literal => ScalarStyle::Literal,
                    YamlStyle::Folded => ScalarStyle::Folded,
                },
                ty,
            }),
            tag,
        }
    }

    fn scan_error(&mut self, error: &ScanError) -> ParseProblem {
        let at = self.pos.byte(error.marker().index());
        if error.info() == "recursion limit exceeded" {
            // saphyr's own limit on flow collection nesting.
            let levels = self.limits.max_depth.min(255);
            return ParseProblem {
                kind: ProblemKind::Rejected,
                span: self.char_span(at),
                message: format!("nesting deeper than {levels} levels (a fixed limit)"),
            };
        }
        ParseProblem {
            kind: ProblemKind::Syntax,
            span: Span::new(at, at),
            message: format!("YAML syntax error: {}", clean_message(error.info())),
        }
    }
}

fn empty_null(at: usize) -> Node {
    Node {
        span: Span::new(at, at),
        kind: NodeKind::Scalar(Scalar {
            text: String::new(),
            style: ScalarStyle::Plain,
            ty: ScalarType::Null,
        }),
        tag: None,
    }
}

/// saphyr's messages, made a little friendlier.
fn clean_message(info: &str) -> String {
    let info = info
        .replace("<stream-start>", "start of the stream")
        .replace("<document start>", "document start (`---`)")
        .replace("<document-start>", "document start (`---`)");
    info.trim().trim_end_matches('.').to_string()
}

/// Skip a node's properties (`!tag`, `&anchor`, with the blanks and comments after them) from
/// `start`; returns where the content starts (at most `limit`) and the tag as written.
fn skip_properties(bytes: &[u8], start: usize, limit: usize) -> (usize, Option<&str>) {
    let mut p = start;
    let mut tag = None;
    let stops = |b: u8| {
        matches!(
            b,
            b' ' | b'\t' | b'\r' | b'\n' | b',' | b'[' | b']' | b'{' | b'}'
        )
    };
    loop {
        match bytes.get(p) {
            Some(b'!') => {
                let tag_start = p;
                if bytes.get(p + 1) == Some(&b'<') {
                    p += 2;
                    while p < bytes.len() && bytes[p] != b'>' && !stops(bytes[p]) {
                        p += 1;
                    }
                    if bytes.get(p) == Some(&b'>') {
                        p += 1;
                    }
                } else {
                    p += 1;
                    while p < bytes.len() && !stops(bytes[p]) {
                        p += 1;
                    }
                }
                // Only ASCII bytes stop the scan, so both ends are character boundaries.
                tag = std::str::from_utf8(&bytes[tag_start..p]).ok();
            }
            Some(b'&') => {
                p += 1;
                while p < bytes.len() && !stops(bytes[p]) {
                    p += 1;
                }
            }
            _ => break,
        }
        loop {
            while p < bytes.len() && matches!(bytes[p], b' ' | b'\t' | b'\r' | b'\n') {
                p += 1;
            }
            if bytes.get(p) == Some(&b'#') {
                while p < bytes.len() && !matches!(bytes[p], b'\n' | b'\r') {
                    p += 1;
                }
            } else {
                break;
            }
        }
    }
    (p.min(limit.max(start)), tag)
}

/// The end (after the closing quote) of the quoted scalar opening at `start`, if found before
/// `limit`.
fn quoted_end(bytes: &[u8], start: usize, limit: usize, double: bool) -> Option<usize> {
    let quote = if double { b'"' } else { b'\'' };
    if bytes.get(start) != Some(&quote) {
        return None;
    }
    let limit = limit.min(bytes.len());
    let mut i = start + 1;
    while i < limit {
        let b = bytes[i];
        if double && b == b'\\' {
            i += 2;
            continue;
        }
        if b == quote {
            if !double && bytes.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return Some(i + 1);
        }
        i += 1;
    }
    None
}

/// Just after the `]` or `}` at `at`, or after a trailing comma, blanks and comments from there.
fn closing_bracket(bytes: &[u8], mut at: usize) -> Option<usize> {
    while at < bytes.len() {
        match bytes[at] {
            b']' | b'}' => return Some(at + 1),
            b',' | b' ' | b'\t' | b'\r' | b'\n' => at += 1,
            b'#' => {
                while at < bytes.len() && !matches!(bytes[at], b'\n' | b'\r') {
                    at += 1;
                }
            }
            _ => return None,
        }
    }
    None
}

/// Move `end` back over blanks and line breaks, not before `floor`.
fn trim_back(bytes: &[u8], end: usize, floor: usize) -> usize {
    let mut end = end.min(bytes.len());
    while end > floor && matches!(bytes[end - 1], b' ' | b'\t' | b'\r' | b'\n') {
        end -= 1;
    }
    end
}

/// The offset of the `|`/`>` indicator of the block scalar that saphyr reports at `at`: the first
/// content line (only blanks before `at` on its line; the header is on the nearest non-blank line
/// above), or the header line itself (a tagged block scalar, or one with no content before the end
/// of the text).
fn find_block_header(text: &str, at: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    // saphyr also takes a lone `\r` as a line break.
    let is_break = |b: &u8| matches!(b, b'\n' | b'\r');
    let blank = |s: &[u8]| s.iter().all(|b| matches!(b, b' ' | b'\t'));
    let mut line_start = bytes[..at].iter().rposition(is_break).map_or(0, |i| i + 1);
    if blank(&bytes[line_start..at]) {
        loop {
            if line_start == 0 {
                return None;
            }
            let prev_end = line_start - 1;
            line_start = bytes[..prev_end]
                .iter()
                .rposition(is_break)
                .map_or(0, |i| i + 1);
            if !blank(&bytes[line_start..prev_end]) {
                break;
            }
        }
    }
    let line_end = bytes[line_start..]
        .iter()
        .position(is_break)
        .map_or(bytes.len(), |i| line_start + i);
    let line = &bytes[line_start..line_end];
    (0..line.len())
        .find(|&i| is_block_indicator_at(line, i))
        .map(|i| line_start + i)
}

/// Whether `line[i]` is a block scalar indicator: `|` or `>` after a blank (or at the start, or
/// after a byte order mark),
/// followed only by indentation/chomping indicators, then blanks and maybe a comment.
fn is_block_indicator_at(line: &[u8], i: usize) -> bool {
    if !matches!(line[i], b'|' | b'>') {
        return false;
    }
    if i > 0 && !matches!(line[i - 1], b' ' | b'\t') && !line[..i].ends_with("\u{feff}".as_bytes())
    {
        return false;
    }
    let mut j = i + 1;
    while j < line.len() && matches!(line[j], b'0'..=b'9' | b'+' | b'-') {
        j += 1;
    }
    if j == line.len() {
        return true;
    }
    if !matches!(line[j], b' ' | b'\t' | b'\r') {
        return false;
    }
    while j < line.len() && matches!(line[j], b' ' | b'\t' | b'\r') {
        j += 1;
    }
    j == line.len() || line[j] == b'#'
}

const CORE_SCHEMA: &str = "tag:yaml.org,2002:";

/// A tag as it would be written, when it cannot be read from the source.
fn tag_display(tag: &Tag) -> String {
    if tag.handle == CORE_SCHEMA {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else if tag.handle.is_empty() {
        format!("!<{}>", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

/// A scalar's type. Untagged: plain scalars resolve ([`resolve_plain`]), the others are strings.
/// `!!bool`, `!!int`, `!!float` and `!!null` resolve whatever the style; any other tag (`!!str`,
/// `!!binary`, `!Ref`, `!Sub`...) makes a string, as go-yaml v2 leaves such scalars unresolved.
fn scalar_type(value: &str, style: YamlStyle, tag: Option<&Tag>) -> ScalarType {
    match tag {
        Some(tag) if tag.handle == CORE_SCHEMA => match tag.suffix.as_str() {
            "bool" | "int" | "float" | "null" => resolve_plain(value),
            _ => ScalarType::String,
        },
        Some(_) => ScalarType::String,
        None if style == YamlStyle::Plain => resolve_plain(value),
        None => ScalarType::String,
    }
}

/// What a plain YAML scalar resolves to, the way go-yaml v2 (and so sigs.k8s.io/yaml, and so
/// Kubernetes) resolves it: YAML 1.1 booleans (`yes`, `on`, `y`...), `~`/`null`/empty as null,
/// integers in Go's base-prefix syntax (`0x1F`, `0o17`, `017`, `0b101`, `1_000`), floats
/// (`1.5`, `1e3`, `.inf`, `.nan`); anything else (timestamps included) is a string.
pub fn resolve_plain(value: &str) -> ScalarType {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return ScalarType::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return ScalarType::Bool(false);
        }
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => return ScalarType::Float,
        _ => {}
    }
    match value.as_bytes()[0] {
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = value.replace('_', "");
            if go_parse_int(&plain) {
                ScalarType::Int
            } else if is_yaml_float(&plain) {
                ScalarType::Float
            } else {
                ScalarType::String
            }
        }
        b'.' if is_yaml_float(value) => ScalarType::Float,
        _ => ScalarType::String,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` or `strconv.ParseUint(s, 0, 64)` succeeds.
fn go_parse_int(s: &str) -> bool {
    let (sign, rest) = match s.as_bytes().first() {
        Some(b'+') => (Some(false), &s[1..]),
        Some(b'-') => (Some(true), &s[1..]),
        _ => (None, s),
    };
    let lower = rest.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() {
        return false;
    }
    let mut magnitude: u128 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else {
            return false;
        };
        magnitude = magnitude * u128::from(radix) + u128::from(d);
        if magnitude > u128::from(u64::MAX) {
            return false;
        }
    }
    match sign {
        // ParseInt only.
        Some(true) => magnitude <= 1u128 << 63,
        Some(false) => magnitude < 1u128 << 63,
        // ParseInt or ParseUint.
        None => true,
    }
}

/// go-yaml's `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`, and finite.
fn is_yaml_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let from = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - from
    };
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len() && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// The comments of a YAML text (`#` at a line's start or after white space, outside quoted
/// scalars), for suppressions. A line scan: the event parser does not report comments.
pub fn comments(text: &str) -> Vec<Comment> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, raw) in text.split('\n').enumerate() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if let Some(hash) = comment_start(line) {
            out.push(Comment {
                span: Span::new(offset + hash, offset + line.trim_end().len()),
                marker_len: 1,
                line: index as u32,
                trailing: !line[..hash].trim().is_empty(),
            });
        }
        offset += raw.len() + 1;
    }
    out
}

/// The byte offset of the `#` that starts a YAML comment on `line`, if any: a `#` at the start of
/// the line or after whitespace, outside quoted scalars. A quote only opens a scalar where a
/// scalar can start (line start, after `: `, `- `, `? `, `[`, `{` or `,`), so the apostrophe of
/// `it's` in a plain scalar does not hide a comment after it.
fn comment_start(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut last_significant: Option<u8> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(b'"') => {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if b == b'"' {
                    quote = None;
                }
            }
            Some(_) => {
                if b == b'\'' {
                    if bytes.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    quote = None;
                }
            }
            None => {
                let after_space = i == 0 || matches!(bytes[i - 1], b' ' | b'\t');
                if b == b'#' && after_space {
                    return Some(i);
                }
                if b == b'"' || b == b'\'' {
                    let opens = match last_significant {
                        None => true,
                        Some(b'[' | b'{' | b',') => true,
                        Some(b':' | b'-' | b'?') => after_space,
                        Some(_) => false,
                    };
                    if opens {
                        quote = Some(b);
                    }
                }
            }
        }
        if !matches!(b, b' ' | b'\t') {
            last_significant = Some(b);
        }
        i += 1;
    }
    None
}

/// The position before the white space and comments that end just before `at`: from `- # note\n
/// - b`'s second item back to the first `-`'s end. Comments are found as everywhere here
/// ([`comment_start`], quotes honoured).
fn before_blanks_and_comments(bytes: &[u8], at: usize) -> usize {
    let mut p = at;
    loop {
        while p > 0 && matches!(bytes[p - 1], b' ' | b'\t' | b'\r' | b'\n') {
            p -= 1;
        }
        let line_start = bytes[..p]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let comment = std::str::from_utf8(&bytes[line_start..p])
            .ok()
            .and_then(comment_start);
        match comment {
            Some(i) if line_start + i < p => p = line_start + i,
            _ => return p,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sequence_whose_first_item_is_a_comment_starts_at_its_dash() {
        let text = "k:\n  - #- 1\n    - two\n";
        let r = root(text);
        let seq = &r.as_map().unwrap()[0].value;
        assert!(
            slice(text, seq.span).starts_with("- #- 1"),
            "{:?}",
            slice(text, seq.span)
        );
        // The mutated document that found it.
        let text = "? [k]\n: !!str 12:\n  - #- 1\n    - \"two\\n\"\n";
        parse_ok(text);
    }

    #[test]
    fn comment_start_ignores_quoted_hashes() {
        assert_eq!(comment_start("a: b # c"), Some(5));
        assert_eq!(comment_start("# c"), Some(0));
        assert_eq!(comment_start("a: \"b # c\""), None);
        assert_eq!(comment_start("a: 'b # c' # d"), Some(11));
        assert_eq!(comment_start("a: b#c"), None);
        assert_eq!(comment_start("a: it's # d"), Some(8));
        assert_eq!(comment_start("a: 'it''s # x' # d"), Some(15));
        assert_eq!(comment_start("- \"x\\\" # y\" # z"), Some(12));
        assert_eq!(comment_start("{a: \"# x\"} # z"), Some(11));
    }

    fn parse_ok(text: &str) -> Vec<Document> {
        let parsed = parse(text, Limits::default());
        assert_eq!(parsed.problem, None, "{text:?}");
        parsed.documents
    }

    fn root(text: &str) -> Node {
        parse_ok(text).remove(0).root.unwrap()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "a: \"x y\"  \nb: !Sub 'q' # c\nc:\nlist:\n- 1\n-   two  \nflow: &x [1, {k: v}]\nalias: *x\n";
        let r = root(text);
        assert_eq!(slice(text, r.span), &text[..text.len() - 1]);
        let m = r.as_map().unwrap();
        let keys: Vec<&str> = m.iter().map(|e| slice(text, e.key.span)).collect();
        assert_eq!(keys, ["a", "b", "c", "list", "flow", "alias"]);
        assert_eq!(slice(text, m[0].value.span), "\"x y\"");
        assert_eq!(slice(text, m[1].value.span), "'q'");
        assert_eq!(m[1].value.tag.as_deref(), Some("!Sub"));
        assert_eq!(m[1].value.as_str(), Some("q"));
        assert!(m[2].value.is_null());
        assert_eq!(m[2].value.span, Span::new(29, 29));
        assert_eq!(slice(text, m[3].value.span), "- 1\n-   two");
        let items = m[3].value.as_seq().unwrap();
        assert_eq!(slice(text, items[1].span), "two");
        assert_eq!(slice(text, m[4].value.span), "[1, {k: v}]");
        let flow = m[4].value.as_seq().unwrap();
        assert_eq!(slice(text, flow[1].span), "{k: v}");
        assert_eq!(m[5].value.kind, NodeKind::Alias(1));
        assert_eq!(slice(text, m[5].value.span), "*x");
    }

    #[test]
    fn nested_block_collections() {
        let text = "k:\n  - - a\n    - b\n  - x: 1\n    y: 2\n  - !T\n    z: 3\n";
        let r = root(text);
        let seq = r.get("k").unwrap();
        assert_eq!(
            slice(text, seq.span),
            "- - a\n    - b\n  - x: 1\n    y: 2\n  - !T\n    z: 3"
        );
        let items = seq.as_seq().unwrap();
        assert_eq!(slice(text, items[0].span), "- a\n    - b");
        assert_eq!(slice(text, items[1].span), "x: 1\n    y: 2");
        assert_eq!(slice(text, items[2].span), "z: 3");
        assert_eq!(items[2].tag.as_deref(), Some("!T"));
    }

    #[test]
    fn non_ascii_crlf_and_bom() {
        let text = "\u{feff}clé: \"été\"\r\nnext: ünïcödé\r\nq: 'a'\r\n";
        let r = root(text);
        let m = r.as_map().unwrap();
        assert_eq!(slice(text, m[0].key.span), "clé");
        assert_eq!(m[0].key.span.start, 3);
        assert_eq!(slice(text, m[0].value.span), "\"été\"");
        assert_eq!(slice(text, m[1].value.span), "ünïcödé");
        assert_eq!(slice(text, m[2].value.span), "'a'");
        assert_eq!(
            slice(text, r.span),
            "clé: \"été\"\r\nnext: ünïcödé\r\nq: 'a'"
        );
    }

    #[test]
    fn block_scalars() {
        let text = "d: |\n  line1\n  line2\n\ne: >-\n  folded\n  text\n\nf: |2-  # c |\n   y\ng: |\nh: !!binary |\n  QQ==\n";
        let r = root(text);
        let d = r.get("d").unwrap();
        assert_eq!(d.as_str(), Some("line1\nline2\n"));
        assert_eq!(slice(text, d.span), "|\n  line1\n  line2");
        let e = r.get("e").unwrap();
        assert_eq!(e.as_str(), Some("folded text"));
        assert_eq!(slice(text, e.span), ">-\n  folded\n  text");
        assert_eq!(slice(text, r.get("f").unwrap().span), "|2-  # c |\n   y");
        let g = r.get("g").unwrap();
        assert_eq!(g.as_str(), Some(""));
        assert_eq!(slice(text, g.span), "|");
        let h = r.get("h").unwrap();
        assert_eq!(slice(text, h.span), "|\n  QQ==");
        assert_eq!(h.tag.as_deref(), Some("!!binary"));
        assert_eq!(e.as_scalar().unwrap().style, ScalarStyle::Folded);
    }

    #[test]
    fn block_scalar_content_that_looks_like_a_header() {
        let text = "- |\n > text\n- >\n  | x\n- |\n";
        let r = root(text);
        let items = r.as_seq().unwrap();
        assert_eq!(items[0].as_str(), Some("> text\n"));
        assert_eq!(slice(text, items[0].span), "|\n > text");
        assert_eq!(slice(text, items[1].span), ">\n  | x");
        assert_eq!(slice(text, items[2].span), "|");
        let text = "\u{feff}>\rx";
        assert_eq!(slice(text, root(text).span), ">\rx");
        let text = "&a\t#\rx";
        assert_eq!(slice(text, root(text).span), "x");
    }

    #[test]
    fn yaml_11_scalar_types() {
        let text = "a: yes\nb: \"yes\"\nc: off\nd: ~\ne: 0x1F\nf: 017\ng: 1_000\nh: 1.5e3\ni: .inf\nj: 2001-12-14\nk: !!str 12\nl: 08\nm: y\nn: 'null'\no: -0b101\np: 1e999\nq: !!int \"12\"\nr: 99999999999999999999\ns: !Ref true\n";
        let r = root(text);
        let ty = |k: &str| r.get(k).unwrap().as_scalar().unwrap().ty;
        assert_eq!(ty("a"), ScalarType::Bool(true));
        assert_eq!(ty("b"), ScalarType::String);
        assert_eq!(ty("c"), ScalarType::Bool(false));
        assert_eq!(ty("d"), ScalarType::Null);
        assert_eq!(ty("e"), ScalarType::Int);
        assert_eq!(ty("f"), ScalarType::Int);
        assert_eq!(ty("g"), ScalarType::Int);
        assert_eq!(ty("h"), ScalarType::Float);
        assert_eq!(ty("i"), ScalarType::Float);
        assert_eq!(ty("j"), ScalarType::String);
        assert_eq!(ty("k"), ScalarType::String);
        assert_eq!(ty("l"), ScalarType::Float);
        assert_eq!(ty("m"), ScalarType::Bool(true));
        assert_eq!(ty("n"), ScalarType::String);
        assert_eq!(ty("o"), ScalarType::Int);
        assert_eq!(ty("p"), ScalarType::String);
        assert_eq!(ty("q"), ScalarType::Int);
        assert_eq!(ty("r"), ScalarType::Float);
        assert_eq!(ty("s"), ScalarType::String);
        assert_eq!(r.get("k").unwrap().tag.as_deref(), Some("!!str"));
    }

    #[test]
    fn resolve_plain_like_go_yaml_v2() {
        for (s, t) in [
            ("True", ScalarType::Bool(true)),
            ("ON", ScalarType::Bool(true)),
            ("N", ScalarType::Bool(false)),
            ("tRUE", ScalarType::String),
            ("NULL", ScalarType::Null),
            ("", ScalarType::Null),
            ("-1", ScalarType::Int),
            ("+1", ScalarType::Int),
            ("0o17", ScalarType::Int),
            ("-9223372036854775808", ScalarType::Int),
            ("18446744073709551615", ScalarType::Int),
            ("-9223372036854775809", ScalarType::Float),
            ("0x", ScalarType::String),
            ("0xFFFFFFFFFFFFFFFFF", ScalarType::String),
            ("1.", ScalarType::Float),
            (".5", ScalarType::Float),
            ("-.inf", ScalarType::Float),
            (".", ScalarType::String),
            ("_1", ScalarType::String),
            ("1e", ScalarType::String),
            ("arn:aws:iam::1:role/x", ScalarType::String),
        ] {
            assert_eq!(resolve_plain(s), t, "{s:?}");
        }
    }

    #[test]
    fn multi_document_streams() {
        let docs = parse_ok("a: 1\n---\n---\n--- ~\n...\n---\n# only a comment\n--- b\n");
        assert_eq!(docs.len(), 6);
        assert!(docs[0].root.is_some());
        assert!(docs[1].root.is_none());
        assert!(docs[2].root.is_none());
        assert!(docs[3].root.as_ref().unwrap().is_null());
        assert!(docs[4].root.is_none());
        assert_eq!(docs[5].root.as_ref().unwrap().as_str(), Some("b"));
        assert!(parse_ok("").is_empty());
        assert!(parse_ok("# just a comment\n").is_empty());
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let text = "a: 1\na: 2\n";
        let r = root(text);
        let m = r.as_map().unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].value.scalar_text(), Some("1"));
        assert_eq!(m[1].value.scalar_text(), Some("2"));
        assert_eq!(m[1].key.span, Span::new(5, 6));
    }

    #[test]
    fn flow_collections_end_at_their_bracket() {
        let text = "e: {k: [1]  , j: {a: b}  }  # c\nf: [x] \r\ng: [1, {a: b,},\n  # c\n  ]\n";
        let r = root(text);
        let e = r.get("e").unwrap();
        assert_eq!(slice(text, e.span), "{k: [1]  , j: {a: b}  }");
        assert_eq!(slice(text, e.get("k").unwrap().span), "[1]");
        assert_eq!(slice(text, e.get("j").unwrap().span), "{a: b}");
        assert_eq!(slice(text, r.get("f").unwrap().span), "[x]");
        let g = r.get("g").unwrap();
        assert_eq!(slice(text, g.span), "[1, {a: b,},\n  # c\n  ]");
        assert_eq!(slice(text, g.as_seq().unwrap()[1].span), "{a: b,}");
    }

    #[test]
    fn complex_keys_and_flow_pairs() {
        let text = "? [x]\n: y\nb: [k: v, x]\nc: {a, b: }\n";
        let r = root(text);
        let m = r.as_map().unwrap();
        assert_eq!(slice(text, m[0].key.span), "[x]");
        assert_eq!(m[0].key.as_seq().unwrap().len(), 1);
        let b = m[1].value.as_seq().unwrap();
        assert_eq!(slice(text, b[0].span), "k: v");
        let c = m[2].value.as_map().unwrap();
        assert!(c[0].value.is_null());
        assert_eq!(c[0].value.span, Span::new(28, 28));
        assert_eq!(c[1].value.span, Span::new(32, 32));
    }

    #[test]
    fn syntax_errors_keep_earlier_documents() {
        let text = "a: b\n---\nc: d\n- x\n";
        let parsed = parse(text, Limits::default());
        assert_eq!(parsed.documents.len(), 1);
        let p = parsed.problem.unwrap();
        assert_eq!(p.kind, ProblemKind::Syntax);
        assert_eq!(p.span, Span::new(16, 16));
        assert!(
            p.message.starts_with("YAML syntax error: "),
            "{}",
            p.message
        );

        let text = "a: \"é\nb: [1, 2\n";
        let p = parse(text, Limits::default()).problem.unwrap();
        assert_eq!(p.kind, ProblemKind::Syntax);
    }

    #[test]
    fn depth_and_node_limits() {
        let limits = Limits {
            max_depth: 3,
            max_nodes: 100,
        };
        let ok = parse("a:\n  b:\n    c: 1\n", limits);
        assert_eq!(ok.problem, None);
        let text = "a:\n  b:\n    c:\n      d: 1\n";
        let p = parse(text, limits).problem.unwrap();
        assert_eq!(p.kind, ProblemKind::Rejected);
        assert_eq!(p.message, "nesting deeper than 3 levels (a fixed limit)");
        assert_eq!(slice(text, p.span), "d");

        let p = parse(
            "[1, 2, 3, 4, 5]",
            Limits {
                max_depth: 3,
                max_nodes: 4,
            },
        )
        .problem
        .unwrap();
        assert_eq!(p.kind, ProblemKind::Rejected);
        assert_eq!(p.span, Span::new(10, 11));
    }

    /// saphyr itself keeps its state on the heap: its whole event stream for 100,000 nested block
    /// sequences runs on a 256 KiB stack, and it stops flow nesting at 255 levels by itself.
    #[test]
    fn saphyr_does_not_recurse_on_nesting() {
        let (events, error) = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(|| {
                let mut results = Vec::new();
                for text in [format!("{}x\n", "- ".repeat(100_000)), "[".repeat(100_000)] {
                    let mut parser = Parser::new_from_str(&text);
                    let mut events = 0usize;
                    let mut error = None;
                    while let Some(next) = parser.next_event() {
                        match next {
                            Ok(_) => events += 1,
                            Err(e) => {
                                error = Some(e.info().to_string());
                                break;
                            }
                        }
                    }
                    results.push((events, error));
                }
                results
            })
            .unwrap()
            .join()
            .unwrap()
            .into_iter()
            .unzip::<_, _, Vec<_>, Vec<_>>();
        assert_eq!(events[0], 2 * 100_000 + 5);
        assert_eq!(error[0], None);
        assert_eq!(error[1].as_deref(), Some("recursion limit exceeded"));
    }

    #[test]
    fn char_to_byte_goes_back_and_forth() {
        let text = "é".repeat(5000);
        let mut m = CharToByte::new(&text);
        assert_eq!(m.byte(3000), 6000);
        assert_eq!(m.byte(10), 20);
        assert_eq!(m.byte(4999), 9998);
        assert_eq!(m.byte(2048), 4096);
        assert_eq!(m.byte(9999), 10000);
        assert_eq!(m.byte(1), 2);
        assert_eq!(m.byte(0), 0);

        let text = format!("{}{}", "a".repeat(3000), "é".repeat(3000));
        let mut m = CharToByte::new(&text);
        assert_eq!(m.byte(5), 5);
        assert_eq!(m.byte(2000), 2000);
        assert_eq!(m.byte(3001), 3002);
        assert_eq!(m.byte(2999), 2999);
        assert_eq!(m.byte(5500), 8000);
        assert_eq!(m.byte(3100), 3200);
        assert_eq!(m.byte(1_000_000), text.len());
        assert_eq!(m.byte(4000), 5000);

        let mut m = CharToByte::new("abc");
        assert_eq!(m.byte(2), 2);
        assert_eq!(m.byte(7), 3);
        assert_eq!(m.byte(1), 1);
        assert_eq!(m.byte(3), 3);
    }
}

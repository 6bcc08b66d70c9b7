//! HCL (Terraform `*.tf` and `*.tfvars`) into a small spanned syntax tree of our own.
//!
//! `hcl-edit` does the parsing; this is the only module that names it, so a change of its API
//! touches one file. What the evaluator (`extract::terraform`) needs is kept, with a byte span
//! into the parsed text on every attribute, block, label, expression and template literal;
//! whitespace and comments are dropped ([`comments`] finds those with a scan of its own).
//!
//! Templates come out as Terraform renders them: the strip markers (`~`) are applied to the
//! neighbouring literals, a `<<-` heredoc's indentation is removed, and the escapes `$${` and
//! `%%{` are the literal text `${` and `%{`. A literal's text may so differ from its source;
//! [`literal_offsets`] maps each byte of it back.
//!
//! Hostile input: `hcl-edit` rejects nesting deeper than 64 levels and operator chains longer than
//! 128 with a syntax error, so the conversion here, which recurses on the tree, is bounded too.

use hcl_edit::expr::{
    BinaryOperator as HclBinary, Expression, ObjectKey as HclObjectKey, TraversalOperator,
    UnaryOperator as HclUnary,
};
use hcl_edit::structure::{BlockLabel, Structure};
use hcl_edit::template::{Directive, Element as HclElement, Strip, Template as HclTemplate};

use crate::parse::tree::{ParseProblem, ProblemKind};
use crate::source::embedded::{OffsetMap, whole_span};
use crate::source::{Comment, Span};

/// A file's body, or a block's.
#[derive(Clone, Debug, PartialEq)]
pub struct Body {
    pub items: Vec<BodyItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum BodyItem {
    Attribute(Attribute),
    Block(Block),
}

/// `key = value`.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub key: String,
    pub key_span: Span,
    pub value: Expr,
    /// From the key to the end of the value.
    pub span: Span,
}

/// `ident "label" ... { body }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub ident: String,
    pub ident_span: Span,
    /// Each label's text (unquoted) and span (quotes included).
    pub labels: Vec<(String, Span)>,
    pub body: Body,
    pub span: Span,
}

impl Body {
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.items.iter().filter_map(|item| match item {
            BodyItem::Attribute(a) => Some(a),
            BodyItem::Block(_) => None,
        })
    }

    pub fn blocks(&self) -> impl Iterator<Item = &Block> {
        self.items.iter().filter_map(|item| match item {
            BodyItem::Block(b) => Some(b),
            BodyItem::Attribute(_) => None,
        })
    }

    /// The attribute named `key` (Terraform rejects a name set twice; the first is taken).
    pub fn attribute(&self, key: &str) -> Option<&Attribute> {
        self.attributes().find(|a| a.key == key)
    }

    /// The nested blocks of type `ident`, in order.
    pub fn blocks_of<'a>(&'a self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks().filter(move |b| b.ident == ident)
    }
}

impl Block {
    /// The text of label `index`.
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(|(text, _)| text.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    /// A number literal. Terraform's numbers are arbitrary-precision; every number an IAM policy
    /// or a manifest holds (an account id has 12 digits) is exact in an `f64`. A literal too large
    /// for one is infinite.
    Number(f64),
    /// A quoted string without interpolations or directives, escapes decoded.
    String(String),
    /// A quoted string with interpolations or directives, or a heredoc.
    Template(Template),
    Array(Vec<Expr>),
    Object(Vec<ObjectItem>),
    /// A bare name: `var`, `local`, a for-expression variable...
    Variable(String),
    Traversal {
        root: Box<Expr>,
        operators: Vec<(TraversalOp, Span)>,
    },
    Call(Call),
    Conditional {
        condition: Box<Expr>,
        then: Box<Expr>,
        otherwise: Box<Expr>,
    },
    Unary {
        operator: UnaryOp,
        operand: Box<Expr>,
    },
    Binary {
        operator: BinaryOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    For(Box<ForExpr>),
    Parenthesis(Box<Expr>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ObjectItem {
    pub key: ObjectKey,
    pub value: Expr,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier, which Terraform takes as the literal key `name` (never a variable).
    Identifier(String, Span),
    /// Any other expression: a quoted string, a template, `(var.key)`.
    Expr(Expr),
}

impl ObjectKey {
    pub fn span(&self) -> Span {
        match self {
            ObjectKey::Identifier(_, span) => *span,
            ObjectKey::Expr(e) => e.span,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum TraversalOp {
    /// `.name`
    GetAttr(String),
    /// `[expr]`
    Index(Expr),
    /// `.0`, the legacy index.
    LegacyIndex(u64),
    /// `.*`: applies the attribute accesses after it to each element.
    AttrSplat,
    /// `[*]`: applies every operator after it to each element.
    FullSplat,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    /// The name, with its provider namespace if any (`provider::aws::arn_parse`).
    pub name: String,
    pub args: Vec<Expr>,
    /// The final argument is written `args...` and expands into the arguments.
    pub expand_final: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    LessEq,
    GreaterEq,
    Less,
    Greater,
    Plus,
    Minus,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

/// `[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`.
#[derive(Clone, Debug, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    /// Present for an object result.
    pub key: Option<Expr>,
    pub value: Expr,
    /// `...` after the value: values of equal keys are grouped into lists.
    pub grouping: bool,
    pub condition: Option<Expr>,
}

/// Where a template's literal text was written, which decides how its source maps to its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TemplateForm {
    /// A quoted string: backslash escapes and `$${`/`%%{`.
    Quoted,
    /// A heredoc: no backslash escapes; `<<-` removes indentation.
    Heredoc,
    /// A template file read by `templatefile`: only `$${`/`%%{`.
    File,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    pub form: TemplateForm,
    pub elements: Vec<Element>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Element {
    Literal(Literal),
    Interpolation(Expr),
    If {
        condition: Expr,
        then: Vec<Element>,
        otherwise: Vec<Element>,
        span: Span,
    },
    For {
        key_var: Option<String>,
        value_var: String,
        collection: Expr,
        body: Vec<Element>,
        span: Span,
    },
}

/// Literal text of a template, as rendered (escapes decoded, strip markers and heredoc
/// indentation applied), and the span of the source it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Literal {
    pub text: String,
    pub span: Span,
}

/// Parse a `.tf` or `.tfvars` file. Never panics; a syntax error is one problem at its position.
pub fn parse_body(text: &str) -> Result<Body, ParseProblem> {
    let body = hcl_edit::parser::parse_body(text).map_err(|e| problem(text, &e))?;
    Ok(convert_body(&body))
}

/// Parse a template file's text (what `templatefile` reads).
pub fn parse_template(text: &str) -> Result<Template, ParseProblem> {
    let template = hcl_edit::parser::parse_template(text).map_err(|e| problem(text, &e))?;
    Ok(convert_template(&template, TemplateForm::File))
}

fn problem(text: &str, error: &hcl_edit::parser::Error) -> ParseProblem {
    let mut at = error.location().offset().min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    ParseProblem {
        kind: ProblemKind::Syntax,
        span: Span::new(at, at),
        message: format!("HCL syntax error: {}", error.message()),
    }
}

fn span_of(item: &impl hcl_edit::Span) -> Span {
    item.span()
        .map(|r| Span::new(r.start, r.end))
        .unwrap_or_default()
}

fn convert_body(body: &hcl_edit::structure::Body) -> Body {
    let items = body
        .iter()
        .map(|structure| match structure {
            Structure::Attribute(a) => {
                let value = convert_expr(&a.value);
                let key_span = span_of(&a.key);
                BodyItem::Attribute(Attribute {
                    key: a.key.as_str().to_string(),
                    key_span,
                    span: key_span.to(value.span),
                    value,
                })
            }
            Structure::Block(b) => BodyItem::Block(Block {
                ident: b.ident.as_str().to_string(),
                ident_span: span_of(&b.ident),
                labels: b
                    .labels
                    .iter()
                    .map(|label| {
                        let text = match label {
                            BlockLabel::Ident(i) => i.as_str().to_string(),
                            BlockLabel::String(s) => s.as_str().to_string(),
                        };
                        (text, span_of(label))
                    })
                    .collect(),
                body: convert_body(&b.body),
                span: span_of(b),
            }),
        })
        .collect();
    Body { items }
}

fn convert_expr(expr: &Expression) -> Expr {
    let span = span_of(expr);
    let boxed = |e: &Expression| Box::new(convert_expr(e));
    let kind = match expr {
        Expression::Null(_) => ExprKind::Null,
        Expression::Bool(b) => ExprKind::Bool(**b),
        Expression::Number(n) => {
            ExprKind::Number(n.as_f64().unwrap_or_else(|| number_text(n.to_string())))
        }
        Expression::String(s) => ExprKind::String(s.as_str().to_string()),
        Expression::Array(a) => ExprKind::Array(a.iter().map(convert_expr).collect()),
        Expression::Object(o) => ExprKind::Object(
            o.iter()
                .map(|(key, value)| ObjectItem {
                    key: match key {
                        HclObjectKey::Ident(i) => {
                            ObjectKey::Identifier(i.as_str().to_string(), span_of(i))
                        }
                        HclObjectKey::Expression(e) => ObjectKey::Expr(convert_expr(e)),
                    },
                    value: convert_expr(value.expr()),
                })
                .collect(),
        ),
        Expression::StringTemplate(t) => {
            ExprKind::Template(convert_template(t, TemplateForm::Quoted))
        }
        Expression::HeredocTemplate(h) => {
            ExprKind::Template(convert_template(&h.template, TemplateForm::Heredoc))
        }
        Expression::Parenthesis(p) => ExprKind::Parenthesis(boxed(p.inner())),
        Expression::Variable(v) => ExprKind::Variable(v.as_str().to_string()),
        Expression::Conditional(c) => ExprKind::Conditional {
            condition: boxed(&c.cond_expr),
            then: boxed(&c.true_expr),
            otherwise: boxed(&c.false_expr),
        },
        Expression::FuncCall(f) => {
            let mut name = String::new();
            for ns in &f.name.namespace {
                name.push_str(ns.as_str());
                name.push_str("::");
            }
            name.push_str(f.name.name.as_str());
            ExprKind::Call(Call {
                name,
                args: f.args.iter().map(convert_expr).collect(),
                expand_final: f.args.expand_final(),
            })
        }
        Expression::Traversal(t) => ExprKind::Traversal {
            root: boxed(&t.expr),
            operators: t
                .operators
                .iter()
                .map(|op| {
                    let converted = match &**op {
                        TraversalOperator::AttrSplat(_) => TraversalOp::AttrSplat,
                        TraversalOperator::FullSplat(_) => TraversalOp::FullSplat,
                        TraversalOperator::GetAttr(i) => TraversalOp::GetAttr(i.as_str().into()),
                        TraversalOperator::Index(e) => TraversalOp::Index(convert_expr(e)),
                        TraversalOperator::LegacyIndex(i) => TraversalOp::LegacyIndex(**i),
                    };
                    (converted, span_of(op))
                })
                .collect(),
        },
        Expression::UnaryOp(u) => ExprKind::Unary {
            operator: match *u.operator {
                HclUnary::Neg => UnaryOp::Neg,
                HclUnary::Not => UnaryOp::Not,
            },
            operand: boxed(&u.expr),
        },
        Expression::BinaryOp(b) => ExprKind::Binary {
            operator: match *b.operator {
                HclBinary::Eq => BinaryOp::Eq,
                HclBinary::NotEq => BinaryOp::NotEq,
                HclBinary::LessEq => BinaryOp::LessEq,
                HclBinary::GreaterEq => BinaryOp::GreaterEq,
                HclBinary::Less => BinaryOp::Less,
                HclBinary::Greater => BinaryOp::Greater,
                HclBinary::Plus => BinaryOp::Plus,
                HclBinary::Minus => BinaryOp::Minus,
                HclBinary::Mul => BinaryOp::Mul,
                HclBinary::Div => BinaryOp::Div,
                HclBinary::Mod => BinaryOp::Mod,
                HclBinary::And => BinaryOp::And,
                HclBinary::Or => BinaryOp::Or,
            },
            lhs: boxed(&b.lhs_expr),
            rhs: boxed(&b.rhs_expr),
        },
        Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
            key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_string()),
            value_var: f.intro.value_var.as_str().to_string(),
            collection: convert_expr(&f.intro.collection_expr),
            key: f.key_expr.as_ref().map(convert_expr),
            value: convert_expr(&f.value_expr),
            grouping: f.grouping,
            condition: f.cond.as_ref().map(|c| convert_expr(&c.expr)),
        })),
    };
    Expr { kind, span }
}

/// A number hcl-edit could not hold as an `f64` (it keeps integers as `i64`/`u64`): read from
/// its text, so a huge literal is infinite rather than an error.
fn number_text(text: String) -> f64 {
    text.trim().parse().unwrap_or(f64::NAN)
}

/// A template flattened into a token stream, so the strip markers of a directive, which reach
/// into the literals of the neighbouring nesting level, can be applied before the nesting is
/// rebuilt.
enum Token {
    Literal(Literal),
    Interpolation(Expr, Strip),
    If(Expr, Strip, Span),
    Else(Strip),
    EndIf(Strip),
    For(Option<String>, String, Expr, Strip, Span),
    EndFor(Strip),
}

impl Token {
    fn strip(&self) -> Strip {
        match self {
            Token::Literal(_) => Strip::None,
            Token::Interpolation(_, s)
            | Token::If(_, s, _)
            | Token::Else(s)
            | Token::EndIf(s)
            | Token::For(_, _, _, s, _)
            | Token::EndFor(s) => *s,
        }
    }
}

fn convert_template(template: &HclTemplate, form: TemplateForm) -> Template {
    let mut tokens = Vec::new();
    flatten(template, &mut tokens);
    for i in 0..tokens.len() {
        let strip = tokens[i].strip();
        if strip.strip_start()
            && i > 0
            && let Token::Literal(lit) = &mut tokens[i - 1]
        {
            trim_literal(lit, false);
        }
        if strip.strip_end()
            && let Some(Token::Literal(lit)) = tokens.get_mut(i + 1)
        {
            trim_literal(lit, true);
        }
    }
    Template {
        form,
        elements: nest(&mut tokens.into_iter().peekable()),
    }
}

fn flatten(template: &HclTemplate, out: &mut Vec<Token>) {
    for element in template.iter() {
        match element {
            HclElement::Literal(lit) => out.push(Token::Literal(Literal {
                text: lit.to_string(),
                span: span_of(lit),
            })),
            HclElement::Interpolation(i) => {
                out.push(Token::Interpolation(convert_expr(&i.expr), i.strip));
            }
            HclElement::Directive(d) => match &**d {
                Directive::If(d) => {
                    out.push(Token::If(
                        convert_expr(&d.if_expr.cond_expr),
                        d.if_expr.strip,
                        span_of(d),
                    ));
                    flatten(&d.if_expr.template, out);
                    if let Some(e) = &d.else_expr {
                        out.push(Token::Else(e.strip));
                        flatten(&e.template, out);
                    }
                    out.push(Token::EndIf(d.endif_expr.strip));
                }
                Directive::For(d) => {
                    out.push(Token::For(
                        d.for_expr.key_var.as_ref().map(|k| k.as_str().to_string()),
                        d.for_expr.value_var.as_str().to_string(),
                        convert_expr(&d.for_expr.collection_expr),
                        d.for_expr.strip,
                        span_of(d),
                    ));
                    flatten(&d.for_expr.template, out);
                    out.push(Token::EndFor(d.endfor_expr.strip));
                }
            },
        }
    }
}

/// Rebuild the nesting from tokens up to the end of the current level (an `else`, `endif` or
/// `endfor`, which the caller consumes, or the end).
fn nest(tokens: &mut std::iter::Peekable<impl Iterator<Item = Token>>) -> Vec<Element> {
    let mut out = Vec::new();
    while let Some(token) = tokens.peek() {
        if matches!(token, Token::Else(_) | Token::EndIf(_) | Token::EndFor(_)) {
            break;
        }
        match tokens.next() {
            Some(Token::Literal(lit)) => {
                if !lit.text.is_empty() {
                    out.push(Element::Literal(lit));
                }
            }
            Some(Token::Interpolation(e, _)) => out.push(Element::Interpolation(e)),
            Some(Token::If(condition, _, span)) => {
                let then = nest(tokens);
                let otherwise = if matches!(tokens.peek(), Some(Token::Else(_))) {
                    tokens.next();
                    nest(tokens)
                } else {
                    Vec::new()
                };
                tokens.next_if(|t| matches!(t, Token::EndIf(_)));
                out.push(Element::If {
                    condition,
                    then,
                    otherwise,
                    span,
                });
            }
            Some(Token::For(key_var, value_var, collection, _, span)) => {
                let body = nest(tokens);
                tokens.next_if(|t| matches!(t, Token::EndFor(_)));
                out.push(Element::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    span,
                });
            }
            _ => break,
        }
    }
    out
}

/// Trim a literal's white space at its start (`start`) or end, as a strip marker next to it
/// does, and its span with it where the source holds the same white space.
fn trim_literal(lit: &mut Literal, start: bool) {
    let trimmed = if start {
        lit.text.trim_start()
    } else {
        lit.text.trim_end()
    };
    let removed = lit.text.len() - trimmed.len();
    if removed == 0 {
        return;
    }
    let trimmed = trimmed.to_string();
    // The span shrinks only when it still covers exactly the text; an escaped `\n` in the trimmed
    // white space keeps the span whole.
    if lit.span.range().len() == lit.text.len() {
        lit.span = if start {
            Span::new(lit.span.start as usize + removed, lit.span.end as usize)
        } else {
            Span::new(lit.span.start as usize, lit.span.end as usize - removed)
        };
    }
    lit.text = trimmed;
}

/// For each byte of `literal`'s text, the offset in `source` (the text it was parsed from) of the
/// source byte it was rendered from, plus one entry for its end, as [`crate::source::embedded`]
/// records decoded text. Escapes, `$${`, heredoc indentation and stripped white space are
/// accounted for; where the text cannot be aligned with its source every byte maps to the
/// literal's whole span.
pub fn literal_offsets(source: &str, literal: &Literal, form: TemplateForm) -> OffsetMap {
    align(source, literal, form).unwrap_or_else(|| whole_span(&literal.text, literal.span).1)
}

fn align(source: &str, literal: &Literal, form: TemplateForm) -> Option<OffsetMap> {
    let raw = source.get(literal.span.range())?;
    let base = literal.span.start as usize;
    let text = literal.text.as_str();
    let mut map = Vec::with_capacity(text.len() + 1);
    let (mut i, mut j) = (0, 0);
    while j < text.len() {
        let want = text[j..].chars().next()?;
        let rest = raw.get(i..)?;
        if (rest.starts_with("$${") && text[j..].starts_with("${"))
            || (rest.starts_with("%%{") && text[j..].starts_with("%{"))
        {
            map.extend([(base + i) as u32, (base + i + 1) as u32]);
            i += 3;
            j += 2;
            continue;
        }
        let got = rest.chars().next()?;
        let (decoded, len) = if form == TemplateForm::Quoted && got == '\\' {
            decode_escape(rest)?
        } else {
            (got, got.len_utf8())
        };
        if decoded == want {
            map.extend(std::iter::repeat_n((base + i) as u32, want.len_utf8()));
            i += len;
            j += want.len_utf8();
        } else if decoded.is_whitespace() {
            // Indentation a `<<-` heredoc lost, or white space a strip marker removed.
            i += len;
        } else {
            return None;
        }
    }
    map.push((base + i) as u32);
    Some(map)
}

/// The character a backslash escape at the start of `raw` stands for, and its length.
fn decode_escape(raw: &str) -> Option<(char, usize)> {
    let c = raw[1..].chars().next()?;
    let hex = |n: usize| {
        let code = u32::from_str_radix(raw.get(2..2 + n)?, 16).ok()?;
        Some((char::from_u32(code)?, 2 + n))
    };
    match c {
        'n' => Some(('\n', 2)),
        'r' => Some(('\r', 2)),
        't' => Some(('\t', 2)),
        '\\' => Some(('\\', 2)),
        '"' => Some(('"', 2)),
        // JSON's own escapes, for a template in a `.tf.json` string (HCL rejects them).
        '/' => Some(('/', 2)),
        'b' => Some(('\u{8}', 2)),
        'f' => Some(('\u{c}', 2)),
        'u' => hex(4),
        'U' => hex(8),
        _ => None,
    }
}

/// The comments of an HCL file (`#` and `//` to the end of the line, `/* ... */`), skipping
/// comment markers inside quoted strings and heredocs.
///
/// A `/* */` comment gives one [`Comment`] per line it spans, each from the comment's text on that
/// line to its end or to the `*/` (which is left out), so a suppression written in one reads like
/// one written after `#`. `trailing` is true when code shares the comment's line (before it, or
/// after a closing `*/`).
pub fn comments(text: &str) -> Vec<Comment> {
    Scanner::new(text).run()
}

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    out: Vec<Comment>,
    /// Line number and start offset of the current line.
    line: u32,
    line_start: usize,
}

/// What the scanner is inside of, innermost last: a quoted string, or a `${ }` / `%{ }` of one,
/// with its open braces.
enum Context {
    Quoted,
    Interpolation(usize),
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            bytes: text.as_bytes(),
            out: Vec::new(),
            line: 0,
            line_start: 0,
        }
    }

    fn run(mut self) -> Vec<Comment> {
        let mut stack: Vec<Context> = Vec::new();
        let mut i = 0;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if b == b'\n' {
                self.newline(i);
                i += 1;
                continue;
            }
            match stack.last_mut() {
                Some(Context::Quoted) => {
                    match (b, self.bytes.get(i + 1)) {
                        (b'\\', _) => i += 1,
                        (b'$' | b'%', Some(b'$' | b'%'))
                            if self.bytes.get(i + 2) == Some(&b'{') =>
                        {
                            i += 2;
                        }
                        (b'$' | b'%', Some(b'{')) => {
                            stack.push(Context::Interpolation(0));
                            i += 1;
                        }
                        (b'"', _) => {
                            stack.pop();
                        }
                        _ => {}
                    }
                    i += 1;
                    continue;
                }
                Some(Context::Interpolation(depth)) => match b {
                    b'{' => {
                        *depth += 1;
                        i += 1;
                        continue;
                    }
                    b'}' if *depth == 0 => {
                        stack.pop();
                        i += 1;
                        continue;
                    }
                    b'}' => {
                        *depth -= 1;
                        i += 1;
                        continue;
                    }
                    _ => {}
                },
                None => {}
            }
            // Code.
            match (b, self.bytes.get(i + 1)) {
                (b'"', _) => {
                    stack.push(Context::Quoted);
                    i += 1;
                }
                (b'#', _) | (b'/', Some(b'/')) => {
                    let marker_len = if b == b'#' { 1 } else { 2 };
                    let end = self.text[i..].find('\n').map_or(self.text.len(), |n| i + n);
                    self.push(i, end, marker_len, None);
                    i = end;
                }
                (b'/', Some(b'*')) => i = self.block_comment(i),
                (b'<', Some(b'<')) => i = self.heredoc(i),
                _ => i += 1,
            }
        }
        self.out
    }

    fn newline(&mut self, at: usize) {
        self.line += 1;
        self.line_start = at + 1;
    }

    /// Record a comment from `start` to `end` on the current line; `code_after` is where code
    /// resumes on the line after a closing `*/`.
    fn push(&mut self, start: usize, end: usize, marker_len: usize, code_after: Option<usize>) {
        // A continuation line of a block comment starts at its text, not its indentation.
        let start = if marker_len == 0 {
            end.min(
                start + (self.text[start..end].len() - self.text[start..end].trim_start().len()),
            )
        } else {
            start
        };
        let content = self.text[start..end].trim_end_matches([' ', '\t', '\r']);
        let line_end = self.text[self.line_start..]
            .find('\n')
            .map_or(self.text.len(), |n| self.line_start + n);
        let before = &self.text[self.line_start..start];
        let after = code_after.map_or("", |at| &self.text[at.min(line_end)..line_end]);
        self.out.push(Comment {
            span: Span::new(start, start + content.len()),
            marker_len,
            line: self.line,
            trailing: !before.trim().is_empty() || !after.trim().is_empty(),
        });
    }

    /// A `/* */` comment starting at `start`; returns the offset after it.
    fn block_comment(&mut self, start: usize) -> usize {
        let close = self.text[start + 2..].find("*/").map(|n| start + 2 + n);
        let end = close.unwrap_or(self.text.len());
        let mut segment_start = start;
        let mut marker_len = 2;
        loop {
            let line_end = self.text[segment_start..end]
                .find('\n')
                .map(|n| segment_start + n);
            match line_end {
                Some(nl) => {
                    self.push(segment_start, nl, marker_len, None);
                    self.newline(nl);
                    segment_start = nl + 1;
                    marker_len = 0;
                }
                None => {
                    let after = close.map(|c| c + 2);
                    self.push(segment_start, end, marker_len, after);
                    return after.unwrap_or(end);
                }
            }
        }
    }

    /// A heredoc whose `<<` is at `start`: the offset of the line after its closing delimiter (or
    /// just past `<<` when it is not a heredoc opener).
    fn heredoc(&mut self, start: usize) -> usize {
        let mut i = start + 2;
        if self.bytes.get(i) == Some(&b'-') {
            i += 1;
        }
        let name_len = self.text[i..]
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(self.text.len() - i);
        let name = &self.text[i..i + name_len];
        let after_name = &self.text[i + name_len..];
        let line_rest = after_name.split('\n').next().unwrap_or("");
        if name.is_empty() || !line_rest.trim().is_empty() || !after_name.contains('\n') {
            return start + 2;
        }
        let mut at = i + name_len + line_rest.len();
        // `at` is on the opener's line feed; every line after it up to the delimiter is content.
        while at < self.text.len() {
            self.newline(at);
            let line_end = self.text[at + 1..]
                .find('\n')
                .map_or(self.text.len(), |n| at + 1 + n);
            let line = self.text[at + 1..line_end].trim_end_matches('\r');
            at = line_end;
            if line.trim() == name {
                return line_end;
            }
        }
        self.text.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        parse_body(text).unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn value(text: &str) -> Expr {
        let b = body(&format!("x = {text}\n"));
        b.attribute("x").unwrap().value.clone()
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn blocks_attributes_labels_and_spans() {
        let text = r#"resource "aws_iam_role" "irsa" {
  name = "irsa-${var.env}"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
"#;
        let b = body(text);
        let block = b.blocks().next().unwrap();
        assert_eq!(block.ident, "resource");
        assert_eq!(slice(text, block.ident_span), "resource");
        assert_eq!(block.label(0), Some("aws_iam_role"));
        assert_eq!(block.label(1), Some("irsa"));
        assert_eq!(slice(text, block.labels[1].1), "\"irsa\"");
        assert!(slice(text, block.span).starts_with("resource"));
        assert!(slice(text, block.span).ends_with('}'));
        let name = block.body.attribute("name").unwrap();
        assert_eq!(slice(text, name.key_span), "name");
        assert_eq!(slice(text, name.value.span), "\"irsa-${var.env}\"");
        assert_eq!(slice(text, name.span), "name = \"irsa-${var.env}\"");
        let ExprKind::Template(t) = &name.value.kind else {
            panic!("{:?}", name.value)
        };
        assert_eq!(t.form, TemplateForm::Quoted);
        let Element::Literal(lit) = &t.elements[0] else {
            panic!()
        };
        assert_eq!(
            (lit.text.as_str(), slice(text, lit.span)),
            ("irsa-", "irsa-")
        );
        let Element::Interpolation(e) = &t.elements[1] else {
            panic!()
        };
        assert_eq!(slice(text, e.span), "var.env");
        let policy = &block.body.attribute("assume_role_policy").unwrap().value;
        let ExprKind::Traversal { root, operators } = &policy.kind else {
            panic!()
        };
        assert_eq!(root.kind, ExprKind::Variable("data".into()));
        assert_eq!(operators.len(), 3);
        assert_eq!(operators[2].0, TraversalOp::GetAttr("json".into()));
    }

    #[test]
    fn expressions_of_every_kind() {
        assert_eq!(value("null").kind, ExprKind::Null);
        assert_eq!(value("true").kind, ExprKind::Bool(true));
        assert_eq!(value("123456789012").kind, ExprKind::Number(123456789012.0));
        assert_eq!(value("1.5").kind, ExprKind::Number(1.5));
        assert_eq!(value("\"a\\\"b\"").kind, ExprKind::String("a\"b".into()));
        // An escaped interpolation is literal text.
        assert_eq!(
            value("\"$${aws:username}\"").kind,
            ExprKind::String("${aws:username}".into())
        );
        let ExprKind::Call(call) = value("provider::aws::arn_parse(x...)").kind else {
            panic!()
        };
        assert_eq!(call.name, "provider::aws::arn_parse");
        assert!(call.expand_final);
        let ExprKind::Object(items) = value("{ a = 1, \"b\" = 2, (var.k) = 3 }").kind else {
            panic!()
        };
        assert!(matches!(&items[0].key, ObjectKey::Identifier(k, _) if k == "a"));
        assert!(
            matches!(&items[1].key, ObjectKey::Expr(Expr { kind: ExprKind::String(k), .. }) if k == "b")
        );
        assert!(matches!(
            &items[2].key,
            ObjectKey::Expr(Expr {
                kind: ExprKind::Parenthesis(_),
                ..
            })
        ));
        let ExprKind::For(f) = value("{ for k, v in var.m : k => v... if v != null }").kind else {
            panic!()
        };
        assert_eq!(f.key_var.as_deref(), Some("k"));
        assert!(f.grouping && f.key.is_some() && f.condition.is_some());
        assert!(matches!(
            value("a ? b : c").kind,
            ExprKind::Conditional { .. }
        ));
        assert!(matches!(
            value("!a").kind,
            ExprKind::Unary {
                operator: UnaryOp::Not,
                ..
            }
        ));
        assert!(matches!(
            value("1 + 2 * 3").kind,
            ExprKind::Binary {
                operator: BinaryOp::Plus,
                ..
            }
        ));
        let ExprKind::Traversal { operators, .. } = value("a[*].b.*.c[0].0").kind else {
            panic!()
        };
        let ops: Vec<_> = operators.into_iter().map(|(o, _)| o).collect();
        assert!(matches!(ops[0], TraversalOp::FullSplat));
        assert!(matches!(ops[2], TraversalOp::AttrSplat));
        assert!(matches!(ops[4], TraversalOp::Index(_)));
        assert!(matches!(ops[5], TraversalOp::LegacyIndex(0)));
    }

    fn template(text: &str) -> (String, Template) {
        let src = format!("x = {text}\n");
        let e = value(text);
        let ExprKind::Template(t) = e.kind else {
            panic!("{e:?}")
        };
        (src, t)
    }

    fn literals(t: &[Element]) -> Vec<String> {
        t.iter()
            .filter_map(|e| match e {
                Element::Literal(l) => Some(l.text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn strip_markers_and_directives() {
        let (_, t) = template("\"a ${~ x ~} b %{ if c ~}  yes  %{~ else ~} no %{~ endif } z\"");
        assert_eq!(literals(&t.elements), ["a", "b ", " z"]);
        let Element::If {
            then, otherwise, ..
        } = &t.elements[3]
        else {
            panic!("{:?}", t.elements)
        };
        assert_eq!(literals(then), ["yes"]);
        assert_eq!(literals(otherwise), ["no"]);
        let (_, t) = template("\"%{ for s in subjects }${s},%{ endfor }\"");
        let Element::For {
            value_var, body, ..
        } = &t.elements[0]
        else {
            panic!()
        };
        assert_eq!(value_var, "s");
        assert_eq!(body.len(), 2);
    }

    #[test]
    fn heredocs_are_dedented_and_map_back() {
        let text = "x = <<-EOT\n    {\n      \"Version\": \"2012-10-17\"\n    }\n  EOT\n";
        let b = body(text);
        let e = &b.attribute("x").unwrap().value;
        let ExprKind::Template(t) = &e.kind else {
            panic!()
        };
        assert_eq!(t.form, TemplateForm::Heredoc);
        let Element::Literal(lit) = &t.elements[0] else {
            panic!()
        };
        assert_eq!(lit.text, "{\n  \"Version\": \"2012-10-17\"\n}\n");
        let map = literal_offsets(text, lit, t.form);
        assert_eq!(map.len(), lit.text.len() + 1);
        let at = lit.text.find("2012").unwrap();
        assert_eq!(&text[map[at] as usize..map[at] as usize + 4], "2012");
        assert_eq!(&text[map[0] as usize..map[0] as usize + 1], "{");
    }

    #[test]
    fn quoted_literals_map_through_escapes() {
        let (src, t) = template("\"a\\\"b\\u00e9 $${x} ${y}\"");
        let Element::Literal(lit) = &t.elements[0] else {
            panic!()
        };
        assert_eq!(lit.text, "a\"bé ${x} ");
        let map = literal_offsets(&src, lit, t.form);
        let x = lit.text.find('x').unwrap();
        assert_eq!(&src[map[x] as usize..map[x] as usize + 1], "x");
        let b = lit.text.find('b').unwrap();
        assert_eq!(&src[map[b] as usize..map[b] as usize + 1], "b");
        // Unalignable text falls back to the whole span.
        let odd = Literal {
            text: "zz".into(),
            span: lit.span,
        };
        assert_eq!(
            literal_offsets(&src, &odd, TemplateForm::Quoted),
            vec![lit.span.start, lit.span.start, lit.span.end]
        );
    }

    #[test]
    fn template_files() {
        let text = "{\"sub\": \"system:serviceaccount:${ns}:${sa}\"}\n%{ if x }y%{ endif }";
        let t = parse_template(text).unwrap();
        assert_eq!(t.form, TemplateForm::File);
        let Element::Literal(lit) = &t.elements[0] else {
            panic!()
        };
        assert_eq!(slice(text, lit.span), "{\"sub\": \"system:serviceaccount:");
        assert!(matches!(t.elements.last(), Some(Element::If { .. })));
    }

    #[test]
    fn syntax_errors_point_at_their_place() {
        let text = "a = 1\nb = [1,\n";
        let p = parse_body(text).unwrap_err();
        assert_eq!(p.kind, ProblemKind::Syntax);
        assert!(p.span.start as usize <= text.len());
        assert!(p.message.starts_with("HCL syntax error"));
        let p = parse_body("a = \"é").unwrap_err();
        assert!("a = \"é".is_char_boundary(p.span.start as usize));
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep_array = format!("x = {}{}", "[".repeat(10_000), "]".repeat(10_000));
        let deep_paren = format!("x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let deep_interp = format!("x = {}", "\"${".repeat(2_000));
        let ops = format!("x = {}", vec!["1"; 50_000].join(" + "));
        let blocks = format!("{}{}", "a {\n".repeat(5_000), "}\n".repeat(5_000));
        let inputs = [
            deep_array.as_str(),
            deep_paren.as_str(),
            deep_interp.as_str(),
            ops.as_str(),
            blocks.as_str(),
            "x = <<EOT\nno end",
            "x = <<-EOT",
            "x = 1e99999999",
            "x = 99999999999999999999999999999999999999",
            "x = \"\\u{zz}\"",
            "x = \"\\ud800\"",
            "x = \"%{ if }\"",
            "x = \"%{ endif }\"",
            "x = {for}",
            "\u{feff}x = 1",
            "x = \"\r\n",
            "",
            "}}}}",
            "/* unterminated",
        ];
        for input in inputs {
            let result = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn({
                    let input = input.to_string();
                    move || {
                        let _ = parse_body(&input);
                        let _ = parse_template(&input);
                        comments(&input)
                    }
                })
                .unwrap()
                .join();
            assert!(
                result.is_ok(),
                "panicked on {:?}",
                &input[..input.len().min(40)]
            );
        }
        assert!(matches!(
            value("99999999999999999999999999999999999999").kind,
            ExprKind::Number(n) if n > 9e37
        ));
    }

    #[test]
    fn comments_outside_strings_and_heredocs() {
        let text = r#"# irsa-lint: ignore IRSA104
locals {
  a = "not # a comment // nor this" # trailing
  b = "${ "}" } # still a string" // after
  c = <<EOT
  # in a heredoc
EOT
  /* block
     two */ d = 1
}
"#;
        let found: Vec<(&str, usize, u32, bool)> = comments(text)
            .iter()
            .map(|c| (slice(text, c.span), c.marker_len, c.line, c.trailing))
            .collect();
        assert_eq!(
            found,
            [
                ("# irsa-lint: ignore IRSA104", 1, 0, false),
                ("# trailing", 1, 2, true),
                ("// after", 2, 3, true),
                ("/* block", 2, 7, false),
                ("two", 0, 8, true),
            ]
        );
    }

    fn check_spans(text: &str, body: &Body) {
        let ok = |span: Span| {
            span.start <= span.end
                && text.is_char_boundary(span.start as usize)
                && text.is_char_boundary(span.end as usize)
        };
        for item in &body.items {
            match item {
                BodyItem::Attribute(a) => assert!(ok(a.span) && ok(a.value.span)),
                BodyItem::Block(b) => {
                    assert!(ok(b.span));
                    check_spans(text, &b.body);
                }
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn hcl_like_text_never_panics(
            text in "[a-c =\\[\\]{}()\"$%~#/*<>\\-:.,?!\\\\\n\t éEOT0-9]{0,80}"
        ) {
            if let Ok(body) = parse_body(&text) {
                check_spans(&text, &body);
            }
            let _ = parse_template(&text);
            for c in comments(&text) {
                proptest::prop_assert!(text.get(c.span.range()).is_some());
            }
        }
    }
}

//! Terraform's pure functions, as far as a trust policy or a manifest needs them. Any other
//! function is unknown, as is a function whose result depends on an unknown argument; a function
//! that can carry unknown parts through (`jsonencode`, `format`, `join`, `concat`, `merge`...)
//! does.

use super::eval::{
    Ctx, Env, Eval, EvalError, MAX_DEPTH, MAX_ELEMENTS, MAX_STRING, equal, insert, template_file,
};
use super::value::{Origin, StrPart, TfValue, ValueKind, json_string, number_text};
use crate::parse::hcl::{Call, TemplateForm};
use crate::parse::tree::{Limits, Node, NodeKind, ScalarType};
use crate::parse::{self, FileKind};
use crate::source::Span;

/// Why a function gives no value: an argument is unknown (the call is unknown), or Terraform
/// would fail.
enum Stop {
    Unknown,
    Error(EvalError),
}

impl From<EvalError> for Stop {
    fn from(e: EvalError) -> Stop {
        Stop::Error(e)
    }
}

type Out = Result<TfValue, Stop>;

/// Evaluate a function call.
pub(super) fn call(ctx: &Ctx<'_, '_>, call: &Call, span: Span, env: &Env) -> Eval {
    match call.name.as_str() {
        "try" => return try_(ctx, call, span, env),
        "can" => {
            let [arg] = call.args.as_slice() else {
                return Err(ctx.error(span, "can takes one argument"));
            };
            return Ok(match ctx.eval(arg, env) {
                Ok(v) if v.is_unknown() => ctx.unknown(span),
                Ok(_) => TfValue::new(ValueKind::Bool(true), ctx.origin(span)),
                Err(_) => TfValue::new(ValueKind::Bool(false), ctx.origin(span)),
            });
        }
        name if !SUPPORTED.contains(&name) => return Ok(ctx.unknown(span)),
        _ => {}
    }
    let mut values = Vec::with_capacity(call.args.len());
    for arg in &call.args {
        values.push(ctx.eval(arg, env)?);
    }
    if call.expand_final {
        let Some(last) = values.pop() else {
            return Err(ctx.error(span, "nothing to expand"));
        };
        match last.kind {
            ValueKind::List(items) => values.extend(items),
            ValueKind::Unknown(_) => return Ok(ctx.unknown(span)),
            _ => return Err(ctx.error(span, "only a list can be expanded with `...`")),
        }
    }
    let args = Args { ctx, span, values };
    match args.run(call.name.as_str()) {
        Ok(v) => Ok(v),
        Err(Stop::Unknown) => Ok(ctx.unknown(span)),
        Err(Stop::Error(e)) => Err(e),
    }
}

const SUPPORTED: &[&str] = &[
    "jsonencode",
    "jsondecode",
    "replace",
    "trimprefix",
    "trimsuffix",
    "trimspace",
    "format",
    "join",
    "split",
    "concat",
    "compact",
    "distinct",
    "flatten",
    "merge",
    "lookup",
    "coalesce",
    "element",
    "tolist",
    "toset",
    "tomap",
    "tostring",
    "length",
    "lower",
    "upper",
    "substr",
    "endswith",
    "startswith",
    "contains",
    "keys",
    "values",
    "zipmap",
    "templatefile",
    "file",
    "one",
    "reverse",
];

/// `try(a, b, ...)`: the first argument that evaluates without an error. An unknown argument
/// makes the result unknown: whether it would fail is not known.
fn try_(ctx: &Ctx<'_, '_>, call: &Call, span: Span, env: &Env) -> Eval {
    for arg in &call.args {
        match ctx.eval(arg, env) {
            Ok(v) if v.is_unknown() => return Ok(ctx.unknown(span)),
            Ok(v) => return Ok(v),
            Err(_) => continue,
        }
    }
    Err(ctx.error(span, "no argument of try() evaluated without an error"))
}

struct Args<'c, 'a, 'l> {
    ctx: &'c Ctx<'a, 'l>,
    span: Span,
    values: Vec<TfValue>,
}

impl Args<'_, '_, '_> {
    fn origin(&self) -> Origin {
        self.ctx.origin(self.span)
    }

    fn error(&self, message: impl Into<String>) -> Stop {
        Stop::Error(self.ctx.error(self.span, message))
    }

    fn done(&self, kind: ValueKind) -> Out {
        Ok(TfValue::new(kind, self.origin()))
    }

    fn text(&self, text: String) -> Out {
        if text.len() > MAX_STRING {
            return Err(self.error("string too long"));
        }
        Ok(TfValue::string(text, self.origin()))
    }

    fn count(&self, min: usize, max: usize) -> Result<(), Stop> {
        let n = self.values.len();
        if n < min || n > max {
            return Err(self.error(format!("wrong number of arguments ({n})")));
        }
        Ok(())
    }

    /// Argument `i` as a known string (a number or bool converted, as Terraform does).
    fn string(&self, i: usize) -> Result<String, Stop> {
        let v = &self.values[i];
        if let Some(s) = v.to_known_string() {
            return Ok(s.into_owned());
        }
        match &v.kind {
            ValueKind::String(_) | ValueKind::Unknown(_) | ValueKind::Json(_) => Err(Stop::Unknown),
            _ => Err(self.error(format!("argument {} must be a string", i + 1))),
        }
    }

    fn number(&self, i: usize) -> Result<f64, Stop> {
        let v = &self.values[i];
        if !v.is_known() {
            return Err(Stop::Unknown);
        }
        v.as_number()
            .ok_or_else(|| self.error(format!("argument {} must be a number", i + 1)))
    }

    /// Argument `i` as a list (its elements may be unknown).
    fn list(&self, i: usize) -> Result<&[TfValue], Stop> {
        list_of(&self.values[i]).map_err(|e| match e {
            Some(kind) => self.error(format!("argument {} must be a list, not {kind}", i + 1)),
            None => Stop::Unknown,
        })
    }

    /// Argument `i` as an object (its values may be unknown).
    fn object(&self, i: usize) -> Result<&[(TfValue, TfValue)], Stop> {
        match &self.values[i].kind {
            ValueKind::Object(entries) => Ok(entries),
            ValueKind::Unknown(_) => Err(Stop::Unknown),
            _ => Err(self.error(format!("argument {} must be a map or object", i + 1))),
        }
    }

    fn run(&self, name: &str) -> Out {
        match name {
            "jsonencode" => {
                self.count(1, 1)?;
                self.done(ValueKind::Json(Box::new(self.values[0].clone())))
            }
            "jsondecode" => {
                self.count(1, 1)?;
                let text = self.string(0)?;
                let parsed = parse::parse(&text, FileKind::Json, Limits::default());
                match parsed.documents.into_iter().next().and_then(|d| d.root) {
                    Some(root) if parsed.problem.is_none() => Ok(from_node(&root, &self.origin())),
                    _ => Err(self.error("jsondecode: not JSON")),
                }
            }
            "replace" => {
                self.count(3, 3)?;
                let (s, from, to) = (self.string(0)?, self.string(1)?, self.string(2)?);
                // A `/regex/` pattern needs a regular-expression engine this crate does not carry.
                if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
                    return Err(Stop::Unknown);
                }
                if from.is_empty() && s.len().saturating_mul(to.len() + 1) > MAX_STRING {
                    return Err(self.error("string too long"));
                }
                let count = if from.is_empty() {
                    s.chars().count() + 1
                } else {
                    s.matches(&from).count()
                };
                if s.len() + count.saturating_mul(to.len()) > MAX_STRING {
                    return Err(self.error("string too long"));
                }
                self.text(s.replace(&from, &to))
            }
            "trimprefix" => {
                self.count(2, 2)?;
                let (s, p) = (self.string(0)?, self.string(1)?);
                self.text(s.strip_prefix(p.as_str()).unwrap_or(&s).to_string())
            }
            "trimsuffix" => {
                self.count(2, 2)?;
                let (s, p) = (self.string(0)?, self.string(1)?);
                self.text(s.strip_suffix(p.as_str()).unwrap_or(&s).to_string())
            }
            "trimspace" => {
                self.count(1, 1)?;
                self.text(self.string(0)?.trim().to_string())
            }
            "lower" => {
                self.count(1, 1)?;
                self.text(self.string(0)?.to_lowercase())
            }
            "upper" => {
                self.count(1, 1)?;
                self.text(self.string(0)?.to_uppercase())
            }
            "tostring" => {
                self.count(1, 1)?;
                if self.values[0].is_null() {
                    return self.done(ValueKind::Null);
                }
                self.text(self.string(0)?)
            }
            "startswith" | "endswith" => {
                self.count(2, 2)?;
                let (s, affix) = (self.string(0)?, self.string(1)?);
                let yes = if name == "startswith" {
                    s.starts_with(&affix)
                } else {
                    s.ends_with(&affix)
                };
                self.done(ValueKind::Bool(yes))
            }
            "substr" => {
                self.count(3, 3)?;
                let s = self.string(0)?;
                let (offset, length) = (self.number(1)?, self.number(2)?);
                let chars: Vec<char> = s.chars().collect();
                let len = chars.len() as f64;
                let start = if offset < 0.0 { len + offset } else { offset };
                if start < 0.0 || start > len {
                    return Err(self.error("substr: offset out of range"));
                }
                let end = if length < 0.0 {
                    len
                } else {
                    (start + length).min(len)
                };
                self.text(chars[start as usize..end as usize].iter().collect())
            }
            "format" => self.format(),
            "join" => {
                if self.values.len() < 2 {
                    return Err(self.error("join takes a separator and lists"));
                }
                let sep = self.string(0)?;
                let mut parts = Vec::new();
                let mut first = true;
                for i in 1..self.values.len() {
                    for item in self.list(i)? {
                        if !first && !sep.is_empty() {
                            parts.push(self.literal(sep.clone()));
                        }
                        first = false;
                        parts.extend(self.ctx.string_parts(item.clone(), self.span)?);
                    }
                }
                self.parts(parts)
            }
            "split" => {
                self.count(2, 2)?;
                let (sep, s) = (self.string(0)?, self.string(1)?);
                let items: Vec<TfValue> = if sep.is_empty() {
                    s.chars()
                        .map(|c| TfValue::string(c.to_string(), self.origin()))
                        .collect()
                } else {
                    s.split(sep.as_str())
                        .map(|p| TfValue::string(p, self.origin()))
                        .collect()
                };
                self.list_value(items)
            }
            "concat" => {
                let mut items = Vec::new();
                for i in 0..self.values.len() {
                    items.extend_from_slice(self.list(i)?);
                    if items.len() > MAX_ELEMENTS {
                        return Err(self.error("too many elements"));
                    }
                }
                self.list_value(items)
            }
            "compact" => {
                self.count(1, 1)?;
                let mut items = Vec::new();
                for item in self.list(0)? {
                    if item.is_null() {
                        continue;
                    }
                    let Some(text) = item.to_known_string() else {
                        return Err(Stop::Unknown);
                    };
                    if !text.is_empty() {
                        items.push(item.clone());
                    }
                }
                self.list_value(items)
            }
            "distinct" | "toset" => {
                self.count(1, 1)?;
                let list = self.list(0)?;
                if list.iter().any(|i| !i.is_known()) {
                    return Err(Stop::Unknown);
                }
                let mut items: Vec<TfValue> = Vec::new();
                for item in list {
                    if !items.iter().any(|seen| equal(seen, item)) {
                        items.push(item.clone());
                    }
                }
                self.list_value(items)
            }
            "tolist" => {
                self.count(1, 1)?;
                self.list_value(self.list(0)?.to_vec())
            }
            "tomap" => {
                self.count(1, 1)?;
                self.done(ValueKind::Object(self.object(0)?.to_vec()))
            }
            "reverse" => {
                self.count(1, 1)?;
                self.list_value(self.list(0)?.iter().rev().cloned().collect())
            }
            "one" => {
                self.count(1, 1)?;
                match self.list(0)? {
                    [] => self.done(ValueKind::Null),
                    [item] => Ok(item.clone()),
                    _ => Err(self.error("one: more than one element")),
                }
            }
            "flatten" => {
                self.count(1, 1)?;
                let mut items = Vec::new();
                self.flatten(self.list(0)?, &mut items, 0)?;
                self.list_value(items)
            }
            "merge" => {
                let mut entries = Vec::new();
                for (i, v) in self.values.iter().enumerate() {
                    if v.is_null() {
                        continue;
                    }
                    for (k, val) in self.object(i)? {
                        insert(&mut entries, k.clone(), val.clone());
                    }
                    if entries.len() > MAX_ELEMENTS {
                        return Err(self.error("too many elements"));
                    }
                }
                self.done(ValueKind::Object(entries))
            }
            "lookup" => {
                self.count(2, 3)?;
                let entries = self.object(0)?;
                let key = self.string(1)?;
                if let Some(v) = self.values[0].get(&key) {
                    return Ok(v.clone());
                }
                if entries.iter().any(|(k, _)| k.as_str().is_none()) {
                    return Err(Stop::Unknown);
                }
                match self.values.get(2) {
                    Some(default) => Ok(default.clone()),
                    None => Err(self.error(format!("lookup: no key `{key}`"))),
                }
            }
            "coalesce" => {
                for v in &self.values {
                    if v.is_null() {
                        continue;
                    }
                    match v.to_known_string() {
                        Some(text) if text.is_empty() => continue,
                        Some(_) => return Ok(v.clone()),
                        // A string with unknown parts is not empty when a literal part is not.
                        None if nonempty_literal(v) => return Ok(v.clone()),
                        None if v.is_unknown() || matches!(v.kind, ValueKind::String(_)) => {
                            return Err(Stop::Unknown);
                        }
                        None => return Ok(v.clone()),
                    }
                }
                Err(self.error("coalesce: no non-null, non-empty argument"))
            }
            "element" => {
                self.count(2, 2)?;
                let list = self.list(0)?;
                let index = self.number(1)?;
                if list.is_empty() {
                    return Err(self.error("element: the list is empty"));
                }
                if index < 0.0 || index.fract() != 0.0 {
                    return Err(self.error("element: invalid index"));
                }
                Ok(list[(index as usize) % list.len()].clone())
            }
            "length" => {
                self.count(1, 1)?;
                let v = &self.values[0];
                let n = match &v.kind {
                    ValueKind::List(items) => items.len(),
                    ValueKind::Object(entries) => entries.len(),
                    _ => self.string(0)?.chars().count(),
                };
                self.done(ValueKind::Number(n as f64))
            }
            "contains" => {
                self.count(2, 2)?;
                let list = self.list(0)?;
                let needle = &self.values[1];
                if !needle.is_known() || list.iter().any(|i| !i.is_known()) {
                    return Err(Stop::Unknown);
                }
                self.done(ValueKind::Bool(list.iter().any(|i| equal(i, needle))))
            }
            "keys" | "values" => {
                self.count(1, 1)?;
                let entries = self.object(0)?;
                let Some(sorted) = self.ctx.iteration(&self.values[0], self.span)? else {
                    return Err(Stop::Unknown);
                };
                debug_assert_eq!(sorted.len(), entries.len());
                let items = sorted
                    .into_iter()
                    .map(|(k, v)| if name == "keys" { k } else { v })
                    .collect();
                self.list_value(items)
            }
            "zipmap" => {
                self.count(2, 2)?;
                let (keys, values) = (self.list(0)?, self.list(1)?);
                if keys.len() != values.len() {
                    return Err(self.error("zipmap: lists of different lengths"));
                }
                let mut entries = Vec::new();
                for (k, v) in keys.iter().zip(values) {
                    if k.to_known_string().is_none() {
                        return Err(Stop::Unknown);
                    }
                    insert(&mut entries, k.clone(), v.clone());
                }
                self.done(ValueKind::Object(entries))
            }
            "file" => {
                self.count(1, 1)?;
                let path = self.ctx.module.resolve(&self.string(0)?);
                let file = self.ctx.module.loader().load(&path).ok_or(Stop::Unknown)?;
                let text = file.text.clone();
                let origin = Origin::new(&file, Span::new(0, text.len()));
                let parts = if text.is_empty() {
                    Vec::new()
                } else {
                    vec![StrPart::Literal {
                        text,
                        origin,
                        form: Some(TemplateForm::File),
                    }]
                };
                self.done(ValueKind::String(parts))
            }
            "templatefile" => {
                self.count(2, 2)?;
                let path = self.ctx.module.resolve(&self.string(0)?);
                let mut vars = Env::new();
                for (k, v) in self.object(1)? {
                    let Some(name) = k.as_str() else {
                        return Err(Stop::Unknown);
                    };
                    vars = vars.with(&name, v.clone());
                }
                let file = self.ctx.module.loader().load(&path).ok_or(Stop::Unknown)?;
                Ok(template_file(self.ctx, &file, &vars, self.span)?)
            }
            _ => Err(Stop::Unknown),
        }
    }

    fn literal(&self, text: String) -> StrPart {
        StrPart::Literal {
            text,
            origin: self.origin(),
            form: None,
        }
    }

    fn parts(&self, parts: Vec<StrPart>) -> Out {
        let len: usize = parts
            .iter()
            .map(|p| match p {
                StrPart::Literal { text, .. } => text.len(),
                StrPart::Unknown { expr, .. } => expr.len(),
            })
            .sum();
        if len > MAX_STRING {
            return Err(self.error("string too long"));
        }
        self.done(ValueKind::String(parts))
    }

    fn list_value(&self, items: Vec<TfValue>) -> Out {
        if items.len() > MAX_ELEMENTS {
            return Err(self.error("too many elements"));
        }
        self.done(ValueKind::List(items))
    }

    fn flatten(&self, items: &[TfValue], out: &mut Vec<TfValue>, depth: usize) -> Result<(), Stop> {
        if depth > MAX_DEPTH {
            return Err(Stop::Unknown);
        }
        for item in items {
            match &item.kind {
                ValueKind::List(inner) => self.flatten(inner, out, depth + 1)?,
                // It may be a list, to be flattened, or not.
                ValueKind::Unknown(_) => return Err(Stop::Unknown),
                _ => out.push(item.clone()),
            }
            if out.len() > MAX_ELEMENTS {
                return Err(self.error("too many elements"));
            }
        }
        Ok(())
    }

    /// `format`: `%s`, `%v`, `%d`, `%q` and `%%`; an unknown argument of `%s`/`%v` is an unknown
    /// part of the result. Flags, widths, precisions and explicit argument indexes are not
    /// supported: the call is unknown.
    fn format(&self) -> Out {
        if self.values.is_empty() {
            return Err(self.error("format takes a format string"));
        }
        let spec = self.string(0)?;
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut next = 1;
        let mut chars = spec.chars();
        while let Some(c) = chars.next() {
            if c != '%' {
                literal.push(c);
                continue;
            }
            let verb = chars.next().ok_or_else(|| self.error("format: a lone %"))?;
            if verb == '%' {
                literal.push('%');
                continue;
            }
            let arg = self
                .values
                .get(next)
                .ok_or_else(|| self.error("format: too few arguments"))?;
            next += 1;
            match verb {
                's' | 'v' => {
                    let new = match &arg.kind {
                        ValueKind::List(_) | ValueKind::Object(_) if verb == 'v' => {
                            vec![self.literal(arg.rendered())]
                        }
                        _ => self.ctx.string_parts(arg.clone(), self.span)?,
                    };
                    if !literal.is_empty() {
                        parts.push(self.literal(std::mem::take(&mut literal)));
                    }
                    parts.extend(new);
                }
                'd' => {
                    if !arg.is_known() {
                        return Err(Stop::Unknown);
                    }
                    let n = arg
                        .as_number()
                        .ok_or_else(|| self.error("format: %d needs a number"))?;
                    literal.push_str(&number_text(n.trunc()));
                }
                'q' => {
                    let text = arg.to_known_string().ok_or(Stop::Unknown)?;
                    json_string(&text, &mut literal);
                }
                _ => return Err(Stop::Unknown),
            }
            if literal.len() > MAX_STRING {
                return Err(self.error("string too long"));
            }
        }
        if !literal.is_empty() {
            parts.push(self.literal(literal));
        }
        self.parts(parts)
    }
}

/// A list, or the kind of what is not one (None: unknown).
fn list_of(v: &TfValue) -> Result<&[TfValue], Option<&'static str>> {
    match &v.kind {
        ValueKind::List(items) => Ok(items),
        ValueKind::Unknown(_) => Err(None),
        _ => Err(Some(v.type_name())),
    }
}

fn nonempty_literal(v: &TfValue) -> bool {
    matches!(&v.kind, ValueKind::String(parts) if parts.iter().any(|p| matches!(p, StrPart::Literal { text, .. } if !text.is_empty())))
}

/// A JSON tree as a value (what `jsondecode` returns), everything at `origin`.
fn from_node(node: &Node, origin: &Origin) -> TfValue {
    let kind = match &node.kind {
        NodeKind::Scalar(s) => match s.ty {
            ScalarType::String => return TfValue::string(s.text.clone(), origin.clone()),
            ScalarType::Bool(b) => ValueKind::Bool(b),
            ScalarType::Null => ValueKind::Null,
            ScalarType::Int | ScalarType::Float => {
                ValueKind::Number(s.text.parse().unwrap_or(f64::NAN))
            }
        },
        NodeKind::Seq(items) => {
            ValueKind::List(items.iter().map(|i| from_node(i, origin)).collect())
        }
        NodeKind::Map(entries) => ValueKind::Object(
            entries
                .iter()
                .map(|e| {
                    let key =
                        TfValue::string(e.key.scalar_text().unwrap_or_default(), origin.clone());
                    (key, from_node(&e.value, origin))
                })
                .collect(),
        ),
        NodeKind::Alias(_) => ValueKind::Null,
    };
    TfValue::new(kind, origin.clone())
}

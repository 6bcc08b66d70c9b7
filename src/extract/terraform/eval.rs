//! The evaluator: one Terraform module directory's expressions into [`TfValue`]s.
//!
//! A [`Module`] holds the parsed files of one directory, its `variable` and `locals` blocks and
//! the values its variables get. [`Module::eval`] evaluates an expression of one of its files the
//! way Terraform would at plan time, as far as the module's own text decides it; whatever
//! depends on the world (a resource attribute, a data source, another module's output,
//! `terraform.workspace`) is [`ValueKind::Unknown`] with its expression as written. An unknown
//! value is never an error: it flows through templates as an unknown part, through collections as
//! an unknown element, and makes an operator or a function that needs it unknown as a whole.
//!
//! Variable values, lowest precedence first: the `variable` block's `default`, `terraform.tfvars`,
//! `*.auto.tfvars` in lexical order of their file names, then the values the caller gives (a
//! module call's arguments). A variable with none of these is unknown (`var.name`).

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::functions;
use super::value::{Origin, StrPart, TfValue, ValueKind};
use crate::parse::TerraformFile;
use crate::parse::hcl::{
    self, Attribute, BinaryOp, Block, Body, Element, Expr, ExprKind, ForExpr, ObjectKey,
    TemplateForm, TraversalOp, UnaryOp,
};
use crate::source::embedded::decode_json_string;
use crate::source::{SourceRef, Span};

/// Reads the files `file()` and `templatefile()` name. The path is the one the call names, which
/// Terraform opens relative to the root module's directory (its working directory; a module
/// names its own files `"${path.module}/x"`, so give [`Module::new`] `path.module` relative to
/// that root). The loader resolves it and decides what may be read (None: not readable, the call
/// is unknown).
pub trait FileLoader {
    fn load(&self, path: &Path) -> Option<SourceRef>;

    /// The `.tf` files of directory `dir` (named like [`FileLoader::load`]'s paths, relative to
    /// the root module's directory), sorted by name: the files of a local module a `module`
    /// block's `source` names. None of them when the directory may not be read.
    fn list_tf(&self, _dir: &Path) -> Vec<SourceRef> {
        Vec::new()
    }
}

/// A loader that reads nothing: every `file()` and `templatefile()` is unknown.
pub struct NoFiles;

impl FileLoader for NoFiles {
    fn load(&self, _: &Path) -> Option<SourceRef> {
        None
    }
}

/// Local names in scope: a for-expression's variables, and a resource instance's `each` or
/// `count` (see [`Env::for_each`], [`Env::count`], [`Module::instances`]), or a `dynamic` block's
/// iterator ([`Env::with`]).
#[derive(Clone, Debug, Default)]
pub struct Env {
    bindings: Vec<(String, TfValue)>,
}

impl Env {
    pub fn new() -> Env {
        Env::default()
    }

    /// This scope with `name` bound to `value` (shadowing an outer binding).
    pub fn with(&self, name: &str, value: TfValue) -> Env {
        let mut env = self.clone();
        env.bindings.push((name.to_string(), value));
        env
    }

    /// The scope of one `for_each` instance: `each.key` and `each.value`.
    pub fn for_each(key: TfValue, value: TfValue) -> Env {
        let origin = value.origin.clone();
        let each = object(
            vec![("key", key), ("value", value)],
            &origin.source,
            origin.span,
        );
        Env::new().with("each", each)
    }

    /// The scope of one `count` instance: `count.index`.
    pub fn count(index: usize, origin: Origin) -> Env {
        let value = TfValue::new(ValueKind::Number(index as f64), origin.clone());
        Env::new().with(
            "count",
            object(vec![("index", value)], &origin.source, origin.span),
        )
    }

    /// The instance key this scope stands for in a resource address: `[2]` for `count.index`
    /// 2, `["prod"]` for `each.key` `prod`, empty outside an instance (or for an unknown key).
    pub fn instance_key(&self) -> String {
        if let Some(index) = self
            .lookup("count")
            .and_then(|c| c.get("index"))
            .and_then(TfValue::as_number)
        {
            return format!("[{index}]");
        }
        match self
            .lookup("each")
            .and_then(|e| e.get("key"))
            .and_then(|k| k.as_str())
        {
            Some(key) => format!("[\"{key}\"]"),
            None => String::new(),
        }
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&TfValue> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }
}

pub(super) fn object(entries: Vec<(&str, TfValue)>, source: &SourceRef, span: Span) -> TfValue {
    let origin = Origin::new(source, span);
    TfValue::new(
        ValueKind::Object(
            entries
                .into_iter()
                .map(|(k, v)| (TfValue::string(k, origin.clone()), v))
                .collect(),
        ),
        origin,
    )
}

/// Why an expression has no value: Terraform would fail on it (a type error, a missing key, an
/// index out of range, a function's error), or it was over a bound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EvalError {
    pub message: String,
    pub span: Span,
}

pub(super) type Eval = Result<TfValue, EvalError>;

/// Nested evaluations (expressions inside expressions, through local references and template
/// files) past which a value is unknown: the parser bounds one expression's nesting, this bounds
/// chains of references.
pub const MAX_DEPTH: usize = 512;
/// Nested local, variable-default or template-file references past which a value is unknown.
pub const MAX_REFERENCE_DEPTH: usize = 64;
/// Evaluation steps for one evaluation the caller asks for (locals it reads included), so that
/// nested `for` expressions over large collections cannot run for long; once spent, everything
/// left of it is unknown.
pub const MAX_STEPS: u64 = 2_000_000;
/// The largest list, tuple or object the evaluator builds.
pub const MAX_ELEMENTS: usize = 100_000;
/// The longest string the evaluator builds, in bytes.
pub const MAX_STRING: usize = 1 << 20;

/// A block of one of the module's files.
#[derive(Clone, Copy, Debug)]
pub struct BlockRef<'m> {
    pub source: &'m SourceRef,
    pub block: &'m Block,
}

impl<'m> BlockRef<'m> {
    /// The text of label `index` (`resource "aws_iam_role" "x"`: 0 is the type, 1 the name).
    pub fn label(&self, index: usize) -> Option<&'m str> {
        self.block.label(index)
    }

    pub fn attribute(&self, key: &str) -> Option<&'m Attribute> {
        self.block.body.attribute(key)
    }

    /// The nested blocks of type `ident` (`statement`, `principals`, `condition`, `dynamic`).
    pub fn blocks(&self, ident: &'m str) -> impl Iterator<Item = BlockRef<'m>> + 'm {
        let source = self.source;
        self.block
            .body
            .blocks_of(ident)
            .map(move |block| BlockRef { source, block })
    }
}

enum LocalState {
    Evaluating,
    Done(TfValue),
}

/// One module directory, ready to evaluate. Not `Sync`: locals are evaluated lazily and
/// remembered, so evaluate one module on one thread.
pub struct Module<'l> {
    files: Vec<(SourceRef, Body)>,
    locals: HashMap<String, (SourceRef, Expr)>,
    variables: HashMap<String, TfValue>,
    path_module: String,
    loader: &'l dyn FileLoader,
    local_values: RefCell<HashMap<String, LocalState>>,
    steps: Cell<u64>,
    depth: Cell<usize>,
    references: Cell<usize>,
    /// The data sources evaluated here (`data.aws_iam_policy_document.x`), see [`super::data`].
    pub(super) data: super::data::Cache,
}

/// What names mean where an expression is evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// A module's file: `var`, `local`, `path` and the world's references.
    Module,
    /// A template file of `templatefile` or a `.tfvars` value: only the names of the [`Env`].
    Isolated,
}

pub(super) struct Ctx<'a, 'l> {
    pub module: &'a Module<'l>,
    pub source: &'a SourceRef,
    scope: Scope,
}

impl<'l> Module<'l> {
    /// A module from its directory's `.tf` files, the `.tfvars` files Terraform loads
    /// automatically (`terraform.tfvars`, `*.auto.tfvars`; the order is taken from their file
    /// names), the values given by a module call (highest precedence), the text of
    /// `path.module`, and the loader `file()`/`templatefile()` read with.
    pub fn new(
        files: Vec<(SourceRef, Body)>,
        tfvars: Vec<(SourceRef, Body)>,
        given: HashMap<String, TfValue>,
        path_module: String,
        loader: &'l dyn FileLoader,
    ) -> Module<'l> {
        let mut locals = HashMap::new();
        for (source, body) in &files {
            for block in body.blocks_of("locals") {
                for attr in block.body.attributes() {
                    locals.insert(attr.key.clone(), (source.clone(), attr.value.clone()));
                }
            }
        }
        let mut module = Module {
            files,
            locals,
            variables: HashMap::new(),
            path_module,
            loader,
            local_values: RefCell::new(HashMap::new()),
            steps: Cell::new(0),
            depth: Cell::new(0),
            references: Cell::new(0),
            data: Default::default(),
        };
        let mut variables = HashMap::new();
        for (source, body) in &module.files {
            for block in body.blocks_of("variable") {
                let Some(name) = block.label(0) else { continue };
                let value = match block.body.attribute("default") {
                    Some(default) => module.eval_isolated(source, &default.value, &Env::new()),
                    None => TfValue::unknown(
                        format!("var.{name}"),
                        Origin::new(source, block.labels[0].1),
                    ),
                };
                variables.insert(name.to_string(), value);
            }
        }
        let mut tfvars = tfvars;
        tfvars.sort_by_key(|(source, _)| tfvars_rank(&source.display_path));
        for (source, body) in &tfvars {
            for attr in body.attributes() {
                let value = module.eval_isolated(source, &attr.value, &Env::new());
                variables.insert(attr.key.clone(), value);
            }
        }
        variables.extend(given);
        module.variables = variables;
        module
    }

    /// The module's files and their bodies.
    pub fn files(&self) -> &[(SourceRef, Body)] {
        &self.files
    }

    /// The top-level blocks of type `ident` (`resource`, `data`, `module`, `locals`...), in file
    /// order.
    pub fn blocks<'m>(&'m self, ident: &'m str) -> impl Iterator<Item = BlockRef<'m>> + 'm {
        self.files.iter().flat_map(move |(source, body)| {
            body.blocks_of(ident)
                .map(move |block| BlockRef { source, block })
        })
    }

    /// `resource "<ty>" "name"` blocks.
    pub fn resources<'m>(&'m self, ty: &'m str) -> impl Iterator<Item = BlockRef<'m>> + 'm {
        self.blocks("resource")
            .filter(move |b| b.label(0) == Some(ty))
    }

    /// `data "<ty>" "name"` blocks.
    pub fn data_sources<'m>(&'m self, ty: &'m str) -> impl Iterator<Item = BlockRef<'m>> + 'm {
        self.blocks("data").filter(move |b| b.label(0) == Some(ty))
    }

    /// `module "name"` blocks.
    pub fn module_calls(&self) -> impl Iterator<Item = BlockRef<'_>> + '_ {
        self.blocks("module")
    }

    /// The text of `path.module`: the module's directory relative to the root module's.
    pub fn path_module(&self) -> &str {
        &self.path_module
    }

    /// The value of a variable (`var.name`).
    pub fn variable(&self, name: &str) -> Option<&TfValue> {
        self.variables.get(name)
    }

    /// The value of a local (`local.name`), None when no `locals` block defines it.
    pub fn local(&self, name: &str) -> Option<TfValue> {
        let (source, expr) = self.locals.get(name)?;
        let ctx = self.ctx(source);
        Some(ctx.local(name, Origin::new(source, expr.span)))
    }

    /// The value of attribute `key` of a block, evaluated in `env`.
    pub fn attribute(&self, block: &BlockRef<'_>, key: &str, env: &Env) -> Option<TfValue> {
        let attr = block.attribute(key)?;
        Some(self.eval(block.source, &attr.value, env))
    }

    /// Evaluate an expression of the module's file `source`; an error (Terraform would fail) is
    /// an unknown value with the expression's text.
    pub fn eval(&self, source: &SourceRef, expr: &Expr, env: &Env) -> TfValue {
        self.try_eval(source, expr, env)
            .unwrap_or_else(|_| unknown_expr(source, expr.span))
    }

    /// Evaluate, keeping the error Terraform would report.
    pub fn try_eval(
        &self,
        source: &SourceRef,
        expr: &Expr,
        env: &Env,
    ) -> Result<TfValue, EvalError> {
        self.ctx(source).eval(expr, env)
    }

    /// The instances a `resource`, `data` or `module` block stands for, each as the scope its
    /// body is evaluated in: one with nothing bound without `count` and `for_each`; `count.index`
    /// for each index; `each.key`/`each.value` for each element of `for_each`; none for `count =
    /// 0`. When the count or the collection is unknown (or over [`MAX_ELEMENTS`]), one scope in
    /// which `each` and `count` are unbound, so that what depends on them is unknown.
    pub fn instances(&self, block: &BlockRef<'_>) -> Vec<Env> {
        let source = block.source;
        if let Some(attr) = block.attribute("count") {
            let value = self.eval(source, &attr.value, &Env::new());
            return match value.as_number() {
                Some(n) if n >= 0.0 && n.fract() == 0.0 && n <= MAX_ELEMENTS as f64 => (0..n
                    as usize)
                    .map(|i| Env::count(i, Origin::new(source, attr.value.span)))
                    .collect(),
                _ => vec![Env::new()],
            };
        }
        if let Some(attr) = block.attribute("for_each") {
            let value = self.eval(source, &attr.value, &Env::new());
            return match &value.kind {
                ValueKind::Object(entries) if entries.iter().all(|(k, _)| k.as_str().is_some()) => {
                    entries
                        .iter()
                        .map(|(k, v)| Env::for_each(k.clone(), v.clone()))
                        .collect()
                }
                ValueKind::List(items) if items.iter().all(|i| i.as_str().is_some()) => items
                    .iter()
                    .map(|i| Env::for_each(i.clone(), i.clone()))
                    .collect(),
                _ => vec![Env::new()],
            };
        }
        vec![Env::new()]
    }

    pub(super) fn ctx<'a>(&'a self, source: &'a SourceRef) -> Ctx<'a, 'l> {
        Ctx {
            module: self,
            source,
            scope: Scope::Module,
        }
    }

    /// A value that may name nothing of the module (a `.tfvars` value, a variable's default).
    fn eval_isolated(&self, source: &SourceRef, expr: &Expr, env: &Env) -> TfValue {
        let ctx = Ctx {
            module: self,
            source,
            scope: Scope::Isolated,
        };
        ctx.eval(expr, env)
            .unwrap_or_else(|_| unknown_expr(source, expr.span))
    }

    pub(super) fn loader(&self) -> &dyn FileLoader {
        self.loader
    }

    /// The path a `file()` or `templatefile()` argument names, as Terraform opens it: relative
    /// to the root module's directory (Terraform's working directory), which is why a module
    /// writes `"${path.module}/trust.json"`.
    pub(super) fn resolve(&self, path: &str) -> PathBuf {
        PathBuf::from(path)
    }
}

/// `terraform.tfvars`, then `terraform.tfvars.json`, then `*.auto.tfvars` and
/// `*.auto.tfvars.json` by file name: later files win.
fn tfvars_rank(path: &str) -> (u8, String) {
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let first = name == "terraform.tfvars" || name == "terraform.tfvars.json";
    (u8::from(!first), name)
}

/// The text of an expression, for an unknown value: as written, line breaks and the indentation
/// after them collapsed to one space.
/// In a `.tf.json` file an expression is written inside a JSON string: its text is the string's
/// decoded text (`\"https://\"` is `"https://"`).
pub(super) fn expr_text(source: &SourceRef, span: Span) -> String {
    let raw = source.slice(span);
    let decoded;
    let raw = match crate::parse::terraform_kind(Path::new(&source.display_path)) {
        Some(TerraformFile::ConfigJson | TerraformFile::VarsJson) if raw.contains('\\') => {
            match decode_json_string(&format!("\"{raw}\""), 0) {
                Some((text, _)) => {
                    decoded = text;
                    decoded.as_str()
                }
                None => raw,
            }
        }
        _ => raw,
    };
    if !raw.contains('\n') {
        return raw.trim().to_string();
    }
    let mut out = String::with_capacity(raw.len());
    for (i, line) in raw.lines().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(line.trim());
    }
    out.trim().to_string()
}

pub(super) fn unknown_expr(source: &SourceRef, span: Span) -> TfValue {
    TfValue::unknown(expr_text(source, span), Origin::new(source, span))
}

impl<'a, 'l> Ctx<'a, 'l> {
    pub(super) fn origin(&self, span: Span) -> Origin {
        Origin::new(self.source, span)
    }

    pub(super) fn error(&self, span: Span, message: impl Into<String>) -> EvalError {
        EvalError {
            message: message.into(),
            span,
        }
    }

    pub(super) fn unknown(&self, span: Span) -> TfValue {
        unknown_expr(self.source, span)
    }

    /// A template file's context: only the names of the environment, spans into `source`.
    pub(super) fn isolated<'b>(&'b self, source: &'b SourceRef) -> Ctx<'b, 'l> {
        Ctx {
            module: self.module,
            source,
            scope: Scope::Isolated,
        }
    }

    pub(super) fn eval(&self, expr: &Expr, env: &Env) -> Eval {
        let module = self.module;
        if module.depth.get() == 0 {
            // Each evaluation the caller asks for has a budget of its own.
            module.steps.set(0);
        }
        let steps = module.steps.get() + 1;
        module.steps.set(steps);
        if steps > MAX_STEPS || module.depth.get() >= MAX_DEPTH {
            return Ok(self.unknown(expr.span));
        }
        module.depth.set(module.depth.get() + 1);
        let result = self.eval_kind(expr, env);
        module.depth.set(module.depth.get() - 1);
        result
    }

    /// Run `f` one reference deeper (a local, a template file), or give an unknown value when too
    /// deep.
    pub(super) fn referencing(&self, span: Span, f: impl FnOnce() -> Eval) -> Eval {
        let module = self.module;
        if module.references.get() >= MAX_REFERENCE_DEPTH {
            return Ok(self.unknown(span));
        }
        module.references.set(module.references.get() + 1);
        let result = f();
        module.references.set(module.references.get() - 1);
        result
    }

    fn eval_kind(&self, expr: &Expr, env: &Env) -> Eval {
        let span = expr.span;
        let origin = self.origin(span);
        let value = |kind| Ok(TfValue::new(kind, origin.clone()));
        match &expr.kind {
            ExprKind::Null => value(ValueKind::Null),
            ExprKind::Bool(b) => value(ValueKind::Bool(*b)),
            ExprKind::Number(n) => value(ValueKind::Number(*n)),
            ExprKind::String(text) => {
                let parts = if text.is_empty() {
                    Vec::new()
                } else {
                    vec![StrPart::Literal {
                        text: text.clone(),
                        origin: self.origin(inside_quotes(self.source, span)),
                        form: Some(TemplateForm::Quoted),
                    }]
                };
                value(ValueKind::String(parts))
            }
            ExprKind::Template(template) => {
                // A template that is one interpolation is its value, whatever its type.
                if let [Element::Interpolation(inner)] = template.elements.as_slice()
                    && template.form == TemplateForm::Quoted
                {
                    return self.eval(inner, env);
                }
                let parts = self.template(&template.elements, template.form, env)?;
                value(ValueKind::String(parts))
            }
            ExprKind::Array(items) => {
                let items = items
                    .iter()
                    .map(|e| self.eval(e, env))
                    .collect::<Result<Vec<_>, _>>()?;
                value(ValueKind::List(items))
            }
            ExprKind::Object(items) => {
                let mut entries: Vec<(TfValue, TfValue)> = Vec::with_capacity(items.len());
                for item in items {
                    let key = match &item.key {
                        ObjectKey::Identifier(name, key_span) => TfValue::new(
                            ValueKind::String(vec![StrPart::Literal {
                                text: name.clone(),
                                origin: self.origin(*key_span),
                                form: Some(TemplateForm::Quoted),
                            }]),
                            self.origin(*key_span),
                        ),
                        ObjectKey::Expr(e) => self.key(self.eval(e, env)?)?,
                    };
                    let v = self.eval(&item.value, env)?;
                    insert(&mut entries, key, v);
                }
                value(ValueKind::Object(entries))
            }
            ExprKind::Variable(name) => self.variable(name, span, env),
            ExprKind::Traversal { root, operators } => self.traversal(expr, root, operators, env),
            ExprKind::Call(call) => functions::call(self, call, span, env),
            ExprKind::Conditional {
                condition,
                then,
                otherwise,
            } => {
                let cond = self.eval(condition, env)?;
                if cond.is_unknown() || !cond.is_known() {
                    let a = self.eval(then, env);
                    let b = self.eval(otherwise, env);
                    return match (a, b) {
                        (Ok(a), Ok(b)) if a.same(&b) => Ok(a),
                        _ => Ok(self.unknown(span)),
                    };
                }
                match cond.as_bool() {
                    Some(true) => self.eval(then, env),
                    Some(false) => self.eval(otherwise, env),
                    None => Err(self.error(condition.span, "the condition is not a bool")),
                }
            }
            ExprKind::Unary { operator, operand } => {
                let v = self.eval(operand, env)?;
                if !v.is_known() {
                    return Ok(self.unknown(span));
                }
                match operator {
                    UnaryOp::Not => match v.as_bool() {
                        Some(b) => value(ValueKind::Bool(!b)),
                        None => Err(self.error(span, "`!` needs a bool")),
                    },
                    UnaryOp::Neg => match v.as_number() {
                        Some(n) => value(ValueKind::Number(-n)),
                        None => Err(self.error(span, "`-` needs a number")),
                    },
                }
            }
            ExprKind::Binary { operator, lhs, rhs } => {
                let a = self.eval(lhs, env)?;
                let b = self.eval(rhs, env)?;
                self.binary(*operator, a, b, span)
            }
            ExprKind::For(f) => self.for_expr(f, span, env),
            ExprKind::Parenthesis(inner) => self.eval(inner, env),
        }
    }

    /// An object key: a string (a number or bool converted); unknown stays an unknown key.
    fn key(&self, key: TfValue) -> Eval {
        match &key.kind {
            ValueKind::String(_) | ValueKind::Unknown(_) => Ok(key),
            ValueKind::Number(_) | ValueKind::Bool(_) => {
                let text = key.to_known_string().unwrap_or_default().into_owned();
                Ok(TfValue::string(text, key.origin))
            }
            _ => Err(self.error(key.origin.span, "an object key must be a string")),
        }
    }

    fn variable(&self, name: &str, span: Span, env: &Env) -> Eval {
        if let Some(v) = env.lookup(name) {
            return Ok(v.clone());
        }
        match self.scope {
            Scope::Isolated => Err(self.error(span, format!("unknown variable `{name}`"))),
            Scope::Module => Ok(self.unknown(span)),
        }
    }

    fn traversal(
        &self,
        expr: &Expr,
        root: &Expr,
        operators: &[(TraversalOp, Span)],
        env: &Env,
    ) -> Eval {
        let span = expr.span;
        let (base, rest) = match &root.kind {
            ExprKind::Variable(name) if env.lookup(name).is_none() => {
                if self.scope == Scope::Isolated {
                    return Err(self.error(root.span, format!("unknown variable `{name}`")));
                }
                let Some((TraversalOp::GetAttr(attr), attr_span)) = operators.first() else {
                    return Ok(self.unknown(span));
                };
                let reference_span = root.span.to(*attr_span);
                let base = match name.as_str() {
                    "var" => match self.module.variables.get(attr) {
                        Some(v) => v.clone(),
                        None => {
                            TfValue::unknown(format!("var.{attr}"), self.origin(reference_span))
                        }
                    },
                    "local" => {
                        if !self.module.locals.contains_key(attr) {
                            return Err(self.error(span, format!("no local `{attr}`")));
                        }
                        self.local(attr, self.origin(reference_span))
                    }
                    "path" if attr == "module" => {
                        TfValue::string(&self.module.path_module, self.origin(reference_span))
                    }
                    // A data source the module's text decides keeps the origins of its block.
                    "data" => match operators.get(1) {
                        Some((TraversalOp::GetAttr(name), name_span)) => {
                            let Some(value) =
                                super::data::reference(self, attr, name, root.span.to(*name_span))
                            else {
                                return Ok(self.unknown(span));
                            };
                            return self.apply(value, &operators[2..], span, env);
                        }
                        _ => return Ok(self.unknown(span)),
                    },
                    // Resources, data sources, other modules' outputs, `path.root`, `each` and
                    // `count` outside an instance, `terraform.workspace`, `self`: the world's.
                    _ => return Ok(self.unknown(span)),
                };
                (self.anchor(base, reference_span), &operators[1..])
            }
            _ => (self.eval(root, env)?, operators),
        };
        self.apply(base, rest, span, env)
    }

    /// A value read through a reference from another file is reported at the reference: the
    /// file a caller builds a tree for is the one the expression is in.
    fn anchor(&self, mut value: TfValue, span: Span) -> TfValue {
        if !value.origin.is_in(self.source) {
            value.origin = self.origin(span);
        }
        value
    }

    pub(super) fn local(&self, name: &str, reference: Origin) -> TfValue {
        let module = self.module;
        match module.local_values.borrow().get(name) {
            Some(LocalState::Done(v)) => return v.clone(),
            // A reference cycle: Terraform rejects it; here it is unknown.
            Some(LocalState::Evaluating) => {
                return TfValue::unknown(format!("local.{name}"), reference);
            }
            None => {}
        }
        let Some((source, expr)) = module.locals.get(name) else {
            return TfValue::unknown(format!("local.{name}"), reference);
        };
        module
            .local_values
            .borrow_mut()
            .insert(name.to_string(), LocalState::Evaluating);
        let ctx = module.ctx(source);
        let value = ctx
            .referencing(expr.span, || ctx.eval(expr, &Env::new()))
            .unwrap_or_else(|_| TfValue::unknown(format!("local.{name}"), reference));
        module
            .local_values
            .borrow_mut()
            .insert(name.to_string(), LocalState::Done(value.clone()));
        value
    }

    /// Apply traversal operators to a value; `span` is the whole traversal's, what an unknown
    /// base makes unknown.
    fn apply(&self, base: TfValue, ops: &[(TraversalOp, Span)], span: Span, env: &Env) -> Eval {
        let mut value = base;
        let mut i = 0;
        while i < ops.len() {
            if value.is_unknown() {
                return Ok(self.unknown(span));
            }
            let (op, op_span) = &ops[i];
            match op {
                TraversalOp::GetAttr(name) => {
                    value = self.index_by_key(&value, name, *op_span)?;
                }
                TraversalOp::Index(index) => {
                    let index = self.eval(index, env)?;
                    if !index.is_known() {
                        return Ok(self.unknown(span));
                    }
                    value = match (&value.kind, index.as_number()) {
                        (ValueKind::List(_), Some(n)) => self.index_list(&value, n, *op_span)?,
                        _ => {
                            let key = index.to_known_string().ok_or_else(|| {
                                self.error(*op_span, "an index must be a number or a string")
                            })?;
                            self.index_by_key(&value, &key, *op_span)?
                        }
                    };
                }
                TraversalOp::LegacyIndex(n) => {
                    value = self.index_list(&value, *n as f64, *op_span)?;
                }
                TraversalOp::AttrSplat | TraversalOp::FullSplat => {
                    // `.*` applies the attribute accesses after it to each element, `[*]` every
                    // operator after it.
                    let full = matches!(op, TraversalOp::FullSplat);
                    let end = if full {
                        ops.len()
                    } else {
                        i + 1
                            + ops[i + 1..]
                                .iter()
                                .take_while(|(o, _)| matches!(o, TraversalOp::GetAttr(_)))
                                .count()
                    };
                    let items = match &value.kind {
                        ValueKind::Null => Vec::new(),
                        ValueKind::List(items) => items.clone(),
                        _ => vec![value.clone()],
                    };
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.apply(item, &ops[i + 1..end], span, env)?);
                    }
                    value = TfValue::new(ValueKind::List(out), value.origin);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
        Ok(value)
    }

    fn index_by_key(&self, value: &TfValue, key: &str, span: Span) -> Eval {
        match &value.kind {
            ValueKind::Object(entries) => {
                if let Some(v) = value.get(key) {
                    return Ok(v.clone());
                }
                // The key may be one whose text is unknown here.
                if entries.iter().any(|(k, _)| k.as_str().is_none()) {
                    return Ok(TfValue::unknown(
                        expr_text(self.source, span),
                        self.origin(span),
                    ));
                }
                Err(self.error(span, format!("no attribute `{key}`")))
            }
            ValueKind::Null => Err(self.error(span, "attempt to get an attribute of null")),
            _ => Err(self.error(span, format!("a {} has no attributes", value.type_name()))),
        }
    }

    fn index_list(&self, value: &TfValue, n: f64, span: Span) -> Eval {
        let items = value
            .as_list()
            .ok_or_else(|| self.error(span, format!("a {} has no index", value.type_name())))?;
        if n < 0.0 || n.fract() != 0.0 || n >= items.len() as f64 {
            return Err(self.error(span, "index out of range"));
        }
        Ok(items[n as usize].clone())
    }

    fn binary(&self, op: BinaryOp, a: TfValue, b: TfValue, span: Span) -> Eval {
        let origin = self.origin(span);
        let done = |kind| Ok(TfValue::new(kind, origin.clone()));
        match op {
            BinaryOp::And | BinaryOp::Or => {
                let short = op == BinaryOp::Or;
                // A known `false &&` or `true ||` decides whatever the other side is.
                if a.as_bool() == Some(short) || b.as_bool() == Some(short) {
                    return done(ValueKind::Bool(short));
                }
                if !a.is_known() || !b.is_known() {
                    return Ok(self.unknown(span));
                }
                match (a.as_bool(), b.as_bool()) {
                    (Some(_), Some(_)) => done(ValueKind::Bool(!short)),
                    _ => Err(self.error(span, "`&&` and `||` need bools")),
                }
            }
            _ if !a.is_known() || !b.is_known() => Ok(self.unknown(span)),
            BinaryOp::Eq => done(ValueKind::Bool(equal(&a, &b))),
            BinaryOp::NotEq => done(ValueKind::Bool(!equal(&a, &b))),
            _ => {
                let (Some(x), Some(y)) = (a.as_number(), b.as_number()) else {
                    return Err(self.error(span, "arithmetic and comparison need numbers"));
                };
                done(match op {
                    BinaryOp::Less => ValueKind::Bool(x < y),
                    BinaryOp::LessEq => ValueKind::Bool(x <= y),
                    BinaryOp::Greater => ValueKind::Bool(x > y),
                    BinaryOp::GreaterEq => ValueKind::Bool(x >= y),
                    BinaryOp::Plus => ValueKind::Number(x + y),
                    BinaryOp::Minus => ValueKind::Number(x - y),
                    BinaryOp::Mul => ValueKind::Number(x * y),
                    BinaryOp::Div if y == 0.0 => {
                        return Err(self.error(span, "division by zero"));
                    }
                    BinaryOp::Div => ValueKind::Number(x / y),
                    BinaryOp::Mod if y == 0.0 => {
                        return Err(self.error(span, "division by zero"));
                    }
                    BinaryOp::Mod => ValueKind::Number(x % y),
                    _ => unreachable!("handled above"),
                })
            }
        }
    }

    /// The elements a `for` iterates over, as (key, value): a list's index and element, an
    /// object's key and value in key order (as Terraform iterates maps). None when unknown.
    pub(super) fn iteration(
        &self,
        collection: &TfValue,
        span: Span,
    ) -> Result<Option<Vec<(TfValue, TfValue)>>, EvalError> {
        match &collection.kind {
            ValueKind::Unknown(_) => Ok(None),
            ValueKind::List(items) => Ok(Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let index = TfValue::new(ValueKind::Number(i as f64), v.origin.clone());
                        (index, v.clone())
                    })
                    .collect(),
            )),
            ValueKind::Object(entries) => {
                if entries.iter().any(|(k, _)| k.as_str().is_none()) {
                    return Ok(None);
                }
                let mut sorted = entries.clone();
                sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
                Ok(Some(sorted))
            }
            ValueKind::Null => Err(self.error(span, "cannot iterate over null")),
            _ => Err(self.error(
                span,
                format!("cannot iterate over a {}", collection.type_name()),
            )),
        }
    }

    fn for_expr(&self, f: &ForExpr, span: Span, env: &Env) -> Eval {
        let collection = self.eval(&f.collection, env)?;
        let Some(elements) = self.iteration(&collection, f.collection.span)? else {
            return Ok(self.unknown(span));
        };
        let mut list = Vec::new();
        let mut entries: Vec<(TfValue, TfValue)> = Vec::new();
        for (key, value) in elements {
            let mut scope = env.with(&f.value_var, value);
            if let Some(k) = &f.key_var {
                scope = scope.with(k, key);
            }
            if let Some(cond) = &f.condition {
                let keep = self.eval(cond, &scope)?;
                if !keep.is_known() {
                    return Ok(self.unknown(span));
                }
                match keep.as_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    None => return Err(self.error(cond.span, "the condition is not a bool")),
                }
            }
            let item = self.eval(&f.value, &scope)?;
            match &f.key {
                None => list.push(item),
                Some(key_expr) => {
                    let key = self.key(self.eval(key_expr, &scope)?)?;
                    let Some(name) = key.as_str().map(|k| k.into_owned()) else {
                        return Ok(self.unknown(span));
                    };
                    let existing = entries
                        .iter_mut()
                        .find(|(k, _)| k.as_str().as_deref() == Some(name.as_str()));
                    match existing {
                        Some((_, group)) if f.grouping => {
                            if let ValueKind::List(items) = &mut group.kind {
                                items.push(item);
                            }
                        }
                        Some(_) => {
                            return Err(self.error(
                                key_expr.span,
                                format!("duplicate key `{name}` (use `...` to group)"),
                            ));
                        }
                        None if f.grouping => {
                            let origin = item.origin.clone();
                            entries.push((key, TfValue::new(ValueKind::List(vec![item]), origin)));
                        }
                        None => entries.push((key, item)),
                    }
                }
            }
            if list.len() + entries.len() > MAX_ELEMENTS {
                return Err(self.error(span, "too many elements"));
            }
        }
        let kind = if f.key.is_some() {
            ValueKind::Object(entries)
        } else {
            ValueKind::List(list)
        };
        Ok(TfValue::new(kind, self.origin(span)))
    }

    /// A template's parts: literals, interpolated values, directives over known values; a
    /// directive over an unknown condition or collection is one unknown part.
    pub(super) fn template(
        &self,
        elements: &[Element],
        form: TemplateForm,
        env: &Env,
    ) -> Result<Vec<StrPart>, EvalError> {
        let mut parts = Vec::new();
        let mut len = 0;
        self.template_into(elements, form, env, &mut parts, &mut len)?;
        Ok(parts)
    }

    fn template_into(
        &self,
        elements: &[Element],
        form: TemplateForm,
        env: &Env,
        parts: &mut Vec<StrPart>,
        len: &mut usize,
    ) -> Result<(), EvalError> {
        for element in elements {
            match element {
                Element::Literal(lit) => {
                    *len += lit.text.len();
                    parts.push(StrPart::Literal {
                        text: lit.text.clone(),
                        origin: self.origin(lit.span),
                        form: Some(form),
                    });
                }
                Element::Interpolation(e) => {
                    let v = self.eval(e, env)?;
                    let new = self.string_parts(v, e.span)?;
                    *len += new.iter().map(part_len).sum::<usize>();
                    parts.extend(new);
                }
                Element::If {
                    condition,
                    then,
                    otherwise,
                    span,
                } => {
                    let cond = self.eval(condition, env)?;
                    if !cond.is_known() {
                        parts.push(self.unknown_part(*span));
                        continue;
                    }
                    let branch = match cond.as_bool() {
                        Some(true) => then,
                        Some(false) => otherwise,
                        None => {
                            return Err(self.error(condition.span, "the condition is not a bool"));
                        }
                    };
                    self.template_into(branch, form, env, parts, len)?;
                }
                Element::For {
                    key_var,
                    value_var,
                    collection,
                    body,
                    span,
                } => {
                    let coll = self.eval(collection, env)?;
                    let Some(items) = self.iteration(&coll, collection.span)? else {
                        parts.push(self.unknown_part(*span));
                        continue;
                    };
                    for (key, value) in items {
                        let mut scope = env.with(value_var, value);
                        if let Some(k) = key_var {
                            scope = scope.with(k, key);
                        }
                        self.template_into(body, form, &scope, parts, len)?;
                        if *len > MAX_STRING {
                            break;
                        }
                    }
                }
            }
            if *len > MAX_STRING {
                return Err(self.error(Span::default(), "string too long"));
            }
        }
        Ok(())
    }

    fn unknown_part(&self, span: Span) -> StrPart {
        StrPart::Unknown {
            expr: expr_text(self.source, span),
            origin: self.origin(span),
        }
    }

    /// A value interpolated into a string: its parts (a number or bool as its text, an unknown
    /// value as one unknown part).
    pub(super) fn string_parts(
        &self,
        value: TfValue,
        span: Span,
    ) -> Result<Vec<StrPart>, EvalError> {
        match value.kind {
            ValueKind::String(parts) => Ok(parts),
            ValueKind::Unknown(expr) => Ok(vec![StrPart::Unknown {
                expr,
                origin: value.origin,
            }]),
            ValueKind::Number(_) | ValueKind::Bool(_) => {
                let text = TfValue::new(value.kind.clone(), value.origin.clone())
                    .to_known_string()
                    .unwrap_or_default()
                    .into_owned();
                Ok(vec![StrPart::Literal {
                    text,
                    origin: value.origin,
                    form: None,
                }])
            }
            ValueKind::Json(inner) => Ok(super::node::json_parts(&inner)),
            ValueKind::Null => Err(self.error(span, "a null value in a string template")),
            ValueKind::List(_) | ValueKind::Object(_) => Err(self.error(
                span,
                "a list or object cannot be part of a string (jsonencode it)",
            )),
        }
    }
}

fn part_len(part: &StrPart) -> usize {
    match part {
        StrPart::Literal { text, .. } => text.len(),
        StrPart::Unknown { expr, .. } => expr.len() + 3,
    }
}

/// Put `key = value` in an object: a known key set again replaces the earlier entry (the last
/// wins, as `merge` does); an unknown key is always a new entry.
pub(super) fn insert(entries: &mut Vec<(TfValue, TfValue)>, key: TfValue, value: TfValue) {
    if let Some(name) = key.as_str()
        && let Some(slot) = entries
            .iter_mut()
            .find(|(k, _)| k.as_str().as_deref() == Some(name.as_ref()))
    {
        slot.1 = value;
        return;
    }
    entries.push((key, value));
}

/// Terraform's `==` on known values: same type and value (`1 == "1"` is false).
pub(super) fn equal(a: &TfValue, b: &TfValue) -> bool {
    match (&a.kind, &b.kind) {
        (ValueKind::String(_) | ValueKind::Json(_), ValueKind::String(_) | ValueKind::Json(_)) => {
            a.as_str() == b.as_str()
        }
        _ => a.same(b),
    }
}

/// The span inside a quoted string's quotes (what its text was read from).
fn inside_quotes(source: &SourceRef, span: Span) -> Span {
    let raw = source.slice(span);
    if raw.len() >= 4 && raw.starts_with("\\\"") && raw.ends_with("\\\"") {
        // A string in a template in a `.tf.json` string: its quotes are escaped.
        Span::new(span.start as usize + 2, span.end as usize - 2)
    } else if raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"') {
        Span::new(span.start as usize + 1, span.end as usize - 1)
    } else {
        span
    }
}

/// Parse and evaluate a template file's text with only `vars` in scope, as `templatefile` does.
pub(super) fn template_file(ctx: &Ctx<'_, '_>, file: &SourceRef, vars: &Env, span: Span) -> Eval {
    let template = hcl::parse_template(&file.text).map_err(|p| {
        ctx.error(
            span,
            format!("template {}: {}", file.display_path, p.message),
        )
    })?;
    let inner = ctx.isolated(file);
    ctx.referencing(span, || {
        let parts = inner.template(&template.elements, template.form, vars)?;
        Ok(TfValue::new(ValueKind::String(parts), ctx.origin(span)))
    })
}

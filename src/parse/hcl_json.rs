//! Terraform's JSON syntax (`*.tf.json`, `*.tfvars.json`) into the syntax tree of [`super::hcl`],
//! so the evaluator reads a `.tf.json` file as it reads a `.tf` one.
//!
//! HCL's JSON mapping (hashicorp/hcl, `json/spec.md`; Terraform's "JSON Configuration Syntax"):
//!
//! * The root object is a body. In a body, a property is a nested block when the schema has a
//!   block type of its name, else an attribute. A block's labels are levels of nested objects
//!   (`"resource": {"aws_iam_role": {"x": { body }}}`); at any of these levels, and for the body,
//!   an array of objects stands for several blocks. A property named `//` is a comment.
//! * An attribute's value is an expression: a string is a template (`${...}`, `%{...}`, `$${`
//!   for a literal `${`), an object's property names too; numbers, booleans, null, arrays and
//!   objects are what they are. A `variable`'s `default` and the values of a `.tfvars.json` file
//!   are literal: their strings are never templates.
//!
//! The schema is what the linter reads: the top-level block types with their label counts, the
//! nested blocks of `aws_iam_policy_document` (`statement`, `principals`, `not_principals`,
//! `condition`), `helm_release` (`set`...), `dynamic` and its `content`, `lifecycle`..., and for the
//! Kubernetes provider's resources every object-valued property but the maps of the user's own
//! keys (`annotations`, `labels`...). Anything else is an attribute, as Terraform would read an
//! object it has no block schema for.
//!
//! Spans point into the JSON text: a template's pieces are parsed from the decoded string and
//! mapped back through its offset map (`source::embedded`), so an interpolation or a literal is
//! reported where it is written; a key's span includes its quotes, like a label's.
//!
//! Hostile input: the strict JSON parser bounds nesting (here to [`MAX_JSON_DEPTH`]) and size; the
//! conversion recurses on that bounded tree, and the templates in strings are bounded by the HCL
//! parser.

use super::hcl::{
    Attribute, Block, Body, BodyItem, Element, Expr, ExprKind, ObjectItem, ObjectKey, Template,
    TemplateForm, TraversalOp,
};
use super::tree::{Limits, Node, NodeKind, ParseProblem, ProblemKind, ScalarType};
use super::{FileKind, parse};
use crate::source::Span;
use crate::source::embedded::{OffsetMap, decode_json_string, host_span};

/// How deep a `.tf.json` file may nest: the HCL parser's bound (64) and the block label levels.
pub const MAX_JSON_DEPTH: usize = 128;

/// Parse a `.tf.json` file. Never panics; a syntax error is one problem at its position.
pub fn parse_json_body(text: &str) -> Result<Body, ParseProblem> {
    let root = root(text)?;
    Converter { text }.body(&root, Schema::File)
}

/// Parse a `.tfvars.json` file: one attribute per property, every value literal.
pub fn parse_json_vars(text: &str) -> Result<Body, ParseProblem> {
    let root = root(text)?;
    Converter { text }.body(&root, Schema::Vars)
}

fn root(text: &str) -> Result<Node, ParseProblem> {
    let limits = Limits {
        max_depth: MAX_JSON_DEPTH,
        ..Limits::default()
    };
    let parsed = parse(text, FileKind::Json, limits);
    if let Some(problem) = parsed.problem {
        return Err(problem);
    }
    match parsed.documents.into_iter().next().and_then(|d| d.root) {
        Some(root) if root.as_map().is_some() => Ok(root),
        Some(root) => Err(syntax(
            root.span,
            "the root of a Terraform JSON file must be an object",
        )),
        None => Err(syntax(
            Span::default(),
            "a Terraform JSON file must hold an object",
        )),
    }
}

fn syntax(span: Span, message: &str) -> ParseProblem {
    ParseProblem {
        kind: ProblemKind::Syntax,
        span,
        message: format!("Terraform JSON syntax error: {message}"),
    }
}

/// What a body's properties are: which are nested blocks, and of what schema.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Schema {
    /// A `.tf.json` file: every property is a top-level block.
    File,
    /// A `.tfvars.json` file: every property is a literal attribute.
    Vars,
    /// `resource` and `data`, by resource type.
    Resource(ResourceKind),
    /// `aws_iam_policy_document`'s `statement`.
    Statement,
    /// `variable`: its `default` is literal.
    Variable,
    /// `dynamic "x"`: `content` is an `x` block of the parent's schema.
    Dynamic(DynamicOf),
    /// `terraform`.
    Terraform,
    /// Only attributes (`locals`, `module`, `output`, `provider`, a block of no known nesting).
    Leaf,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ResourceKind {
    PolicyDocument,
    Helm,
    /// A Kubernetes provider resource, or a block nested in one.
    Kubernetes,
    Other,
}

/// The schema of a `dynamic` block's `content`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DynamicOf {
    Statement,
    Kubernetes,
    Leaf,
}

impl DynamicOf {
    fn schema(self) -> Schema {
        match self {
            DynamicOf::Statement => Schema::Statement,
            DynamicOf::Kubernetes => Schema::Resource(ResourceKind::Kubernetes),
            DynamicOf::Leaf => Schema::Leaf,
        }
    }
}

/// Maps of the user's own keys in the Kubernetes provider's schema: attributes, not blocks.
const KUBERNETES_MAPS: &[&str] = &[
    "annotations",
    "labels",
    "node_selector",
    "data",
    "binary_data",
    "string_data",
    "match_labels",
    "limits",
    "requests",
    "parameters",
    "capacity",
];

/// The number of labels of a top-level block type.
fn top_level_labels(ident: &str) -> usize {
    match ident {
        "resource" | "data" | "ephemeral" => 2,
        "module" | "variable" | "output" | "provider" | "check" => 1,
        _ => 0,
    }
}

impl Schema {
    /// If a property `name` whose value is `value` is a nested block here: its label count and
    /// body schema. Only an object or an array of objects can be a block.
    fn nested(self, name: &str, value: &Node) -> Option<(usize, BlockSchema)> {
        let is_object = value.as_map().is_some()
            || value
                .as_seq()
                .is_some_and(|items| items.iter().all(|i| i.as_map().is_some()));
        if !is_object {
            return None;
        }
        let generic = |name: &str| match name {
            "lifecycle" | "connection" => Some((0, BlockSchema::Fixed(Schema::Leaf))),
            "provisioner" => Some((1, BlockSchema::Fixed(Schema::Leaf))),
            _ => None,
        };
        let dynamic = |of: DynamicOf| Some((1, BlockSchema::Fixed(Schema::Dynamic(of))));
        match self {
            Schema::File => Some((
                top_level_labels(name),
                match name {
                    "resource" | "data" | "ephemeral" => BlockSchema::ByResourceType,
                    "variable" => BlockSchema::Fixed(Schema::Variable),
                    "terraform" => BlockSchema::Fixed(Schema::Terraform),
                    _ => BlockSchema::Fixed(Schema::Leaf),
                },
            )),
            Schema::Vars | Schema::Leaf => None,
            Schema::Variable => match name {
                "validation" => Some((0, BlockSchema::Fixed(Schema::Leaf))),
                _ => None,
            },
            Schema::Terraform => match name {
                "required_providers" | "cloud" | "backend_config" => {
                    Some((0, BlockSchema::Fixed(Schema::Leaf)))
                }
                "backend" => Some((1, BlockSchema::Fixed(Schema::Leaf))),
                _ => None,
            },
            Schema::Statement => match name {
                "principals" | "not_principals" | "condition" => {
                    Some((0, BlockSchema::Fixed(Schema::Leaf)))
                }
                "dynamic" => dynamic(DynamicOf::Leaf),
                _ => None,
            },
            Schema::Dynamic(of) => match name {
                "content" => Some((0, BlockSchema::Fixed(of.schema()))),
                _ => None,
            },
            Schema::Resource(kind) => {
                if let Some(found) = generic(name) {
                    return Some(found);
                }
                match (kind, name) {
                    (ResourceKind::PolicyDocument, "statement") => {
                        Some((0, BlockSchema::Fixed(Schema::Statement)))
                    }
                    (ResourceKind::PolicyDocument, "dynamic") => dynamic(DynamicOf::Statement),
                    (ResourceKind::Helm, "set" | "set_sensitive" | "set_list" | "postrender") => {
                        Some((0, BlockSchema::Fixed(Schema::Leaf)))
                    }
                    (ResourceKind::Helm, "dynamic") => dynamic(DynamicOf::Leaf),
                    (ResourceKind::Kubernetes, "dynamic") => dynamic(DynamicOf::Kubernetes),
                    (ResourceKind::Kubernetes, _) if !KUBERNETES_MAPS.contains(&name) => Some((
                        0,
                        BlockSchema::Fixed(Schema::Resource(ResourceKind::Kubernetes)),
                    )),
                    (ResourceKind::Other, "inline_policy") => {
                        Some((0, BlockSchema::Fixed(Schema::Leaf)))
                    }
                    (ResourceKind::Other, "dynamic") => dynamic(DynamicOf::Leaf),
                    _ => None,
                }
            }
        }
    }
}

/// A block's body schema: fixed, or that of the resource type its first label names.
#[derive(Clone, Copy, Debug)]
enum BlockSchema {
    Fixed(Schema),
    ByResourceType,
}

fn resource_schema(ty: &str) -> Schema {
    Schema::Resource(if ty == "aws_iam_policy_document" {
        ResourceKind::PolicyDocument
    } else if ty == "helm_release" {
        ResourceKind::Helm
    } else if ty.starts_with("kubernetes_") && ty != "kubernetes_manifest" {
        ResourceKind::Kubernetes
    } else {
        ResourceKind::Other
    })
}

struct Converter<'t> {
    text: &'t str,
}

/// How a string value is read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A template.
    Expression,
    /// Literal text (a variable's default, a `.tfvars.json` value).
    Literal,
}

impl Converter<'_> {
    fn body(&self, node: &Node, schema: Schema) -> Result<Body, ParseProblem> {
        let Some(entries) = node.as_map() else {
            return Err(syntax(node.span, "a block body must be an object"));
        };
        let mut items = Vec::new();
        for entry in entries {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            if name == "//" {
                continue;
            }
            match schema.nested(name, &entry.value) {
                Some((labels, block_schema)) => {
                    let mut found = Vec::new();
                    self.blocks(
                        name,
                        entry.key.span,
                        &entry.value,
                        labels,
                        &mut Vec::new(),
                        block_schema,
                        &mut found,
                    )?;
                    items.extend(found.into_iter().map(BodyItem::Block));
                }
                None => {
                    let mode = match (schema, name) {
                        (Schema::Vars, _) | (Schema::Variable, "default") => Mode::Literal,
                        _ => Mode::Expression,
                    };
                    let value = match (schema, name) {
                        (Schema::Dynamic(_), "iterator") => self.identifier(&entry.value)?,
                        _ => self.expr(&entry.value, mode)?,
                    };
                    items.push(BodyItem::Attribute(Attribute {
                        key: name.to_string(),
                        key_span: entry.key.span,
                        span: entry.key.span.to(value.span),
                        value,
                    }));
                }
            }
        }
        Ok(Body { items })
    }

    /// The blocks of type `ident` a property's value holds: `remaining` more label levels, then a
    /// body; an array at any level is several.
    #[allow(clippy::too_many_arguments)]
    fn blocks(
        &self,
        ident: &str,
        ident_span: Span,
        node: &Node,
        remaining: usize,
        labels: &mut Vec<(String, Span)>,
        schema: BlockSchema,
        out: &mut Vec<Block>,
    ) -> Result<(), ParseProblem> {
        if let Some(items) = node.as_seq() {
            for item in items {
                self.blocks(ident, ident_span, item, remaining, labels, schema, out)?;
            }
            return Ok(());
        }
        if remaining == 0 {
            let schema = match schema {
                BlockSchema::Fixed(s) => s,
                BlockSchema::ByResourceType => {
                    resource_schema(labels.first().map_or("", |(l, _)| l.as_str()))
                }
            };
            out.push(Block {
                ident: ident.to_string(),
                ident_span,
                labels: labels.clone(),
                body: self.body(node, schema)?,
                span: ident_span.to(node.span),
            });
            return Ok(());
        }
        let Some(entries) = node.as_map() else {
            return Err(syntax(
                node.span,
                &format!("a `{ident}` block's labels must be object properties"),
            ));
        };
        for entry in entries {
            let Some(label) = entry.key.as_str() else {
                continue;
            };
            labels.push((label.to_string(), entry.key.span));
            let result = self.blocks(
                ident,
                ident_span,
                &entry.value,
                remaining - 1,
                labels,
                schema,
                out,
            );
            labels.pop();
            result?;
        }
        Ok(())
    }

    /// A `dynamic` block's `iterator`: a name written as a string.
    fn identifier(&self, node: &Node) -> Result<Expr, ParseProblem> {
        match node.as_str() {
            Some(name) if is_identifier(name) => Ok(Expr {
                kind: ExprKind::Variable(name.to_string()),
                span: node.span,
            }),
            _ => self.expr(node, Mode::Expression),
        }
    }

    fn expr(&self, node: &Node, mode: Mode) -> Result<Expr, ParseProblem> {
        let span = node.span;
        let kind = match &node.kind {
            NodeKind::Scalar(s) => match s.ty {
                ScalarType::Null => ExprKind::Null,
                ScalarType::Bool(b) => ExprKind::Bool(b),
                ScalarType::Int | ScalarType::Float => {
                    ExprKind::Number(s.text.trim().parse().unwrap_or(f64::NAN))
                }
                ScalarType::String => return self.string(&s.text, span, mode),
            },
            NodeKind::Seq(items) => ExprKind::Array(
                items
                    .iter()
                    .map(|i| self.expr(i, mode))
                    .collect::<Result<_, _>>()?,
            ),
            NodeKind::Map(entries) => {
                let mut items = Vec::with_capacity(entries.len());
                for entry in entries {
                    let key = self.expr(&entry.key, mode)?;
                    items.push(ObjectItem {
                        key: ObjectKey::Expr(key),
                        value: self.expr(&entry.value, mode)?,
                    });
                }
                ExprKind::Object(items)
            }
            NodeKind::Alias(_) => ExprKind::Null,
        };
        Ok(Expr { kind, span })
    }

    /// A JSON string at `span` (quotes included) whose decoded text is `text`.
    fn string(&self, text: &str, span: Span, mode: Mode) -> Result<Expr, ParseProblem> {
        let literal = |text: &str| Expr {
            kind: ExprKind::String(text.to_string()),
            span,
        };
        if mode == Mode::Literal || !(text.contains("${") || text.contains("%{")) {
            return Ok(literal(text));
        }
        // The offsets of the decoded text in the file; every byte at the whole string where the
        // raw text cannot be decoded again (it always can: the JSON parser accepted it).
        let map: OffsetMap = self
            .text
            .get(span.range())
            .and_then(|raw| decode_json_string(raw, span.start as usize))
            .filter(|(decoded, _)| decoded == text)
            .map(|(_, map)| map)
            .unwrap_or_else(|| crate::source::embedded::whole_span(text, span).1);
        let mut template = super::hcl::parse_template(text).map_err(|mut problem| {
            problem.span = host_span(&map, problem.span);
            problem
        })?;
        remap_elements(&mut template.elements, &map);
        match template.elements.as_slice() {
            [] => Ok(literal("")),
            [Element::Literal(lit)] => Ok(literal(&lit.text)),
            _ => Ok(Expr {
                kind: ExprKind::Template(Template {
                    form: TemplateForm::Quoted,
                    elements: template.elements,
                }),
                span,
            }),
        }
    }
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Map every span of a template parsed from decoded text into the file.
fn remap_elements(elements: &mut [Element], map: &[u32]) {
    for element in elements {
        match element {
            Element::Literal(lit) => lit.span = host_span(map, lit.span),
            Element::Interpolation(e) => remap_expr(e, map),
            Element::If {
                condition,
                then,
                otherwise,
                span,
            } => {
                remap_expr(condition, map);
                remap_elements(then, map);
                remap_elements(otherwise, map);
                *span = host_span(map, *span);
            }
            Element::For {
                collection,
                body,
                span,
                ..
            } => {
                remap_expr(collection, map);
                remap_elements(body, map);
                *span = host_span(map, *span);
            }
        }
    }
}

fn remap_expr(expr: &mut Expr, map: &[u32]) {
    expr.span = host_span(map, expr.span);
    match &mut expr.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Number(_)
        | ExprKind::String(_)
        | ExprKind::Variable(_) => {}
        ExprKind::Template(t) => remap_elements(&mut t.elements, map),
        ExprKind::Array(items) => items.iter_mut().for_each(|e| remap_expr(e, map)),
        ExprKind::Object(items) => {
            for item in items {
                match &mut item.key {
                    ObjectKey::Identifier(_, span) => *span = host_span(map, *span),
                    ObjectKey::Expr(e) => remap_expr(e, map),
                }
                remap_expr(&mut item.value, map);
            }
        }
        ExprKind::Traversal { root, operators } => {
            remap_expr(root, map);
            for (op, span) in operators {
                *span = host_span(map, *span);
                if let TraversalOp::Index(e) = op {
                    remap_expr(e, map);
                }
            }
        }
        ExprKind::Call(call) => call.args.iter_mut().for_each(|e| remap_expr(e, map)),
        ExprKind::Conditional {
            condition,
            then,
            otherwise,
        } => {
            remap_expr(condition, map);
            remap_expr(then, map);
            remap_expr(otherwise, map);
        }
        ExprKind::Unary { operand, .. } => remap_expr(operand, map),
        ExprKind::Binary { lhs, rhs, .. } => {
            remap_expr(lhs, map);
            remap_expr(rhs, map);
        }
        ExprKind::For(f) => {
            remap_expr(&mut f.collection, map);
            if let Some(k) = &mut f.key {
                remap_expr(k, map);
            }
            remap_expr(&mut f.value, map);
            if let Some(c) = &mut f.condition {
                remap_expr(c, map);
            }
        }
        ExprKind::Parenthesis(e) => remap_expr(e, map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(text: &str) -> Body {
        parse_json_body(text).unwrap_or_else(|p| panic!("{p:?}"))
    }

    fn slice(text: &str, span: Span) -> &str {
        &text[span.range()]
    }

    #[test]
    fn blocks_labels_and_attributes() {
        let text = r#"{
  "//": "a comment",
  "resource": {
    "aws_iam_role": {
      "a": {"name": "x", "tags": {"k": "v"}, "//": "ignored"},
      "b": [{"name": "y"}, {"name": "z"}]
    }
  },
  "locals": [{"l": 1}, {"m": true}],
  "variable": {"ns": {"default": "${literal}", "type": "string"}}
}"#;
        let b = body(text);
        let roles: Vec<&Block> = b.blocks_of("resource").collect();
        assert_eq!(roles.len(), 3);
        assert_eq!(roles[0].label(0), Some("aws_iam_role"));
        assert_eq!(roles[0].label(1), Some("a"));
        assert_eq!(slice(text, roles[0].labels[1].1), "\"a\"");
        assert_eq!(slice(text, roles[0].ident_span), "\"resource\"");
        assert_eq!(roles[2].label(1), Some("b"));
        let name = roles[0].body.attribute("name").unwrap();
        assert_eq!(slice(text, name.span), "\"name\": \"x\"");
        assert_eq!(name.value.kind, ExprKind::String("x".into()));
        assert!(matches!(
            roles[0].body.attribute("tags").unwrap().value.kind,
            ExprKind::Object(_)
        ));
        assert!(roles[0].body.attribute("//").is_none());
        assert_eq!(b.blocks_of("locals").count(), 2);
        assert!(b.attribute("//").is_none());
        let var = b.blocks_of("variable").next().unwrap();
        assert_eq!(var.label(0), Some("ns"));
        // A default is literal.
        assert_eq!(
            var.body.attribute("default").unwrap().value.kind,
            ExprKind::String("${literal}".into())
        );
    }

    #[test]
    fn policy_document_statements_and_dynamic_are_blocks() {
        let text = r#"{"data": {"aws_iam_policy_document": {"t": {
  "statement": [{"principals": [{"type": "Federated", "identifiers": ["x"]}],
                 "condition": [{"test": "StringEquals", "variable": "v", "values": ["a"]},
                               {"test": "StringEquals", "variable": "w", "values": ["b"]}]}],
  "dynamic": {"statement": {"for_each": "${var.s}", "iterator": "s", "content": {"condition": {"test": "t"}}}}
}}}}"#;
        let b = body(text);
        let doc = b.blocks_of("data").next().unwrap();
        let statement = doc.body.blocks_of("statement").next().unwrap();
        assert_eq!(statement.body.blocks_of("principals").count(), 1);
        assert_eq!(statement.body.blocks_of("condition").count(), 2);
        let dynamic = doc.body.blocks_of("dynamic").next().unwrap();
        assert_eq!(dynamic.label(0), Some("statement"));
        assert_eq!(
            dynamic.body.attribute("iterator").unwrap().value.kind,
            ExprKind::Variable("s".into())
        );
        let content = dynamic.body.blocks_of("content").next().unwrap();
        assert_eq!(content.body.blocks_of("condition").count(), 1);
    }

    #[test]
    fn kubernetes_blocks_but_not_maps() {
        let text = r#"{"resource": {"kubernetes_service_account_v1": {"api": {
  "metadata": {"name": "api", "annotations": {"eks.amazonaws.com/role-arn": "arn"}}
}}}}"#;
        let b = body(text);
        let sa = b.blocks_of("resource").next().unwrap();
        let metadata = sa.body.blocks_of("metadata").next().unwrap();
        assert!(matches!(
            metadata.body.attribute("annotations").unwrap().value.kind,
            ExprKind::Object(_)
        ));
    }

    #[test]
    fn templates_map_into_the_file() {
        let text = r#"{"locals": {"a": "irsa-${var.env}\n", "b": "${jsonencode({k = \"v*\"})}", "c": "$${x}", "d": 1.5, "e": null}}"#;
        let b = body(text);
        let locals = b.blocks_of("locals").next().unwrap();
        let a = &locals.body.attribute("a").unwrap().value;
        let ExprKind::Template(t) = &a.kind else {
            panic!("{a:?}")
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
        let Element::Literal(lit) = &t.elements[2] else {
            panic!()
        };
        assert_eq!((lit.text.as_str(), slice(text, lit.span)), ("\n", "\\n"));
        let bv = &locals.body.attribute("b").unwrap().value;
        let ExprKind::Template(t) = &bv.kind else {
            panic!("{bv:?}")
        };
        let Element::Interpolation(call) = &t.elements[0] else {
            panic!()
        };
        let ExprKind::Call(call) = &call.kind else {
            panic!()
        };
        let ExprKind::Object(items) = &call.args[0].kind else {
            panic!()
        };
        assert_eq!(slice(text, items[0].value.span), "\\\"v*\\\"");
        assert_eq!(
            locals.body.attribute("c").unwrap().value.kind,
            ExprKind::String("${x}".into())
        );
        assert_eq!(
            locals.body.attribute("d").unwrap().value.kind,
            ExprKind::Number(1.5)
        );
        assert_eq!(
            locals.body.attribute("e").unwrap().value.kind,
            ExprKind::Null
        );
    }

    #[test]
    fn tfvars_values_are_literal() {
        let text = r#"{"namespace": "${var.x}", "list": ["a", {"k": "${y}"}]}"#;
        let b = parse_json_vars(text).unwrap();
        assert_eq!(
            b.attribute("namespace").unwrap().value.kind,
            ExprKind::String("${var.x}".into())
        );
        assert_eq!(b.blocks().count(), 0);
    }

    #[test]
    fn hostile_input_is_a_problem() {
        for text in [
            "",
            "[]",
            "\"x\"",
            "{",
            "{\"resource\": 1}",
            "{\"resource\": {\"a\": 1}}",
            "{\"resource\": {\"a\": {\"b\": 1}}}",
            "{\"locals\": {\"a\": \"${\"}}",
            "{\"locals\": {\"a\": \"${f(\\\"}\"}}",
            "{\"locals\": {\"a\": \"%{ if x }\"}}",
            "{\"locals\": {\"a\": \"\\ud800${x}\"}}",
            "{\"locals\": {\"a\": \"${\\u0000}\"}}",
        ] {
            let _ = parse_json_body(text);
            let _ = parse_json_vars(text);
        }
        let deep = format!(
            "{{\"locals\": {{\"a\": {}{}}}}}",
            "[".repeat(500),
            "]".repeat(500)
        );
        assert!(parse_json_body(&deep).is_err());
        let deep_template = format!(
            "{{\"locals\": {{\"a\": \"${{{}1{}}}\"}}}}",
            "(".repeat(500),
            ")".repeat(500)
        );
        assert!(parse_json_body(&deep_template).is_err());
        assert!(parse_json_body("[]").is_err());
        assert!(parse_json_body("{\"locals\": {\"a\": \"${\"}}").is_err());
    }
}

//! `data "aws_iam_policy_document"` rendered as the AWS provider renders it, into a value whose
//! every piece keeps the HCL that wrote it: a `values` element at its element, a condition key at
//! `variable`, an operator at `test`, a principal at its `identifiers` element, so that
//! [`super::document_node`] gives a tree whose findings point at those places.
//!
//! What the provider does, as read in terraform-provider-aws
//! (`internal/service/iam/policy_document_data_source.go` and `policy_model.go`):
//!
//! - `version` defaults to `"2012-10-17"`; `policy_id` is `Id`; `statement` is a list (order
//!   kept); `sid` is omitted when empty and must be unique among the statements; `effect`
//!   defaults to `"Allow"`.
//! - `actions`, `not_actions`, `resources`, `not_resources` and a `principals` block's
//!   `identifiers` are sets of strings: duplicates go, one element is written as a string, more
//!   as a list sorted in reverse order (`policyDecodeConfigStrings`); an empty set is omitted.
//! - `principals` (and `not_principals`) blocks of one `type` are concatenated under that type;
//!   a type given by one block with one identifier is a string, else a list (an empty
//!   `identifiers` is an empty list: no principal, never a wildcard). Only a single block of type
//!   `"*"` with the one identifier `"*"` renders `"Principal": "*"`.
//! - `condition` blocks with the same `test` and `variable` are merged into one key whose values
//!   are the blocks' values concatenated (order kept, not deduplicated); one value is written as
//!   a string. IAM reads several values of one key as OR: see [`ConditionMerge`] (IRSA129).
//! - `&{` in `resources`, `identifiers` and condition `values` is written `${` (an IAM policy
//!   variable that HCL would otherwise interpolate).
//! - `source_policy_documents` are merged first, in order (a `Sid` repeated across them is an
//!   error), then this document's statements, then each of `override_policy_documents`: a
//!   statement whose `Sid` an earlier one has replaces it in place, one without a `Sid` or with a
//!   new one is appended; the highest `Version` and the last non-empty `Id` win.
//!
//! Not reproduced, since they change no meaning: the provider's set order of `principals` and
//! `condition` blocks (a hash; here the written order), and its re-sorting of lists in merged
//! documents. A `dynamic` block over an unknown collection, an unknown or unparsable merged
//! document, or a configuration the provider rejects (a repeated `Sid`) makes the document
//! unknown: the statements it would hold are not known.

use std::collections::HashSet;

use super::eval::{BlockRef, Env, MAX_ELEMENTS, Module};
use super::json_string_node;
use super::value::{Origin, StrPart, TfValue, ValueKind};
use crate::limits::MAX_DEPTH;
use crate::parse::hcl::{BodyItem, ExprKind};
use crate::parse::tree::{Node, NodeKind, ScalarType};
use crate::source::{SourceRef, Span};

/// `condition` blocks of one statement that the provider merged into one key: the user wrote
/// them as separate conditions (AND), IAM reads the merged values as OR.
#[derive(Clone, Debug)]
pub struct ConditionMerge {
    pub source: SourceRef,
    /// The span the merged key was rendered at (the first block's `variable` value).
    pub key_span: Span,
    /// The span the operator was rendered at (the first block's `test` value).
    pub operator_span: Span,
    /// Each merged block's `variable = ...` attribute, in the order written.
    pub blocks: Vec<Span>,
}

impl ConditionMerge {
    pub(super) fn source_is(&self, other: &ConditionMerge) -> bool {
        std::sync::Arc::ptr_eq(&self.source, &other.source)
    }
}

/// A policy document while it is merged.
#[derive(Default)]
struct Doc {
    version: Option<TfValue>,
    id: Option<TfValue>,
    statements: Vec<TfValue>,
}

/// The document of one instance of a `data "aws_iam_policy_document"` block (its `json`), None
/// when it is not known.
pub(super) fn render(module: &Module<'_>, block: &BlockRef<'_>, env: &Env) -> Option<TfValue> {
    let source = block.source;
    let header_span = block
        .block
        .labels
        .last()
        .map_or(block.block.ident_span, |(_, s)| {
            block.block.ident_span.to(*s)
        });
    let header = Origin::new(source, header_span);
    let mut merged = Doc::default();
    if let Some(sources) = module.attribute(block, "source_policy_documents", env) {
        let mut sids = HashSet::new();
        for item in collection(&sources)? {
            if item.is_null() {
                continue;
            }
            let doc = parse_document(&item)?;
            for sid in doc.statements.iter().filter_map(sid_of) {
                if !sids.insert(sid) {
                    return None;
                }
            }
            merge(&mut merged, doc);
        }
    }
    let version = module
        .attribute(block, "version", env)
        .unwrap_or_else(|| TfValue::string("2012-10-17", header.clone()));
    let mut own = Doc {
        version: Some(version),
        id: module.attribute(block, "policy_id", env),
        statements: Vec::new(),
    };
    let mut sids = HashSet::new();
    for (statement_block, scope) in expand(module, block, "statement", env)? {
        let statement = statement(module, &statement_block, &scope)?;
        if let Some(sid) = sid_of(&statement)
            && !sids.insert(sid)
        {
            return None;
        }
        own.statements.push(statement);
    }
    merge(&mut merged, own);
    if let Some(overrides) = module.attribute(block, "override_policy_documents", env) {
        for item in collection(&overrides)? {
            if item.is_null() {
                continue;
            }
            merge(&mut merged, parse_document(&item)?);
        }
    }
    let origin = Origin::new(source, block.block.span);
    let mut entries = Vec::new();
    if let Some(version) = merged
        .version
        .filter(|v| v.as_str().is_none_or(|t| !t.is_empty()))
    {
        entries.push((TfValue::string("Version", header.clone()), version));
    }
    if let Some(id) = merged
        .id
        .filter(|v| v.as_str().is_none_or(|t| !t.is_empty()))
    {
        entries.push((TfValue::string("Id", header.clone()), id));
    }
    if !merged.statements.is_empty() {
        entries.push((
            TfValue::string("Statement", header.clone()),
            TfValue::new(ValueKind::List(merged.statements), origin.clone()),
        ));
    }
    Some(TfValue::new(ValueKind::Object(entries), origin))
}

/// The provider's `Merge`: Id and Version from `new` when set (the higher Version), statements
/// with a known Sid already present replaced in place, the others appended.
fn merge(into: &mut Doc, new: Doc) {
    if let Some(id) = new.id
        && id.as_str().is_none_or(|t| !t.is_empty())
    {
        into.id = Some(id);
    }
    if let Some(version) = new.version {
        let higher = match (
            into.version.as_ref().and_then(|v| v.as_str()),
            version.as_str(),
        ) {
            (Some(old), Some(new)) => new > old,
            _ => true,
        };
        if higher {
            into.version = Some(version);
        }
    }
    for statement in new.statements {
        let existing = sid_of(&statement).and_then(|sid| {
            into.statements
                .iter()
                .position(|s| sid_of(s) == Some(sid.clone()))
        });
        match existing {
            Some(i) => into.statements[i] = statement,
            None => into.statements.push(statement),
        }
    }
}

fn sid_of(statement: &TfValue) -> Option<String> {
    let sid = get_ignore_case(statement, "Sid")?.as_str()?;
    (!sid.is_empty()).then(|| sid.into_owned())
}

/// An object's value at `key`, its name compared ignoring case (Go's `encoding/json` matches
/// struct fields so).
fn get_ignore_case<'v>(value: &'v TfValue, key: &str) -> Option<&'v TfValue> {
    value
        .as_object()?
        .iter()
        .rev()
        .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)))
        .map(|(_, v)| v)
}

/// A list argument's elements; None when unknown.
fn collection(value: &TfValue) -> Option<Vec<TfValue>> {
    match &value.kind {
        ValueKind::List(items) if items.iter().all(|i| !i.is_unknown()) => Some(items.clone()),
        ValueKind::Null => Some(Vec::new()),
        _ => None,
    }
}

/// A document given to `source_policy_documents` / `override_policy_documents`: another policy
/// document's `json`, a `jsonencode` result, or a string of JSON (a heredoc, `file()`).
fn parse_document(value: &TfValue) -> Option<Doc> {
    let tree = match &value.kind {
        ValueKind::Json(inner) => (**inner).clone(),
        ValueKind::Object(_) => value.clone(),
        ValueKind::String(_) => {
            let (host, node) = json_string_node(value)?;
            from_node(&node, &host, 0)?
        }
        _ => return None,
    };
    tree.as_object()?;
    let statements = match get_ignore_case(&tree, "Statement") {
        None => Vec::new(),
        Some(s) => match &s.kind {
            ValueKind::List(items) if items.iter().all(|i| i.as_object().is_some()) => {
                items.clone()
            }
            _ => return None,
        },
    };
    Some(Doc {
        version: get_ignore_case(&tree, "Version").cloned(),
        id: get_ignore_case(&tree, "Id").cloned(),
        statements,
    })
}

/// A JSON tree as a value, each piece at its place in `host`.
fn from_node(node: &Node, host: &SourceRef, depth: usize) -> Option<TfValue> {
    if depth > MAX_DEPTH {
        return None;
    }
    let origin = Origin::new(host, node.span);
    let kind = match &node.kind {
        NodeKind::Scalar(s) => match s.ty {
            ScalarType::String => return Some(TfValue::string(s.text.clone(), origin)),
            ScalarType::Null => ValueKind::Null,
            ScalarType::Bool(b) => ValueKind::Bool(b),
            ScalarType::Int | ScalarType::Float => ValueKind::Number(s.text.parse().ok()?),
        },
        NodeKind::Seq(items) => ValueKind::List(
            items
                .iter()
                .map(|i| from_node(i, host, depth + 1))
                .collect::<Option<_>>()?,
        ),
        NodeKind::Map(entries) => ValueKind::Object(
            entries
                .iter()
                .map(|e| {
                    let key = TfValue::string(
                        e.key.scalar_text()?.to_string(),
                        Origin::new(host, e.key.span),
                    );
                    Some((key, from_node(&e.value, host, depth + 1)?))
                })
                .collect::<Option<_>>()?,
        ),
        NodeKind::Alias(_) => return None,
    };
    Some(TfValue::new(kind, origin))
}

/// The nested blocks `ident` of `parent` in the order written, each with its scope: a block as
/// is, a `dynamic "<ident>"` block once per element of its `for_each` with its iterator bound
/// (`<ident>` unless `iterator` names another) to `{key, value}`. None when a `for_each` is
/// unknown: how many blocks there are is not known.
fn expand<'m>(
    module: &Module<'_>,
    parent: &BlockRef<'m>,
    ident: &str,
    env: &Env,
) -> Option<Vec<(BlockRef<'m>, Env)>> {
    let source = parent.source;
    let mut out = Vec::new();
    for item in &parent.block.body.items {
        let BodyItem::Block(block) = item else {
            continue;
        };
        if block.ident == ident {
            out.push((BlockRef { source, block }, env.clone()));
            continue;
        }
        if block.ident != "dynamic" || block.label(0) != Some(ident) {
            continue;
        }
        let dynamic = BlockRef { source, block };
        let for_each = module.attribute(&dynamic, "for_each", env)?;
        let iterator = match dynamic.attribute("iterator").map(|a| &a.value.kind) {
            Some(ExprKind::Variable(name)) => name.clone(),
            Some(_) => return None,
            None => ident.to_string(),
        };
        let content = BlockRef {
            source,
            block: block.body.blocks_of("content").next()?,
        };
        for (key, value) in elements(&for_each)? {
            let origin = value.origin.clone();
            let it = TfValue::new(
                ValueKind::Object(vec![
                    (TfValue::string("key", origin.clone()), key),
                    (TfValue::string("value", origin.clone()), value),
                ]),
                origin,
            );
            out.push((content, env.with(&iterator, it)));
            if out.len() > MAX_ELEMENTS {
                return None;
            }
        }
    }
    Some(out)
}

/// What a `dynamic` block iterates over, as (key, value): a list's index (a set's element) and
/// element, a map's keys in order. None when unknown.
fn elements(collection: &TfValue) -> Option<Vec<(TfValue, TfValue)>> {
    match &collection.kind {
        ValueKind::List(items) => Some(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    (
                        TfValue::new(ValueKind::Number(i as f64), v.origin.clone()),
                        v.clone(),
                    )
                })
                .collect(),
        ),
        ValueKind::Object(entries) if entries.iter().all(|(k, _)| k.as_str().is_some()) => {
            let mut sorted = entries.clone();
            sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            Some(sorted)
        }
        _ => None,
    }
}

/// One `statement` block as the provider writes it.
fn statement(module: &Module<'_>, block: &BlockRef<'_>, env: &Env) -> Option<TfValue> {
    let source = block.source;
    let at = |span: Span| Origin::new(source, span);
    let ident = at(block.block.ident_span);
    let attr = |key: &str| {
        block
            .attribute(key)
            .map(|a| (at(a.key_span), module.eval(source, &a.value, env)))
    };
    let mut entries: Vec<(TfValue, TfValue)> = Vec::new();
    if let Some((_, sid)) = attr("sid")
        && sid.as_str().is_none_or(|t| !t.is_empty())
    {
        entries.push((TfValue::string("Sid", ident.clone()), sid));
    }
    let effect = attr("effect")
        .map(|(_, v)| v)
        .unwrap_or_else(|| TfValue::string("Allow", ident.clone()));
    entries.push((TfValue::string("Effect", ident.clone()), effect));
    for (key, name, vars) in [
        ("actions", "Action", false),
        ("not_actions", "NotAction", false),
        ("resources", "Resource", true),
        ("not_resources", "NotResource", true),
    ] {
        if let Some((key_origin, value)) = attr(key)
            && let Some(value) = string_set(value, vars)
        {
            entries.push((TfValue::string(name, key_origin), value));
        }
    }
    for (ident, name) in [
        ("principals", "Principal"),
        ("not_principals", "NotPrincipal"),
    ] {
        if let Some(entry) = principals(module, block, ident, name, env)? {
            entries.push(entry);
        }
    }
    if let Some(entry) = conditions(module, block, env)? {
        entries.push(entry);
    }
    Some(TfValue::new(
        ValueKind::Object(entries),
        at(block.block.span),
    ))
}

/// A set of strings as the provider writes it: None when empty (omitted), one element as
/// itself, more deduplicated and sorted in reverse order. A wholly unknown value stays itself
/// (a hole: it may be anything). `vars`: `&{` is written `${`.
fn string_set(value: TfValue, vars: bool) -> Option<TfValue> {
    let value = if vars { policy_variables(value) } else { value };
    let ValueKind::List(items) = &value.kind else {
        return (!value.is_null()).then_some(value);
    };
    let mut seen = HashSet::new();
    let mut unique: Vec<TfValue> = items
        .iter()
        .filter(|i| seen.insert(i.rendered()))
        .cloned()
        .collect();
    match unique.len() {
        0 => None,
        1 => unique.pop(),
        _ => {
            if unique.iter().all(TfValue::is_known) {
                unique.sort_by_key(|v| std::cmp::Reverse(v.rendered()));
            }
            Some(TfValue::new(ValueKind::List(unique), value.origin))
        }
    }
}

/// `&{` written `${` in every literal text of a string or list of strings.
fn policy_variables(mut value: TfValue) -> TfValue {
    match &mut value.kind {
        ValueKind::String(parts) => {
            for part in parts {
                if let StrPart::Literal { text, form, .. } = part
                    && text.contains("&{")
                {
                    *text = text.replace("&{", "${");
                    *form = None;
                }
            }
        }
        ValueKind::List(items) => {
            for item in items.iter_mut() {
                *item = policy_variables(item.clone());
            }
        }
        _ => {}
    }
    value
}

/// The elements of a list argument (a single value as one element, a wholly unknown one as one
/// unknown element).
fn items(value: TfValue) -> Vec<TfValue> {
    match value.kind {
        ValueKind::List(items) => items,
        ValueKind::Null => Vec::new(),
        _ => vec![value],
    }
}

type Entry = (TfValue, TfValue);

/// The `principals` (or `not_principals`) blocks of a statement as its `Principal` element.
/// Some(None) when there are none; None when unknown.
fn principals(
    module: &Module<'_>,
    statement: &BlockRef<'_>,
    ident: &str,
    name: &str,
    env: &Env,
) -> Option<Option<Entry>> {
    let blocks = expand(module, statement, ident, env)?;
    let Some((first, _)) = blocks.first() else {
        return Some(None);
    };
    let key = TfValue::string(name, Origin::new(first.source, first.block.ident_span));
    // (type, identifiers, blocks of the type, origin of the first identifiers)
    let mut types: Vec<(TfValue, Vec<TfValue>, usize, Origin)> = Vec::new();
    for (block, scope) in &blocks {
        let ty = module.attribute(block, "type", scope)?;
        let ids_value = module.attribute(block, "identifiers", scope)?;
        let ids_origin = ids_value.origin.clone();
        let ids = match string_set(ids_value, true) {
            None => Vec::new(),
            Some(v) if matches!(v.kind, ValueKind::List(_)) => items(v),
            Some(v) => vec![v],
        };
        let rendered = ty.rendered();
        match types.iter_mut().find(|(t, ..)| t.rendered() == rendered) {
            Some((_, all, count, _)) => {
                all.extend(ids);
                *count += 1;
            }
            None => types.push((ty, ids, 1, ids_origin)),
        }
    }
    if let [(ty, ids, 1, _)] = types.as_slice()
        && ty.as_str().as_deref() == Some("*")
        && let [only] = ids.as_slice()
        && only.as_str().as_deref() == Some("*")
    {
        return Some(Some((key, only.clone())));
    }
    types.sort_by_key(|(t, ..)| t.rendered());
    let origin = Origin::new(first.source, first.block.span);
    let entries = types
        .into_iter()
        .map(|(ty, mut ids, count, ids_origin)| {
            let value = if count == 1 && ids.len() == 1 {
                ids.pop()
                    .unwrap_or_else(|| TfValue::null(ids_origin.clone()))
            } else {
                TfValue::new(ValueKind::List(ids), ids_origin)
            };
            (ty, value)
        })
        .collect();
    Some(Some((
        key,
        TfValue::new(ValueKind::Object(entries), origin),
    )))
}

/// One key of the `Condition` element while blocks are merged into it.
struct Merged {
    test: TfValue,
    variable: TfValue,
    values: Vec<TfValue>,
    values_origin: Origin,
    /// Each block's `variable` attribute.
    blocks: Vec<Span>,
}

/// The `condition` blocks of a statement as its `Condition` element, blocks with the same `test`
/// and `variable` merged (and recorded, see [`ConditionMerge`]). Some(None) when there are
/// none; None when unknown.
fn conditions(module: &Module<'_>, statement: &BlockRef<'_>, env: &Env) -> Option<Option<Entry>> {
    let blocks = expand(module, statement, "condition", env)?;
    let Some((first, _)) = blocks.first() else {
        return Some(None);
    };
    let key = TfValue::string(
        "Condition",
        Origin::new(first.source, first.block.ident_span),
    );
    let mut merged: Vec<Merged> = Vec::new();
    // Identical blocks are one element of the provider's set.
    let mut seen = HashSet::new();
    for (block, scope) in &blocks {
        let test = module.attribute(block, "test", scope)?;
        let variable = module.attribute(block, "variable", scope)?;
        let values = policy_variables(module.attribute(block, "values", scope)?);
        let values_origin = values.origin.clone();
        let values = items(values);
        let identity = (
            test.rendered(),
            variable.rendered(),
            values.iter().map(TfValue::rendered).collect::<Vec<_>>(),
        );
        if !seen.insert(identity) {
            continue;
        }
        let variable_span = block
            .attribute("variable")
            .map_or(block.block.span, |a| a.span);
        let (t, v) = (test.rendered(), variable.rendered());
        match merged
            .iter_mut()
            .find(|m| m.test.rendered() == t && m.variable.rendered() == v)
        {
            Some(m) => {
                m.values.extend(values);
                m.blocks.push(variable_span);
            }
            None => merged.push(Merged {
                test,
                variable,
                values,
                values_origin,
                blocks: vec![variable_span],
            }),
        }
    }
    let source = statement.source;
    // An operator key is reported at the first block written with it.
    let mut first_tests: Vec<TfValue> = Vec::new();
    for m in &merged {
        if !first_tests
            .iter()
            .any(|t| t.rendered() == m.test.rendered())
        {
            first_tests.push(m.test.clone());
        }
    }
    let mut operators: Vec<Entry> = Vec::new();
    merged.sort_by_key(|m| (m.test.rendered(), m.variable.rendered()));
    for m in merged {
        if m.blocks.len() > 1 {
            module.data.record_merge(ConditionMerge {
                source: source.clone(),
                key_span: m.variable.origin.span,
                operator_span: m.test.origin.span,
                blocks: m.blocks.clone(),
            });
        }
        let mut values = m.values;
        let value = if values.len() == 1 {
            values
                .pop()
                .unwrap_or_else(|| TfValue::null(m.values_origin.clone()))
        } else {
            TfValue::new(ValueKind::List(values), m.values_origin)
        };
        let rendered = m.test.rendered();
        let entry = (m.variable.clone(), value);
        match operators.iter_mut().find(|(t, _)| t.rendered() == rendered) {
            Some((_, keys)) => {
                if let ValueKind::Object(entries) = &mut keys.kind {
                    entries.push(entry);
                }
            }
            None => {
                let test = first_tests
                    .iter()
                    .find(|t| t.rendered() == rendered)
                    .cloned()
                    .unwrap_or(m.test);
                let origin = test.origin.clone();
                operators.push((test, TfValue::new(ValueKind::Object(vec![entry]), origin)));
            }
        }
    }
    let origin = Origin::new(first.source, first.block.span);
    Some(Some((
        key,
        TfValue::new(ValueKind::Object(operators), origin),
    )))
}

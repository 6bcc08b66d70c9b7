//! Data sources whose value the module's own text decides: `data "aws_iam_policy_document"`
//! (its `json` and `minified_json`, see [`super::policy_document`]) and the legacy
//! `data "template_file"` (its `rendered`). Every other data source is the world's, unknown.
//!
//! A reference `data.<type>.<name>` evaluates to the data source's value as Terraform has it: an
//! object, a list of objects for `count`, an object of objects for `for_each`. Values are
//! computed once per module (a data source does not depend on where it is referenced) and keep
//! the origins of the data block, so a trust policy built by a policy document points into it
//! wherever the document is used. A data source that references itself, directly or through
//! others, is unknown (Terraform rejects the cycle).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

use super::eval::{Ctx, Env, Module, object, template_file};
use super::policy_document::{self, ConditionMerge};
use super::value::{Origin, StrPart, TfValue, ValueKind};
use crate::parse::hcl::{self, Literal};
use crate::source::Span;

/// The data-source types evaluated here.
pub const EVALUATED: [&str; 2] = ["aws_iam_policy_document", "template_file"];

enum State {
    Evaluating,
    Done(Option<TfValue>),
}

/// What a module remembers of its data sources.
#[derive(Default)]
pub(super) struct Cache {
    values: RefCell<HashMap<(String, String), State>>,
    /// Data sources some evaluated expression referenced.
    referenced: RefCell<HashSet<(String, String)>>,
    /// `condition` blocks the provider merges into one key, recorded while rendering.
    merges: RefCell<Vec<ConditionMerge>>,
}

impl Cache {
    pub(super) fn record_merge(&self, merge: ConditionMerge) {
        let mut merges = self.merges.borrow_mut();
        if !merges
            .iter()
            .any(|m| m.key_span == merge.key_span && m.source_is(&merge))
        {
            merges.push(merge);
        }
    }
}

/// `data.<ty>.<name>` read from an expression: the data source's value, None when it is not one
/// evaluated here (or not defined, or in a cycle): the caller makes it unknown.
pub(super) fn reference(ctx: &Ctx<'_, '_>, ty: &str, name: &str, span: Span) -> Option<TfValue> {
    if !EVALUATED.contains(&ty) {
        return None;
    }
    let module = ctx.module;
    module
        .data
        .referenced
        .borrow_mut()
        .insert((ty.to_string(), name.to_string()));
    ctx.referencing(span, || {
        value(module, ty, name).ok_or_else(|| ctx.error(span, "unknown data source"))
    })
    .ok()
    .filter(|v| !v.is_unknown())
}

impl Module<'_> {
    /// The value of `data.<ty>.<name>` (computed once), None when unknown.
    pub fn data_source(&self, ty: &str, name: &str) -> Option<TfValue> {
        value(self, ty, name)
    }

    /// True when an expression evaluated so far referenced `data.<ty>.<name>`.
    pub fn data_source_referenced(&self, ty: &str, name: &str) -> bool {
        self.data
            .referenced
            .borrow()
            .contains(&(ty.to_string(), name.to_string()))
    }

    /// The `condition` blocks merged into one key by the policy documents rendered so far.
    pub fn condition_merges(&self) -> Vec<ConditionMerge> {
        self.data.merges.borrow().clone()
    }
}

fn value(module: &Module<'_>, ty: &str, name: &str) -> Option<TfValue> {
    let key = (ty.to_string(), name.to_string());
    match module.data.values.borrow().get(&key) {
        Some(State::Done(v)) => return v.clone(),
        Some(State::Evaluating) => return None,
        None => {}
    }
    let block = module.data_sources(ty).find(|b| b.label(1) == Some(name))?;
    module
        .data
        .values
        .borrow_mut()
        .insert(key.clone(), State::Evaluating);
    let one = |env: &Env| -> Option<TfValue> {
        let origin = Origin::new(block.source, block.block.span);
        let (attr, v) = match ty {
            "aws_iam_policy_document" => {
                let doc = policy_document::render(module, &block, env)?;
                let json = TfValue::new(ValueKind::Json(Box::new(doc)), origin.clone());
                return Some(object(
                    vec![("json", json.clone()), ("minified_json", json)],
                    &origin.source,
                    origin.span,
                ));
            }
            _ => ("rendered", rendered_template(module, &block, env)?),
        };
        Some(object(vec![(attr, v)], &origin.source, origin.span))
    };
    let envs = module.instances(&block);
    let origin = Origin::new(block.source, block.block.span);
    let result = if let Some(attr) = block.attribute("count") {
        match envs.as_slice() {
            [env] if env.instance_key().is_empty() => None,
            _ => envs
                .iter()
                .map(one)
                .collect::<Option<Vec<_>>>()
                .map(|items| {
                    TfValue::new(
                        ValueKind::List(items),
                        Origin::new(block.source, attr.value.span),
                    )
                }),
        }
    } else if block.attribute("for_each").is_some() {
        match envs.as_slice() {
            [env] if env.instance_key().is_empty() => None,
            _ => envs
                .iter()
                .map(|env| {
                    let key = env.lookup("each")?.get("key")?.as_str()?.into_owned();
                    Some((TfValue::string(key, origin.clone()), one(env)?))
                })
                .collect::<Option<Vec<_>>>()
                .map(|entries| TfValue::new(ValueKind::Object(entries), origin.clone())),
        }
    } else {
        envs.first().and_then(one)
    };
    module
        .data
        .values
        .borrow_mut()
        .insert(key, State::Done(result.clone()));
    result
}

/// `data "template_file"`: `template` rendered with `vars`, as `templatefile` renders a file.
/// A template read with `file()` is parsed as a template file (every directive and function);
/// one written inline (its `${...}` escaped as `$${...}` so that HCL leaves it alone) has its
/// `${name}` references substituted, and anything else in it makes the result unknown.
fn rendered_template(
    module: &Module<'_>,
    block: &super::BlockRef<'_>,
    env: &Env,
) -> Option<TfValue> {
    let template = module.attribute(block, "template", env)?;
    let mut vars = Env::new();
    if let Some(given) = module.attribute(block, "vars", env) {
        for (k, v) in given.as_object()? {
            vars = vars.with(&k.as_str()?, v.clone());
        }
    }
    let ValueKind::String(parts) = &template.kind else {
        return None;
    };
    let ctx = module.ctx(block.source);
    if let [
        StrPart::Literal {
            text,
            origin,
            form: Some(hcl::TemplateForm::File),
        },
    ] = parts.as_slice()
        && text.len() == origin.source.text.len()
    {
        let file = origin.source.clone();
        let attr = block.attribute("template")?;
        return template_file(&ctx, &file, &vars, attr.value.span).ok();
    }
    let mut out = Vec::new();
    for part in parts {
        let StrPart::Literal { text, origin, form } = part else {
            return None;
        };
        let offsets = match form {
            Some(form) => hcl::literal_offsets(
                &origin.source.text,
                &Literal {
                    text: text.clone(),
                    span: origin.span,
                },
                *form,
            ),
            None => vec![origin.span.start; text.len() + 1],
        };
        let piece = |from: usize, to: usize| StrPart::Literal {
            text: text[from..to].to_string(),
            origin: Origin::new(
                &origin.source,
                Span::new(offsets[from] as usize, offsets[to] as usize),
            ),
            form: None,
        };
        let mut rest = 0;
        let mut at = 0;
        while let Some(found) = text[at..].find(['$', '%']).map(|i| i + at) {
            if text[found + 1..].starts_with('{') {
                if text.as_bytes()[found] == b'%' {
                    return None;
                }
                let close = text[found..].find('}')? + found;
                let name = text[found + 2..close].trim();
                if !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    return None;
                }
                let value = vars.lookup(name)?;
                if found > rest {
                    out.push(piece(rest, found));
                }
                out.extend(ctx.string_parts(value.clone(), Span::default()).ok()?);
                rest = close + 1;
                at = rest;
            } else {
                at = found + 1;
            }
        }
        if rest < text.len() {
            out.push(piece(rest, text.len()));
        }
    }
    Some(TfValue::new(ValueKind::String(out), template.origin))
}

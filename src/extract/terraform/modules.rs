//! `module` blocks: the trust policies of the roles a module call creates.
//!
//! Two kinds of call are read:
//!
//! * **The published IRSA modules**, whose trust is synthesised here, in Rust, from the call's
//!   evaluated arguments, statement by statement as the module's own `aws_iam_policy_document`
//!   would render it (see [`Known`]; the modules' sources were read at the tags below, none of
//!   their code is copied). Their source is not in the repository, so every span of the
//!   synthesised policy is in the calling file: a subject at the element of
//!   `namespace_service_accounts` it came from, the operator at `assume_role_condition_test` /
//!   `trust_condition_test` when given, the `Federated` principal and the condition keys at
//!   `provider_arn`, and whatever the module itself writes (a default operator, the `:aud`
//!   condition, actions) at the block's `module "name"`.
//! * **Local modules** (`source = "./modules/irsa"`, `"../x"`): the called directory's `.tf`
//!   files, read through the [`FileLoader`] (which keeps them inside the repository), are
//!   evaluated as a [`Module`] with the call's arguments as its variables, and its
//!   `aws_iam_role`s and its own module calls are read (nested calls up to [`MAX_MODULE_DEPTH`],
//!   a directory never inside itself). The policy is re-anchored into the calling file: a value
//!   the caller gave keeps its place there, anything the module writes itself points at the
//!   call's `module "name"`.
//!
//! A local module's directory is usually linted on its own too, with its variables unknown (no
//! finding rests on them). So that the same policy is not reported twice, a policy of a local
//! module's call is kept only when some part of it comes from the caller: one the module builds
//! from its own text alone is the standalone run's to report.
//!
//! # Versions
//!
//! The `version` argument (registry sources) or the `?ref=` of a git source picks the behaviour:
//! the newest release tag the constraint allows (`~> 5.0` → 5.60.0, `>= 4.12` → the newest tag
//! that has the module), among the tags of [`IAM_TAGS`] / [`ADDON_TAGS`]; no `version`, an
//! unknown one, a `ref` that is no version tag (a branch, a commit): the newest. Verified
//! against the sources at these tags (`git show vX:modules/.../main.tf`):
//!
//! | module | tags | what changes |
//! |---|---|---|
//! | `iam-role-for-service-accounts-eks` | 4.12.0–5.60.0 | 4.12: `:sub` under `StringEquals`; 4.14.0: `assume_role_condition_test` (default `StringEquals`); 4.21.1: `:aud` = `sts.amazonaws.com` under the same operator; 5.5.0: `allow_self_assume_role` (AWS principal = the role's ARN); 5.5.2: that statement is AWS `*` with `ArnLike` `aws:PrincipalArn`, `role_path` defaults to `/` |
//! | `iam-role-for-service-accounts` | 6.0.0–6.5.0 | `trust_condition_test`; name from `name` + `use_name_prefix` (default true: `name_prefix = "${name}-"`); `create` |
//! | `iam-assumable-role-with-oidc` | 4.0.0–5.60.0 | `create_role` defaults to false; `:sub` only when `oidc_fully_qualified_subjects` (`StringEquals`) or `oidc_subjects_with_wildcards` (`StringLike`) are given; 4.3.0: `oidc_fully_qualified_audiences` (`StringLike` `:aud`); 5.5.0/5.5.2: self-assume as above; 5.44.0: `sts:TagSession` and `provider_trust_policy_conditions` |
//! | `iam-role` with `enable_oidc` | 6.0.0–6.5.0 | `oidc_subjects` (`StringEquals`), `oidc_wildcard_subjects` (`StringLike`), `oidc_audiences` (`StringEquals`), `trust_policy_conditions`; `sts:TagSession` |
//! | aws-ia `eks-blueprints-addon` | 1.0.0–1.1.1 | `create_role` defaults to false; one subject per `oidc_providers` entry (`namespace`, default the release's namespace or `default`, and `service_account`) |
//! | `eks-pod-identity` | 1.0.0–2.8.1 | one `pods.eks.amazonaws.com` statement (`sts:AssumeRole`, `sts:TagSession`); 1.4.0: `trust_policy_conditions`; `create`, name as in 6.x |
//!
//! Not synthesised (the call gives no policy, nothing is concluded): a trust that holds
//! statements beyond the OIDC ones that are not modelled here (`iam-role`'s GitHub, Bitbucket and
//! SAML statements or `trust_policy_permissions`, the addon's and `eks-pod-identity`'s
//! `trust_policy_statements`), an `oidc_providers` or operator that stays unknown, a version
//! outside the table.

use std::collections::HashMap;
use std::path::Path;

use super::roles::{RoleValues, TerraformPolicy, iam_role_values, read_role_policy};
use super::value::{Origin, StrPart, TfValue, ValueKind};
pub use super::versions::{ADDON_TAGS, IAM_TAGS, POD_IDENTITY_TAGS, Version, newest_allowed, tags};
use super::{BlockRef, Env, Module, document_node};
use crate::model::policy::{Located, RoleIdentity};
use crate::parse::hcl;
use crate::source::{SourceRef, Span};

/// Nested module calls (a local module calling another) past which nothing is read.
pub const MAX_MODULE_DEPTH: usize = 8;
/// Module instances (a call's `count`/`for_each` instances, nested ones included) evaluated per
/// linted directory; past it, further calls give no policy.
pub const MAX_MODULE_INSTANCES: usize = 256;

/// A module the synthesis knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known {
    /// `terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks` (4.12–5.x).
    IrsaEks,
    /// `…//modules/iam-role-for-service-accounts` (6.x).
    Irsa,
    /// `…//modules/iam-assumable-role-with-oidc` (4.x–5.x).
    AssumableRoleWithOidc,
    /// `…//modules/iam-role` (6.x), its `enable_oidc` statements.
    IamRole,
    /// `aws-ia/eks-blueprints-addon/aws`.
    BlueprintsAddon,
    /// `terraform-aws-modules/eks-pod-identity/aws`: a role for `pods.eks.amazonaws.com`.
    EksPodIdentity,
}

impl Known {
    /// The tags that have the module: `[from, to)` of which list.
    fn range(self) -> (&'static str, Version, Version) {
        let v = |a, b, c| Version(a, b, c);
        match self {
            Known::IrsaEks => (IAM_TAGS, v(4, 12, 0), v(6, 0, 0)),
            Known::Irsa | Known::IamRole => (IAM_TAGS, v(6, 0, 0), v(u32::MAX, 0, 0)),
            Known::AssumableRoleWithOidc => (IAM_TAGS, v(4, 0, 0), v(6, 0, 0)),
            Known::BlueprintsAddon => (ADDON_TAGS, v(1, 0, 0), v(u32::MAX, 0, 0)),
            Known::EksPodIdentity => (POD_IDENTITY_TAGS, v(1, 0, 0), v(u32::MAX, 0, 0)),
        }
    }

    /// The version a call uses: its constraint's newest allowed tag.
    pub fn version(self, constraint: Option<&str>) -> Option<Version> {
        let (list, from, to) = self.range();
        newest_allowed(&tags(list), from, to, constraint)
    }

    /// The outputs that give the role's ARN.
    fn arn_outputs(self) -> &'static [&'static str] {
        match self {
            Known::IrsaEks
            | Known::AssumableRoleWithOidc
            | Known::BlueprintsAddon
            | Known::EksPodIdentity => &["iam_role_arn"],
            Known::Irsa => &["arn"],
            Known::IamRole => &["arn", "iam_role_arn"],
        }
    }
}

/// What a `module` block's `source` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModuleSource {
    /// A known module, with the version constraint its source itself fixes (a git `?ref=`).
    Known(Known, Option<String>),
    /// A directory of the repository, relative to the calling module's.
    Local(String),
}

/// Read a `source` string; None for a module this does not read.
pub fn classify(source: &str) -> Option<ModuleSource> {
    let s = source.trim();
    if s.starts_with("./") || s.starts_with("../") {
        return Some(ModuleSource::Local(s.to_string()));
    }
    let (repo, sub, reference) = registry_source(s);
    let known = match (repo, sub) {
        ("terraform-aws-modules/iam/aws" | "terraform-aws-modules/terraform-aws-iam", sub) => {
            match sub {
                "modules/iam-role-for-service-accounts-eks" => Known::IrsaEks,
                "modules/iam-role-for-service-accounts" => Known::Irsa,
                "modules/iam-assumable-role-with-oidc" => Known::AssumableRoleWithOidc,
                "modules/iam-role" => Known::IamRole,
                _ => return None,
            }
        }
        ("aws-ia/eks-blueprints-addon/aws" | "aws-ia/terraform-aws-eks-blueprints-addon", "") => {
            Known::BlueprintsAddon
        }
        (
            "terraform-aws-modules/eks-pod-identity/aws"
            | "terraform-aws-modules/terraform-aws-eks-pod-identity",
            "",
        ) => Known::EksPodIdentity,
        _ => return None,
    };
    // A ref that is no version (a branch, a commit) is read as the newest.
    let constraint = reference
        .filter(|r| Version::parse(r).is_some())
        .map(|r| format!("= {}", r.trim_start_matches('v')));
    Some(ModuleSource::Known(known, constraint))
}

/// A registry or git `source` as (repository, sub-directory, `?ref=`): `git::https://github.com/
/// o/r.git//modules/x?ref=v1` → (`o/r`, `modules/x`, `v1`); `o/name/aws` → (`o/name/aws`, ``).
pub fn registry_source(source: &str) -> (&str, &str, Option<String>) {
    let s = source.trim();
    let (s, reference) = match s.split_once('?') {
        Some((s, query)) => (
            s,
            query
                .split('&')
                .find_map(|kv| kv.strip_prefix("ref="))
                .map(str::to_string),
        ),
        None => (s, None),
    };
    let s = s.strip_prefix("git::").unwrap_or(s);
    let s = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("ssh://"))
        .unwrap_or(s);
    let s = s
        .strip_prefix("registry.terraform.io/")
        .or_else(|| s.strip_prefix("git@github.com:"))
        .or_else(|| s.strip_prefix("github.com/"))
        .or_else(|| s.strip_prefix("git@github.com/"))
        .unwrap_or(s);
    let (repo, sub) = s.split_once("//").unwrap_or((s, ""));
    let repo = repo.trim_end_matches('/').trim_end_matches(".git");
    (repo, sub.trim_end_matches('/'), reference)
}

/// A role a module call creates, before it is read: its values, origins wherever they were
/// written.
struct Synthesised {
    /// Inside the call: `aws_iam_role.this[0]`, `module.inner.aws_iam_role.this[0]`.
    address: String,
    document: TfValue,
    name: Option<TfValue>,
    name_prefix: Option<TfValue>,
    path: Option<TfValue>,
    /// Outputs of the called module that give the role's ARN (known modules called directly).
    arn_outputs: &'static [&'static str],
    /// True when a local module is on the way (so the standalone run may report it too).
    through_local: bool,
}

/// What bounds one directory's module evaluation.
struct Walk {
    instances: usize,
    /// Directories of the calls being evaluated (no module is evaluated inside itself).
    stack: Vec<String>,
}

/// The trust policies of the roles `module`'s calls create, each belonging to the file of its
/// `module` block, spans in that file.
pub fn module_policies(module: &Module) -> Vec<TerraformPolicy> {
    let mut walk = Walk {
        instances: 0,
        stack: vec![normalize(module.path_module())],
    };
    let mut out = Vec::new();
    for call in module.module_calls() {
        let Some(label) = call.label(0) else { continue };
        let header = header_span(&call);
        for env in module.instances(&call) {
            let prefix = format!("module.{label}{}", env.instance_key());
            for found in synthesise_call(module, &call, &env, true, &mut walk) {
                if found.through_local && !comes_from(&found.document, call.source) {
                    continue;
                }
                let document = reanchor(&found.document, call.source, header, 0);
                let Some((source, node)) = document_node(&document) else {
                    continue;
                };
                let address = format!("{prefix}.{}", found.address);
                let mut policy = read_role_policy(&source, &node, &address);
                let located = |v: &Option<TfValue>| {
                    let v = reanchor(v.as_ref()?, &source, header, 0);
                    let text = v.as_str()?.into_owned();
                    Some(Located {
                        value: text,
                        span: v.origin.span,
                    })
                };
                // A role named by a prefix has its name only after apply: it is linked by the
                // prefix (Terraform appends a 26-digit suffix).
                let (name, name_prefix) = match located(&found.name_prefix) {
                    Some(prefix) => (None, Some(prefix)),
                    None => (located(&found.name), None),
                };
                if let Some(anchor) = name.as_ref().or(name_prefix.as_ref()).map(|l| l.span) {
                    let path = located(&found.path).unwrap_or(Located {
                        value: "/".to_string(),
                        span: anchor,
                    });
                    policy.role = Some(RoleIdentity {
                        name,
                        name_prefix,
                        path: Some(path),
                        arn: None,
                        partition: None,
                        account: None,
                    });
                }
                policy.arn_references = found
                    .arn_outputs
                    .iter()
                    .map(|o| format!("{prefix}.{o}"))
                    .collect();
                policy.resource_address = Some(address);
                out.push(TerraformPolicy {
                    block_source: call.source.clone(),
                    policy,
                });
            }
        }
    }
    out
}

/// The roles one instance of a module call creates.
fn synthesise_call(
    module: &Module,
    call: &BlockRef<'_>,
    env: &Env,
    top: bool,
    walk: &mut Walk,
) -> Vec<Synthesised> {
    if walk.instances >= MAX_MODULE_INSTANCES || walk.stack.len() > MAX_MODULE_DEPTH {
        return Vec::new();
    }
    walk.instances += 1;
    let Some(source) = module
        .attribute(call, "source", &Env::new())
        .and_then(|s| s.as_str().map(|s| s.into_owned()))
    else {
        return Vec::new();
    };
    let Some(kind) = classify(&source) else {
        return Vec::new();
    };
    let args = Args::of(module, call, env, top);
    match kind {
        ModuleSource::Known(known, reference) => {
            let Some(version) = call_version(module, call, known, reference) else {
                return Vec::new();
            };
            let at = Origin::new(call.source, header_span(call));
            synthesise_known(known, version, &args, &at)
                .map(|mut s| {
                    s.arn_outputs = known.arn_outputs();
                    vec![s]
                })
                .unwrap_or_default()
        }
        ModuleSource::Local(dir) => local_module(module, &dir, args, walk),
    }
}

/// The version of `known` a call uses: its source's `?ref=`, else its `version` argument.
pub(super) fn call_version(
    module: &Module,
    call: &BlockRef<'_>,
    known: Known,
    reference: Option<String>,
) -> Option<Version> {
    let constraint = reference.or_else(|| {
        module
            .attribute(call, "version", &Env::new())
            .and_then(|v| v.as_str().map(|s| s.into_owned()))
    });
    known.version(constraint.as_deref())
}

/// A local module's roles, and its own calls' roles, with `args` as its variables.
fn local_module(module: &Module, dir: &str, args: Args, walk: &mut Walk) -> Vec<Synthesised> {
    let path = normalize(&format!("{}/{dir}", module.path_module()));
    // The loader decides what may be read (inside the repository); a directory already being
    // evaluated is a cycle.
    if walk.stack.contains(&path) {
        return Vec::new();
    }
    let files: Vec<(SourceRef, hcl::Body)> = module
        .loader()
        .list_tf(Path::new(&path))
        .into_iter()
        .filter_map(|source| {
            let body = hcl::parse_body(&source.text).ok()?;
            Some((source, body))
        })
        .collect();
    if files.is_empty() {
        return Vec::new();
    }
    let given = args.values.into_iter().map(|(k, v)| (k, v.0)).collect();
    let child = Module::new(files, Vec::new(), given, path.clone(), module.loader());
    let mut out: Vec<Synthesised> = iam_role_values(&child)
        .into_iter()
        .map(|r: RoleValues| Synthesised {
            address: r.address,
            document: r.assume_role_policy,
            name: r.name,
            name_prefix: r.name_prefix,
            path: r.path,
            arn_outputs: &[],
            through_local: true,
        })
        .collect();
    walk.stack.push(path);
    for call in child.module_calls() {
        let Some(label) = call.label(0) else { continue };
        for env in child.instances(&call) {
            let prefix = format!("module.{label}{}", env.instance_key());
            for mut found in synthesise_call(&child, &call, &env, false, walk) {
                found.address = format!("{prefix}.{}", found.address);
                found.arn_outputs = &[];
                found.through_local = true;
                out.push(found);
            }
        }
    }
    walk.stack.pop();
    out
}

/// `a/./b/../c` → `a/c`; a path that climbs above its start keeps its leading `..`.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for piece in path.split('/') {
        match piece {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

/// `module "name"`: where what a module writes by itself is reported.
pub(super) fn header_span(call: &BlockRef<'_>) -> Span {
    let end = call
        .block
        .labels
        .first()
        .map_or(call.block.ident_span.end, |l| l.1.end);
    Span::new(call.block.span.start as usize, end as usize)
}

/// Meta-arguments of a `module` block: not variables of the module.
const META: [&str; 6] = [
    "source",
    "version",
    "count",
    "for_each",
    "providers",
    "depends_on",
];

/// A call's arguments, evaluated in the caller, each with the span of its `key = value`.
pub(super) struct Args {
    pub(super) values: HashMap<String, (TfValue, Span)>,
}

impl Args {
    /// The arguments of one instance. At the top (the linted directory's own call), values
    /// written in the caller's other files are re-anchored at the argument, so everything the
    /// caller gave points into the calling file.
    pub(super) fn of(module: &Module, call: &BlockRef<'_>, env: &Env, top: bool) -> Args {
        let mut values = HashMap::new();
        for attr in call.block.body.attributes() {
            if META.contains(&attr.key.as_str()) {
                continue;
            }
            let mut value = module.eval(call.source, &attr.value, env);
            if top {
                value = reanchor(&value, call.source, attr.span, 0);
            }
            values.insert(attr.key.clone(), (value, attr.span));
        }
        Args { values }
    }

    /// A given, non-null argument.
    pub(super) fn get(&self, key: &str) -> Option<&TfValue> {
        self.values.get(key).map(|v| &v.0).filter(|v| !v.is_null())
    }

    /// A boolean argument: Some when known (or defaulted), None when unknown.
    pub(super) fn flag(&self, key: &str, default: bool) -> Option<bool> {
        match self.get(key) {
            None => Some(default),
            Some(v) => v.as_bool(),
        }
    }

    /// A list argument (`[]` when not given); None when unknown.
    fn list(&self, key: &str) -> Option<Vec<TfValue>> {
        match self.get(key) {
            None => Some(Vec::new()),
            Some(v) => v.as_list().map(<[TfValue]>::to_vec),
        }
    }

    /// A string argument, or `default` at `at`.
    fn string_or(&self, key: &str, default: &str, at: &Origin) -> TfValue {
        self.get(key)
            .cloned()
            .unwrap_or_else(|| TfValue::string(default, at.clone()))
    }

    /// The operator argument (default `StringEquals` at `at`), None when it is not a known
    /// string: an unknown operator would be read as a misspelt one.
    fn operator(&self, key: Option<&str>, at: &Origin) -> Option<TfValue> {
        let value = match key {
            Some(key) => self.string_or(key, "StringEquals", at),
            None => TfValue::string("StringEquals", at.clone()),
        };
        value.as_str().is_some().then_some(value)
    }
}

/// Values the synthesis writes, at one place.
struct Writer<'a> {
    at: &'a Origin,
}

impl Writer<'_> {
    fn s(&self, text: &str) -> TfValue {
        TfValue::string(text, self.at.clone())
    }

    fn obj(&self, entries: Vec<(&str, TfValue)>) -> TfValue {
        self.obj_keys(entries.into_iter().map(|(k, v)| (self.s(k), v)).collect())
    }

    fn obj_keys(&self, entries: Vec<(TfValue, TfValue)>) -> TfValue {
        TfValue::new(ValueKind::Object(entries), self.at.clone())
    }

    /// A list as `aws_iam_policy_document` writes it: one element alone, else a list.
    fn one_or_list(&self, mut items: Vec<TfValue>) -> TfValue {
        if items.len() == 1 {
            return items.remove(0);
        }
        TfValue::new(ValueKind::List(items), self.at.clone())
    }

    /// `text` followed by a value's parts (a wholly unknown value is one unknown part), at the
    /// value's place.
    fn prefixed(&self, text: &str, value: &TfValue) -> TfValue {
        let mut parts = vec![StrPart::Literal {
            text: text.to_string(),
            origin: value.origin.clone(),
            form: None,
        }];
        parts.extend(string_parts(value));
        TfValue::new(ValueKind::String(parts), value.origin.clone())
    }

    /// Parts joined into one string at `origin`.
    fn join(&self, parts: Vec<StrPart>, origin: &Origin) -> TfValue {
        TfValue::new(ValueKind::String(parts), origin.clone())
    }

    fn literal(&self, text: &str, origin: &Origin) -> StrPart {
        StrPart::Literal {
            text: text.to_string(),
            origin: origin.clone(),
            form: None,
        }
    }

    fn unknown(&self, expr: &str) -> StrPart {
        StrPart::Unknown {
            expr: expr.to_string(),
            origin: self.at.clone(),
        }
    }

    /// `{ operator: { key: values } }` entries grouped by operator, as the data source merges
    /// conditions of the same test.
    fn conditions(&self, conditions: Vec<(TfValue, TfValue, TfValue)>) -> TfValue {
        let mut blocks: Vec<(TfValue, Vec<(TfValue, TfValue)>)> = Vec::new();
        for (op, key, values) in conditions {
            let name = op.as_str().map(|s| s.into_owned());
            match blocks
                .iter_mut()
                .find(|(o, _)| o.as_str().map(|s| s.into_owned()) == name)
            {
                Some((_, entries)) => entries.push((key, values)),
                None => blocks.push((op, vec![(key, values)])),
            }
        }
        self.obj_keys(
            blocks
                .into_iter()
                .map(|(op, entries)| (op, self.obj_keys(entries)))
                .collect(),
        )
    }

    /// A web-identity statement.
    fn web_identity(
        &self,
        actions: &[&str],
        provider: TfValue,
        conditions: Vec<(TfValue, TfValue, TfValue)>,
    ) -> TfValue {
        self.statement(actions, self.obj(vec![("Federated", provider)]), conditions)
    }

    /// A statement for a service principal.
    fn service(
        &self,
        actions: &[&str],
        service: &str,
        conditions: Vec<(TfValue, TfValue, TfValue)>,
    ) -> TfValue {
        let principal = self.obj(vec![("Service", self.s(service))]);
        self.statement(actions, principal, conditions)
    }

    /// An `Allow` statement.
    fn statement(
        &self,
        actions: &[&str],
        principal: TfValue,
        conditions: Vec<(TfValue, TfValue, TfValue)>,
    ) -> TfValue {
        let mut entries = vec![
            ("Effect", self.s("Allow")),
            (
                "Action",
                self.one_or_list(actions.iter().map(|a| self.s(a)).collect()),
            ),
            ("Principal", principal),
        ];
        if !conditions.is_empty() {
            entries.push(("Condition", self.conditions(conditions)));
        }
        self.obj(entries)
    }

    fn document(&self, statements: Vec<TfValue>) -> TfValue {
        let list = TfValue::new(ValueKind::List(statements), self.at.clone());
        self.obj(vec![("Version", self.s("2012-10-17")), ("Statement", list)])
    }
}

/// A value's parts as a string's (a wholly unknown value is one unknown part, a number or bool
/// its text).
fn string_parts(value: &TfValue) -> Vec<StrPart> {
    match &value.kind {
        ValueKind::String(parts) => parts.clone(),
        ValueKind::Unknown(expr) => vec![StrPart::Unknown {
            expr: expr.clone(),
            origin: value.origin.clone(),
        }],
        _ => match value.to_known_string() {
            Some(text) => vec![StrPart::Literal {
                text: text.into_owned(),
                origin: value.origin.clone(),
                form: None,
            }],
            None => vec![StrPart::Unknown {
                expr: value.rendered(),
                origin: value.origin.clone(),
            }],
        },
    }
}

/// `replace(provider_arn, "/^(.*provider/)/", "")` + `suffix`: the issuer host of an OIDC
/// provider ARN, at the ARN's place. The text after the last literal `provider/` (an unknown
/// part after it is taken to hold no `provider/`, as no account id or issuer does); an ARN with
/// no literal `provider/` and unknown parts is unknown as a whole.
fn provider_key(w: &Writer<'_>, arn: &TfValue, suffix: &str) -> TfValue {
    let parts = string_parts(arn);
    let last = parts.iter().enumerate().rev().find_map(|(i, p)| match p {
        StrPart::Literal { text, .. } => text.rfind("provider/").map(|at| (i, at)),
        StrPart::Unknown { .. } => None,
    });
    let mut host: Vec<StrPart> = match last {
        Some((i, at)) => {
            let mut host = Vec::new();
            if let StrPart::Literal { text, origin, .. } = &parts[i] {
                let rest = &text[at + "provider/".len()..];
                if !rest.is_empty() {
                    host.push(w.literal(rest, origin));
                }
            }
            host.extend(parts[i + 1..].iter().cloned());
            host
        }
        None if parts.iter().all(|p| matches!(p, StrPart::Literal { .. })) => parts,
        None => {
            let expr = match &arn.kind {
                ValueKind::Unknown(expr) => expr.clone(),
                _ => "provider_arn".to_string(),
            };
            vec![StrPart::Unknown {
                expr: format!("replace({expr}, \"/^(.*provider/)/\", \"\")"),
                origin: arn.origin.clone(),
            }]
        }
    };
    host.push(w.literal(suffix, &arn.origin));
    w.join(host, &arn.origin)
}

/// The iteration of an `oidc_providers`-like argument (a map in key order, a list in order);
/// None when unknown.
fn entries(value: Option<&TfValue>) -> Option<Vec<TfValue>> {
    let Some(value) = value else {
        return Some(Vec::new());
    };
    match &value.kind {
        ValueKind::List(items) => Some(items.clone()),
        ValueKind::Object(entries) => {
            if entries.iter().any(|(k, _)| k.as_str().is_none()) {
                return None;
            }
            let mut sorted = entries.clone();
            sorted.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            Some(sorted.into_iter().map(|(_, v)| v).collect())
        }
        _ => None,
    }
}

/// The self-assume statement (`allow_self_assume_role`, from 5.5.0): before 5.5.2 an AWS
/// principal naming the role's ARN, from 5.5.2 AWS `*` restricted by `ArnLike`
/// `aws:PrincipalArn`. The account and partition are the provider's (unknown).
fn self_assume(w: &Writer<'_>, version: Version, path: &TfValue, name: Vec<StrPart>) -> TfValue {
    let mut arn = vec![
        w.literal("arn:", w.at),
        w.unknown("data.aws_partition.current.partition"),
        w.literal(":iam::", w.at),
        w.unknown("data.aws_caller_identity.current.account_id"),
        w.literal(":role", w.at),
    ];
    arn.extend(string_parts(path));
    arn.extend(name);
    let arn = w.join(arn, w.at);
    let mut entries = vec![
        ("Sid", w.s("ExplicitSelfRoleAssumption")),
        ("Effect", w.s("Allow")),
        ("Action", w.s("sts:AssumeRole")),
    ];
    if version < Version(5, 5, 2) {
        entries.push(("Principal", w.obj(vec![("AWS", arn)])));
    } else {
        entries.push(("Principal", w.obj(vec![("AWS", w.s("*"))])));
        let condition = w.obj(vec![("ArnLike", w.obj(vec![("aws:PrincipalArn", arn)]))]);
        entries.push(("Condition", condition));
    }
    w.obj(entries)
}

/// The role name in the self-assume condition: `role_name`, else `role_name_prefix` + `*`.
fn name_condition(args: &Args, name: &str, prefix: &str, w: &Writer<'_>) -> Vec<StrPart> {
    match (args.get(name), args.get(prefix)) {
        (Some(name), _) => string_parts(name),
        (None, Some(prefix)) => {
            let mut parts = string_parts(prefix);
            parts.push(w.literal("*", w.at));
            parts
        }
        (None, None) => vec![w.literal("*", w.at)],
    }
}

/// Generic conditions (`provider_trust_policy_conditions`, `trust_policy_conditions`): a list
/// of `{test, variable, values}`; None when unknown.
fn generic_conditions(args: &Args, key: &str) -> Option<Vec<(TfValue, TfValue, TfValue)>> {
    let mut out = Vec::new();
    for c in args.list(key)? {
        let test = c.get("test")?.clone();
        test.as_str()?;
        let variable = c.get("variable")?.clone();
        let values = c.get("values")?;
        let values = match values.as_list() {
            Some(items) if items.len() == 1 => items[0].clone(),
            _ => values.clone(),
        };
        out.push((test, variable, values));
    }
    Some(out)
}

/// The role a known module creates, from its arguments; None when it creates none, or when its
/// trust cannot be synthesised.
fn synthesise_known(
    known: Known,
    version: Version,
    args: &Args,
    at: &Origin,
) -> Option<Synthesised> {
    let w = Writer { at };
    let mut statements = Vec::new();
    let role = |name: Option<TfValue>, name_prefix: Option<TfValue>, path: Option<TfValue>| {
        (name, name_prefix, path)
    };
    let (name, name_prefix, path);
    match known {
        Known::IrsaEks | Known::Irsa | Known::BlueprintsAddon => {
            let (create, operator_key) = match known {
                Known::IrsaEks => (
                    args.flag("create_role", true)?,
                    (version >= Version(4, 14, 0)).then_some("assume_role_condition_test"),
                ),
                Known::Irsa => (args.flag("create", true)?, Some("trust_condition_test")),
                _ => (
                    args.flag("create", true)? && args.flag("create_role", false)?,
                    Some("assume_role_condition_test"),
                ),
            };
            if !create {
                return None;
            }
            if known == Known::BlueprintsAddon && args.get("trust_policy_statements").is_some() {
                return None;
            }
            let operator = args.operator(operator_key, at)?;
            let with_aud = known != Known::IrsaEks || version >= Version(4, 21, 1);
            let namespace = args.get("namespace").cloned();
            let default_namespace = namespace.unwrap_or_else(|| w.s("default"));
            for provider in entries(args.get("oidc_providers"))? {
                let arn = provider.get("provider_arn")?.clone();
                let subjects: Vec<TfValue> = if known == Known::BlueprintsAddon {
                    let ns = provider.get("namespace").unwrap_or(&default_namespace);
                    let sa = provider.get("service_account")?;
                    let mut parts = vec![w.literal("system:serviceaccount:", &sa.origin)];
                    parts.extend(string_parts(ns));
                    parts.push(w.literal(":", &sa.origin));
                    parts.extend(string_parts(sa));
                    vec![w.join(parts, &sa.origin)]
                } else {
                    match provider.get("namespace_service_accounts") {
                        Some(list) => match list.as_list() {
                            Some(items) => items
                                .iter()
                                .map(|sa| w.prefixed("system:serviceaccount:", sa))
                                .collect(),
                            None => vec![w.prefixed("system:serviceaccount:", list)],
                        },
                        None => return None,
                    }
                };
                let values = match subjects.len() {
                    1 => subjects.into_iter().next()?,
                    _ => TfValue::new(ValueKind::List(subjects), arn.origin.clone()),
                };
                let mut conditions =
                    vec![(operator.clone(), provider_key(&w, &arn, ":sub"), values)];
                if with_aud {
                    conditions.push((
                        operator.clone(),
                        provider_key(&w, &arn, ":aud"),
                        w.s("sts.amazonaws.com"),
                    ));
                }
                statements.push(w.web_identity(
                    &["sts:AssumeRoleWithWebIdentity"],
                    arn,
                    conditions,
                ));
            }
            match known {
                Known::IrsaEks => {
                    let default_path = if version >= Version(5, 5, 2) {
                        w.s("/")
                    } else {
                        // Null: the self-assume ARN would fail to render; the role's path is
                        // the provider's default `/`.
                        w.unknown_value("var.role_path")
                    };
                    let role_path = args.get("role_path").cloned().unwrap_or(default_path);
                    (name, name_prefix, path) =
                        v5_role(args, version, role_path, &w, &mut statements)?;
                }
                Known::Irsa => {
                    (name, name_prefix, path) =
                        v6_name(args, "name", "use_name_prefix", "path", &w);
                }
                _ => {
                    // The addon's role name: `role_name`, else `name`.
                    let base = args.get("role_name").or_else(|| args.get("name")).cloned();
                    let use_prefix = args.flag("role_name_use_prefix", true)?;
                    let role_path = args.string_or("role_path", "/", at);
                    if args.flag("allow_self_assume_role", false)? {
                        let mut role_name = base.as_ref().map(string_parts).unwrap_or_default();
                        if use_prefix {
                            role_name.push(w.literal("-*", at));
                        }
                        statements.insert(0, self_assume(&w, version, &role_path, role_name));
                    }
                    (name, name_prefix, path) = if use_prefix {
                        role(None, base.map(|b| w.suffixed(&b, "-")), Some(role_path))
                    } else {
                        role(base, None, Some(role_path))
                    };
                }
            }
        }
        Known::AssumableRoleWithOidc => {
            if !args.flag("create_role", false)? {
                return None;
            }
            let mut urls: Vec<TfValue> = Vec::new();
            let mut candidates = args.list("provider_urls")?;
            candidates.extend(args.get("provider_url").cloned());
            for url in candidates {
                if url.as_str().is_some_and(|u| u.is_empty()) {
                    continue;
                }
                if !urls.iter().any(|u| u.same(&url)) {
                    urls.push(url);
                }
            }
            let account = match args.get("aws_account_id") {
                Some(a) if a.as_str().is_none_or(|s| !s.is_empty()) => string_parts(a),
                _ => vec![w.unknown("data.aws_caller_identity.current.account_id")],
            };
            let tag_session = version >= Version(5, 44, 0);
            let audiences = if version >= Version(4, 3, 0) {
                args.list("oidc_fully_qualified_audiences")?
            } else {
                Vec::new()
            };
            let oidc = OidcUrls {
                partition: "data.aws_partition.current.partition",
                account,
                conditions: [
                    (
                        "StringEquals",
                        args.list("oidc_fully_qualified_subjects")?,
                        ":sub",
                    ),
                    (
                        "StringLike",
                        args.list("oidc_subjects_with_wildcards")?,
                        ":sub",
                    ),
                    ("StringLike", audiences, ":aud"),
                ],
                extra: if tag_session {
                    generic_conditions(args, "provider_trust_policy_conditions")?
                } else {
                    Vec::new()
                },
                actions: if tag_session {
                    &["sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
                } else {
                    &["sts:AssumeRoleWithWebIdentity"]
                },
            };
            statements.extend(oidc.statements(&w, urls));
            let role_path = args.string_or("role_path", "/", at);
            (name, name_prefix, path) = v5_role(args, version, role_path, &w, &mut statements)?;
        }
        Known::EksPodIdentity => {
            // Statements of `trust_policy_statements` are not modelled: no policy.
            if !args.flag("create", true)? || !args.list("trust_policy_statements")?.is_empty() {
                return None;
            }
            let conditions = if version >= Version(1, 4, 0) {
                generic_conditions(args, "trust_policy_conditions")?
            } else {
                Vec::new()
            };
            statements.push(w.service(
                &["sts:AssumeRole", "sts:TagSession"],
                "pods.eks.amazonaws.com",
                conditions,
            ));
            (name, name_prefix, path) = v6_name(args, "name", "use_name_prefix", "path", &w);
        }
        Known::IamRole => {
            if !args.flag("create", true)? || !args.flag("enable_oidc", false)? {
                return None;
            }
            for other in ["enable_github_oidc", "enable_bitbucket_oidc", "enable_saml"] {
                if args.flag(other, false)? {
                    return None;
                }
            }
            if args.get("trust_policy_permissions").is_some() {
                return None;
            }
            let oidc = OidcUrls {
                partition: "data.aws_partition.current[0].partition",
                account: match args.get("oidc_account_id") {
                    Some(a) => string_parts(a),
                    None => vec![w.unknown("data.aws_caller_identity.current[0].account_id")],
                },
                conditions: [
                    ("StringEquals", args.list("oidc_subjects")?, ":sub"),
                    ("StringLike", args.list("oidc_wildcard_subjects")?, ":sub"),
                    ("StringEquals", args.list("oidc_audiences")?, ":aud"),
                ],
                extra: generic_conditions(args, "trust_policy_conditions")?,
                actions: &["sts:TagSession", "sts:AssumeRoleWithWebIdentity"],
            };
            statements.extend(oidc.statements(&w, args.list("oidc_provider_urls")?));
            (name, name_prefix, path) = v6_name(args, "name", "use_name_prefix", "path", &w);
        }
    }
    if statements.is_empty() {
        return None;
    }
    Some(Synthesised {
        address: "aws_iam_role.this[0]".to_string(),
        document: w.document(statements),
        name,
        name_prefix,
        path,
        arn_outputs: &[],
        through_local: false,
    })
}

type NameValues = (Option<TfValue>, Option<TfValue>, Option<TfValue>);

/// v4/v5's role name (`role_name`, `role_name_prefix`, `role_path`) and its optional
/// self-assume statement (5.5.0 on), put first.
fn v5_role(
    args: &Args,
    version: Version,
    role_path: TfValue,
    w: &Writer<'_>,
    statements: &mut Vec<TfValue>,
) -> Option<NameValues> {
    if version >= Version(5, 5, 0) && args.flag("allow_self_assume_role", false)? {
        let role_name = if version < Version(5, 5, 2) {
            args.get("role_name").map(string_parts).unwrap_or_default()
        } else {
            name_condition(args, "role_name", "role_name_prefix", w)
        };
        statements.insert(0, self_assume(w, version, &role_path, role_name));
    }
    Some((
        args.get("role_name").cloned(),
        args.get("role_name_prefix").cloned(),
        Some(role_path),
    ))
}

/// The statements of modules that take OIDC issuer URLs (`iam-assumable-role-with-oidc`,
/// `iam-role`): one per URL (`https://` removed), Federated
/// `arn:<partition>:iam::<account>:oidc-provider/<host>`, each condition present when its list
/// is not empty, then the generic conditions.
struct OidcUrls {
    partition: &'static str,
    account: Vec<StrPart>,
    conditions: [(&'static str, Vec<TfValue>, &'static str); 3],
    extra: Vec<(TfValue, TfValue, TfValue)>,
    actions: &'static [&'static str],
}

impl OidcUrls {
    fn statements(&self, w: &Writer<'_>, urls: Vec<TfValue>) -> Vec<TfValue> {
        let mut out = Vec::new();
        for url in urls {
            let host = strip_https(w, &url);
            let mut arn = vec![
                w.literal("arn:", w.at),
                w.unknown(self.partition),
                w.literal(":iam::", w.at),
            ];
            arn.extend(self.account.iter().cloned());
            arn.push(w.literal(":oidc-provider/", w.at));
            arn.extend(string_parts(&host));
            let arn = w.join(arn, &url.origin);
            let mut conditions = Vec::new();
            for (test, list, suffix) in &self.conditions {
                if !list.is_empty() {
                    let values = w.one_or_list(list.clone());
                    conditions.push((w.s(test), w.suffixed(&host, suffix), values));
                }
            }
            conditions.extend(self.extra.iter().cloned());
            out.push(w.web_identity(self.actions, arn, conditions));
        }
        out
    }
}

/// v6's role name: `name` as a prefix (`"${name}-"`) unless `use_name_prefix` is false.
fn v6_name(args: &Args, name: &str, use_prefix: &str, path: &str, w: &Writer<'_>) -> NameValues {
    let base = args.get(name).cloned();
    let path = args.get(path).cloned();
    match args.flag(use_prefix, true) {
        Some(false) => (base, None, path),
        // Unknown whether it is a prefix: no name to rely on.
        None => (None, Some(w.s("")), path),
        Some(true) => (
            None,
            Some(base.map_or_else(|| w.s("-"), |b| w.suffixed(&b, "-"))),
            path,
        ),
    }
}

/// `replace(url, "https://", "")`.
fn strip_https(w: &Writer<'_>, url: &TfValue) -> TfValue {
    let mut parts = string_parts(url);
    if let Some(StrPart::Literal { text, origin, .. }) = parts.first()
        && let Some(rest) = text.strip_prefix("https://")
    {
        parts[0] = w.literal(rest, &origin.clone());
    }
    w.join(parts, &url.origin)
}

impl Writer<'_> {
    /// A value followed by `text`, at the value's place.
    fn suffixed(&self, value: &TfValue, text: &str) -> TfValue {
        let mut parts = string_parts(value);
        parts.push(self.literal(text, &value.origin));
        self.join(parts, &value.origin)
    }

    fn unknown_value(&self, expr: &str) -> TfValue {
        TfValue::unknown(expr, self.at.clone())
    }
}

/// True when some string part or scalar of `value` was written in `source` (a collection's own
/// origin says only where it was built).
fn comes_from(value: &TfValue, source: &SourceRef) -> bool {
    value.any(|v| match &v.kind {
        ValueKind::String(parts) => parts.iter().any(|p| p.origin().is_in(source)),
        ValueKind::Unknown(_) | ValueKind::Bool(_) | ValueKind::Number(_) => v.origin.is_in(source),
        _ => false,
    })
}

/// `value` with every place outside `host` moved into it: a string written elsewhere takes the
/// span of its parts written in `host` when it has some, anything else `anchor`. Parts written
/// elsewhere map to `anchor` as a whole.
fn reanchor(value: &TfValue, host: &SourceRef, anchor: Span, depth: usize) -> TfValue {
    let at = Origin::new(host, anchor);
    if depth > crate::limits::MAX_DEPTH {
        return TfValue::unknown("...", at);
    }
    let part = |p: &StrPart| -> StrPart {
        if p.origin().is_in(host) {
            return p.clone();
        }
        match p {
            StrPart::Literal { text, .. } => StrPart::Literal {
                text: text.clone(),
                origin: at.clone(),
                form: None,
            },
            StrPart::Unknown { expr, .. } => StrPart::Unknown {
                expr: expr.clone(),
                origin: at.clone(),
            },
        }
    };
    let kind = match &value.kind {
        ValueKind::String(parts) => ValueKind::String(parts.iter().map(part).collect()),
        ValueKind::List(items) => ValueKind::List(
            items
                .iter()
                .map(|i| reanchor(i, host, anchor, depth + 1))
                .collect(),
        ),
        ValueKind::Object(entries) => ValueKind::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    (
                        reanchor(k, host, anchor, depth + 1),
                        reanchor(v, host, anchor, depth + 1),
                    )
                })
                .collect(),
        ),
        ValueKind::Json(inner) => {
            ValueKind::Json(Box::new(reanchor(inner, host, anchor, depth + 1)))
        }
        other => other.clone(),
    };
    let origin = if value.origin.is_in(host) {
        value.origin.clone()
    } else {
        match &value.kind {
            ValueKind::String(parts) => {
                let inside: Vec<Span> = parts
                    .iter()
                    .filter(|p| p.origin().is_in(host))
                    .map(|p| p.origin().span)
                    .collect();
                match (inside.first(), inside.last()) {
                    (Some(first), Some(last)) => Origin::new(host, first.to(*last)),
                    _ => at,
                }
            }
            _ => at,
        }
    };
    TfValue::new(kind, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_name_the_modules() {
        let eks = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks";
        assert_eq!(
            classify(eks),
            Some(ModuleSource::Known(Known::IrsaEks, None))
        );
        assert_eq!(
            classify(
                "git::https://github.com/terraform-aws-modules/terraform-aws-iam.git//modules/iam-role-for-service-accounts-eks?ref=v5.30.0"
            ),
            Some(ModuleSource::Known(
                Known::IrsaEks,
                Some("= 5.30.0".to_string())
            ))
        );
        assert_eq!(
            classify(
                "github.com/terraform-aws-modules/terraform-aws-iam//modules/iam-role?ref=master"
            ),
            Some(ModuleSource::Known(Known::IamRole, None))
        );
        assert_eq!(
            classify("aws-ia/eks-blueprints-addon/aws"),
            Some(ModuleSource::Known(Known::BlueprintsAddon, None))
        );
        assert_eq!(
            classify("./modules/irsa"),
            Some(ModuleSource::Local("./modules/irsa".to_string()))
        );
        assert_eq!(
            classify("terraform-aws-modules/iam/aws//modules/iam-user"),
            None
        );
        assert_eq!(classify("terraform-aws-modules/eks/aws"), None);
    }

    #[test]
    fn paths_normalize() {
        assert_eq!(normalize("./modules/irsa"), "modules/irsa");
        assert_eq!(normalize("modules/a/../b"), "modules/b");
        assert_eq!(normalize("./../x"), "../x");
        assert_eq!(normalize("."), ".");
    }
}

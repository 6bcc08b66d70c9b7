//! The keys of `.irsa-lint.yaml`, as one table that both the reader ([`super::reader`]) and the
//! JSON Schema (`irsa-lint config-schema`, `schemas/irsa-lint.schema.json`) are driven by: the
//! reader accepts exactly the keys and entry fields listed here (unknown keys are errors, with
//! the nearest one suggested), and requires the fields marked required; the schema lists the same
//! keys with the type each value has. `tests/config.rs` checks that the committed schema is the
//! generated one, that it accepts the documented examples and that the reader handles every key.

use clap::ValueEnum;
use serde_json::{Value, json};

use super::{ColorChoice, FailOn};
use crate::limits::MAX_JOBS;
use crate::report::Format;

/// The type of a key's value, for the schema. The reader checks more than a schema can (that a
/// selector names a rule, that a glob compiles, that a date exists); the schema checks the shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueType {
    /// `error`, `warning`, `info`, `never`.
    FailOn,
    /// `auto`, `always`, `never`.
    Color,
    /// A list of rule selectors, or one comma-separated string.
    Selectors,
    /// A mapping rule selector → severity.
    SeverityMap,
    /// A list of strings, or one string.
    Strings,
    /// `true` or `false`.
    Bool,
    /// A non-empty string.
    String,
    /// An OIDC issuer URL (`https://...`).
    Issuer,
    /// A path, relative to the configuration's directory.
    Path,
    /// A mapping variable name → scalar.
    Vars,
    /// A list of `FORMAT` or `FORMAT:FILE`, or one such string.
    Formats,
    /// A whole number from 1 to [`MAX_JOBS`].
    Jobs,
    /// A size: bytes, or a number with a unit (`16MiB`).
    Size,
    /// A count: a number with an optional decimal multiplier (`500k`).
    Count,
    /// A 12-digit AWS account id (quoted, or a number of 12 digits).
    Account,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A role ARN template (`arn:aws:iam::123456789012:role/{stem}`).
    ArnTemplate,
    /// A list of mappings with the given fields.
    Entries(&'static [Field]),
}

/// A top-level key.
#[derive(Debug)]
pub struct Key {
    pub name: &'static str,
    pub ty: ValueType,
    pub description: &'static str,
}

/// A field of a list entry (`clusters`, `roles`, `suppressions`).
#[derive(Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub ty: ValueType,
    pub required: bool,
    pub description: &'static str,
}

const fn key(name: &'static str, ty: ValueType, description: &'static str) -> Key {
    Key {
        name,
        ty,
        description,
    }
}

const fn field(
    name: &'static str,
    ty: ValueType,
    required: bool,
    description: &'static str,
) -> Field {
    Field {
        name,
        ty,
        required,
        description,
    }
}

/// The fields of a `clusters` entry.
pub const CLUSTER_FIELDS: &[Field] = &[
    field(
        "name",
        ValueType::String,
        false,
        "Names the cluster in messages.",
    ),
    field(
        "issuer",
        ValueType::Issuer,
        true,
        "The cluster's OIDC issuer URL (aws eks describe-cluster --query cluster.identity.oidc.issuer).",
    ),
    field(
        "account",
        ValueType::Account,
        false,
        "The account the cluster's OIDC provider is registered in (12 digits; quote it).",
    ),
];

/// The fields of a `roles` entry.
pub const ROLE_FIELDS: &[Field] = &[
    field(
        "path",
        ValueType::String,
        true,
        "A glob of raw trust-policy files, relative to the configuration's directory.",
    ),
    field(
        "arn",
        ValueType::ArnTemplate,
        true,
        "The role ARN; `{stem}` stands for the file name without extension.",
    ),
];

/// The fields of a `suppressions` entry.
pub const SUPPRESSION_FIELDS: &[Field] = &[
    field(
        "rule",
        ValueType::Selectors,
        true,
        "The rules suppressed: codes, prefixes or names.",
    ),
    field(
        "path",
        ValueType::String,
        false,
        "A glob of the files it applies to (every file when absent).",
    ),
    field(
        "reason",
        ValueType::String,
        true,
        "Why: reviewed exceptions carry a reason.",
    ),
    field(
        "expires",
        ValueType::Date,
        false,
        "The date (YYYY-MM-DD) from which the suppression no longer applies.",
    ),
];

/// Every top-level key, in the order docs/configuration.md lists them.
pub const KEYS: &[Key] = &[
    key(
        "fail-on",
        ValueType::FailOn,
        "The lowest severity that makes the exit status 1 (--fail-on).",
    ),
    key(
        "select",
        ValueType::Selectors,
        "Only these rules run: codes, code prefixes, names or ALL (--select).",
    ),
    key(
        "ignore",
        ValueType::Selectors,
        "These rules do not run (--ignore).",
    ),
    key(
        "severity",
        ValueType::SeverityMap,
        "Override the severity of the rules named (rule selector: severity).",
    ),
    key(
        "exclude",
        ValueType::Strings,
        "Skip files and directories matching these globs (--exclude).",
    ),
    key(
        "no-ignore",
        ValueType::Bool,
        "Do not honour .gitignore, .ignore and git's exclude files (--no-ignore).",
    ),
    key(
        "include-state",
        ValueType::Bool,
        "Also read Terraform state files found while walking (--include-state).",
    ),
    key(
        "default-namespace",
        ValueType::String,
        "The namespace of manifests that set none (--default-namespace).",
    ),
    key(
        "cluster-issuer",
        ValueType::Issuer,
        "The OIDC issuer of the cluster the manifests are deployed to (--cluster-issuer).",
    ),
    key(
        "clusters",
        ValueType::Entries(CLUSTER_FIELDS),
        "The organisation's clusters.",
    ),
    key(
        "audiences",
        ValueType::Strings,
        "Token audiences used on purpose besides sts.amazonaws.com.",
    ),
    key(
        "roles",
        ValueType::Entries(ROLE_FIELDS),
        "Role identities of raw trust-policy files.",
    ),
    key(
        "vars",
        ValueType::Vars,
        "Values for template variables (--var NAME=VALUE).",
    ),
    key(
        "suppressions",
        ValueType::Entries(SUPPRESSION_FIELDS),
        "Reviewed exceptions, each with a reason.",
    ),
    key(
        "baseline",
        ValueType::Path,
        "Leave out the findings recorded in this file (--baseline).",
    ),
    key(
        "format",
        ValueType::Formats,
        "Reports to write: FORMAT or FORMAT:FILE (--format).",
    ),
    key(
        "output",
        ValueType::Path,
        "Write the reports that name no file here (--output).",
    ),
    key("jobs", ValueType::Jobs, "Worker threads (--jobs)."),
    key(
        "max-file-size",
        ValueType::Size,
        "Larger files are not read: bytes, or with a unit such as 512k, 16MiB (--max-file-size).",
    ),
    key(
        "max-nodes",
        ValueType::Count,
        "Files with more nodes are not linted: 500000, 500k, 5M (--max-nodes).",
    ),
    key(
        "color",
        ValueType::Color,
        "Colour in human output (--color).",
    ),
    key(
        "quiet",
        ValueType::Bool,
        "Findings only, no summary line (--quiet).",
    ),
];

/// The names of `fields`, for the reader's unknown-key check.
pub fn names(fields: &[Field]) -> Vec<&'static str> {
    fields.iter().map(|f| f.name).collect()
}

/// The names of the top-level keys.
pub fn key_names() -> Vec<&'static str> {
    KEYS.iter().map(|k| k.name).collect()
}

/// A pattern matching `word` in any case (`[hH][uU]...`): JSON Schema patterns have no flags.
fn any_case(word: &str) -> String {
    word.chars()
        .map(|c| {
            if c.is_ascii_alphabetic() {
                format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
            } else {
                c.to_string()
            }
        })
        .collect()
}

fn value_names<T: ValueEnum>() -> Vec<String> {
    T::value_variants()
        .iter()
        .filter_map(|v| v.to_possible_value())
        .map(|v| v.get_name().to_string())
        .collect()
}

/// A string or a list of strings.
fn strings(item: Value) -> Value {
    json!({"anyOf": [item.clone(), {"type": "array", "items": item}]})
}

fn value_schema(ty: ValueType) -> Value {
    // Numbers: `_` between digits and a space before the unit are allowed (see `limits`).
    let number = "[0-9](_?[0-9])*";
    match ty {
        ValueType::FailOn => json!({"type": "string", "enum": value_names::<FailOn>()}),
        ValueType::Color => json!({"type": "string", "enum": value_names::<ColorChoice>()}),
        ValueType::Selectors => strings(json!({"type": "string", "minLength": 1})),
        ValueType::SeverityMap => json!({
            "type": "object",
            "additionalProperties": {"type": "string", "enum": ["error", "warning", "info"]}
        }),
        ValueType::Strings => strings(json!({"type": "string"})),
        ValueType::Bool => json!({"type": "boolean"}),
        ValueType::String | ValueType::Path => json!({"type": "string", "pattern": "\\S"}),
        ValueType::Issuer => json!({"type": "string", "pattern": "^https://"}),
        ValueType::Vars => json!({
            "type": "object",
            "propertyNames": {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"},
            "additionalProperties": {"type": ["string", "number", "boolean"]}
        }),
        ValueType::Formats => {
            let names: Vec<String> = Format::ALL.iter().map(|f| any_case(f.name())).collect();
            strings(json!({
                "type": "string",
                "pattern": format!("^({})(:.+)?$", names.join("|"))
            }))
        }
        ValueType::Jobs => json!({"anyOf": [
            {"type": "integer", "minimum": 1, "maximum": MAX_JOBS},
            {"type": "string", "pattern": format!("^ *{number} *$")}
        ]}),
        ValueType::Size => json!({"anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": format!("^ *{number} *([kKmMgG]([iI][bB]?|[bB])?|[bB])? *$")}
        ]}),
        ValueType::Count => json!({"anyOf": [
            {"type": "integer", "minimum": 1},
            {"type": "string", "pattern": format!("^ *{number} *[kKmMgG]? *$")}
        ]}),
        // Unquoted, YAML reads it as a number; the reader accepts its digits (12 of them).
        ValueType::Account => json!({"anyOf": [
            {"type": "string", "pattern": "^[0-9]{12}$"},
            {"type": "integer", "minimum": 100_000_000_000_u64, "maximum": 999_999_999_999_u64}
        ]}),
        ValueType::Date => json!({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}),
        ValueType::ArnTemplate => json!({"type": "string", "pattern": "^arn:aws[a-z-]*:iam::"}),
        ValueType::Entries(fields) => {
            let properties: serde_json::Map<String, Value> = fields
                .iter()
                .map(|f| (f.name.to_string(), described(f.ty, f.description)))
                .collect();
            let required: Vec<&str> = fields
                .iter()
                .filter(|f| f.required)
                .map(|f| f.name)
                .collect();
            json!({
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false
                }
            })
        }
    }
}

fn described(ty: ValueType, description: &str) -> Value {
    let mut schema = value_schema(ty);
    schema["description"] = Value::String(description.to_string());
    schema
}

/// The JSON Schema (draft 2020-12) of `.irsa-lint.yaml`.
pub fn schema() -> Value {
    let properties: serde_json::Map<String, Value> = KEYS
        .iter()
        .map(|k| (k.name.to_string(), described(k.ty, k.description)))
        .collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/irsa-lint/irsa-lint/blob/main/schemas/irsa-lint.schema.json",
        "title": "irsa-lint configuration (.irsa-lint.yaml)",
        "description": "Generated by `irsa-lint config-schema` from the table the configuration reader uses; see docs/configuration.md.",
        "type": ["object", "null"],
        "properties": properties,
        "additionalProperties": false
    })
}

/// [`schema`] as pretty-printed JSON with a final line break: what `irsa-lint config-schema`
/// prints and `schemas/irsa-lint.schema.json` holds.
pub fn text() -> String {
    let mut text = serde_json::to_string_pretty(&schema()).expect("a JSON value serialises");
    text.push('\n');
    text
}

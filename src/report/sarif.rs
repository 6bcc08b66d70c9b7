//! SARIF 2.1.0, the format GitHub code scanning (and most SARIF viewers) read: see
//! docs/output-formats.md for the mapping of every field.
//!
//! One run; `tool.driver.rules` is the whole registry in registry order (so a rule that found
//! nothing still has its documentation in the viewer, and `ruleIndex` is stable across runs); each
//! result points at its rule by `ruleId` and `ruleIndex`, has one location with a full region,
//! related locations for the other places (other files included) and a `partialFingerprints`
//! entry that survives lines moving.

use serde::Serialize;

use super::portable_path;
use super::text::{self, Sink};
use crate::diagnostic::{self, Diagnostic, Label, Severity};
use crate::registry::{RULES, Rule};

/// The schema URI written to `$schema` (the one GitHub's documentation uses).
pub const SARIF_SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The SARIF version written to `version`.
pub const SARIF_VERSION: &str = "2.1.0";

/// The key of our entry in `partialFingerprints`. Versioned so that a change of the fingerprint
/// recipe can move to `irsaLint/v2` without matching old alerts wrongly.
pub const FINGERPRINT_KEY: &str = "irsaLint/v1";

/// The base id relative artifact URIs are resolved against: the directory irsa-lint ran in,
/// conventionally the repository's root (GitHub resolves it to the checkout).
pub const SRCROOT: &str = "%SRCROOT%";

/// Render the SARIF log for `diagnostics` (sorted, as the driver returns them).
///
/// `informationUri` and the rules' `helpUri` come from Cargo.toml's `repository`, and are left out
/// while it is empty (a SARIF viewer would otherwise show a dead link).
pub fn render(diagnostics: &[Diagnostic]) -> String {
    render_with_repository(diagnostics, env!("CARGO_PKG_REPOSITORY"))
}

/// [`render`] with the repository URL given explicitly (tests cover both the empty and the set
/// case with it).
pub fn render_with_repository(diagnostics: &[Diagnostic], repository: &str) -> String {
    let repository = repository.trim().trim_end_matches('/');
    let repository = repository.strip_suffix(".git").unwrap_or(repository);
    let repository = (!repository.is_empty()).then_some(repository);
    let fingerprints = diagnostic::fingerprints(diagnostics);
    let log = Log {
        schema: SARIF_SCHEMA,
        version: SARIF_VERSION,
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: env!("CARGO_PKG_NAME"),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: repository.map(str::to_string),
                    rules: RULES.iter().map(|r| descriptor(r, repository)).collect(),
                },
            },
            original_uri_base_ids: OriginalUriBaseIds {
                srcroot: BaseId {
                    description: Message {
                        text: "The directory irsa-lint ran in (normally the repository's root); \
                               relative artifact URIs are resolved against it."
                            .to_string(),
                    },
                },
            },
            column_kind: "unicodeCodePoints",
            results: diagnostics
                .iter()
                .zip(fingerprints)
                .map(|(d, fingerprint)| result(d, fingerprint))
                .collect(),
        }],
    };
    // Serialising plain structs of strings and integers cannot fail; should it ever, an empty but
    // valid log is better than a panic in a CI gate.
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_else(|_| {
        format!(r#"{{"$schema":"{SARIF_SCHEMA}","version":"{SARIF_VERSION}","runs":[]}}"#)
    });
    out.push('\n');
    out
}

/// The SARIF `level` of a severity: `info` is SARIF's `note`.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A display path as a SARIF artifact URI, and whether it is relative (then it is resolved
/// against `%SRCROOT%`).
///
/// Relative paths become relative references with `/` separators; absolute paths become `file:`
/// URIs. Every byte other than RFC 3986's unreserved characters and the `/` separator is
/// percent-encoded: spaces, `#`, `?` and `%` would otherwise change what the URI means, and a `:`
/// in the first segment would make it parse as a scheme.
pub fn artifact_uri(shown: &str) -> (String, bool) {
    let path = portable_path(shown);
    let drive = path.as_bytes().get(1) == Some(&b':')
        && path.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && matches!(path.as_bytes().get(2), None | Some(b'/'));
    if drive {
        // `C:/x/y` (a Windows absolute path): the drive letter keeps its colon, as in RFC 8089.
        let (letter, rest) = path.split_at(2);
        (format!("file:///{letter}{}", percent_encode(rest)), false)
    } else if path.starts_with('/') {
        (format!("file://{}", percent_encode(&path)), false)
    } else {
        (percent_encode(&path), true)
    }
}

fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for &b in path.as_bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first paragraph of the rule's "What it does" section, as one line of text: a longer
/// description than the summary that still fits a viewer's rule header.
fn full_description(rule: &Rule) -> String {
    let body = rule.body();
    let section = body
        .split("\n## ")
        .find(|s| s.trim_start_matches("## ").starts_with("What it does"))
        .and_then(|s| s.split_once('\n').map(|(_, rest)| rest));
    let paragraph = section
        .and_then(|s| s.split("\n\n").map(str::trim).find(|p| !p.is_empty()))
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "));
    match paragraph {
        Some(p) if !p.is_empty() => p,
        _ => rule.summary.to_string(),
    }
}

fn descriptor(rule: &'static Rule, repository: Option<&str>) -> ReportingDescriptor {
    let doc = rule.body().trim();
    ReportingDescriptor {
        id: rule.code,
        name: rule.name,
        short_description: Message {
            text: rule.summary.to_string(),
        },
        full_description: Message {
            text: full_description(rule),
        },
        help: MultiformatMessage {
            text: doc.to_string(),
            markdown: doc.to_string(),
        },
        help_uri: repository.map(|repo| {
            format!(
                "{repo}/blob/main/docs/rules/{}",
                super::rules_doc::page_name(rule)
            )
        }),
        default_configuration: Configuration {
            level: level(rule.default_severity),
        },
        properties: RuleProperties {
            tags: rule.tags,
            security_severity: rule.security_severity,
            precision: rule.precision,
        },
    }
}

fn physical(label: &Label) -> PhysicalLocation {
    // Percent-encoded: nothing in a URI can act on its reader.
    let (uri, relative) = artifact_uri(&text::file(label).to(Sink::Json));
    let (start, end) = (label.start(), label.end());
    PhysicalLocation {
        artifact_location: ArtifactLocation {
            uri,
            uri_base_id: relative.then_some(SRCROOT),
        },
        region: Region {
            start_line: start.line,
            start_column: start.column,
            end_line: end.line,
            end_column: end.column,
        },
    }
}

fn result(d: &Diagnostic, fingerprint: String) -> SarifResult {
    let mut message = text::message(d);
    if let Some(help) = text::help(d) {
        message = message.with("\nhelp: ").and(&help);
    }
    SarifResult {
        rule_id: d.rule.code,
        // The registry is small and `RULES` is the array `rules[]` is built from, so the index
        // found here is the rule's index in this log.
        rule_index: RULES
            .iter()
            .position(|r| r.code == d.rule.code)
            .unwrap_or(0),
        level: level(d.severity),
        message: Message {
            text: message.to(Sink::Json).into_owned(),
        },
        locations: [Location {
            id: None,
            physical_location: physical(&d.primary),
            message: (!text::label_message(&d.primary).is_empty()).then(|| Message {
                text: text::label_message(&d.primary).to(Sink::Json).into_owned(),
            }),
        }],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, label)| Location {
                id: Some(i),
                physical_location: physical(label),
                message: Some(Message {
                    text: if text::label_message(label).is_empty() {
                        "related location".to_string()
                    } else {
                        text::label_message(label).to(Sink::Json).into_owned()
                    },
                }),
            })
            .collect(),
        partial_fingerprints: PartialFingerprints {
            irsa_lint: fingerprint,
        },
    }
}

// The SARIF object model, limited to what we write. Field order is the order of the output.

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    original_uri_base_ids: OriginalUriBaseIds,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
struct OriginalUriBaseIds {
    #[serde(rename = "%SRCROOT%")]
    srcroot: BaseId,
}

/// An `artifactLocation` with a description only: the absolute root is deliberately not written,
/// so that the log does not depend on the machine it was produced on.
#[derive(Serialize)]
struct BaseId {
    description: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help: MultiformatMessage,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    tags: &'static [&'static str],
    #[serde(rename = "security-severity")]
    security_severity: &'static str,
    precision: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: PartialFingerprints,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Message>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
struct PartialFingerprints {
    /// [`FINGERPRINT_KEY`] (serde needs the literal).
    #[serde(rename = "irsaLint/v1")]
    irsa_lint: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::registry;
    use crate::source::{SourceFile, Span};
    use std::sync::Arc;

    #[test]
    fn relative_paths_are_percent_encoded_references() {
        assert_eq!(
            artifact_uri("iam/eks demo#1.json"),
            ("iam/eks%20demo%231.json".to_string(), true)
        );
        assert_eq!(artifact_uri("a:b.yaml"), ("a%3Ab.yaml".to_string(), true));
        assert_eq!(artifact_uri("<stdin>"), ("%3Cstdin%3E".to_string(), true));
        assert_eq!(
            artifact_uri("k8s/çà.yaml"),
            ("k8s/%C3%A7%C3%A0.yaml".to_string(), true)
        );
        assert_eq!(
            artifact_uri("../other/x%y.json"),
            ("../other/x%25y.json".to_string(), true)
        );
    }

    #[test]
    fn absolute_paths_are_file_uris_without_base() {
        assert_eq!(
            artifact_uri("/tmp/my repo/a.json"),
            ("file:///tmp/my%20repo/a.json".to_string(), false)
        );
        assert_eq!(
            artifact_uri("C:/repo/a.json"),
            ("file:///C:/repo/a.json".to_string(), false)
        );
    }

    #[test]
    fn levels_map_info_to_note() {
        assert_eq!(level(Severity::Error), "error");
        assert_eq!(level(Severity::Warning), "warning");
        assert_eq!(level(Severity::Info), "note");
    }

    #[test]
    fn full_description_is_the_first_paragraph_of_what_it_does() {
        let text = full_description(registry::IRSA101);
        assert!(
            text.starts_with("Flags a condition entry on a provider's `aud` claim"),
            "{text}"
        );
        assert!(!text.contains('\n'));
        assert!(!text.contains("## "));
    }

    fn demo() -> Vec<Diagnostic> {
        let file = Arc::new(SourceFile::new(
            "iam/role.json",
            None,
            "{\n  \"a\": \"é1\"\n}\n".to_string(),
        ));
        let other = Arc::new(SourceFile::new(
            "k8s/sa.yaml",
            None,
            "name: x\n".to_string(),
        ));
        vec![
            Diagnostic::new(registry::IRSA101, &file, Span::new(10, 13), "swapped")
                .help("move it")
                .related(&other, Span::new(6, 7), "")
                .at_path("Statement[0]"),
        ]
    }

    #[test]
    fn repository_sets_information_and_help_uris() {
        let log: serde_json::Value = serde_json::from_str(&render_with_repository(
            &demo(),
            "https://github.com/acme/irsa-lint.git/",
        ))
        .unwrap();
        let driver = &log["runs"][0]["tool"]["driver"];
        assert_eq!(
            driver["informationUri"],
            "https://github.com/acme/irsa-lint"
        );
        let i = RULES.iter().position(|r| r.code == "IRSA101").unwrap();
        assert_eq!(
            driver["rules"][i]["helpUri"],
            "https://github.com/acme/irsa-lint/blob/main/docs/rules/IRSA101-aud-holds-subject.md"
        );
    }

    #[test]
    fn empty_repository_omits_uris_and_result_fields_are_exact() {
        let log: serde_json::Value =
            serde_json::from_str(&render_with_repository(&demo(), "")).unwrap();
        let run = &log["runs"][0];
        assert!(run["tool"]["driver"].get("informationUri").is_none());
        assert!(run["tool"]["driver"]["rules"][0].get("helpUri").is_none());
        let r = &run["results"][0];
        let i = RULES.iter().position(|r| r.code == "IRSA101").unwrap();
        assert_eq!(r["ruleIndex"], i);
        assert_eq!(r["message"]["text"], "swapped\nhelp: move it");
        // `é1"` starts at column 9 (after `  "a": "`) and ends, exclusive, at column 11 even
        // though `é` takes two bytes.
        assert_eq!(
            r["locations"][0]["physicalLocation"]["region"],
            serde_json::json!({"startLine": 2, "startColumn": 9, "endLine": 2, "endColumn": 11})
        );
        let related = &r["relatedLocations"][0];
        assert_eq!(related["id"], 0);
        assert_eq!(related["message"]["text"], "related location");
        assert_eq!(
            related["physicalLocation"]["artifactLocation"],
            serde_json::json!({"uri": "k8s/sa.yaml", "uriBaseId": "%SRCROOT%"})
        );
        // The serde rename below must spell FINGERPRINT_KEY.
        assert_eq!(
            r["partialFingerprints"],
            serde_json::json!({FINGERPRINT_KEY: diagnostic::fingerprints(&demo())[0]})
        );
    }
}

//! The parse stage against hostile and awkward input: the fixtures in `testdata/hostile/`, large
//! inputs generated at run time, exact spans, and a property test that nothing panics.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use irsa_lint::parse::tree::{
    Limits, Node, NodeKind, ParseProblem, ParsedFile, ProblemKind, ScalarStyle, ScalarType,
};
use irsa_lint::parse::{FileKind, decode, kind_for_path, parse, sniff_kind};
use irsa_lint::source::Span;
use proptest::prelude::*;

/// Parsing hostile input must stay this fast, even in a debug build.
const TIME_BOUND: Duration = Duration::from_secs(2);

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/hostile")
        .join(name)
}

fn fixture_bytes(name: &str) -> Vec<u8> {
    std::fs::read(fixture_path(name)).unwrap()
}

fn fixture_text(name: &str) -> String {
    decode(fixture_bytes(name)).unwrap()
}

/// Parse on a thread with a 256 KiB stack (any recursion on the input's nesting would overflow
/// it), checking every span and the time taken.
fn parse_small_stack(text: String, kind: FileKind, limits: Limits) -> ParsedFile {
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let start = Instant::now();
            let parsed = parse(&text, kind, limits);
            let elapsed = start.elapsed();
            assert!(elapsed < TIME_BOUND, "took {elapsed:?}");
            check_spans(&text, &parsed);
            parsed
        })
        .unwrap()
        .join()
        .unwrap()
}

fn parse_default(text: &str, kind: FileKind) -> ParsedFile {
    let parsed = parse(text, kind, Limits::default());
    check_spans(text, &parsed);
    parsed
}

fn only_root(parsed: ParsedFile) -> Node {
    assert_eq!(parsed.problem, None);
    assert_eq!(parsed.documents.len(), 1);
    parsed.documents.into_iter().next().unwrap().root.unwrap()
}

fn span_ok(text: &str, span: Span) -> bool {
    let (s, e) = (span.start as usize, span.end as usize);
    s <= e && e <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(e)
}

/// Every node's span (and the problem's) lies within the text, on character boundaries. Walks
/// the tree without recursion; returns the number of nodes.
fn check_spans(text: &str, parsed: &ParsedFile) -> usize {
    if let Some(problem) = &parsed.problem {
        assert!(span_ok(text, problem.span), "problem span {problem:?}");
    }
    let mut stack: Vec<&Node> = parsed
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .collect();
    let mut count = 0;
    while let Some(node) = stack.pop() {
        count += 1;
        assert!(span_ok(text, node.span), "node span {:?}", node.span);
        match &node.kind {
            NodeKind::Seq(items) => stack.extend(items),
            NodeKind::Map(entries) => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
        }
    }
    count
}

fn problem(parsed: &ParsedFile) -> &ParseProblem {
    parsed.problem.as_ref().expect("a problem")
}

fn slice(text: &str, span: Span) -> &str {
    &text[span.range()]
}

// ---------------------------------------------------------------------------------------------
// Fixtures

#[test]
fn alias_bomb_is_not_expanded() {
    let text = fixture_text("alias-bomb.yaml");
    let start = Instant::now();
    let parsed = parse(&text, FileKind::Yaml, Limits::default());
    assert!(start.elapsed() < TIME_BOUND);
    let nodes = check_spans(&text, &parsed);
    assert!(nodes <= 200, "{nodes} nodes");
    let root = only_root(parsed);
    let last = root.get("i").unwrap().as_seq().unwrap();
    assert_eq!(last.len(), 9);
    assert!(last.iter().all(|n| matches!(n.kind, NodeKind::Alias(_))));
    assert_eq!(slice(&text, last[0].span), "*h");
}

#[test]
fn binary_file_is_rejected() {
    let problem = decode(fixture_bytes("binary.json")).unwrap_err();
    assert_eq!(problem.kind, ProblemKind::Rejected);
    assert_eq!(problem.span, Span::new(5, 6));
    assert_eq!(problem.message, "binary file (NUL byte at offset 5)");
}

#[test]
fn latin1_file_is_rejected() {
    let problem = decode(fixture_bytes("latin1.yaml")).unwrap_err();
    assert_eq!(problem.kind, ProblemKind::Rejected);
    assert_eq!(problem.span, Span::new(9, 10));
    assert_eq!(
        problem.message,
        "not valid UTF-8 (invalid byte at offset 9)"
    );
}

#[test]
fn utf16_file_is_rejected() {
    let problem = decode(fixture_bytes("utf16.json")).unwrap_err();
    assert_eq!(problem.kind, ProblemKind::Rejected);
    assert_eq!(problem.span, Span::new(0, 2));
    assert_eq!(problem.message, "UTF-16 encoded: save it as UTF-8");
}

#[test]
fn empty_files_have_no_documents() {
    for (name, kind) in [
        ("empty.yaml", FileKind::Yaml),
        ("empty.json", FileKind::Json),
    ] {
        let text = fixture_text(name);
        assert_eq!(kind_for_path(&fixture_path(name)), Some(kind));
        let parsed = parse_default(&text, kind);
        assert_eq!(parsed, ParsedFile::default(), "{name}");
    }
}

#[test]
fn truncated_json_is_a_syntax_error_at_the_open_statement() {
    let text = fixture_text("truncated.json");
    let parsed = parse_default(&text, FileKind::Json);
    assert!(parsed.documents.is_empty());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Syntax);
    let statement = text.find("    {").unwrap() + 4;
    assert_eq!(p.span, Span::new(statement, statement));
    assert_eq!(p.message, "JSON syntax error: unterminated object");
}

#[test]
fn truncated_yaml_keeps_the_complete_document() {
    let text = fixture_text("truncated.yaml");
    let parsed = parse_default(&text, FileKind::Yaml);
    assert_eq!(parsed.documents.len(), 1);
    let first = parsed.documents[0].root.as_ref().unwrap();
    assert_eq!(
        first.path(&["metadata", "name"]).unwrap().as_str(),
        Some("complete")
    );
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Syntax);
    let quote = text.rfind('"').unwrap();
    assert_eq!(p.span, Span::new(quote, quote));
    assert!(
        p.message.starts_with("YAML syntax error: "),
        "{}",
        p.message
    );
}

#[test]
fn duplicate_keys_are_kept_in_order() {
    let text = fixture_text("duplicate-keys.json");
    let root = only_root(parse_default(&text, FileKind::Json));
    let entries = root.as_map().unwrap();
    let versions: Vec<_> = entries
        .iter()
        .filter(|e| e.key.as_str() == Some("Version"))
        .collect();
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[0].value.as_str(), Some("2012-10-17"));
    assert_eq!(versions[1].value.as_str(), Some("2008-10-17"));
    assert_eq!(slice(&text, versions[1].key.span), "\"Version\"");
    assert_eq!(slice(&text, versions[1].value.span), "\"2008-10-17\"");
    assert!(versions[0].key.span.start < versions[1].key.span.start);
}

#[test]
fn helm_template_is_detected_not_parsed() {
    let text = fixture_text("helm-template.yaml");
    let parsed = parse_default(&text, FileKind::Yaml);
    assert!(parsed.documents.is_empty());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Template);
    assert_eq!(
        slice(&text, p.span),
        "{{- if .Values.serviceAccount.create -}}"
    );
    assert_eq!(
        p.message,
        "this file is a Helm/Go template: lint the output of `helm template` instead"
    );
}

// ---------------------------------------------------------------------------------------------
// Generated large inputs

const DEEP: usize = 100_000;

#[test]
fn json_100k_brackets_are_rejected_before_parsing() {
    let parsed = parse_small_stack("[".repeat(DEEP), FileKind::Json, Limits::default());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(p.span, Span::new(256, 257));
    assert_eq!(p.message, "nesting deeper than 256 levels (a fixed limit)");

    let text = format!("{}1{}", "{\"a\":".repeat(DEEP), "}".repeat(DEEP));
    let parsed = parse_small_stack(text, FileKind::Json, Limits::default());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(p.span, Span::new(256 * 5, 256 * 5 + 1));
}

#[test]
fn json_at_the_depth_limit_still_parses() {
    let text = format!("{}{}", "[".repeat(256), "]".repeat(256));
    let parsed = parse_small_stack(text, FileKind::Json, Limits::default());
    assert_eq!(parsed.problem, None);
    assert_eq!(parsed.documents.len(), 1);
}

#[test]
fn yaml_100k_flow_brackets_are_rejected() {
    for open in ["[", "{a: "] {
        let text = open.repeat(DEEP);
        let parsed = parse_small_stack(text.clone(), FileKind::Yaml, Limits::default());
        let p = problem(&parsed);
        assert_eq!(p.kind, ProblemKind::Rejected, "{open:?}: {p:?}");
        assert!(
            p.message.starts_with("nesting deeper than"),
            "{}",
            p.message
        );
        assert!((p.span.start as usize) < 256 * open.len(), "{p:?}");
    }
}

#[test]
fn yaml_100k_nested_sequence_entries_are_rejected() {
    let text = format!("{}x\n", "- ".repeat(DEEP));
    let parsed = parse_small_stack(text, FileKind::Yaml, Limits::default());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(p.message, "nesting deeper than 256 levels (a fixed limit)");
    // The 257th `-`.
    assert_eq!(p.span, Span::new(512, 513));
}

#[test]
fn yaml_deeply_indented_mappings_are_rejected() {
    // Block mappings nest one indentation step per level, so the text grows quadratically: 5,000
    // levels (12 MB) is plenty past the limit.
    let mut text = String::new();
    for level in 0..5_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("a:\n");
    }
    let line_257 = (0..256).map(|l| l + 3).sum::<usize>();
    let parsed = parse_small_stack(text, FileKind::Yaml, Limits::default());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(p.message, "nesting deeper than 256 levels (a fixed limit)");
    assert_eq!(p.span, Span::new(line_257 + 256, line_257 + 257));
}

#[test]
fn yaml_deeply_nested_lines_of_sequences_are_rejected() {
    let mut text = String::new();
    for level in 0..2_000 {
        text.push_str(&" ".repeat(level));
        text.push_str("-\n");
    }
    let parsed = parse_small_stack(text, FileKind::Yaml, Limits::default());
    assert_eq!(problem(&parsed).kind, ProblemKind::Rejected);
}

#[test]
fn twenty_mib_files_are_bounded_by_the_node_limit() {
    let dir = tempfile::tempdir().unwrap();
    let size = 20 << 20;

    // JSON: the pre-scan counts values and rejects before building anything.
    let json_path = dir.path().join("huge.json");
    let mut json = String::with_capacity(size + 2);
    json.push('[');
    while json.len() < size {
        json.push_str("0,");
    }
    json.push_str("0]");
    std::fs::write(&json_path, &json).unwrap();
    drop(json);
    let text = decode(std::fs::read(&json_path).unwrap()).unwrap();
    assert_eq!(kind_for_path(&json_path), Some(FileKind::Json));
    let start = Instant::now();
    let parsed = parse(&text, FileKind::Json, Limits::default());
    assert!(start.elapsed() < TIME_BOUND, "{:?}", start.elapsed());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(
        p.message,
        "more than 5000000 nodes (keys and values), over the node limit: raise it with --max-nodes (or `max-nodes:` in .irsa-lint.yaml)"
    );
    assert!(parsed.documents.is_empty());

    // YAML: building stops at the node limit (a small one here: a debug build of the YAML
    // scanner is too slow to reach 5 million nodes in the time bound).
    let yaml_path = dir.path().join("huge.yaml");
    let mut yaml = String::with_capacity(size + 32);
    while yaml.len() < size {
        yaml.push_str("- {name: x, value: 12}\n");
    }
    std::fs::write(&yaml_path, &yaml).unwrap();
    drop(yaml);
    let text = decode(std::fs::read(&yaml_path).unwrap()).unwrap();
    let limits = Limits {
        max_nodes: 10_000,
        ..Limits::default()
    };
    let start = Instant::now();
    let parsed = parse(&text, FileKind::Yaml, limits);
    assert!(start.elapsed() < TIME_BOUND, "{:?}", start.elapsed());
    let p = problem(&parsed);
    assert_eq!(p.kind, ProblemKind::Rejected);
    assert_eq!(
        p.message,
        "more than 10000 nodes (keys and values), over the node limit: raise it with --max-nodes (or `max-nodes:` in .irsa-lint.yaml)"
    );
}

// ---------------------------------------------------------------------------------------------
// Exact spans and scalar resolution through the public API

#[test]
fn yaml_service_account_spans() {
    let text = "\u{feff}apiVersion: v1\r\nkind: ServiceAccount\r\nmetadata:\r\n  name: démo\r\n  annotations:\r\n    eks.amazonaws.com/role-arn: \"arn:aws:iam::111122223333:role/démo\"\r\n    automount: yes\r\n    quoted: \"yes\"\r\n    ref: !Ref RoleArn\r\n    policy: |\r\n      {\"Version\": \"2012-10-17\"}\r\n";
    let root = only_root(parse_default(text, FileKind::Yaml));
    assert_eq!(root.span.start, 3);
    let meta = root.get("metadata").unwrap();
    let name = meta.entry("name").unwrap();
    assert_eq!(slice(text, name.key.span), "name");
    assert_eq!(slice(text, name.value.span), "démo");
    let ann = meta.get("annotations").unwrap();
    let arn = ann.entry("eks.amazonaws.com/role-arn").unwrap();
    assert_eq!(slice(text, arn.key.span), "eks.amazonaws.com/role-arn");
    assert_eq!(
        slice(text, arn.value.span),
        "\"arn:aws:iam::111122223333:role/démo\""
    );
    let automount = ann.get("automount").unwrap().as_scalar().unwrap();
    assert_eq!(automount.ty, ScalarType::Bool(true));
    assert_eq!(automount.text, "yes");
    let quoted = ann.get("quoted").unwrap().as_scalar().unwrap();
    assert_eq!(
        (quoted.ty, quoted.style),
        (ScalarType::String, ScalarStyle::DoubleQuoted)
    );
    let reference = ann.get("ref").unwrap();
    assert_eq!(reference.tag.as_deref(), Some("!Ref"));
    assert_eq!(reference.as_str(), Some("RoleArn"));
    assert_eq!(slice(text, reference.span), "RoleArn");
    let policy = ann.get("policy").unwrap();
    assert_eq!(policy.as_str(), Some("{\"Version\": \"2012-10-17\"}\n"));
    assert_eq!(
        slice(text, policy.span),
        "|\r\n      {\"Version\": \"2012-10-17\"}"
    );
}

#[test]
fn yaml_multi_document_stream() {
    let text = "a: 1\n---\n---\nb: &x [1]\nc: *x\n";
    let parsed = parse_default(text, FileKind::Yaml);
    assert_eq!(parsed.problem, None);
    assert_eq!(parsed.documents.len(), 3);
    assert!(parsed.documents[1].root.is_none());
    let third = parsed.documents[2].root.as_ref().unwrap();
    assert!(matches!(third.get("c").unwrap().kind, NodeKind::Alias(_)));
    assert_eq!(slice(text, third.get("b").unwrap().span), "[1]");
}

#[test]
fn json_trust_policy_spans() {
    let text = "\u{feff}{\r\n  \"Version\": \"2012-10-17\",\r\n  \"Statement\": [{\r\n    \"Effect\": \"Allow\",\r\n    \"Principal\": {\"Federated\": \"arn:aws:iam::1:oidc-provider/é\"},\r\n    \"Condition\": {\"StringEquals\": {\"k\": true, \"n\": 3}}\r\n  }]\r\n}\r\n";
    let root = only_root(parse_default(text, FileKind::Json));
    assert_eq!(root.span.start, 3);
    assert!(slice(text, root.span).starts_with('{') && slice(text, root.span).ends_with('}'));
    let statement = &root.get("Statement").unwrap().as_seq().unwrap()[0];
    assert!(slice(text, statement.span).starts_with("{\r\n    \"Effect\""));
    let fed = statement.path(&["Principal", "Federated"]).unwrap();
    assert_eq!(slice(text, fed.span), "\"arn:aws:iam::1:oidc-provider/é\"");
    let effect = statement.entry("Effect").unwrap();
    assert_eq!(slice(text, effect.key.span), "\"Effect\"");
    assert_eq!(slice(text, effect.value.span), "\"Allow\"");
    let cond = statement.path(&["Condition", "StringEquals"]).unwrap();
    let k = cond.get("k").unwrap().as_scalar().unwrap();
    assert_eq!(
        (k.ty, k.style, k.text.as_str()),
        (ScalarType::Bool(true), ScalarStyle::Plain, "true")
    );
    assert_eq!(
        cond.get("n").unwrap().as_scalar().unwrap().ty,
        ScalarType::Int
    );
}

#[test]
fn sniffing() {
    assert_eq!(sniff_kind("\u{feff}  {}"), FileKind::Json);
    assert_eq!(sniff_kind("---\na: 1"), FileKind::Yaml);
    assert_eq!(
        kind_for_path(std::path::Path::new("x.yml")),
        Some(FileKind::Yaml)
    );
    assert_eq!(kind_for_path(std::path::Path::new("x")), None);
}

// ---------------------------------------------------------------------------------------------
// Property tests: no input makes the parser panic, and every span is usable.

fn check_both_kinds(text: &str) {
    for kind in [FileKind::Yaml, FileKind::Json] {
        let parsed = parse(text, kind, Limits::default());
        check_spans(text, &parsed);
        if kind == FileKind::Yaml {
            check_yaml_span_shapes(text, &parsed);
        }
        let tight = parse(
            text,
            kind,
            Limits {
                max_depth: 3,
                max_nodes: 8,
            },
        );
        check_spans(text, &tight);
    }
}

/// What a YAML node's span looks like follows from its kind and style.
fn check_yaml_span_shapes(text: &str, parsed: &ParsedFile) {
    let mut stack: Vec<&Node> = parsed
        .documents
        .iter()
        .filter_map(|d| d.root.as_ref())
        .collect();
    while let Some(node) = stack.pop() {
        let raw = slice(text, node.span);
        match &node.kind {
            NodeKind::Scalar(s) => match s.style {
                ScalarStyle::Plain if !s.text.is_empty() && !raw.contains(['\n', '\r']) => {
                    assert_eq!(raw, s.text, "plain scalar in {text:?}");
                }
                ScalarStyle::SingleQuoted => {
                    assert!(
                        raw.len() >= 2 && raw.starts_with('\'') && raw.ends_with('\''),
                        "{raw:?} in {text:?}"
                    );
                }
                ScalarStyle::DoubleQuoted => {
                    assert!(
                        raw.len() >= 2 && raw.starts_with('"') && raw.ends_with('"'),
                        "{raw:?} in {text:?}"
                    );
                }
                ScalarStyle::Literal => assert!(raw.starts_with('|'), "{raw:?} in {text:?}"),
                ScalarStyle::Folded => assert!(raw.starts_with('>'), "{raw:?} in {text:?}"),
                ScalarStyle::Plain => {}
            },
            NodeKind::Seq(items) => {
                assert!(
                    raw.starts_with(['[', '-'])
                        || raw.is_empty()
                        || items
                            .first()
                            .is_some_and(|i| i.span.start == node.span.start),
                    "seq {raw:?} in {text:?}"
                );
                if raw.starts_with('[') {
                    assert!(raw.ends_with(']'), "{raw:?} in {text:?}");
                }
                for item in items {
                    assert!(
                        node.span.start <= item.span.start && item.span.end <= node.span.end,
                        "item {:?} outside {raw:?} in {text:?}",
                        item.span
                    );
                }
                stack.extend(items);
            }
            NodeKind::Map(entries) => {
                // An implicit pair in a flow sequence (`[{a: b}: c]`) starts at its key.
                let implicit_pair = entries
                    .first()
                    .is_some_and(|e| e.key.span.start == node.span.start);
                if raw.starts_with('{') && !implicit_pair {
                    assert!(raw.ends_with('}'), "{raw:?} in {text:?}");
                }
                for e in entries {
                    for child in [&e.key, &e.value] {
                        assert!(
                            node.span.start <= child.span.start && child.span.end <= node.span.end,
                            "child {:?} outside {raw:?} in {text:?}",
                            child.span
                        );
                        stack.push(child);
                    }
                }
            }
            NodeKind::Alias(_) => assert!(raw.starts_with('*'), "{raw:?} in {text:?}"),
        }
    }
}

const SEEDS: &[&str] = &[
    "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: démo\n  annotations:\n    eks.amazonaws.com/role-arn: \"arn:aws:iam::1:role/x\"\n---\nlist:\n- a\n- 'b'\n- |\n  text\n- {k: v, q: [1, 2]}\n",
    "a: &x !T\n  b: >-\n    folded\n  c: *x\n? [k]\n: !!str 12\nd:\n  - - 1\n    - \"two\\n\"\n",
    "{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Principal\": {\"Federated\": \"arn\"}, \"Condition\": {\"StringEquals\": {\"k\": [\"v\", 1, true, null]}}}]}",
];

fn mutate(seed: &str, edits: &[(prop::sample::Index, u8, String)]) -> String {
    let mut text = seed.to_string();
    for (at, op, insert) in edits {
        let mut pos = at.index(text.len() + 1);
        while !text.is_char_boundary(pos) {
            pos -= 1;
        }
        if op % 2 == 0 {
            text.insert_str(pos, insert);
        } else {
            let mut end = (pos + insert.len()).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(pos..end, "");
        }
    }
    text
}

/// 512 cases each, unless `PROPTEST_CASES` asks for another number (for a longer fuzzing run).
fn proptest_config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 512;
    }
    config
}

proptest! {
    #![proptest_config(proptest_config())]

    #[test]
    fn arbitrary_strings_never_panic(text in any::<String>()) {
        check_both_kinds(&text);
    }

    #[test]
    fn yaml_and_json_like_strings_never_panic(
        text in "[-:?,\\[\\]{}#&*!|>'\"%@` \t\r\n\u{feff}\u{a0}éa-c0-2xyn.\\\\~{}]{0,80}"
    ) {
        check_both_kinds(&text);
    }

    #[test]
    fn mutated_documents_never_panic(
        seed in 0..SEEDS.len(),
        edits in proptest::collection::vec(
            (any::<prop::sample::Index>(), any::<u8>(), "[-:?,\\[\\]{}#&*!|>'\" \t\r\n\u{feff}éa0\\\\]{1,3}"),
            1..4,
        ),
    ) {
        check_both_kinds(&mutate(SEEDS[seed], &edits));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..128)) {
        match decode(bytes) {
            Ok(text) => check_both_kinds(&text),
            Err(problem) => prop_assert_eq!(problem.kind, ProblemKind::Rejected),
        }
    }
}

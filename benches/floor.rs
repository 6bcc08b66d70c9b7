//! The parse floor: what reading and parsing the same files costs with the parsers alone, on one
//! thread, so the end-to-end time of `irsa-lint` can be put against it (issue 13).
//!
//!     cargo bench --bench floor -- --parse-only [--runs N] PATH...
//!
//! Walks PATHs like irsa-lint (`.gitignore` honoured), reads every `.yaml`, `.yml` and `.json`
//! file, and runs saphyr's event parser over the YAML ones (every event pulled, no tree built)
//! and jsonc-parser's AST builder over the JSON ones, with irsa-lint's strict JSON options.
//! Terraform files are not in the floor (they are parsed and evaluated per module). Prints one
//! line: `files=F bytes=B seconds=S` (the median of N runs, default 5, files read each run; the
//! page cache is warm after the first).
//!
//! Without `--parse-only` it runs the whole pipeline in-process instead (the library's `lint` at
//! one thread), the same line: end to end without process start or report writing.

use std::path::PathBuf;
use std::time::Instant;

use jsonc_parser::{CollectOptions, CommentCollectionStrategy, ParseOptions, parse_to_ast};

fn main() {
    let mut parse_only = false;
    let mut runs = 5usize;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--parse-only" => parse_only = true,
            "--runs" => runs = args.next().and_then(|n| n.parse().ok()).expect("--runs N"),
            // What `cargo bench` adds.
            "--bench" => {}
            _ => paths.push(PathBuf::from(arg)),
        }
    }
    if paths.is_empty() {
        eprintln!("usage: floor [--parse-only] [--runs N] PATH...");
        std::process::exit(2);
    }
    let files = inputs(&paths);
    let bytes: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    let mut times = Vec::new();
    for _ in 0..runs.max(1) {
        let started = Instant::now();
        if parse_only {
            for file in &files {
                parse_file(file);
            }
        } else {
            end_to_end(&paths);
        }
        times.push(started.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    println!("files={} bytes={bytes} seconds={median:.4}", files.len());
}

/// The YAML and JSON files under `paths`, sorted.
fn inputs(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        for entry in ignore::WalkBuilder::new(path).build().flatten() {
            let p = entry.path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if p.is_file() && matches!(ext, "yaml" | "yml" | "json") {
                files.push(p.to_path_buf());
            }
        }
    }
    files.sort();
    files
}

fn parse_file(path: &PathBuf) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return;
    };
    if path.extension().is_some_and(|e| e == "json") {
        let collect = CollectOptions {
            comments: CommentCollectionStrategy::Off,
            tokens: false,
        };
        let options = ParseOptions {
            allow_comments: false,
            allow_loose_object_property_names: false,
            allow_trailing_commas: false,
            allow_missing_commas: false,
            allow_single_quoted_strings: false,
            allow_hexadecimal_numbers: false,
            allow_unary_plus_numbers: false,
            allow_bare_decimal_point_numbers: false,
            allow_non_finite_numbers: false,
            allow_extended_string_escapes: false,
        };
        std::hint::black_box(parse_to_ast(&text, &collect, &options).is_ok());
    } else {
        let mut events = 0usize;
        for event in saphyr_parser::Parser::new_from_str(&text) {
            if event.is_err() {
                break;
            }
            events += 1;
        }
        std::hint::black_box(events);
    }
}

fn end_to_end(paths: &[PathBuf]) {
    let mut opts = irsa_lint::lint::LintOptions {
        paths: paths.to_vec(),
        ..Default::default()
    };
    opts.discover.jobs = 1;
    opts.max_file_size = 1 << 40;
    let result = irsa_lint::lint::lint(&opts).expect("lint runs");
    assert!(result.files > 0, "no file linted");
    std::hint::black_box(result.diagnostics.len());
}

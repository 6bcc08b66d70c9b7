//! The YAML front end: decode, parse and extract arbitrary bytes as a `.yaml` file.
#![no_main]

use std::sync::Arc;

use irsa_lint::parse::{self, FileKind, tree::Limits};
use irsa_lint::source::{SourceFile, SourceRef};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // Undecodable input is rejected before the parser; nothing more to exercise.
    let Ok(text) = parse::decode_or_return(data.to_vec()) else {
        return;
    };
    let source: SourceRef = Arc::new(SourceFile::new("fuzz.yaml", None, text));
    let parsed = parse::parse(&source.text, FileKind::Yaml, Limits::default());
    irsa_lint::extract::extract(&source, &parsed);
});

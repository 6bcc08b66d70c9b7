//! The YAML front end: decode arbitrary bytes, then read them as a `.yaml` file
//! (`frontend::read`: parse, extract, find comments; the empty marker makes it scan comments
//! always).
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
    irsa_lint::frontend::read(
        &source,
        FileKind::Yaml,
        Limits::default(),
        &Default::default(),
        "",
    );
});

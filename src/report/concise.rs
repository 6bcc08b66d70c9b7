//! `path:line:column: severity[CODE] message`, one diagnostic per line (editors and grep read it).
//!
//! The path and the message are rendered for a terminal ([`Sink::Terminal`]): a line break or a
//! CR in a value would otherwise end the line early and let the input write a line of its own,
//! which a CI runner may read as a workflow command.

use std::fmt::Write as _;

use super::text::{self, Sink};
use crate::diagnostic::Diagnostic;

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = d.primary.start();
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            text::file(&d.primary).to(Sink::Terminal),
            at.line,
            at.column,
            d.severity.as_str(),
            d.rule.code,
            text::message(d).to(Sink::Terminal)
        );
    }
    out
}

//! `path:line:column: severity[CODE] message`, one diagnostic per line (editors and grep read it).

use std::fmt::Write as _;

use crate::diagnostic::Diagnostic;

pub fn render(diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diagnostics {
        let at = d.primary.start();
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {}",
            d.file(),
            at.line,
            at.column,
            d.severity.as_str(),
            d.rule.code,
            d.message.replace('\n', " ")
        );
    }
    out
}

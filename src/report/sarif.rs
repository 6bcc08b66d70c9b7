//! SARIF 2.1.0 (not yet implemented).

use crate::diagnostic::Diagnostic;

pub fn render(_diagnostics: &[Diagnostic]) -> String {
    String::new()
}

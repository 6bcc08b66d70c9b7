//! GitHub Actions workflow commands (not yet implemented).

use super::Summary;
use crate::diagnostic::Diagnostic;

pub fn render(_diagnostics: &[Diagnostic], _summary: &Summary) -> String {
    String::new()
}

/// The Markdown table appended to `$GITHUB_STEP_SUMMARY`.
pub fn step_summary(_diagnostics: &[Diagnostic], _summary: &Summary) -> String {
    String::new()
}

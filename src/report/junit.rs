//! JUnit XML (not yet implemented).

use super::Summary;
use crate::diagnostic::Diagnostic;

pub fn render(_diagnostics: &[Diagnostic], _summary: &Summary) -> String {
    String::new()
}

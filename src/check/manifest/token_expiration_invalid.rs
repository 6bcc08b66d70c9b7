//! IRSA211 token-expiration-invalid: `eks.amazonaws.com/token-expiration` is not a whole number of
//! seconds between 600 and 86400.
//!
//! The EKS pod identity webhook reads the annotation on the ServiceAccount (when it caches it) and
//! on the pod (template), the pod's value overriding the ServiceAccount's. Both are parsed with Go's
//! `strconv.ParseInt(value, 10, 64)`:
//!
//! - a value that does not parse (`1h`, `3600s`, `" 3600"`, `1e4`, an overflow) is ignored with a
//!   log line at verbosity 4: a ServiceAccount falls back to the webhook's `--token-expiration`
//!   (86400 by default), a pod to the ServiceAccount's value;
//! - a value below the webhook's minimum is raised to it (`ValidateMinTokenExpiration`): 600
//!   seconds in current releases (the API server's floor for a projected token), 3600 in older
//!   ones;
//! - a value above 86400 is passed on, but EKS caps projected ServiceAccount tokens at 24 hours
//!   (the webhook's own `MaxTokenExpiration`), so the token never lives longer than that.
//!
//! Either way the token lifetime is not the one written. The value must be a string (an unquoted
//! number is IRSA205's finding, but its range is still checked here).

use crate::check::support::annotations::{annotation_path, pod_annotation_path};
use crate::check::support::objects::{sa_label, workload_label};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::model::k8s::{Annotation, annotations};
use crate::model::written::ScalarType;
use crate::registry::IRSA211;
use crate::source::SourceRef;

/// The webhook's (and the API server's) minimum projected token lifetime, in seconds.
pub const MIN_SECONDS: i64 = 600;
/// The longest token lifetime EKS issues, in seconds (24 hours).
pub const MAX_SECONDS: i64 = 86_400;

/// What the webhook makes of a token-expiration value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expiration {
    /// `strconv.ParseInt` rejects it: the annotation is ignored.
    NotInteger,
    /// Below [`MIN_SECONDS`]: raised to the minimum.
    TooShort(i64),
    /// Above [`MAX_SECONDS`]: the token is capped at 24 hours anyway.
    TooLong(i64),
    Valid(i64),
}

/// Classify a value as Go's `strconv.ParseInt(s, 10, 64)` reads it (an optional sign, ASCII
/// digits, no spaces, no underscores; Rust's `i64` parser accepts exactly that).
pub fn classify(text: &str) -> Expiration {
    match text.parse::<i64>() {
        Err(_) => Expiration::NotInteger,
        Ok(n) if n < MIN_SECONDS => Expiration::TooShort(n),
        Ok(n) if n > MAX_SECONDS => Expiration::TooLong(n),
        Ok(n) => Expiration::Valid(n),
    }
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for (i, sa) in linked.service_accounts() {
        let Some(annotation) = sa.meta.annotation(annotations::TOKEN_EXPIRATION) else {
            continue;
        };
        let owner = format!("ServiceAccount `{}`", sa_label(linked, i));
        let ignored = "the webhook ignores it and the pods get tokens with its default lifetime (`--token-expiration`, 86400 seconds unless configured otherwise)";
        if let Some(diag) = finding(&sa.meta.source, &owner, annotation, ignored) {
            out.push(diag.at_path(annotation_path(&sa.meta, annotations::TOKEN_EXPIRATION)));
        }
    }
    for (w, workload) in linked.workloads() {
        let Some(annotation) = workload
            .pod
            .annotations
            .iter()
            .find(|a| a.key.value == annotations::TOKEN_EXPIRATION)
        else {
            continue;
        };
        let owner = format!("the pod template of {}", workload_label(linked, w));
        let ignored = "the webhook ignores it and falls back to the ServiceAccount's `eks.amazonaws.com/token-expiration`, else to its default of 86400 seconds";
        if let Some(diag) = finding(&workload.meta.source, &owner, annotation, ignored) {
            out.push(diag.at_path(pod_annotation_path(workload, annotations::TOKEN_EXPIRATION)));
        }
    }
}

/// The diagnostic for one annotation, when its value is wrong.
fn finding(
    source: &SourceRef,
    owner: &str,
    annotation: &Annotation,
    ignored: &str,
) -> Option<Diagnostic> {
    let scalar = annotation.value.as_scalar()?;
    // Booleans, nulls and floats are IRSA205's (not a string at all); a quoted or plain string
    // and an unquoted integer are read for their text.
    if !matches!(scalar.ty, ScalarType::String | ScalarType::Int) {
        return None;
    }
    let text = scalar.text.as_str();
    let key = annotations::TOKEN_EXPIRATION;
    let (message, label, help) = match classify(text) {
        Expiration::Valid(_) => return None,
        Expiration::NotInteger => (
            format!(
                "`{key}` on {owner} is `{text}`, not a whole number of seconds: {ignored}"
            ),
            "not an integer for Go's `strconv.ParseInt`".to_string(),
            "write the lifetime in whole seconds, between 600 and 86400, as a quoted string: `\"3600\"`".to_string(),
        ),
        Expiration::TooShort(n) => (
            format!(
                "`{key}` on {owner} is {n} seconds, below the minimum of {MIN_SECONDS}: the webhook raises it to its minimum (600 seconds in current releases, 3600 in older ones), so the token lives longer than written"
            ),
            format!("below {MIN_SECONDS} seconds"),
            format!("use at least `\"{MIN_SECONDS}\"` (10 minutes); the kubelet refreshes the token before it expires"),
        ),
        Expiration::TooLong(n) => (
            format!(
                "`{key}` on {owner} is {n} seconds, above {MAX_SECONDS} (24 hours): EKS never issues a projected ServiceAccount token for longer, so the token still expires after at most 24 hours"
            ),
            format!("above {MAX_SECONDS} seconds"),
            format!("use at most `\"{MAX_SECONDS}\"`, or remove the annotation (86400 is the default)"),
        ),
    };
    Some(
        Diagnostic::new(IRSA211, source, annotation.value.span, message)
            .label(label)
            .help(help),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_like_go_parse_int() {
        assert_eq!(classify("3600"), Expiration::Valid(3600));
        assert_eq!(classify("+3600"), Expiration::Valid(3600));
        assert_eq!(classify("03600"), Expiration::Valid(3600));
        assert_eq!(classify("600"), Expiration::Valid(600));
        assert_eq!(classify("86400"), Expiration::Valid(86400));
        assert_eq!(classify("599"), Expiration::TooShort(599));
        assert_eq!(classify("-1"), Expiration::TooShort(-1));
        assert_eq!(classify("86401"), Expiration::TooLong(86401));
        for bad in [
            "",
            "1h",
            "3600s",
            " 3600",
            "3_600",
            "1e4",
            "3600.0",
            "99999999999999999999",
        ] {
            assert_eq!(classify(bad), Expiration::NotInteger, "{bad}");
        }
    }
}

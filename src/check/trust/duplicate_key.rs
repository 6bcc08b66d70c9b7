//! IRSA118 duplicate-key: the same key twice in one object of the policy document.
//!
//! JSON leaves duplicate names undefined and common parsers, IAM's included, keep only the last
//! one: a second `StringEquals` block silently replaces the first, a repeated condition key drops
//! the earlier values, a second `Statement` discards every statement before it. The policy then
//! says less (or more) than its author reads in it. Names that differ only in case are reported
//! too: condition keys are case-insensitive in IAM and the policy elements are read
//! case-insensitively (by this tool, and in practice by IAM), so `StringEquals` and `stringequals`,
//! or `...:sub` and `...:SUB`, are the same entry to IAM and one of them does not count as
//! written.
//!
//! Every trust policy's duplicates are reported, whatever its statements: a duplicated `Statement`
//! or `Effect` can hide the very statement other rules would look at. The frontend finds them
//! while reading the document (`TrustPolicy::duplicate_keys`).

use crate::check::RuleContext;
use crate::check::support::statement::logical_path;
use crate::diagnostic::Diagnostic;
use crate::model::policy::{DuplicateKey, TrustPolicy};
use crate::registry;

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    for duplicate in &policy.duplicate_keys {
        out.push(report(policy, duplicate));
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_string()
    } else {
        format!("{path}.{name}")
    }
}

fn report(policy: &TrustPolicy, duplicate: &DuplicateKey) -> Diagnostic {
    let (path, earlier, later) = (
        duplicate.object_path.as_str(),
        &duplicate.earlier,
        &duplicate.later,
    );
    let (earlier_name, name) = (earlier.value.as_str(), later.value.as_str());
    let exact = earlier_name == name;
    let line = policy.source.line_col(earlier.span.start).line;
    let message = if exact {
        format!(
            "`{name}` appears twice in this object: IAM keeps only the last one, so the \
             `{name}` on line {line} is silently discarded"
        )
    } else {
        format!(
            "`{name}` and `{earlier_name}` (line {line}) differ only in case, so IAM reads them \
             as the same key and one of them is silently discarded"
        )
    };
    let help = if looks_like_operator(name) {
        format!(
            "merge the two blocks into one: \"{earlier_name}\": {{ <the keys of both blocks> }}"
        )
    } else if looks_like_condition_key(name) {
        format!(
            "list every value under one key: \"{earlier_name}\": [\"<value 1>\", \"<value 2>\"]"
        )
    } else {
        format!("keep one `{earlier_name}` and merge what the other held into it")
    };
    Diagnostic::new(registry::IRSA118, &policy.source, later.span, message)
        .label("duplicate key")
        .help(help)
        .related(&policy.source, earlier.span, "first written here")
        .at_path(logical_path(policy, None, &join(path, name)))
}

fn looks_like_operator(name: &str) -> bool {
    crate::model::policy::Operator::parse(name).is_some()
}

fn looks_like_condition_key(name: &str) -> bool {
    name.contains(':')
}

#[cfg(test)]
mod tests {

    use super::*;

    fn run(text: &str) -> Vec<(String, String)> {
        let out = crate::check::support::run_check(check, text);
        out.iter()
            .map(|d| {
                (
                    d.primary.source.slice(d.primary.span).to_string(),
                    d.related[0].source.slice(d.related[0].span).to_string(),
                )
            })
            .collect()
    }

    #[test]
    fn finds_duplicates_at_any_depth() {
        let text = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::483920175566:oidc-provider/x.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"x.example.com:sub":"a","X.EXAMPLE.COM:SUB":"b"},"StringEquals":{"x.example.com:aud":"sts.amazonaws.com"}}}]}"#;
        let got = run(text);
        assert_eq!(got.len(), 2);
        assert!(got.contains(&(
            "\"StringEquals\"".to_string(),
            "\"StringEquals\"".to_string()
        )));
        assert!(got.contains(&(
            "\"X.EXAMPLE.COM:SUB\"".to_string(),
            "\"x.example.com:sub\"".to_string()
        )));
    }
}

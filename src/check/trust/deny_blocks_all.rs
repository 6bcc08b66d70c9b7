//! IRSA126 deny-blocks-all: a Deny statement that refuses every web-identity request an Allow
//! statement admits.
//!
//! An explicit Deny overrides any Allow ("Policy evaluation logic"), so a Deny whose conditions
//! also cover the subjects the Allow names makes the Allow dead: `AssumeRoleWithWebIdentity` fails
//! with `AccessDenied` for every pod, although the Allow looks right. Typical causes: a Deny
//! meant to exclude one namespace written with a `StringLike` pattern that matches all of them, or
//! a `StringNotEquals` exclusion list that omits the very subject the Allow admits.
//!
//! Method (conservative: report only what holds for every request we can derive):
//!
//! 1. For each web-identity Allow statement and each of its (resolved) OIDC provider principals,
//!    derive candidate requests: for every claim that the statement's positive string conditions
//!    on that provider constrain (`StringEquals`, `StringEqualsIgnoreCase`, `StringLike`, with any
//!    qualifier), the values they list, `StringLike` patterns instantiated several ways (`*` as
//!    `x`, as `irsa-lint-probe` and as nothing; `?` as one letter). `sub` defaults to two
//!    unrelated probe subjects and `aud` to `sts.amazonaws.com` when unconstrained. Candidates are
//!    the combinations of those values (at most [`MAX_CANDIDATES`]; beyond, nothing is reported).
//! 2. Keep the candidates the Allow statement definitely admits (`engine::evaluate_statement`).
//! 3. Report when there is at least one, and the whole policy (`engine::evaluate`) definitely
//!    denies every one of them by an explicit Deny. Unresolved values make the engine answer
//!    Unknown, which never counts as a denial.

use std::collections::BTreeMap;

use crate::check::RuleContext;
use crate::check::support::statement::{logical_path, web_identity_statements};
use crate::check::support::subjects::{PROBE_SUBJECTS, admitted_values};
use crate::diagnostic::Diagnostic;
use crate::engine::{AssumeRoleRequest, Reason, STS_AUDIENCE, Tri, evaluate, evaluate_statement};
use crate::model::oidc::{parse_provider_arn, parse_provider_key, same_provider};
use crate::model::policy::{Statement, TrustPolicy};
use crate::registry::IRSA126;

/// Cap on the candidate requests derived from one statement and provider.
pub const MAX_CANDIDATES: usize = 256;

/// The claims the statement's conditions on `provider` mention (lower-cased), `sub` and `aud`
/// first.
fn constrained_claims(stmt: &Statement, provider: &str) -> Vec<String> {
    let mut claims = vec!["sub".to_string(), "aud".to_string()];
    for (_, entry) in stmt.condition_entries() {
        if let Some(k) = parse_provider_key(&entry.key.value) {
            let claim = k.claim.to_ascii_lowercase();
            if same_provider(k.provider, provider) && !claims.contains(&claim) {
                claims.push(claim);
            }
        }
    }
    claims
}

/// Candidate requests for one Allow statement and one of its provider ARNs (step 1 of the
/// method); None when there would be more than [`MAX_CANDIDATES`].
pub fn candidate_requests(stmt: &Statement, provider_arn: &str) -> Option<Vec<AssumeRoleRequest>> {
    let provider = parse_provider_arn(provider_arn)?.provider;
    let mut axes: Vec<(String, Vec<String>)> = Vec::new();
    for claim in constrained_claims(stmt, provider) {
        let mut values = admitted_values(stmt, provider, &claim);
        if values.is_empty() {
            match claim.as_str() {
                "sub" => values = PROBE_SUBJECTS.iter().map(|s| s.to_string()).collect(),
                "aud" => values = vec![STS_AUDIENCE.to_string()],
                // Constrained only negatively (or by operators we do not sample): leave the
                // claim absent; the engine then decides whether the statement still admits.
                _ => continue,
            }
        }
        axes.push((claim, values));
    }
    let total = axes
        .iter()
        .try_fold(1usize, |acc, (_, v)| acc.checked_mul(v.len()))?;
    if total > MAX_CANDIDATES {
        return None;
    }
    let mut requests = vec![AssumeRoleRequest::web_identity(provider_arn)];
    for (claim, values) in &axes {
        requests = requests
            .into_iter()
            .flat_map(|r| {
                values
                    .iter()
                    .map(move |v| r.clone().with_claim(claim.as_str(), [v.as_str()]))
            })
            .collect();
    }
    Some(requests)
}

/// The Deny statements (by index) that refuse every request `allow` admits; None when that is
/// not provable.
fn blocking_denies(policy: &TrustPolicy, allow: &Statement) -> Option<Vec<usize>> {
    let mut denies: Vec<usize> = Vec::new();
    let mut admitted_any = false;
    let mut analysed_any = false;
    for principal in allow.oidc_principals().filter(|v| !v.has_unknown()) {
        let requests = candidate_requests(allow, &principal.text)?;
        analysed_any = true;
        for request in requests {
            if evaluate_statement(allow, &request) != Tri::True {
                continue;
            }
            admitted_any = true;
            match evaluate(policy, &request).reason {
                Reason::ExplicitDeny { statement, .. } => {
                    if !denies.contains(&statement) {
                        denies.push(statement);
                    }
                }
                _ => return None,
            }
        }
    }
    // An unresolved principal might name a provider whose requests pass: not provable.
    let unresolved = allow.oidc_principals().any(|v| v.has_unknown());
    (analysed_any && admitted_any && !unresolved).then_some(denies)
}

pub fn check(policy: &TrustPolicy, _: &RuleContext, out: &mut Vec<Diagnostic>) {
    if !policy.statements.iter().any(Statement::is_deny) {
        return;
    }
    let allows: Vec<&Statement> = web_identity_statements(policy)
        .filter(|s| s.is_allow())
        .collect();
    // Deny statement index → the Allow statements it (with the first Deny listed) makes dead.
    let mut by_deny: BTreeMap<usize, Vec<&Statement>> = BTreeMap::new();
    for allow in &allows {
        if let Some(denies) = blocking_denies(policy, allow)
            && let Some(&first) = denies.first()
        {
            by_deny.entry(first).or_default().push(allow);
        }
    }
    let dead: usize = by_deny.values().map(Vec::len).sum();
    let all_dead = dead == allows.len();
    for (deny_index, blocked) in by_deny {
        let Some(deny) = crate::engine::statement_at(policy, deny_index) else {
            continue;
        };
        let Some(effect) = &deny.effect else { continue };
        let names: Vec<String> = blocked.iter().map(|s| statement_name(s)).collect();
        let message = if all_dead {
            format!(
                "no pod can assume this role: this Deny refuses every web-identity request that {} admits, and an explicit Deny overrides any Allow",
                names.join(" and ")
            )
        } else {
            format!(
                "this Deny refuses every web-identity request that {} admits, so that Allow grants nothing: its pods get `AccessDenied`",
                names.join(" and ")
            )
        };
        let mut diag = Diagnostic::new(IRSA126, &policy.source, effect.span, message)
            .label("refuses everything the Allow admits")
            .help("narrow the Deny so it cannot match the subjects the Allow names (e.g. list only the excluded subjects in a `StringEquals` on `<provider>:sub`), or remove it")
            .at_path(logical_path(policy, Some(deny), "Effect"));
        for allow in blocked {
            let span = allow.effect.as_ref().map(|e| e.span).unwrap_or(allow.span);
            diag = diag.related(
                &policy.source,
                span,
                format!("every request {} admits is refused", statement_name(allow)),
            );
        }
        out.push(diag);
    }
}

/// "statement 0" or "statement 0 (`AllowApp`)".
fn statement_name(stmt: &Statement) -> String {
    match &stmt.sid {
        Some(sid) if !sid.value.is_empty() => {
            format!("statement {} (`{}`)", stmt.index, sid.value)
        }
        _ => format!("statement {}", stmt.index),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F";

    fn run(statements: &str) -> Vec<Diagnostic> {
        let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
        crate::check::support::run_check(check, &text)
    }

    fn allow(condition: &str) -> String {
        format!(
            r#"{{"Effect": "Allow", "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/{ID}"}},
 "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}"#
        )
    }

    fn deny(condition: &str) -> String {
        format!(
            r#"{{"Effect": "Deny", "Principal": {{"Federated": "arn:aws:iam::483920175566:oidc-provider/{ID}"}},
 "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {condition}}}"#
        )
    }

    #[test]
    fn deny_covering_the_allowed_subject_fires() {
        let a = allow(&format!(
            r#"{{"StringEquals": {{"{ID}:sub": "system:serviceaccount:payments:api", "{ID}:aud": "sts.amazonaws.com"}}}}"#
        ));
        let d = deny(&format!(
            r#"{{"StringLike": {{"{ID}:sub": "system:serviceaccount:pay*"}}}}"#
        ));
        let diags = run(&format!("{a}, {d}"));
        assert_eq!(diags.len(), 1);
        assert!(diags[0].message.starts_with("no pod can assume"));
        // An exclusion list that omits the allowed subject.
        let d = deny(&format!(
            r#"{{"StringNotEquals": {{"{ID}:sub": "system:serviceaccount:payments:worker"}}}}"#
        ));
        assert_eq!(run(&format!("{a}, {d}")).len(), 1);
        // An unconditional Deny of the action.
        let d =
            r#"{"Effect": "Deny", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity"}"#;
        assert_eq!(run(&format!("{a}, {d}")).len(), 1);
    }

    #[test]
    fn partial_or_unknown_denies_pass() {
        let a = allow(&format!(
            r#"{{"StringLike": {{"{ID}:sub": "system:serviceaccount:payments:*"}}}}"#
        ));
        // Denies one service account of the namespace: others still pass.
        let d = deny(&format!(
            r#"{{"StringEquals": {{"{ID}:sub": "system:serviceaccount:payments:x"}}}}"#
        ));
        assert!(run(&format!("{a}, {d}")).is_empty());
        // The usual exclusion: denies everything except what the Allow names.
        let a = allow(&format!(
            r#"{{"StringEquals": {{"{ID}:sub": "system:serviceaccount:payments:api"}}}}"#
        ));
        let d = deny(&format!(
            r#"{{"StringNotEquals": {{"{ID}:sub": "system:serviceaccount:payments:api"}}}}"#
        ));
        assert!(run(&format!("{a}, {d}")).is_empty());
    }
}

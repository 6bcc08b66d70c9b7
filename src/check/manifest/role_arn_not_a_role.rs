//! IRSA204 role-arn-not-a-role: the role-arn annotation (or the role ARN a Helm values file sets)
//! names a user, a policy, an instance
//! profile, an OIDC provider, an STS session or another service's resource instead of a role.
//!
//! Only a role can be assumed with `sts:AssumeRoleWithWebIdentity`. The webhook does not check
//! what the ARN names: it injects it as `AWS_ROLE_ARN`, the SDK's web-identity provider calls STS
//! with it, and STS refuses, so the pods have no AWS credentials. The usual causes are copying the
//! wrong line of the console (the instance profile ARN shown next to the role's, the policy ARN
//! attached to it, the OIDC provider ARN from the trust policy) or `aws sts get-caller-identity`
//! output, which shows an `assumed-role` session ARN rather than the role's own ARN.

use crate::check::support::role_arn::{
    ArnFields, RoleArnOwner, not_a_role, role_arn_values, split_arn,
};
use crate::diagnostic::Diagnostic;
use crate::link::Linked;
use crate::registry;

/// A concrete fix for each kind of ARN.
fn help_for(kind: &str, arn: &str) -> String {
    let fields = split_arn(arn);
    let part =
        |f: fn(&ArnFields) -> std::ops::Range<usize>| fields.as_ref().map_or("", |x| &arn[f(x)]);
    let partition = match part(|f| f.partition.clone()) {
        "" => "aws",
        p => p,
    };
    let account = match part(|f| f.account.clone()) {
        "" => "<account id>",
        a => a,
    };
    match kind {
        "assumed-role" => {
            // `assumed-role/<role name>/<session>`: the role's own ARN drops the session, and may
            // carry a path the session ARN does not show.
            let resource = part(|f| f.resource.clone());
            let role = resource.split('/').nth(1).unwrap_or("<role name>");
            format!(
                "use the role's own ARN, `arn:{partition}:iam::{account}:role/{role}` (check its \
                 path with `aws iam get-role --role-name {role} --query Role.Arn`), not the ARN \
                 of a session of it"
            )
        }
        "instance-profile" => format!(
            "use the ARN of the role inside the instance profile (`aws iam get-instance-profile \
             --instance-profile-name <name> --query 'InstanceProfile.Roles[].Arn'`), e.g. \
             `arn:{partition}:iam::{account}:role/<role name>`; better, give the pods a role of \
             their own"
        ),
        "policy" => format!(
            "create a role whose trust policy admits this ServiceAccount, attach this policy to \
             it, and annotate the ServiceAccount with the role's ARN \
             (`arn:{partition}:iam::{account}:role/<role name>`)"
        ),
        "oidc-provider" => format!(
            "the OIDC provider ARN belongs in the role's trust policy (`Principal.Federated`); \
             annotate the ServiceAccount with the role's ARN, \
             `arn:{partition}:iam::{account}:role/<role name>`"
        ),
        "user" | "group" | "root" | "federated-user" => format!(
            "IRSA assumes roles only: create a role with the permissions the pods need, trust \
             this ServiceAccount in it, and annotate with its ARN \
             (`arn:{partition}:iam::{account}:role/<role name>`)"
        ),
        _ => format!(
            "annotate the ServiceAccount with the ARN of the IAM role the pods should assume, \
             `arn:{partition}:iam::{account}:role/<role name>`, and grant that role access to \
             this resource"
        ),
    }
}

pub fn check(linked: &Linked, out: &mut Vec<Diagnostic>) {
    for v in role_arn_values(linked) {
        let text = v.text;
        let base = text.len() - text.trim_start().len();
        let arn = text.trim();
        let Some(found) = not_a_role(arn) else {
            continue;
        };
        let span = v.source.sub_span(
            v.value.span,
            text,
            base + found.range.start..base + found.range.end,
        );
        let subject = match v.owner {
            RoleArnOwner::ServiceAccount(_) => format!("{} is annotated with", v.label),
            RoleArnOwner::Values => format!("{} sets the role-arn annotation to", v.label),
        };
        out.push(
            Diagnostic::new(
                registry::IRSA204,
                v.source,
                span,
                format!(
                    "{subject} the ARN of {}, not of an IAM role: the webhook injects it as \
                     `AWS_ROLE_ARN`, STS refuses `AssumeRoleWithWebIdentity` on it and the pods \
                     get no AWS credentials",
                    found.what
                ),
            )
            .label(format!("`{}`, not `role`", found.kind))
            .help(help_for(&found.kind, arn))
            .at_path(v.path.clone()),
        );
    }
}

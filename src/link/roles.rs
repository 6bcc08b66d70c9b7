//! Role-arn annotation → trust policy.
//!
//! A role with a known identity (from `aws iam` outputs, or given to raw policy files by the
//! configuration's `roles`, see [`configured_identity`]) is matched by partition, account and name
//! (IAM role names are unique ignoring case); failing that by name alone, so IRSA308 can say that
//! account or partition disagree; failing that, a raw policy file whose stem is the role name.

use std::collections::{BTreeMap, HashMap};

use super::RoleMapping;
use super::ids::PolicyId;
use crate::model::arn::parse_role_arn;
use crate::model::k8s::ServiceAccount;
use crate::model::oidc::{is_account_id, parse_provider_arn};
use crate::model::policy::{
    BaseOperator, EKSCTL_GENERATED_ROLE_PREFIX, Located, PolicyOrigin, RoleIdentity, TrustPolicy,
};
use crate::model::template::{find_holes, has_holes};
use crate::source::Span;

/// The role identity the configuration's `roles` give a raw trust-policy file: the ARN of the first
/// entry whose `path` matches the file, with `{stem}` replaced by the file's stem; name, path,
/// account and partition are read from that ARN.
///
/// The identity is written in the configuration, not in the policy file, so its spans are empty
/// and sit at the start of the policy document: a related location "the role's ARN" then points at
/// the policy the ARN was given to.
pub fn configured_identity(policy: &TrustPolicy, roles: &[RoleMapping]) -> Option<RoleIdentity> {
    if policy.origin != PolicyOrigin::RawFile || policy.role.is_some() {
        return None;
    }
    let file = policy
        .source
        .path
        .clone()
        .unwrap_or_else(|| policy.source.display_path.clone().into());
    let stem = policy.source.stem()?;
    let arn = roles
        .iter()
        .find(|r| r.path.matches(&file))?
        .arn_for(&stem)?;
    let parsed = parse_role_arn(&arn)?;
    let at = Span::new(
        policy.document_span.start as usize,
        policy.document_span.start as usize,
    );
    let located = |value: &str| Located {
        value: value.to_string(),
        span: at,
    };
    Some(RoleIdentity {
        name: Some(located(parsed.name)),
        name_prefix: None,
        path: Some(located(parsed.path)),
        partition: Some(parsed.partition.to_string()),
        account: Some(parsed.account.to_string()),
        arn: Some(located(&arn)),
    })
}

/// How a role ARN was matched to a trust policy of the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoleMatch {
    /// The role's identity (ARN) is known and partition, account and name agree.
    Identity,
    /// The role's identity is known and only its name agrees (IRSA308 reports the rest).
    NameOnly,
    /// A raw policy file whose stem is the role name.
    FileStem,
    /// A role whose name Terraform generates from a `name_prefix`: the annotated name is that
    /// prefix and Terraform's 26-digit suffix.
    NamePrefix,
    /// The annotation is a Terraform reference to the role's resource (`${aws_iam_role.X.arn}`,
    /// an ARN ending in `role/${aws_iam_role.X.name}`) or to a module's role
    /// (`${module.M.iam_role_arn}`), and the policy is that resource's, or the module's, in the
    /// same Terraform configuration ([`role_reference`]): exact, whatever the account. Also the
    /// role eksctl creates under a generated name for a `ClusterConfig`'s ServiceAccount
    /// (`${eksctl/CLUSTER/NS/NAME}`, [`EKSCTL_GENERATED_ROLE_PREFIX`]), in the same file.
    Reference,
    /// No trust policy of the input belongs to the role by name: a raw policy file that names
    /// the ServiceAccount's subject is assumed to be the role's trust (`exact`: the whole
    /// `system:serviceaccount:NS:NAME`; else its NAME in another namespace). Findings that rest
    /// on it say so.
    Subject { exact: bool },
}

/// What binds a ServiceAccount to a role.
///
/// The IRSA annotation does, on the ServiceAccount; an EKS Pod Identity association does without
/// touching the ServiceAccount (its requests come from the `pods.eks.amazonaws.com` service with
/// session tags), and its target role is a second role the first one's credentials assume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BindingSource {
    /// The ServiceAccount's `eks.amazonaws.com/role-arn` annotation.
    Annotation,
    /// A Pod Identity association's `roleArn`.
    Association,
    /// A Pod Identity association's `targetRoleArn`.
    TargetRole,
}

/// A ServiceAccount bound to a role whose trust policy is in the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Binding {
    pub source: BindingSource,
    /// The role's trust policy.
    pub policy: PolicyId,
    /// How the role ARN was matched to the policy.
    pub matched: RoleMatch,
}

impl Binding {
    /// True unless the policy may be another role's of the same name (in another account or
    /// partition). A policy linked by the subject it names is taken as the role's: findings
    /// resting on it state the assumption ([`Binding::is_assumed`]).
    pub fn is_certain(&self) -> bool {
        self.matched != RoleMatch::NameOnly
    }

    /// True when the policy was linked by the subject it names, not by the role's name.
    pub fn is_assumed(&self) -> bool {
        matches!(self.matched, RoleMatch::Subject { .. })
    }
}

/// Trust policies indexed by lower-cased role name.
pub struct RoleIndex<'a> {
    policies: &'a [TrustPolicy],
    by_identity: BTreeMap<String, Vec<usize>>,
    by_stem: BTreeMap<String, Vec<usize>>,
    /// Roles named by a prefix (Terraform's `name_prefix`), as (prefix, policy).
    by_prefix: Vec<(String, usize)>,
}

impl<'a> RoleIndex<'a> {
    pub fn new(policies: &'a [TrustPolicy]) -> RoleIndex<'a> {
        let mut by_identity: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_stem: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut by_prefix = Vec::new();
        for (i, p) in policies.iter().enumerate() {
            if let Some(prefix) = p.role.as_ref().and_then(|r| r.name_prefix.as_ref()) {
                by_prefix.push((prefix.value.clone(), i));
            } else if let Some(name) = identity_name(p) {
                by_identity
                    .entry(name.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            } else if let Some(stem) = &p.candidate_role_name {
                by_stem
                    .entry(stem.to_ascii_lowercase())
                    .or_default()
                    .push(i);
            }
        }
        RoleIndex {
            policies,
            by_identity,
            by_stem,
            by_prefix,
        }
    }

    /// The trust policies that may be the role a ServiceAccount's annotation names, each as the
    /// binding it would make, in model order: those whose identity names the role (ignoring case),
    /// else raw policy files whose stem is exactly the role name. Among them, those whose account
    /// agrees with the annotation's; only when none does, those that contradict it (as a name-only
    /// match for an identity; a raw file keeps its stem match, so that IRSA314 can say its provider
    /// is another account's). Which of several a ServiceAccount is bound to is decided by nearness
    /// (`super::scope`).
    pub fn annotation_candidates(&self, sa: &ServiceAccount) -> Vec<Binding> {
        let Some(text) = sa.role_arn().and_then(|a| a.value.as_str()) else {
            return Vec::new();
        };
        self.arn_candidates(
            text,
            sa.meta.file(),
            &sa.meta.list_path,
            BindingSource::Annotation,
        )
    }

    /// The trust policies that may be the role `text` names (a role ARN, or a Terraform or
    /// CloudFormation reference to a role), written in `file` by an object at Terraform address
    /// `address` (whose module a reference is read in), as bindings from `source`: see
    /// [`RoleIndex::annotation_candidates`].
    pub fn arn_candidates(
        &self,
        text: &str,
        file: &str,
        address: &str,
        source: BindingSource,
    ) -> Vec<Binding> {
        let annotation = |policy: usize, matched: RoleMatch| Binding {
            source,
            policy: PolicyId::at(policy),
            matched,
        };
        if let Some(reference) = role_reference(text) {
            return self
                .reference_candidates(file, address, &reference)
                .into_iter()
                .map(|i| annotation(i, RoleMatch::Reference))
                .collect();
        }
        let Some(arn) = parse_role_arn(text.trim()) else {
            return Vec::new();
        };
        let key = arn.name.to_ascii_lowercase();
        if let Some(candidates) = self.by_identity.get(&key) {
            // An account or partition known only at deploy time
            // (`${data.aws_caller_identity.current.account_id}`) agrees with any.
            let agrees = |i: usize| {
                self.policies[i].role.as_ref().is_some_and(|r| {
                    (has_holes(arn.partition)
                        || r.partition.as_deref().is_none_or(|p| p == arn.partition))
                        && (has_holes(arn.account)
                            || r.account.as_deref().is_none_or(|a| a == arn.account))
                })
            };
            let exact: Vec<Binding> = candidates
                .iter()
                .filter(|&&i| agrees(i))
                .map(|&i| annotation(i, RoleMatch::Identity))
                .collect();
            if !exact.is_empty() {
                return exact;
            }
            return candidates
                .iter()
                .map(|&i| annotation(i, RoleMatch::NameOnly))
                .collect();
        }
        // A name Terraform generated: the prefix and its 26-digit unique suffix.
        let prefixed: Vec<Binding> = self
            .by_prefix
            .iter()
            .filter(|(prefix, _)| generated_from(arn.name, prefix))
            .map(|&(_, i)| annotation(i, RoleMatch::NamePrefix))
            .collect();
        if !prefixed.is_empty() {
            return prefixed;
        }
        // File stems are matched exactly: a file name is not an IAM identity.
        let stems: Vec<usize> = self
            .by_stem
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.policies[i].candidate_role_name.as_deref() == Some(arn.name))
            .collect();
        let agreeing: Vec<usize> = stems
            .iter()
            .copied()
            .filter(|&i| !provider_contradicts(&self.policies[i], arn.account))
            .collect();
        let chosen = if agreeing.is_empty() { stems } else { agreeing };
        chosen
            .into_iter()
            .map(|i| annotation(i, RoleMatch::FileStem))
            .collect()
    }

    /// The trust policies of the role a Terraform reference names ([`RoleMatch::Reference`]): the
    /// policies whose resource address is the reference's, read in the ServiceAccount's own module
    /// (`aws_iam_role.this` from `module.payments.kubernetes_service_account_v1.api` is
    /// `module.payments.aws_iam_role.this`), in the same Terraform configuration: the same file
    /// (a plan, state), or a `.tf` module directory's (addresses are the module's own). A
    /// reference without instance key takes every instance; a module reference every role of the
    /// module.
    fn reference_candidates(
        &self,
        file: &str,
        address: &str,
        reference: &RoleReference,
    ) -> Vec<usize> {
        let prefix = module_prefix(address);
        let target = format!("{prefix}{}", reference.address);
        self.policies
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.file() == file
                    || (p.origin == PolicyOrigin::Terraform
                        && super::scope::dir_of(p.file()) == super::scope::dir_of(file))
            })
            .filter(|(_, p)| {
                p.resource_address
                    .as_deref()
                    .is_some_and(|address| reference.names(&target, address))
            })
            .map(|(i, _)| i)
            .collect()
    }
}

/// A Terraform reference a role-arn annotation is made of: the address of an `aws_iam_role`
/// instance, or of a module call whose role it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleReference {
    /// `aws_iam_role.api`, `aws_iam_role.api["a"]`, `module.irsa`, `module.irsa[0]`, relative to
    /// the module the annotation is written in.
    pub address: String,
    /// True for a module call's role (`module.irsa.iam_role_arn`).
    pub module: bool,
}

impl RoleReference {
    /// True when the resource at `address` (absolute) is the role `target` (the reference made
    /// absolute) names: the same instance, every instance of a reference without key, every
    /// resource under a module call.
    fn names(&self, target: &str, address: &str) -> bool {
        let keyless = !self.address.ends_with(']');
        let Some(rest) = address.strip_prefix(target) else {
            return false;
        };
        let key = instance_key_len(rest);
        if self.module {
            rest.starts_with('.') || (keyless && key > 0 && rest[key..].starts_with('.'))
        } else {
            rest.is_empty() || (keyless && key > 0 && key == rest.len())
        }
    }
}

/// The role a role-arn annotation names by Terraform reference: its whole text one unknown value
/// `${aws_iam_role.X.arn}` (`${aws_iam_role.X["k"].arn}`, `${module.M.iam_role_arn}`,
/// `${module.M.arn}`, any module output ending in `role_arn`), or a role ARN whose name is one,
/// `arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.X.name}`
/// (`.name`, `.id`, `${module.M.iam_role_name}`, any module output ending in `role_name`). None
/// for anything else, a name known as text included (that links by name).
pub fn role_reference(text: &str) -> Option<RoleReference> {
    let text = text.trim();
    if let Some(expr) = whole_hole(text) {
        if expr.starts_with(EKSCTL_GENERATED_ROLE_PREFIX) {
            // A role eksctl names itself: its trust's address is the hole's text.
            return Some(RoleReference {
                address: expr,
                module: false,
            });
        }
        return reference_of(&expr, &["arn"], "role_arn")
            .or_else(|| cloudformation_reference(expr.strip_suffix(".Arn")?));
    }
    let arn = parse_role_arn(text)?;
    let expr = whole_hole(arn.name)?;
    reference_of(&expr, &["name", "id"], "role_name").or_else(|| cloudformation_reference(&expr))
}

/// A CloudFormation role by logical id (alphanumeric): `${Role.Arn}` (`!GetAtt Role.Arn`, or
/// `Fn::Sub`'s own), or a role ARN whose name is `${Role}` (`!Ref Role`). The policy's resource
/// address is the logical id (`extract::cloudformation`).
fn cloudformation_reference(id: &str) -> Option<RoleReference> {
    (!id.is_empty() && id.bytes().all(|c| c.is_ascii_alphanumeric())).then(|| RoleReference {
        address: id.to_string(),
        module: false,
    })
}

/// The expression of a text that is exactly one `${...}` hole, without white space.
fn whole_hole(text: &str) -> Option<String> {
    let holes = find_holes(text);
    match holes.as_slice() {
        [hole] if hole.range == (0..text.len()) && text.starts_with("${") => Some(
            hole.expression
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect(),
        ),
        _ => None,
    }
}

/// `aws_iam_role.X[key].<attribute>` or `module.M[key].<output>` → the reference, when the
/// attribute is one of `attributes` (a resource's) or the output is `arn`/`name` or ends in
/// `module_suffix` (a module's).
fn reference_of(expr: &str, attributes: &[&str], module_suffix: &str) -> Option<RoleReference> {
    let (module, rest) = if let Some(rest) = expr.strip_prefix("aws_iam_role.") {
        (false, rest)
    } else {
        (true, expr.strip_prefix("module.")?)
    };
    let name_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(rest.len());
    if name_len == 0 {
        return None;
    }
    let key_len = instance_key_len(&rest[name_len..]);
    let (head, tail) = rest.split_at(name_len + key_len);
    let attribute = tail.strip_prefix('.')?;
    let ok = if module {
        attributes.first() == Some(&attribute) || attribute.ends_with(module_suffix)
    } else {
        attributes.contains(&attribute)
    };
    if !ok || attribute.contains(['.', '[']) {
        return None;
    }
    let kind = if module { "module" } else { "aws_iam_role" };
    Some(RoleReference {
        address: format!("{kind}.{head}"),
        module,
    })
}

/// The length of an instance key (`[0]`, `["a.b"]`) at the start of `text`, 0 when there is none.
fn instance_key_len(text: &str) -> usize {
    let Some(rest) = text.strip_prefix('[') else {
        return 0;
    };
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.find('"').map(|i| i + 2)
    } else {
        rest.find(|c: char| !c.is_ascii_digit()).filter(|&i| i > 0)
    };
    match end {
        Some(i) if rest[i..].starts_with(']') => i + 2,
        _ => 0,
    }
}

/// The module path a Terraform object's address starts with (`module.a["x"].module.b.` of
/// `module.a["x"].module.b.kubernetes_service_account_v1.api`), empty for the root module or an
/// object that is no Terraform resource.
fn module_prefix(address: &str) -> &str {
    let mut end = 0;
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let name_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(after.len());
        if name_len == 0 {
            break;
        }
        let key_len = instance_key_len(&after[name_len..]);
        let consumed = "module.".len() + name_len + key_len;
        if !rest[consumed..].starts_with('.') {
            break;
        }
        end += consumed + 1;
        rest = &rest[consumed + 1..];
    }
    &address[..end]
}

/// True when `name` is one Terraform generates from `prefix`: the prefix, then the 26 digits of
/// its unique id (a timestamp and a counter, `20240611131524228000000002`).
fn generated_from(name: &str, prefix: &str) -> bool {
    name.strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == 26 && rest.bytes().all(|b| b.is_ascii_digit()))
}

/// How a trust policy names a ServiceAccount `namespace/name` in its Allow statements' positive
/// `:sub` conditions (StringEquals, StringLike): `Some(true)` for its exact subject, `Some(false)`
/// for its name in another namespace, None when it names neither (wildcards do not name anyone).
pub fn names_subject(policy: &TrustPolicy, namespace: &str, name: &str) -> Option<bool> {
    let mut found = None;
    for (ns, sa) in named_subjects(policy) {
        if sa == name {
            if ns == namespace {
                return Some(true);
            }
            found = Some(false);
        }
    }
    found
}

/// The (namespace, name) of every exact subject a trust policy's Allow statements name in their
/// positive `:sub` conditions (StringEquals, StringLike without wildcards), in order.
fn named_subjects(policy: &TrustPolicy) -> impl Iterator<Item = (&str, &str)> {
    policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.claim_entries("sub"))
        .filter(|(b, _)| {
            b.operator.is_some_and(|op| {
                matches!(
                    op.base,
                    BaseOperator::StringEquals | BaseOperator::StringLike
                )
            })
        })
        .flat_map(|(_, e)| e.values.iter())
        .filter(|v| !v.has_unknown() && !v.text.contains(['*', '?']))
        .filter_map(|v| {
            v.text
                .strip_prefix("system:serviceaccount:")
                .and_then(|rest| rest.split_once(':'))
        })
}

/// The policies that name each ServiceAccount in an exact subject ([`names_subject`]), each
/// list in model order with each policy once.
#[derive(Debug, Default)]
pub struct SubjectIndex<'a> {
    /// name → the policies naming it in some namespace ([`names_subject`] is Some for them, None
    /// for every other policy).
    by_name: HashMap<&'a str, Vec<usize>>,
    /// (namespace, name) → the policies naming that exact subject ([`names_subject`] is
    /// `Some(true)`).
    exact: HashMap<(&'a str, &'a str), Vec<usize>>,
}

impl<'a> SubjectIndex<'a> {
    pub fn new(policies: &'a [TrustPolicy]) -> SubjectIndex<'a> {
        let mut index = SubjectIndex::default();
        let push = |list: &mut Vec<usize>, i: usize| {
            if list.last() != Some(&i) {
                list.push(i);
            }
        };
        for (i, p) in policies.iter().enumerate() {
            for (ns, name) in named_subjects(p) {
                push(index.by_name.entry(name).or_default(), i);
                push(index.exact.entry((ns, name)).or_default(), i);
            }
        }
        index
    }
}

/// The raw trust-policy files that may be the trust of role `role` of ServiceAccount
/// `namespace/name` by the subject they name ([`RoleMatch::Subject`]): those naming its exact
/// subject, else those naming its name in another namespace. Policies with an identity (another
/// role's), those `taken` (bound by name to another role), and files named after the role but for
/// its case (IRSA305 asks whether the annotation meant that name) are none.
///
/// `index` lists the policies that name each subject ([`SubjectIndex`]): the others cannot be
/// candidates.
pub fn subject_candidates(
    policies: &[TrustPolicy],
    index: &SubjectIndex,
    role: &str,
    namespace: &str,
    name: &str,
    taken: impl Fn(usize) -> bool,
) -> Vec<Binding> {
    let named_after_role = |p: &TrustPolicy| {
        p.candidate_role_name
            .as_deref()
            .is_some_and(|stem| stem.eq_ignore_ascii_case(role))
    };
    let eligible =
        |i: usize| policies[i].role.is_none() && !taken(i) && !named_after_role(&policies[i]);
    fn list(l: Option<&Vec<usize>>) -> impl Iterator<Item = usize> + '_ {
        l.map_or(&[][..], Vec::as_slice).iter().copied()
    }
    // Those naming the exact subject, when any is eligible; else those naming the name elsewhere
    // (a policy naming the exact subject is in the first list, so none of the second is exact).
    let mut named: Vec<(usize, bool)> = list(index.exact.get(&(namespace, name)))
        .filter(|&i| eligible(i))
        .map(|i| (i, true))
        .collect();
    if named.is_empty() {
        named = list(index.by_name.get(name))
            .filter(|&i| eligible(i))
            .filter_map(|i| names_subject(&policies[i], namespace, name).map(|exact| (i, exact)))
            .collect();
    }
    let exact = named.iter().any(|(_, e)| *e);
    named
        .into_iter()
        .filter(|(_, e)| *e == exact)
        .map(|(i, _)| Binding {
            source: BindingSource::Annotation,
            policy: PolicyId::at(i),
            matched: RoleMatch::Subject { exact },
        })
        .collect()
}

/// True when every account a trust policy's Allow statements name in their OIDC `Federated`
/// principals is another than `account`: an OIDC provider lives in the role's own account, so
/// such a trust is probably another account's role of the same name. False when the trust names
/// no resolved provider account.
fn provider_contradicts(policy: &TrustPolicy, account: &str) -> bool {
    let mut accounts = policy
        .statements
        .iter()
        .filter(|s| s.is_allow())
        .flat_map(|s| s.oidc_principals())
        .filter(|v| !v.has_unknown())
        .filter_map(|v| parse_provider_arn(&v.text).map(|a| a.account))
        .filter(|a| is_account_id(a))
        .peekable();
    accounts.peek().is_some() && accounts.all(|a| a != account)
}

/// The role name a policy's identity gives (RoleName, else the ARN's name).
fn identity_name(p: &TrustPolicy) -> Option<String> {
    let role = p.role.as_ref()?;
    if let Some(name) = &role.name {
        return Some(name.value.clone());
    }
    let arn = role.arn.as_ref()?;
    parse_role_arn(&arn.value).map(|a| a.name.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_generated_name_is_the_prefix_and_terraforms_26_digits() {
        let prefix = "alb-controller-";
        assert!(super::generated_from(
            "alb-controller-20240611131524228000000002",
            prefix
        ));
        assert!(!super::generated_from(
            "alb-controller-2024061113152422800000000",
            prefix
        ));
        assert!(!super::generated_from(
            "alb-controller-2024061113152422800000000x",
            prefix
        ));
        assert!(!super::generated_from("alb-controller", prefix));
        assert!(!super::generated_from(
            "other-20240611131524228000000002",
            prefix
        ));
    }

    use super::*;

    fn reference(address: &str, module: bool) -> Option<RoleReference> {
        Some(RoleReference {
            address: address.to_string(),
            module,
        })
    }

    #[test]
    fn references_an_annotation_may_be_made_of() {
        assert_eq!(
            role_reference("${aws_iam_role.api.arn}"),
            reference("aws_iam_role.api", false)
        );
        assert_eq!(
            role_reference(" ${ aws_iam_role.api[\"a.b\"].arn } "),
            reference("aws_iam_role.api[\"a.b\"]", false)
        );
        assert_eq!(
            role_reference("${module.irsa[0].iam_role_arn}"),
            reference("module.irsa[0]", true)
        );
        assert_eq!(
            role_reference("${module.irsa.arn}"),
            reference("module.irsa", true)
        );
        assert_eq!(
            role_reference(
                "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/${aws_iam_role.api.name}"
            ),
            reference("aws_iam_role.api", false)
        );
        assert_eq!(
            role_reference(
                "arn:${local.partition}:iam::${local.account}:role/${module.irsa.iam_role_name}"
            ),
            reference("module.irsa", true)
        );
        // CloudFormation: `!GetAtt Role.Arn`, and an ARN whose name is `!Ref Role`.
        assert_eq!(
            role_reference("${ApiRole1A2B.Arn}"),
            reference("ApiRole1A2B", false)
        );
        assert_eq!(
            role_reference("arn:${AWS.Partition}:iam::${AWS.AccountId}:role/${ApiRole}"),
            reference("ApiRole", false)
        );
        assert_eq!(
            role_reference("${eksctl/shop/backend/s3-reader}"),
            Some(RoleReference {
                address: "eksctl/shop/backend/s3-reader".into(),
                module: false,
            })
        );
        for none in [
            "${ApiRole.RoleId}",
            "${Api-Role.Arn}",
            "${aws_iam_role.api.arn}-x",
            "${aws_iam_role.api.arn.x}",
            "${data.aws_iam_role.api.arn}",
            "${module.irsa.iam_role_name}",
            "${module.irsa.oidc_provider_arn}",
            "${var.role_arn}",
            "arn:aws:iam::483920175566:role/${aws_iam_role.api.arn}",
            "arn:aws:iam::483920175566:role/payments-api",
            "${aws_iam_role..arn}",
        ] {
            assert_eq!(role_reference(none), None, "{none}");
        }
    }

    #[test]
    fn a_reference_names_its_instances_in_its_module() {
        assert_eq!(
            module_prefix("module.a[\"x.y\"].module.b.kubernetes_service_account_v1.api"),
            "module.a[\"x.y\"].module.b."
        );
        assert_eq!(module_prefix("kubernetes_service_account_v1.api"), "");
        assert_eq!(module_prefix("items[3]"), "");
        assert_eq!(module_prefix("module.a"), "");
        let role = RoleReference {
            address: "aws_iam_role.api".into(),
            module: false,
        };
        let t = "module.p.aws_iam_role.api";
        assert!(role.names(t, "module.p.aws_iam_role.api"));
        assert!(role.names(t, "module.p.aws_iam_role.api[\"a.b\"]"));
        assert!(!role.names(t, "module.p.aws_iam_role.api_x"));
        assert!(!role.names(t, "module.p.aws_iam_role.api[0].x"));
        assert!(!role.names(t, "aws_iam_role.api"));
        let keyed = RoleReference {
            address: "aws_iam_role.api[0]".into(),
            module: false,
        };
        assert!(keyed.names("aws_iam_role.api[0]", "aws_iam_role.api[0]"));
        assert!(!keyed.names("aws_iam_role.api[0]", "aws_iam_role.api[1]"));
        let module = RoleReference {
            address: "module.irsa".into(),
            module: true,
        };
        assert!(module.names("module.irsa", "module.irsa.aws_iam_role.this[0]"));
        assert!(module.names("module.irsa", "module.irsa[\"a\"].aws_iam_role.this"));
        assert!(!module.names("module.irsa", "module.irsa_x.aws_iam_role.this"));
        assert!(!module.names("module.irsa", "module.irsa"));
    }

    /// A module directory's HCL, linked, with each trust policy's resource address rewritten by
    /// `address` (standing in for a module's synthesised role) and its role in account
    /// 111122223333.
    fn linked(text: &str, address: impl Fn(&str) -> String) -> crate::link::Linked {
        use crate::extract::terraform::NoFiles;
        use crate::parse::TerraformFile;
        use crate::source::SourceFile;
        let source = std::sync::Arc::new(SourceFile::new("infra/main.tf", None, text.to_string()));
        let outputs = crate::frontend::read_terraform_module(
            &[(source, TerraformFile::Config)],
            &NoFiles,
            "irsa-lint:",
        );
        let mut model = crate::link::Model::default();
        for output in outputs {
            let mut policies = output.extracted.policies;
            for p in &mut policies {
                p.resource_address = p.resource_address.as_deref().map(&address);
                // As `aws iam` output would say.
                if let Some(role) = &mut p.role {
                    role.account = Some("111122223333".into());
                }
            }
            model.policies.extend(policies);
            model
                .service_accounts
                .extend(output.extracted.k8s.service_accounts);
        }
        crate::link::Linked::new(model, crate::link::LinkOptions::default())
    }

    const MODULE_ROLE: &str = r#"
resource "aws_iam_role" "this" {
  name = "elsewhere"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/5C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5F" }
      Action    = "sts:AssumeRoleWithWebIdentity"
    }]
  })
}

resource "kubernetes_service_account_v1" "api" {
  metadata {
    name        = "api"
    namespace   = "payments"
    annotations = { "eks.amazonaws.com/role-arn" = module.irsa.iam_role_arn }
  }
}

resource "kubernetes_service_account_v1" "named" {
  metadata {
    name        = "named"
    namespace   = "payments"
    annotations = { "eks.amazonaws.com/role-arn" = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:role/elsewhere" }
  }
}
"#;

    #[test]
    fn a_module_reference_binds_the_role_under_the_module_address() {
        use crate::link::SaId;
        let l = linked(MODULE_ROLE, |a| format!("module.irsa.{a}"));
        let api = l
            .annotation_binding(SaId::at(0))
            .expect("bound by reference");
        assert_eq!(api.matched, RoleMatch::Reference);
        // A role name with an unknown account links by name, whatever the role's account; a
        // reference is exact whatever it is too.
        let named = l.annotation_binding(SaId::at(1)).expect("bound by name");
        assert_eq!(named.matched, RoleMatch::Identity);
        let other = linked(MODULE_ROLE, |a| format!("module.other.{a}"));
        assert!(other.annotation_binding(SaId::at(0)).is_none());
    }

    #[test]
    fn an_eksctl_service_account_binds_the_role_eksctl_creates_for_it() {
        use crate::link::SaId;
        use crate::source::SourceFile;
        let text = "apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata: {name: shop}\n\
                    iam:\n  serviceAccounts:\n  - metadata: {name: a, namespace: x}\n  \
                    - metadata: {name: b}\n    roleName: shop-b\n";
        let source = std::sync::Arc::new(SourceFile::new("cluster.yaml", None, text.to_string()));
        let parsed = crate::parse::parse(text, crate::parse::FileKind::Yaml, Default::default());
        let extracted = crate::extract::extract(&source, &parsed);
        assert_eq!(extracted.policies.len(), 2);
        let model = crate::link::Model {
            policies: extracted.policies,
            service_accounts: extracted.k8s.service_accounts,
            ..Default::default()
        };
        let l = crate::link::Linked::new(model, crate::link::LinkOptions::default());
        let generated = l
            .annotation_binding(SaId::at(0))
            .expect("bound by reference");
        assert_eq!(generated.matched, RoleMatch::Reference);
        assert_eq!(generated.policy.index(), 0);
        let named = l.annotation_binding(SaId::at(1)).expect("bound by name");
        assert_eq!(named.matched, RoleMatch::Identity);
        assert_eq!(named.policy.index(), 1);
    }
}

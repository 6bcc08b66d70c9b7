//! The request a trust policy is evaluated against: who calls (a web identity, an AWS service, an
//! AWS principal), the STS actions it needs, and the condition keys of its context.
//!
//! IRSA is one caller among several: a pod's SDK calls `sts:AssumeRoleWithWebIdentity` with its
//! projected token ([`AssumeRoleRequest::irsa`]); EKS Pod Identity is the service principal
//! `pods.eks.amazonaws.com` calling `sts:AssumeRole` and `sts:TagSession` with session tags; role
//! chaining is a role calling `sts:AssumeRole`, possibly with `sts:ExternalId`.

use crate::model::oidc::{parse_provider_arn, parse_provider_key, same_provider};

/// The action a pod's AWS SDK calls with its projected service-account token.
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// The action an AWS service or principal calls to assume a role.
pub const ASSUME_ROLE: &str = "sts:AssumeRole";

/// The action that lets the caller attach session tags; STS authorizes it besides the assume
/// action whenever a request carries tags.
pub const TAG_SESSION: &str = "sts:TagSession";

/// The audience the IRSA mutating webhook (amazon-eks-pod-identity-webhook) requests for the
/// projected token by default.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// Who makes the request: what a `Principal` element is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// A web-identity token's issuer: an IAM OIDC provider ARN
    /// (`arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`), or
    /// the name of a built-in web-identity provider (`accounts.google.com`,
    /// `cognito-identity.amazonaws.com`). Matched by `Federated` values.
    WebIdentity { provider_arn: String },
    /// An AWS service principal (`pods.eks.amazonaws.com`). Matched by `Service` values.
    Service(String),
    /// An AWS principal by ARN: a role (`arn:aws:iam::111122223333:role/app`), a user, an
    /// assumed-role session. Matched by `AWS` values.
    Aws(String),
}

/// One value of a context key: known, or known to be there but not known statically (the EKS
/// cluster ARN a Pod Identity session tag carries when the manifests do not say which cluster
/// they are deployed to). Comparing an unknown value decides nothing: it is `Tri::Unknown`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValue {
    Known(String),
    /// What the value is, for messages (`the cluster's ARN`).
    Unknown(String),
}

impl ContextValue {
    /// The text of a known value.
    pub fn known(&self) -> Option<&str> {
        match self {
            ContextValue::Known(text) => Some(text),
            ContextValue::Unknown(_) => None,
        }
    }
}

impl From<&str> for ContextValue {
    fn from(text: &str) -> ContextValue {
        ContextValue::Known(text.to_string())
    }
}

impl From<String> for ContextValue {
    fn from(text: String) -> ContextValue {
        ContextValue::Known(text)
    }
}

/// A request to assume a role, as IAM sees it when it evaluates the role's trust policy.
///
/// Several actions are several authorizations of one request: STS asks the trust policy about
/// each action in turn with the same principal and context ("Pass session tags in AWS STS",
/// section "Permissions required to add session tags": a caller that passes session tags needs
/// `sts:TagSession` allowed by the role's trust policy as well as the assume action; "Create IAM
/// role with trust policy required by EKS Pod Identity": Pod Identity calls `sts:AssumeRole` and
/// `sts:TagSession`). So each action is evaluated on its own with the whole "Policy evaluation
/// logic" — different statements may allow different actions — and the request succeeds only
/// when every action is allowed ([`crate::engine::evaluate`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumeRoleRequest {
    pub caller: Caller,
    /// The actions, each of which must be allowed; normally one assume action, plus
    /// [`TAG_SESSION`] when the request carries session tags.
    pub actions: Vec<String>,
    /// A web-identity token's claims that IAM exposes as `<provider>:<claim>` condition keys
    /// (`sub`, `aud`, `amr`, `azp`, …), each with its values. An empty list means the claim is
    /// absent. When a claim name occurs twice, the first occurrence is used.
    pub claims: Vec<(String, Vec<ContextValue>)>,
    /// Other condition keys of the context, by full name (`aws:RequestTag/kubernetes-namespace`,
    /// `aws:SourceAccount`, `aws:SourceArn`, `sts:ExternalId`), each with its values; the first
    /// occurrence of a name is used.
    pub keys: Vec<(String, Vec<ContextValue>)>,
}

impl AssumeRoleRequest {
    /// A request from `caller` for `action`, with an empty context.
    pub fn new(caller: Caller, action: impl Into<String>) -> AssumeRoleRequest {
        AssumeRoleRequest {
            caller,
            actions: vec![action.into()],
            claims: Vec::new(),
            keys: Vec::new(),
        }
    }

    /// The request a pod using IRSA makes: the given provider, `sts:AssumeRoleWithWebIdentity`,
    /// and the `sub` (`system:serviceaccount:<namespace>:<name>`) and `aud` claims.
    pub fn irsa(
        provider_arn: impl Into<String>,
        sub: impl Into<String>,
        aud: impl Into<String>,
    ) -> AssumeRoleRequest {
        AssumeRoleRequest::web_identity(provider_arn)
            .with_claim("sub", [sub.into()])
            .with_claim("aud", [aud.into()])
    }

    /// `sts:AssumeRoleWithWebIdentity` with a token from this provider and no claims; the
    /// context's `aws:FederatedProvider` is the provider.
    pub fn web_identity(provider_arn: impl Into<String>) -> AssumeRoleRequest {
        let provider_arn = provider_arn.into();
        AssumeRoleRequest::new(
            Caller::WebIdentity {
                provider_arn: provider_arn.clone(),
            },
            ASSUME_ROLE_WITH_WEB_IDENTITY,
        )
        .with_key("aws:FederatedProvider", [provider_arn])
    }

    /// The same request with `claim` set to `values` (replacing it if present; an empty list
    /// makes it absent).
    pub fn with_claim<V: Into<ContextValue>>(
        mut self,
        claim: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> AssumeRoleRequest {
        set(&mut self.claims, claim.into(), values);
        self
    }

    /// The same request with the condition key `key` set to `values` (replacing it if present;
    /// an empty list makes it absent).
    pub fn with_key<V: Into<ContextValue>>(
        mut self,
        key: impl Into<String>,
        values: impl IntoIterator<Item = V>,
    ) -> AssumeRoleRequest {
        set(&mut self.keys, key.into(), values);
        self
    }

    /// The same request with this single action instead of its actions.
    pub fn with_action(mut self, action: impl Into<String>) -> AssumeRoleRequest {
        self.actions = vec![action.into()];
        self
    }

    /// The same request with these actions instead of its actions.
    pub fn with_actions<S: Into<String>>(
        mut self,
        actions: impl IntoIterator<Item = S>,
    ) -> AssumeRoleRequest {
        self.actions = actions.into_iter().map(Into::into).collect();
        self
    }

    /// The web-identity provider of the caller, when it is one.
    pub fn provider_arn(&self) -> Option<&str> {
        match &self.caller {
            Caller::WebIdentity { provider_arn } => Some(provider_arn),
            Caller::Service(_) | Caller::Aws(_) => None,
        }
    }

    /// The provider's name as condition keys spell it: the part of the ARN after
    /// `oidc-provider/` (`oidc.eks.eu-west-1.amazonaws.com/id/ABC`), or the whole value when it
    /// is not an IAM OIDC provider ARN (`accounts.google.com`). None for a caller that is not a
    /// web identity.
    pub fn provider_host(&self) -> Option<&str> {
        let arn = self.provider_arn()?;
        Some(parse_provider_arn(arn).map(|p| p.provider).unwrap_or(arn))
    }

    /// The values of one claim, by claim name (case-insensitive); empty when absent.
    pub fn claim(&self, name: &str) -> &[ContextValue] {
        find(&self.claims, name)
    }

    /// The values of a condition key in this request's context; empty when the key is absent.
    ///
    /// Condition key names are case-insensitive. A web identity's claims are `<provider>:<claim>`
    /// keys, so `OIDC.EKS…/id/ABC:SUB` finds the `sub` claim; keys naming another provider are
    /// absent. Any other key is looked up in [`AssumeRoleRequest::keys`] (where
    /// [`AssumeRoleRequest::web_identity`] puts `aws:FederatedProvider`, the provider ARN), and
    /// absent when not there.
    pub fn context_values(&self, key: &str) -> &[ContextValue] {
        let set = find(&self.keys, key);
        if !set.is_empty() {
            return set;
        }
        match (parse_provider_key(key), self.provider_host()) {
            (Some(k), Some(host)) if same_provider(k.provider, host) => self.claim(k.claim),
            _ => &[],
        }
    }
}

/// Set `name` (case-insensitive) to `values` in a list of keys.
fn set<V: Into<ContextValue>>(
    list: &mut Vec<(String, Vec<ContextValue>)>,
    name: String,
    values: impl IntoIterator<Item = V>,
) {
    let values: Vec<ContextValue> = values.into_iter().map(Into::into).collect();
    match list.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&name)) {
        Some(slot) => slot.1 = values,
        None => list.push((name, values)),
    }
}

/// The values of `name` (case-insensitive) in a list of keys; empty when absent.
fn find<'a>(list: &'a [(String, Vec<ContextValue>)], name: &str) -> &'a [ContextValue] {
    list.iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, values)| values.as_slice())
        .unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB12";

    fn known(values: &[ContextValue]) -> Vec<&str> {
        values.iter().filter_map(ContextValue::known).collect()
    }

    #[test]
    fn context_keys() {
        let r = AssumeRoleRequest::irsa(ARN, "system:serviceaccount:ns:sa", STS_AUDIENCE);
        assert_eq!(
            r.provider_host(),
            Some("oidc.eks.eu-west-1.amazonaws.com/id/AB12")
        );
        assert_eq!(
            known(r.context_values("oidc.eks.eu-west-1.amazonaws.com/id/AB12:sub")),
            ["system:serviceaccount:ns:sa"]
        );
        // Key names are case-insensitive.
        assert_eq!(
            known(r.context_values("OIDC.EKS.eu-west-1.amazonaws.com/id/ab12:AUD")),
            [STS_AUDIENCE]
        );
        // Another provider, an unknown claim, a global key: absent.
        assert!(
            r.context_values("oidc.eks.eu-west-1.amazonaws.com/id/CD34:sub")
                .is_empty()
        );
        assert!(
            r.context_values("oidc.eks.eu-west-1.amazonaws.com/id/AB12:amr")
                .is_empty()
        );
        assert!(r.context_values("aws:SourceIp").is_empty());
        assert_eq!(known(r.context_values("aws:federatedprovider")), [ARN]);
    }

    #[test]
    fn with_claim_replaces() {
        let r = AssumeRoleRequest::irsa(ARN, "a", "b")
            .with_claim("SUB", ["c"])
            .with_claim("amr", ["x", "y"])
            .with_claim("aud", Vec::<String>::new());
        assert_eq!(known(r.claim("sub")), ["c"]);
        assert_eq!(known(r.claim("amr")), ["x", "y"]);
        assert!(r.claim("aud").is_empty());
        let google = AssumeRoleRequest::irsa("accounts.google.com", "1", "2");
        assert_eq!(google.provider_host(), Some("accounts.google.com"));
        assert_eq!(
            known(google.context_values("accounts.google.com:sub")),
            ["1"]
        );
    }

    #[test]
    fn service_caller_keys() {
        let r = AssumeRoleRequest::new(
            Caller::Service("pods.eks.amazonaws.com".into()),
            ASSUME_ROLE,
        )
        .with_actions([ASSUME_ROLE, TAG_SESSION])
        .with_key("aws:RequestTag/kubernetes-namespace", ["billing"])
        .with_key(
            "aws:RequestTag/eks-cluster-arn",
            [ContextValue::Unknown("the cluster's ARN".into())],
        );
        assert_eq!(r.provider_host(), None);
        assert_eq!(
            known(r.context_values("AWS:RequestTag/kubernetes-namespace")),
            ["billing"]
        );
        assert!(known(r.context_values("aws:RequestTag/eks-cluster-arn")).is_empty());
        assert_eq!(r.context_values("aws:RequestTag/eks-cluster-arn").len(), 1);
        // A web identity's keys are not there.
        assert!(r.context_values("aws:FederatedProvider").is_empty());
        assert!(
            r.context_values("oidc.eks.eu-west-1.amazonaws.com/id/AB12:sub")
                .is_empty()
        );
    }
}

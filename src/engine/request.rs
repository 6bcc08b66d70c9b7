//! The request a trust policy is evaluated against: `sts:AssumeRoleWithWebIdentity` with an OIDC
//! token from one provider.

use crate::model::oidc::{parse_provider_arn, parse_provider_key, same_provider};

/// The action a pod's AWS SDK calls with its projected service-account token.
pub const ASSUME_ROLE_WITH_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// The audience the IRSA mutating webhook (amazon-eks-pod-identity-webhook) requests for the
/// projected token by default.
pub const STS_AUDIENCE: &str = "sts.amazonaws.com";

/// An `AssumeRoleWithWebIdentity`-style request as IAM sees it when it evaluates the trust policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebIdentityRequest {
    /// The OIDC provider that issued the token:
    /// `arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`.
    /// A bare provider name (`accounts.google.com`, `cognito-identity.amazonaws.com`) is accepted
    /// for the built-in web-identity providers.
    pub provider_arn: String,
    /// The action, normally [`ASSUME_ROLE_WITH_WEB_IDENTITY`].
    pub action: String,
    /// The token's claims that IAM exposes as condition keys (`sub`, `aud`, `amr`, `azp`, …),
    /// each with its values. An empty list means the key is absent. When a claim name occurs
    /// twice, the first occurrence is used.
    pub claims: Vec<(String, Vec<String>)>,
}

impl WebIdentityRequest {
    /// The request a pod using IRSA makes: the given provider, `sts:AssumeRoleWithWebIdentity`,
    /// and the `sub` (`system:serviceaccount:<namespace>:<name>`) and `aud` claims.
    pub fn irsa(
        provider_arn: impl Into<String>,
        sub: impl Into<String>,
        aud: impl Into<String>,
    ) -> WebIdentityRequest {
        WebIdentityRequest {
            provider_arn: provider_arn.into(),
            action: ASSUME_ROLE_WITH_WEB_IDENTITY.to_string(),
            claims: vec![
                ("sub".to_string(), vec![sub.into()]),
                ("aud".to_string(), vec![aud.into()]),
            ],
        }
    }

    /// The same request with `claim` set to `values` (replacing it if present; an empty list
    /// makes it absent).
    pub fn with_claim<S: Into<String>>(
        mut self,
        claim: impl Into<String>,
        values: impl IntoIterator<Item = S>,
    ) -> WebIdentityRequest {
        let claim = claim.into();
        let values: Vec<String> = values.into_iter().map(Into::into).collect();
        match self
            .claims
            .iter_mut()
            .find(|(name, _)| name.eq_ignore_ascii_case(&claim))
        {
            Some(slot) => slot.1 = values,
            None => self.claims.push((claim, values)),
        }
        self
    }

    /// The same request with another action.
    pub fn with_action(mut self, action: impl Into<String>) -> WebIdentityRequest {
        self.action = action.into();
        self
    }

    /// The provider's name as condition keys spell it: the part of the ARN after
    /// `oidc-provider/` (`oidc.eks.eu-west-1.amazonaws.com/id/ABC`), or the whole value when it
    /// is not an IAM OIDC provider ARN (`accounts.google.com`).
    pub fn provider_host(&self) -> &str {
        parse_provider_arn(&self.provider_arn)
            .map(|p| p.provider)
            .unwrap_or(&self.provider_arn)
    }

    /// The values of one claim, by claim name (case-insensitive); empty when absent.
    pub fn claim(&self, name: &str) -> &[String] {
        self.claims
            .iter()
            .find(|(claim, _)| claim.eq_ignore_ascii_case(name))
            .map(|(_, values)| values.as_slice())
            .unwrap_or(&[])
    }

    /// The values of a condition key in this request's context; empty when the key is absent.
    ///
    /// IAM exposes a web-identity token's claims as `<provider>:<claim>` keys, and condition key
    /// names are case-insensitive, so `OIDC.EKS…/id/ABC:SUB` finds the `sub` claim. Keys naming
    /// another provider are absent. Of the global keys only `aws:FederatedProvider` is modelled
    /// (its value is the provider ARN); every other `aws:`/`sts:` key is absent.
    pub fn context_values(&self, key: &str) -> &[String] {
        if key.eq_ignore_ascii_case("aws:FederatedProvider") {
            return std::slice::from_ref(&self.provider_arn);
        }
        match parse_provider_key(key) {
            Some(k) if same_provider(k.provider, self.provider_host()) => self.claim(k.claim),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARN: &str =
        "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/AB12";

    #[test]
    fn context_keys() {
        let r = WebIdentityRequest::irsa(ARN, "system:serviceaccount:ns:sa", STS_AUDIENCE);
        assert_eq!(
            r.provider_host(),
            "oidc.eks.eu-west-1.amazonaws.com/id/AB12"
        );
        assert_eq!(
            r.context_values("oidc.eks.eu-west-1.amazonaws.com/id/AB12:sub"),
            ["system:serviceaccount:ns:sa"]
        );
        // Key names are case-insensitive.
        assert_eq!(
            r.context_values("OIDC.EKS.eu-west-1.amazonaws.com/id/ab12:AUD"),
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
        assert_eq!(r.context_values("aws:federatedprovider"), [ARN]);
    }

    #[test]
    fn with_claim_replaces() {
        let r = WebIdentityRequest::irsa(ARN, "a", "b")
            .with_claim("SUB", ["c"])
            .with_claim("amr", ["x", "y"])
            .with_claim("aud", Vec::<String>::new());
        assert_eq!(r.claim("sub"), ["c"]);
        assert_eq!(r.claim("amr"), ["x", "y"]);
        assert!(r.claim("aud").is_empty());
        let google = WebIdentityRequest::irsa("accounts.google.com", "1", "2");
        assert_eq!(google.provider_host(), "accounts.google.com");
        assert_eq!(google.context_values("accounts.google.com:sub"), ["1"]);
    }
}

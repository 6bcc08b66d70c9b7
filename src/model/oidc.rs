//! OIDC provider names as they appear in trust policies: Federated principal ARNs
//! (`arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC`) and
//! condition keys (`oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub`).

/// A parsed `arn:<partition>:iam::<account>:oidc-provider/<host>[/path]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderArn<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    /// The provider URL without scheme: `oidc.eks.eu-west-1.amazonaws.com/id/ABC`.
    pub provider: &'a str,
}

/// Parse a Federated principal ARN for an OIDC provider. Returns None for anything that is not
/// shaped `arn:*:iam::*:oidc-provider/*` (SAML providers, `cognito-identity.amazonaws.com`, ...).
/// The account is returned as written; [`is_account_id`] says if it is valid.
pub fn parse_provider_arn(arn: &str) -> Option<ProviderArn<'_>> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam:")?;
    let (region, rest) = rest.split_once(':')?;
    if !region.is_empty() {
        return None;
    }
    let (account, resource) = rest.split_once(':')?;
    let provider = resource.strip_prefix("oidc-provider/")?;
    Some(ProviderArn {
        partition,
        account,
        provider,
    })
}

/// True for a 12-digit AWS account id.
pub fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// True when a Federated principal names an OIDC provider (as opposed to SAML or Cognito).
pub fn is_oidc_principal(value: &str) -> bool {
    value.contains(":oidc-provider/")
}

/// The AWS partitions (`arn:<partition>:...`). An ARN in any other partition names nothing.
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// An EKS cluster's OIDC issuer host: `oidc.eks.<region>.amazonaws.com[.cn]/id/<ID>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EksIssuer<'a> {
    pub region: &'a str,
    pub id: &'a str,
    pub china: bool,
}

/// Recognise an EKS issuer (without scheme). EKS-specific rules apply only to these.
pub fn parse_eks_issuer(provider: &str) -> Option<EksIssuer<'_>> {
    let rest = provider.strip_prefix("oidc.eks.")?;
    let (host, id) = rest.split_once("/id/")?;
    let (region, china) = if let Some(region) = host.strip_suffix(".amazonaws.com.cn") {
        (region, true)
    } else {
        (host.strip_suffix(".amazonaws.com")?, false)
    };
    let region_ok = !region.is_empty()
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    // The id is 32 hex digits in practice; any segment is accepted so that a placeholder
    // (`[OIDC_ID]`) still marks the issuer as EKS and EKS rules apply.
    let id_ok = !id.is_empty() && !id.contains('/');
    (region_ok && id_ok).then_some(EksIssuer { region, id, china })
}

/// A condition key split into provider and claim: `oidc.eks.../id/ABC:sub` → (`oidc.eks.../id/ABC`,
/// `sub`). The split is at the last `:`; keys without one (`aws:SourceIp` has one too, but its
/// "provider" `aws` has no `/` or `.`) are not provider keys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderKey<'a> {
    pub provider: &'a str,
    pub claim: &'a str,
}

/// Split a condition key naming an identity provider's claim. Global keys (`aws:...`, `sts:...`)
/// and service keys return None.
pub fn parse_provider_key(key: &str) -> Option<ProviderKey<'_>> {
    let (provider, claim) = key.rsplit_once(':')?;
    // Provider keys are URLs (`host/path` or `host`), never a bare service prefix such as `aws`.
    if !provider.contains('.') {
        return None;
    }
    Some(ProviderKey { provider, claim })
}

/// Compare two provider names the way IAM matches a condition key's provider against the
/// provider a token came from: ignoring ASCII case (condition key names are case-insensitive), but
/// otherwise exactly. IAM builds the key from the provider URL without its scheme, so a key written
/// `https://oidc.eks...:sub` names a key no request carries (IRSA128).
pub fn same_provider(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Compare two issuer URLs or provider hosts loosely, ignoring a scheme and a trailing `/`: for
/// configured issuers (`--cluster-issuer https://oidc.eks...`) against a trust's provider.
pub fn same_issuer(a: &str, b: &str) -> bool {
    normalise_issuer(a).eq_ignore_ascii_case(normalise_issuer(b))
}

fn normalise_issuer(p: &str) -> &str {
    let p = p
        .strip_prefix("https://")
        .or_else(|| p.strip_prefix("http://"))
        .unwrap_or(p);
    p.trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_arn() {
        let p = parse_provider_arn(
            "arn:aws-cn:iam::123456789012:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/AB12",
        )
        .unwrap();
        assert_eq!(p.partition, "aws-cn");
        assert_eq!(p.account, "123456789012");
        let issuer = parse_eks_issuer(p.provider).unwrap();
        assert_eq!(issuer.region, "cn-north-1");
        assert!(issuer.china);
        assert!(parse_provider_arn("arn:aws:iam::1:saml-provider/x").is_none());
        assert!(parse_eks_issuer("token.actions.githubusercontent.com").is_none());
    }

    #[test]
    fn provider_key() {
        let k = parse_provider_key("oidc.eks.us-east-1.amazonaws.com/id/AB:sub").unwrap();
        assert_eq!(k.provider, "oidc.eks.us-east-1.amazonaws.com/id/AB");
        assert_eq!(k.claim, "sub");
        assert!(parse_provider_key("aws:SourceIp").is_none());
        assert!(same_provider(
            "oidc.eks.x.amazonaws.com/id/A",
            "OIDC.eks.x.amazonaws.com/id/A"
        ));
        assert!(!same_provider(
            "https://oidc.eks.x.amazonaws.com/id/A",
            "oidc.eks.x.amazonaws.com/id/A"
        ));
        assert!(same_issuer(
            "https://oidc.eks.x.amazonaws.com/id/A/",
            "OIDC.eks.x.amazonaws.com/id/A"
        ));
    }
}

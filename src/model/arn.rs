//! IAM role ARNs: `arn:<partition>:iam::<account>:role/<path><name>`, split into their parts.
//! The model, the link stage, the rules and the configuration all read role ARNs.

/// A parsed `arn:<partition>:iam::<account>:role/<path><name>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleArn<'a> {
    pub partition: &'a str,
    pub account: &'a str,
    /// `/` or `/team/`.
    pub path: &'a str,
    pub name: &'a str,
}

/// Split a role ARN into its parts. Returns None for anything that is not an IAM role ARN; the
/// parts are not validated (a rule checks the account's digits).
pub fn parse_role_arn(arn: &str) -> Option<RoleArn<'_>> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam:")?;
    let (_region, rest) = rest.split_once(':')?;
    let (account, resource) = rest.split_once(':')?;
    let path_and_name = resource.strip_prefix("role")?;
    if !path_and_name.starts_with('/') {
        return None;
    }
    let cut = path_and_name.rfind('/')?;
    Some(RoleArn {
        partition,
        account,
        path: &path_and_name[..=cut],
        name: &path_and_name[cut + 1..],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        let a = parse_role_arn("arn:aws:iam::123456789012:role/team/app/my-role").unwrap();
        assert_eq!(a.path, "/team/app/");
        assert_eq!(a.name, "my-role");
        let b = parse_role_arn("arn:aws-us-gov:iam::123456789012:role/r").unwrap();
        assert_eq!((b.partition, b.path, b.name), ("aws-us-gov", "/", "r"));
        assert!(parse_role_arn("arn:aws:iam::123456789012:user/bob").is_none());
    }
}

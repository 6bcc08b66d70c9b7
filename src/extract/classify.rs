//! What kind of input a YAML or JSON file is, judged by its content: the readers each recognise
//! their own shapes; this says which of them (if any) a file is, so that `--verbose` can list the
//! files that are none of them, and why.
//!
//! The predicates are simple and independent of the readers (a CloudFormation template or an
//! eksctl `ClusterConfig` is recognised whether or not a reader for it exists).

use super::helm_values::is_values_file_name;
use super::k8s::is_kustomization_file;
use super::policy::element;
use super::tfplan;
use crate::parse::tree::Node;
use crate::source::SourceRef;

/// The kind of a YAML or JSON file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputClass {
    /// Kubernetes objects (`apiVersion` and `kind`), kustomizations.
    Kubernetes,
    /// An IAM policy document (a `Statement`): a trust policy or another.
    IamPolicy,
    /// `aws iam get-role`, `list-roles`, `get-account-authorization-details` output, `aws eks
    /// describe-pod-identity-association` and `list-pod-identity-associations` output.
    AwsCliOutput,
    /// A CloudFormation (or SAM) template.
    CloudFormation,
    /// An eksctl `ClusterConfig`.
    Eksctl,
    /// `terraform show -json` of a plan or state, or a raw state file.
    TerraformPlan,
    /// Helm values: none of the above, but a role-arn setting or a `values*.yaml` name.
    HelmValues,
    /// None of these, with the reason for `--verbose`.
    Other(&'static str),
}

impl InputClass {
    /// The kind as `--verbose` names it.
    pub fn label(self) -> &'static str {
        match self {
            InputClass::Kubernetes => "Kubernetes",
            InputClass::IamPolicy => "IAM policy",
            InputClass::AwsCliOutput => "AWS CLI output",
            InputClass::CloudFormation => "CloudFormation",
            InputClass::Eksctl => "eksctl ClusterConfig",
            InputClass::TerraformPlan => "Terraform plan or state",
            InputClass::HelmValues => "Helm values",
            InputClass::Other(_) => "none of the input kinds",
        }
    }
}

/// The kind of a file that is not read as YAML or JSON documents (no [`InputClass`]), by its name:
/// Terraform (`.tf`, `.tfvars`, `.tf.json`), else a file whose content could not be classified
/// (rejected, IRSA002).
pub fn kind_of_path(display: &str) -> &'static str {
    let lower = display.to_ascii_lowercase();
    if [".tf", ".tfvars", ".tf.json", ".tfvars.json"]
        .iter()
        .any(|ext| lower.ends_with(ext))
    {
        "Terraform"
    } else {
        "not read (see its IRSA001/IRSA002 finding)"
    }
}

/// Why a file that holds documents is none of the kinds read.
pub const OTHER_REASON: &str = "no Kubernetes object, IAM policy, AWS CLI output, \
     CloudFormation template, eksctl config, Terraform plan or role-arn setting";
/// Why a file without any document is none of them.
pub const EMPTY_REASON: &str = "it holds no YAML or JSON document";
/// Why a helm-unittest suite is none of them: its values and expected outputs are test data.
pub const UNITTEST_REASON: &str =
    "a helm-unittest suite: its values and asserted outputs are test data";
/// Why a file that could not be parsed is none of them (its input problem is reported).
pub const UNPARSED_REASON: &str = "it could not be parsed";

fn str_at<'a>(root: &'a Node, key: &str) -> Option<&'a str> {
    root.get(key).and_then(Node::as_str)
}

/// A helm-unittest suite (`suite:` and a `tests:` list, in a chart's `tests/`): the role ARNs in
/// its `set:` values and `asserts` are test data, never deployed.
pub fn is_helm_unittest(root: &Node) -> bool {
    root.get("suite").is_some() && root.get("tests").and_then(Node::as_seq).is_some()
}

/// The kind of one document, when it is one of the kinds read (Helm values aside).
pub fn classify_document(source: &SourceRef, root: &Node) -> Option<InputClass> {
    root.as_map()?;
    if tfplan::shape(root).is_some() {
        return Some(InputClass::TerraformPlan);
    }
    let kind = str_at(root, "kind");
    if str_at(root, "apiVersion").is_some_and(|v| v.starts_with("eksctl.io/"))
        && kind == Some("ClusterConfig")
    {
        return Some(InputClass::Eksctl);
    }
    let cfn_resource = root
        .get("Resources")
        .and_then(Node::as_map)
        .is_some_and(|resources| {
            resources
                .iter()
                .any(|r| str_at(&r.value, "Type").is_some_and(|t| t.starts_with("AWS::")))
        });
    if root.get("AWSTemplateFormatVersion").is_some() || cfn_resource {
        return Some(InputClass::CloudFormation);
    }
    if ["Role", "Roles", "RoleDetailList"]
        .iter()
        .any(|k| root.get(k).is_some())
        || !super::aws::association_objects(root).is_empty()
    {
        return Some(InputClass::AwsCliOutput);
    }
    if element(root, "Statement").is_some() {
        return Some(InputClass::IamPolicy);
    }
    let k8s_object =
        kind.is_some() && (root.get("apiVersion").is_some() || root.get("metadata").is_some());
    if k8s_object || is_kustomization_file(source) {
        return Some(InputClass::Kubernetes);
    }
    None
}

/// The kind of a whole file: its first document of a kind read; else Helm values when it holds a
/// role-arn setting or is named `values*.yaml`; else other. From what its documents are: the
/// class of the first that has one (`first`), whether one is a helm-unittest suite, whether one
/// is not empty (`roots`); whether parsing stopped at a problem.
pub fn classify_seen(
    source: &SourceRef,
    first: Option<InputClass>,
    unittest: bool,
    roots: bool,
    problem: bool,
    has_settings: bool,
) -> InputClass {
    if let Some(class) = first {
        return class;
    }
    if unittest {
        return InputClass::Other(UNITTEST_REASON);
    }
    if has_settings || is_values_file_name(&source.display_path) {
        return InputClass::HelmValues;
    }
    if !roots && problem {
        InputClass::Other(UNPARSED_REASON)
    } else if !roots {
        InputClass::Other(EMPTY_REASON)
    } else {
        InputClass::Other(OTHER_REASON)
    }
}

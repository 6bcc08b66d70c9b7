//! Pod Identity objects from HCL: `aws_eks_pod_identity_association`, `aws_eks_fargate_profile`,
//! `aws_eks_addon`, and the terraform-aws-modules `eks-pod-identity` and `eks` module calls
//! (fixtures in `testdata/terraform-pod-identity`), read as the driver reads a module directory,
//! and linked (an integration test: the extract layer may not use the frontend or the linker).

use std::sync::Arc;

use irsa_lint::extract::terraform::NoFiles;
use irsa_lint::model::pod_identity::{AssociationOrigin, PodIdentityObjects};
use irsa_lint::model::policy::Located;
use irsa_lint::parse::TerraformFile;
use irsa_lint::source::SourceFile;

const RESOURCES: &str = include_str!("../testdata/terraform-pod-identity/resources.tf");
const MODULES: &str = include_str!("../testdata/terraform-pod-identity/modules.tf");

/// One file read as a module directory: its outputs' model.
fn read(text: &str) -> irsa_lint::extract::Extracted {
    let source = Arc::new(SourceFile::new("infra/main.tf", None, text.to_string()));
    let mut outputs = irsa_lint::frontend::read_terraform_module(
        &[(source, TerraformFile::Config)],
        &NoFiles,
        "irsa-lint:",
    );
    outputs.remove(0).extracted
}

fn objects(text: &str) -> PodIdentityObjects {
    read(text).pod_identity
}

fn at<'t, T>(text: &'t str, located: &Located<T>) -> &'t str {
    &text[located.span.range()]
}

fn value(located: &Option<Located<String>>) -> &str {
    located.as_ref().map_or("-", |l| l.value.as_str())
}

#[test]
fn association_resources_keep_fields_spans_and_holes() {
    let found = objects(RESOURCES);
    let labels: Vec<&str> = found
        .associations
        .iter()
        .map(|a| a.logical_path.as_str())
        .collect();
    assert_eq!(
        labels,
        vec![
            "aws_eks_pod_identity_association.api",
            "aws_eks_pod_identity_association.workers[\"a\"]",
            "aws_eks_pod_identity_association.workers[\"b\"]",
        ],
        "count = 0 makes none, a misspelt type none"
    );
    let api = &found.associations[0];
    assert_eq!(api.origin, AssociationOrigin::Terraform);
    assert_eq!(
        api.address.as_deref(),
        Some("aws_eks_pod_identity_association.api")
    );
    assert_eq!(value(&api.cluster), "prod");
    // A local of the same file points where its value is written.
    assert_eq!(at(RESOURCES, api.cluster.as_ref().unwrap()), "\"prod\"");
    assert_eq!(value(&api.namespace), "payments");
    let sa = api.service_account.as_ref().unwrap();
    assert_eq!(at(RESOURCES, sa), "\"api\"");
    let role = api.role_arn.as_ref().unwrap();
    assert_eq!(role.value, "${aws_iam_role.api.arn}");
    assert_eq!(at(RESOURCES, role), "aws_iam_role.api.arn");
    assert_eq!(
        value(&api.target_role_arn),
        "arn:aws:iam::444455556666:role/data"
    );
    assert!(api.tags_disabled());
    assert_eq!(
        at(RESOURCES, api.disable_session_tags.as_ref().unwrap()),
        "true"
    );
    let policy = api.session_policy.unwrap();
    assert_eq!(
        &RESOURCES[policy.range()],
        "data.aws_iam_policy_document.session.json"
    );
    assert!(
        RESOURCES[api.span.range()]
            .starts_with("resource \"aws_eks_pod_identity_association\" \"api\"")
    );

    let b = &found.associations[2];
    assert_eq!(value(&b.service_account), "worker-b");
    assert_eq!(value(&b.cluster), "${aws_eks_cluster.main.name}");
    assert!(b.target_role_arn.is_none() && b.disable_session_tags.is_none());
    assert!(b.session_policy.is_none());
}

#[test]
fn fargate_profiles_and_addon_lists_from_resources() {
    let found = objects(RESOURCES);
    assert_eq!(found.fargate_profiles.len(), 1);
    let profile = &found.fargate_profiles[0];
    assert_eq!(profile.logical_path, "aws_eks_fargate_profile.default");
    assert_eq!(value(&profile.cluster), "prod");
    let selectors: Vec<(&str, Vec<(String, String)>)> = profile
        .selectors
        .iter()
        .map(|s| (s.namespace.value.as_str(), s.labels.clone()))
        .collect();
    assert_eq!(
        selectors,
        vec![
            (
                "payments",
                vec![("compute".to_string(), "fargate".to_string())]
            ),
            ("kube-system", vec![]),
        ]
    );
    assert_eq!(
        at(RESOURCES, &profile.selectors[0].namespace),
        "\"payments\""
    );

    // One list per cluster name as written: `local.cluster` is "prod" too.
    let lists: Vec<(&str, Vec<&str>)> = found
        .addon_lists
        .iter()
        .map(|l| {
            (
                value(&l.cluster),
                l.names.iter().map(|n| n.value.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            ("prod", vec!["vpc-cni", "eks-pod-identity-agent"]),
            ("staging", vec!["coredns"]),
        ]
    );
    let prod = &found.addon_lists[0];
    assert!(prod.may_have_pod_identity_agent());
    assert!(!found.addon_lists[1].may_have_pod_identity_agent());
    assert!(RESOURCES[prod.span.range()].starts_with("resource \"aws_eks_addon\" \"vpc_cni\""));
    assert_eq!(at(RESOURCES, &prod.names[1]), "\"eks-pod-identity-agent\"");
}

#[test]
fn pod_identity_module_associations_over_defaults() {
    let found = objects(MODULES);
    let got: Vec<(String, &str, &str, &str, &str, bool)> = found
        .associations
        .iter()
        .map(|a| {
            (
                a.logical_path.clone(),
                value(&a.cluster),
                value(&a.namespace),
                value(&a.service_account),
                value(&a.role_arn),
                a.tags_disabled(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "module.pi.associations[\"prod\"]".to_string(),
                "prod",
                "payments",
                "api",
                "${module.pi.iam_role_arn}",
                false
            ),
            (
                "module.pi.associations[\"staging\"]".to_string(),
                "staging",
                "payments",
                "api-staging",
                // The module ignores an entry's `role_arn`: its own role it is.
                "${module.pi.iam_role_arn}",
                true
            ),
            (
                // 1.x has no `disable_session_tags`.
                "module.old.associations[\"one\"]".to_string(),
                "prod",
                "a",
                "b",
                "${module.old.iam_role_arn}",
                false
            ),
        ],
        "`create = false` and another module's source make none"
    );
    let prod = &found.associations[0];
    assert_eq!(prod.origin, AssociationOrigin::TerraformModule);
    assert!(prod.address.is_none());
    // A default points at where the caller wrote it, the role at `module "pi"`.
    let ns = prod.namespace.as_ref().unwrap();
    assert_eq!(at(MODULES, ns), "\"payments\"");
    assert!(ns.span.start > MODULES.find("association_defaults").unwrap() as u32);
    assert_eq!(
        at(MODULES, prod.role_arn.as_ref().unwrap()),
        "module \"pi\""
    );
    assert_eq!(at(MODULES, prod.cluster.as_ref().unwrap()), "\"prod\"");
    assert!(MODULES[prod.span.range()].starts_with('{'));
}

#[test]
fn pod_identity_module_role_trust_links_its_associations() {
    let extracted = read(MODULES);
    let roles: Vec<&str> = extracted
        .policies
        .iter()
        .filter_map(|p| p.resource_address.as_deref())
        .collect();
    assert_eq!(
        roles,
        vec![
            "module.pi.aws_iam_role.this[0]",
            "module.old.aws_iam_role.this[0]"
        ],
        "no role for `create = false`; the eks module's roles are not synthesised"
    );
    let pi = &extracted.policies[0];
    let role = pi.role.as_ref().unwrap();
    assert_eq!(value(&role.name_prefix), "api-");
    let statement = &pi.statements[0];
    let condition = statement
        .condition
        .as_ref()
        .expect("trust_policy_conditions");
    assert_eq!(condition.operators[0].entries.len(), 1);
    assert!(extracted.policies[1].statements[0].condition.is_none());

    let model = irsa_lint::link::Model {
        policies: extracted.policies,
        pod_identity: extracted.pod_identity,
        ..Default::default()
    };
    let linked = irsa_lint::link::Linked::new(model, irsa_lint::link::LinkOptions::default());
    let roles: Vec<Option<String>> = linked
        .associations()
        .map(|(id, _)| {
            let role = linked.association_links(id).role.as_ref()?;
            linked.policy(role.policy).resource_address.clone()
        })
        .collect();
    let pi = Some("module.pi.aws_iam_role.this[0]".to_string());
    let old = Some("module.old.aws_iam_role.this[0]".to_string());
    assert_eq!(roles, vec![pi.clone(), pi, old]);
}

#[test]
fn eks_module_addons_and_fargate_profiles() {
    let found = objects(MODULES);
    let lists: Vec<(&str, &str, Vec<&str>)> = found
        .addon_lists
        .iter()
        .map(|l| {
            (
                l.label.as_str(),
                value(&l.cluster),
                l.names.iter().map(|n| n.value.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        lists,
        vec![
            (
                "module.eks.cluster_addons",
                "prod",
                vec!["coredns", "eks-pod-identity-agent"]
            ),
            ("module.eks21.addons", "v21", vec!["vpc-cni"]),
        ]
    );
    let v20 = &found.addon_lists[0];
    assert!(MODULES[v20.span.range()].starts_with("cluster_addons = {"));
    assert_eq!(at(MODULES, &v20.names[0]), "coredns");
    assert_eq!(at(MODULES, &v20.names[1]), "\"eks-pod-identity-agent\"");

    let profiles: Vec<(&str, Vec<&str>)> = found
        .fargate_profiles
        .iter()
        .map(|p| {
            (
                p.logical_path.as_str(),
                p.selectors
                    .iter()
                    .map(|s| s.namespace.value.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        profiles,
        vec![
            ("module.eks.fargate_profiles[\"apps\"]", vec!["payments"]),
            ("module.eks.fargate_profiles[\"defaults\"]", vec!["default"]),
        ],
        "`create = false` makes none"
    );
    let apps = &found.fargate_profiles[0];
    assert_eq!(value(&apps.cluster), "prod");
    assert_eq!(
        apps.selectors[0].labels,
        vec![("compute".to_string(), "fargate".to_string())]
    );
    assert_eq!(at(MODULES, &apps.selectors[0].namespace), "\"payments\"");
}

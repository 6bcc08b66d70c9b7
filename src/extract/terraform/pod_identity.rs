//! EKS Pod Identity objects a module's HCL defines:
//!
//! * `aws_eks_pod_identity_association`: one association per instance (`count`, `for_each`),
//!   labelled and addressed by its resource address; a value known only at apply keeps its hole
//!   (`${aws_iam_role.api.arn}`), so a reference links to the role it names;
//! * `aws_eks_fargate_profile`: a Fargate profile from its `selector` blocks;
//! * `aws_eks_addon`: the add-ons of one cluster (by its `cluster_name` as written), one list
//!   per module, pointing at the first add-on's block;
//! * the terraform-aws-modules `eks-pod-identity` module's `associations` (each entry over
//!   `association_defaults`), whose role is `${module.M.iam_role_arn}` (the module's own role:
//!   it ignores an entry's `role_arn`);
//! * the terraform-aws-modules `eks` module's add-ons (`cluster_addons` in v20, `addons` in v21)
//!   and `fargate_profiles` (each value's `selectors`, else `fargate_profile_defaults`').
//!
//! Every span is in the file of the block that wrote the object: a module argument's value
//! points at where the caller wrote it, what the module writes itself at `module "name"`.

use std::sync::Arc;

use super::modules::{
    Args, Known, ModuleSource, call_version, classify, header_span, registry_source,
};
use super::value::{TfValue, ValueKind, render_parts};
use super::versions::Version;
use super::{BlockRef, Env, Module};
use crate::model::pod_identity::{
    AddonList, AssociationOrigin, FargateProfile, FargateSelector, PodIdentityAssociation,
    PodIdentityObjects,
};
use crate::model::policy::Located;
use crate::source::{SourceRef, Span};

/// Every Pod Identity object of the module's resources and module calls, in file order by kind.
/// Each object's `source` is the `.tf` file of the block that defines it.
pub fn pod_identity_objects(module: &Module) -> PodIdentityObjects {
    let mut out = PodIdentityObjects {
        associations: resource_associations(module),
        fargate_profiles: fargate_profiles(module),
        addon_lists: addon_lists(module),
    };
    out.extend(module_objects(module));
    out
}

/// A value's text as the model holds it (unknown parts as `${expression}`), at its place when
/// that is in `host`, else at `fallback`; None for null and collections.
fn located(value: &TfValue, host: &SourceRef, fallback: Span) -> Option<Located<String>> {
    let value_text = match &value.kind {
        ValueKind::String(parts) => render_parts(parts),
        ValueKind::Unknown(expr) => format!("${{{expr}}}"),
        ValueKind::Number(_) | ValueKind::Bool(_) => value.to_known_string()?.into_owned(),
        _ => return None,
    };
    let span = if value.origin.is_in(host) {
        value.origin.span
    } else {
        fallback
    };
    Some(Located {
        value: value_text,
        span,
    })
}

fn located_bool(value: &TfValue, host: &SourceRef, fallback: Span) -> Option<Located<bool>> {
    let span = if value.origin.is_in(host) {
        value.origin.span
    } else {
        fallback
    };
    Some(Located {
        value: value.as_bool()?,
        span,
    })
}

/// One resource instance's attributes.
struct Instance<'a, 'm, 'l> {
    module: &'a Module<'l>,
    block: BlockRef<'m>,
    env: Env,
}

impl Instance<'_, '_, '_> {
    fn value(&self, key: &str) -> Option<(TfValue, Span)> {
        let attr = self.block.attribute(key)?;
        let value = self.module.eval(self.block.source, &attr.value, &self.env);
        (!value.is_null()).then_some((value, attr.value.span))
    }

    fn string(&self, key: &str) -> Option<Located<String>> {
        let (value, at) = self.value(key)?;
        located(&value, self.block.source, at)
    }

    fn flag(&self, key: &str) -> Option<Located<bool>> {
        let (value, at) = self.value(key)?;
        located_bool(&value, self.block.source, at)
    }
}

/// Each instance of each resource of type `ty`, with its address.
fn instances<'a, 'm, 'l>(module: &'a Module<'l>, ty: &'m str) -> Vec<(String, Instance<'a, 'm, 'l>)>
where
    'a: 'm,
{
    let mut out = Vec::new();
    for block in module.resources(ty) {
        let label = block.label(1).unwrap_or("?");
        for env in module.instances(&block) {
            let address = format!("{ty}.{label}{}", env.instance_key());
            out.push((address, Instance { module, block, env }));
        }
    }
    out
}

/// `aws_eks_pod_identity_association` instances.
fn resource_associations(module: &Module) -> Vec<PodIdentityAssociation> {
    let mut out = Vec::new();
    for (address, r) in instances(module, "aws_eks_pod_identity_association") {
        let association = PodIdentityAssociation {
            source: r.block.source.clone(),
            origin: AssociationOrigin::Terraform,
            span: r.block.block.span,
            label: format!("`{address}`"),
            logical_path: address.clone(),
            address: Some(address),
            cluster: r.string("cluster_name"),
            namespace: r.string("namespace"),
            service_account: r.string("service_account"),
            role_arn: r.string("role_arn"),
            role_created: false,
            service_account_created: false,
            target_role_arn: r.string("target_role_arn"),
            disable_session_tags: r.flag("disable_session_tags"),
            session_policy: r.value("policy").map(|(_, at)| at),
            cluster_account: None,
        };
        out.push(association);
    }
    out
}

/// A selector from its `namespace` and `labels` values; None without a namespace.
fn selector(
    namespace: Option<&TfValue>,
    labels: Option<&TfValue>,
    host: &SourceRef,
    fallback: Span,
) -> Option<FargateSelector> {
    let namespace = located(namespace.filter(|n| !n.is_null())?, host, fallback)?;
    let labels = labels
        .and_then(TfValue::as_object)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| (k.rendered(), v.rendered()))
        .collect();
    Some(FargateSelector { namespace, labels })
}

/// `aws_eks_fargate_profile` instances, from their `selector` blocks.
fn fargate_profiles(module: &Module) -> Vec<FargateProfile> {
    let mut out = Vec::new();
    for (address, r) in instances(module, "aws_eks_fargate_profile") {
        let mut selectors = Vec::new();
        for block in r.block.blocks("selector") {
            let value = |key: &str| {
                let attr = block.attribute(key)?;
                Some(module.eval(block.source, &attr.value, &r.env))
            };
            selectors.extend(selector(
                value("namespace").as_ref(),
                value("labels").as_ref(),
                block.source,
                block.block.span,
            ));
        }
        let profile = FargateProfile {
            source: r.block.source.clone(),
            span: r.block.block.span,
            label: format!("`{address}`"),
            logical_path: address,
            cluster: r.string("cluster_name"),
            selectors,
        };
        out.push(profile);
    }
    out
}

/// `aws_eks_addon` instances: one list per `cluster_name` as written, at the first add-on's
/// block (a name written in another file than that block points at it).
fn addon_lists(module: &Module) -> Vec<AddonList> {
    let mut lists: Vec<AddonList> = Vec::new();
    for (_, r) in instances(module, "aws_eks_addon") {
        let Some(mut name) = r.string("addon_name") else {
            continue;
        };
        let cluster = r.string("cluster_name");
        let key = cluster.as_ref().map(|c| c.value.clone());
        match lists
            .iter_mut()
            .find(|l| l.cluster.as_ref().map(|c| &c.value) == key.as_ref())
        {
            Some(list) => {
                if !Arc::ptr_eq(&list.source, r.block.source) {
                    name.span = list.span;
                }
                list.names.push(name);
            }
            None => lists.push(AddonList {
                source: r.block.source.clone(),
                span: r.block.block.span,
                label: "aws_eks_addon".to_string(),
                logical_path: format!("aws_eks_addon@{}", key.as_deref().unwrap_or("-")),
                cluster,
                names: vec![name],
            }),
        }
    }
    lists
}

/// A module call this reads Pod Identity objects from.
enum Call {
    PodIdentity(Version),
    Eks,
}

fn call_kind(module: &Module, call: &BlockRef<'_>) -> Option<Call> {
    let source = module.attribute(call, "source", &Env::new())?;
    let source = source.as_str()?;
    if let Some(ModuleSource::Known(Known::EksPodIdentity, reference)) = classify(&source) {
        return call_version(module, call, Known::EksPodIdentity, reference).map(Call::PodIdentity);
    }
    let (repo, sub, _) = registry_source(&source);
    let eks = matches!(
        repo,
        "terraform-aws-modules/eks/aws" | "terraform-aws-modules/terraform-aws-eks"
    );
    (eks && sub.is_empty()).then_some(Call::Eks)
}

/// The objects of the module's `eks-pod-identity` and `eks` calls, each instance's.
fn module_objects(module: &Module) -> PodIdentityObjects {
    let mut out = PodIdentityObjects::default();
    for call in module.module_calls() {
        let Some(label) = call.label(0) else { continue };
        let Some(kind) = call_kind(module, &call) else {
            continue;
        };
        for env in module.instances(&call) {
            let prefix = format!("module.{label}{}", env.instance_key());
            let args = Args::of(module, &call, &env, true);
            let call = CallRef {
                source: call.source,
                header: header_span(&call),
                prefix,
                args,
            };
            match kind {
                Call::PodIdentity(version) => out.associations.extend(call.associations(version)),
                Call::Eks => out.extend(call.eks_objects()),
            }
        }
    }
    out
}

/// One instance of a module call, its arguments evaluated in the caller.
struct CallRef<'a> {
    source: &'a SourceRef,
    /// `module "name"`.
    header: Span,
    /// `module.name`, `module.name["k"]`.
    prefix: String,
    args: Args,
}

impl CallRef<'_> {
    fn located(&self, value: &TfValue) -> Option<Located<String>> {
        located(value, self.source, self.header)
    }

    /// Where a value of the call is: its place in the calling file, else `module "name"`.
    fn span_of(&self, value: &TfValue) -> Span {
        if value.origin.is_in(self.source) {
            value.origin.span
        } else {
            self.header
        }
    }

    /// The `eks-pod-identity` module's associations (from 1.2.0): each entry's value, else
    /// `association_defaults`'; `disable_session_tags` and `target_role_arn` from 2.0.0.
    fn associations(&self, version: Version) -> Vec<PodIdentityAssociation> {
        if version < Version(1, 2, 0) || self.args.flag("create", true) != Some(true) {
            return Vec::new();
        }
        let Some(entries) = self.args.get("associations").and_then(TfValue::as_object) else {
            return Vec::new();
        };
        let defaults = self.args.get("association_defaults");
        let v2 = version >= Version(2, 0, 0);
        let mut out = Vec::new();
        for (key, entry) in entries {
            let Some(key) = key.as_str() else { continue };
            let field = |name: &str| {
                let given = |v: &TfValue| v.get(name).filter(|v| !v.is_null()).cloned();
                given(entry).or_else(|| defaults.and_then(given))
            };
            let string = |name: &str| field(name).and_then(|v| self.located(&v));
            let path = format!("{}.associations[\"{key}\"]", self.prefix);
            out.push(PodIdentityAssociation {
                source: self.source.clone(),
                origin: AssociationOrigin::TerraformModule,
                span: self.span_of(entry),
                label: format!("`{path}`"),
                logical_path: path,
                // The role is named in the caller's terms (`module.M.iam_role_arn`): no address
                // inside the module to read it in.
                address: None,
                cluster: string("cluster_name"),
                namespace: string("namespace"),
                service_account: string("service_account"),
                role_arn: Some(Located {
                    value: format!("${{{}.iam_role_arn}}", self.prefix),
                    span: self.header,
                }),
                role_created: false,
                service_account_created: false,
                target_role_arn: if v2 { string("target_role_arn") } else { None },
                disable_session_tags: field("disable_session_tags")
                    .filter(|_| v2)
                    .and_then(|v| located_bool(&v, self.source, self.header)),
                session_policy: None,
                cluster_account: None,
            });
        }
        out
    }

    /// The `eks` module's add-ons and Fargate profiles.
    fn eks_objects(&self) -> PodIdentityObjects {
        let mut out = PodIdentityObjects::default();
        if self.args.flag("create", true) != Some(true) {
            return out;
        }
        let cluster = self
            .args
            .get("cluster_name")
            .or_else(|| self.args.get("name"))
            .and_then(|v| self.located(v));
        for key in ["cluster_addons", "addons"] {
            let Some((value, span)) = self.args.values.get(key) else {
                continue;
            };
            let Some(entries) = value.as_object() else {
                continue;
            };
            let names: Vec<Located<String>> = entries
                .iter()
                .filter_map(|(k, v)| {
                    let name = v.get("name").filter(|n| !n.is_null()).unwrap_or(k);
                    located(name, self.source, *span)
                })
                .collect();
            if !names.is_empty() {
                out.addon_lists.push(AddonList {
                    source: self.source.clone(),
                    span: *span,
                    label: format!("{}.{key}", self.prefix),
                    logical_path: format!("{}.{key}", self.prefix),
                    cluster: cluster.clone(),
                    names,
                });
            }
        }
        let default_selectors = self
            .args
            .get("fargate_profile_defaults")
            .and_then(|d| d.get("selectors"));
        let profiles = self
            .args
            .get("fargate_profiles")
            .and_then(TfValue::as_object);
        for (key, profile) in profiles.unwrap_or_default() {
            let Some(key) = key.as_str() else { continue };
            if profile.get("create").and_then(TfValue::as_bool) == Some(false) {
                continue;
            }
            let at = self.span_of(profile);
            let selectors = profile
                .get("selectors")
                .filter(|s| !s.is_null())
                .or(default_selectors)
                .and_then(TfValue::as_list)
                .unwrap_or_default()
                .iter()
                .filter_map(|s| selector(s.get("namespace"), s.get("labels"), self.source, at))
                .collect();
            let path = format!("{}.fargate_profiles[\"{key}\"]", self.prefix);
            out.fargate_profiles.push(FargateProfile {
                source: self.source.clone(),
                span: at,
                label: format!("`{path}`"),
                logical_path: path,
                cluster: cluster.clone(),
                selectors,
            });
        }
        out
    }
}

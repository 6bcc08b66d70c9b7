//! The evaluator on real-looking Terraform: terraform-aws-modules IRSA usage, jsonencode and
//! heredoc trust policies, locals chains, tfvars precedence, for expressions, templatefile.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::*;
use crate::extract::policy::read_policy;
use crate::model::policy::PolicyOrigin;
use crate::parse::hcl::{self, parse_body};
use crate::parse::tree::Node;
use crate::source::{SourceFile, SourceRef};

fn source(path: &str, text: &str) -> SourceRef {
    Arc::new(SourceFile::new(
        path,
        Some(PathBuf::from(path)),
        text.to_string(),
    ))
}

fn parsed(path: &str, text: &str) -> (SourceRef, hcl::Body) {
    let s = source(path, text);
    let body = parse_body(text).unwrap_or_else(|p| panic!("{path}: {p:?}"));
    (s, body)
}

/// A loader over files held in memory.
#[derive(Default)]
struct Files(HashMap<PathBuf, SourceRef>);

impl Files {
    fn with(mut self, path: &str, text: &str) -> Files {
        self.0.insert(PathBuf::from(path), source(path, text));
        self
    }
}

impl FileLoader for Files {
    fn load(&self, path: &Path) -> Option<SourceRef> {
        self.0.get(path).cloned()
    }
}

fn module<'l>(files: &[(&str, &str)], loader: &'l dyn FileLoader) -> Module<'l> {
    Module::new(
        files.iter().map(|(p, t)| parsed(p, t)).collect(),
        Vec::new(),
        HashMap::new(),
        ".".into(),
        loader,
    )
}

/// Evaluate `expr` as an attribute of a scratch file of `m`.
fn eval_in(m: &Module<'_>, expr: &str) -> TfValue {
    let (s, body) = parsed("scratch.tf", &format!("x = {expr}\n"));
    m.eval(&s, &body.attribute("x").unwrap().value, &Env::new())
}

fn eval(locals: &str, expr: &str) -> TfValue {
    let m = module(&[("main.tf", locals)], &NoFiles);
    eval_in(&m, expr)
}

fn text(v: &TfValue) -> String {
    v.rendered()
}

fn slice(s: &SourceRef, span: crate::source::Span) -> &str {
    s.slice(span)
}

const IRSA_JSONENCODE: &str = r#"
data "aws_caller_identity" "current" {}

locals {
  oidc_provider = replace(module.eks.cluster_oidc_issuer_url, "https://", "")
  namespace     = "payments"
}

variable "service_account" {
  type    = string
  default = "api"
}

resource "aws_iam_role" "irsa" {
  name = "payments-api"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect = "Allow"
      Principal = {
        Federated = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.oidc_provider}"
      }
      Action = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${replace(module.eks.cluster_oidc_issuer_url, "https://", "")}:sub" = "system:serviceaccount:${local.namespace}:${var.service_account}"
          "${local.oidc_provider}:aud" = "sts.amazonaws.com"
        }
      }
    }]
  })
}
"#;

#[test]
fn jsonencode_trust_policy_becomes_the_policy_tree() {
    let m = module(&[("main.tf", IRSA_JSONENCODE)], &NoFiles);
    let role = m.resources("aws_iam_role").next().unwrap();
    assert_eq!(role.label(1), Some("irsa"));
    let envs = m.instances(&role);
    assert_eq!(envs.len(), 1);
    let policy = m.attribute(&role, "assume_role_policy", &envs[0]).unwrap();
    assert!(matches!(policy.kind, ValueKind::Json(_)));
    let (host, node) = document_node(&policy).unwrap();
    assert!(Arc::ptr_eq(&host, &m.files()[0].0));
    let statement = &node.get("Statement").unwrap().as_seq().unwrap()[0];
    let federated = statement.path(&["Principal", "Federated"]).unwrap();
    assert_eq!(
        federated.as_str(),
        Some(
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")}"
        )
    );
    let equals = statement.path(&["Condition", "StringEquals"]).unwrap();
    let entries = equals.as_map().unwrap();
    assert_eq!(
        entries[0].key.as_str(),
        Some("${replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")}:sub")
    );
    // The key as written equals its text: positions inside it map exactly.
    assert_eq!(
        slice(&host, entries[0].key.span),
        "\"${replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")}:sub\""
    );
    assert_eq!(
        entries[0].value.as_str(),
        Some("system:serviceaccount:payments:api")
    );
    assert_eq!(
        slice(&host, entries[0].value.span),
        "\"system:serviceaccount:${local.namespace}:${var.service_account}\""
    );
    // The local's key is read where the local was written (the same file).
    assert_eq!(
        entries[1].key.as_str(),
        Some("${replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")}:aud")
    );
    assert_eq!(
        slice(&host, statement.get("Effect").unwrap().span),
        "\"Allow\""
    );

    // extract::policy reads it unchanged: the sub entry's claim is known though its issuer is not.
    let policy = read_policy(
        &host,
        &node,
        PolicyOrigin::RawFile,
        "aws_iam_role.irsa".into(),
        false,
    );
    let condition = policy.statements[0].condition.as_ref().unwrap();
    let entry = &condition.operators[0].entries[0];
    assert!(!entry.key_unknown_parts.is_empty());
    assert_eq!(
        crate::model::value::Parts::new(&entry.key.value, &entry.key_unknown_parts).claim(),
        Some("sub")
    );
}

#[test]
fn terraform_aws_modules_irsa_module_call() {
    let text = r#"
module "irsa" {
  source    = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"
  role_name = "${var.cluster}-ebs-csi"
  oidc_providers = {
    main = {
      provider_arn               = module.eks.oidc_provider_arn
      namespace_service_accounts = ["kube-system:ebs-csi-controller-sa", "${var.ns}:${local.sa}"]
    }
  }
}
variable "cluster" { default = "prod" }
variable "ns" {}
locals { sa = "app" }
"#;
    let m = module(&[("main.tf", text)], &NoFiles);
    let text = |v: &TfValue| v.rendered();
    let call = m.module_calls().next().unwrap();
    assert_eq!(call.label(0), Some("irsa"));
    let env = Env::new();
    assert_eq!(
        m.attribute(&call, "role_name", &env)
            .unwrap()
            .as_str()
            .as_deref(),
        Some("prod-ebs-csi")
    );
    let providers = m.attribute(&call, "oidc_providers", &env).unwrap();
    let main = providers.get("main").unwrap();
    assert!(main.get("provider_arn").unwrap().is_unknown());
    let accounts = main.get("namespace_service_accounts").unwrap();
    let items: Vec<String> = accounts.as_list().unwrap().iter().map(text).collect();
    assert_eq!(
        items,
        ["kube-system:ebs-csi-controller-sa", "${var.ns}:app"]
    );
}

#[test]
fn tfvars_precedence_and_given_values() {
    let main = parsed(
        "main.tf",
        "variable \"env\" { default = \"default\" }\nvariable \"region\" { default = \"us-east-1\" }\nvariable \"only\" { default = 1 }\n",
    );
    let tfvars = vec![
        parsed("b.auto.tfvars", "env = \"b-auto\"\n"),
        parsed(
            "terraform.tfvars",
            "env = \"tfvars\"\nregion = \"eu-west-1\"\n",
        ),
        parsed("a.auto.tfvars", "env = \"a-auto\"\nregion = \"${var.x}\"\n"),
    ];
    let m = Module::new(
        vec![main.clone()],
        tfvars.clone(),
        HashMap::new(),
        ".".into(),
        &NoFiles,
    );
    assert_eq!(text(m.variable("env").unwrap()), "b-auto");
    // A tfvars value may name nothing: `var.x` there is an error, so unknown.
    assert!(m.variable("region").unwrap().is_unknown());
    assert_eq!(text(m.variable("only").unwrap()), "1");
    let given: HashMap<String, TfValue> = [(
        "env".to_string(),
        TfValue::string("given", main.0.clone().into_origin()),
    )]
    .into();
    let m = Module::new(vec![main], tfvars, given, ".".into(), &NoFiles);
    assert_eq!(text(m.variable("env").unwrap()), "given");
}

trait IntoOrigin {
    fn into_origin(self) -> Origin;
}

impl IntoOrigin for SourceRef {
    fn into_origin(self) -> Origin {
        Origin::new(&self, crate::source::Span::default())
    }
}

#[test]
fn locals_chains_across_files_and_cycles() {
    let m = module(
        &[
            (
                "locals.tf",
                "locals {\n  issuer = \"oidc.eks.us-east-1.amazonaws.com/id/ABC\"\n  sub_key = \"${local.issuer}:sub\"\n  a = local.b\n  b = local.a\n}\n",
            ),
            ("main.tf", "locals { key = local.sub_key }\n"),
        ],
        &NoFiles,
    );
    assert_eq!(
        m.local("key").unwrap().as_str().as_deref(),
        Some("oidc.eks.us-east-1.amazonaws.com/id/ABC:sub")
    );
    let cyclic = m.local("a").unwrap();
    assert!(cyclic.is_unknown(), "{cyclic:?}");
    // Read from main.tf, a local of locals.tf is reported at the reference.
    let main = m.files()[1].0.clone();
    let value = m.local("key").unwrap();
    assert!(value.origin.is_in(&main));
    assert_eq!(slice(&main, value.origin.span), "local.sub_key");
}

#[test]
fn a_long_local_chain_is_bounded() {
    let mut text = String::from("locals {\n  l0 = \"end\"\n");
    for i in 1..200 {
        text.push_str(&format!("  l{i} = [local.l{}]\n", i - 1));
    }
    text.push_str("}\n");
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let m = module(&[("main.tf", &text)], &NoFiles);
            let v = m.local("l199").unwrap();
            (v.is_known(), to_node(&v).1.span.end > 0)
        })
        .unwrap()
        .join()
        .unwrap();
    // Past the reference bound the innermost value is unknown, and nothing overflows.
    assert_eq!(result, (false, true));
}

#[test]
fn for_expressions_build_subjects() {
    let locals = r#"
variable "service_accounts" { default = ["api", "worker", ""] }
variable "namespace" { default = "payments" }
locals {
  subjects = [for sa in var.service_accounts : "system:serviceaccount:${var.namespace}:${sa}" if sa != ""]
  by_name  = { for i, sa in var.service_accounts : sa => i if sa != "" }
  grouped  = { for sa in ["a", "b", "a"] : sa => sa... }
}
"#;
    let m = module(&[("main.tf", locals)], &NoFiles);
    let subjects = m.local("subjects").unwrap();
    let items: Vec<String> = subjects.as_list().unwrap().iter().map(text).collect();
    assert_eq!(
        items,
        [
            "system:serviceaccount:payments:api",
            "system:serviceaccount:payments:worker"
        ]
    );
    assert_eq!(
        text(&m.local("by_name").unwrap()),
        r#"{"api":0,"worker":1}"#
    );
    assert_eq!(
        text(&m.local("grouped").unwrap()),
        r#"{"a":["a","a"],"b":["b"]}"#
    );
    // Over an unknown collection the whole expression is unknown.
    let v = eval_in(&m, "[for s in module.x.subjects : s]");
    assert_eq!(text(&v), "${[for s in module.x.subjects : s]}");
}

#[test]
fn templatefile_trust_policy_points_into_the_template() {
    let template = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Federated": "${provider_arn}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "${oidc}:sub": [%{ for sa in subjects ~}"system:serviceaccount:${sa}"%{ if sa != last }, %{ endif }%{ endfor ~}]
        }
      }
    }
  ]
}
"#;
    let loader = Files::default().with("mod/trust.json.tpl", template);
    let text_tf = r#"
resource "aws_iam_role" "r" {
  assume_role_policy = templatefile("${path.module}/trust.json.tpl", {
    provider_arn = module.eks.oidc_provider_arn
    oidc         = "oidc.eks.eu-west-1.amazonaws.com/id/XYZ"
    subjects     = ["ns:a", "ns:b"]
    last         = "ns:b"
  })
}
"#;
    let m = Module::new(
        vec![parsed("mod/main.tf", text_tf)],
        Vec::new(),
        HashMap::new(),
        "mod".into(),
        &loader,
    );
    let role = m.resources("aws_iam_role").next().unwrap();
    let policy = m
        .attribute(&role, "assume_role_policy", &Env::new())
        .unwrap();
    let (host, node) = document_node(&policy).unwrap_or_else(|| panic!("{}", policy.rendered()));
    assert_eq!(host.display_path, "mod/trust.json.tpl");
    let statement = &node.get("Statement").unwrap().as_seq().unwrap()[0];
    assert_eq!(
        statement
            .path(&["Principal", "Federated"])
            .unwrap()
            .as_str(),
        Some("${module.eks.oidc_provider_arn}")
    );
    assert_eq!(
        slice(&host, statement.get("Effect").unwrap().span),
        "\"Allow\""
    );
    let entry = &statement
        .path(&["Condition", "StringEquals"])
        .unwrap()
        .as_map()
        .unwrap()[0];
    assert_eq!(
        entry.key.as_str(),
        Some("oidc.eks.eu-west-1.amazonaws.com/id/XYZ:sub")
    );
    let subjects: Vec<&str> = entry
        .value
        .as_seq()
        .unwrap()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    assert_eq!(
        subjects,
        ["system:serviceaccount:ns:a", "system:serviceaccount:ns:b"]
    );
    // A template names only its variables: `var.x` there is an error, so the call is unknown.
    let loader = Files::default().with("t.tpl", "${var.x}");
    let m = module(&[("main.tf", "")], &loader);
    assert!(eval_in(&m, "templatefile(\"t.tpl\", {})").is_unknown());
    // No loader: unknown.
    assert!(eval("", "file(\"x.json\")").is_unknown());
}

#[test]
fn heredoc_policy_with_interpolations_maps_into_the_heredoc() {
    let text = r#"resource "aws_iam_role" "r" {
  assume_role_policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.oidc}"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringLike": {"${local.oidc}:sub": "system:serviceaccount:${var.ns}:*"}},
        "Extra": ${jsonencode(local.extra)}
      }]
    }
  EOF
}
locals {
  oidc  = "oidc.eks.us-east-1.amazonaws.com/id/ABC"
  extra = module.x.y
}
"#;
    let m = module(&[("main.tf", text)], &NoFiles);
    let role = m.resources("aws_iam_role").next().unwrap();
    let policy = m
        .attribute(&role, "assume_role_policy", &Env::new())
        .unwrap();
    let (host, node) = document_node(&policy).unwrap();
    let statement = &node.get("Statement").unwrap().as_seq().unwrap()[0];
    let federated = statement.path(&["Principal", "Federated"]).unwrap();
    assert_eq!(
        federated.as_str(),
        Some(
            "arn:aws:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC"
        )
    );
    assert!(slice(&host, federated.span).starts_with("\"arn:aws:iam::${data."));
    let entry = &statement
        .path(&["Condition", "StringLike"])
        .unwrap()
        .as_map()
        .unwrap()[0];
    assert_eq!(
        entry.key.as_str(),
        Some("oidc.eks.us-east-1.amazonaws.com/id/ABC:sub")
    );
    assert_eq!(slice(&host, entry.key.span), "\"${local.oidc}:sub\"");
    assert_eq!(
        entry.value.as_str(),
        Some("system:serviceaccount:${var.ns}:*")
    );
    assert_eq!(
        slice(&host, entry.value.span),
        "\"system:serviceaccount:${var.ns}:*\""
    );
    // A wholly unknown value outside a JSON string becomes a string of its own.
    assert_eq!(
        statement.get("Extra").unwrap().as_str(),
        Some("${module.x.y}")
    );
}

#[test]
fn templates_and_directives() {
    let locals = "locals {\n  list = [\"a\", \"b\"]\n  on = true\n}\n";
    assert_eq!(
        text(&eval(
            locals,
            "\"%{ for i, s in local.list }${i}=${s};%{ endfor }\""
        )),
        "0=a;1=b;"
    );
    assert_eq!(
        text(&eval(
            locals,
            "\"x%{ if local.on }yes%{ else }no%{ endif }\""
        )),
        "xyes"
    );
    // An unknown condition makes the directive one unknown part.
    let v = eval(locals, "\"x-%{ if var.y }a%{ endif }-z\"");
    let ValueKind::String(parts) = &v.kind else {
        panic!("{v:?}")
    };
    assert_eq!(parts.len(), 3);
    assert!(
        matches!(&parts[1], StrPart::Unknown { expr, .. } if expr == "%{ if var.y }a%{ endif }")
    );
    // A single interpolation is its value, whatever its type.
    assert!(eval(locals, "\"${local.list}\"").as_list().is_some());
    // Escapes are literal text, never holes.
    assert_eq!(
        eval(locals, "\"$${aws:username}\"").as_str().as_deref(),
        Some("${aws:username}")
    );
    // A list cannot be interpolated with text around it: Terraform fails, so unknown.
    assert!(eval(locals, "\"x${local.list}\"").is_unknown());
}

#[test]
fn conditionals_operators_and_traversals() {
    let locals = r#"
variable "m" {
  default = {
    k = { name = "n1" }
    l = [{ name = "a" }, { name = "b" }]
  }
}
locals {
  n = 3
}
"#;
    assert_eq!(
        text(&eval(locals, "local.n > 2 ? \"big\" : \"small\"")),
        "big"
    );
    assert_eq!(text(&eval(locals, "var.x ? \"same\" : \"same\"")), "same");
    assert_eq!(
        text(&eval(locals, "var.x ? \"a\" : \"b\"")),
        "${var.x ? \"a\" : \"b\"}"
    );
    assert_eq!(text(&eval(locals, "local.n * 2 + 1")), "7");
    assert_eq!(text(&eval(locals, "-local.n")), "-3");
    assert_eq!(text(&eval(locals, "!(local.n == 3)")), "false");
    assert_eq!(text(&eval(locals, "\"a\" != \"b\" && true")), "true");
    assert_eq!(text(&eval(locals, "false && var.unknown")), "false");
    assert_eq!(text(&eval(locals, "1 == \"1\"")), "false");
    assert_eq!(text(&eval(locals, "var.m.k.name")), "n1");
    assert_eq!(text(&eval(locals, "var.m[\"k\"][\"name\"]")), "n1");
    assert_eq!(text(&eval(locals, "var.m.l[1].name")), "b");
    assert_eq!(text(&eval(locals, "var.m.l.0.name")), "a");
    assert_eq!(text(&eval(locals, "var.m.l[*].name")), r#"["a","b"]"#);
    assert_eq!(text(&eval(locals, "var.m.l.*.name")), r#"["a","b"]"#);
    assert_eq!(text(&eval(locals, "path.module")), ".");
    for unknown in [
        "aws_iam_role.x.arn",
        "data.aws_iam_policy_document.t.json",
        "module.eks.oidc_provider",
        "terraform.workspace",
        "path.root",
        "each.key",
        "count.index",
        "var.undeclared",
        "timestamp()",
        "var.m.l[var.i]",
    ] {
        let v = eval(locals, unknown);
        assert_eq!(text(&v), format!("${{{unknown}}}"), "{unknown}");
    }
    // Errors Terraform would report are unknown values; try_eval keeps the error.
    assert!(eval(locals, "var.m.l[5]").is_unknown());
    let m = module(&[("main.tf", locals)], &NoFiles);
    let (s, body) = parsed("x.tf", "x = var.m.nope\n");
    let err = m
        .try_eval(&s, &body.attribute("x").unwrap().value, &Env::new())
        .unwrap_err();
    assert!(err.message.contains("nope"), "{err:?}");
}

#[test]
fn functions() {
    let locals = r#"
locals {
  m = { b = 2, a = 1 }
  l = ["x", "", "y", "x"]
}
"#;
    let cases = [
        (
            "replace(\"https://oidc.eks/id/1\", \"https://\", \"\")",
            "oidc.eks/id/1",
        ),
        (
            "replace(\"a-b\", \"/-/\", \"_\")",
            "${replace(\"a-b\", \"/-/\", \"_\")}",
        ),
        ("trimprefix(\"https://x\", \"https://\")", "x"),
        ("trimsuffix(\"x.json\", \".json\")", "x"),
        ("trimspace(\"  x \")", "x"),
        (
            "format(\"%s:sub\", module.eks.oidc_provider)",
            "${module.eks.oidc_provider}:sub",
        ),
        ("format(\"%s-%d-%q %%\", \"a\", 7, \"q\")", "a-7-\"q\" %"),
        ("join(\",\", [\"a\", var.b])", "a,${var.b}"),
        ("split(\",\", \"a,b\")", r#"["a","b"]"#),
        ("concat([\"a\"], [\"b\"], [])", r#"["a","b"]"#),
        ("compact(local.l)", r#"["x","y","x"]"#),
        ("distinct(local.l)", r#"["x","","y"]"#),
        ("toset(local.l)", r#"["x","","y"]"#),
        ("flatten([[\"a\"], [[\"b\"]], \"c\"])", r#"["a","b","c"]"#),
        ("merge(local.m, { a = 9 }, null)", r#"{"a":9,"b":2}"#),
        ("lookup(local.m, \"a\", 0)", "1"),
        ("lookup(local.m, \"z\", 0)", "0"),
        ("coalesce(\"\", null, \"v\")", "v"),
        ("coalesce(var.x, \"v\")", "${coalesce(var.x, \"v\")}"),
        ("element(local.l, 5)", ""),
        ("length(local.l)", "4"),
        ("length(\"héllo\")", "5"),
        ("lower(\"ABC\")", "abc"),
        ("upper(\"abc\")", "ABC"),
        ("substr(\"system:serviceaccount\", 0, 6)", "system"),
        ("substr(\"abcdef\", -3, -1)", "def"),
        ("startswith(\"system:x\", \"system:\")", "true"),
        ("endswith(\"a:sub\", \":aud\")", "false"),
        ("contains(local.l, \"y\")", "true"),
        ("keys(local.m)", r#"["a","b"]"#),
        ("values(local.m)", "[1,2]"),
        ("zipmap([\"k\"], [\"v\"])", r#"{"k":"v"}"#),
        ("tolist(local.l)[0]", "x"),
        ("tomap(local.m).b", "2"),
        ("one([\"only\"])", "only"),
        ("reverse([1, 2])", "[2,1]"),
        ("tostring(12)", "12"),
        (
            "jsondecode(\"{\\\"a\\\": [1, true, null]}\")",
            r#"{"a":[1,true,null]}"#,
        ),
        (
            "jsonencode({ b = 1, a = \"<\" })",
            r#"{"a":"\u003c","b":1}"#,
        ),
        ("\"${jsonencode({ a = var.x })}\"", r#"{"a":"${var.x}"}"#),
        ("try(local.m.z, \"fallback\")", "fallback"),
        (
            "try(module.x.y, \"fallback\")",
            "${try(module.x.y, \"fallback\")}",
        ),
        ("can(local.m.z)", "false"),
        ("concat(local.l...)", "${concat(local.l...)}"),
        ("join(\"-\", [[\"a\"], [\"b\"]]...)", "a-b"),
        (
            "cidrsubnet(\"10.0.0.0/8\", 8, 1)",
            "${cidrsubnet(\"10.0.0.0/8\", 8, 1)}",
        ),
        (
            "provider::aws::arn_parse(\"x\")",
            "${provider::aws::arn_parse(\"x\")}",
        ),
        (
            "replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")",
            "${replace(module.eks.cluster_oidc_issuer_url, \"https://\", \"\")}",
        ),
    ];
    for (expr, want) in cases {
        assert_eq!(text(&eval(locals, expr)), want, "{expr}");
    }
    // A jsonencode result of known values is usable as a string.
    let v = eval(locals, "jsonencode(local.l)");
    assert_eq!(v.as_str().as_deref(), Some(r#"["x","","y","x"]"#));
}

#[test]
fn instances_of_count_and_for_each() {
    let text = r#"
resource "aws_iam_role" "set" {
  for_each = toset(["api", "worker"])
  name     = "role-${each.key}"
}
resource "aws_iam_role" "map" {
  for_each = { api = "payments", worker = "jobs" }
  name     = "${each.value}-${each.key}"
}
resource "aws_iam_role" "counted" {
  count = 2
  name  = "r${count.index}"
}
resource "aws_iam_role" "none" {
  count = 0
}
resource "aws_iam_role" "unknown" {
  for_each = module.x.roles
  name     = "r-${each.key}"
}
"#;
    let m = module(&[("main.tf", text)], &NoFiles);
    let names = |label: &str| -> Vec<String> {
        let block = m
            .resources("aws_iam_role")
            .find(|b| b.label(1) == Some(label))
            .unwrap();
        m.instances(&block)
            .iter()
            .filter_map(|env| m.attribute(&block, "name", env))
            .map(|v| v.rendered())
            .collect()
    };
    assert_eq!(names("set"), ["role-api", "role-worker"]);
    assert_eq!(names("map"), ["payments-api", "jobs-worker"]);
    assert_eq!(names("counted"), ["r0", "r1"]);
    assert!(names("none").is_empty());
    assert_eq!(names("unknown"), ["r-${each.key}"]);
    // A dynamic block's iterator is a binding of its own.
    let env = Env::new().with(
        "statement",
        TfValue::string("v", m.files()[0].0.clone().into_origin()),
    );
    let (s, body) = parsed("x.tf", "x = statement\n");
    assert_eq!(
        m.eval(&s, &body.attribute("x").unwrap().value, &env)
            .rendered(),
        "v"
    );
}

#[test]
fn nested_blocks_of_a_policy_document() {
    let text = r#"
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [module.eks.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${module.eks.oidc_provider}:sub"
      values   = ["system:serviceaccount:kube-system:aws-node"]
    }
  }
}
"#;
    let m = module(&[("main.tf", text)], &NoFiles);
    let doc = m.data_sources("aws_iam_policy_document").next().unwrap();
    let statement = doc.blocks("statement").next().unwrap();
    let condition = statement.blocks("condition").next().unwrap();
    let variable = m.attribute(&condition, "variable", &Env::new()).unwrap();
    assert_eq!(variable.rendered(), "${module.eks.oidc_provider}:sub");
    let (host, node) = to_node(&variable);
    assert_eq!(
        slice(&host, node.span),
        "\"${module.eks.oidc_provider}:sub\""
    );
}

#[test]
fn hostile_evaluations_are_bounded() {
    let big = r#"
locals {
  l1 = [for i in range(0, 100) : i]
  ten = ["0","1","2","3","4","5","6","7","8","9"]
  a = [for x in local.ten : [for y in local.ten : [for z in local.ten : [for w in local.ten : [for v in local.ten : [for u in local.ten : "${x}${y}${z}${w}${v}${u}"]]]]]]
  s = "${replace(replace(replace("xxxxxxxxxxxxxxxx", "x", "xxxxxxxxxxxxxxxx"), "x", "xxxxxxxxxxxxxxxx"), "x", "xxxxxxxxxxxxxxxx")}"
  huge = replace(local.s, "x", local.s)
}
"#;
    let result = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let start = std::time::Instant::now();
            let m = module(&[("main.tf", big)], &NoFiles);
            let a = m.local("a").unwrap();
            let huge = m.local("huge").unwrap();
            let s = m.local("s").unwrap();
            let _ = to_node(&a);
            (
                start.elapsed(),
                a.is_known(),
                huge.is_unknown(),
                s.as_str().map(|s| s.len()),
            )
        })
        .unwrap()
        .join()
        .unwrap();
    assert!(
        result.0 < std::time::Duration::from_secs(20),
        "{:?}",
        result.0
    );
    // A million strings are over the step budget: unknown somewhere inside.
    assert!(!result.1);
    assert!(result.2);
    assert_eq!(result.3, Some(65536));
}

#[test]
fn values_from_another_file_take_the_reference_span() {
    let m = module(
        &[
            (
                "locals.tf",
                "locals {\n  conditions = { StringEquals = { \"x:sub\" = \"system:serviceaccount:a:b\" } }\n}\n",
            ),
            (
                "main.tf",
                "locals {\n  policy = jsonencode({ Statement = [{ Condition = local.conditions }] })\n}\n",
            ),
        ],
        &NoFiles,
    );
    let policy = m.local("policy").unwrap();
    let (host, node) = document_node(&policy).unwrap();
    assert_eq!(host.display_path, "main.tf");
    let condition = node.get("Statement").unwrap().as_seq().unwrap()[0]
        .get("Condition")
        .unwrap();
    assert_eq!(slice(&host, condition.span), "local.conditions");
    let inner = condition.path(&["StringEquals", "x:sub"]).unwrap();
    assert_eq!(slice(&host, inner.span), "local.conditions");
}

#[test]
fn policy_documents_render_as_the_aws_provider_does() {
    let m = module(
        &[(
            "main.tf",
            r#"
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "A"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111111111111:root"]
    }
  }
}
data "aws_iam_policy_document" "x" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    sid     = "A"
    actions = ["sts:TagSession", "sts:AssumeRoleWithWebIdentity", "sts:TagSession"]
    principals {
      type        = "Federated"
      identifiers = ["b", "a"]
    }
    principals {
      type        = "Federated"
      identifiers = ["c"]
    }
    principals {
      type        = "AWS"
      identifiers = []
    }
    condition {
      test     = "StringEquals"
      variable = "k:sub"
      values   = ["s1"]
    }
    condition {
      test     = "StringEquals"
      variable = "k:sub"
      values   = ["s2", "&{aws:username}"]
    }
  }
  statement {
    effect = "Deny"
    not_actions = ["s3:*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}
data "aws_iam_policy_document" "n" {
  count = 2
  statement {
    sid = "S${count.index}"
  }
}
"#,
        )],
        &NoFiles,
    );
    let json = eval_in(&m, "data.aws_iam_policy_document.x.json");
    assert_eq!(
        json.as_str().as_deref(),
        Some(
            r#"{"Statement":[{"Action":["sts:TagSession","sts:AssumeRoleWithWebIdentity"],"Condition":{"StringEquals":{"k:sub":["s1","s2","${aws:username}"]}},"Effect":"Allow","Principal":{"AWS":[],"Federated":["b","a","c"]},"Sid":"A"},{"Effect":"Deny","NotAction":"s3:*","Principal":"*"}],"Version":"2012-10-17"}"#
        )
    );
    // The merge of the two `condition` blocks is recorded, at each block's `variable`.
    let merges = m.condition_merges();
    assert_eq!(merges.len(), 1);
    assert_eq!(merges[0].blocks.len(), 2);
    let minified = eval_in(&m, "data.aws_iam_policy_document.x.minified_json");
    assert!(minified.as_str().is_some());
    let counted = eval_in(&m, "data.aws_iam_policy_document.n[1].json");
    assert_eq!(
        counted.as_str().as_deref(),
        Some(r#"{"Statement":[{"Effect":"Allow","Sid":"S1"}],"Version":"2012-10-17"}"#)
    );
    // Other data sources stay unknown.
    assert!(eval_in(&m, "data.aws_caller_identity.current.account_id").is_unknown());
    assert!(eval_in(&m, "data.aws_iam_policy_document.missing.json").is_unknown());
}

#[test]
fn a_policy_document_in_a_cycle_or_over_an_unknown_dynamic_is_unknown() {
    let m = module(
        &[(
            "main.tf",
            r#"
data "aws_iam_policy_document" "a" {
  source_policy_documents = [data.aws_iam_policy_document.b.json]
}
data "aws_iam_policy_document" "b" {
  source_policy_documents = [data.aws_iam_policy_document.a.json]
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.unknown
    content {
      actions = ["sts:AssumeRole"]
    }
  }
}
"#,
        )],
        &NoFiles,
    );
    assert!(eval_in(&m, "data.aws_iam_policy_document.a.json").is_unknown());
    assert!(eval_in(&m, "data.aws_iam_policy_document.d.json").is_unknown());
}

#[test]
fn template_file_renders_its_vars() {
    let files = Files::default().with("./t.tpl", "sub=${ns}:${name}");
    let m = module(
        &[(
            "main.tf",
            r#"
data "template_file" "f" {
  template = file("${path.module}/t.tpl")
  vars     = { ns = "a", name = "b" }
}
data "template_file" "inline" {
  template = "sub=$${ns}:x"
  vars     = { ns = var.ns }
}
"#,
        )],
        &files,
    );
    assert_eq!(
        eval_in(&m, "data.template_file.f.rendered")
            .as_str()
            .as_deref(),
        Some("sub=a:b")
    );
    let inline = eval_in(&m, "data.template_file.inline.rendered");
    assert_eq!(inline.rendered(), "sub=${var.ns}:x");
}

//! Frontends: one per input format, each turning a file's text into model objects, the comments
//! suppressions are written in, and its own input problem.
//!
//! The driver hands every file to [`read`] and never looks at its format again: what a format
//! means (JSON has no comments; YAML's are `#` outside quoted scalars) is the frontend's business.
//! Terraform is the exception the format imposes: a value in one `.tf` file may come from a
//! variable, a local or a `.tfvars` file beside it, so the unit is the module directory, and the
//! driver hands each directory's `.tf` and `.tfvars` files to [`read_terraform_module`] together.
//! Today's formats share the spanned tree (`parse`) and the document readers (`extract`: trust
//! policies in their AWS shapes, Kubernetes objects, policies embedded in strings); a format with
//! another syntax adds its parser and readers beside them and its branch here.

use crate::extract::terraform::{FileLoader, Module, kubernetes, modules, pod_identity, roles};
use crate::extract::{self, Extracted, holes};
use crate::model::template::Vars;
use crate::parse::tree::{Limits, ParseProblem};
use crate::parse::{self, FileKind, TerraformFile, hcl, hcl_json};
use crate::source::{Comment, SourceRef};

/// What a frontend makes of one file.
#[derive(Debug, Default)]
pub struct FrontendOutput {
    /// The model objects it holds.
    pub extracted: Extracted,
    /// Why the file (or the rest of it) could not be read: a syntax error, a limit, a template.
    pub problem: Option<ParseProblem>,
    /// Its comments, in source order, when its text holds `comments_with` (else none: a file
    /// without a suppression marker needs no comment scan).
    pub comments: Vec<Comment>,
}

/// Read `source` as `kind`, with `vars` substituted into its values (`--var`). `comments_with` is the text a comment must be looked for at all (the
/// suppression marker): the line scan for comments runs only on texts that hold it.
pub fn read(
    source: &SourceRef,
    kind: FileKind,
    limits: Limits,
    vars: &Vars,
    comments_with: &str,
) -> FrontendOutput {
    let mut parsed = parse::parse(&source.text, kind, limits);
    for root in parsed.documents.iter_mut().filter_map(|d| d.root.as_mut()) {
        holes::substitute(root, vars);
    }
    let comments = match kind {
        FileKind::Yaml if source.text.contains(comments_with) => parse::yaml_comments(&source.text),
        // JSON has no comments: a `#` in it is inside a string.
        FileKind::Yaml | FileKind::Json => Vec::new(),
    };
    FrontendOutput {
        extracted: extract::extract(source, &parsed),
        problem: parsed.problem,
        comments,
    }
}

/// Read one Terraform module directory: its `.tf` and `.tf.json` files (configuration) and
/// `.tfvars` and `.tfvars.json` files, one output per source in the order given. Each file is parsed on its own (a syntax
/// error is that file's problem; the others are still evaluated, without it); the directory is
/// evaluated as one module with the variable values Terraform loads by itself (`terraform.tfvars`,
/// `*.auto.tfvars`; another `.tfvars` is only read when `-var-file` names it, so its values are
/// not assumed). A trust policy or Kubernetes object belongs to the output of the file its
/// resource block is in.
/// `loader` reads what `file()` and `templatefile()` name.
pub fn read_terraform_module(
    sources: &[(SourceRef, TerraformFile)],
    loader: &dyn FileLoader,
    comments_with: &str,
) -> Vec<FrontendOutput> {
    let mut outputs: Vec<FrontendOutput> = Vec::with_capacity(sources.len());
    let mut config = Vec::new();
    let mut tfvars = Vec::new();
    for (source, kind) in sources {
        let mut output = FrontendOutput::default();
        // JSON has no comments (a `"//"` property is one to Terraform, not to the linter).
        let json = matches!(kind, TerraformFile::ConfigJson | TerraformFile::VarsJson);
        if !json && source.text.contains(comments_with) {
            output.comments = hcl::comments(&source.text);
        }
        let parsed = match kind {
            TerraformFile::Config | TerraformFile::Vars => hcl::parse_body(&source.text),
            TerraformFile::ConfigJson => hcl_json::parse_json_body(&source.text),
            TerraformFile::VarsJson => hcl_json::parse_json_vars(&source.text),
        };
        match parsed {
            Ok(body) if !kind.is_vars() => config.push((source.clone(), body)),
            Ok(body) if loaded_automatically(&source.display_path) => {
                tfvars.push((source.clone(), body))
            }
            Ok(_) => {}
            Err(problem) => output.problem = Some(problem),
        }
        outputs.push(output);
    }
    if config.is_empty() {
        return outputs;
    }
    let module = Module::new(
        config,
        tfvars,
        std::collections::HashMap::new(),
        ".".to_string(),
        loader,
    );
    // The roles of its resources, the trust documents no role of it uses, then the roles its
    // module calls create.
    let found = roles::iam_roles(&module)
        .into_iter()
        .chain(roles::unreferenced_trust_documents(&module))
        .chain(modules::module_policies(&module));
    for found in found {
        if let Some(i) = file_of(sources, &found.block_source) {
            outputs[i].extracted.policies.push(found.policy);
        }
    }
    for found in kubernetes::kubernetes_objects(&module) {
        if let Some(i) = file_of(sources, &found.block_source) {
            kubernetes::append(&mut outputs[i].extracted.k8s, found.objects);
        }
    }
    // Each Pod Identity object to the file of its block (its source).
    let found = pod_identity::pod_identity_objects(&module);
    for a in found.associations {
        if let Some(i) = file_of(sources, &a.source) {
            outputs[i].extracted.pod_identity.associations.push(a);
        }
    }
    for p in found.fargate_profiles {
        if let Some(i) = file_of(sources, &p.source) {
            outputs[i].extracted.pod_identity.fargate_profiles.push(p);
        }
    }
    for l in found.addon_lists {
        if let Some(i) = file_of(sources, &l.source) {
            outputs[i].extracted.pod_identity.addon_lists.push(l);
        }
    }
    outputs
}

/// The index of `source` among `sources`.
fn file_of(sources: &[(SourceRef, TerraformFile)], source: &SourceRef) -> Option<usize> {
    sources
        .iter()
        .position(|(s, _)| std::sync::Arc::ptr_eq(s, source))
}

/// `terraform.tfvars`, `*.auto.tfvars` and their `.json` forms: the variable files Terraform reads
/// without being told.
fn loaded_automatically(display_path: &str) -> bool {
    let name = display_path.rsplit('/').next().unwrap_or(display_path);
    let name = name.strip_suffix(".json").unwrap_or(name);
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

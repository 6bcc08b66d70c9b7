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
    let comments = match kind {
        FileKind::Yaml if source.text.contains(comments_with) => parse::yaml_comments(&source.text),
        // JSON has no comments: a `#` in it is inside a string.
        FileKind::Yaml | FileKind::Json => Vec::new(),
    };
    if kind == FileKind::Yaml
        && let Some(pieces) = parse::yaml_pieces(&source.text, SPLIT_ABOVE, PIECE_SIZE)
        && let Some(extracted) = read_pieces(source, pieces, limits, vars)
    {
        return FrontendOutput {
            extracted,
            problem: None,
            comments,
        };
    }
    let mut parsed = parse::parse(&source.text, kind, limits);
    for root in parsed.documents.iter_mut().filter_map(|d| d.root.as_mut()) {
        holes::substitute(root, vars);
    }
    FrontendOutput {
        extracted: extract::extract(source, &parsed),
        problem: parsed.problem,
        comments,
    }
}

/// A YAML stream at least this long is cut into pieces of about [`PIECE_SIZE`] bytes at document
/// starts ([`parse::yaml_pieces`]), each parsed and extracted on its own: in parallel on the
/// worker pool, and with only a few pieces' trees alive at a time.
const SPLIT_ABOVE: usize = 1 << 20;
const PIECE_SIZE: usize = 256 << 10;

/// Parse and extract a YAML stream piece by piece (on the rayon pool when called from one, else
/// on this thread), the pieces' objects in order: what [`extract::extract`] gives for the whole
/// stream. None when a piece has a problem or the pieces' nodes are over the limit: then the
/// whole stream is read as one, which reports the problem where it is (and whose documents before
/// it are the same).
fn read_pieces(
    source: &SourceRef,
    pieces: Vec<std::ops::Range<usize>>,
    limits: Limits,
    vars: &Vars,
) -> Option<Extracted> {
    use rayon::prelude::*;
    let read_piece = |piece: std::ops::Range<usize>| {
        let (mut parsed, nodes) = parse::parse_yaml_piece(&source.text, piece, limits);
        if parsed.problem.is_some() {
            return None;
        }
        for root in parsed.documents.iter_mut().filter_map(|d| d.root.as_mut()) {
            holes::substitute(root, vars);
        }
        let mut out = Extracted::default();
        let seen = extract::extract_documents(source, &parsed.documents, &mut out);
        Some((out, seen, nodes))
    };
    // Outside a pool (`--jobs 1`) rayon would start its global one: stay on this thread.
    let read: Vec<_> = if rayon::current_thread_index().is_some() {
        pieces.into_par_iter().map(read_piece).collect()
    } else {
        pieces.into_iter().map(read_piece).collect()
    };
    let mut extracted = Extracted::default();
    let mut seen = extract::DocumentsSeen::default();
    let mut nodes = 0usize;
    for piece in read {
        let (out, piece_seen, piece_nodes) = piece?;
        extracted.append(out);
        seen.merge(piece_seen);
        nodes += piece_nodes;
    }
    if nodes > limits.max_nodes {
        return None;
    }
    extracted.class = Some(seen.classify(source, false, &extracted));
    Some(extracted)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;
    use std::sync::Arc;

    /// What reading `text` piece by piece (pieces of about `size` bytes) gives, beside what
    /// extracting the whole stream gives, as `Debug` text.
    fn both(text: &str, size: usize) -> (Option<String>, String) {
        let source = Arc::new(SourceFile::new("all.yaml", None, text.to_string()));
        let pieces = parse::yaml_pieces(text, 0, size).expect("the stream is cut");
        let pieces = read_pieces(&source, pieces, Limits::default(), &Vars::default())
            .map(|e| format!("{e:?}"));
        let parsed = parse::parse(text, FileKind::Yaml, Limits::default());
        (pieces, format!("{:?}", extract::extract(&source, &parsed)))
    }

    const SA: &str = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: a\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/api\n";

    #[test]
    fn pieces_give_what_the_whole_stream_gives() {
        let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: a}\nspec:\n  template:\n    metadata: &meta\n      labels: {app: web}\n    spec:\n      serviceAccountName: api\n      containers: [{name: web, image: web}]\n";
        let trust = "Version: '2012-10-17'\nStatement:\n  - Effect: Allow\n    Principal: {Federated: arn:aws:iam::483920175566:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X}\n    Action: sts:AssumeRoleWithWebIdentity\n    Condition: {StringLike: {'oidc.eks.eu-west-1.amazonaws.com/id/X:sub': 'system:serviceaccount:a:*'}}\n";
        let values = "serviceAccount:\n  annotations:\n    eks.amazonaws.com/role-arn: arn:aws:iam::483920175566:role/v\n";
        let docs = [
            SA,
            deployment,
            "",
            trust,
            "--- |\n  a block scalar\n",
            values,
            "# only a comment\n",
        ];
        let mut text = String::from("# a leading comment\n");
        for (i, doc) in docs.iter().cycle().take(60).enumerate() {
            if !doc.starts_with("---") {
                text.push_str(if i % 3 == 0 { "--- \n" } else { "---\n" });
            }
            text.push_str(doc);
            if i % 5 == 0 {
                text.push_str("...\n");
            }
        }
        for size in [1, 100, 1000] {
            let (pieces, whole) = both(&text, size);
            assert_eq!(pieces.as_deref(), Some(whole.as_str()), "pieces of {size}");
        }
    }

    #[test]
    fn a_problem_in_a_piece_sends_the_stream_to_the_whole_parse() {
        for bad in [
            "a: \"open quote\n---\nb: c\n",
            "a: [1,\n---\n]\n",
            "a: b\n c: d: e\n",
        ] {
            let text = format!("---\n{SA}---\n{bad}---\n{SA}");
            let (pieces, _) = both(&text, 1);
            assert_eq!(pieces, None, "{bad:?}");
        }
    }

    #[test]
    fn directives_keep_a_stream_whole() {
        assert_eq!(
            parse::yaml_pieces("%YAML 1.2\n---\na: 1\n---\nb: 2\n", 0, 1),
            None
        );
        assert_eq!(
            parse::yaml_pieces("a: 1\n---\n%TAG ! x\n---\nb: 2\n", 0, 1),
            None
        );
        assert_eq!(
            parse::yaml_pieces("a: 1\n---\nb: 2\n----\nc: 3\n---x\n--- d\n", 0, 1),
            Some(vec![0..5, 5..29, 29..35])
        );
    }
}

//! `docs/rules/` is generated from `rules/`: this test fails when a page is stale. Regenerate with
//! `IRSA_LINT_UPDATE_DOCS=1 cargo test --test docs`.

use std::path::Path;

use irsa_lint::registry::RULES;
use irsa_lint::report::rules_doc;

#[test]
fn generated_rule_pages_are_current() {
    let update = std::env::var_os("IRSA_LINT_UPDATE_DOCS").is_some();
    let dir = Path::new("docs/rules");
    let mut wanted = vec![("README.md".to_string(), rules_doc::index_markdown())];
    wanted.extend(
        RULES
            .iter()
            .map(|r| (rules_doc::page_name(r), rules_doc::page(r))),
    );
    let mut stale = Vec::new();
    if update {
        std::fs::create_dir_all(dir).unwrap();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            std::fs::remove_file(path).unwrap();
        }
    }
    for (name, text) in &wanted {
        let path = dir.join(name);
        if update {
            std::fs::write(&path, text).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name.clone());
        }
    }
    let present = std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0);
    assert!(
        stale.is_empty() && present == wanted.len(),
        "docs/rules is stale ({stale:?}, {present} files for {} pages): run IRSA_LINT_UPDATE_DOCS=1 cargo test --test docs",
        wanted.len()
    );
}

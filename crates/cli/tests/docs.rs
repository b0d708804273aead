//! The repository stands on its own (issue 15): every relative link of its Markdown guides
//! resolves to a file in the repository, and no tracked text refers to folders beside it.

use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The targets of the Markdown links `[text](target)` of `text`, without their `#anchor`.
fn links(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("](") {
        rest = &rest[i + 2..];
        if let Some(end) = rest.find(')') {
            let target = rest[..end].split('#').next().unwrap_or("").trim();
            if !target.is_empty() {
                out.push(target.to_string());
            }
            rest = &rest[end..];
        }
    }
    out
}

fn check_links(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let base = file.parent().expect("a folder");
    let root = workspace().canonicalize().expect("workspace");
    let mut problems = Vec::new();
    for target in links(&text) {
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let resolved = base.join(&target);
        match resolved.canonicalize() {
            Ok(path) if path.starts_with(&root) => {}
            Ok(path) => problems.push(format!(
                "{}: {target} points outside the repository ({})",
                file.display(),
                path.display()
            )),
            Err(_) => problems.push(format!("{}: {target} does not exist", file.display())),
        }
    }
    problems
}

#[test]
fn every_relative_link_of_the_guides_resolves_inside_the_repository() {
    let root = workspace();
    let mut files = vec![
        root.join("README.md"),
        root.join("ARCHITECTURE.md"),
        root.join("fixtures/real-forms/README.md"),
        root.join("e2e/README.md"),
    ];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let problems: Vec<String> = files.iter().flat_map(|f| check_links(f)).collect();
    assert!(
        problems.is_empty(),
        "broken links:\n{}",
        problems.join("\n")
    );
    assert!(
        links(&std::fs::read_to_string(root.join("README.md")).expect("README"))
            .iter()
            .any(|l| l == "docs/rules.md"),
        "the README links the rules reference"
    );
}

#[test]
fn the_link_reader_finds_links() {
    assert_eq!(
        links("see [a](docs/rules.md#s8-3) and [b](https://x.org) and [c](../x)"),
        vec!["docs/rules.md", "https://x.org", "../x"]
    );
}

#[test]
fn the_rules_reference_covers_every_section_the_code_cites() {
    let rules = std::fs::read_to_string(workspace().join("docs/rules.md")).expect("docs/rules.md");
    let headings: Vec<&str> = rules.lines().filter(|l| l.starts_with('#')).collect();
    for section in [
        "§1", "§2", "§3", "§4", "§5", "§6", "§6.1", "§6.2", "§6.3", "§7", "§8", "§8.1", "§8.2",
        "§8.3", "§8.4", "§8.5", "§8.6", "§9", "§10", "§11", "§12", "§13", "§14", "§15", "§16",
        "§17",
    ] {
        assert!(
            headings
                .iter()
                .any(|h| h.split_whitespace().any(|w| w == section)),
            "docs/rules.md has no heading for {section}"
        );
    }
}

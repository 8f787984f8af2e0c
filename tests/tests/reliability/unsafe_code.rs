//! `#![forbid(unsafe_code)]` at the root of every crate, checked in the sources themselves
//! (the workspace lint forbids it too, but a crate can leave the workspace lints).

use std::path::{Path, PathBuf};

use binancepay_integration_tests::{BoxError, TestResult};

/// Whether a crate root carries `#![forbid(unsafe_code)]` as an inner attribute of its own
/// (not in a comment, not behind `cfg_attr`).
fn forbids_unsafe(source: &str) -> bool {
    source.lines().map(str::trim).any(|line| {
        line.strip_prefix("#![forbid(")
            .and_then(|rest| rest.strip_suffix(")]"))
            .is_some_and(|lints| lints.split(',').any(|lint| lint.trim() == "unsafe_code"))
    })
}

fn workspace_root() -> PathBuf {
    // This package lives in `<root>/tests`.
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from(".."), Path::to_path_buf)
}

/// Every `crates/*/src/lib.rs` and `crates/*/src/main.rs`, plus this package's own root.
fn crate_roots() -> Result<Vec<PathBuf>, BoxError> {
    let root = workspace_root();
    let mut roots = Vec::new();
    for entry in std::fs::read_dir(root.join("crates"))? {
        let src = entry?.path().join("src");
        for file in ["lib.rs", "main.rs"] {
            let path = src.join(file);
            if path.is_file() {
                roots.push(path);
            }
        }
    }
    roots.push(root.join("tests/src/lib.rs"));
    roots.sort();
    Ok(roots)
}

#[test]
fn every_crate_root_forbids_unsafe_code() -> TestResult {
    let roots = crate_roots()?;
    // Six library crates and the CLI at the time of writing; fewer means the scan is broken.
    assert!(
        roots.len() >= 7,
        "only {} crate roots found: {roots:?}",
        roots.len()
    );
    let missing: Vec<String> = roots
        .iter()
        .filter_map(|path| match std::fs::read_to_string(path) {
            Ok(source) if forbids_unsafe(&source) => None,
            Ok(_) => Some(format!("{} lacks #![forbid(unsafe_code)]", path.display())),
            Err(e) => Some(format!("{}: {e}", path.display())),
        })
        .collect();
    assert!(missing.is_empty(), "{missing:#?}");
    Ok(())
}

#[test]
fn the_scan_recognises_the_attribute_and_nothing_else() {
    assert!(forbids_unsafe("//! Docs.\n#![forbid(unsafe_code)]\n"));
    assert!(forbids_unsafe("  #![forbid(missing_docs, unsafe_code)]"));
    assert!(!forbids_unsafe("// #![forbid(unsafe_code)]"));
    assert!(!forbids_unsafe("#![deny(unsafe_code)]"));
    assert!(!forbids_unsafe(
        "#![cfg_attr(feature = \"x\", forbid(unsafe_code))]"
    ));
    assert!(!forbids_unsafe("#![forbid(unsafe_op_in_unsafe_fn)]"));
    assert!(!forbids_unsafe(""));
}

//! `cargo xtask codegen`: turns `spec/` into Rust models in `crates/binancepay-types/src/generated/`.
//!
//! Generation is a pure function ([`generate`]) from the spec to file texts; formatting, writing and
//! the staleness check are separate steps so the pure part can be tested for determinism.

mod emit;
mod enums;
mod json;
mod models;
mod spellings;
mod tables;
mod tests_file;
mod webhooks;

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::spec::Spec;

/// Where the generated models live, relative to the workspace root.
pub(crate) const GENERATED_DIR: &str = "crates/binancepay-types/src/generated";
/// The generated round-trip tests, relative to the workspace root.
pub(crate) const GENERATED_TESTS: &str = "crates/binancepay-types/tests/it/model_round_trips.rs";

/// Whether `codegen` rewrites stale files or only reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Write,
    Check,
}

/// Every generated file as (path relative to the workspace root, unformatted text).
pub(crate) fn generate(spec: &Spec) -> Vec<(PathBuf, String)> {
    let ctx = emit::Context::new(spec);
    let dir = Path::new(GENERATED_DIR);
    let mut files = vec![
        (dir.join("mod.rs"), tables::module_index(&ctx)),
        (dir.join("enums.rs"), enums::enums_file(&ctx)),
        (dir.join("result_code.rs"), enums::result_code_file(&ctx)),
        (dir.join("endpoints.rs"), tables::endpoints_file(&ctx)),
        (dir.join("json.rs"), json::json_file(&ctx)),
    ];
    for area in &spec.areas {
        files.push((
            dir.join(format!("{}.rs", area.area)),
            models::area_file(&ctx, area),
        ));
    }
    files.push((dir.join("webhooks.rs"), webhooks::webhooks_file(&ctx)));
    files.push((PathBuf::from(GENERATED_TESTS), tests_file::tests_file(&ctx)));
    files.push((
        PathBuf::from(spellings::GENERATED_SPELLINGS),
        spellings::spellings_file(&ctx),
    ));
    files
}

/// Runs `rustfmt --edition 2024` on one file's text (stdin to stdout).
pub(crate) fn rustfmt(text: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("rustfmt: no stdin")?;
        stdin
            .write_all(text.as_bytes())
            .map_err(|e| format!("rustfmt stdin: {e}"))?;
    }
    let output = child
        .wait_with_output()
        .map_err(|e| format!("rustfmt: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    String::from_utf8(output.stdout).map_err(|e| format!("rustfmt output: {e}"))
}

/// Generates and formats every file.
pub(crate) fn generate_formatted(spec: &Spec) -> Result<Vec<(PathBuf, String)>, String> {
    generate(spec)
        .into_iter()
        .map(|(path, text)| {
            rustfmt(&text)
                .map(|t| (path.clone(), t))
                .map_err(|e| format!("{}: {e}", path.display()))
        })
        .collect()
}

/// Compares the generated files with the tree at `root`; in [`Mode::Write`] rewrites what differs.
///
/// Returns the list of stale paths (empty when everything is fresh).
pub(crate) fn run(root: &Path, mode: Mode) -> Result<Vec<String>, String> {
    let spec = Spec::load(root)?;
    let files = generate_formatted(&spec)?;
    let mut stale = Vec::new();
    for (rel, text) in &files {
        let path = root.join(rel);
        let current = fs::read_to_string(&path).ok();
        if current.as_deref() != Some(text.as_str()) {
            stale.push(format!(
                "{} ({})",
                rel.display(),
                if current.is_some() {
                    "stale"
                } else {
                    "missing"
                }
            ));
            if mode == Mode::Write {
                if let Some(parent) = path.parent() {
                    fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
                }
                fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    // A file in generated/ that the spec no longer produces is stale too.
    let dir = root.join(GENERATED_DIR);
    if let Ok(entries) = fs::read_dir(&dir) {
        let mut extra: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        extra.sort();
        for path in extra {
            let rel = path
                .strip_prefix(root)
                .map(Path::to_path_buf)
                .unwrap_or_else(|_| path.clone());
            if !files.iter().any(|(p, _)| *p == rel) {
                stale.push(format!("{} (not generated by the spec)", rel.display()));
                if mode == Mode::Write {
                    fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                }
            }
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
    }

    /// Like rust-analyzer's codegen tests: locally it rewrites the files and fails once; on CI it
    /// only fails.
    #[test]
    fn generated_files_are_fresh() {
        let mode = if std::env::var_os("CI").is_some() {
            Mode::Check
        } else {
            Mode::Write
        };
        let stale = match run(&root(), mode) {
            Ok(stale) => stale,
            Err(e) => panic!("codegen failed: {e}"),
        };
        assert!(
            stale.is_empty(),
            "generated files were out of date{}; run `cargo xtask codegen` and commit the result:\n{}",
            if mode == Mode::Write {
                " (rewritten now)"
            } else {
                ""
            },
            stale.join("\n")
        );
    }

    /// Check mode on a copy of the spec: missing, stale and extra files are all reported.
    #[test]
    fn check_mode_reports_missing_stale_and_extra_files() {
        let tmp = std::env::temp_dir().join(format!("xtask-codegen-{}", std::process::id()));
        let _ = fs::remove_dir_all(&tmp);
        copy_dir(&root().join("spec"), &tmp.join("spec"));
        let missing = run(&tmp, Mode::Check).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            !missing.is_empty() && missing.iter().all(|s| s.ends_with("(missing)")),
            "{missing:?}"
        );
        assert!(
            !tmp.join(GENERATED_DIR).exists(),
            "check mode must not write"
        );
        let written = run(&tmp, Mode::Write).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(written.len(), missing.len());
        assert_eq!(
            run(&tmp, Mode::Check).unwrap_or_else(|e| panic!("{e}")),
            Vec::<String>::new()
        );
        let enums = tmp.join(GENERATED_DIR).join("enums.rs");
        fs::write(&enums, "// edited by hand\n").unwrap_or_else(|e| panic!("{e}"));
        fs::write(tmp.join(GENERATED_DIR).join("extra.rs"), "").unwrap_or_else(|e| panic!("{e}"));
        let stale = run(&tmp, Mode::Check).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            stale,
            [
                format!("{GENERATED_DIR}/enums.rs (stale)"),
                format!("{GENERATED_DIR}/extra.rs (not generated by the spec)")
            ]
        );
        let _ = fs::remove_dir_all(&tmp);
    }

    fn copy_dir(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap_or_else(|e| panic!("{e}"));
        for entry in fs::read_dir(from)
            .unwrap_or_else(|e| panic!("{e}"))
            .flatten()
        {
            let target = to.join(entry.file_name());
            if entry.path().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                fs::copy(entry.path(), &target).unwrap_or_else(|e| panic!("{e}"));
            }
        }
    }

    #[test]
    fn generation_is_deterministic() {
        let spec = match Spec::load(&root()) {
            Ok(spec) => spec,
            Err(e) => panic!("spec: {e}"),
        };
        let first = generate(&spec);
        let second = generate(&Spec::load(&root()).unwrap_or_else(|e| panic!("spec: {e}")));
        assert_eq!(first, second);
    }

    #[test]
    fn every_file_carries_the_generated_header() {
        let spec = Spec::load(&root()).unwrap_or_else(|e| panic!("spec: {e}"));
        for (path, text) in generate(&spec) {
            assert!(
                text.starts_with("// @generated by `cargo xtask codegen` from spec/"),
                "{} lacks the header",
                path.display()
            );
            assert!(
                text.lines()
                    .next()
                    .is_some_and(|l| l.ends_with("; do not edit.")),
                "{}",
                path.display()
            );
        }
    }
}

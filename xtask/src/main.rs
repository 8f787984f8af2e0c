//! Project automation. `cargo xtask codegen [--check]` generates the models of `binancepay-types`
//! from the API spec in `spec/`.
#![forbid(unsafe_code)]

mod codegen;
mod js;
mod openapi;
mod spec;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask codegen [--check]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => codegen::Mode::Write,
        ["codegen", "--check"] => codegen::Mode::Check,
        ["js", rest @ ..] => return js::run(rest),
        ["openapi", rest @ ..] => return openapi::main(rest),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    // xtask lives one level below the workspace root.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    match codegen::run(&root, mode) {
        Ok(stale) if stale.is_empty() => ExitCode::SUCCESS,
        Ok(stale) => {
            for path in &stale {
                eprintln!("  {path}");
            }
            if mode == codegen::Mode::Check {
                eprintln!(
                    "generated files are out of date: run `cargo xtask codegen` and commit the result"
                );
                ExitCode::FAILURE
            } else {
                eprintln!("codegen: wrote {} file(s)", stale.len());
                ExitCode::SUCCESS
            }
        }
        Err(e) => {
            eprintln!("codegen failed: {e}");
            ExitCode::FAILURE
        }
    }
}

//! Argument errors in one line: clap's message without its usage block, and a pointer to
//! `--help`. `--help` and `--version` themselves print as clap renders them.

use std::process::ExitCode;

use clap::error::ErrorKind;

use crate::error::EXIT_USAGE;
use crate::streams::{print_error_line, print_line};

/// Prints what clap has to say and returns the exit code: 0 for help and version, else 2.
///
/// [`crate::args::parse`] turns clap's "help instead of an error" off, so a missing
/// subcommand is an error line like any other.
pub(crate) fn report(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            match print_line(error.render().to_string().trim_end()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(EXIT_USAGE),
            }
        }
        _ => {
            print_error_line(&one_line(&error.render().to_string()));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The first paragraph of clap's message joined into one line, with clap's `--help` hint.
///
/// clap writes `error: the following required arguments were not provided:` and the
/// arguments on the lines below, then `Usage: …` and `For more information, try '--help'.`.
pub(crate) fn one_line(rendered: &str) -> String {
    let mut paragraphs = rendered.split("\n\n");
    let first = paragraphs.next().unwrap_or_default();
    let mut line = first
        .lines()
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if line.is_empty() {
        line.push_str("error: invalid arguments");
    }
    if !line.starts_with("error:") {
        line.insert_str(0, "error: ");
    }
    if let Some(hint) = rendered
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("For more information"))
    {
        line.push_str(" (");
        line.push_str(hint.trim_end_matches('.'));
        line.push(')');
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;
    use proptest::prelude::*;

    use crate::args::Cli;

    fn rendered(args: &[&str]) -> String {
        match Cli::try_parse_from(args) {
            Ok(cli) => panic!("parsed: {cli:?}"),
            Err(error) => error.render().to_string(),
        }
    }

    #[test]
    fn missing_arguments_fit_on_one_line() {
        let text = rendered(&["binancepay", "refund", "query"]);
        let line = one_line(&text);
        assert!(
            line.starts_with(
                "error: the following required arguments were not provided: --request-id <ID>"
            ),
            "{line}"
        );
        assert!(
            line.ends_with("(For more information, try '--help')"),
            "{line}"
        );
        assert!(!line.contains('\n'));
    }

    #[test]
    fn bad_values_name_the_flag_and_the_rule() {
        let text = rendered(&[
            "binancepay",
            "refund",
            "create",
            "--request-id",
            "r",
            "--prepay-id",
            "1",
            "--amount",
            "1e5",
        ]);
        let line = one_line(&text);
        assert!(line.contains("'--amount <AMOUNT>'"), "{line}");
        assert!(line.contains("exponent notation is not allowed"), "{line}");
    }

    proptest! {
        #[test]
        fn any_message_becomes_one_error_line(text in "\\PC{0,40}(\n{1,2}\\PC{0,40}){0,4}") {
            let line = one_line(&text);
            prop_assert!(!line.contains('\n'));
            prop_assert!(line.starts_with("error: "));
        }
    }
}

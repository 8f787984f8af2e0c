//! Every subcommand with missing or malformed arguments: exit 2 and one line naming the
//! problem (cases in `tests/data/usage-errors.toml`), and `--help` that exits 0.

use crate::cli::{data, one_error_line, run, stdout};

#[derive(Debug, serde::Deserialize)]
struct Cases {
    case: Vec<Case>,
}

#[derive(Debug, serde::Deserialize)]
struct Case {
    args: Vec<String>,
    expect: String,
}

#[test]
fn malformed_command_lines_exit_2_with_one_line() {
    let text = std::fs::read_to_string(data("usage-errors.toml")).expect("cases");
    let cases: Cases = toml::from_str(&text).expect("cases parse");
    assert!(cases.case.len() >= 30);
    for case in &cases.case {
        let args: Vec<&str> = case.args.iter().map(String::as_str).collect();
        let line = one_error_line(&run(&args, &[], None), 2);
        assert!(
            line.contains(&case.expect),
            "{args:?}: {line:?} should contain {:?}",
            case.expect
        );
    }
}

#[test]
fn help_reads_well_and_exits_0() {
    for args in [
        vec!["--help"],
        vec!["order", "create", "--help"],
        vec!["payout", "create", "--help"],
        vec!["request", "--help"],
        vec!["sandbox", "--help"],
    ] {
        let output = run(&args, &[], None);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        let help = stdout(&output);
        assert!(help.contains("Usage: binancepay"), "{help}");
    }
    let top = stdout(&run(&["--help"], &[], None));
    for command in [
        "sandbox",
        "request",
        "order",
        "refund",
        "payout",
        "balance",
        "certificates",
        "demo",
        "sign",
        "webhook",
    ] {
        assert!(
            top.contains(&format!("\n  {command} ")),
            "{command} missing from:\n{top}"
        );
    }
    let payout = stdout(&run(&["payout", "create", "--help"], &[], None));
    assert!(payout.contains("TYPE:VALUE:AMOUNT"), "{payout}");
}

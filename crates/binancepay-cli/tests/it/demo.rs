//! `binancepay demo`: the README's first command walks the whole checkout and exits 0.

use crate::cli::{run, stderr, stdout};

#[test]
fn demo_walks_every_step_and_exits_0() {
    let output = run(&["demo"], &[], None);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert_eq!(stderr(&output), "");
    let lines: Vec<&str> = text.lines().collect();
    // One line per step, in order, each saying what happened.
    let expected = [
        ("sandbox ", "started at http://127.0.0.1:"),
        ("webhooks ", "receiver listening at http://127.0.0.1:"),
        ("1/6 order ", "for 25.17 USDT"),
        ("2/6 payment ", "paid"),
        (
            "3/6 webhook ",
            "PAY_SUCCESS arrived and its signature verified",
        ),
        ("4/6 query ", "PAID: 25.17 USDT"),
        ("5/6 refund ", "refunded 10.00 of 25.17 USDT"),
        (
            "6/6 webhook ",
            "REFUND_SUCCESS arrived and its signature verified",
        ),
        ("done ", "2 webhooks delivered, 0 undelivered"),
    ];
    let steps: Vec<&&str> = lines.iter().skip(1).collect();
    assert_eq!(steps.len(), expected.len(), "{text}");
    for (line, (start, content)) in steps.iter().zip(expected) {
        assert!(
            line.starts_with(start),
            "{line:?} should start with {start:?}"
        );
        assert!(line.contains(content), "{line:?} should say {content:?}");
    }
    assert!(text.contains("15.17 left"), "{text}");
    // The dashboard's address, for looking at what happened.
    assert!(
        lines[1].contains("dashboard at http://127.0.0.1:") && lines[1].ends_with("/sandbox/"),
        "{text}"
    );
}

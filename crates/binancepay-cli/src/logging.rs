//! `RUST_LOG`: diagnostics of the libraries on stderr, off unless asked for.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

use crate::streams::print_error_line;

/// Installs a subscriber writing to stderr when `RUST_LOG` is set and not empty. A value that
/// does not parse is reported in one warning line and ignored: logging never changes what the
/// command does or its exit code.
pub(crate) fn init() {
    let Some(spec) = std::env::var("RUST_LOG")
        .ok()
        .filter(|s| !s.trim().is_empty())
    else {
        return;
    };
    match parse(&spec) {
        Ok(targets) => {
            let subscriber = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_max_level(tracing::Level::TRACE)
                .finish()
                .with(targets);
            if subscriber.try_init().is_err() {
                print_error_line("warning: RUST_LOG: a logger is already installed");
            }
        }
        Err(reason) => print_error_line(&format!("warning: RUST_LOG ignored: {reason}")),
    }
}

/// `RUST_LOG` as directives: `level`, `target=level`, comma-separated.
fn parse(spec: &str) -> Result<Targets, String> {
    spec.trim()
        .parse::<Targets>()
        .map_err(|e| format!("{e} (expected e.g. `info` or `binancepay_client=debug`)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;

    #[test]
    fn directives_select_targets_and_levels() {
        let targets = parse("warn,binancepay_client=debug").unwrap_or_default();
        assert!(targets.would_enable("binancepay_client::client", &Level::DEBUG));
        assert!(!targets.would_enable("binancepay_client::client", &Level::TRACE));
        assert!(!targets.would_enable("hyper", &Level::INFO));
        assert!(targets.would_enable("hyper", &Level::WARN));
        assert!(parse("binancepay=loud").is_err());
    }
}

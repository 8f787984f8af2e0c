//! `binancepay sandbox --listen ADDR`: a local Binance Pay imitation until Ctrl-C or SIGTERM.
//!
//! Standard output is for programs: the generated credentials (only when none were given) as
//! `NAME=value` lines, then `listening on http://ADDR`. Notes for people go to standard error.

use std::process::ExitCode;
use std::time::Duration;

use binancepay_client::{ENV_API_KEY, ENV_API_SECRET, ENV_BASE_URL};
use binancepay_sandbox::{DEFAULT_KEY_BITS, Sandbox};

use crate::args::SandboxArgs;
use crate::config;
use crate::error::CliError;
use crate::streams::{print_error_line, print_line};

pub(crate) fn run(args: &SandboxArgs) -> Result<ExitCode, CliError> {
    crate::runtime::block_on(serve(args))?
}

async fn serve(args: &SandboxArgs) -> Result<ExitCode, CliError> {
    if !args.listen.ip().is_loopback() && !args.allow_remote {
        return Err(CliError::Usage(format!(
            "--listen {}: not a loopback address; the sandbox's control API needs no credentials, so it listens on 127.0.0.1 or [::1] unless --allow-remote is given",
            args.listen
        )));
    }
    let credentials = config::sandbox_credentials()?;
    // Listening for the signals before the ready line: a SIGTERM sent as soon as the line is
    // read must stop the sandbox gracefully, not kill the process.
    let mut stop = StopSignal::install()?;

    let mut builder = Sandbox::builder()
        .listen(args.listen)
        .allow_remote(args.allow_remote);
    if args.allow_remote {
        print_error_line(&format!(
            "sandbox: warning: --allow-remote: listening on {} and answering control requests addressed to any IP; anyone who can reach it can pay orders, set balances and make it POST to any URL",
            args.listen
        ));
    }
    let generated = credentials.is_none();
    if !generated {
        print_error_line(&format!(
            "sandbox: warning: using {ENV_API_KEY} and {ENV_API_SECRET} from the environment: it will accept requests signed with them (never use production credentials here)"
        ));
    }
    if let Some((key, secret)) = credentials {
        builder = builder.api_key(key).api_secret(secret);
    }
    if let Some(url) = &args.webhook_url {
        builder = builder.webhook_url(url);
    }
    if let Some(ms) = args.window_ms {
        builder = builder.time_window(Duration::from_millis(ms));
    }
    if args.manual_refunds {
        builder = builder.manual_refunds(true);
    }
    if args.share_payer_detail {
        builder = builder.share_payer_detail(true);
    }
    match (&args.key_file, args.key_bits) {
        (Some(path), _) => builder = builder.webhook_key_file(path),
        (None, bits) => {
            let bits = bits.unwrap_or(DEFAULT_KEY_BITS);
            builder = builder.webhook_key_bits(bits);
            print_error_line(&format!(
                "sandbox: generating a {bits}-bit webhook signing key (--key-file PEM skips this)"
            ));
        }
    }
    let sandbox = builder.start().await.map_err(CliError::Sandbox)?;

    if generated {
        // Shown once, as Binance shows a new secret once; values are [a-z0-9], so eval-safe.
        print_line(&format!("{ENV_API_KEY}={}", sandbox.api_key()))?;
        print_line(&format!("{ENV_API_SECRET}={}", sandbox.api_secret()))?;
    }
    print_line(&format!("listening on {}", sandbox.base_url()))?;
    print_error_line(&format!(
        "sandbox: point clients at it with {ENV_BASE_URL}={}; control API under /sandbox/ (POST with Content-Type: application/json); Ctrl-C stops it",
        sandbox.base_url()
    ));

    stop.wait().await;
    let report = sandbox.shutdown().await;
    print_error_line(&format!(
        "sandbox: stopped; {} webhooks delivered, {} undelivered",
        report.delivered(),
        report.pending_webhooks.len()
    ));
    Ok(ExitCode::SUCCESS)
}

/// Ctrl-C, and SIGTERM on Unix, registered when created.
struct StopSignal {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl StopSignal {
    fn install() -> Result<Self, CliError> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            let register = |kind| {
                signal(kind).map_err(|source| CliError::Io {
                    what: "cannot listen for Ctrl-C and SIGTERM",
                    source,
                })
            };
            Ok(Self {
                interrupt: register(SignalKind::interrupt())?,
                terminate: register(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.interrupt.recv() => {}
                _ = self.terminate.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

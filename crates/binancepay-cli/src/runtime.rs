//! The async runtime behind the network commands: one thread is plenty for one call, one
//! sandbox or the demo, and keeps the CLI light on shared machines.

use std::future::Future;

use crate::error::CliError;

/// Runs `future` to completion on a fresh single-threaded runtime.
pub(crate) fn block_on<F: Future>(future: F) -> Result<F::Output, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| CliError::Io {
            what: "cannot start the async runtime",
            source,
        })?;
    Ok(runtime.block_on(future))
}

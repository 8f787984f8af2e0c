//! Standard streams and files: bodies and keys read byte for byte, lines written without panics.

use std::io::{Read as _, Write as _};
use std::path::Path;

use crate::error::CliError;

/// Reads the whole file, or standard input for `-`, without trimming anything.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, CliError> {
    let result = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map(|_| bytes)
    } else {
        std::fs::read(path)
    };
    result.map_err(|source| CliError::Read {
        path: path.to_path_buf(),
        source,
    })
}

pub(crate) fn read_text(path: &Path) -> Result<String, CliError> {
    let bytes = read_bytes(path)?;
    String::from_utf8(bytes).map_err(|_| CliError::Read {
        path: path.to_path_buf(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, "not UTF-8 text"),
    })
}

/// Writes one line to standard output; `println!` would panic on a closed pipe.
pub(crate) fn print_line(line: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")
        .and_then(|()| stdout.flush())
        .map_err(CliError::Write)
}

/// Writes one line to standard error; nothing sensible is left to do if that fails.
pub(crate) fn print_error_line(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

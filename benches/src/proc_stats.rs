//! CPU time and resident memory of a process, read from Linux's `/proc`, so the cost of a
//! server can be measured from outside it while a load runs.

use std::time::Duration;

/// One reading of a process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessSample {
    /// User plus system CPU time so far.
    pub cpu: Duration,
    /// Resident set size in KiB (`VmRSS`).
    pub rss_kib: u64,
}

/// Clock ticks per second of `/proc/PID/stat` (`USER_HZ`, 100 on every Linux ABI in use).
const TICKS_PER_SECOND: u64 = 100;

/// Reads `/proc/PID/stat` and `/proc/PID/status`; `pid` 0 means this process.
///
/// # Errors
/// The process does not exist, or the files do not look like Linux's.
pub fn sample(pid: u32) -> std::io::Result<ProcessSample> {
    let dir = if pid == 0 {
        "/proc/self".to_owned()
    } else {
        format!("/proc/{pid}")
    };
    let stat = std::fs::read_to_string(format!("{dir}/stat"))?;
    let status = std::fs::read_to_string(format!("{dir}/status"))?;
    parse(&stat, &status).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("{dir}/stat or status: unexpected format"),
        )
    })
}

fn parse(stat: &str, status: &str) -> Option<ProcessSample> {
    // The command name may hold spaces and parentheses: fields start after the last `)`.
    let after = stat.get(stat.rfind(')')? + 1..)?;
    let fields: Vec<&str> = after.split_whitespace().collect();
    // After the name: state is field 3 of the man page, utime 14 and stime 15.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let ticks = utime.checked_add(stime)?;
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(ProcessSample {
        cpu: Duration::from_millis(ticks.checked_mul(1000 / TICKS_PER_SECOND)?),
        rss_kib,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_a_name_with_spaces_and_parentheses() {
        let stat = "4242 (tokio (rt) 1) S 1 4242 4242 0 -1 4194560 3000 0 0 0 250 75 0 0 20 0 3 0 1000 100000 500";
        let status = "Name:\tx\nVmPeak:\t  9999 kB\nVmRSS:\t   12345 kB\nThreads: 3\n";
        assert_eq!(
            parse(stat, status),
            Some(ProcessSample {
                cpu: Duration::from_millis(3250),
                rss_kib: 12345
            })
        );
        assert_eq!(parse("garbage", status), None);
        assert_eq!(parse(stat, "VmRSS: lots"), None);
    }

    #[test]
    fn reads_this_process() {
        let me = sample(0);
        assert!(me.as_ref().is_ok_and(|s| s.rss_kib > 0), "{me:?}");
    }

    proptest! {
        #[test]
        fn never_panics(stat in "\\PC{0,200}", status in "\\PC{0,200}") {
            let _ = parse(&stat, &status);
        }
    }
}

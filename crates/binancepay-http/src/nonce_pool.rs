//! Fresh nonces without a system call per request: each thread draws random bytes from the
//! operating system 4 KiB at a time (32 nonces' worth) and hands each byte out once.
//!
//! A nonce is public (it travels in a header), so holding the next few in memory reveals nothing
//! the signature does not; what matters is that none repeats. The pool is refilled whenever the
//! process id changes, so a child forked from a thread with bytes left does not reuse them.

use std::cell::RefCell;

use binancepay_sign::{Error, NONCE_RANDOM_BYTES, Nonce};

/// Bytes drawn from the OS per refill.
const DRAW: usize = 32 * NONCE_RANDOM_BYTES;

struct Pool {
    bytes: Box<[u8; DRAW]>,
    /// Bytes at `..used` were handed out (and zeroed).
    used: usize,
    /// The process the bytes were drawn in.
    pid: u32,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool {
        bytes: Box::new([0; DRAW]),
        used: DRAW,
        pid: 0,
    });
}

/// A nonce from this thread's pool of OS random bytes (see the module docs); the same
/// distribution as [`Nonce::from_os_rng`].
///
/// # Errors
/// [`Error::Rng`] if the operating system cannot provide random bytes.
pub(crate) fn fresh_nonce() -> Result<Nonce, Error> {
    let pooled = POOL.try_with(|pool| {
        // Not re-entered on one thread; if it ever were, draw directly instead of panicking.
        let mut pool = pool.try_borrow_mut().ok()?;
        Some(take(&mut pool))
    });
    match pooled {
        Ok(Some(nonce)) => nonce,
        // The thread is exiting (its pool is gone) or the pool is busy.
        _ => Nonce::from_os_rng(),
    }
}

fn take(pool: &mut Pool) -> Result<Nonce, Error> {
    let pid = std::process::id();
    if pool.pid != pid || pool.used + NONCE_RANDOM_BYTES > DRAW {
        getrandom::fill(&mut pool.bytes[..]).map_err(|_| Error::Rng)?;
        pool.used = 0;
        pool.pid = pid;
    }
    let mut random = [0u8; NONCE_RANDOM_BYTES];
    let chunk = pool
        .bytes
        .get_mut(pool.used..pool.used + NONCE_RANDOM_BYTES)
        .ok_or(Error::Rng)?;
    random.copy_from_slice(chunk);
    // Each byte is used once: wipe it so it can never be handed out again.
    chunk.fill(0);
    pool.used += NONCE_RANDOM_BYTES;
    Ok(Nonce::from_random_bytes(&random))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn nonces_are_valid_and_distinct_across_refills() {
        let mut seen = HashSet::new();
        // Five refills' worth.
        for _ in 0..(5 * DRAW / NONCE_RANDOM_BYTES) {
            let nonce = fresh_nonce().map_err(|e| e.to_string());
            let Ok(nonce) = nonce else {
                panic!("{nonce:?}");
            };
            assert!(nonce.as_str().bytes().all(|b| b.is_ascii_alphabetic()));
            assert!(seen.insert(nonce), "repeated {nonce:?}");
        }
    }

    #[test]
    fn a_new_process_id_draws_new_bytes() {
        let mut pool = Pool {
            bytes: Box::new([0; DRAW]),
            used: 0,
            pid: 0,
        };
        // Bytes "left" from another process are not used: the pool refills first.
        let first = take(&mut pool);
        assert_eq!(pool.pid, std::process::id());
        assert_eq!(pool.used, NONCE_RANDOM_BYTES);
        // All-zero bytes would give "AAAA…"; a refill gives random letters.
        assert_ne!(
            first.map(|n| n.as_str().to_owned()).ok(),
            Some("A".repeat(32))
        );
    }

    #[test]
    fn threads_draw_from_their_own_pools() {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    (0..100)
                        .filter_map(|_| fresh_nonce().ok())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut seen = HashSet::new();
        for handle in handles {
            for nonce in handle.join().unwrap_or_default() {
                assert!(seen.insert(nonce), "repeated across threads");
            }
        }
        assert_eq!(seen.len(), 400);
    }
}

//! `RequestSigner::sign` performs no heap allocation, counted by dhat's allocator in testing
//! mode. Its own test binary without the libtest harness (`harness = false`), since the counting
//! allocator is global: the harness's own threads allocated now and then under load and made the
//! count flaky.
//!
//! dhat sees the Rust heap only. With `aws-lc` the HMAC runs in C, where copying a keyed
//! `HMAC_CTX` is a `memcpy` (aws-lc `crypto/fipsmodule/hmac/hmac.c`), so no C allocation either.

use binancepay_sign::{ApiSecret, Nonce, RequestSigner, Timestamp};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let signer = RequestSigner::new(&ApiSecret::new("abcd1234").expect("secret"));
    let timestamp = Timestamp::from_millis(1_636_876_819_000).expect("timestamp");
    let nonce = Nonce::new("NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH").expect("nonce");
    let bodies = [vec![], vec![b'x'; 300], vec![b'y'; 10 * 1024]];
    // Outside the measured region: the first call of each may run CPU feature detection.
    let expected: Vec<_> = bodies
        .iter()
        .map(|b| signer.sign(&timestamp, &nonce, b))
        .collect();
    for (body, expected) in bodies.iter().zip(&expected) {
        let raw = signer.sign_raw("1636876819000", "NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH", body);
        assert!(raw == *expected);
        assert!(
            signer
                .verify(&timestamp, &nonce, body, expected.as_str())
                .is_ok()
        );
    }

    let before = dhat::HeapStats::get();
    for _ in 0..10 {
        for (body, expected) in bodies.iter().zip(&expected) {
            let signature = std::hint::black_box(signer.sign(&timestamp, &nonce, body));
            dhat::assert!(signature == *expected);
            let raw = signer.sign_raw("1636876819000", "NldzYKVJuiwjCHQGlaZfwnbGaFLPimYH", body);
            dhat::assert!(raw == *expected);
            dhat::assert!(
                signer
                    .verify(&timestamp, &nonce, body, expected.as_str())
                    .is_ok()
            );
        }
    }
    let after = dhat::HeapStats::get();
    dhat::assert_eq!(after.total_blocks - before.total_blocks, 0);
    dhat::assert_eq!(after.total_bytes - before.total_bytes, 0);
}

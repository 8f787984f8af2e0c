//! Incoming webhooks: the `binancepay-http` verifier with a fixed certificate store, and
//! `WebhookPublicKey::verify` with arbitrary signature text.
//!
//! Input: one flags byte, then `timestamp` `\n` `nonce` `\n` `certificate serial` `\n`
//! `signature` `\n`, then the raw body. Flags:
//! * bit 0: sign the body with the fixture key (and use its serial), so fuzzed bodies get past
//!   the signature check and reach the freshness check and the notification parser;
//! * bit 1: pass the headers as an `http::HeaderMap` (else as string pairs);
//! * bit 4: repeat one header in the `HeaderMap`;
//! * bits 2-3: the clock: `now` = the header's timestamp, a fixed time, 6 minutes after the
//!   header's timestamp (stale), or the header's timestamp with no freshness window.

#![no_main]

use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use binancepay_fuzz::fixtures::{self, SERIAL_SIGNING};
use binancepay_fuzz::framing::lines;
use binancepay_http::webhook::DEFAULT_FRESHNESS_WINDOW_MS;
use binancepay_http::{
    BINANCEPAY_CERTIFICATE_SN, BINANCEPAY_NONCE, BINANCEPAY_SIGNATURE, BINANCEPAY_TIMESTAMP,
    WebhookError, WebhookHeaders, WebhookVerifier,
};
use binancepay_sign::webhook::WebhookPublicKey;
use binancepay_sign::{Error as SignError, Timestamp, string_to_sign};
use binancepay_types::webhook::Notification;
use http::{HeaderMap, HeaderValue};
use libfuzzer_sys::fuzz_target;

/// A fixed `now` when the clock does not follow the header.
const FIXED_NOW: u64 = 1_700_000_000_000;

fn verifier(windowed: bool) -> &'static WebhookVerifier {
    static WINDOWED: OnceLock<WebhookVerifier> = OnceLock::new();
    static UNWINDOWED: OnceLock<WebhookVerifier> = OnceLock::new();
    let (cell, window) = if windowed {
        (&WINDOWED, Some(DEFAULT_FRESHNESS_WINDOW_MS))
    } else {
        (&UNWINDOWED, None)
    };
    cell.get_or_init(|| {
        WebhookVerifier::new(fixtures::store().clone()).with_freshness_window(window)
    })
}

/// `WebhookPublicKey::verify` on any signature text: the error says why, checked
/// independently. Returns the verdict.
fn check_signature_text(
    key: &WebhookPublicKey,
    ts: &str,
    nonce: &str,
    body: &[u8],
    sig: &str,
) -> Result<(), SignError> {
    let result = key.verify(ts, nonce, body, sig);
    match STANDARD.decode(sig.trim_ascii()) {
        Err(_) => assert_eq!(result, Err(SignError::SignatureBase64)),
        Ok(raw) if raw.len() != key.bits().div_ceil(8) => assert_eq!(
            result,
            Err(SignError::SignatureLength {
                expected: key.bits().div_ceil(8),
                actual: raw.len(),
            })
        ),
        Ok(_) => assert!(
            matches!(result, Ok(()) | Err(SignError::SignatureMismatch)),
            "{result:?}"
        ),
    }
    result
}

/// The bytes trimmed like `str::trim` when they are UTF-8, else unchanged.
fn trimmed(bytes: &[u8]) -> &[u8] {
    std::str::from_utf8(bytes).map_or(bytes, |text| text.trim().as_bytes())
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let Some(([ts, nonce, serial, signature], body)) = lines::<4>(rest) else {
        return;
    };
    let sign = flags & 1 != 0;
    let use_map = flags & 2 != 0;
    let clock = (flags >> 2) & 3;
    let repeat = flags & 16 != 0;

    let (Ok(ts), Ok(nonce)) = (std::str::from_utf8(ts), std::str::from_utf8(nonce)) else {
        return;
    };
    // `WebhookHeaders::from_pairs` trims values, as HTTP strips the whitespace around them: what
    // is signed and checked on that path is the trimmed text.
    let (ts, nonce, serial, signature) = if use_map {
        (ts, nonce, serial, signature)
    } else {
        (ts.trim(), nonce.trim(), trimmed(serial), trimmed(signature))
    };
    let store = fixtures::store();
    let signed;
    let (serial, signature): (&[u8], &[u8]) = if sign {
        signed = fixtures::signing_key()
            .sign(ts, nonce, body)
            .expect("the fixture key signs");
        (SERIAL_SIGNING.as_bytes(), signed.as_bytes())
    } else {
        (serial, signature)
    };

    // The signature text straight through binancepay-sign, with the key the serial names (the
    // sample's key for an unknown serial). RSA is slow under instrumentation, so this verdict is
    // computed once and reused below. Our own signature is checked wrapped in whitespace.
    let named_key = std::str::from_utf8(serial).ok().and_then(|s| store.get(s));
    let direct = std::str::from_utf8(signature).ok().map(|sig| {
        let key = named_key
            .or_else(|| store.get(fixtures::sample_serial()))
            .expect("the sample serial is in the store");
        let sig = if sign {
            format!(" {sig}\r\n")
        } else {
            sig.to_owned()
        };
        check_signature_text(key, ts, nonce, body, &sig)
    });
    let direct = named_key.and(direct);
    if sign {
        assert_eq!(direct, Some(Ok(())), "own signature refused by the key");
    }

    let header_ts = Timestamp::parse(ts).ok();
    let now = match (clock, header_ts) {
        (0 | 3, Some(t)) => t,
        (2, Some(t)) => {
            Timestamp::from_millis(t.as_millis() + DEFAULT_FRESHNESS_WINDOW_MS + 60_000)
                .unwrap_or(t)
        }
        _ => Timestamp::from_millis(FIXED_NOW).expect("fixed now is valid"),
    };
    let verifier = verifier(clock != 3);

    let result = if use_map {
        let values =
            [ts.as_bytes(), nonce.as_bytes(), serial, signature].map(HeaderValue::from_bytes);
        let [Ok(v_ts), Ok(v_nonce), Ok(v_serial), Ok(v_sig)] = values else {
            return;
        };
        let mut headers = HeaderMap::new();
        headers.insert(BINANCEPAY_TIMESTAMP, v_ts);
        headers.insert(BINANCEPAY_NONCE, v_nonce.clone());
        headers.insert(BINANCEPAY_CERTIFICATE_SN, v_serial);
        headers.insert(BINANCEPAY_SIGNATURE, v_sig);
        if repeat {
            headers.append(BINANCEPAY_NONCE, v_nonce);
        }
        verifier.verify(&headers, body, now)
    } else {
        let (Ok(serial), Ok(signature)) =
            (std::str::from_utf8(serial), std::str::from_utf8(signature))
        else {
            return;
        };
        let pairs = [
            ("BinancePay-Timestamp", ts),
            ("binancepay-nonce", nonce),
            ("BINANCEPAY-CERTIFICATE-SN", serial),
            ("BinancePay-Signature", signature),
        ];
        let headers = WebhookHeaders::from_pairs(pairs).expect("all four headers, once each");
        verifier.verify_headers(&headers, body, now)
    };
    let _ = format!("{result:?}");

    match &result {
        Ok(notification) => {
            assert_eq!(direct, Some(Ok(())), "accepted without a valid signature");
            assert!(header_ts.is_some());
            if !sign {
                // The unframed form over the same bytes verifies too.
                let key = named_key.expect("an accepted serial is known");
                let sig = std::str::from_utf8(signature).expect("an accepted signature is text");
                assert_eq!(
                    key.verify_message(&string_to_sign(ts, nonce, body), sig),
                    Ok(())
                );
            }
            let again = Notification::from_slice(body).expect("an accepted body parses");
            assert_eq!(again.dedup_key(), notification.dedup_key());
        }
        Err(error) => {
            let _ = error.to_string();
            if error.is_authentic() {
                assert_eq!(direct, Some(Ok(())), "{error:?} claims authenticity");
            }
            match error {
                WebhookError::InvalidSignature(_) => {
                    assert!(matches!(direct, Some(Err(_))), "{error:?} but {direct:?}");
                }
                WebhookError::UnknownCertificate { .. } => {
                    assert!(named_key.is_none());
                    assert!(error.needs_certificate_refresh());
                }
                WebhookError::Stale { .. } => assert!(clock != 3, "stale without a window"),
                _ => {}
            }
        }
    }

    if sign && header_ts.is_some() && !(use_map && repeat) {
        // Everything but the clock and the body is right: only those may be refused.
        match &result {
            Err(WebhookError::InvalidSignature(e)) => panic!("own signature refused: {e}"),
            // Only the fixed clock and the late clock can be outside the window.
            Err(WebhookError::Stale { .. }) => {
                assert!(matches!(clock, 1 | 2), "fresh timestamp refused")
            }
            Err(WebhookError::BodyTooLarge { .. }) => {}
            Err(WebhookError::Parse(_)) | Ok(_) => {
                assert_eq!(result.is_ok(), Notification::from_slice(body).is_ok());
            }
            Err(other) => panic!("signed webhook refused: {other:?}"),
        }
    }
});

//! `Notification::from_slice` on arbitrary bodies.
//!
//! Input: the raw body. A parsed notification must echo the envelope it came from (checked
//! against a plain `serde_json::Value` reading), and errors must format.

#![no_main]

use binancepay_types::webhook::Notification;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    let notification = match Notification::from_slice(body) {
        Ok(notification) => notification,
        Err(error) => {
            let _ = (error.to_string(), format!("{error:?}"));
            return;
        }
    };
    let _ = format!("{notification:?}");
    // bizType:bizIdStr:bizStatus, and for a refund `:` and the refund's id.
    let key = notification.dedup_key();
    let base = format!(
        "{}:{}:{}",
        notification.biz_type(),
        notification.biz_id_str(),
        notification.biz_status()
    );
    assert!(key == base || key.starts_with(&format!("{base}:")));
    if let Notification::Unknown { raw, .. } = &notification {
        // The whole body is kept byte for byte, less the whitespace around it.
        assert_eq!(raw.get().as_bytes(), body.trim_ascii());
    }

    // A second reading of the envelope; it can fail where the typed one did not (a number out
    // of f64 range elsewhere in the body), and then there is nothing to compare.
    let Ok(serde_json::Value::Object(envelope)) = serde_json::from_slice(body) else {
        return;
    };
    let field = |name: &str| envelope.get(name).and_then(serde_json::Value::as_str);
    assert_eq!(Some(notification.biz_type()), field("bizType"));
    assert_eq!(Some(notification.biz_status()), field("bizStatus"));
    match field("bizIdStr") {
        Some(text) => assert_eq!(notification.biz_id_str(), text),
        None => {
            // Without bizIdStr, the exact text of bizId stands in (as a string or a number).
            let id = envelope.get("bizId");
            let as_text = match id {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) if n.is_u64() => Some(n.to_string()),
                _ => None,
            };
            if let Some(text) = as_text {
                assert_eq!(notification.biz_id_str(), text);
            }
        }
    }
});

//! Parsers never panic, whatever the bytes.

use binancepay_types::webhook::Notification;
use proptest::prelude::*;

use crate::model_round_trips::RESPONSE_PARSERS;

/// JSON text built from arbitrary values, to reach past the first byte of the parsers.
fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        "-?[0-9]{1,30}(\\.[0-9]{0,12})?([eE][-+]?[0-9]{1,3})?",
        ".{0,8}".prop_map(|s| serde_json::Value::String(s).to_string()),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4)
                .prop_map(|items| format!("[{}]", items.join(","))),
            proptest::collection::vec(
                (
                    prop_oneof![
                        "status",
                        "code",
                        "data",
                        "bizType",
                        "bizId",
                        "bizStatus",
                        "amount",
                        "[a-zA-Z]{1,8}"
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|fields| {
                let body: Vec<String> =
                    fields.iter().map(|(k, v)| format!("{:?}:{v}", k)).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

proptest! {
    #[test]
    fn webhook_parser_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = Notification::from_slice(&bytes);
    }

    #[test]
    fn webhook_parser_never_panics_on_json(text in json_text(), biz_type in prop_oneof!["PAY", "PAY_REFUND", "BALANCE", "MERCHANT_QR_CODE", "X"]) {
        let _ = Notification::from_slice(text.as_bytes());
        let data = serde_json::Value::String(text.clone()).to_string();
        let body = format!(r#"{{"bizType":"{biz_type}","bizId":1,"bizStatus":"S","data":{data}}}"#);
        let _ = Notification::from_slice(body.as_bytes());
        let body = format!(r#"{{"bizType":"{biz_type}","bizIdStr":"1","bizStatus":"S","data":{text}}}"#);
        let _ = Notification::from_slice(body.as_bytes());
    }

    #[test]
    fn response_parsers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256), text in json_text()) {
        let success = format!(r#"{{"status":"SUCCESS","code":"000000","data":{text}}}"#);
        for (_, parse) in RESPONSE_PARSERS {
            let _ = parse(&bytes);
            let _ = parse(text.as_bytes());
            let _ = parse(success.as_bytes());
        }
    }
}

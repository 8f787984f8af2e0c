//! Parsers of command-line values: exact amounts, ids, payout receivers, and the payout totals.

use binancepay_types::enums::ReceiveType;
use binancepay_types::{Amount, AmountError, Id, IdError};

/// The longest `merchantSendId` Binance accepts.
const SEND_ID_MAX: usize = 32;
/// Digits of the per-transfer number in a generated `merchantSendId` (a batch holds at most 500).
const SEND_ID_DIGITS: usize = 3;

/// An amount exactly as written: never through a float.
pub(crate) fn parse_amount(text: &str) -> Result<Amount, AmountError> {
    Amount::new(text)
}

/// A Binance id (digits only); `prepayId` values exceed `u64`, so they stay text.
pub(crate) fn parse_id(text: &str) -> Result<Id, IdError> {
    Id::new(text)
}

/// One payout transfer as given with `--receiver TYPE:VALUE:AMOUNT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Receiver {
    pub(crate) receive_type: ReceiveType,
    pub(crate) receiver: String,
    pub(crate) amount: Amount,
}

/// Reads `TYPE:VALUE:AMOUNT`. The type ends at the first `:` and the amount starts after the
/// last one, so the value itself may hold colons.
pub(crate) fn parse_receiver(text: &str) -> Result<Receiver, String> {
    const SHAPE: &str = "expected TYPE:VALUE:AMOUNT, e.g. EMAIL:ann@example.com:10.50";
    let (kind, rest) = text.split_once(':').ok_or(SHAPE)?;
    let (receiver, amount) = rest.rsplit_once(':').ok_or(SHAPE)?;
    let receive_type = match kind {
        "PAY_ID" => ReceiveType::PayId,
        "BINANCE_ID" => ReceiveType::BinanceId,
        "EMAIL" => ReceiveType::Email,
        other => {
            return Err(format!(
                "receiver type {other:?}: must be PAY_ID, BINANCE_ID or EMAIL"
            ));
        }
    };
    if receiver.is_empty() {
        return Err(format!("{SHAPE}: the VALUE is empty"));
    }
    let amount = Amount::new(amount).map_err(|e| e.to_string())?;
    Ok(Receiver {
        receive_type,
        receiver: receiver.to_owned(),
        amount,
    })
}

/// The exact sum of the transfers, or `None` when it leaves the amount range (or there are none).
pub(crate) fn total(receivers: &[Receiver]) -> Option<Amount> {
    let (first, rest) = receivers.split_first()?;
    rest.iter()
        .try_fold(first.amount.clone(), |sum, r| sum.checked_add(&r.amount))
}

/// `merchantSendId` of transfer `index` (from 0): the letters and digits of the batch's
/// `requestId` (cut to fit) and a fixed-width number, so ids are unique within the batch and
/// at most 32 letters or digits long.
pub(crate) fn send_id(request_id: &str, index: usize) -> String {
    let prefix: String = request_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(SEND_ID_MAX - SEND_ID_DIGITS)
        .collect();
    format!("{prefix}{:0width$}", index + 1, width = SEND_ID_DIGITS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn receiver(text: &str) -> Receiver {
        match parse_receiver(text) {
            Ok(receiver) => receiver,
            Err(e) => panic!("{text}: {e}"),
        }
    }

    #[test]
    fn receivers_keep_colons_in_the_value() {
        let r = receiver("EMAIL:ann@example.com:10.50");
        assert_eq!(r.receive_type, ReceiveType::Email);
        assert_eq!(r.receiver, "ann@example.com");
        assert_eq!(r.amount.as_str(), "10.50");
        assert_eq!(receiver("PAY_ID:a:b:1").receiver, "a:b");
    }

    #[test]
    fn malformed_receivers_name_the_rule() {
        let err = |text| parse_receiver(text).err().unwrap_or_default();
        assert!(err("EMAIL").contains("expected TYPE:VALUE:AMOUNT"));
        assert!(err("EMAIL:x").contains("expected TYPE:VALUE:AMOUNT"));
        assert!(err("PHONE:x:1").contains("must be PAY_ID, BINANCE_ID or EMAIL"));
        assert!(err("EMAIL::1").contains("the VALUE is empty"));
        assert!(err("EMAIL:x:1e3").contains("exponent notation"));
        assert!(err("email:x:1").contains("\"email\""));
    }

    #[test]
    fn totals_are_exact() {
        let list = [receiver("PAY_ID:1:0.1"), receiver("PAY_ID:2:0.2")];
        assert_eq!(total(&list).map(|a| a.to_string()).as_deref(), Some("0.3"));
        assert_eq!(total(&[]), None);
        let huge = receiver("PAY_ID:1:99999999999999999999");
        assert_eq!(total(&[huge.clone(), huge]), None);
    }

    #[test]
    fn send_ids_fit_and_differ() {
        assert_eq!(send_id("B1", 0), "B1001");
        assert_eq!(send_id("b-1_x", 9), "b1x010");
        let long = "A".repeat(40);
        assert_eq!(send_id(&long, 499).len(), 32);
    }

    proptest! {
        #[test]
        fn receiver_round_trip(
            kind in prop::sample::select(vec!["PAY_ID", "BINANCE_ID", "EMAIL"]),
            value in "[a-z0-9@.:]{1,24}",
            amount in "(0|[1-9][0-9]{0,19})(\\.[0-9]{1,8})?",
        ) {
            let parsed = parse_receiver(&format!("{kind}:{value}:{amount}"))
                .map_err(TestCaseError::fail)?;
            prop_assert_eq!(parsed.receive_type.as_str(), kind);
            prop_assert_eq!(parsed.receiver, value);
            prop_assert_eq!(parsed.amount.as_str(), amount);
        }

        #[test]
        fn receiver_parser_never_panics(text in "\\PC{0,64}") {
            let _ = parse_receiver(&text);
        }

        #[test]
        fn amounts_and_ids_parse_or_explain(text in "\\PC{0,32}") {
            if let Err(e) = parse_amount(&text) {
                prop_assert!(e.to_string().starts_with("invalid amount"));
            }
            if let Err(e) = parse_id(&text) {
                prop_assert!(e.to_string().starts_with("invalid id"));
            }
        }

        #[test]
        fn the_total_is_the_sum(cents in prop::collection::vec(0u64..1_000_000, 1..20)) {
            let list: Vec<Receiver> = cents
                .iter()
                .map(|c| receiver(&format!("PAY_ID:1:{}.{:02}", c / 100, c % 100)))
                .collect();
            let sum: u64 = cents.iter().sum();
            let expected = format!("{}.{:02}", sum / 100, sum % 100);
            prop_assert_eq!(total(&list).map(|a| a.to_string()), Some(expected));
        }

        #[test]
        fn send_ids_are_unique_short_and_alphanumeric(request_id in "\\PC{0,40}", n in 1usize..500) {
            let ids: std::collections::HashSet<String> = (0..n).map(|i| send_id(&request_id, i)).collect();
            prop_assert_eq!(ids.len(), n);
            for id in &ids {
                prop_assert!(id.len() <= 32);
                prop_assert!(id.bytes().all(|b| b.is_ascii_alphanumeric()));
            }
        }
    }
}

//! Ids the sandbox hands out: the merchant id, generated numeric ids and opaque tokens.

use binancepay_types::Id;

use crate::api::error::ApiError;

/// The merchant id every response reports (`merchantId`).
pub(crate) const MERCHANT_ID: u64 = 350_962_587;

/// A generated numeric id as the wire [`Id`].
pub(crate) fn id_of(n: u64) -> Result<Id, ApiError> {
    Id::new(&n.to_string()).map_err(ApiError::internal)
}

/// The numeric value of a wire [`Id`], if it fits (ids the sandbox issued always do).
pub(crate) fn id_value(id: &Id) -> Option<u64> {
    id.as_str().parse().ok()
}

/// A short hex token derived from an id, for tokens and opaque references.
pub(crate) fn token(id: u64, len: usize) -> String {
    // SplitMix64 finalizer: distinct ids give distinct, random-looking tokens.
    let mut out = String::with_capacity(len);
    let mut z = id;
    while out.len() < len {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut x = z;
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        out.push_str(&format!("{x:016x}"));
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::{id_of, id_value, token};

    #[test]
    fn ids_and_tokens() {
        assert_eq!(id_of(42).map(|i| i.to_string()), Ok("42".to_owned()));
        assert_eq!(id_of(7).ok().as_ref().and_then(id_value), Some(7));
        assert_eq!(token(1, 32).len(), 32);
        assert_ne!(token(1, 32), token(2, 32));
        assert!(token(3, 40).bytes().all(|b| b.is_ascii_hexdigit()));
    }
}

//! The four `BinancePay-*` signing headers, the two `-New` ones of Binance's new platform
//! certificate on webhooks, and strict single-value lookup of them.

use core::fmt;

use http::{HeaderMap, HeaderName};

/// `BinancePay-Timestamp`: epoch milliseconds of the signature.
pub const BINANCEPAY_TIMESTAMP: HeaderName = HeaderName::from_static("binancepay-timestamp");
/// `BinancePay-Nonce`: the random string of the signature.
pub const BINANCEPAY_NONCE: HeaderName = HeaderName::from_static("binancepay-nonce");
/// `BinancePay-Certificate-SN`: the API key on requests, the certificate serial on webhooks.
pub const BINANCEPAY_CERTIFICATE_SN: HeaderName =
    HeaderName::from_static("binancepay-certificate-sn");
/// `BinancePay-Signature`: hex HMAC-SHA512 on requests, base64 RSA on webhooks.
pub const BINANCEPAY_SIGNATURE: HeaderName = HeaderName::from_static("binancepay-signature");

/// `BinancePay-Certificate-SN-New`: on webhooks, the serial of Binance's new platform certificate.
pub const BINANCEPAY_CERTIFICATE_SN_NEW: HeaderName =
    HeaderName::from_static("binancepay-certificate-sn-new");
/// `BinancePay-Signature-New`: on webhooks, base64 RSA under the new platform certificate.
pub const BINANCEPAY_SIGNATURE_NEW: HeaderName =
    HeaderName::from_static("binancepay-signature-new");

/// One of the signing headers, named in errors so a caller can match on which one failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SigningHeader {
    /// `BinancePay-Timestamp`.
    Timestamp,
    /// `BinancePay-Nonce`.
    Nonce,
    /// `BinancePay-Certificate-SN`.
    CertificateSn,
    /// `BinancePay-Signature`.
    Signature,
    /// `BinancePay-Certificate-SN-New` (webhooks signed with the new platform certificate).
    CertificateSnNew,
    /// `BinancePay-Signature-New` (webhooks signed with the new platform certificate).
    SignatureNew,
}

impl SigningHeader {
    /// All four, in the order they are checked.
    pub const ALL: [SigningHeader; 4] = [
        SigningHeader::Timestamp,
        SigningHeader::Nonce,
        SigningHeader::CertificateSn,
        SigningHeader::Signature,
    ];

    /// The pair a webhook signed with Binance's new platform certificate carries besides the
    /// four (same timestamp and nonce).
    pub const NEW_PAIR: [SigningHeader; 2] =
        [SigningHeader::CertificateSnNew, SigningHeader::SignatureNew];

    /// The name as Binance documents it (the wire is case-insensitive).
    pub const fn as_str(self) -> &'static str {
        match self {
            SigningHeader::Timestamp => "BinancePay-Timestamp",
            SigningHeader::Nonce => "BinancePay-Nonce",
            SigningHeader::CertificateSn => "BinancePay-Certificate-SN",
            SigningHeader::Signature => "BinancePay-Signature",
            SigningHeader::CertificateSnNew => "BinancePay-Certificate-SN-New",
            SigningHeader::SignatureNew => "BinancePay-Signature-New",
        }
    }

    /// The [`HeaderName`] (lower case, as `http` stores names).
    pub fn header_name(self) -> HeaderName {
        match self {
            SigningHeader::Timestamp => BINANCEPAY_TIMESTAMP,
            SigningHeader::Nonce => BINANCEPAY_NONCE,
            SigningHeader::CertificateSn => BINANCEPAY_CERTIFICATE_SN,
            SigningHeader::Signature => BINANCEPAY_SIGNATURE,
            SigningHeader::CertificateSnNew => BINANCEPAY_CERTIFICATE_SN_NEW,
            SigningHeader::SignatureNew => BINANCEPAY_SIGNATURE_NEW,
        }
    }

    /// The header whose name equals `name` ignoring ASCII case (the four and the `-New` pair).
    pub fn from_name(name: &str) -> Option<SigningHeader> {
        SigningHeader::ALL
            .into_iter()
            .chain(SigningHeader::NEW_PAIR)
            .find(|h| h.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for SigningHeader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a header could not be read as exactly one UTF-8 value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderProblem {
    Missing,
    Duplicated,
    NotUtf8,
}

/// Exactly one value of `name`, as UTF-8; a repeated header is refused because
/// a proxy that appends values could otherwise choose which one we verify.
pub(crate) fn single(headers: &HeaderMap, header: SigningHeader) -> Result<&str, HeaderProblem> {
    let mut values = headers.get_all(header.header_name()).into_iter();
    let first = values.next().ok_or(HeaderProblem::Missing)?;
    if values.next().is_some() {
        return Err(HeaderProblem::Duplicated);
    }
    core::str::from_utf8(first.as_bytes()).map_err(|_| HeaderProblem::NotUtf8)
}

/// At most one value of `header`, as UTF-8: `None` when absent.
pub(crate) fn optional(
    headers: &HeaderMap,
    header: SigningHeader,
) -> Result<Option<&str>, HeaderProblem> {
    match single(headers, header) {
        Ok(value) => Ok(Some(value)),
        Err(HeaderProblem::Missing) => Ok(None),
        Err(problem) => Err(problem),
    }
}

/// The four signing header values of one message, read strictly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SigningValues<'a> {
    pub(crate) timestamp: &'a str,
    pub(crate) nonce: &'a str,
    pub(crate) certificate_sn: &'a str,
    pub(crate) signature: &'a str,
}

impl<'a> SigningValues<'a> {
    pub(crate) fn from_map(headers: &'a HeaderMap) -> Result<Self, (SigningHeader, HeaderProblem)> {
        let get = |h| single(headers, h).map_err(|p| (h, p));
        Ok(SigningValues {
            timestamp: get(SigningHeader::Timestamp)?,
            nonce: get(SigningHeader::Nonce)?,
            certificate_sn: get(SigningHeader::CertificateSn)?,
            signature: get(SigningHeader::Signature)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn names_match_their_canonical_spelling() {
        for h in SigningHeader::ALL
            .into_iter()
            .chain(SigningHeader::NEW_PAIR)
        {
            assert_eq!(h.header_name().as_str(), h.as_str().to_ascii_lowercase());
            assert_eq!(
                SigningHeader::from_name(&h.as_str().to_ascii_uppercase()),
                Some(h)
            );
        }
        assert_eq!(SigningHeader::from_name("BinancePay-Other"), None);
    }

    #[test]
    fn single_reports_missing_duplicated_and_non_utf8() {
        let mut map = HeaderMap::new();
        assert_eq!(
            single(&map, SigningHeader::Nonce),
            Err(HeaderProblem::Missing)
        );
        map.append(BINANCEPAY_NONCE, HeaderValue::from_static("a"));
        assert_eq!(single(&map, SigningHeader::Nonce), Ok("a"));
        map.append(BINANCEPAY_NONCE, HeaderValue::from_static("b"));
        assert_eq!(
            single(&map, SigningHeader::Nonce),
            Err(HeaderProblem::Duplicated)
        );
        let mut map = HeaderMap::new();
        let bad = HeaderValue::from_bytes(b"\xff\xfe").map_err(|e| e.to_string());
        assert!(bad.is_ok(), "{bad:?}");
        if let Ok(bad) = bad {
            map.insert(BINANCEPAY_NONCE, bad);
        }
        assert_eq!(
            single(&map, SigningHeader::Nonce),
            Err(HeaderProblem::NotUtf8)
        );
    }
}

#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod amount;
pub mod embedded;
pub mod endpoint;
pub mod envelope;
pub mod id;
pub mod scalar;
pub mod validate;
pub mod webhook;

mod cross_field;
mod generated;
mod json_writer;
mod tolerant;
mod wire;

pub use amount::{Amount, AmountError};
pub use endpoint::{
    ENDPOINTS, Endpoint, EndpointInfo, RetryClass, endpoint_by_operation, endpoint_by_path,
};
pub use envelope::{ApiFailure, ApiResponse};
pub use generated::enums::ResponseStatus;
pub use generated::result_code::ResultCode;
pub use id::{Id, IdError};
pub use scalar::NumberOrString;
pub use validate::{ValidationErrors, Violation};

/// Every enum of the spec (each area module also re-exports the ones it uses).
pub mod enums {
    pub use crate::generated::enums::*;
}

/// Orders: create (v3, v2, v1), query (v2, v1) and close.
pub mod order {
    pub use crate::generated::order::*;
}

/// Payer verification: check a payer's KYC information against a Binance id.
pub mod payer {
    pub use crate::generated::payer::*;
}

/// Refunds: refund an order and query a refund.
pub mod refund {
    pub use crate::generated::refund::*;
}

/// Payouts: batch transfers, their query, and receiver check.
pub mod payout {
    pub use crate::generated::payout::*;
}

/// Wallet: transfers between the spot and funding wallets, and balances.
pub mod wallet {
    pub use crate::generated::wallet::*;
}

/// Sub-merchants: create and modify (partners only).
pub mod sub_merchant {
    pub use crate::generated::sub_merchant::*;
}

/// Convert (whitelisted merchants): pairs, quotes, execution, order query.
pub mod convert {
    pub use crate::generated::convert::*;
}

/// Direct debit (whitelisted): contracts, payment notice and payment.
pub mod direct_debit {
    pub use crate::generated::direct_debit::*;
}

/// Technical Service Providers: authorization requests and records.
pub mod tsp {
    pub use crate::generated::tsp::*;
}

/// Share account id: ask a user to share their Binance id.
pub mod share_info {
    pub use crate::generated::share_info::*;
}

/// Certificates: the public keys that sign webhooks.
pub mod certificate {
    pub use crate::generated::certificate::*;
}

/// Profit sharing: receivers, splits and split returns.
pub mod profit_sharing {
    pub use crate::generated::profit_sharing::*;
}

/// Reports: transaction and settlement files, balance reports.
pub mod report {
    pub use crate::generated::report::*;
}

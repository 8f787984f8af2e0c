//! Reports: daily transaction and settlement files, balance reports (BALANCE webhook), and the
//! CSV files their links point to, served by the sandbox itself.

use std::collections::HashMap;

use binancepay_types::NumberOrString;
use binancepay_types::enums::{BalanceWebhookStatus, ReportType};
use binancepay_types::report::{
    BalanceReportStatus, BalanceReportTicket, GetReportFileRequest, QueryBalanceReportRequest,
    ReportFile, RequestBalanceReportRequest,
};
use binancepay_types::webhook::BalanceNotificationData;

use super::error::{ApiError, known};
use super::wallet::WalletKind;
use crate::context::Ctx;
use crate::ids::{MERCHANT_ID, id_of, id_value};
use crate::state::State;

const DAY_MS: u64 = 86_400_000;
/// Longest report range (documented: 3 months).
const MAX_RANGE_DAYS: i64 = 92;
/// How long a balance report link stays valid.
const LINK_TTL_MS: u64 = 3_600_000;
/// Status number of a finished report (documented: 2 = success).
const DONE: &str = "2";

#[derive(Debug, Clone)]
struct BalanceReport {
    file_name: String,
}

/// Balance reports by download id.
#[derive(Debug, Default)]
pub(crate) struct Reports {
    balance: HashMap<u64, BalanceReport>,
}

impl Reports {
    pub(crate) fn len(&self) -> usize {
        self.balance.len()
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Parses `dd/MM/yyyy` (`day_first`) or `yyyy-MM-dd` into a day count.
pub(crate) fn parse_date(field: &str, text: &str, day_first: bool) -> Result<i64, ApiError> {
    let format = if day_first {
        "dd/MM/yyyy"
    } else {
        "yyyy-MM-dd"
    };
    let bad = || ApiError::format(field, format!("must be a date written {format}"));
    let parts: Vec<&str> = if day_first {
        text.split('/').collect()
    } else {
        text.split('-').collect()
    };
    let (year, month, day) = match (day_first, parts.as_slice()) {
        (true, [d, m, y]) => (*y, *m, *d),
        (false, [y, m, d]) => (*y, *m, *d),
        _ => return Err(bad()),
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(year, 4) && digits(month, 2) && digits(day, 2)) {
        return Err(bad());
    }
    let (year, month, day): (i64, u32, u32) = match (year.parse(), month.parse(), day.parse()) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err(bad()),
    };
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(ApiError::value(
            field,
            format!("{text:?} is not a calendar date"),
        ));
    }
    Ok(days_from_civil(year, month, day))
}

/// Checks a date range: start not after end, at most three months, not in the future.
fn check_range(start: i64, end: i64, today: i64) -> Result<(), ApiError> {
    if end < start {
        return Err(ApiError::value("endDate", "must not be before startDate"));
    }
    if end - start >= MAX_RANGE_DAYS {
        return Err(ApiError::value(
            "endDate",
            "the range can span at most 3 months",
        ));
    }
    if start > today {
        return Err(ApiError::value("startDate", "must not be in the future"));
    }
    Ok(())
}

fn today(now: u64) -> i64 {
    i64::try_from(now / DAY_MS).unwrap_or(i64::MAX)
}

/// `yyyy-MM-dd HH:mm:ss` (UTC) of epoch milliseconds.
pub(crate) fn date_time(ms: u64) -> String {
    let (year, month, day) = civil_from_days(i64::try_from(ms / DAY_MS).unwrap_or(0));
    let seconds = (ms % DAY_MS) / 1000;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        seconds / 3600,
        (seconds / 60) % 60,
        seconds % 60
    )
}

fn ddmmyyyy(days: i64, separator: &str) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{day:02}{separator}{month:02}{separator}{year:04}")
}

pub(crate) fn get_file(
    _state: &mut State,
    ctx: &mut Ctx<'_>,
    req: GetReportFileRequest,
) -> Result<Vec<ReportFile>, ApiError> {
    known("reportType", &req.report_type)?;
    let prefix = match (&req.report_type, &req.transaction_type) {
        (ReportType::Transaction, Some(kind)) => {
            known("transactionType", kind)?;
            format!("T_{}", kind.as_str())
        }
        (ReportType::Transaction, None) => return Err(ApiError::missing("transactionType")),
        (ReportType::Settlement, _) => "S".to_owned(),
        _ => {
            return Err(ApiError::value(
                "reportType",
                "must be Transaction or Settlement; use balance-report for Balance",
            ));
        }
    };
    let start = parse_date("startDate", &req.start_date, true)?;
    let end = parse_date("endDate", &req.end_date, true)?;
    let today = today(ctx.now);
    check_range(start, end, today)?;
    let mut files = Vec::new();
    // Newest first, like the documented sample; days after today have no file yet.
    for day in (start..=end.min(today)).rev() {
        let file_name = format!("{prefix}_{}.csv", ddmmyyyy(day, ""));
        let mut file = ReportFile::new()
            .with_report_type(req.report_type.clone())
            .with_transaction_date(ddmmyyyy(day, "/"))
            .with_download_url(format!(
                "{}/sandbox/reports/{file_name}",
                ctx.config.base_url
            ))
            .with_file_name(file_name);
        if let Some(kind) = &req.transaction_type {
            file = file.with_transaction_type(kind.clone());
        }
        files.push(file);
    }
    Ok(files)
}

pub(crate) fn request_balance(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: RequestBalanceReportRequest,
) -> Result<BalanceReportTicket, ApiError> {
    if req.report_type != ReportType::Balance {
        return Err(ApiError::value("reportType", "must be Balance"));
    }
    let wallet = match &req.wallet_type {
        Some(wallet) => Some(WalletKind::of(wallet, "walletType")?),
        None => None,
    };
    let start = parse_date("startDate", &req.start_date, false)?;
    let end = parse_date("endDate", &req.end_date, false)?;
    check_range(start, end, today(ctx.now))?;
    let download_id = state.next_id();
    let wallet_part = wallet.map_or_else(|| "ALL".to_owned(), |w| w.wallet().as_str().to_owned());
    let file_name = format!(
        "Balance_{}_{}_{wallet_part}_{download_id}.csv",
        ddmmyyyy(start, ""),
        ddmmyyyy(end, "")
    );
    let link = format!("{}/sandbox/reports/{file_name}", ctx.config.base_url);
    state
        .reports
        .balance
        .insert(download_id, BalanceReport { file_name });
    let data = BalanceNotificationData::new()
        .with_download_type("merchant_balance_download_task")
        .with_download_id(id_of(download_id)?)
        .with_user_id(id_of(MERCHANT_ID)?)
        .with_status(NumberOrString::number(DONE).map_err(ApiError::internal)?)
        .with_download_link(link)
        .with_expiration_timestamp(
            i64::try_from(ctx.now.saturating_add(LINK_TTL_MS)).unwrap_or(i64::MAX),
        )
        .with_create_time(date_time(ctx.now));
    ctx.notify(
        "BALANCE",
        BalanceWebhookStatus::BalanceSuccess.as_str(),
        download_id,
        &data,
        None,
    );
    Ok(BalanceReportTicket::new().with_download_id(id_of(download_id)?))
}

pub(crate) fn query_balance(
    state: &mut State,
    ctx: &mut Ctx<'_>,
    req: QueryBalanceReportRequest,
) -> Result<BalanceReportStatus, ApiError> {
    let report = id_value(&req.download_id).and_then(|id| state.reports.balance.get(&id));
    Ok(match report {
        Some(report) => BalanceReportStatus::new()
            .with_exist(true)
            .with_status(NumberOrString::number(DONE).map_err(ApiError::internal)?)
            .with_download_url(format!(
                "{}/sandbox/reports/{}",
                ctx.config.base_url, report.file_name
            )),
        None => BalanceReportStatus::new().with_exist(false),
    })
}

/// The CSV behind a report link, or `None` for a name no report produced.
pub(crate) fn file(state: &State, name: &str) -> Option<String> {
    let stem = name.strip_suffix(".csv")?;
    if stem.starts_with("Balance_") {
        let known = state.reports.balance.values().any(|r| r.file_name == name);
        if !known {
            return None;
        }
        let mut csv = String::from("wallet,asset,balance\n");
        for (wallet, assets) in state.wallets.snapshot().as_object()? {
            for (asset, balance) in assets.as_object()? {
                csv.push_str(&format!(
                    "{wallet},{asset},{}\n",
                    balance.as_str().unwrap_or_default()
                ));
            }
        }
        return Some(csv);
    }
    let (kind, date) = stem.rsplit_once('_')?;
    let day = parse_date(
        "date",
        &format!("{}/{}/{}", date.get(..2)?, date.get(2..4)?, date.get(4..)?),
        true,
    )
    .ok()?;
    let range = u64::try_from(day).ok()?.checked_mul(DAY_MS)?
        ..u64::try_from(day + 1).ok()?.checked_mul(DAY_MS)?;
    let mut csv = String::new();
    match kind {
        "T_Payment" => {
            csv.push_str("prepayId,merchantTradeNo,status,currency,orderAmount,createTime\n");
            let mut orders: Vec<_> = state
                .orders
                .iter()
                .filter(|o| range.contains(&o.create_time))
                .collect();
            orders.sort_by_key(|o| o.prepay_id);
            for o in orders {
                csv.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    o.prepay_id, o.merchant_trade_no, o.status, o.currency, o.amount, o.create_time
                ));
            }
        }
        "S" => {
            csv.push_str("prepayId,merchantTradeNo,currency,orderAmount,transactTime\n");
            let mut paid: Vec<_> = state
                .orders
                .iter()
                .filter_map(|o| o.payment.as_ref().map(|p| (o, p.transact_time)))
                .filter(|(_, t)| range.contains(t))
                .collect();
            paid.sort_by_key(|(o, _)| o.prepay_id);
            for (o, time) in paid {
                csv.push_str(&format!(
                    "{},{},{},{},{time}\n",
                    o.prepay_id, o.merchant_trade_no, o.currency, o.amount
                ));
            }
        }
        "T_Payout" => csv.push_str(&state.payouts.csv(&range)),
        _ => return None,
    }
    Some(csv)
}

#[cfg(test)]
mod tests {
    use super::{civil_from_days, date_time, days_from_civil, parse_date};
    use proptest::prelude::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2024, 12, 31), 20_088);
        assert_eq!(civil_from_days(20_088), (2024, 12, 31));
        assert_eq!(date_time(1_735_689_600_000), "2025-01-01 00:00:00");
        assert_eq!(date_time(1_735_693_261_000), "2025-01-01 01:01:01");
    }

    #[test]
    fn date_parsing() {
        assert_eq!(parse_date("d", "31/12/2024", true).ok(), Some(20_088));
        assert_eq!(parse_date("d", "2024-12-31", false).ok(), Some(20_088));
        assert!(parse_date("d", "2024-02-30", false).is_err());
        assert!(parse_date("d", "2023-02-29", false).is_err());
        assert!(parse_date("d", "2024-02-29", false).is_ok());
        assert!(parse_date("d", "31-12-2024", true).is_err());
        assert!(parse_date("d", "1/1/2024", true).is_err());
    }

    proptest! {
        #[test]
        fn civil_round_trips(days in -1_000_000i64..1_000_000) {
            let (y, m, d) = civil_from_days(days);
            prop_assert_eq!(days_from_civil(y, m, d), days);
        }

        #[test]
        fn parse_never_panics(text in "\\PC{0,12}", day_first in any::<bool>()) {
            let _ = parse_date("d", &text, day_first);
        }
    }
}

//! Hand-written rules across fields, called by the generated `validate()` where the spec names them.

use crate::amount::Amount;
use crate::generated::payout::CreatePayoutRequest;
use crate::validate::{Rule, Violation, join_path};

/// `totalNumber` must equal the number of transfers and `totalAmount` their sum.
pub(crate) fn payout_totals(request: &CreatePayoutRequest, parent: &str, out: &mut Vec<Violation>) {
    let count = request.transfer_detail_list.len();
    if usize::try_from(request.total_number).ok() != Some(count) {
        out.push(Violation::new(
            join_path(parent, "totalNumber"),
            Rule::Consistency {
                rule: "must equal the number of transferDetailList items",
            },
            Some(&request.total_number.to_string()),
        ));
    }
    // None when the sum overflows the Amount range: then it cannot equal totalAmount either.
    let mut sum = Amount::new("0").ok();
    for detail in &request.transfer_detail_list {
        sum = sum.and_then(|s| s.checked_add(&detail.transfer_amount));
    }
    match sum {
        Some(sum) if sum == request.total_amount => {}
        _ => out.push(Violation::new(
            join_path(parent, "totalAmount"),
            Rule::Consistency {
                rule: "must equal the sum of transferDetailList[].transferAmount",
            },
            Some(request.total_amount.as_str()),
        )),
    }
}

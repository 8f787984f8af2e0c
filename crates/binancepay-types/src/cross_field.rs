//! Hand-written rules across fields, called by the generated `validate()` where the spec names them.

use crate::generated::direct_debit::CreateContractRequest;
use crate::generated::enums::CycleType;
use crate::generated::order::PayAndSignContract;
use crate::generated::payout::CreatePayoutRequest;
use crate::validate::{Path, Rule, Violation};

/// `totalNumber` must equal the number of transfers and `totalAmount` their sum.
pub(crate) fn payout_totals(
    request: &CreatePayoutRequest,
    parent: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    let count = request.transfer_detail_list.len();
    if usize::try_from(request.total_number).ok() != Some(count) {
        out.push(Violation::new(
            parent.at("totalNumber"),
            Rule::Consistency {
                rule: "must equal the number of transferDetailList items",
            },
            Some(&request.total_number.to_string()),
        ));
    }
    // Compared as values scaled by 10^8, without building an Amount per partial sum. None when
    // the sum overflows a u128: then it cannot equal totalAmount either (below 10^28).
    let sum = request
        .transfer_detail_list
        .iter()
        .try_fold(0_u128, |sum, detail| {
            sum.checked_add(detail.transfer_amount.scaled())
        });
    match sum {
        Some(sum) if sum == request.total_amount.scaled() => {}
        _ => out.push(Violation::new(
            parent.at("totalAmount"),
            Rule::Consistency {
                rule: "must equal the sum of transferDetailList[].transferAmount",
            },
            Some(request.total_amount.as_str()),
        )),
    }
}

/// `cycleValue` is 1 to 24 for MONTH and above 7 for DAY.
fn cycle(
    cycle_type: Option<&CycleType>,
    cycle_value: Option<i32>,
    parent: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    let (rule, ok): (&'static str, fn(i32) -> bool) = match cycle_type {
        Some(CycleType::Month) => ("must be 1 to 24 when cycleType is MONTH", |v| {
            (1..=24).contains(&v)
        }),
        Some(CycleType::Day) => ("must be above 7 when cycleType is DAY", |v| v > 7),
        _ => return,
    };
    if let Some(value) = cycle_value.filter(|v| !ok(*v)) {
        out.push(Violation::new(
            parent.at("cycleValue"),
            Rule::Consistency { rule },
            Some(&value.to_string()),
        ));
    }
}

/// The cycle rule of a direct-debit contract.
pub(crate) fn contract_cycle(
    request: &CreateContractRequest,
    parent: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    cycle(
        request.cycle_type.as_ref(),
        request.cycle_value,
        parent,
        out,
    );
}

/// The cycle rule of a contract signed with an order.
pub(crate) fn pay_and_sign_cycle(
    contract: &PayAndSignContract,
    parent: &Path<'_>,
    out: &mut Vec<Violation>,
) {
    cycle(
        contract.cycle_type.as_ref(),
        contract.cycle_value,
        parent,
        out,
    );
}

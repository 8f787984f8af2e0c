//! Validating a request that breaks no rule performs no heap allocation, counted by dhat's
//! allocator in testing mode: wire paths are rendered only for a violation. Its own test binary,
//! since the counting allocator is global.

use binancepay_types::Endpoint;
use binancepay_types::direct_debit::CreateContractRequest;
use binancepay_types::order::CreateOrderV3Request;
use binancepay_types::payout::CreatePayoutRequest;
use binancepay_types::sub_merchant::AddSubMerchantRequest;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn sample<T: serde::de::DeserializeOwned>(name: &str) -> T {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/samples")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("sample");
    serde_json::from_str(&text).expect("request")
}

/// Heap blocks and bytes allocated by `f`, run 10 times.
fn allocations(f: impl Fn()) -> (u64, u64) {
    let before = dhat::HeapStats::get();
    for _ in 0..10 {
        f();
    }
    let after = dhat::HeapStats::get();
    (
        after.total_blocks - before.total_blocks,
        after.total_bytes - before.total_bytes,
    )
}

#[test]
fn validating_valid_requests_does_not_allocate() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let order: CreateOrderV3Request = sample("create_order_v3.request.json");
    let fiat: CreateOrderV3Request = sample("create_order_v3.fiat.request.json");
    let pay_and_sign: CreateOrderV3Request = sample("create_order_v3.pay_and_sign.request.json");
    // Many list items, and a list of objects holding objects.
    let mut big = order.clone();
    big.goods_details = std::iter::repeat_n(order.goods_details.clone(), 40)
        .flatten()
        .collect();
    // Cross-field rules (sums of amounts, cycles) and conditions on enums and flags.
    let payout: CreatePayoutRequest = sample("create_payout.request.json");
    let contract: CreateContractRequest = sample("create_contract.request.json");
    let sub_merchant: AddSubMerchantRequest = sample("add_sub_merchant.request.json");
    let individual: AddSubMerchantRequest = sample("add_sub_merchant.individual.request.json");

    let order_allocations = allocations(|| {
        dhat::assert!(std::hint::black_box(&order).validate().is_ok());
    });
    dhat::assert_eq!(order_allocations, (0, 0));
    let all_allocations = allocations(|| {
        for request in [&order, &fiat, &pay_and_sign, &big] {
            dhat::assert!(std::hint::black_box(request).validate().is_ok());
        }
        dhat::assert!(std::hint::black_box(&payout).validate().is_ok());
        dhat::assert!(std::hint::black_box(&contract).validate().is_ok());
        dhat::assert!(std::hint::black_box(&sub_merchant).validate().is_ok());
        dhat::assert!(std::hint::black_box(&individual).validate().is_ok());
    });
    dhat::assert_eq!(all_allocations, (0, 0));

    // The counter sees validation: a broken rule allocates its violation and path.
    let mut broken = big.clone();
    if let Some(goods) = broken.goods_details.get_mut(39) {
        goods.goods_name.clear();
    }
    let broken_allocations = allocations(|| {
        let errors = std::hint::black_box(&broken).validate().err();
        let field = errors.as_ref().and_then(|e| e.violations().first());
        dhat::assert_eq!(
            field.map(|v| v.field.as_str()),
            Some("goodsDetails[39].goodsName")
        );
    });
    dhat::assert!(broken_allocations.0 > 0);
}

//! Concurrency: many tasks creating, paying and querying orders at once lose and duplicate
//! nothing.

use std::collections::HashSet;
use std::sync::Arc;

use binancepay_types::enums::OrderStatus;

use crate::orders::{by_prepay, order};
use crate::support::{Client, builder, start};

const TASKS: usize = 8;
const ORDERS_PER_TASK: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eight_tasks_times_fifty_orders_lose_nothing() {
    let sandbox = start(builder()).await;
    let client = Arc::new(Client::new(&sandbox));
    let mut handles = Vec::new();
    for task in 0..TASKS {
        let client = Arc::clone(&client);
        handles.push(tokio::spawn(async move {
            let mut ids = Vec::with_capacity(ORDERS_PER_TASK);
            for n in 0..ORDERS_PER_TASK {
                let created = client.ok(&order(&format!("LOAD{task}X{n}"), "1.5")).await;
                // Every task also races a duplicate of one shared trade number.
                if n == 0 {
                    let _ = client.call(&order("SHARED", "1")).await;
                }
                if n % 5 == 0 {
                    client
                        .post(&format!("/sandbox/orders/{}/pay", created.prepay_id), None)
                        .await;
                }
                ids.push(created.prepay_id);
            }
            ids
        }));
    }
    let mut all = Vec::new();
    for handle in handles {
        all.extend(handle.await.unwrap_or_else(|e| panic!("task: {e}")));
    }
    let unique: HashSet<String> = all.iter().map(|id| id.as_str().to_owned()).collect();
    assert_eq!(all.len(), TASKS * ORDERS_PER_TASK);
    assert_eq!(unique.len(), all.len(), "a prepay id was handed out twice");

    let counts = sandbox.state_counts();
    // The shared trade number was created exactly once, whoever won the race.
    assert_eq!(counts.orders, TASKS * ORDERS_PER_TASK + 1);
    let paid = TASKS * ORDERS_PER_TASK / 5;
    assert_eq!(counts.orders_by_status.get("PAID").copied(), Some(paid));
    for id in all.iter().step_by(37) {
        let status = client.ok(&by_prepay(id)).await.status;
        assert!(
            matches!(status, OrderStatus::Initial | OrderStatus::Paid),
            "{status}"
        );
    }
    drop(client);
    sandbox.shutdown().await;
}

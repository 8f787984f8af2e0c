//! A sandbox running in the test process (on its own runtime thread) for the binary to call.

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::time::Duration;

use binancepay_client::reqwest;
use binancepay_sandbox::{FaultPlan, RunningSandbox, Sandbox};

use crate::cli::{rotation_key_file, test_key_file};

/// Bound on every await of the harness itself.
const LIMIT: Duration = Duration::from_secs(30);

#[derive(Debug)]
pub(crate) struct TestSandbox {
    sandbox: Option<RunningSandbox>,
    // Declared last: dropped after the sandbox, whose drop needs no runtime.
    runtime: tokio::runtime::Runtime,
}

impl TestSandbox {
    pub(crate) fn start() -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("runtime");
        let key = std::fs::read_to_string(test_key_file()).expect("test key");
        let rotation = std::fs::read_to_string(rotation_key_file()).expect("rotation key");
        let sandbox = runtime
            .block_on(async {
                tokio::time::timeout(
                    LIMIT,
                    Sandbox::builder()
                        .webhook_key_pem(key)
                        .rotation_key_pem(rotation)
                        .shutdown_timeout(Duration::from_secs(2))
                        .start(),
                )
                .await
            })
            .expect("sandbox started in time")
            .expect("sandbox started");
        Self {
            sandbox: Some(sandbox),
            runtime,
        }
    }

    pub(crate) fn sandbox(&self) -> &RunningSandbox {
        self.sandbox.as_ref().expect("running")
    }

    /// The three variables the binary reads, pointing at this sandbox.
    pub(crate) fn env(&self) -> Vec<(&'static str, String)> {
        let sandbox = self.sandbox();
        vec![
            ("BINANCEPAY_API_KEY", sandbox.api_key().to_owned()),
            ("BINANCEPAY_API_SECRET", sandbox.api_secret().to_owned()),
            ("BINANCEPAY_BASE_URL", sandbox.base_url().to_owned()),
        ]
    }

    /// `POST /sandbox/...` on the control API; returns the HTTP status.
    pub(crate) fn control(&self, path: &str) -> u16 {
        let url = format!("{}/sandbox/{path}", self.sandbox().base_url());
        self.runtime.block_on(async {
            let http = reqwest::Client::builder()
                .no_proxy()
                .timeout(LIMIT)
                .build()
                .expect("reqwest");
            http.post(url)
                .header("content-type", "application/json")
                .send()
                .await
                .expect("control call")
                .status()
                .as_u16()
        })
    }

    pub(crate) fn set_faults(&self, plan: FaultPlan) {
        self.sandbox().set_faults(plan).expect("fault plan");
    }
}

impl Drop for TestSandbox {
    fn drop(&mut self) {
        if let Some(sandbox) = self.sandbox.take() {
            let _ = self
                .runtime
                .block_on(async { tokio::time::timeout(LIMIT, sandbox.shutdown()).await });
        }
    }
}

/// Pairs for [`crate::cli::run`].
pub(crate) fn pairs<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter()
        .map(|(name, value)| (*name, value.as_str()))
        .collect()
}

/// A loopback port nothing listens on: bound, then released.
pub(crate) fn closed_port() -> u16 {
    let listener =
        TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).expect("bind a port");
    listener.local_addr().expect("local address").port()
}

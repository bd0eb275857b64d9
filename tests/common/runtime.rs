//! Tokio runtimes for the async tests of test files on `common::harness` (which, unlike
//! `#[tokio::test]`, calls plain functions).

use std::future::Future;

/// Runs `test` in a current-thread runtime, as `#[tokio::test]` does.
pub fn block_on(test: impl Future<Output = ()>) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(test)
}

/// Runs `test` in a two-worker runtime, as `#[tokio::test(flavor = "multi_thread",
/// worker_threads = 2)]` does.
pub fn block_on_threads<T>(test: impl Future<Output = T>) -> T {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(test)
}

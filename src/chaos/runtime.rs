//! The background runtime proxies run on, so that they work the same from synchronous
//! tests, async tests and the CLI.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

/// The shared chaos runtime (two worker threads, started on first use).
pub fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("shakedown-chaos")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the chaos runtime: {e}"))
    })
}

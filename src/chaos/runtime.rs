//! The background runtime proxies run on, so that they work the same from synchronous
//! tests, async tests and the CLI.

use std::sync::OnceLock;

use tokio::runtime::Runtime;

use super::busy_poll;

static RUNTIME: OnceLock<Runtime> = OnceLock::new();

/// The shared chaos runtime, started on first use: two worker threads, or one that busy
/// polls after traffic when [`busy_poll::set_busy_poll`] was called before.
pub fn runtime() -> &'static Runtime {
    RUNTIME.get_or_init(|| {
        let window = busy_poll::window();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(if window.is_some() { 1 } else { 2 })
            .thread_name("shakedown-chaos")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("cannot start the chaos runtime: {e}"));
        if let Some(window) = window {
            runtime.spawn(busy_poll::spin(window));
        }
        runtime
    })
}

/// Whether the runtime has started.
pub fn started() -> bool {
    RUNTIME.get().is_some()
}

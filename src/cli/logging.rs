//! Log output for long-running commands: `tracing` to standard error, filtered by
//! `SHAKEDOWN_LOG` (default `info`), coloured only as `style` decides for standard error.

/// Installs the subscriber once; later calls do nothing.
pub fn init() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("SHAKEDOWN_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(super::style::stderr_color())
        .with_target(false)
        .try_init();
}

//! Busy polling: after traffic, the proxies' runtime keeps polling its sockets for a short
//! window instead of going to sleep, so that the answer to a request is picked up without
//! the cost of waking a sleeping thread (tens of microseconds on a virtual machine).
//!
//! Off unless [`set_busy_poll`] is called before the first proxy starts. While it is on, the
//! runtime has one worker thread (a spinning worker polls the sockets only if no other
//! worker sleeps holding them), and that worker stays busy for up to the window after each
//! read: an idle proxy costs nothing, a chatty one up to one core.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

/// Why busy polling could not be set.
#[derive(Debug, thiserror::Error)]
pub enum BusyPollError {
    /// The runtime was started before: it cannot be reshaped any more.
    #[error("busy polling must be set before the first proxy starts")]
    TooLate,
}

/// The window in microseconds; 0 is off.
static WINDOW: AtomicU64 = AtomicU64::new(0);
/// When traffic was last seen, in microseconds since [`epoch`].
static LAST: AtomicU64 = AtomicU64::new(0);
/// True while the spinner sleeps, waiting for traffic.
static IDLE: AtomicBool = AtomicBool::new(false);
static WAKE: Notify = Notify::const_new();

/// Turns busy polling on for `window` after each read (zero turns it off). Call it before
/// the first proxy starts.
///
/// ```
/// use std::time::Duration;
/// shakedown::chaos::set_busy_poll(Duration::from_micros(200)).unwrap();
/// ```
pub fn set_busy_poll(window: Duration) -> Result<(), BusyPollError> {
    if super::runtime::started() {
        return Err(BusyPollError::TooLate);
    }
    WINDOW.store(window.as_micros() as u64, Ordering::Relaxed);
    Ok(())
}

/// The window set, if busy polling is on.
pub fn window() -> Option<Duration> {
    let micros = WINDOW.load(Ordering::Relaxed);
    (micros > 0).then(|| Duration::from_micros(micros))
}

/// Notes traffic: the spinner keeps polling for another window (and wakes if it slept).
pub fn traffic() {
    if WINDOW.load(Ordering::Relaxed) == 0 {
        return;
    }
    LAST.store(now(), Ordering::Relaxed);
    if IDLE.swap(false, Ordering::AcqRel) {
        WAKE.notify_one();
    }
}

/// Spins while traffic is recent: each yield lets the worker poll the sockets without
/// blocking. Sleeps once the window has passed, until the next traffic.
pub async fn spin(window: Duration) {
    let window = window.as_micros() as u64;
    let recent = || now().saturating_sub(LAST.load(Ordering::Relaxed)) < window;
    loop {
        if recent() {
            tokio::task::yield_now().await;
            continue;
        }
        IDLE.store(true, Ordering::Release);
        // Traffic between the check and the store would find IDLE unset: look once more.
        if recent() {
            IDLE.store(false, Ordering::Release);
            continue;
        }
        WAKE.notified().await;
    }
}

fn now() -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    EPOCH.get_or_init(Instant::now).elapsed().as_micros() as u64
}

//! A circuit breaker: opens after a run of consecutive failures, stays open for a while
//! (no calls are made), then lets one trial call through (half-open) that closes it again
//! or reopens it.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
enum State {
    Closed {
        failures: u32,
    },
    Open {
        until: Instant,
    },
    /// A trial call started then (a trial that never reports is replaced after `open_for`).
    HalfOpen {
        trial: Instant,
    },
}

/// The breaker, shared by the callers of one dependency.
#[derive(Debug)]
pub struct Breaker {
    threshold: u32,
    open_for: Duration,
    state: Mutex<State>,
}

impl Breaker {
    /// A closed breaker that opens after `threshold` consecutive failures, for `open_for`.
    pub fn new(threshold: u32, open_for: Duration) -> Self {
        Breaker {
            threshold: threshold.max(1),
            open_for,
            state: Mutex::new(State::Closed { failures: 0 }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether a call may be made now. When the open period is over, the first caller gets
    /// the trial call and the others are refused until it reports.
    pub fn allow(&self) -> bool {
        let mut state = self.state();
        let now = Instant::now();
        let allowed = match *state {
            State::Closed { .. } => return true,
            State::Open { until } => now >= until,
            State::HalfOpen { trial } => now >= trial + self.open_for,
        };
        if allowed {
            *state = State::HalfOpen { trial: now };
        }
        allowed
    }

    /// Reports the outcome of an allowed call.
    pub fn record(&self, success: bool) {
        let mut state = self.state();
        *state = match (*state, success) {
            (_, true) => State::Closed { failures: 0 },
            (State::Closed { failures }, false) if failures + 1 < self.threshold => State::Closed {
                failures: failures + 1,
            },
            (_, false) => State::Open {
                until: Instant::now() + self.open_for,
            },
        };
    }

    /// `closed`, `open` or `half-open` (an open breaker whose open period is over is
    /// half-open: the next call is a trial).
    pub fn describe(&self) -> &'static str {
        match *self.state() {
            State::Closed { .. } => "closed",
            State::Open { until } if Instant::now() < until => "open",
            State::Open { .. } | State::HalfOpen { .. } => "half-open",
        }
    }
}

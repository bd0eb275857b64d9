//! Backoff after failed accepts: at the file-descriptor limit (`EMFILE`) the listener stays
//! readable, so retrying at once would spin a core and log without end.

use std::time::Duration;

const FIRST: Duration = Duration::from_millis(5);
const MAX: Duration = Duration::from_secs(1);

/// The delay before the next accept, doubling from 5 ms to 1 s while accepts fail; one log
/// line when a burst of failures starts and one when it ends.
#[derive(Debug, Default)]
pub struct Backoff {
    failures: u64,
    delay: Duration,
}

impl Backoff {
    /// Records a failed accept; returns how long to wait before the next one.
    pub fn failed(&mut self, error: &std::io::Error) -> Duration {
        if self.failures == 0 {
            tracing::warn!(target: "shakedown::http", "accept failed: {error}; retrying with a growing delay (up to 1 s) until it works again");
        }
        self.failures += 1;
        self.delay = (self.delay * 2).clamp(FIRST, MAX);
        self.delay
    }

    /// Records a successful accept, ending a burst of failures.
    pub fn succeeded(&mut self) {
        if self.failures > 0 {
            tracing::warn!(target: "shakedown::http", "accepting again after {} failed accept(s)", self.failures);
            *self = Backoff::default();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_up_to_a_second_and_starts_over_after_a_success() {
        let e = std::io::Error::from_raw_os_error(24);
        let mut b = Backoff::default();
        let delays: Vec<Duration> = (0..10).map(|_| b.failed(&e)).collect();
        assert_eq!(delays[0], FIRST);
        assert_eq!(delays[1], FIRST * 2);
        assert_eq!(delays[9], MAX);
        b.succeeded();
        assert_eq!(b.failed(&e), FIRST);
    }
}

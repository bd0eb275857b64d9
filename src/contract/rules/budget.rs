//! The backtracking budget: how long regexes that need the backtracking engine may run
//! while one request, answer or message is matched, so that their cost cannot multiply
//! over the elements of an array without bound.

use std::cell::Cell;
use std::time::{Duration, Instant};

/// The backtracking time one request, answer or message may use.
pub const BACKTRACKING_BUDGET: Duration = Duration::from_secs(1);

thread_local! {
    /// The time left in the current budget (`None`: no budget, outside matching).
    static LEFT: Cell<Option<Duration>> = const { Cell::new(None) };
    /// Backtracking runs on this thread (tests count them).
    #[cfg(test)]
    pub(super) static RUNS: Cell<usize> = const { Cell::new(0) };
}

/// A regex that was not run: the budget of this match was used up before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("not checked: backtracking regexes used up this match's budget of {BACKTRACKING_BUDGET:?}")]
pub struct OverBudget;

/// Runs `f` (matching one request, answer or message) with a budget of `budget`. Inside
/// another `with_budget` (a mock trying a request against every interaction), `f` spends
/// the outer budget: one request never gets more than one budget in all.
pub fn with_budget<T>(budget: Duration, f: impl FnOnce() -> T) -> T {
    if LEFT.get().is_some() {
        return f();
    }
    LEFT.set(Some(budget));
    let _restore = Restore(None);
    f()
}

struct Restore(Option<Duration>);

impl Drop for Restore {
    fn drop(&mut self) {
        LEFT.set(self.0);
    }
}

/// Runs one backtracking search and charges its time, or refuses once the budget is spent.
pub(super) fn spend<T>(search: impl FnOnce() -> T) -> Result<T, OverBudget> {
    let left = LEFT.get();
    if left.is_some_and(|d| d.is_zero()) {
        return Err(OverBudget);
    }
    #[cfg(test)]
    RUNS.set(RUNS.get() + 1);
    let started = Instant::now();
    let found = search();
    if let Some(d) = left {
        LEFT.set(Some(d.saturating_sub(started.elapsed())));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spend_all() -> Result<(), OverBudget> {
        spend(|| std::thread::sleep(Duration::from_millis(5)))
    }

    #[test]
    fn inner_matches_share_the_outer_budget() {
        let inner = with_budget(Duration::from_millis(1), || {
            spend_all().unwrap();
            // A second match of the same request gets no fresh budget.
            with_budget(Duration::from_secs(60), spend_all)
        });
        assert_eq!(inner, Err(OverBudget));
        assert_eq!(LEFT.get(), None, "no budget outside matching");
        assert_eq!(with_budget(Duration::from_millis(1), spend_all), Ok(()));
    }
}

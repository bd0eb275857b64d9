//! What the benches share for reading their figures: the median of a run's samples and the
//! counts (`BENCH_RUNS` and the like) read from the environment.
// Each bench includes this file and uses the part it needs.
#![allow(dead_code)]

/// The middle value (the upper one of an even count).
pub fn median<T: PartialOrd + Copy>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    sorted[sorted.len() / 2]
}

/// The count in environment variable `name`, or `default` when it is unset or not a number.
pub fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

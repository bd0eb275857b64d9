//! Durations as Chaos Mesh writes them (Go's `time.ParseDuration`: `"90ms"`, `"1m30s"`).

use std::time::Duration;

/// A duration as Go writes it, in the largest unit that keeps it whole: `"2s"`, `"1500ms"`,
/// `"250us"`.
pub fn go(d: Duration) -> String {
    let nanos = d.as_nanos();
    let units: [(u128, &str); 6] = [
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
        (1_000, "us"),
        (1, "ns"),
    ];
    if nanos == 0 {
        return "0s".into();
    }
    let (size, unit) = units
        .iter()
        .find(|(size, _)| nanos.is_multiple_of(*size))
        .copied()
        .unwrap_or((1, "ns"));
    format!("{}{unit}", nanos / size)
}

/// Reads a Go duration (`"90ms"`, `"1m30s"`, `"1.5h"`); `None` when it is not one.
pub fn parse_go(text: &str) -> Option<Duration> {
    let units: [(&str, f64); 8] = [
        ("ns", 1.0),
        ("us", 1e3),
        ("µs", 1e3),
        ("ms", 1e6),
        ("s", 1e9),
        ("m", 60e9),
        ("h", 3600e9),
        ("", 0.0),
    ];
    let mut rest = text.trim();
    if rest.is_empty() {
        return None;
    }
    let mut nanos = 0f64;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let value: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let (unit, size) = units
            .iter()
            .filter(|(u, _)| !u.is_empty() && rest.starts_with(u))
            .max_by_key(|(u, _)| u.len())?;
        rest = &rest[unit.len()..];
        nanos += value * size;
    }
    Some(Duration::from_nanos(nanos.round() as u64))
}

/// Whole seconds, rounded up, at least 1 (StatusCheck's `intervalSeconds`, `timeoutSeconds`).
pub fn ceil_secs(d: Duration) -> u64 {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    s.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_reads_go_durations() {
        let ms = Duration::from_millis;
        assert_eq!(go(ms(2000)), "2s");
        assert_eq!(go(ms(1500)), "1500ms");
        assert_eq!(go(ms(90_000)), "90s");
        assert_eq!(go(ms(120_000)), "2m");
        assert_eq!(go(Duration::ZERO), "0s");
        assert_eq!(parse_go("1m30s"), Some(ms(90_000)));
        assert_eq!(parse_go("90ms"), Some(ms(90)));
        assert_eq!(parse_go("240s"), Some(ms(240_000)));
        assert_eq!(parse_go("ten"), None);
        assert_eq!(parse_go("10"), None);
        assert_eq!(ceil_secs(ms(100)), 1);
        assert_eq!(ceil_secs(ms(2500)), 3);
    }
}

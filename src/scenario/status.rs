//! Status expectations: `"2xx"`, `"200"`, `"200-299"`.

use std::ops::RangeInclusive;

/// A set of acceptable HTTP statuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusRange(pub RangeInclusive<u16>);

impl Default for StatusRange {
    fn default() -> Self {
        StatusRange(200..=299)
    }
}

impl StatusRange {
    /// True when `status` is acceptable.
    pub fn accepts(&self, status: u16) -> bool {
        self.0.contains(&status)
    }
}

impl std::str::FromStr for StatusRange {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a status: write \"200\", \"2xx\" or \"200-299\"");
        let num = |t: &str| {
            t.trim()
                .parse::<u16>()
                .ok()
                .filter(|n| (100..=599).contains(n))
        };
        let t = s.trim();
        if let Some(class) = t.strip_suffix("xx").and_then(|c| c.parse::<u16>().ok()) {
            return (1..=5)
                .contains(&class)
                .then(|| StatusRange(class * 100..=class * 100 + 99))
                .ok_or_else(bad);
        }
        if let Some((a, b)) = t.split_once('-') {
            let (a, b) = (num(a).ok_or_else(bad)?, num(b).ok_or_else(bad)?);
            return (a <= b).then_some(StatusRange(a..=b)).ok_or_else(bad);
        }
        num(t).map(|n| StatusRange(n..=n)).ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_three_forms() {
        assert!("2xx".parse::<StatusRange>().unwrap().accepts(204));
        assert!(!"2xx".parse::<StatusRange>().unwrap().accepts(301));
        assert!("201".parse::<StatusRange>().unwrap().accepts(201));
        assert!("500-503".parse::<StatusRange>().unwrap().accepts(502));
        for bad in ["9xx", "abc", "300-200", "42"] {
            assert!(bad.parse::<StatusRange>().is_err(), "{bad}");
        }
    }
}

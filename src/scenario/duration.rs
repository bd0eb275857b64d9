//! Durations as scenario files write them: strings such as `"250ms"`, `"10s"`, `"1m 30s"`.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration read from a human string (`"250ms"`, `"2s"`, `"1m"`).
///
/// ```
/// use shakedown::scenario::Dur;
/// let d: Dur = "1m 30s".parse().unwrap();
/// assert_eq!(d.as_millis(), 90_000);
/// assert!("ten seconds".parse::<Dur>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default, Hash)]
pub struct Dur(pub Duration);

/// The longest duration a scenario may write: a week.
pub const MAX: Dur = Dur(Duration::from_secs(7 * 24 * 60 * 60));

impl Dur {
    /// A duration of this many milliseconds.
    pub const fn ms(ms: u64) -> Self {
        Dur(Duration::from_millis(ms))
    }

    /// A duration of this many seconds.
    pub const fn secs(s: u64) -> Self {
        Dur(Duration::from_secs(s))
    }

    /// Whole milliseconds.
    pub fn as_millis(self) -> u64 {
        u64::try_from(self.0.as_millis()).unwrap_or(u64::MAX)
    }
}

impl std::str::FromStr for Dur {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let d = humantime::parse_duration(s.trim()).map_err(|e| {
            format!("{s:?} is not a duration ({e}); write e.g. \"250ms\", \"10s\", \"1m\"")
        })?;
        if d > MAX.0 {
            return Err(format!(
                "{s:?} is more than a week: no experiment runs that long (and the timeline \
                 would overflow the clock)"
            ));
        }
        Ok(Dur(d))
    }
}

impl fmt::Display for Dur {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", humantime::format_duration(self.0))
    }
}

impl From<Dur> for Duration {
    fn from(d: Dur) -> Duration {
        d.0
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl JsonSchema for Dur {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A duration: a number and a unit (ms, s, m, h), e.g. \"250ms\", \"10s\", \"1m 30s\".",
            "pattern": "^\\s*([0-9]+(\\.[0-9]+)?\\s*(ns|us|µs|ms|s|sec|secs|m|min|mins|h|hr|hrs)\\s*)+$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units_and_rejects_words() {
        assert_eq!("250ms".parse::<Dur>().unwrap(), Dur::ms(250));
        assert_eq!("10s".parse::<Dur>().unwrap(), Dur::secs(10));
        assert_eq!("2m".parse::<Dur>().unwrap(), Dur::secs(120));
        assert!("10".parse::<Dur>().is_err());
        assert!("".parse::<Dur>().is_err());
    }

    #[test]
    fn displays_what_it_parses() {
        for s in ["250ms", "10s", "1m 30s"] {
            let d: Dur = s.parse().unwrap();
            assert_eq!(d.to_string().parse::<Dur>().unwrap(), d);
        }
    }
}

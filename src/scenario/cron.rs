//! A scenario's `schedule`: a cron expression as Chaos Mesh's `Schedule` takes it, its shape
//! checked when the file is read.

use std::borrow::Cow;
use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A cron expression: five fields (`"0 3 * * 1-5"`), a named period (`"@hourly"`, `"@daily"`
/// …) or `"@every DURATION"` (`"@every 30m"`).
///
/// ```
/// use shakedown::scenario::Cron;
/// assert!("0 3 * * 1-5".parse::<Cron>().is_ok());
/// assert!("@every 1h30m".parse::<Cron>().is_ok());
/// assert!("every day".parse::<Cron>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cron(String);

const NAMED: &[&str] = &[
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@midnight",
    "@hourly",
];

impl Cron {
    /// The expression as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Cron {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let text = s.trim();
        let ok = if let Some(every) = text.strip_prefix("@every ") {
            go_duration(every.trim())
        } else if text.starts_with('@') {
            NAMED.contains(&text)
        } else {
            let fields: Vec<&str> = text.split_whitespace().collect();
            fields.len() == 5 && fields.iter().all(|f| field(f))
        };
        if ok {
            Ok(Cron(text.to_string()))
        } else {
            Err(format!(
                "{s:?} is not a cron expression: write five fields (minute hour day month \
                 weekday, e.g. \"0 3 * * 1-5\"), @hourly, @daily, @weekly, @monthly, @yearly, \
                 or \"@every 30m\""
            ))
        }
    }
}

/// One field: numbers, names, `*`, `?`, ranges, lists and steps.
fn field(f: &str) -> bool {
    f.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '?' | '-' | ',' | '/'))
}

/// A Go duration: numbers with units, no spaces (`1h30m`, `90s`).
fn go_duration(d: &str) -> bool {
    let units = ["ns", "us", "µs", "ms", "s", "m", "h"];
    let mut rest = d;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let Some(unit) = units
            .iter()
            .filter(|u| rest.starts_with(**u))
            .max_by_key(|u| u.len())
        else {
            return false;
        };
        rest = &rest[unit.len()..];
    }
    true
}

impl fmt::Display for Cron {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Cron {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl Serialize for Cron {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl JsonSchema for Cron {
    fn schema_name() -> Cow<'static, str> {
        "Cron".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "description": "A cron expression: five fields (\"0 3 * * 1-5\"), @hourly, @daily, @weekly, @monthly, @yearly, or \"@every 30m\".",
            "pattern": "^\\s*(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|@every [0-9][0-9a-zµ.]*|[0-9A-Za-z*?,/-]+( +[0-9A-Za-z*?,/-]+){4})\\s*$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_forms_chaos_mesh_takes() {
        for ok in [
            "*/5 * * * *",
            "0 3 * * MON-FRI",
            "@hourly",
            "@every 2s",
            "@every 1h30m",
        ] {
            assert!(ok.parse::<Cron>().is_ok(), "{ok}");
        }
        for bad in [
            "* * * *",
            "@sometimes",
            "@every soon",
            "@every ",
            "0 3 * * 1 2",
            "x;y * * * *",
        ] {
            assert!(bad.parse::<Cron>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_bad_schedule_is_located_in_the_scenario() {
        let text = "name = \"x\"\nschedule = \"every day\"\n[services.a]\ncommand = [\"true\"]\n";
        let p = crate::scenario::parse(text, "s.toml".as_ref()).unwrap_err();
        assert!(
            p[0].to_string()
                .starts_with("s.toml:2:12: \"every day\" is not a cron expression"),
            "{p:?}"
        );
    }
}

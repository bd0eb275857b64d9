//! Java-style date/time format patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`) as carried by Pact's
//! `date`, `time` and `timestamp` matchers and generators: parsing, checking values, formatting.
//!
//! The letters follow `java.time.format.DateTimeFormatter` (with `u` = proleptic year, `e`/`c`
//! = ISO day-of-week number, Monday = 1). Parsing of values is a little more lenient than Java
//! where that is harmless: names are case-insensitive, and text fields (`MMM`, `EEE`, `G`)
//! accept both the short and the full name.

mod fields;
#[cfg(test)]
mod fixtures;
mod format;
mod iso;
mod names;
mod pattern;
mod resolve;
mod scan;
mod scanner;
mod token;

pub use iso::{check_iso, DateKind};
pub use pattern::{DateTimePattern, PatternError, DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME};

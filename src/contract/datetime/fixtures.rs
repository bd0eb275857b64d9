//! Test fixtures shared by the date/time tests: a pattern parser that panics on bad
//! patterns, and patterns that read back what they write.

use super::{DateTimePattern, DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME};

pub(super) fn p(s: &str) -> DateTimePattern {
    DateTimePattern::parse(s).expect("valid pattern")
}

/// Patterns that read back what they write.
pub(super) const SANE: &[&str] = &[
    DEFAULT_DATE,
    DEFAULT_TIME,
    DEFAULT_DATETIME,
    "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
    "EEE, dd MMM yyyy HH:mm:ss zzz",
    "EEEE, MMMM d, yyyy G",
    "MM/dd/yyyy hh:mm a",
    "yyyy-MM-dd'T'HH:mm:ssZ",
    "yyyyMMddHHmmssSSS",
    "uuuu-DDD'T'k:mm:ss.nnnnnnnnn xxxxx",
    "yy-M-d h:m:s a O",
    "YYYY-'W'ww-e HH:mm OOOO",
    "A N",
    "QQQQ yyyy ZZZZ VV",
];

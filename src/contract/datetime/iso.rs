//! ISO-8601 checks for date, time and timestamp matchers written without a format.

use super::fields::{Fields, F};
use super::resolve::resolve_date;
use super::scan::signed_offset;
use super::scanner::Scanner;

/// Which kind of value an ISO-8601 check expects, see [`check_iso`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    /// `2024-02-29`.
    Date,
    /// `13:45`, `13:45:30`, `13:45:30.123Z`, `13:45:30+02:00`.
    Time,
    /// `2024-02-29T13:45:30`, with `T` or a space, optional fraction and offset.
    DateTime,
}

/// Checks an ISO-8601 value of the given kind, for a matcher with no format: a date
/// (`2024-02-29`); a time (`13:45`, `13:45:30`, optional `.fraction` and `Z`/`±hh:mm`/`±hhmm`
/// offset); a date-time (date, `T` or a space, time).
///
/// ```
/// use shakedown::contract::datetime::{check_iso, DateKind};
/// assert!(check_iso(DateKind::DateTime, "2024-02-29T13:45:30.5+01:00").is_ok());
/// assert!(check_iso(DateKind::Date, "2024-02-30").is_err());
/// assert!(check_iso(DateKind::Time, "24:00:00").is_err());
/// ```
pub fn check_iso(kind: DateKind, value: &str) -> Result<(), String> {
    let mut sc = Scanner { s: value, pos: 0 };
    let mut fields = Fields::default();
    if matches!(kind, DateKind::Date | DateKind::DateTime) {
        iso_date(&mut sc, &mut fields)?;
    }
    if kind == DateKind::DateTime && !["T", "t", " "].iter().any(|s| sc.eat(s)) {
        return Err(format!(
            "expected 'T' at position {} but found {}",
            sc.pos,
            sc.found()
        ));
    }
    if matches!(kind, DateKind::Time | DateKind::DateTime) {
        iso_time(&mut sc, &mut fields)?;
    }
    if sc.pos < value.len() {
        return Err(format!(
            "unexpected text '{}' at position {}",
            sc.rest(),
            sc.pos
        ));
    }
    resolve_date(&fields)
}

fn iso_date(sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    fields.set(F::Year, sc.number(4, 4, 0, "year")?)?;
    sc.expect("-")?;
    fields.set(F::Month, sc.number(2, 2, 0, "month")?)?;
    sc.expect("-")?;
    fields.set(F::Day, sc.number(2, 2, 0, "day-of-month")?)
}

fn iso_time(sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    fields.set(F::Hour, sc.number(2, 2, 0, "hour")?)?;
    sc.expect(":")?;
    fields.set(F::Minute, sc.number(2, 2, 0, "minute")?)?;
    if sc.eat(":") {
        fields.set(F::Second, sc.number(2, 2, 0, "second")?)?;
        if sc.eat(".") || sc.eat(",") {
            sc.number(1, 9, 0, "fraction of second")?;
        }
    }
    if sc.eat("Z") || sc.eat("z") || sc.pos == sc.s.len() {
        return Ok(());
    }
    let start = sc.pos;
    let secs = signed_offset(sc, true, true, false).or_else(|_| {
        sc.pos = start;
        signed_offset(sc, false, false, false)
    })?;
    fields.set(F::Offset, secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_checks() {
        use DateKind::*;
        for (kind, value) in [
            (Date, "2024-02-29"),
            (Time, "13:45"),
            (Time, "13:45:30"),
            (Time, "13:45:30.123456789Z"),
            (Time, "13:45:30+01:00"),
            (Time, "13:45:30-0130"),
            (DateTime, "2024-02-29T13:45:30"),
            (DateTime, "2024-02-29 13:45:30.5+01:00"),
            (DateTime, "2024-02-29T13:45:30Z"),
        ] {
            assert_eq!(check_iso(kind, value), Ok(()), "{value}");
        }
        for (kind, value) in [
            (Date, "2023-02-29"),
            (Date, "2024-2-29"),
            (Date, "2024-02-29T00:00:00"),
            (Time, "25:00:00"),
            (Time, "13:45:30.Z"),
            (Time, "13:45:30+25:00"),
            (DateTime, "2024-02-29"),
            (DateTime, "2024-02-29X13:45:30"),
        ] {
            assert!(check_iso(kind, value).is_err(), "{value}");
        }
    }
}

//! Reading a value with a pattern: each token in turn, numbers by width, names, quarters,
//! offsets and zones, into Fields.

use super::fields::{Fields, F};
use super::names::{narrow, short, DAYS, ERAS, MONTHS, QUARTERS, ZONE_NAMES};
use super::scanner::Scanner;
use super::token::{Field, Letter, Token};

/// Reads `tokens` from the scanner into `fields`.
pub(super) fn scan_tokens(
    tokens: &[Token],
    sc: &mut Scanner,
    fields: &mut Fields,
) -> Result<(), String> {
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Literal(text) => sc.expect(text)?,
            Token::Field(f) => scan_field(*f, &tokens[i + 1..], sc, fields)?,
            Token::Optional(inner) => scan_optional(inner, sc, fields),
        }
    }
    Ok(())
}

/// An optional section is taken when it matches, and skipped otherwise.
fn scan_optional(tokens: &[Token], sc: &mut Scanner, fields: &mut Fields) {
    let (start, saved) = (sc.pos, fields.clone());
    if scan_tokens(tokens, sc, fields).is_err() {
        sc.pos = start;
        *fields = saved;
    }
}

/// `(min, max)` digits of a numeric field, `None` for a text field.
fn numeric_width(f: Field) -> Option<(usize, usize)> {
    use Letter::*;
    let c = f.count;
    let var_or_fixed = |natural: usize| if c == 1 { (1, natural) } else { (c, c) };
    match f.letter {
        YearOfEra | Year | WeekYear if c == 2 => Some((2, 2)),
        YearOfEra | Year | WeekYear => Some((c, 9)),
        Month | LocalDayOfWeek | Quarter if c > 2 => None,
        Month => Some(var_or_fixed(2)),
        LocalDayOfWeek | Quarter => Some(var_or_fixed(1)),
        DayOfMonth | ClockHourAmPm | HourOfDay | ClockHourOfDay | HourAmPm | Minute | Second
        | WeekOfYear => Some(var_or_fixed(2)),
        DayOfYear => Some((c, 3)),
        Fraction => Some((c, c)),
        NanoOfSecond | MilliOfDay => Some((c, 9)),
        NanoOfDay => Some((c, 14)),
        _ => None,
    }
}

/// Digits that the fixed-width numeric fields right after a field need.
fn reserved_after(rest: &[Token]) -> usize {
    rest.iter()
        .map_while(|t| match t {
            Token::Field(f) => numeric_width(*f)
                .filter(|(lo, hi)| lo == hi)
                .map(|(lo, _)| lo),
            _ => None,
        })
        .sum()
}

fn scan_field(
    f: Field,
    rest: &[Token],
    sc: &mut Scanner,
    fields: &mut Fields,
) -> Result<(), String> {
    match numeric_width(f) {
        Some((min, max)) => scan_number(f, min, max, reserved_after(rest), sc, fields),
        None => scan_text(f, sc, fields),
    }
}

fn scan_number(
    f: Field,
    min: usize,
    max: usize,
    reserve: usize,
    sc: &mut Scanner,
    fields: &mut Fields,
) -> Result<(), String> {
    use Letter::*;
    let signed = matches!(f.letter, Year | WeekYear) && f.count != 2;
    let negative = signed && sc.eat("-");
    if signed && !negative {
        sc.eat("+");
    }
    let target = numeric_target(f.letter);
    let value = sc.number(min, max, if min < max { reserve } else { 0 }, target.name())?;
    let value = if negative { -value } else { value };
    match f.letter {
        YearOfEra | Year | WeekYear if f.count == 2 => {
            fields.reduced_year = true;
            fields.set(target, 2000 + value)
        }
        Fraction => fields.set(target, value * 10i64.pow(9 - f.count as u32)),
        _ => fields.set(target, value),
    }
}

fn numeric_target(letter: Letter) -> F {
    use Letter::*;
    match letter {
        YearOfEra => F::YearOfEra,
        Year => F::Year,
        WeekYear => F::WeekYear,
        Month => F::Month,
        DayOfMonth => F::Day,
        DayOfYear => F::DayOfYear,
        LocalDayOfWeek => F::Weekday,
        ClockHourAmPm => F::ClockHourAmPm,
        HourOfDay => F::Hour,
        ClockHourOfDay => F::ClockHourDay,
        HourAmPm => F::HourAmPm,
        Minute => F::Minute,
        Second => F::Second,
        Fraction | NanoOfSecond => F::Nano,
        MilliOfDay => F::MilliOfDay,
        NanoOfDay => F::NanoOfDay,
        Quarter => F::Quarter,
        WeekOfYear => F::Week,
        _ => F::Offset,
    }
}

fn scan_text(f: Field, sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    use Letter::*;
    let narrow_only = f.count == 5;
    match f.letter {
        Era => {
            let names = ERAS.iter().flat_map(|e| e.iter().copied().enumerate());
            let era = sc.name(names, "an era (AD or BC)")?;
            fields.set(F::Era, era as i64)
        }
        Month if narrow_only => sc
            .name(MONTHS.map(narrow).into_iter().enumerate(), "a month letter")
            .map(drop),
        Month => {
            let m = sc.name(both_forms(&MONTHS), "a month name")?;
            fields.set(F::Month, m as i64 + 1)
        }
        DayName | LocalDayOfWeek if narrow_only => sc
            .name(
                DAYS.map(narrow).into_iter().enumerate(),
                "a day-of-week letter",
            )
            .map(drop),
        DayName | LocalDayOfWeek => {
            let d = sc.name(both_forms(&DAYS), "a day-of-week name")?;
            fields.set(F::Weekday, d as i64 + 1)
        }
        AmPm => {
            let a = sc.name([(0, "AM"), (1, "PM")], "AM or PM")?;
            fields.set(F::AmPm, a as i64)
        }
        Quarter => scan_quarter(f.count, sc, fields),
        ZoneName => scan_zone_name(sc, fields),
        ZoneId => scan_zone_id(sc, fields),
        LocalizedOffset => scan_gmt_offset(sc, fields),
        OffsetX => scan_iso_offset(f.count, true, sc, fields),
        OffsetLowerX => scan_iso_offset(f.count, false, sc, fields),
        OffsetZ => match f.count {
            4 => scan_gmt_offset(sc, fields),
            5 => scan_iso_offset(5, true, sc, fields),
            _ => scan_iso_offset(2, false, sc, fields),
        },
        _ => Err(format!("internal: {:?} is not a text field", f.letter)),
    }
}

fn both_forms<'a>(names: &'a [&'a str]) -> impl Iterator<Item = (usize, &'a str)> + 'a {
    names
        .iter()
        .enumerate()
        .flat_map(|(i, n)| [(i, *n), (i, short(n))])
}

fn scan_quarter(count: usize, sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    let q = if count == 5 {
        sc.number(1, 1, 0, "quarter")?
    } else {
        let labels = ["Q1", "Q2", "Q3", "Q4"];
        let names = labels
            .iter()
            .chain(QUARTERS.iter())
            .enumerate()
            .map(|(i, n)| (i % 4, *n));
        sc.name(names, "a quarter (Q1 or 1st quarter)")? as i64 + 1
    };
    fields.set(F::Quarter, q)
}

/// `±HH`, `±HHMM`, `±HH:MM`, ... as for `X`/`x` with `count` letters; `z_ok` allows `Z`.
fn scan_iso_offset(
    count: usize,
    z_ok: bool,
    sc: &mut Scanner,
    fields: &mut Fields,
) -> Result<(), String> {
    if z_ok && sc.eat("Z") {
        return fields.set(F::Offset, 0);
    }
    let colon = count == 3 || count == 5;
    let secs = signed_offset(sc, colon, count != 1, count >= 4)?;
    fields.set(F::Offset, secs)
}

/// A sign then `HH`, optional/required minutes, optional seconds.
pub(super) fn signed_offset(
    sc: &mut Scanner,
    colon: bool,
    need_minutes: bool,
    allow_seconds: bool,
) -> Result<i64, String> {
    let sign = match sc.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => {
            return Err(format!(
                "expected an offset like +01:00 at position {} but found {}",
                sc.pos,
                sc.found()
            ))
        }
    };
    sc.pos += 1;
    let hours = sc.number(2, 2, 0, "offset hours")?;
    let minutes = offset_part(sc, colon, need_minutes, "offset minutes")?;
    let seconds = match minutes {
        Some(_) if allow_seconds => offset_part(sc, colon, false, "offset seconds")?,
        _ => None,
    };
    offset_seconds(sign, hours, minutes.unwrap_or(0), seconds.unwrap_or(0))
}

fn offset_part(
    sc: &mut Scanner,
    colon: bool,
    required: bool,
    what: &str,
) -> Result<Option<i64>, String> {
    let start = sc.pos;
    let has_sep = !colon || sc.eat(":");
    if has_sep && sc.digits_ahead() >= 2 {
        return sc.number(2, 2, 0, what).map(Some);
    }
    sc.pos = start;
    if required {
        Err(sc.digits_error(2, 2, what))
    } else {
        Ok(None)
    }
}

fn offset_seconds(sign: i64, hours: i64, minutes: i64, seconds: i64) -> Result<i64, String> {
    if hours > 18 || minutes > 59 || seconds > 59 {
        return Err(format!(
            "offset {hours:02}:{minutes:02}:{seconds:02} is out of range"
        ));
    }
    Ok(sign * (hours * 3600 + minutes * 60 + seconds))
}

/// `GMT`, `GMT+8`, `GMT-03:30`, `GMT+08:00:15` (also `UTC`/`UT` prefixes).
fn scan_gmt_offset(sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    if !["GMT", "UTC", "UT"].iter().any(|p| sc.eat_ignore_case(p)) {
        return Err(format!(
            "expected an offset like GMT+01:00 at position {} but found {}",
            sc.pos,
            sc.found()
        ));
    }
    let secs = short_offset(sc)?.unwrap_or(0);
    fields.set(F::Offset, secs)
}

/// An optional `±H[H][:MM[:SS]]` or `±HHMM` after `GMT`.
fn short_offset(sc: &mut Scanner) -> Result<Option<i64>, String> {
    let sign = match sc.peek() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Ok(None),
    };
    sc.pos += 1;
    if sc.digits_ahead() == 4 {
        let hhmm = sc.number(4, 4, 0, "offset")?;
        return offset_seconds(sign, hhmm / 100, hhmm % 100, 0).map(Some);
    }
    let hours = sc.number(1, 2, 0, "offset hours")?;
    let minutes = offset_part(sc, true, false, "offset minutes")?;
    let seconds = match minutes {
        Some(_) => offset_part(sc, true, false, "offset seconds")?,
        None => None,
    };
    offset_seconds(sign, hours, minutes.unwrap_or(0), seconds.unwrap_or(0)).map(Some)
}

fn scan_zone_name(sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    let start = sc.pos;
    if scan_gmt_offset(sc, fields).is_ok() {
        return Ok(());
    }
    sc.pos = start;
    sc.name(ZONE_NAMES.iter().copied().enumerate(), "a time-zone name")
        .map(drop)
}

/// `Europe/London`, `America/Argentina/Buenos_Aires`, `UTC`, `Z`, `+02:00`, `GMT+2`.
fn scan_zone_id(sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
    if matches!(sc.peek(), Some(b'+' | b'-')) {
        let secs = signed_offset(sc, true, true, true)?;
        return fields.set(F::Offset, secs);
    }
    let len = sc
        .rest()
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || b"/_-+~".contains(b))
        .count();
    let id = &sc.rest()[..len];
    if id.contains('/') && id.split('/').all(|part| !part.is_empty()) {
        sc.pos += len;
        return Ok(());
    }
    if sc.eat("Z") {
        return fields.set(F::Offset, 0);
    }
    scan_gmt_offset(sc, fields).map_err(|_| {
        format!(
            "expected a time-zone id at position {} but found {}",
            sc.pos,
            sc.found()
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::contract::datetime::check_iso;
    use crate::contract::datetime::fixtures::{p, SANE};
    use crate::contract::datetime::{DateKind, DateTimePattern};
    use proptest::prelude::*;

    #[test]
    fn checks_common_pact_formats() {
        let ok = [
            ("yyyy-MM-dd", "2024-02-29"),
            ("HH:mm:ss", "00:00:00"),
            (
                "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "2024-02-29T13:45:30.123+05:30",
            ),
            ("yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "2024-02-29T13:45:30.123Z"),
            (
                "EEE, dd MMM yyyy HH:mm:ss zzz",
                "Thu, 29 Feb 2024 13:45:30 GMT",
            ),
            (
                "EEE, dd MMM yyyy HH:mm:ss zzz",
                "Thu, 29 Feb 2024 13:45:30 PST",
            ),
            ("MM/dd/yyyy hh:mm a", "12/31/1999 12:00 AM"),
            ("yyyy-MM-dd'T'HH:mm:ssZ", "2024-02-29T13:45:30+0100"),
            ("yyyyMMdd", "20240229"),
            ("yyyyMMddHHmmss", "20240229134530"),
            ("d/M/yy", "1/2/24"),
            ("EEEE, MMMM d, yyyy", "Thursday, February 29, 2024"),
            ("yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-02-29T13:45:30"),
            ("yyyy-MM-dd'T'HH:mm:ss[.SSS]", "2024-02-29T13:45:30.999"),
            ("G yyyy", "BC 0044"),
            ("uuuu-DDD", "2024-366"),
            ("HH:mm VV", "10:00 Europe/London"),
            ("HH:mm O", "10:00 GMT+5:30"),
            ("HH:mm:ss.n", "10:00:00.5"),
            ("QQQ yyyy", "Q1 2024"),
        ];
        for (pattern, value) in ok {
            assert_eq!(p(pattern).check(value), Ok(()), "{pattern} / {value}");
        }
    }

    #[test]
    fn rejects_bad_values_with_reasons() {
        let bad = [
            ("yyyy-MM-dd", "2024-13-01", "month 13 is out of range"),
            ("yyyy-MM-dd", "2023-02-29", "not a valid date"),
            ("yyyy-MM-dd", "2024-02-30", "not a valid date"),
            ("MM-dd", "02-30", "out of range for February"),
            ("yyyy-MM-dd", "2024-02-2", "expected 2 digits"),
            ("yyyy-MM-dd", "2024/02/29", "expected '-'"),
            ("yyyy-MM-dd", "2024-02-29x", "unexpected text 'x'"),
            ("HH:mm:ss", "24:00:00", "hour 24 is out of range"),
            ("HH:mm:ss", "12:60:00", "minute 60"),
            (
                "EEE yyyy-MM-dd",
                "Mon 2024-02-29",
                "is a Thursday, not a Monday",
            ),
            ("hh:mm a", "13:00 PM", "clock-hour-of-am-pm 13"),
            ("HH a", "13 AM", "conflicts with AM"),
            ("MMM yyyy", "Foo 2024", "expected a month name"),
            (
                "yyyy-MM-dd'T'HH:mm:ssXXX",
                "2024-02-29T13:45:30+0100",
                "offset minutes",
            ),
            (
                "yyyy-MM-dd'T'HH:mm:ssZ",
                "2024-02-29T13:45:30Z",
                "expected an offset",
            ),
            ("yyyy", "", "the end of the value"),
        ];
        for (pattern, value, reason) in bad {
            let err = p(pattern).check(value).unwrap_err();
            assert!(err.contains(reason), "{pattern} / {value}: {err}");
        }
    }

    /// Pattern letters, quotes, brackets and separators, in any order.
    const PATTERN_SOUP: &str = "[-GyuYMLdDEeahHkKmsSnAzZXxVOQqw' \\[\\]:./T]{0,20}";

    proptest! {
        #[test]
        fn check_never_panics(pattern in PATTERN_SOUP, value in "\\PC{0,40}") {
            if let Ok(pat) = DateTimePattern::parse(&pattern) {
                let _ = pat.check(&value);
            }
            let _ = check_iso(DateKind::DateTime, &value);
        }

        #[test]
        fn check_never_panics_on_digit_soup(value in "[0-9:+\\-TZ. ]{0,30}", idx in 0..SANE.len()) {
            let _ = p(SANE[idx]).check(&value);
        }
    }
}

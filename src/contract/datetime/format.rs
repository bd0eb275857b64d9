//! Formatting a date-time with a pattern: numbers padded, names, years and eras, fractions,
//! offsets and zones.

use chrono::{DateTime, Datelike, FixedOffset, Timelike};

use super::names::{narrow, quarter_name, short, DAYS, ERAS, MONTHS};
use super::token::{Field, Letter, Token};

/// Writes `at` as `tokens` say.
pub(super) fn format_tokens(tokens: &[Token], at: &DateTime<FixedOffset>, out: &mut String) {
    for token in tokens {
        match token {
            Token::Literal(text) => out.push_str(text),
            Token::Field(f) => format_field(*f, at, out),
            Token::Optional(inner) => format_tokens(inner, at, out),
        }
    }
}

fn pad(out: &mut String, value: i64, width: usize) {
    if value < 0 {
        out.push('-');
    }
    out.push_str(&format!("{:0width$}", value.unsigned_abs()));
}

fn pick(count: usize, full: &str) -> &str {
    match count {
        4 => full,
        5 => narrow(full),
        _ => short(full),
    }
}

fn format_field(f: Field, at: &DateTime<FixedOffset>, out: &mut String) {
    use Letter::*;
    let c = f.count;
    match f.letter {
        Era | YearOfEra | Year | WeekYear => format_year(f, at, out),
        Month if c >= 3 => out.push_str(pick(c, MONTHS[at.month0() as usize % 12])),
        DayName => out.push_str(pick(
            c,
            DAYS[at.weekday().num_days_from_monday() as usize % 7],
        )),
        LocalDayOfWeek if c >= 3 => out.push_str(pick(
            c,
            DAYS[at.weekday().num_days_from_monday() as usize % 7],
        )),
        AmPm => out.push_str(if at.hour() < 12 { "AM" } else { "PM" }),
        Fraction => format_fraction(at.nanosecond() % 1_000_000_000, c, out),
        Quarter if c == 3 => out.push_str(&format!("Q{}", at.month0() / 3 + 1)),
        Quarter if c == 4 => out.push_str(quarter_name(at.month0() / 3 + 1)),
        Quarter if c == 5 => pad(out, numeric_value(f.letter, at), 1),
        ZoneName | ZoneId | LocalizedOffset | OffsetX | OffsetLowerX | OffsetZ => {
            format_zone(f, at.offset().local_minus_utc(), out)
        }
        _ => pad(out, numeric_value(f.letter, at), c),
    }
}

fn numeric_value(letter: Letter, at: &DateTime<FixedOffset>) -> i64 {
    use Letter::*;
    let nanos = i64::from(at.nanosecond() % 1_000_000_000);
    let secs_of_day = i64::from(at.num_seconds_from_midnight());
    let v = match letter {
        Month => at.month(),
        DayOfMonth => at.day(),
        DayOfYear => at.ordinal(),
        LocalDayOfWeek => at.weekday().number_from_monday(),
        ClockHourAmPm => (at.hour() + 11) % 12 + 1,
        HourOfDay => at.hour(),
        ClockHourOfDay => (at.hour() + 23) % 24 + 1,
        HourAmPm => at.hour() % 12,
        Minute => at.minute(),
        Second => at.second(),
        Quarter => at.month0() / 3 + 1,
        WeekOfYear => at.iso_week().week(),
        NanoOfSecond => return nanos,
        MilliOfDay => return secs_of_day * 1000 + nanos / 1_000_000,
        NanoOfDay => return secs_of_day * 1_000_000_000 + nanos,
        _ => 0,
    };
    i64::from(v)
}

fn format_year(f: Field, at: &DateTime<FixedOffset>, out: &mut String) {
    let year = i64::from(at.year());
    let yoe = if year <= 0 { 1 - year } else { year };
    let (value, signed) = match f.letter {
        Letter::Era => {
            let era = ERAS[[0, 0, 0, 1, 2][f.count.clamp(1, 5) - 1]][usize::from(year > 0)];
            out.push_str(era);
            return;
        }
        Letter::YearOfEra => (yoe, false),
        Letter::WeekYear => (i64::from(at.iso_week().year()), true),
        _ => (year, true),
    };
    if f.count == 2 {
        pad(out, value.rem_euclid(100), 2);
    } else if signed {
        pad(out, value, f.count);
    } else {
        pad(out, value.abs(), f.count);
    }
}

fn format_fraction(nanos: u32, count: usize, out: &mut String) {
    let digits = format!("{nanos:09}");
    out.push_str(&digits[..count.min(9)]);
}

fn format_zone(f: Field, secs: i32, out: &mut String) {
    use Letter::*;
    let c = f.count;
    let text = match f.letter {
        ZoneName if secs == 0 && c == 4 => "Coordinated Universal Time".to_string(),
        ZoneName if secs == 0 => "UTC".to_string(),
        ZoneName => format!("GMT{}", iso_offset(secs, true, false)),
        ZoneId if secs == 0 => "Z".to_string(),
        ZoneId => iso_offset(secs, true, true),
        LocalizedOffset => gmt_offset(secs, c == 4),
        OffsetZ if c == 4 => gmt_offset(secs, true),
        OffsetZ if c == 5 && secs == 0 => "Z".to_string(),
        OffsetZ if c == 5 => iso_offset(secs, true, true),
        OffsetZ => iso_offset(secs, false, false),
        OffsetX if secs == 0 => "Z".to_string(),
        _ if c == 1 => hour_offset(secs),
        _ => iso_offset(secs, c == 3 || c == 5, c >= 4),
    };
    out.push_str(&text);
}

/// `+01`, or `+0130` when the minutes are not zero (`X`, `x`).
fn hour_offset(secs: i32) -> String {
    let full = iso_offset(secs, false, false);
    if full.ends_with("00") {
        full[..3].to_string()
    } else {
        full
    }
}

/// `+hh:mm` / `+hhmm`, with `:ss`/`ss` when `seconds` and they are not zero.
fn iso_offset(secs: i32, colon: bool, seconds: bool) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let sep = if colon { ":" } else { "" };
    let mut s = format!("{sign}{:02}{sep}{:02}", a / 3600, a / 60 % 60);
    if seconds && !a.is_multiple_of(60) {
        s.push_str(&format!("{sep}{:02}", a % 60));
    }
    s
}

/// `GMT`, `GMT+8`, `GMT+5:30` (short) or `GMT+08:00` (full).
fn gmt_offset(secs: i32, full: bool) -> String {
    if secs == 0 {
        return "GMT".to_string();
    }
    if full {
        return format!("GMT{}", iso_offset(secs, true, true));
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let mut s = format!("GMT{sign}{}", a / 3600);
    if !a.is_multiple_of(3600) {
        s.push_str(&format!(":{:02}", a / 60 % 60));
    }
    if !a.is_multiple_of(60) {
        s.push_str(&format!(":{:02}", a % 60));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::datetime::fixtures::{p, SANE};
    use chrono::{NaiveDate, TimeZone, Utc};
    use proptest::prelude::*;

    fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).expect("valid timestamp")
    }

    #[test]
    fn formats_fields() {
        let t = at("2024-03-05T14:07:09.123456789+05:30");
        let cases = [
            (
                "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
                "2024-03-05T14:07:09.123+05:30",
            ),
            ("yy M d H m s", "24 3 5 14 7 9"),
            ("EEEE, MMMM d, G uuuu", "Tuesday, March 5, AD 2024"),
            ("EEEEE MMMMM GGGG", "T M Anno Domini"),
            ("hh:mm a k K D DDD", "02:07 PM 14 2 65 065"),
            (
                "X XX XXX x Z ZZZZ ZZZZZ O OOOO",
                "+0530 +0530 +05:30 +0530 +0530 GMT+05:30 +05:30 GMT+5:30 GMT+05:30",
            ),
            ("z zzzz VV", "GMT+05:30 GMT+05:30 +05:30"),
            ("SSSSSSSSS n A", "123456789 123456789 50829123"),
            ("Q QQQ QQQQ e eee w", "1 Q1 1st quarter 2 Tue 10"),
            ("'T''s' [HH]", "T's 14"),
        ];
        for (pattern, want) in cases {
            assert_eq!(p(pattern).format(&t), want, "{pattern}");
        }
        let utc = Utc
            .with_ymd_and_hms(2024, 1, 1, 0, 0, 0)
            .unwrap()
            .fixed_offset();
        assert_eq!(
            p("X x zzz zzzz VV O").format(&utc),
            "Z +00 UTC Coordinated Universal Time Z GMT"
        );
        let bc = NaiveDate::from_ymd_opt(-43, 3, 15)
            .and_then(|d| d.and_hms_opt(12, 0, 0))
            .map(|t| t.and_utc().fixed_offset())
            .expect("valid date");
        assert_eq!(p("G yyyy uuuu").format(&bc), "BC 0044 -0043");
    }

    proptest! {
        #[test]
        fn formatted_values_check(
            secs in -2_000_000_000i64..8_000_000_000,
            nanos in 0u32..1_000_000_000,
            offset_min in -1080i32..=1080,
            idx in 0..SANE.len(),
        ) {
            let offset = FixedOffset::east_opt(offset_min * 60).unwrap();
            let t = DateTime::from_timestamp(secs, nanos).unwrap().with_timezone(&offset);
            let pat = p(SANE[idx]);
            let text = pat.format(&t);
            prop_assert_eq!(pat.check(&text), Ok(()), "{} formatted {}", SANE[idx], text);
        }
    }
}

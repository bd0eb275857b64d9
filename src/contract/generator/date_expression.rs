//! Pact's date expression language (`today + 1 day @ noon`): tokens, parsing, and moving a
//! time by anchors and steps.

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveTime, TimeDelta, Weekday};

use super::error::{bad_expression, GeneratorError};

/// Evaluates a Pact date/time expression relative to `now`. An expression is an optional
/// date part and an optional `@ time` part; each is an optional base then `+`/`-` steps:
///
/// * bases: `now`, `today`, `tomorrow`, `yesterday`, `midnight`, `noon`, `10 o'clock`
///   (`am`/`pm` optional; without them the hour is 0-23), `next week`, `last month`,
///   `next fortnight`, `next monday`, `last january`, ...;
/// * steps: `+ 1 day`, `- 2 hours`, in years, months, weeks, fortnights, days, hours,
///   minutes, seconds or milliseconds (singular or plural).
///
/// The empty expression is `now`. Month steps keep the day where they can (Jan 31 + 1 month
/// is the last day of February).
///
/// ```
/// use shakedown::contract::generator::eval_date_expression;
/// let now = chrono::DateTime::parse_from_rfc3339("2024-01-31T10:30:00+01:00").unwrap();
/// let at = eval_date_expression("today + 1 day @ noon", now).unwrap();
/// assert_eq!(at.to_rfc3339(), "2024-02-01T12:00:00+01:00");
/// assert!(eval_date_expression("the day after", now).is_err());
/// ```
pub fn eval_date_expression(
    expression: &str,
    now: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, GeneratorError> {
    let bad = |reason: String| bad_expression(expression, reason);
    let expr = parse_expression(expression).map_err(bad)?;
    let at = apply_part(&expr.date, now).map_err(bad)?;
    match &expr.time {
        Some(time) => apply_part(time, at).map_err(bad),
        None => Ok(at),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Word(String),
    Plus,
    Minus,
    At,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Month,
    Day,
    Millisecond,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    Now,
    Days(i64),
    Hour(u32),
    Step(Unit, i64),
    Weekday(Weekday, bool),
    Month(u32, bool),
}

#[derive(Debug, Clone, PartialEq, Default)]
struct Part {
    anchor: Option<Anchor>,
    steps: Vec<(Unit, i64)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Expr {
    date: Part,
    time: Option<Part>,
}

fn tokenize(expr: &str) -> Result<Vec<Tok>, String> {
    let mut toks = Vec::new();
    let mut chars = expr.char_indices().peekable();
    while let Some((pos, c)) = chars.next() {
        let mut take = |first: char, ok: fn(char) -> bool| {
            let mut s = String::from(first);
            while let Some((_, c)) = chars.next_if(|(_, c)| ok(*c)) {
                s.push(c);
            }
            s
        };
        match c {
            c if c.is_whitespace() => {}
            '+' => toks.push(Tok::Plus),
            '-' => toks.push(Tok::Minus),
            '@' => toks.push(Tok::At),
            c if c.is_ascii_digit() => {
                let digits = take(c, |c| c.is_ascii_digit());
                let n = digits
                    .parse()
                    .map_err(|_| format!("the number {digits} is too large"))?;
                toks.push(Tok::Num(n));
            }
            c if c.is_alphabetic() => {
                let word = take(c, |c| c.is_alphabetic() || c == '\'' || c == '’');
                toks.push(Tok::Word(word.to_lowercase().replace('’', "'")));
            }
            c => return Err(format!("unexpected '{c}' at position {pos}")),
        }
    }
    Ok(toks)
}

pub(super) fn parse_expression(expression: &str) -> Result<Expr, String> {
    let toks = tokenize(expression)?;
    let mut parts = toks.split(|t| *t == Tok::At);
    let date = parse_part(parts.next().unwrap_or(&[]))?;
    let time = match parts.next() {
        Some([]) => return Err("expected a time after '@'".into()),
        Some(toks) => Some(parse_part(toks)?),
        None => None,
    };
    if parts.next().is_some() {
        return Err("more than one '@'".into());
    }
    Ok(Expr { date, time })
}

fn parse_part(toks: &[Tok]) -> Result<Part, String> {
    let mut rest = toks;
    let anchor = parse_anchor(&mut rest)?;
    let mut steps = Vec::new();
    while !rest.is_empty() {
        steps.push(parse_step(&mut rest)?);
    }
    Ok(Part { anchor, steps })
}

fn describe(tok: Option<&Tok>) -> String {
    match tok {
        None => "the end".into(),
        Some(Tok::Num(n)) => n.to_string(),
        Some(Tok::Word(w)) => format!("'{w}'"),
        Some(Tok::Plus) => "'+'".into(),
        Some(Tok::Minus) => "'-'".into(),
        Some(Tok::At) => "'@'".into(),
    }
}

fn parse_step(rest: &mut &[Tok]) -> Result<(Unit, i64), String> {
    let sign = match rest.first() {
        Some(Tok::Plus) => 1,
        Some(Tok::Minus) => -1,
        other => return Err(format!("expected '+' or '-' but found {}", describe(other))),
    };
    let Some(Tok::Num(n)) = rest.get(1) else {
        return Err(format!(
            "expected a number after the sign but found {}",
            describe(rest.get(1))
        ));
    };
    let Some((unit, per)) = rest.get(2).and_then(unit_of) else {
        return Err(format!(
            "expected a unit (day, hours, ...) but found {}",
            describe(rest.get(2))
        ));
    };
    *rest = &rest[3..];
    let amount = n.checked_mul(per).ok_or("the amount is too large")?;
    Ok((unit, sign * amount))
}

/// A unit word, as a base unit and how many of it.
fn unit_of(tok: &Tok) -> Option<(Unit, i64)> {
    let Tok::Word(word) = tok else { return None };
    let singular = word.strip_suffix('s').unwrap_or(word);
    Some(match singular {
        "year" => (Unit::Month, 12),
        "month" => (Unit::Month, 1),
        "fortnight" => (Unit::Day, 14),
        "week" => (Unit::Day, 7),
        "day" => (Unit::Day, 1),
        "hour" => (Unit::Millisecond, 3_600_000),
        "minute" => (Unit::Millisecond, 60_000),
        "second" => (Unit::Millisecond, 1000),
        "millisecond" => (Unit::Millisecond, 1),
        _ => return None,
    })
}

fn parse_anchor(rest: &mut &[Tok]) -> Result<Option<Anchor>, String> {
    let (anchor, used) = match rest {
        [Tok::Num(h), Tok::Word(w), more @ ..] if w == "o'clock" => clock(*h, more.first())?,
        [Tok::Num(h), ..] => return Err(format!("expected o'clock after {h}")),
        [Tok::Word(w), next, ..] if w == "next" || w == "last" => (relative(next, w == "next")?, 2),
        [Tok::Word(w), ..] => (named_anchor(w)?, 1),
        _ => return Ok(None),
    };
    *rest = &rest[used..];
    Ok(Some(anchor))
}

fn named_anchor(word: &str) -> Result<Anchor, String> {
    Ok(match word {
        "now" | "today" => Anchor::Now,
        "tomorrow" => Anchor::Days(1),
        "yesterday" => Anchor::Days(-1),
        "midnight" => Anchor::Hour(0),
        "noon" => Anchor::Hour(12),
        "next" | "last" => return Err(format!("expected a unit, day or month after '{word}'")),
        _ => return Err(format!("unknown word '{word}'")),
    })
}

/// `N o'clock [am|pm]`, with how many tokens it takes.
fn clock(hour: i64, suffix: Option<&Tok>) -> Result<(Anchor, usize), String> {
    let twelve = (1..=12).contains(&hour);
    let (hour, used) = match suffix {
        Some(Tok::Word(w)) if w == "am" && twelve => (hour % 12, 3),
        Some(Tok::Word(w)) if w == "pm" && twelve => (hour % 12 + 12, 3),
        Some(Tok::Word(w)) if w == "am" || w == "pm" => {
            return Err(format!("{hour} o'clock {w} is not a time"))
        }
        _ if (0..=23).contains(&hour) => (hour, 2),
        _ => return Err(format!("{hour} o'clock is not a time")),
    };
    Ok((Anchor::Hour(hour as u32), used))
}

fn relative(tok: &Tok, next: bool) -> Result<Anchor, String> {
    let sign = if next { 1 } else { -1 };
    if let Some((unit, per)) = unit_of(tok) {
        return Ok(Anchor::Step(unit, sign * per));
    }
    let Tok::Word(word) = tok else {
        return Err(format!(
            "expected a unit, day or month but found {}",
            describe(Some(tok))
        ));
    };
    if let Some(day) = weekday_of(word) {
        return Ok(Anchor::Weekday(day, next));
    }
    month_of(word)
        .map(|m| Anchor::Month(m, next))
        .ok_or_else(|| format!("expected a unit, day or month but found '{word}'"))
}

fn weekday_of(word: &str) -> Option<Weekday> {
    const DAYS: [(&str, &str, Weekday); 7] = [
        ("mon", "monday", Weekday::Mon),
        ("tue", "tuesday", Weekday::Tue),
        ("wed", "wednesday", Weekday::Wed),
        ("thu", "thursday", Weekday::Thu),
        ("fri", "friday", Weekday::Fri),
        ("sat", "saturday", Weekday::Sat),
        ("sun", "sunday", Weekday::Sun),
    ];
    DAYS.iter()
        .find(|(short, full, _)| word.starts_with(short) && full.starts_with(word))
        .map(|(_, _, d)| *d)
}

fn month_of(word: &str) -> Option<u32> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    MONTHS
        .iter()
        .position(|m| word.len() >= 3 && m.starts_with(word))
        .map(|i| i as u32 + 1)
}

fn apply_part(part: &Part, start: DateTime<FixedOffset>) -> Result<DateTime<FixedOffset>, String> {
    let mut at = match part.anchor {
        Some(anchor) => apply_anchor(anchor, start)?,
        None => start,
    };
    for (unit, amount) in &part.steps {
        at = shift(at, *unit, *amount)?;
    }
    Ok(at)
}

fn apply_anchor(
    anchor: Anchor,
    at: DateTime<FixedOffset>,
) -> Result<DateTime<FixedOffset>, String> {
    match anchor {
        Anchor::Now => Ok(at),
        Anchor::Days(n) => shift(at, Unit::Day, n),
        Anchor::Step(unit, n) => shift(at, unit, n),
        Anchor::Hour(h) => at_hour(at, h),
        Anchor::Weekday(day, next) => {
            let (a, b) = (
                at.weekday().num_days_from_monday(),
                day.num_days_from_monday(),
            );
            let ahead = if next {
                (b + 7 - a) % 7
            } else {
                (a + 7 - b) % 7
            };
            let days = i64::from(if ahead == 0 { 7 } else { ahead });
            shift(at, Unit::Day, if next { days } else { -days })
        }
        Anchor::Month(month, next) => {
            let current = at.month();
            let ahead = if next {
                (month + 12 - current) % 12
            } else {
                (current + 12 - month) % 12
            };
            let months = i64::from(if ahead == 0 { 12 } else { ahead });
            shift(at, Unit::Month, if next { months } else { -months })
        }
    }
}

fn at_hour(at: DateTime<FixedOffset>, hour: u32) -> Result<DateTime<FixedOffset>, String> {
    let time =
        NaiveTime::from_hms_opt(hour, 0, 0).ok_or_else(|| format!("{hour} is not an hour"))?;
    at.date_naive()
        .and_time(time)
        .and_local_timezone(*at.offset())
        .single()
        .ok_or_else(|| "the result is out of range".to_string())
}

fn shift(
    at: DateTime<FixedOffset>,
    unit: Unit,
    amount: i64,
) -> Result<DateTime<FixedOffset>, String> {
    let out_of_range = || "the result is out of range".to_string();
    match unit {
        Unit::Month => {
            let months =
                Months::new(u32::try_from(amount.unsigned_abs()).map_err(|_| out_of_range())?);
            if amount >= 0 {
                at.checked_add_months(months)
            } else {
                at.checked_sub_months(months)
            }
        }
        Unit::Day => TimeDelta::try_days(amount).and_then(|d| at.checked_add_signed(d)),
        Unit::Millisecond => {
            TimeDelta::try_milliseconds(amount).and_then(|d| at.checked_add_signed(d))
        }
    }
    .ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::generator::fixtures::now;
    use proptest::prelude::*;

    #[test]
    fn date_expressions() {
        let eval = |e: &str| {
            eval_date_expression(e, now()).map(|t| t.format("%Y-%m-%d %H:%M:%S%.3f").to_string())
        };
        let cases = [
            ("", "2024-01-31 10:30:15.250"),
            ("now", "2024-01-31 10:30:15.250"),
            ("today", "2024-01-31 10:30:15.250"),
            ("tomorrow", "2024-02-01 10:30:15.250"),
            ("yesterday", "2024-01-30 10:30:15.250"),
            ("+ 1 day", "2024-02-01 10:30:15.250"),
            ("- 2 hours", "2024-01-31 08:30:15.250"),
            ("+1 month", "2024-02-29 10:30:15.250"),
            ("next week", "2024-02-07 10:30:15.250"),
            ("last month", "2023-12-31 10:30:15.250"),
            ("next fortnight", "2024-02-14 10:30:15.250"),
            ("last year + 2 days", "2023-02-02 10:30:15.250"),
            ("next Wednesday", "2024-02-07 10:30:15.250"),
            ("last wed", "2024-01-24 10:30:15.250"),
            ("next jan", "2025-01-31 10:30:15.250"),
            ("last march", "2023-03-31 10:30:15.250"),
            ("@ 10 o'clock", "2024-01-31 10:00:00.000"),
            ("@ 3 o'clock pm", "2024-01-31 15:00:00.000"),
            ("@ 12 o'clock am", "2024-01-31 00:00:00.000"),
            ("today + 1 day @ noon", "2024-02-01 12:00:00.000"),
            ("midnight", "2024-01-31 00:00:00.000"),
            (
                "noon + 30 minutes - 5 seconds + 7 milliseconds",
                "2024-01-31 12:29:55.007",
            ),
            ("now + 1 day - 2 hours", "2024-02-01 08:30:15.250"),
            ("NOW + 1 DAY", "2024-02-01 10:30:15.250"),
            ("tomorrow @ midnight + 1 hour", "2024-02-01 01:00:00.000"),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(expr).as_deref(), Ok(want), "{expr}");
        }
        for bad in [
            "soon",
            "noon pm",
            "10 o'clock + am",
            "+ 1",
            "+ 1 dayz",
            "1 day",
            "@",
            "today @ noon @ noon",
            "next",
            "next blue",
            "25 o'clock",
            "13 o'clock pm",
            "now + 99999999999 years",
            "today ! 1",
            "+ 99999999999999999999 days",
        ] {
            assert!(
                matches!(
                    eval_date_expression(bad, now()),
                    Err(GeneratorError::BadExpression { .. })
                ),
                "{bad}"
            );
        }
    }

    proptest! {
        #[test]
        fn expressions_never_panic(
            expr in "[a-z0-9 +@'-]{0,30}",
            secs in -8_000_000_000i64..8_000_000_000,
        ) {
            let at = DateTime::from_timestamp(secs, 0).unwrap_or_default().fixed_offset();
            let _ = eval_date_expression(&expr, at);
        }
    }
}

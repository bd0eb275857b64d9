//! Java-style date/time format patterns (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`) as carried by Pact's
//! `date`, `time` and `timestamp` matchers and generators: parsing, checking values, formatting.
//!
//! The letters follow `java.time.format.DateTimeFormatter` (with `u` = proleptic year, `e`/`c`
//! = ISO day-of-week number, Monday = 1). Parsing of values is a little more lenient than Java
//! where that is harmless: names are case-insensitive, and text fields (`MMM`, `EEE`, `G`)
//! accept both the short and the full name.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};

/// The default format of a date matcher or generator.
pub const DEFAULT_DATE: &str = "yyyy-MM-dd";
/// The default format of a time matcher or generator.
pub const DEFAULT_TIME: &str = "HH:mm:ss";
/// The default format of a date-time matcher or generator.
pub const DEFAULT_DATETIME: &str = "yyyy-MM-dd'T'HH:mm:ss";

/// Why a format pattern is not valid. Positions count characters from 0.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum PatternError {
    /// A letter that is not a pattern letter (letters must be quoted to be literal).
    #[error("unknown pattern letter '{letter}' at position {pos} (quote it to use it literally)")]
    UnknownLetter {
        /// The letter.
        letter: char,
        /// Where it is.
        pos: usize,
    },
    /// A `'` with no closing `'`.
    #[error("unclosed quote starting at position {pos}")]
    UnclosedQuote {
        /// Where the opening quote is.
        pos: usize,
    },
    /// A letter repeated a number of times that means nothing (e.g. `ddd`, `V`, `OO`).
    #[error("pattern letter '{letter}' cannot be repeated {count} times (at position {pos})")]
    BadLetterCount {
        /// The letter.
        letter: char,
        /// How many times it is repeated.
        count: usize,
        /// Where the run starts.
        pos: usize,
    },
    /// One of the reserved characters `#`, `{`, `}`.
    #[error("reserved character '{ch}' at position {pos}")]
    ReservedChar {
        /// The character.
        ch: char,
        /// Where it is.
        pos: usize,
    },
    /// A `]` with no `[`, or a `[` with no `]`.
    #[error("unbalanced optional section bracket at position {pos}")]
    UnbalancedBracket {
        /// Where the offending bracket is.
        pos: usize,
    },
}

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

/// A parsed Java-style date/time format pattern.
///
/// ```
/// use shakedown::contract::datetime::DateTimePattern;
/// let p = DateTimePattern::parse("yyyy-MM-dd").unwrap();
/// assert!(p.check("2024-02-29").is_ok());
/// assert!(p.check("2023-02-29").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateTimePattern {
    source: String,
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Literal(String),
    Field(Field),
    Optional(Vec<Token>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Field {
    letter: Letter,
    count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Letter {
    Era,
    YearOfEra,
    Year,
    WeekYear,
    Month,
    DayOfMonth,
    DayOfYear,
    DayName,
    LocalDayOfWeek,
    AmPm,
    ClockHourAmPm,
    HourOfDay,
    ClockHourOfDay,
    HourAmPm,
    Minute,
    Second,
    Fraction,
    NanoOfSecond,
    MilliOfDay,
    NanoOfDay,
    Quarter,
    WeekOfYear,
    ZoneName,
    ZoneId,
    LocalizedOffset,
    OffsetX,
    OffsetLowerX,
    OffsetZ,
}

/// The field for a pattern letter, with the allowed repeat counts.
fn letter_of(ch: char) -> Option<(Letter, &'static [usize])> {
    use Letter::*;
    const UP_TO_2: &[usize] = &[1, 2];
    const UP_TO_5: &[usize] = &[1, 2, 3, 4, 5];
    const UP_TO_9: &[usize] = &[1, 2, 3, 4, 5, 6, 7, 8, 9];
    Some(match ch {
        'G' => (Era, UP_TO_5),
        'y' => (YearOfEra, UP_TO_9),
        'u' => (Year, UP_TO_9),
        'Y' => (WeekYear, UP_TO_9),
        'M' | 'L' => (Month, UP_TO_5),
        'd' => (DayOfMonth, UP_TO_2),
        'D' => (DayOfYear, &[1, 2, 3]),
        'E' => (DayName, UP_TO_5),
        'e' | 'c' => (LocalDayOfWeek, UP_TO_5),
        'a' => (AmPm, UP_TO_2),
        'h' => (ClockHourAmPm, UP_TO_2),
        'H' => (HourOfDay, UP_TO_2),
        'k' => (ClockHourOfDay, UP_TO_2),
        'K' => (HourAmPm, UP_TO_2),
        'm' => (Minute, UP_TO_2),
        's' => (Second, UP_TO_2),
        'S' => (Fraction, UP_TO_9),
        'n' => (NanoOfSecond, UP_TO_9),
        'A' => (MilliOfDay, UP_TO_9),
        'N' => (NanoOfDay, &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14]),
        'Q' | 'q' => (Quarter, UP_TO_5),
        'w' => (WeekOfYear, UP_TO_2),
        'z' => (ZoneName, &[1, 2, 3, 4]),
        'V' => (ZoneId, &[2]),
        'O' => (LocalizedOffset, &[1, 4]),
        'X' => (OffsetX, UP_TO_5),
        'x' => (OffsetLowerX, UP_TO_5),
        'Z' => (OffsetZ, UP_TO_5),
        _ => return None,
    })
}

impl std::str::FromStr for DateTimePattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl DateTimePattern {
    /// Parses a pattern such as `yyyy-MM-dd'T'HH:mm:ss.SSSXXX`.
    ///
    /// ```
    /// use shakedown::contract::datetime::{DateTimePattern, PatternError};
    /// assert!(DateTimePattern::parse("EEE, dd MMM yyyy HH:mm:ss zzz").is_ok());
    /// assert_eq!(
    ///     DateTimePattern::parse("yyyy-MM-ddTHH"),
    ///     Err(PatternError::UnknownLetter { letter: 'T', pos: 10 })
    /// );
    /// ```
    pub fn parse(pattern: &str) -> Result<Self, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut pos = 0;
        let tokens = parse_tokens(&chars, &mut pos, None)?;
        Ok(DateTimePattern {
            source: pattern.to_string(),
            tokens,
        })
    }

    /// The pattern as written.
    ///
    /// ```
    /// use shakedown::contract::datetime::DateTimePattern;
    /// assert_eq!(DateTimePattern::parse("HH:mm").unwrap().source(), "HH:mm");
    /// ```
    pub fn source(&self) -> &str {
        &self.source
    }

    /// `Ok(())` when the whole of `value` is a valid date/time in this pattern (field ranges
    /// and calendar checked: month 13 or Feb 30 fail), `Err(reason)` otherwise.
    ///
    /// ```
    /// use shakedown::contract::datetime::DateTimePattern;
    /// let p = DateTimePattern::parse("MM/dd/yyyy hh:mm a").unwrap();
    /// assert!(p.check("02/29/2024 11:59 PM").is_ok());
    /// assert!(p.check("13/01/2024 11:59 PM").is_err());
    /// ```
    pub fn check(&self, value: &str) -> Result<(), String> {
        let mut sc = Scanner { s: value, pos: 0 };
        let mut fields = Fields::default();
        scan_tokens(&self.tokens, &mut sc, &mut fields)?;
        if sc.pos < value.len() {
            return Err(format!(
                "unexpected text '{}' at position {}",
                sc.rest(),
                sc.pos
            ));
        }
        resolve(&mut fields)
    }

    /// Formats a date-time with this pattern.
    ///
    /// ```
    /// use chrono::DateTime;
    /// use shakedown::contract::datetime::DateTimePattern;
    /// let at = DateTime::parse_from_rfc3339("2024-03-05T14:07:09.123+01:00").unwrap();
    /// let p = DateTimePattern::parse("EEE, d MMM yyyy hh:mm:ss.SSS a XXX").unwrap();
    /// assert_eq!(p.format(&at), "Tue, 5 Mar 2024 02:07:09.123 PM +01:00");
    /// ```
    pub fn format(&self, at: &DateTime<FixedOffset>) -> String {
        let mut out = String::new();
        format_tokens(&self.tokens, at, &mut out);
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Pattern parsing

fn parse_tokens(
    chars: &[char],
    pos: &mut usize,
    open: Option<usize>,
) -> Result<Vec<Token>, PatternError> {
    let mut tokens = Vec::new();
    while let Some(&ch) = chars.get(*pos) {
        match ch {
            '\'' => push_literal(&mut tokens, &quoted(chars, pos)?),
            '[' => {
                let start = *pos;
                *pos += 1;
                tokens.push(Token::Optional(parse_tokens(chars, pos, Some(start))?));
            }
            ']' if open.is_some() => {
                *pos += 1;
                return Ok(tokens);
            }
            ']' => return Err(PatternError::UnbalancedBracket { pos: *pos }),
            '#' | '{' | '}' => return Err(PatternError::ReservedChar { ch, pos: *pos }),
            c if c.is_ascii_alphabetic() => tokens.push(Token::Field(field(chars, pos)?)),
            c => {
                push_literal(&mut tokens, &c.to_string());
                *pos += 1;
            }
        }
    }
    match open {
        Some(start) => Err(PatternError::UnbalancedBracket { pos: start }),
        None => Ok(tokens),
    }
}

fn push_literal(tokens: &mut Vec<Token>, text: &str) {
    if let Some(Token::Literal(last)) = tokens.last_mut() {
        last.push_str(text);
    } else if !text.is_empty() {
        tokens.push(Token::Literal(text.to_string()));
    }
}

/// Reads `'...'` (with `''` for a quote) starting at the opening quote.
fn quoted(chars: &[char], pos: &mut usize) -> Result<String, PatternError> {
    let start = *pos;
    if chars.get(start + 1) == Some(&'\'') {
        *pos += 2;
        return Ok("'".to_string());
    }
    let mut text = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(PatternError::UnclosedQuote { pos: start }),
            Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                text.push('\'');
                i += 2;
            }
            Some('\'') => break,
            Some(&c) => {
                text.push(c);
                i += 1;
            }
        }
    }
    *pos = i + 1;
    Ok(text)
}

fn field(chars: &[char], pos: &mut usize) -> Result<Field, PatternError> {
    let start = *pos;
    let letter = chars[start];
    let count = chars[start..].iter().take_while(|&&c| c == letter).count();
    *pos += count;
    let (kind, counts) =
        letter_of(letter).ok_or(PatternError::UnknownLetter { letter, pos: start })?;
    if !counts.contains(&count) {
        return Err(PatternError::BadLetterCount {
            letter,
            count,
            pos: start,
        });
    }
    Ok(Field {
        letter: kind,
        count,
    })
}

// ---------------------------------------------------------------------------------------------
// Names

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const ERAS: [[&str; 2]; 3] = [["BC", "AD"], ["Before Christ", "Anno Domini"], ["B", "A"]];
const QUARTERS: [&str; 4] = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];
/// Time-zone abbreviations and long names accepted by `z` (values are not resolved).
const ZONE_NAMES: &[&str] = &[
    "Coordinated Universal Time",
    "Greenwich Mean Time",
    "Eastern Standard Time",
    "Eastern Daylight Time",
    "Central Standard Time",
    "Central Daylight Time",
    "Mountain Standard Time",
    "Mountain Daylight Time",
    "Pacific Standard Time",
    "Pacific Daylight Time",
    "British Summer Time",
    "Central European Time",
    "Central European Standard Time",
    "Central European Summer Time",
    "Eastern European Time",
    "Eastern European Standard Time",
    "Eastern European Summer Time",
    "Western European Time",
    "Western European Summer Time",
    "India Standard Time",
    "Japan Standard Time",
    "China Standard Time",
    "Australian Eastern Standard Time",
    "Australian Eastern Daylight Time",
    "New Zealand Standard Time",
    "New Zealand Daylight Time",
    "UTC",
    "GMT",
    "UT",
    "Z",
    "EST",
    "EDT",
    "CST",
    "CDT",
    "MST",
    "MDT",
    "PST",
    "PDT",
    "AKST",
    "AKDT",
    "HST",
    "AST",
    "ADT",
    "NST",
    "NDT",
    "BST",
    "IST",
    "WET",
    "WEST",
    "CET",
    "CEST",
    "EET",
    "EEST",
    "MSK",
    "GST",
    "PKT",
    "ICT",
    "WIB",
    "SGT",
    "HKT",
    "PHT",
    "JST",
    "KST",
    "AWST",
    "ACST",
    "ACDT",
    "AEST",
    "AEDT",
    "NZST",
    "NZDT",
    "SAST",
    "WAT",
    "CAT",
    "EAT",
    "BRT",
    "ART",
    "CLT",
    "COT",
    "PET",
    "VET",
];

fn short(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

fn narrow(name: &str) -> &str {
    name.get(..1).unwrap_or(name)
}

fn quarter_name(q: u32) -> &'static str {
    QUARTERS
        .get(q.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Checking values

struct Scanner<'a> {
    s: &'a str,
    pos: usize,
}

impl Scanner<'_> {
    fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn found(&self) -> String {
        match self.rest().chars().next() {
            Some(_) => format!("'{}'", self.rest().chars().take(12).collect::<String>()),
            None => "the end of the value".to_string(),
        }
    }

    fn eat(&mut self, text: &str) -> bool {
        if self.rest().starts_with(text) {
            self.pos += text.len();
            true
        } else {
            false
        }
    }

    fn eat_ignore_case(&mut self, text: &str) -> bool {
        let ok = self
            .rest()
            .as_bytes()
            .get(..text.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(text.as_bytes()));
        if ok {
            self.pos += text.len();
        }
        ok
    }

    fn expect(&mut self, text: &str) -> Result<(), String> {
        if self.eat(text) {
            Ok(())
        } else {
            Err(format!(
                "expected '{text}' at position {} but found {}",
                self.pos,
                self.found()
            ))
        }
    }

    fn digits_ahead(&self) -> usize {
        self.rest().bytes().take_while(u8::is_ascii_digit).count()
    }

    /// Reads between `min` and `max` digits (greedy), leaving `reserve` digits if it can.
    fn number(
        &mut self,
        min: usize,
        max: usize,
        reserve: usize,
        what: &str,
    ) -> Result<i64, String> {
        let avail = self.digits_ahead();
        let take = avail.saturating_sub(reserve).max(min).min(max).min(avail);
        if take < min || take == 0 {
            return Err(self.digits_error(min, max, what));
        }
        let text = &self.rest()[..take];
        let value = text
            .bytes()
            .try_fold(0i64, |acc, b| {
                acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
            })
            .ok_or_else(|| format!("{what} '{text}' at position {} is too large", self.pos))?;
        self.pos += take;
        Ok(value)
    }

    fn digits_error(&self, min: usize, max: usize, what: &str) -> String {
        let want = if min == max {
            format!("{min} digit{}", if min == 1 { "" } else { "s" })
        } else {
            format!("{min} to {max} digits")
        };
        format!(
            "expected {want} for the {what} at position {} but found {}",
            self.pos,
            self.found()
        )
    }

    /// The index of the longest name (case-insensitive) found here.
    fn name<'n>(
        &mut self,
        names: impl IntoIterator<Item = (usize, &'n str)>,
        what: &str,
    ) -> Result<usize, String> {
        let rest = self.rest().as_bytes();
        let best = names
            .into_iter()
            .filter(|(_, n)| !n.is_empty())
            .filter(|(_, n)| {
                rest.get(..n.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(n.as_bytes()))
            })
            .max_by_key(|(_, n)| n.len());
        match best {
            Some((i, n)) => {
                self.pos += n.len();
                Ok(i)
            }
            None => Err(format!(
                "expected {what} at position {} but found {}",
                self.pos,
                self.found()
            )),
        }
    }
}

/// Parsed field values, by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum F {
    Era,
    YearOfEra,
    Year,
    WeekYear,
    Month,
    Day,
    DayOfYear,
    Weekday,
    AmPm,
    Hour,
    ClockHourAmPm,
    HourAmPm,
    ClockHourDay,
    Minute,
    Second,
    Nano,
    MilliOfDay,
    NanoOfDay,
    Quarter,
    Week,
    Offset,
}

const FIELD_COUNT: usize = 21;

impl F {
    fn name(self) -> &'static str {
        use F::*;
        match self {
            Era => "era",
            YearOfEra => "year-of-era",
            Year => "year",
            WeekYear => "week-based year",
            Month => "month",
            Day => "day-of-month",
            DayOfYear => "day-of-year",
            Weekday => "day-of-week",
            AmPm => "AM/PM",
            Hour => "hour",
            ClockHourAmPm => "clock-hour-of-am-pm",
            HourAmPm => "hour-of-am-pm",
            ClockHourDay => "clock-hour-of-day",
            Minute => "minute",
            Second => "second",
            Nano => "fraction of second",
            MilliOfDay => "milli-of-day",
            NanoOfDay => "nano-of-day",
            Quarter => "quarter",
            Week => "week-of-year",
            Offset => "offset seconds",
        }
    }

    fn range(self) -> (i64, i64) {
        use F::*;
        match self {
            Era | AmPm => (0, 1),
            YearOfEra => (1, 999_999_999),
            Year | WeekYear => (-999_999_999, 999_999_999),
            Month => (1, 12),
            Day => (1, 31),
            DayOfYear => (1, 366),
            Weekday => (1, 7),
            Hour => (0, 23),
            ClockHourAmPm => (1, 12),
            HourAmPm => (0, 11),
            ClockHourDay => (1, 24),
            Minute | Second => (0, 59),
            Nano => (0, 999_999_999),
            MilliOfDay => (0, 86_399_999),
            NanoOfDay => (0, 86_399_999_999_999),
            Quarter => (1, 4),
            Week => (1, 53),
            Offset => (-64_800, 64_800),
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Fields {
    values: [Option<i64>; FIELD_COUNT],
    /// The year came from a two-digit `yy`/`uu`, so the century is a guess.
    reduced_year: bool,
}

impl Fields {
    fn get(&self, f: F) -> Option<i64> {
        self.values[f as usize]
    }

    fn set(&mut self, f: F, value: i64) -> Result<(), String> {
        let (lo, hi) = f.range();
        if value < lo || value > hi {
            return Err(format!(
                "{} {value} is out of range ({lo} to {hi})",
                f.name()
            ));
        }
        match self.get(f) {
            Some(old) if old != value => Err(format!(
                "conflicting values for the {}: {old} and {value}",
                f.name()
            )),
            _ => {
                self.values[f as usize] = Some(value);
                Ok(())
            }
        }
    }
}

fn scan_tokens(tokens: &[Token], sc: &mut Scanner, fields: &mut Fields) -> Result<(), String> {
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
fn signed_offset(
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

// ---------------------------------------------------------------------------------------------
// Resolving parsed fields into a valid date/time

fn resolve(fields: &mut Fields) -> Result<(), String> {
    resolve_year(fields)?;
    resolve_hour(fields)?;
    resolve_time_of_day(fields)?;
    resolve_date(fields)
}

fn resolve_year(fields: &mut Fields) -> Result<(), String> {
    if let Some(yoe) = fields.get(F::YearOfEra) {
        let year = if fields.get(F::Era) == Some(0) {
            1 - yoe
        } else {
            yoe
        };
        fields.set(F::Year, year)?;
    } else if let (Some(era), Some(year)) = (fields.get(F::Era), fields.get(F::Year)) {
        if (era == 1) != (year > 0) {
            return Err(format!(
                "year {year} is not in era {}",
                ERAS[0][era as usize % 2]
            ));
        }
    }
    Ok(())
}

fn resolve_hour(fields: &mut Fields) -> Result<(), String> {
    let ampm = fields.get(F::AmPm);
    if let Some(k) = fields.get(F::ClockHourDay) {
        fields.set(F::Hour, k % 24)?;
    }
    if let Some(h) = fields.get(F::ClockHourAmPm) {
        fields.set(F::HourAmPm, h % 12)?;
    }
    if let (Some(k), Some(a)) = (fields.get(F::HourAmPm), ampm) {
        fields.set(F::Hour, k + 12 * a)?;
    }
    match (fields.get(F::Hour), ampm) {
        (Some(h), Some(a)) if h / 12 != a => Err(format!(
            "hour {h} conflicts with {}",
            if a == 0 { "AM" } else { "PM" }
        )),
        _ => Ok(()),
    }
}

fn resolve_time_of_day(fields: &mut Fields) -> Result<(), String> {
    let millis = fields.get(F::MilliOfDay).map(|ms| ms * 1_000_000);
    for nanos in [millis, fields.get(F::NanoOfDay)].into_iter().flatten() {
        let secs = nanos / 1_000_000_000;
        fields.set(F::Hour, secs / 3600)?;
        fields.set(F::Minute, secs / 60 % 60)?;
        fields.set(F::Second, secs % 60)?;
    }
    match (fields.get(F::Quarter), fields.get(F::Month)) {
        (Some(q), Some(m)) if (m - 1) / 3 + 1 != q => {
            Err(format!("month {m} is not in quarter {q}"))
        }
        _ => Ok(()),
    }
}

fn resolve_date(fields: &Fields) -> Result<(), String> {
    let year = fields.get(F::Year).or(fields.get(F::WeekYear));
    let date = match (fields.get(F::Month), fields.get(F::Day)) {
        (Some(m), Some(d)) => month_day(year, m, d)?,
        _ => None,
    };
    let date = match (fields.get(F::DayOfYear), year) {
        (Some(doy), Some(y)) => Some(day_of_year(y, doy, date)?),
        _ => date,
    };
    check_week_date(fields)?;
    let reliable = !fields.reduced_year && fields.get(F::Year).is_some();
    match (date, fields.get(F::Weekday)) {
        (Some(date), Some(wd))
            if reliable && i64::from(date.weekday().number_from_monday()) != wd =>
        {
            Err(format!(
                "{date} is a {}, not a {}",
                DAYS[date.weekday().num_days_from_monday() as usize % 7],
                DAYS[(wd as usize - 1) % 7]
            ))
        }
        _ => Ok(()),
    }
}

fn month_day(year: Option<i64>, month: i64, day: i64) -> Result<Option<NaiveDate>, String> {
    let Some(year) = year else {
        let max = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][(month as usize - 1) % 12];
        return if day > max {
            Err(format!(
                "day {day} is out of range for {}",
                MONTHS[(month as usize - 1) % 12]
            ))
        } else {
            Ok(None)
        };
    };
    let date = i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_ymd_opt(y, month as u32, day as u32));
    date.map(Some)
        .ok_or_else(|| format!("{year:04}-{month:02}-{day:02} is not a valid date"))
}

fn day_of_year(year: i64, doy: i64, date: Option<NaiveDate>) -> Result<NaiveDate, String> {
    let from_doy = i32::try_from(year)
        .ok()
        .and_then(|y| NaiveDate::from_yo_opt(y, doy as u32))
        .ok_or_else(|| format!("day-of-year {doy} is not valid in year {year}"))?;
    match date {
        Some(d) if d != from_doy => Err(format!("day-of-year {doy} is not {d}")),
        _ => Ok(from_doy),
    }
}

fn check_week_date(fields: &Fields) -> Result<(), String> {
    let (Some(y), Some(w)) = (fields.get(F::WeekYear), fields.get(F::Week)) else {
        return Ok(());
    };
    let wd = fields.get(F::Weekday).unwrap_or(1);
    let weekday = chrono::Weekday::try_from((wd - 1) as u8).map_err(|e| e.to_string())?;
    i32::try_from(y)
        .ok()
        .and_then(|y| NaiveDate::from_isoywd_opt(y, w as u32, weekday))
        .map(drop)
        .ok_or_else(|| format!("week {w} is not valid in week-based year {y}"))
}

// ---------------------------------------------------------------------------------------------
// ISO-8601 checks for matchers without a format

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

// ---------------------------------------------------------------------------------------------
// Formatting

fn format_tokens(tokens: &[Token], at: &DateTime<FixedOffset>, out: &mut String) {
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
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;

    fn p(s: &str) -> DateTimePattern {
        DateTimePattern::parse(s).expect("valid pattern")
    }

    fn at(rfc3339: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(rfc3339).expect("valid timestamp")
    }

    #[test]
    fn parses_literals_and_quotes() {
        let pat = p("yyyy-MM-dd'T'HH:mm:ss");
        assert_eq!(pat.source(), "yyyy-MM-dd'T'HH:mm:ss");
        assert!(pat.check("2024-01-31T23:59:59").is_ok());
        let pat = p("hh 'o''clock' a");
        assert!(pat.check("05 o'clock PM").is_ok());
        assert!(p("''").check("'").is_ok());
    }

    #[test]
    fn pattern_errors() {
        use PatternError::*;
        let err = |s: &str| DateTimePattern::parse(s).unwrap_err();
        assert_eq!(
            err("yyyy-MM-ddTHH"),
            UnknownLetter {
                letter: 'T',
                pos: 10
            }
        );
        assert_eq!(err("yyyy'T"), UnclosedQuote { pos: 4 });
        assert_eq!(
            err("ddd"),
            BadLetterCount {
                letter: 'd',
                count: 3,
                pos: 0
            }
        );
        assert_eq!(
            err("HH V"),
            BadLetterCount {
                letter: 'V',
                count: 1,
                pos: 3
            }
        );
        assert_eq!(err("HH#"), ReservedChar { ch: '#', pos: 2 });
        assert_eq!(err("HH]"), UnbalancedBracket { pos: 2 });
        assert_eq!(err("HH[:mm"), UnbalancedBracket { pos: 2 });
        assert!(err("b").to_string().contains("unknown pattern letter 'b'"));
    }

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

    const SANE: &[&str] = &[
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

    /// Pattern letters, quotes, brackets and separators, in any order.
    const PATTERN_SOUP: &str = "[-GyuYMLdDEeahHkKmsSnAzZXxVOQqw' \\[\\]:./T]{0,20}";

    proptest! {
        #[test]
        fn parse_never_panics(s in "\\PC{0,40}") {
            let _ = DateTimePattern::parse(&s);
        }

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

//! The pieces of a parsed pattern: literal text, fields (a pattern letter and how many times
//! it is repeated) and optional sections.

/// One piece of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Token {
    Literal(String),
    Field(Field),
    Optional(Vec<Token>),
}

/// A pattern letter and how many times it is repeated (`yyyy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Field {
    pub(super) letter: Letter,
    pub(super) count: usize,
}

/// What a pattern letter stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Letter {
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
pub(super) fn letter_of(ch: char) -> Option<(Letter, &'static [usize])> {
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

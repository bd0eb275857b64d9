//! The field values read from a value (year, month, hour, offset, …), each set once and
//! range-checked.

/// Parsed field values, by field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum F {
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
    pub(super) fn name(self) -> &'static str {
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

    pub(super) fn range(self) -> (i64, i64) {
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
pub(super) struct Fields {
    values: [Option<i64>; FIELD_COUNT],
    /// The year came from a two-digit `yy`/`uu`, so the century is a guess.
    pub(super) reduced_year: bool,
}

impl Fields {
    pub(super) fn get(&self, f: F) -> Option<i64> {
        self.values[f as usize]
    }

    pub(super) fn set(&mut self, f: F, value: i64) -> Result<(), String> {
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

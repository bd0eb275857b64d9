//! Resolving read fields into a valid date/time: eras, 12-hour clocks, times of day,
//! calendar dates, days of the year and week dates must agree.

use chrono::{Datelike, NaiveDate};

use super::fields::{Fields, F};
use super::names::{DAYS, ERAS, MONTHS};

/// Checks that the fields read make one valid date/time, filling derived fields.
pub(super) fn resolve(fields: &mut Fields) -> Result<(), String> {
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

/// Checks the calendar: the date exists and agrees with its day-of-year and weekday.
pub(super) fn resolve_date(fields: &Fields) -> Result<(), String> {
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

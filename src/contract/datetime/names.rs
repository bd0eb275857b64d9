//! The names a pattern reads and writes: months, days, eras, quarters and time-zone names.

pub(super) const MONTHS: [&str; 12] = [
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
pub(super) const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
pub(super) const ERAS: [[&str; 2]; 3] =
    [["BC", "AD"], ["Before Christ", "Anno Domini"], ["B", "A"]];
pub(super) const QUARTERS: [&str; 4] = ["1st quarter", "2nd quarter", "3rd quarter", "4th quarter"];
/// Time-zone abbreviations and long names accepted by `z` (values are not resolved).
pub(super) const ZONE_NAMES: &[&str] = &[
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

pub(super) fn short(name: &str) -> &str {
    name.get(..3).unwrap_or(name)
}

pub(super) fn narrow(name: &str) -> &str {
    name.get(..1).unwrap_or(name)
}

pub(super) fn quarter_name(q: u32) -> &'static str {
    QUARTERS
        .get(q.saturating_sub(1) as usize)
        .copied()
        .unwrap_or("")
}

//! Date, Time and DateTime generators: a Java-style format and an optional date expression.

use super::date_expression::{eval_date_expression, parse_expression};
use super::error::{bad_expression, GeneratorError};
use super::generation::GeneratorContext;
use crate::contract::datetime::DateTimePattern;

pub(super) fn check_date_attrs(
    format: &Option<String>,
    expression: &Option<String>,
    default: &str,
) -> Result<(), GeneratorError> {
    pattern(format.as_deref().unwrap_or(default))?;
    if let Some(expr) = expression {
        parse_expression(expr).map_err(|reason| bad_expression(expr, reason))?;
    }
    Ok(())
}

fn pattern(format: &str) -> Result<DateTimePattern, GeneratorError> {
    DateTimePattern::parse(format).map_err(|e| GeneratorError::BadFormat {
        format: format.to_string(),
        reason: e.to_string(),
    })
}

pub(super) fn date_value(
    format: &Option<String>,
    expression: &Option<String>,
    default: &str,
    ctx: &GeneratorContext,
) -> Result<String, GeneratorError> {
    let pattern = pattern(format.as_deref().unwrap_or(default))?;
    let at = eval_date_expression(expression.as_deref().unwrap_or(""), ctx.now)?;
    Ok(pattern.format(&at))
}

#[cfg(test)]
mod tests {
    use crate::contract::datetime::{
        check_iso, DateKind, DateTimePattern, DEFAULT_DATE, DEFAULT_DATETIME, DEFAULT_TIME,
    };
    use crate::contract::generator::fixtures::{all_variants, gen};
    use crate::contract::generator::provider_state::text_of;
    use crate::contract::generator::Generator;

    #[test]
    fn dates_check_against_their_format() {
        let cases = [
            (
                Generator::Date {
                    format: None,
                    expression: None,
                },
                "2024-01-31",
            ),
            (
                Generator::Time {
                    format: None,
                    expression: Some("+ 2 hours".into()),
                },
                "12:30:15",
            ),
            (
                Generator::DateTime {
                    format: None,
                    expression: Some("now + 1 day - 2 hours".into()),
                },
                "2024-02-01T08:30:15",
            ),
            (
                Generator::DateTime {
                    format: Some("yyyy-MM-dd'T'HH:mm:ss.SSSXXX".into()),
                    expression: None,
                },
                "2024-01-31T10:30:15.250+01:00",
            ),
            (
                Generator::Date {
                    format: Some("EEE, d MMM yyyy".into()),
                    expression: Some("next monday".into()),
                },
                "Mon, 5 Feb 2024",
            ),
        ];
        for (g, want) in cases {
            let v = text_of(&gen(&g, 0));
            assert_eq!(v, want);
            let (format, default) = match &g {
                Generator::Date { format, .. } => (format, DEFAULT_DATE),
                Generator::Time { format, .. } => (format, DEFAULT_TIME),
                Generator::DateTime { format, .. } => (format, DEFAULT_DATETIME),
                _ => (&None, ""),
            };
            let pattern = DateTimePattern::parse(format.as_deref().unwrap_or(default)).unwrap();
            assert_eq!(pattern.check(&v), Ok(()), "{v}");
        }
        assert_eq!(
            check_iso(DateKind::DateTime, &text_of(&gen(&all_variants()[8], 0))),
            Ok(())
        );
    }
}

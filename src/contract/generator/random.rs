//! Random values: integers' digits, decimals that print back the same, hex and
//! alphanumeric strings, UUIDs in each format.

use rand::rngs::StdRng;
use rand::RngExt;
use serde_json::{json, Number, Value};

use super::model::UuidFormat;

pub(super) const HEX: &[u8] = b"0123456789abcdef";
pub(super) const ALPHANUMERIC: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(super) fn random_chars(n: usize, alphabet: &[u8], rng: &mut StdRng) -> String {
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}

fn random_digit(min: u8, rng: &mut StdRng) -> char {
    char::from(b'0' + rng.random_range(min..=9))
}

/// `digits` digits with a `.` somewhere inside (none for 1 digit): no leading zero before
/// another digit, no trailing zero, and at least `0.1`, so the number prints the same.
pub(super) fn random_decimal(digits: usize, rng: &mut StdRng) -> String {
    if digits <= 1 {
        return random_digit(0, rng).to_string();
    }
    let int_len = rng.random_range(1..digits);
    let mut s = String::with_capacity(digits + 1);
    s.push(random_digit(u8::from(int_len > 1), rng));
    (1..int_len).for_each(|_| s.push(random_digit(0, rng)));
    let zero_int = s == "0";
    s.push('.');
    for i in int_len..digits {
        let nonzero = i + 1 == digits || (zero_int && i == int_len);
        s.push(random_digit(u8::from(nonzero), rng));
    }
    s
}

/// A JSON number when it prints back the same (up to 15 digits), otherwise a string.
pub(super) fn decimal_value(text: &str) -> Value {
    let number = match text.parse::<u64>() {
        Ok(n) => Some(Number::from(n)),
        Err(_) => text.parse::<f64>().ok().and_then(Number::from_f64),
    }
    .filter(|n| n.to_string() == text);
    number.map_or_else(|| json!(text), Value::Number)
}

pub(super) fn random_uuid(format: UuidFormat, rng: &mut StdRng) -> String {
    let id = uuid::Builder::from_random_bytes(rng.random::<[u8; 16]>()).into_uuid();
    match format {
        UuidFormat::Simple => id.simple().to_string(),
        UuidFormat::LowerCaseHyphenated => id.hyphenated().to_string(),
        UuidFormat::UpperCaseHyphenated => id.hyphenated().to_string().to_uppercase(),
        UuidFormat::Urn => id.urn().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::contract::generator::fixtures::gen;
    use crate::contract::generator::provider_state::text_of;
    use crate::contract::generator::{Generator, UuidFormat};

    #[test]
    fn random_values_keep_their_constraints() {
        for seed in 0..200 {
            let n = gen(&Generator::RandomInt { min: -3, max: 4 }, seed)
                .as_i64()
                .unwrap_or(99);
            assert!((-3..=4).contains(&n));
            let d = gen(&Generator::RandomDecimal { digits: 7 }, seed).to_string();
            assert_eq!(d.chars().filter(char::is_ascii_digit).count(), 7, "{d}");
            assert_eq!(d.matches('.').count(), 1, "{d}");
            let h = text_of(&gen(&Generator::RandomHexadecimal { digits: 9 }, seed));
            assert!(
                h.len() == 9 && h.chars().all(|c| c.is_ascii_hexdigit()),
                "{h}"
            );
            let s = text_of(&gen(&Generator::RandomString { size: 11 }, seed));
            assert!(
                s.len() == 11 && s.chars().all(|c| c.is_ascii_alphanumeric()),
                "{s}"
            );
            assert!(gen(&Generator::RandomBoolean, seed).is_boolean());
        }
        assert_eq!(gen(&Generator::RandomInt { min: 7, max: 7 }, 0), json!(7));
        assert!(gen(
            &Generator::RandomInt {
                min: i64::MIN,
                max: i64::MAX
            },
            0
        )
        .is_i64());
        assert_eq!(
            gen(&Generator::RandomDecimal { digits: 1 }, 0)
                .to_string()
                .len(),
            1
        );
        assert!(gen(&Generator::RandomDecimal { digits: 30 }, 0)
            .as_str()
            .is_some_and(|s| s.len() == 31));
    }

    #[test]
    fn uuids_in_each_format() {
        for seed in 0..50 {
            let simple = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::Simple,
                },
                seed,
            ));
            assert!(
                simple.len() == 32
                    && simple
                        .chars()
                        .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
            );
            let lower = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::LowerCaseHyphenated,
                },
                seed,
            ));
            assert!(
                lower.len() == 36
                    && lower == lower.to_lowercase()
                    && uuid::Uuid::parse_str(&lower).is_ok()
            );
            let upper = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::UpperCaseHyphenated,
                },
                seed,
            ));
            assert!(
                upper.len() == 36
                    && upper == upper.to_uppercase()
                    && uuid::Uuid::parse_str(&upper).is_ok()
            );
            let urn = text_of(&gen(
                &Generator::Uuid {
                    format: UuidFormat::Urn,
                },
                seed,
            ));
            assert!(urn.starts_with("urn:uuid:") && uuid::Uuid::parse_str(&urn).is_ok());
            assert_eq!(
                uuid::Uuid::parse_str(&simple).map(|u| u.get_version_num()),
                Ok(4)
            );
        }
    }
}

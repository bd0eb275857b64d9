//! ProviderState generators: `${name}` placeholders filled from the provider state's values
//! (by key or dotted path), converted to the requested data type.

use serde_json::{json, Map, Number, Value};

use super::error::{bad_expression, GeneratorError};
use super::json::json_to_i64;
use super::model::DataType;

/// A piece of a provider-state expression: text, or a `${name}` placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Piece<'a> {
    Text(&'a str),
    Name(&'a str),
}

pub(super) fn placeholders(expression: &str) -> Result<Vec<Piece<'_>>, GeneratorError> {
    let mut pieces = Vec::new();
    let mut rest = expression;
    while let Some(start) = rest.find("${") {
        let Some(len) = rest[start + 2..].find('}') else {
            return Err(bad_expression(expression, "missing '}' after '${'".into()));
        };
        if start > 0 {
            pieces.push(Piece::Text(&rest[..start]));
        }
        pieces.push(Piece::Name(rest[start + 2..start + 2 + len].trim()));
        rest = &rest[start + 3 + len..];
    }
    if !rest.is_empty() {
        pieces.push(Piece::Text(rest));
    }
    Ok(pieces)
}

/// A value by key, or by a dotted path (`user.id`, `items.0.id`) through objects and arrays.
fn lookup<'v>(state: &'v Map<String, Value>, name: &str) -> Option<&'v Value> {
    if let Some(v) = state.get(name) {
        return Some(v);
    }
    let (first, path) = name.split_once('.')?;
    path.split('.')
        .try_fold(state.get(first)?, |v, key| match v {
            Value::Object(map) => map.get(key),
            Value::Array(items) => items.get(key.parse::<usize>().ok()?),
            _ => None,
        })
}

pub(super) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub(super) fn provider_state_value(
    expression: &str,
    data_type: DataType,
    state: &Map<String, Value>,
) -> Result<Value, GeneratorError> {
    let missing = |name: &str| GeneratorError::MissingProviderStateValue(name.to_string());
    let raw = match placeholders(expression)?.as_slice() {
        [Piece::Name(name)] => lookup(state, name).ok_or_else(|| missing(name))?.clone(),
        [Piece::Text(text)] => lookup(state, text).cloned().unwrap_or_else(|| json!(text)),
        pieces => {
            let mut out = String::new();
            for piece in pieces {
                match piece {
                    Piece::Text(text) => out.push_str(text),
                    Piece::Name(name) => {
                        out.push_str(&text_of(lookup(state, name).ok_or_else(|| missing(name))?))
                    }
                }
            }
            Value::String(out)
        }
    };
    convert(raw, data_type)
}

fn convert(value: Value, data_type: DataType) -> Result<Value, GeneratorError> {
    let converted = match data_type {
        DataType::Raw => Some(value.clone()),
        DataType::String => Some(Value::String(text_of(&value))),
        DataType::Integer => json_to_i64(&value).map(Value::from),
        DataType::Decimal | DataType::Float => {
            to_f64(&value).and_then(Number::from_f64).map(Value::Number)
        }
        DataType::Boolean => to_bool(&value).map(Value::Bool),
    };
    converted.ok_or_else(|| GeneratorError::Conversion {
        value: value.to_string(),
        data_type: data_type.as_str(),
    })
}

fn to_f64(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

fn to_bool(value: &Value) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::contract::generator::fixtures::gen_with;
    use crate::contract::generator::{DataType, Generator, GeneratorError};

    #[test]
    fn provider_state_values() {
        let ps = |e: &str, t| {
            gen_with(
                &Generator::ProviderState {
                    expression: e.into(),
                    data_type: t,
                },
                &Value::Null,
                None,
                0,
            )
        };
        assert_eq!(ps("${id}", DataType::Raw), Ok(json!(42)));
        assert_eq!(ps("id", DataType::Raw), Ok(json!(42)));
        assert_eq!(ps("/orders/${id}", DataType::Raw), Ok(json!("/orders/42")));
        assert_eq!(ps("${ name }-${id}", DataType::String), Ok(json!("Ann-42")));
        assert_eq!(ps("${id}", DataType::String), Ok(json!("42")));
        assert_eq!(ps("${user.tags.1}", DataType::Raw), Ok(json!("b")));
        assert_eq!(ps("${price}", DataType::Decimal), Ok(json!(9.5)));
        assert_eq!(ps("${id}", DataType::Float), Ok(json!(42.0)));
        assert_eq!(ps("${ok}", DataType::Boolean), Ok(json!(true)));
        assert_eq!(ps("1${id}", DataType::Integer), Ok(json!(142)));
        assert_eq!(ps("plain text", DataType::Raw), Ok(json!("plain text")));
        assert_eq!(
            ps("${missing}", DataType::Raw),
            Err(GeneratorError::MissingProviderStateValue("missing".into()))
        );
        assert!(matches!(
            ps("${name}", DataType::Integer),
            Err(GeneratorError::Conversion {
                data_type: "INTEGER",
                ..
            })
        ));
        assert!(matches!(
            ps("${name}", DataType::Boolean),
            Err(GeneratorError::Conversion { .. })
        ));
    }
}

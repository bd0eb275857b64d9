//! JSON Schemas on message contracts: the example contents checked against the schema the
//! consumer attached (feature `json-schema`).

use serde_json::Value;

use crate::contract::Body;

/// Checks `contents` against `schema`; the error lists every violation with its location.
pub(crate) fn check(schema: &Value, contents: &Body) -> Result<(), String> {
    let validator = jsonschema::validator_for(schema)
        .map_err(|e| format!("the schema itself is invalid: {e}"))?;
    let doc = contents.as_json().ok_or("the contents are not JSON")?;
    let errors: Vec<String> = validator
        .iter_errors(&doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_name_each_violation_and_where() {
        let schema = json!({"type": "object", "required": ["orderId"], "properties": {"qty": {"type": "integer"}}});
        let body = Body::json(&json!({"qty": "two"}));
        let err = check(&schema, &body).unwrap_err();
        assert!(err.contains("orderId"), "{err}");
        assert!(err.contains("/qty"), "{err}");
        assert!(check(&schema, &Body::json(&json!({"orderId": 1}))).is_ok());
    }

    #[test]
    fn should_reject_an_invalid_schema_and_non_json_contents() {
        let body = Body::json(&json!({}));
        assert!(check(&json!({"type": 12}), &body)
            .unwrap_err()
            .contains("the schema itself is invalid"));
        let text = Body::from_bytes(b"hi".to_vec(), None);
        assert_eq!(
            check(&json!({}), &text).unwrap_err(),
            "the contents are not JSON"
        );
    }
}

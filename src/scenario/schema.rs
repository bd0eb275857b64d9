//! The JSON Schema of scenario files, generated from the model (published as
//! `scenarios/schema.json`, and the system files' as `scenarios/systems/schema.json`; tests
//! keep them equal).

use serde_json::Value;

use super::model::{Scenario, SystemFile};

/// The schema as JSON.
///
/// ```
/// let schema = shakedown::scenario::json_schema();
/// assert_eq!(schema["title"], "Scenario");
/// assert!(schema["properties"]["faults"].is_object());
/// ```
pub fn json_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(Scenario)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://shakedown.dev/schema/scenario.json".into(),
        );
    }
    schema
}

/// The schema as the text of `scenarios/schema.json`.
pub fn json_schema_text() -> String {
    serde_json::to_string_pretty(&json_schema()).unwrap_or_default() + "\n"
}

/// The schema of system files (`system = "…"`) as JSON.
///
/// ```
/// let schema = shakedown::scenario::system_json_schema();
/// assert_eq!(schema["title"], "SystemFile");
/// assert!(schema["properties"]["services"].is_object());
/// ```
pub fn system_json_schema() -> Value {
    let mut schema = serde_json::to_value(schemars::schema_for!(SystemFile)).unwrap_or_default();
    if let Some(obj) = schema.as_object_mut() {
        obj.insert(
            "$id".into(),
            "https://shakedown.dev/schema/system.json".into(),
        );
    }
    schema
}

/// The system-file schema as the text of `scenarios/systems/schema.json`.
pub fn system_json_schema_text() -> String {
    serde_json::to_string_pretty(&system_json_schema()).unwrap_or_default() + "\n"
}

//! The generators of one interaction part, grouped by category (body, header, query, path,
//! status, metadata) and keyed by path, with the V3/V4 JSON form.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::generator::{Generator, GeneratorError};
use super::path::RulePath;
use super::rules::category;

/// Generators keyed by category, then by path (by name for headers, query and metadata).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Generators {
    categories: BTreeMap<String, BTreeMap<RulePath, Generator>>,
}

const NAMED: [&str; 3] = [category::HEADER, category::QUERY, category::METADATA];
const WHOLE: [&str; 3] = [category::PATH, category::STATUS, category::METHOD];

/// A generator error and where, as keys below the `generators` object.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct LocatedGeneratorError {
    /// Keys from the `generators` object down to the offending value.
    pub pointer: Vec<String>,
    /// The error.
    pub error: GeneratorError,
}

impl Generators {
    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.categories.values().all(BTreeMap::is_empty)
    }

    /// Adds a generator.
    pub fn insert(&mut self, category: &str, path: RulePath, generator: Generator) {
        self.categories
            .entry(category.to_string())
            .or_default()
            .insert(path, generator);
    }

    /// The generators of one category, in path order.
    pub fn category(&self, name: &str) -> impl Iterator<Item = (&RulePath, &Generator)> {
        self.categories.get(name).into_iter().flat_map(|c| c.iter())
    }

    /// Reads `{"body": {"$.id": {"type": "RandomInt"}}, "path": {"type": ..}}`.
    pub fn from_json(value: &Value) -> Result<Self, LocatedGeneratorError> {
        let mut out = Generators::default();
        let Some(obj) = value.as_object() else {
            return Ok(out);
        };
        for (name, entries) in obj {
            let cat = if name == "content" {
                category::BODY
            } else {
                name.as_str()
            };
            let at = |key: Option<&str>, error| LocatedGeneratorError {
                pointer: std::iter::once(name.clone())
                    .chain(key.map(str::to_string))
                    .collect(),
                error,
            };
            if WHOLE.contains(&cat) && entries.get("type").is_some() {
                let g = Generator::from_json(entries).map_err(|e| at(None, e))?;
                out.insert(cat, RulePath::root(), g);
                continue;
            }
            for (key, def) in entries.as_object().into_iter().flatten() {
                let path = if NAMED.contains(&cat) {
                    RulePath::field(key)
                } else {
                    RulePath::parse(key).map_err(|e| {
                        at(
                            Some(key),
                            GeneratorError::BadAttribute {
                                generator: "path".into(),
                                reason: e.to_string(),
                            },
                        )
                    })?
                };
                let g = Generator::from_json(def).map_err(|e| at(Some(key), e))?;
                out.insert(cat, path, g);
            }
        }
        Ok(out)
    }

    /// The canonical V4 JSON form.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (name, entries) in self.categories.iter().filter(|(_, e)| !e.is_empty()) {
            if WHOLE.contains(&name.as_str()) {
                if let Some(g) = entries.get(&RulePath::root()) {
                    out.insert(name.clone(), g.to_json());
                    continue;
                }
            }
            let mut cat = Map::new();
            for (path, g) in entries {
                let key = match (NAMED.contains(&name.as_str()), path.tokens()) {
                    (true, [_, super::path::Token::Field(n)]) => n.clone(),
                    _ => path.to_string(),
                };
                cat.insert(key, g.to_json());
            }
            out.insert(name.clone(), Value::Object(cat));
        }
        Value::Object(out)
    }
}

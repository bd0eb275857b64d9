//! The generators of one interaction part, grouped by category (body, header, query, path,
//! status, metadata) and keyed by path, with the V3/V4 JSON form.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use rand::rngs::StdRng;

use super::body::Body;
use super::generator::{Generator, GeneratorContext, GeneratorError};
use super::path::{RulePath, Segment};
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

    /// Replaces every value of `doc` that a generator of `category` points at with a
    /// generated one.
    ///
    /// ```
    /// use serde_json::json;
    /// use shakedown::contract::{rng_from_seed, GeneratorContext, Generators};
    /// let g = Generators::from_json(&json!({"body": {"$.items[*].id": {"type": "RandomInt", "min": 5, "max": 9}}})).unwrap();
    /// let mut doc = json!({"items": [{"id": 0}, {"id": 0}]});
    /// let state = serde_json::Map::new();
    /// let ctx = GeneratorContext { provider_state: &state, mock_server_url: None, now: chrono::Utc::now().fixed_offset() };
    /// g.apply_json("body", &mut doc, &ctx, &mut rng_from_seed(1)).unwrap();
    /// assert!((5..=9).contains(&doc["items"][1]["id"].as_i64().unwrap()));
    /// ```
    pub fn apply_json(
        &self,
        category: &str,
        doc: &mut Value,
        ctx: &GeneratorContext,
        rng: &mut StdRng,
    ) -> Result<(), GeneratorError> {
        for (path, generator) in self.category(category) {
            apply_at(path, generator, doc, &mut Vec::new(), ctx, rng)?;
        }
        Ok(())
    }

    /// A body with the generators of `category` applied (JSON bodies only; others unchanged).
    pub fn apply_body(
        &self,
        category: &str,
        body: &Body,
        ctx: &GeneratorContext,
        rng: &mut StdRng,
    ) -> Result<Body, GeneratorError> {
        if self.category(category).next().is_none() {
            return Ok(body.clone());
        }
        let Some(mut doc) = body.as_json().filter(|_| !matches!(body, Body::Null)) else {
            return Ok(body.clone());
        };
        self.apply_json(category, &mut doc, ctx, rng)?;
        Ok(Body::Present {
            bytes: doc.to_string().into_bytes(),
            content_type: body.content_type().cloned(),
        })
    }

    /// The generated replacement for a named value (a header, query parameter or metadata
    /// entry) or a whole value (path, status: `name` is `None`), when a generator covers it.
    pub fn generate_named(
        &self,
        category: &str,
        name: Option<&str>,
        current: &Value,
        ctx: &GeneratorContext,
        rng: &mut StdRng,
    ) -> Result<Option<Value>, GeneratorError> {
        let key = name.map_or_else(RulePath::root, RulePath::field);
        let found = self.categories.get(category).and_then(|c| c.get(&key));
        found.map(|g| g.generate(current, ctx, rng)).transpose()
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

fn apply_at(
    path: &RulePath,
    generator: &Generator,
    node: &mut Value,
    at: &mut Vec<Segment>,
    ctx: &GeneratorContext,
    rng: &mut StdRng,
) -> Result<(), GeneratorError> {
    if at.len() == path.depth() {
        if path.weight(at) > 0 {
            *node = generator.generate(node, ctx, rng)?;
        }
        return Ok(());
    }
    match node {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                at.push(Segment::Key(k.clone()));
                if path.prefix_fits(at) {
                    apply_at(path, generator, child, at, ctx, rng)?;
                }
                at.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                at.push(Segment::Index(i));
                if path.prefix_fits(at) {
                    apply_at(path, generator, child, at, ctx, rng)?;
                }
                at.pop();
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::generator::rng_from_seed;
    use serde_json::json;

    fn ctx(state: &Map<String, Value>) -> GeneratorContext<'_> {
        GeneratorContext {
            provider_state: state,
            mock_server_url: Some("http://127.0.0.1:9999"),
            now: chrono::Utc::now().fixed_offset(),
        }
    }

    #[test]
    fn same_seed_same_document() {
        let g = Generators::from_json(&json!({"body": {
            "$.id": {"type": "Uuid"},
            "$.n": {"type": "RandomInt", "min": 0, "max": 1000000},
            "$.tags[*]": {"type": "RandomString", "size": 6}
        }}))
        .unwrap();
        let state = Map::new();
        let run = |seed| {
            let mut doc = json!({"id": "", "n": 0, "tags": ["a", "b"], "kept": true});
            g.apply_json("body", &mut doc, &ctx(&state), &mut rng_from_seed(seed))
                .unwrap();
            doc
        };
        assert_eq!(run(7), run(7));
        assert_ne!(run(7), run(8));
        assert_eq!(run(7)["kept"], json!(true));
        assert_eq!(run(7)["tags"][1].as_str().unwrap().len(), 6);
    }

    #[test]
    fn provider_state_values_fill_named_values() {
        let g = Generators::from_json(&json!({
            "path": {"type": "ProviderState", "expression": "/orders/${id}"},
            "header": {"Location": {"type": "MockServerURL", "example": "http://localhost/orders/1", "regex": ".*(/orders/\\d+)$"}}
        })).unwrap();
        let mut state = Map::new();
        state.insert("id".into(), json!(42));
        let c = ctx(&state);
        let path = g
            .generate_named("path", None, &json!("/orders/1"), &c, &mut rng_from_seed(1))
            .unwrap();
        assert_eq!(path, Some(json!("/orders/42")));
        let loc = g
            .generate_named(
                "header",
                Some("Location"),
                &json!("x"),
                &c,
                &mut rng_from_seed(1),
            )
            .unwrap();
        assert_eq!(loc, Some(json!("http://127.0.0.1:9999/orders/1")));
        assert_eq!(
            g.generate_named(
                "header",
                Some("Other"),
                &json!("x"),
                &c,
                &mut rng_from_seed(1)
            )
            .unwrap(),
            None
        );
    }

    #[test]
    fn round_trips_through_json() {
        let v = json!({"body": {"$.a": {"type": "RandomBoolean"}}, "status": {"type": "RandomInt", "min": 200, "max": 299}, "header": {"X": {"type": "Uuid", "format": "simple"}}});
        let g = Generators::from_json(&v).unwrap();
        assert_eq!(Generators::from_json(&g.to_json()).unwrap(), g);
    }
}

//! Streamed reading of a contract's text: an outline pass (every top-level entry but the
//! interaction list, which is only skimmed), then each interaction parsed, handed over and
//! dropped, so the whole document is never held as one `Value` tree.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// The names of the interaction lists.
const LISTS: [&str; 2] = ["interactions", "messages"];

/// The document without its interaction lists, and how those lists look.
pub(super) struct Outline {
    /// Every other top-level entry; each list present is here as `[]` or `null`.
    pub skeleton: Value,
    /// True when an element of `interactions` has a `type` key (a V4 contract).
    pub typed: bool,
}

/// Reads the outline of `text`; `None` when the text is not a plain contract object (not
/// JSON, a list that is not an array or null, a list named twice): the caller then reads
/// the whole document the ordinary way, for its located error or its reading.
pub(super) fn outline(text: &str) -> Option<Outline> {
    let mut de = serde_json::Deserializer::from_str(text);
    let outline = de.deserialize_map(OutlineVisitor).ok()?;
    de.end().ok()?;
    Some(outline)
}

/// Hands each element of the top-level list `key` of `text` to `each` (with its index), in
/// order; `None` when `each` refused one or the text cannot be read this way.
pub(super) fn each_item<E>(
    text: &str,
    key: &str,
    each: impl FnMut(usize, Value) -> Result<(), E>,
) -> Option<()> {
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(ItemsVisitor { key, each }).ok()?;
    de.end().ok()
}

struct OutlineVisitor;

impl<'de> Visitor<'de> for OutlineVisitor {
    type Value = Outline;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a contract object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Outline, A::Error> {
        let mut rest = Map::new();
        let mut typed = false;
        while let Some(key) = map.next_key::<String>()? {
            if !LISTS.contains(&key.as_str()) {
                rest.insert(key, map.next_value()?);
                continue;
            }
            if rest.contains_key(&key) {
                return Err(de::Error::custom("a list named twice"));
            }
            let shape = map.next_value::<ListShape>()?;
            typed |= key == "interactions" && shape.typed;
            rest.insert(key, shape.placeholder);
        }
        Ok(Outline {
            skeleton: Value::Object(rest),
            typed,
        })
    }
}

/// An interaction list skimmed: `[]` or `null`, and whether an element has a `type` key.
struct ListShape {
    placeholder: Value,
    typed: bool,
}

impl<'de> de::Deserialize<'de> for ListShape {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ListShapeVisitor)
    }
}

struct ListShapeVisitor;

impl<'de> Visitor<'de> for ListShapeVisitor {
    type Value = ListShape;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or null")
    }

    fn visit_unit<E>(self) -> Result<ListShape, E> {
        Ok(ListShape {
            placeholder: Value::Null,
            typed: false,
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ListShape, A::Error> {
        let mut typed = false;
        while let Some(has_type) = seq.next_element::<HasType>()? {
            typed |= has_type.0;
        }
        Ok(ListShape {
            placeholder: Value::Array(Vec::new()),
            typed,
        })
    }
}

/// Whether a value is an object with a `type` key (its values skipped).
struct HasType(bool);

impl<'de> de::Deserialize<'de> for HasType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(HasTypeVisitor)
    }
}

struct HasTypeVisitor;

impl<'de> Visitor<'de> for HasTypeVisitor {
    type Value = HasType;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HasType, A::Error> {
        let mut typed = false;
        while let Some(key) = map.next_key::<Key>()? {
            typed |= key.0;
            map.next_value::<IgnoredAny>()?;
        }
        Ok(HasType(typed))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HasType, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(HasType(false))
    }

    fn visit_bool<E>(self, _: bool) -> Result<HasType, E> {
        Ok(HasType(false))
    }

    fn visit_i64<E>(self, _: i64) -> Result<HasType, E> {
        Ok(HasType(false))
    }

    fn visit_u64<E>(self, _: u64) -> Result<HasType, E> {
        Ok(HasType(false))
    }

    fn visit_f64<E>(self, _: f64) -> Result<HasType, E> {
        Ok(HasType(false))
    }

    fn visit_str<E>(self, _: &str) -> Result<HasType, E> {
        Ok(HasType(false))
    }

    fn visit_unit<E>(self) -> Result<HasType, E> {
        Ok(HasType(false))
    }
}

/// An object key, as whether it is `type` (escaped keys are read too).
struct Key(bool);

impl<'de> de::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Key, E> {
        Ok(Key(key == "type"))
    }
}

struct ItemsVisitor<'k, F> {
    key: &'k str,
    each: F,
}

impl<'de, E, F: FnMut(usize, Value) -> Result<(), E>> Visitor<'de> for ItemsVisitor<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a contract object")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.key {
                map.next_value_seed(Items(&mut self.each))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The list: each element parsed and handed over in turn.
struct Items<'f, F>(&'f mut F);

impl<'de, E, F: FnMut(usize, Value) -> Result<(), E>> DeserializeSeed<'de> for Items<'_, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, E, F: FnMut(usize, Value) -> Result<(), E>> Visitor<'de> for Items<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array or null")
    }

    fn visit_unit<X>(self) -> Result<(), X> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0;
        while let Some(item) = seq.next_element::<Value>()? {
            (self.0)(i, item).map_err(|_| de::Error::custom("an interaction was refused"))?;
            i += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_outline_skims_the_lists() {
        let text = r#"{"consumer": {"name": "c"}, "interactions": [{"type": "x"}, 1],
            "metadata": {"a": 1}}"#;
        let o = outline(text).unwrap();
        assert!(o.typed);
        assert_eq!(o.skeleton["interactions"], Value::Array(vec![]));
        assert_eq!(o.skeleton["metadata"]["a"], 1);
    }

    #[test]
    fn unusual_documents_have_no_outline() {
        for text in [
            "[]",
            "{\"interactions\": 3}",
            "{\"messages\": [], \"messages\": []}",
            "{} x",
        ] {
            assert!(outline(text).is_none(), "{text}");
        }
    }

    #[test]
    fn items_are_handed_over_in_order() {
        let text = r#"{"messages": [0], "interactions": [{"a": 1}, {"b": 2}]}"#;
        let mut seen = Vec::new();
        each_item(text, "interactions", |i, v| {
            seen.push((i, v));
            Ok::<_, ()>(())
        })
        .unwrap();
        assert_eq!(seen.len(), 2);
        assert_eq!(seen[1].1["b"], 2);
        assert!(each_item(text, "interactions", |_, _| Err(())).is_none());
    }
}

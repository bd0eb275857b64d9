//! A contract (Pact file) between a consumer and a provider: reading any spec version from
//! text or files with located errors, and writing canonical V4 JSON.

use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};

use serde_json::{json, Map, Value};
use sha2::{Digest as _, Sha256};

use super::format::{ReadError, SpecVersion};
use super::interaction::Interaction;
use super::span::{locate, Position};
use super::stream;

/// A contract between a consumer and a provider.
///
/// ```
/// use shakedown::contract::Pact;
/// let text = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
///   "interactions": [{"description": "get order", "request": {"method": "GET", "path": "/orders/1"},
///                     "response": {"status": 200}}],
///   "metadata": {"pactSpecification": {"version": "2.0.0"}}}"#;
/// let pact = Pact::from_str(text).unwrap();
/// assert_eq!(pact.interactions.len(), 1);
/// let v4 = pact.to_json();
/// assert_eq!(v4["metadata"]["pactSpecification"]["version"], "4.0");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Pact {
    /// The consumer's name.
    pub consumer: String,
    /// The provider's name.
    pub provider: String,
    /// The interactions.
    pub interactions: Vec<Interaction>,
    /// Metadata other than the specification version, kept as read.
    pub metadata: Map<String, Value>,
    /// The specification version the contract was read as.
    pub spec_version: SpecVersion,
}

/// Why a contract file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContractError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The text is not JSON.
    #[error("{file}:{line}:{column}: malformed JSON: {message}")]
    Syntax {
        /// The file (or `<input>`).
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What the parser expected.
        message: String,
    },
    /// The JSON is not a valid contract.
    #[error("{file}:{line}:{column}: {error}")]
    Invalid {
        /// The file (or `<input>`).
        file: PathBuf,
        /// Line, from 1.
        line: usize,
        /// Column, from 1.
        column: usize,
        /// What is wrong, and where in the document.
        error: ReadError,
    },
}

impl ContractError {
    /// The line and column the error points at, when it has one.
    pub fn position(&self) -> Option<Position> {
        match self {
            ContractError::Io { .. } => None,
            ContractError::Syntax { line, column, .. }
            | ContractError::Invalid { line, column, .. } => Some(Position {
                line: *line,
                column: *column,
            }),
        }
    }
}

impl Pact {
    /// An empty contract between two parties.
    pub fn new(consumer: impl Into<String>, provider: impl Into<String>) -> Self {
        Pact {
            consumer: consumer.into(),
            provider: provider.into(),
            interactions: vec![],
            metadata: Map::new(),
            spec_version: SpecVersion::V4,
        }
    }

    /// Reads a contract file of any version.
    pub fn from_file(path: impl AsRef<Path>) -> Result<Self, ContractError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ContractError::Io {
            file: path.to_path_buf(),
            source,
        })?;
        Self::parse_named(&text, path)
    }

    /// Reads a contract from text of any version.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Self, ContractError> {
        Self::parse_named(text, Path::new("<input>"))
    }

    /// Reads a contract from text, naming `file` in errors.
    pub fn parse_named(text: &str, file: &Path) -> Result<Self, ContractError> {
        Self::parse_visiting(text, file, |_, _, _, _| {})
    }

    /// Reads a contract from text, naming `file` in errors, handing each interaction as
    /// written and as read to `visit` (list key, index, JSON, model), in order. The text is streamed:
    /// each interaction's JSON is dropped once read. A text the stream cannot read is read
    /// whole (for its located error, or its reading); `visit` then starts again from 0.
    pub(crate) fn parse_visiting(
        text: &str,
        file: &Path,
        mut visit: impl FnMut(&str, usize, &Value, &Interaction),
    ) -> Result<Self, ContractError> {
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(pact) = Self::read_streamed(body, &mut visit) {
            return Ok(pact);
        }
        let (pact, value) = Self::parse_whole(body, file)?;
        if let Some((key, _)) = list_key(&value) {
            let items = value
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for (i, (item, interaction)) in items.zip(&pact.interactions).enumerate() {
                visit(key, i, item, interaction);
            }
        }
        Ok(pact)
    }

    /// Reads a contract one interaction at a time; `None` when anything is unusual.
    fn read_streamed(
        body: &str,
        visit: &mut impl FnMut(&str, usize, &Value, &Interaction),
    ) -> Option<Self> {
        let outline = stream::outline(body)?;
        let mut pact = Self::header(&outline.skeleton, outline.typed).ok()?;
        if let Some((key, message)) = list_key(&outline.skeleton) {
            let version = pact.spec_version;
            stream::each_item(body, key, |i, item| {
                let interaction = Interaction::from_json(&item, version, message)?;
                visit(key, i, &item, &interaction);
                pact.interactions.push(interaction);
                Ok::<_, ReadError>(())
            })?;
        }
        Some(pact)
    }

    /// Reads the whole document as one JSON value, then the contract.
    fn parse_whole(body: &str, file: &Path) -> Result<(Self, Value), ContractError> {
        let value: Value = serde_json::from_str(body).map_err(|e| ContractError::Syntax {
            file: file.to_path_buf(),
            line: e.line(),
            column: char_column(body, e.line(), e.column()),
            message: e
                .to_string()
                .split(" at line ")
                .next()
                .unwrap_or_default()
                .to_string(),
        })?;
        let pact = Self::from_json(&value).map_err(|error| {
            let at = locate(body, &error.pointer).unwrap_or(Position { line: 1, column: 1 });
            ContractError::Invalid {
                file: file.to_path_buf(),
                line: at.line,
                column: at.column,
                error,
            }
        })?;
        Ok((pact, value))
    }

    /// A contract without its interactions, from a document whose lists were skimmed
    /// (`typed`: an element of `interactions` has a `type` key).
    fn header(value: &Value, typed: bool) -> Result<Self, ReadError> {
        Ok(Pact {
            spec_version: detect_version(value, typed)?,
            consumer: party(value, "consumer")?,
            provider: party(value, "provider")?,
            interactions: Vec::new(),
            metadata: kept_metadata(value),
        })
    }

    /// Reads a parsed contract document of any version.
    pub fn from_json(value: &Value) -> Result<Self, ReadError> {
        let obj = value
            .as_object()
            .ok_or_else(|| ReadError::at::<&str>(&[], "expected a contract object"))?;
        let spec_version = detect_version(value, any_typed(value))?;
        let (key, message) = list_key(value).unwrap_or(("interactions", false));
        let list = match obj.get(key) {
            None | Some(Value::Null) => &vec![],
            Some(Value::Array(items)) => items,
            Some(_) => return Err(ReadError::at(&[key], "expected an array of interactions")),
        };
        let interactions = list
            .iter()
            .enumerate()
            .map(|(i, v)| {
                Interaction::from_json(v, spec_version, message)
                    .map_err(|e| e.within(i).within(key))
            })
            .collect::<Result<_, _>>()?;
        Ok(Pact {
            consumer: party(value, "consumer")?,
            provider: party(value, "provider")?,
            interactions,
            metadata: kept_metadata(value),
            spec_version,
        })
    }

    /// The canonical V4 JSON form: keys sorted, interactions in a deterministic order.
    pub fn to_json(&self) -> Value {
        let mut interactions: Vec<&Interaction> = self.interactions.iter().collect();
        interactions.sort_by(|a, b| a.identity_cmp(b));
        let mut metadata = self.metadata.clone();
        metadata.insert("pactSpecification".into(), json!({"version": "4.0"}));
        metadata.insert(
            "shakedown".into(),
            json!({"version": env!("CARGO_PKG_VERSION")}),
        );
        json!({
            "consumer": {"name": self.consumer},
            "provider": {"name": self.provider},
            "interactions": interactions.iter().map(|i| i.to_json()).collect::<Vec<_>>(),
            "metadata": metadata,
        })
    }

    /// The contract's identity: SHA-256 (hex) of its canonical V4 form without the tool's
    /// own metadata, so the same contract has the same digest whichever version wrote it.
    /// The results store records it; it must never change for a given contract.
    pub fn digest(&self) -> String {
        let mut v = self.to_json();
        if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
            meta.remove("shakedown");
        }
        let hash = Sha256::digest(v.to_string().as_bytes());
        hash.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The V4 form as pretty-printed text with a trailing newline.
    pub fn to_pretty_string(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.to_json()).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Adds an interaction, replacing one with the same description, states and kind.
    pub fn upsert(&mut self, interaction: Interaction) {
        match self
            .interactions
            .iter_mut()
            .find(|i| i.same_identity(&interaction))
        {
            Some(existing) => *existing = interaction,
            None => self.interactions.push(interaction),
        }
    }

    /// [`Pact::upsert`] of each interaction in turn, with the same result, in time linear in
    /// both counts: an index by identity instead of a search per interaction.
    pub fn upsert_all(&mut self, new: impl IntoIterator<Item = Interaction>) {
        let mut at: HashMap<OwnedIdentity, usize> = HashMap::new();
        for (i, existing) in self.interactions.iter().enumerate() {
            at.entry(owned_identity(existing)).or_insert(i);
        }
        for interaction in new {
            match at.entry(owned_identity(&interaction)) {
                Entry::Occupied(slot) => self.interactions[*slot.get()] = interaction,
                Entry::Vacant(slot) => {
                    slot.insert(self.interactions.len());
                    self.interactions.push(interaction);
                }
            }
        }
    }
}

/// An interaction's identity key, owning its parts (to index a list it then changes).
type OwnedIdentity = (String, Vec<String>, &'static str, Option<String>);

fn owned_identity(i: &Interaction) -> OwnedIdentity {
    let (description, states, kind, key) = i.identity_key();
    (description.into(), states, kind, key.map(str::to_string))
}

/// serde_json counts columns in bytes; people (and editors) count characters.
fn char_column(text: &str, line: usize, byte_column: usize) -> usize {
    let Some(l) = text.lines().nth(line.saturating_sub(1)) else {
        return byte_column;
    };
    let mut end = byte_column.saturating_sub(1).min(l.len());
    while !l.is_char_boundary(end) {
        end -= 1;
    }
    l[..end].chars().count() + 1
}

fn party(value: &Value, key: &str) -> Result<String, ReadError> {
    match value.get(key) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(v) => v
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| ReadError::at(&[key], "expected an object with a `name` string")),
    }
}

/// The version a contract declares (an unknown one is an error), or else the one its shape
/// implies.
fn detect_version(value: &Value, typed: bool) -> Result<SpecVersion, ReadError> {
    let declared = declared_version(value)?;
    Ok(match declared {
        Some(v) if typed => v.max(SpecVersion::V4),
        Some(v) => v,
        None if typed => SpecVersion::V4,
        None if value.get("messages").is_some() => SpecVersion::V3,
        None => SpecVersion::V2,
    })
}

/// True when an element of `interactions` has a `type` key (a V4 contract).
fn any_typed(value: &Value) -> bool {
    value
        .get("interactions")
        .and_then(Value::as_array)
        .is_some_and(|items| items.iter().any(|i| i.get("type").is_some()))
}

/// The key of the interaction list and whether it holds messages: `interactions` when
/// present, else `messages` when present.
fn list_key(value: &Value) -> Option<(&'static str, bool)> {
    match (value.get("interactions"), value.get("messages")) {
        (Some(_), _) => Some(("interactions", false)),
        (None, Some(_)) => Some(("messages", true)),
        (None, None) => None,
    }
}

/// The version in the metadata, if a version string is there.
fn declared_version(value: &Value) -> Result<Option<SpecVersion>, ReadError> {
    let Some(meta) = value.get("metadata") else {
        return Ok(None);
    };
    let places: [&[&str]; 3] = [
        &["pactSpecification", "version"],
        &["pact-specification", "version"],
        &["pactSpecificationVersion"],
    ];
    let found = places.iter().find_map(|keys| {
        let v = keys.iter().try_fold(meta, |v, k| v.get(*k))?;
        v.as_str().map(|s| (*keys, s))
    });
    let Some((keys, text)) = found else {
        return Ok(None);
    };
    SpecVersion::parse(text).map(Some).ok_or_else(|| {
        let pointer: Vec<&str> = std::iter::once("metadata")
            .chain(keys.iter().copied())
            .collect();
        ReadError::at(
            &pointer,
            format!(
                "unknown Pact specification version {text:?}: the versions understood are {}",
                SpecVersion::ALL.map(|v| v.to_string()).join(", ")
            ),
        )
    })
}

fn kept_metadata(value: &Value) -> Map<String, Value> {
    let mut meta = value
        .get("metadata")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for k in [
        "pactSpecification",
        "pact-specification",
        "pactSpecificationVersion",
        "shakedown",
    ] {
        meta.remove(k);
    }
    meta
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::InteractionKind;

    /// An HTTP interaction `description` in `state` (none when empty) answering `status`.
    fn http(description: &str, state: &str, status: u16) -> Interaction {
        let response = crate::contract::HttpResponse {
            status,
            ..Default::default()
        };
        let request = Default::default();
        let mut i = Interaction::new(description, InteractionKind::Http { request, response });
        if !state.is_empty() {
            i.provider_states = vec![crate::contract::ProviderState::named(state)];
        }
        i
    }

    #[test]
    fn upserting_all_at_once_is_upserting_one_after_another() {
        let old = [http("a", "", 200), http("b", "s", 200), http("a", "", 201)];
        let new = [
            http("b", "s", 404),
            http("b", "t", 200),
            http("a", "", 500),
            http("c", "", 200),
            http("c", "", 202),
        ];
        let mut one_by_one = Pact::new("c", "p");
        one_by_one.interactions = old.to_vec();
        let mut at_once = one_by_one.clone();
        for i in new.iter().cloned() {
            one_by_one.upsert(i);
        }
        at_once.upsert_all(new.iter().cloned());
        assert_eq!(at_once, one_by_one);
        let statuses: Vec<u16> = at_once
            .interactions
            .iter()
            .filter_map(|i| match &i.kind {
                InteractionKind::Http { response, .. } => Some(response.status),
                _ => None,
            })
            .collect();
        assert_eq!(statuses, [500, 404, 201, 200, 202]);
    }

    #[test]
    fn the_streamed_reading_is_the_whole_reading() {
        let texts = [
            r#"{"consumer": {"name": "c"}, "provider": {"name": "p"}, "interactions": [
                {"type": "Synchronous/HTTP", "description": "d", "request": {"method": "GET",
                 "path": "/"}, "response": {"status": 200}}]}"#,
            r#"{"messages": [{"description": "m", "contents": {"a": 1}}],
                "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#,
            r#"{"interactions": null, "messages": [1], "provider": {"name": "p"}}"#,
            r#"{"interactions": [], "interactions": [{"description": "d",
                "request": {"path": "/"}, "response": {"status": 200}}]}"#,
        ];
        for text in texts {
            let whole = Pact::from_json(&serde_json::from_str(text).unwrap()).unwrap();
            let mut visited = Vec::new();
            let read = Pact::parse_visiting(text, Path::new("f"), |key, i, _, _| {
                visited.truncate(i);
                visited.push(key.to_string());
            });
            assert_eq!(read.unwrap(), whole, "{text}");
            assert_eq!(visited.len(), whole.interactions.len(), "{text}");
        }
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let err =
            Pact::from_str("{\n  \"consumer\": {\"name\": \"a\"},\n  \"x\": ]\n}").unwrap_err();
        match err {
            ContractError::Syntax { line, column, .. } => assert_eq!((line, column), (3, 8)),
            other => panic!("unexpected {other}"),
        }
    }

    #[test]
    fn columns_count_characters_and_ignore_the_bom() {
        let err = Pact::from_str("{\"description\": \"ééééé\", x}").unwrap_err();
        assert_eq!(err.position().map(|p| p.column), Some(26));
        let err = Pact::from_str("\u{feff}{\"interactions\": 5}").unwrap_err();
        assert_eq!(err.position().map(|p| (p.line, p.column)), Some((1, 18)));
    }

    #[test]
    fn invalid_contracts_point_at_the_value() {
        let text = "{\"interactions\": [\n {\"description\": \"x\", \"request\": {},\n  \"response\": {\"status\": \"ok\"}}]}";
        let err = Pact::from_str(text).unwrap_err();
        let at = err.position().unwrap();
        assert_eq!((at.line, at.column), (3, 26));
        assert!(
            err.to_string().contains("/interactions/0/response/status"),
            "{err}"
        );
    }

    #[test]
    fn digests_are_stable() {
        let text = r#"{"consumer": {"name": "web"}, "provider": {"name": "orders"},
          "interactions": [{"description": "get order", "request": {"method": "GET", "path": "/orders/1"},
                            "response": {"status": 200, "body": {"id": 1}}}],
          "metadata": {"pactSpecification": {"version": "2.0.0"}, "shakedown": {"version": "0.0.1"}}}"#;
        let pact = Pact::from_str(text).unwrap();
        assert_eq!(
            pact.digest(),
            "9968729f0bf096ff0a4b48afe84a3720bf63c5ad55fc315bdd1325d61ac1ddb4"
        );
        let mut upgraded = pact.clone();
        upgraded.spec_version = SpecVersion::V4;
        assert_eq!(
            upgraded.digest(),
            pact.digest(),
            "the version read is not part of it"
        );
    }

    #[test]
    fn reads_v3_message_pacts() {
        let text = r#"{"consumer": {"name": "shipping"}, "provider": {"name": "orders"},
          "messages": [{"description": "order placed", "providerStates": [{"name": "s", "params": {"id": 1}}],
                        "contents": {"id": 1}, "metaData": {"contentType": "application/json"}}],
          "metadata": {"pactSpecification": {"version": "3.0.0"}}}"#;
        let pact = Pact::from_str(text).unwrap();
        assert_eq!(pact.spec_version, SpecVersion::V3);
        let back = Pact::from_json(&pact.to_json()).unwrap();
        assert_eq!(back.interactions, pact.interactions);
    }
}

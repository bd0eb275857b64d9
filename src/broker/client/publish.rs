//! Publishing contracts: `pb:publish-contracts` with the consumer version, its branch, tags
//! and build URL, and each contract's bytes as they are (base64).

use base64::Engine as _;
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::broker::{Body, Broker, HAL};
use super::error::BrokerError;

/// One contract file to publish, as its bytes (the broker keeps them as they are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractFile {
    /// The consumer it names.
    pub consumer: String,
    /// The provider it names.
    pub provider: String,
    /// The file's bytes.
    pub content: Vec<u8>,
}

/// What to publish: a consumer version and its contracts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Publication {
    /// The consumer (pacticipant) name.
    pub pacticipant: String,
    /// Its version.
    pub version: String,
    /// The version's branch.
    pub branch: Option<String>,
    /// The version's tags.
    pub tags: Vec<String>,
    /// The CI build that made it.
    pub build_url: Option<String>,
    /// The contracts.
    pub contracts: Vec<ContractFile>,
    /// The broker's `onConflict` for each contract (`"merge"`), when set.
    pub on_conflict: Option<String>,
}

/// A message the broker returns for the user (publish notices, matrix notices, pact
/// verification notices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// `info`, `warning`, `error`, `before_verification`, … (empty when not given).
    pub level: String,
    /// The text.
    pub text: String,
}

impl Notice {
    /// The notices in `v` (`[{type|level|when, text|message}]`).
    pub(super) fn all(v: Option<&Value>) -> Vec<Notice> {
        let Some(items) = v.and_then(Value::as_array) else {
            return vec![];
        };
        let field = |n: &Value, names: &[&str]| {
            names
                .iter()
                .find_map(|k| n.get(*k).and_then(Value::as_str))
                .unwrap_or_default()
                .to_string()
        };
        items
            .iter()
            .map(|n| Notice {
                level: field(n, &["type", "level", "when"]),
                text: field(n, &["text", "message"]),
            })
            .collect()
    }
}

/// What the broker answered to a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// The version number the broker recorded.
    pub version: Option<String>,
    /// Its notices (or logs) for the user.
    pub notices: Vec<Notice>,
    /// The published contracts' URLs.
    pub contracts: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ContractJson<'a> {
    consumer_name: &'a str,
    provider_name: &'a str,
    specification: &'static str,
    content_type: &'static str,
    content: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    on_conflict: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PublicationJson<'a> {
    pacticipant_name: &'a str,
    pacticipant_version_number: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    branch: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    tags: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    build_url: Option<&'a str>,
    contracts: Vec<ContractJson<'a>>,
}

impl Publication {
    /// The request body (docs/index-publish-contracts.md).
    fn json(&self) -> Value {
        let b64 = base64::engine::general_purpose::STANDARD;
        let contracts = self
            .contracts
            .iter()
            .map(|c| ContractJson {
                consumer_name: &c.consumer,
                provider_name: &c.provider,
                specification: "pact",
                content_type: "application/json",
                content: b64.encode(&c.content),
                on_conflict: self.on_conflict.as_deref(),
            })
            .collect();
        let body = PublicationJson {
            pacticipant_name: &self.pacticipant,
            pacticipant_version_number: &self.version,
            branch: self.branch.as_deref(),
            tags: &self.tags,
            build_url: self.build_url.as_deref(),
            contracts,
        };
        serde_json::to_value(body).unwrap_or_default()
    }
}

impl Broker {
    /// Publishes a consumer version's contracts through the index's `pb:publish-contracts`.
    /// A contract published before under the same version with other content is a
    /// [`BrokerError::Conflict`].
    pub async fn publish_contracts(
        &self,
        publication: &Publication,
    ) -> Result<Published, BrokerError> {
        let link = self.relation("pb:publish-contracts", HAL).await?;
        let body = publication.json();
        let answer = self
            .send(Method::POST, &link.href, Some(Body::json(&body)), HAL)
            .await
            .map_err(|e| e.looking_for("the publish-contracts resource"))?;
        let v = &answer.body;
        // Brokers send `notices`, older ones `logs`, some both with the same texts.
        let mut notices = Notice::all(v.get("notices"));
        if notices.is_empty() {
            notices = Notice::all(v.get("logs"));
        }
        let contracts = super::hal::Hal(v.clone())
            .links("pb:contracts")
            .into_iter()
            .map(|l| l.href)
            .collect();
        let version = v
            .pointer("/_embedded/version/number")
            .and_then(Value::as_str)
            .map(str::to_string);
        Ok(Published {
            version,
            notices,
            contracts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_send_the_documented_body_without_empty_fields() {
        let p = Publication {
            pacticipant: "Foo".into(),
            version: "1".into(),
            contracts: vec![ContractFile {
                consumer: "Foo".into(),
                provider: "Bar".into(),
                content: b"{}".to_vec(),
            }],
            ..Default::default()
        };
        assert_eq!(
            p.json(),
            json!({"pacticipantName": "Foo", "pacticipantVersionNumber": "1", "contracts": [
                {"consumerName": "Foo", "providerName": "Bar", "specification": "pact",
                 "contentType": "application/json", "content": "e30="}]})
        );
    }

    #[test]
    fn should_read_notices_and_logs() {
        let v = json!([{"type": "info", "text": "a"}, {"level": "debug", "message": "b"}]);
        let n = Notice::all(Some(&v));
        assert_eq!((n[0].level.as_str(), n[0].text.as_str()), ("info", "a"));
        assert_eq!((n[1].level.as_str(), n[1].text.as_str()), ("debug", "b"));
    }
}

//! Provider verification through the broker: the pacts to verify (`pb:provider-pacts-for-
//! verification`, with consumer version selectors, pending and WIP), each pact fetched by its
//! href, and one result published to the pact's `pb:publish-verification-results`.

use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use super::broker::{hal, Body, Broker, HAL};
use super::error::BrokerError;
use super::hal::Hal;
use super::publish::Notice;

/// Which pacts a provider asks for (docs/provider-pacts-for-verification.md).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PactsQuery {
    /// The provider.
    pub provider: String,
    /// Consumer version selectors, as the broker documents them (passed through).
    pub selectors: Vec<Value>,
    /// The provider version's branch (decides what is pending).
    pub provider_version_branch: Option<String>,
    /// The provider version's tags.
    pub provider_version_tags: Vec<String>,
    /// Ask the broker which pacts are pending.
    pub include_pending_status: bool,
    /// Include work-in-progress pacts published since this date.
    pub include_wip_pacts_since: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueryJson<'a> {
    consumer_version_selectors: &'a [Value],
    #[serde(skip_serializing_if = "Option::is_none")]
    provider_version_branch: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    provider_version_tags: &'a [String],
    include_pending_status: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    include_wip_pacts_since: Option<&'a str>,
}

impl PactsQuery {
    /// The request body.
    fn json(&self) -> Value {
        serde_json::to_value(QueryJson {
            consumer_version_selectors: &self.selectors,
            provider_version_branch: self.provider_version_branch.as_deref(),
            provider_version_tags: &self.provider_version_tags,
            include_pending_status: self.include_pending_status,
            include_wip_pacts_since: self.include_wip_pacts_since.as_deref(),
        })
        .unwrap_or_default()
    }
}

/// One pact the broker says to verify, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PactToVerify {
    /// Where the pact is.
    pub href: String,
    /// The broker's short description (or the link's name).
    pub description: String,
    /// Pending: its failure must not fail the provider's build.
    pub pending: bool,
    /// Work in progress (also pending).
    pub wip: bool,
    /// Why it was selected, and why it is (not) pending.
    pub notices: Vec<Notice>,
}

/// A pact fetched from the broker.
#[derive(Debug, Clone, PartialEq)]
pub struct FetchedPact {
    /// Where it was fetched.
    pub href: String,
    /// The pact document (its `_links` included).
    pub content: Value,
    /// Where its verification results go (`pb:publish-verification-results`).
    pub publish_results: Option<String>,
}

/// A verification result to publish.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationResult {
    /// Whether the provider honoured the pact.
    pub success: bool,
    /// The provider version verified.
    pub provider_version: String,
    /// The CI build, if any.
    pub build_url: Option<String>,
}

impl Broker {
    /// The pacts `query.provider` must verify, as the broker selects them.
    pub async fn pacts_for_verification(
        &self,
        query: &PactsQuery,
    ) -> Result<Vec<PactToVerify>, BrokerError> {
        let link = self
            .relation("pb:provider-pacts-for-verification", HAL)
            .await?;
        let href = link.expand(&[("provider", &query.provider)]);
        let body = query.json();
        let answer = self
            .send(Method::POST, &href, Some(Body::json(&body)), HAL)
            .await
            .map_err(|e| e.looking_for(format!("provider {:?}", query.provider)))?;
        let doc = hal(answer)?;
        let pacts = doc
            .embedded("pacts")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        Ok(pacts.iter().filter_map(pact_to_verify).collect())
    }

    /// The pact at `href`.
    pub async fn fetch_pact(&self, href: &str) -> Result<FetchedPact, BrokerError> {
        let doc = self
            .get_hal(href, HAL)
            .await
            .map_err(|e| e.looking_for("the pact"))?;
        Ok(FetchedPact {
            href: href.to_string(),
            publish_results: doc.link("pb:publish-verification-results").map(|l| l.href),
            content: doc.0,
        })
    }

    /// Publishes `result` to the pact's `pb:publish-verification-results`.
    pub async fn publish_verification(
        &self,
        pact: &FetchedPact,
        result: &VerificationResult,
    ) -> Result<(), BrokerError> {
        let href = pact.publish_results.as_deref().ok_or_else(|| {
            super::broker::missing(
                "pb:publish-verification-results",
                format!("the pact at {}", pact.href),
                &Hal(pact.content.clone()),
            )
        })?;
        let mut body = json!({
            "success": result.success,
            "providerApplicationVersion": result.provider_version,
            "verifiedBy": {"implementation": "shakedown", "version": env!("CARGO_PKG_VERSION")},
        });
        if let Some(url) = &result.build_url {
            body["buildUrl"] = json!(url);
        }
        self.send(Method::POST, href, Some(Body::json(&body)), HAL)
            .await
            .map_err(|e| e.looking_for("the pact's verification results resource"))?;
        Ok(())
    }
}

/// One entry of `_embedded.pacts`; `None` without a self href.
fn pact_to_verify(p: &Value) -> Option<PactToVerify> {
    let doc = Hal(p.clone());
    let link = doc.link("self")?;
    let props = p.get("verificationProperties");
    let flag = |name: &str| {
        props
            .and_then(|v| v.get(name))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    let description = p
        .get("shortDescription")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or(link.name)
        .or(link.title)
        .unwrap_or_else(|| link.href.clone());
    Some(PactToVerify {
        href: link.href,
        description,
        pending: flag("pending"),
        wip: flag("wip"),
        notices: Notice::all(props.and_then(|v| v.get("notices"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_pending_wip_and_notices_of_each_pact() {
        let p = json!({"shortDescription": "latest main", "verificationProperties": {
            "pending": true, "wip": true,
            "notices": [{"when": "before_verification", "text": "why"}]},
            "_links": {"self": {"href": "http://b/pacts/1", "name": "Pact between A and B"}}});
        let got = pact_to_verify(&p).unwrap();
        assert!(got.pending && got.wip);
        assert_eq!(got.description, "latest main");
        assert_eq!(got.notices[0].level, "before_verification");
        assert!(pact_to_verify(&json!({"_links": {}})).is_none());
    }

    #[test]
    fn should_send_the_documented_query() {
        let q = PactsQuery {
            provider: "B".into(),
            selectors: vec![json!({"mainBranch": true})],
            include_pending_status: true,
            include_wip_pacts_since: Some("2020-01-01".into()),
            ..Default::default()
        };
        assert_eq!(
            q.json(),
            json!({"consumerVersionSelectors": [{"mainBranch": true}],
                   "includePendingStatus": true, "includeWipPactsSince": "2020-01-01"})
        );
    }
}

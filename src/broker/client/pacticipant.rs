//! Pacticipants (applications), their versions, tags and branches, and the latest pacts.
//!
//! Relations the index may lack fall back to the paths the official client asks (the Pact
//! Broker's own contract records them): `pb:latest-pact-versions` → `/pacts/latest`,
//! `pb:latest-provider-pacts` → `/pacts/provider/{provider}/latest`,
//! `pb:latest-provider-pacts-with-tag` → `/pacts/provider/{provider}/latest/{tag}`,
//! `pb:pacticipant-version-tag` → `/pacticipants/{pacticipant}/versions/{version}/tags/{tag}`.
//! The pact between a consumer and a provider has no index relation: its paths are
//! `/pacts/provider/{provider}/consumer/{consumer}/version/{version}` (or `/latest[/{tag}]`).

use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use super::broker::{hal, Body, Broker, HAL, HAL_OR_JSON};
use super::error::BrokerError;
use super::hal::{expand, Hal};
use super::verification::FetchedPact;

/// A pacticipant (consumer or provider application).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pacticipant {
    /// Its name.
    pub name: String,
    /// Its repository URL.
    pub repository_url: Option<String>,
    /// Its main branch.
    pub main_branch: Option<String>,
    /// Its latest version, when the broker embeds it.
    pub latest_version: Option<String>,
}

/// A pacticipant version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Version {
    /// Its number.
    pub number: Option<String>,
    /// Where it is.
    pub href: Option<String>,
}

/// A pact in a list (latest pacts): who, which consumer version, where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PactRef {
    /// The consumer (or the link's name).
    pub consumer: String,
    /// The provider, when listed.
    pub provider: Option<String>,
    /// The consumer version, when listed.
    pub consumer_version: Option<String>,
    /// Where the pact is.
    pub href: String,
}

impl Pacticipant {
    fn from_json(v: &Value) -> Pacticipant {
        let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
        Pacticipant {
            name: s("/name").unwrap_or_default(),
            repository_url: s("/repositoryUrl"),
            main_branch: s("/mainBranch"),
            latest_version: s("/_embedded/latest-version/number"),
        }
    }
}

impl Broker {
    /// Every pacticipant (`pb:pacticipants`).
    pub async fn pacticipants(&self) -> Result<Vec<Pacticipant>, BrokerError> {
        let link = self.relation("pb:pacticipants", HAL).await?;
        let doc = self.get_hal(&link.href, HAL).await?;
        let items = doc.0.get("pacticipants").and_then(Value::as_array);
        Ok(items
            .into_iter()
            .flatten()
            .map(Pacticipant::from_json)
            .collect())
    }

    /// The pacticipant named `name` (`pb:pacticipant`), `None` when the broker has none.
    pub async fn pacticipant(&self, name: &str) -> Result<Option<Pacticipant>, BrokerError> {
        let link = self.relation("pb:pacticipant", HAL).await?;
        match self
            .get_hal(&link.expand(&[("pacticipant", name)]), HAL)
            .await
        {
            Ok(doc) => Ok(Some(Pacticipant {
                name: doc.str("name").unwrap_or(name).to_string(),
                ..Pacticipant::from_json(&doc.0)
            })),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Creates a pacticipant (`POST` to `pb:pacticipants`).
    pub async fn create_pacticipant(
        &self,
        name: &str,
        repository_url: Option<&str>,
    ) -> Result<Pacticipant, BrokerError> {
        let link = self.relation("pb:pacticipants", HAL).await?;
        let body = pacticipant_body(name, repository_url);
        let answer = self
            .send(Method::POST, &link.href, Some(Body::json(&body)), HAL)
            .await?;
        Ok(Pacticipant::from_json(&answer.body))
    }

    /// Updates a pacticipant (`PATCH` to its `pb:pacticipant`).
    pub async fn update_pacticipant(
        &self,
        name: &str,
        repository_url: Option<&str>,
    ) -> Result<Pacticipant, BrokerError> {
        let link = self.relation("pb:pacticipant", HAL).await?;
        let body = pacticipant_body(name, repository_url);
        let answer = self
            .send(
                Method::PATCH,
                &link.expand(&[("pacticipant", name)]),
                Some(Body::json(&body)),
                HAL,
            )
            .await
            .map_err(|e| e.looking_for(format!("pacticipant {name:?}")))?;
        Ok(Pacticipant::from_json(&answer.body))
    }

    /// The latest version of `pacticipant` (with `tag`: the latest with that tag), through
    /// `pb:latest-version` or `pb:latest-tagged-version`.
    pub async fn latest_version(
        &self,
        pacticipant: &str,
        tag: Option<&str>,
    ) -> Result<Version, BrokerError> {
        let rel = if tag.is_some() {
            "pb:latest-tagged-version"
        } else {
            "pb:latest-version"
        };
        let link = self.relation(rel, HAL_OR_JSON).await?;
        let href = link.expand(&[
            ("pacticipant", pacticipant),
            ("tag", tag.unwrap_or_default()),
        ]);
        let what = match tag {
            Some(t) => format!("a version of {pacticipant:?} tagged {t:?}"),
            None => format!("a version of {pacticipant:?}"),
        };
        let doc = self
            .get_hal(&href, HAL_OR_JSON)
            .await
            .map_err(|e| e.looking_for(what))?;
        Ok(Version {
            number: doc.str("number").map(str::to_string),
            href: doc.link("self").map(|l| l.href),
        })
    }

    /// Tags `version` of `pacticipant` with `tag` (created as needed).
    pub async fn tag_version(
        &self,
        pacticipant: &str,
        version: &str,
        tag: &str,
    ) -> Result<(), BrokerError> {
        let fallback = "/pacticipants/{pacticipant}/versions/{version}/tags/{tag}";
        let link = self
            .relation_or("pb:pacticipant-version-tag", fallback)
            .await?;
        let href = link.expand(&[
            ("pacticipant", pacticipant),
            ("version", version),
            ("tag", tag),
        ]);
        self.send(Method::PUT, &href, Some(Body::json(&json!({}))), HAL)
            .await?;
        Ok(())
    }

    /// Records that `version` of `pacticipant` is on `branch` (`PUT` to the index's
    /// `pb:pacticipant-branch-version`, as the Pact verifiers do before publishing results);
    /// `Ok(false)` when this broker has no such relation (nothing recorded).
    pub async fn record_branch(
        &self,
        pacticipant: &str,
        branch: &str,
        version: &str,
    ) -> Result<bool, BrokerError> {
        let index = self.index().await?;
        let Some(link) = index.link("pb:pacticipant-branch-version") else {
            return Ok(false);
        };
        let href = link.expand(&[
            ("pacticipant", pacticipant),
            ("branch", branch),
            ("version", version),
        ]);
        self.send(Method::PUT, &href, Some(Body::json(&json!({}))), HAL)
            .await?;
        Ok(true)
    }

    /// Deletes `branch` of `pacticipant` (`pb:pacticipant-branch`).
    pub async fn delete_branch(&self, pacticipant: &str, branch: &str) -> Result<(), BrokerError> {
        let link = self.relation("pb:pacticipant-branch", HAL).await?;
        let href = link.expand(&[("pacticipant", pacticipant), ("branch", branch)]);
        self.send(Method::DELETE, &href, None, HAL)
            .await
            .map_err(|e| e.looking_for(format!("branch {branch:?} of {pacticipant:?}")))?;
        Ok(())
    }

    /// The latest pact of every consumer and provider.
    pub async fn latest_pacts(&self) -> Result<Vec<PactRef>, BrokerError> {
        let link = self
            .relation_or("pb:latest-pact-versions", "/pacts/latest")
            .await?;
        let doc = self.get_hal(&link.href, HAL).await?;
        let items = doc.0.get("pacts").and_then(Value::as_array);
        Ok(items
            .into_iter()
            .flatten()
            .filter_map(listed_pact)
            .collect())
    }

    /// The latest pact of each consumer of `provider` (with `tag`: the latest so tagged).
    pub async fn latest_provider_pacts(
        &self,
        provider: &str,
        tag: Option<&str>,
    ) -> Result<Vec<PactRef>, BrokerError> {
        let link = match tag {
            Some(_) => {
                self.relation_or(
                    "pb:latest-provider-pacts-with-tag",
                    "/pacts/provider/{provider}/latest/{tag}",
                )
                .await?
            }
            None => {
                self.relation_or(
                    "pb:latest-provider-pacts",
                    "/pacts/provider/{provider}/latest",
                )
                .await?
            }
        };
        let href = link.expand(&[("provider", provider), ("tag", tag.unwrap_or_default())]);
        let doc = self
            .get_hal(&href, HAL)
            .await
            .map_err(|e| e.looking_for(format!("provider {provider:?}")))?;
        Ok(doc
            .links("pb:pacts")
            .into_iter()
            .map(|l| PactRef {
                consumer: l.name.unwrap_or_default(),
                provider: Some(provider.to_string()),
                consumer_version: None,
                href: l.href,
            })
            .collect())
    }

    /// The pact between `consumer` and `provider`: of this consumer `version`, or the
    /// latest (with `tag`: the latest so tagged). `None` when there is none.
    pub async fn pact_between(
        &self,
        provider: &str,
        consumer: &str,
        version: PactVersion<'_>,
    ) -> Result<Option<FetchedPact>, BrokerError> {
        let template = match version {
            PactVersion::Number(_) => {
                "/pacts/provider/{provider}/consumer/{consumer}/version/{version}"
            }
            PactVersion::Latest => "/pacts/provider/{provider}/consumer/{consumer}/latest",
            PactVersion::LatestTagged(_) => {
                "/pacts/provider/{provider}/consumer/{consumer}/latest/{tag}"
            }
        };
        let (version, tag) = match version {
            PactVersion::Number(v) => (v, ""),
            PactVersion::LatestTagged(t) => ("", t),
            PactVersion::Latest => ("", ""),
        };
        let href = expand(
            template,
            &[
                ("provider", provider),
                ("consumer", consumer),
                ("version", version),
                ("tag", tag),
            ],
        );
        match self
            .send(Method::GET, &href, None, HAL_OR_JSON)
            .await
            .and_then(hal)
        {
            Ok(doc) => Ok(Some(fetched(href, doc))),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Which pact between a consumer and a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PactVersion<'a> {
    /// Of this consumer version.
    Number(&'a str),
    /// The latest.
    Latest,
    /// The latest with this tag.
    LatestTagged(&'a str),
}

fn fetched(href: String, doc: Hal) -> FetchedPact {
    FetchedPact {
        href,
        publish_results: doc.link("pb:publish-verification-results").map(|l| l.href),
        content: doc.0,
    }
}

fn pacticipant_body(name: &str, repository_url: Option<&str>) -> Value {
    let mut body = json!({"name": name});
    if let Some(u) = repository_url {
        body["repositoryUrl"] = json!(u);
    }
    body
}

fn listed_pact(p: &Value) -> Option<PactRef> {
    let s = |ptr: &str| p.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    Some(PactRef {
        consumer: s("/_embedded/consumer/name")?,
        provider: s("/_embedded/provider/name"),
        consumer_version: s("/_embedded/consumer/_embedded/version/number"),
        href: Hal(p.clone()).link("self")?.href,
    })
}

//! Environments and what runs in them: the broker's environments (by name), recording a
//! deployment or a release through the version's `pb:record-deployment`/`pb:record-release`
//! link for that environment, and recording an undeployment (`currentlyDeployed: false`).

use reqwest::Method;
use serde::Serialize;
use serde_json::{json, Value};

use super::broker::{hal, missing, Body, Broker, HAL};
use super::error::BrokerError;
use super::hal::Hal;

/// An environment of the broker.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    /// Its name (`production`).
    pub name: String,
    /// Its UUID, when the broker says.
    pub uuid: Option<String>,
    /// Its display name.
    pub display_name: Option<String>,
    /// Whether it is a production environment.
    pub production: Option<bool>,
    /// Where it is (its `self` link).
    pub href: Option<String>,
}

/// An environment to create.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewEnvironment {
    /// Its name (unique, no spaces).
    pub name: String,
    /// Its display name.
    pub display_name: Option<String>,
    /// Whether it is a production environment.
    pub production: bool,
    /// Its contacts, as the broker documents them.
    pub contacts: Vec<Value>,
}

/// A version currently deployed to an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployedVersion {
    /// The deployed-version resource.
    pub href: String,
    /// The version number, when the broker says.
    pub version: Option<String>,
    /// The application instance, if any.
    pub application_instance: Option<String>,
}

impl Environment {
    fn from_json(v: &Value) -> Environment {
        let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Environment {
            name: s("name").unwrap_or_default(),
            uuid: s("uuid"),
            display_name: s("displayName"),
            production: v.get("production").and_then(Value::as_bool),
            href: Hal(v.clone()).link("self").map(|l| l.href),
        }
    }
}

impl Broker {
    /// Every environment (`pb:environments`): the embedded ones, and the named links.
    pub async fn environments(&self) -> Result<Vec<Environment>, BrokerError> {
        let link = self.relation("pb:environments", HAL).await?;
        let doc = self.get_hal(&link.href, HAL).await?;
        let mut out: Vec<Environment> = doc
            .embedded("environments")
            .and_then(Value::as_array)
            .map(|envs| envs.iter().map(Environment::from_json).collect())
            .unwrap_or_default();
        for l in doc.links("pb:environments") {
            let Some(name) = l.name else { continue };
            match out.iter_mut().find(|e| e.name == name) {
                Some(e) => e.href = e.href.take().or(Some(l.href)),
                None => out.push(Environment {
                    name,
                    href: Some(l.href),
                    ..Default::default()
                }),
            }
        }
        Ok(out)
    }

    /// The environment named `name`; a 404 error naming the ones there are otherwise.
    pub async fn environment(&self, name: &str) -> Result<Environment, BrokerError> {
        let all = self.environments().await?;
        let names: Vec<String> = all.iter().map(|e| e.name.clone()).collect();
        all.into_iter()
            .find(|e| e.name == name)
            .ok_or_else(|| BrokerError::NoSuch {
                what: format!("environment {name:?} (the broker has: {})", list(&names)),
                broker: self.base_url().to_string(),
            })
    }

    /// Creates an environment (`POST` to `pb:environments`).
    pub async fn create_environment(
        &self,
        env: &NewEnvironment,
    ) -> Result<Environment, BrokerError> {
        let link = self.relation("pb:environments", HAL).await?;
        let mut body = json!({"name": env.name, "production": env.production});
        if let Some(d) = &env.display_name {
            body["displayName"] = json!(d);
        }
        if !env.contacts.is_empty() {
            body["contacts"] = json!(env.contacts);
        }
        let answer = self
            .send(Method::POST, &link.href, Some(Body::json(&body)), HAL)
            .await?;
        Ok(Environment::from_json(&answer.body))
    }

    /// Records that `version` of `pacticipant` is deployed to `environment` (by name),
    /// optionally as one application instance.
    pub async fn record_deployment(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
        application_instance: Option<&str>,
    ) -> Result<Value, BrokerError> {
        let body = match application_instance {
            // `target` is the older name of the same field: brokers read either.
            Some(i) => json!({"applicationInstance": i, "target": i}),
            None => json!({}),
        };
        self.record_on_version(
            "pb:record-deployment",
            pacticipant,
            version,
            environment,
            &body,
        )
        .await
    }

    /// Records that `version` of `pacticipant` is released (and supported) in `environment`.
    pub async fn record_release(
        &self,
        pacticipant: &str,
        version: &str,
        environment: &str,
    ) -> Result<Value, BrokerError> {
        self.record_on_version(
            "pb:record-release",
            pacticipant,
            version,
            environment,
            &json!({}),
        )
        .await
    }

    /// The version resource (`pb:pacticipant-version`).
    pub async fn version_resource(
        &self,
        pacticipant: &str,
        version: &str,
    ) -> Result<Hal, BrokerError> {
        let link = self.relation("pb:pacticipant-version", HAL).await?;
        let href = link.expand(&[("pacticipant", pacticipant), ("version", version)]);
        self.get_hal(&href, HAL)
            .await
            .map_err(|e| e.looking_for(format!("version {version} of pacticipant {pacticipant:?}")))
    }

    /// POSTs `body` to the version's `rel` link named `environment`.
    async fn record_on_version(
        &self,
        rel: &str,
        pacticipant: &str,
        version: &str,
        environment: &str,
        body: &Value,
    ) -> Result<Value, BrokerError> {
        let doc = self.version_resource(pacticipant, version).await?;
        let Some(link) = doc.named(rel, environment) else {
            let names: Vec<String> = doc.links(rel).into_iter().filter_map(|l| l.name).collect();
            if !doc.relations().iter().any(|r| r == rel) {
                let at = format!("version {version} of {pacticipant:?}");
                return Err(missing(rel, at, &doc));
            }
            return Err(BrokerError::NoSuch {
                what: format!(
                    "environment {environment:?} (the broker has: {})",
                    list(&names)
                ),
                broker: self.base_url().to_string(),
            });
        };
        let answer = self
            .send(Method::POST, &link.href, Some(Body::json(body)), HAL)
            .await?;
        Ok(answer.body)
    }

    /// The versions of `pacticipant` currently deployed to `environment`.
    pub async fn currently_deployed(
        &self,
        environment: &Environment,
        pacticipant: &str,
    ) -> Result<Vec<DeployedVersion>, BrokerError> {
        let href = environment
            .href
            .as_deref()
            .ok_or_else(|| BrokerError::MissingLink {
                relation: "self".into(),
                at: format!("environment {:?}", environment.name),
                detail: String::new(),
            })?;
        let env = self.get_hal(href, HAL).await?;
        let rel = "pb:currently-deployed-deployed-versions";
        let link = env
            .link(rel)
            .ok_or_else(|| missing(rel, format!("environment {:?}", environment.name), &env))?;
        let query = super::hal::percent_encode(pacticipant);
        let doc = self
            .send(
                Method::GET,
                &format!("{}?pacticipant={query}", link.href),
                None,
                HAL,
            )
            .await
            .and_then(hal)?;
        let items = doc.embedded("deployedVersions").and_then(Value::as_array);
        Ok(items
            .into_iter()
            .flatten()
            .filter_map(deployed_version)
            .collect())
    }

    /// Marks a deployed version as no longer deployed.
    pub async fn undeploy(&self, deployed: &DeployedVersion) -> Result<(), BrokerError> {
        let body = json!({"currentlyDeployed": false});
        let patch = Body {
            json: &body,
            content_type: "application/merge-patch+json",
        };
        self.send(Method::PATCH, &deployed.href, Some(patch), HAL)
            .await?;
        Ok(())
    }

    /// Records that `pacticipant` (this `version`, or any; this application instance, or
    /// any) no longer runs in `environment`; the deployments undone.
    pub async fn record_undeployment(
        &self,
        pacticipant: &str,
        version: Option<&str>,
        environment: &str,
        application_instance: Option<&str>,
    ) -> Result<Vec<DeployedVersion>, BrokerError> {
        let env = self.environment(environment).await?;
        let deployed = self.currently_deployed(&env, pacticipant).await?;
        let chosen: Vec<DeployedVersion> = deployed
            .into_iter()
            .filter(|d| version.is_none_or(|v| d.version.as_deref() == Some(v)))
            .filter(|d| {
                application_instance.is_none_or(|i| d.application_instance.as_deref() == Some(i))
            })
            .collect();
        if chosen.is_empty() {
            return Err(BrokerError::NoSuch {
                what: format!(
                    "a deployment of {pacticipant:?}{} in environment {environment:?}",
                    version.map(|v| format!(" version {v}")).unwrap_or_default()
                ),
                broker: self.base_url().to_string(),
            });
        }
        for d in &chosen {
            self.undeploy(d).await?;
        }
        Ok(chosen)
    }
}

fn deployed_version(v: &Value) -> Option<DeployedVersion> {
    let s = |p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    Some(DeployedVersion {
        href: Hal(v.clone()).link("self")?.href,
        version: s("/_embedded/version/number").or_else(|| s("/version/number")),
        application_instance: s("/applicationInstance"),
    })
}

fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

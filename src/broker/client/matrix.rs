//! The broker's verdict: the matrix (`/matrix`, the query the official client sends) and
//! can-i-deploy (the index's `pb:can-i-deploy-pacticipant-version-to-environment` when the
//! broker offers it). The client never decides: it reads the broker's summary and rows.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use super::broker::{hal, Broker, HAL};
use super::error::BrokerError;
use super::hal::{expand, percent_encode};
use super::publish::Notice;

/// The index relation of can-i-deploy to an environment.
const CAN_I_DEPLOY_TO_ENVIRONMENT: &str = "pb:can-i-deploy-pacticipant-version-to-environment";
/// Where the matrix is when the index has no `pb:matrix` relation: the path every Pact
/// Broker serves it at and the official client asks (the Pact Broker's own contract).
const MATRIX_FALLBACK: &str = "/matrix";

/// One `q[]` entry of a matrix query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixSelector {
    /// The pacticipant.
    pub pacticipant: String,
    /// One version of it.
    pub version: Option<String>,
    /// Its latest version (with `tag`: the latest with that tag).
    pub latest: Option<bool>,
    /// Versions with this tag.
    pub tag: Option<String>,
}

/// A matrix query (docs/matrix.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatrixQuery {
    /// The `q[]` selectors.
    pub selectors: Vec<MatrixSelector>,
    /// `latestby` (`cvp`, `cvpv`).
    pub latestby: Option<String>,
    /// `latest=true`: against the latest versions of the others.
    pub latest: Option<bool>,
    /// `tag`: against the others' latest versions with this tag.
    pub tag: Option<String>,
    /// `environment`: against what runs in this environment.
    pub environment: Option<String>,
    /// `ignore[]`: pacticipants (and versions) whose rows do not count.
    pub ignore: Vec<(String, Option<String>)>,
    /// `success[]`: only rows with this result.
    pub success: Option<bool>,
}

impl MatrixQuery {
    /// The query string (Rails' nested parameters: a `q[]` entry per selector).
    ///
    /// ```
    /// use shakedown::broker::client::{MatrixQuery, MatrixSelector};
    /// let q = MatrixQuery {
    ///     selectors: vec![MatrixSelector { pacticipant: "Foo Thing".into(), version: Some("1.2.3".into()), ..Default::default() }],
    ///     latestby: Some("cvp".into()), latest: Some(true), ..Default::default()
    /// };
    /// assert_eq!(q.query_string(), "q[][pacticipant]=Foo%20Thing&q[][version]=1.2.3&latestby=cvp&latest=true");
    /// ```
    pub fn query_string(&self) -> String {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut push = |k: &str, v: &str| pairs.push((k.to_string(), percent_encode(v)));
        for s in &self.selectors {
            push("q[][pacticipant]", &s.pacticipant);
            if let Some(v) = &s.version {
                push("q[][version]", v);
            }
            if let Some(l) = s.latest {
                push("q[][latest]", &l.to_string());
            }
            if let Some(t) = &s.tag {
                push("q[][tag]", t);
            }
        }
        for (p, v) in &self.ignore {
            push("ignore[][pacticipant]", p);
            if let Some(v) = v {
                push("ignore[][version]", v);
            }
        }
        if let Some(l) = &self.latestby {
            push("latestby", l);
        }
        if let Some(l) = self.latest {
            push("latest", &l.to_string());
        }
        if let Some(t) = &self.tag {
            push("tag", t);
        }
        if let Some(e) = &self.environment {
            push("environment", e);
        }
        if let Some(s) = self.success {
            push("success[]", &s.to_string());
        }
        let parts: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.join("&")
    }
}

/// One row of the matrix: a consumer version, a provider version, and the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatrixRow {
    /// The consumer.
    pub consumer: String,
    /// Its version.
    pub consumer_version: Option<String>,
    /// The provider.
    pub provider: String,
    /// Its version (none: not verified by any).
    pub provider_version: Option<String>,
    /// The verification's result (none: not verified).
    pub success: Option<bool>,
    /// The row does not count (`ignore[]`).
    pub ignored: bool,
}

/// The broker's answer: deployable or not, why, and the rows it decided from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Matrix {
    /// `summary.deployable` (none: the broker could not tell).
    pub deployable: Option<bool>,
    /// `summary.reason`.
    pub reason: Option<String>,
    /// `summary.unknown`: rows without a verification result yet.
    pub unknown: Option<u64>,
    /// The rows.
    pub rows: Vec<MatrixRow>,
    /// The broker's notices.
    pub notices: Vec<Notice>,
}

impl Matrix {
    /// Reads the broker's matrix document.
    fn from_json(v: &Value) -> Matrix {
        let summary = v.get("summary");
        let rows = v
            .get("matrix")
            .and_then(Value::as_array)
            .map(|rows| rows.iter().map(row).collect())
            .unwrap_or_default();
        Matrix {
            deployable: summary
                .and_then(|s| s.get("deployable"))
                .and_then(Value::as_bool),
            reason: summary
                .and_then(|s| s.get("reason"))
                .and_then(Value::as_str)
                .map(str::to_string),
            unknown: summary
                .and_then(|s| s.get("unknown"))
                .and_then(Value::as_u64),
            rows,
            notices: Notice::all(v.get("notices")),
        }
    }
}

fn row(r: &Value) -> MatrixRow {
    let s = |p: &str| r.pointer(p).and_then(Value::as_str).map(str::to_string);
    MatrixRow {
        consumer: s("/consumer/name").unwrap_or_default(),
        consumer_version: s("/consumer/version/number"),
        provider: s("/provider/name").unwrap_or_default(),
        provider_version: s("/provider/version/number"),
        success: r
            .pointer("/verificationResult/success")
            .and_then(Value::as_bool),
        ignored: r.get("ignored").and_then(Value::as_bool).unwrap_or(false),
    }
}

impl Broker {
    /// The matrix for `query` (at the index's `pb:matrix`, or `/matrix`).
    pub async fn matrix(&self, query: &MatrixQuery) -> Result<Matrix, BrokerError> {
        let link = self.relation_or("pb:matrix", MATRIX_FALLBACK).await?;
        let href = format!(
            "{}?{}",
            link.href.split('?').next().unwrap_or_default(),
            query.query_string()
        );
        self.matrix_at(&href).await
    }

    /// Whether `version` of `pacticipant` can be deployed: to `environment` (against what
    /// runs there), or against the latest versions of the others. The broker decides.
    pub async fn can_i_deploy(
        &self,
        pacticipant: &str,
        version: &str,
        environment: Option<&str>,
    ) -> Result<Matrix, BrokerError> {
        let index = self.index().await?;
        if let (Some(env), Some(link)) = (environment, index.link(CAN_I_DEPLOY_TO_ENVIRONMENT)) {
            let values = [
                ("pacticipant", pacticipant),
                ("version", version),
                ("environment", env),
            ];
            return self.matrix_at(&expand(&link.href, &values)).await;
        }
        let selector = MatrixSelector {
            pacticipant: pacticipant.to_string(),
            version: Some(version.to_string()),
            ..Default::default()
        };
        let query = MatrixQuery {
            selectors: vec![selector],
            latestby: Some("cvp".into()),
            latest: environment.is_none().then_some(true),
            environment: environment.map(str::to_string),
            ..Default::default()
        };
        let base = index
            .link("pb:matrix")
            .map_or(MATRIX_FALLBACK.to_string(), |l| l.href);
        let href = format!(
            "{}?{}",
            base.split('?').next().unwrap_or_default(),
            query.query_string()
        );
        self.matrix_at(&href)
            .await
            .map_err(|e| e.looking_for(format!("version {version} of {pacticipant:?}")))
    }

    async fn matrix_at(&self, href: &str) -> Result<Matrix, BrokerError> {
        let answer = self.send(Method::GET, href, None, HAL).await?;
        Ok(Matrix::from_json(&hal(answer)?.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_write_one_q_entry_per_selector_and_the_ignores() {
        let q = MatrixQuery {
            selectors: vec![
                MatrixSelector {
                    pacticipant: "Bar".into(),
                    version: Some("4.5.6".into()),
                    ..Default::default()
                },
                MatrixSelector {
                    pacticipant: "Foo".into(),
                    tag: Some("prod".into()),
                    ..Default::default()
                },
            ],
            ignore: vec![("Foo".into(), Some("3.4.5".into()))],
            latestby: Some("cvpv".into()),
            ..Default::default()
        };
        assert_eq!(
            q.query_string(),
            "q[][pacticipant]=Bar&q[][version]=4.5.6&q[][pacticipant]=Foo&q[][tag]=prod&ignore[][pacticipant]=Foo&ignore[][version]=3.4.5&latestby=cvpv"
        );
    }

    #[test]
    fn should_read_the_summary_rows_and_notices() {
        let m = Matrix::from_json(&json!({
            "summary": {"deployable": false, "reason": "no", "unknown": 1},
            "notices": [{"type": "warning", "text": "w"}],
            "matrix": [{"consumer": {"name": "Foo", "version": {"number": "1"}},
                        "provider": {"name": "Bar", "version": {"number": "2"}},
                        "verificationResult": {"success": false}, "ignored": true},
                       {"consumer": {"name": "Foo"}, "provider": {"name": "Baz"}}]}));
        assert_eq!(
            (m.deployable, m.reason.as_deref(), m.unknown),
            (Some(false), Some("no"), Some(1))
        );
        assert_eq!(m.rows[0].success, Some(false));
        assert!(m.rows[0].ignored);
        assert_eq!(
            (m.rows[1].provider_version.as_deref(), m.rows[1].success),
            (None, None)
        );
        assert_eq!(m.notices[0].text, "w");
    }
}

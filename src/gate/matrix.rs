//! can-i-deploy: whether a version of an application can be deployed (to an environment),
//! decided from published contracts, verification results and deployments.

use std::fmt;

use serde::Serialize;

use super::record::Record;

/// One consideration behind a decision (in JSON: `{"ok": true, "text": "…"}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    /// Whether this integration is safe.
    pub ok: bool,
    /// What was checked and found.
    pub text: String,
}

/// The answer, with its reasons (in JSON, what `can-i-deploy --format json` prints:
/// `{"ok": false, "reasons": [{"ok": false, "text": "…"}]}`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// Deploy or not.
    pub ok: bool,
    /// Why.
    pub reasons: Vec<Reason>,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{}",
            if self.ok {
                "yes: safe to deploy"
            } else {
                "no: not safe to deploy"
            }
        )?;
        for r in &self.reasons {
            writeln!(f, "  {} {}", if r.ok { "✓" } else { "✗" }, r.text)?;
        }
        Ok(())
    }
}

/// The questions the can-i-deploy decision asks of a store. The local results store
/// answers them from its records (`[Record]`, in the order they were appended: "latest" is
/// the last one); the broker's SQLite store answers them with indexed queries. The rules
/// live once, in [`decide`].
pub trait Facts {
    /// Why a question could not be answered (`Infallible` for records in memory).
    type Error;
    /// The version of `pacticipant` that runs in `environment` now (the latest recorded).
    fn deployed(&self, pacticipant: &str, environment: &str)
        -> Result<Option<String>, Self::Error>;
    /// The latest verification of `consumer`'s contract `digest` by `provider` (at
    /// `provider_version` when given): the provider version and whether it passed.
    fn verified(
        &self,
        provider: &str,
        provider_version: Option<&str>,
        consumer: &str,
        digest: &str,
    ) -> Result<Option<(String, bool)>, Self::Error>;
    /// The provider version verified most recently (what "latest" means without an
    /// environment).
    fn latest_verified_version(&self, provider: &str) -> Result<Option<String>, Self::Error>;
    /// The contract digest of `consumer` at `version` with each of its providers
    /// (`(provider, digest)`, the latest publication per provider).
    fn contracts_of(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<Vec<(String, String)>, Self::Error>;
    /// The latest published contract of each consumer of `provider`:
    /// `(consumer, consumer version, digest)`.
    fn latest_contracts_with(
        &self,
        provider: &str,
    ) -> Result<Vec<(String, String, String)>, Self::Error>;
    /// Whether `provider` at `version` published any verification result.
    fn has_verified(&self, provider: &str, version: &str) -> Result<bool, Self::Error>;
    /// Whether any contract names `provider` as its provider.
    fn is_provider(&self, provider: &str) -> Result<bool, Self::Error>;
}

/// Decides whether `pacticipant` at `version` can be deployed (to `environment`, or
/// alongside the latest versions when `None`).
///
/// ```
/// use shakedown::gate::{can_i_deploy, Record};
/// let at = || "2026-01-01T00:00:00Z".to_string();
/// let records = vec![
///     Record::Contract { consumer: "web".into(), consumer_version: "1".into(), provider: "orders".into(), digest: "d1".into(), at: at() },
///     Record::Verification { provider: "orders".into(), provider_version: "7".into(), consumer: "web".into(), digest: "d1".into(), success: true, at: at() },
/// ];
/// assert!(can_i_deploy(&records, "web", "1", None).ok);
/// assert!(can_i_deploy(&records, "orders", "7", None).ok);
/// assert!(!can_i_deploy(&records, "orders", "8", None).ok);
/// ```
pub fn can_i_deploy(
    records: &[Record],
    pacticipant: &str,
    version: &str,
    environment: Option<&str>,
) -> Decision {
    match decide(records, pacticipant, version, environment) {
        Ok(decision) => decision,
        Err(never) => match never {},
    }
}

/// The decision of [`can_i_deploy`] over any store that answers [`Facts`].
///
/// ```
/// use shakedown::gate::{decide, Record};
/// let records: Vec<Record> = vec![];
/// let d = decide(records.as_slice(), "web", "1", None).unwrap();
/// assert!(!d.ok, "nothing is known about web 1");
/// ```
pub fn decide<F: Facts + ?Sized>(
    facts: &F,
    pacticipant: &str,
    version: &str,
    environment: Option<&str>,
) -> Result<Decision, F::Error> {
    let mut reasons = as_consumer(facts, pacticipant, version, environment)?;
    reasons.extend(as_provider(facts, pacticipant, version, environment)?);
    if reasons.is_empty() {
        reasons.push(Reason { ok: false, text: format!("nothing is known about {pacticipant} {version}: publish its contracts or verify it first") });
    }
    Ok(Decision {
        ok: reasons.iter().all(|r| r.ok),
        reasons,
    })
}

impl Facts for [Record] {
    type Error = std::convert::Infallible;

    fn deployed(&self, app: &str, env: &str) -> Result<Option<String>, Self::Error> {
        Ok(self.iter().rev().find_map(|r| match r {
            Record::Deployment {
                pacticipant,
                version,
                environment,
                ..
            } if pacticipant == app && environment == env => Some(version.clone()),
            _ => None,
        }))
    }

    fn verified(
        &self,
        provider: &str,
        version: Option<&str>,
        consumer: &str,
        digest: &str,
    ) -> Result<Option<(String, bool)>, Self::Error> {
        Ok(self.iter().rev().find_map(|r| match r {
            Record::Verification {
                provider: p,
                provider_version,
                consumer: c,
                digest: d,
                success,
                ..
            } if p == provider
                && c == consumer
                && d == digest
                && version.is_none_or(|v| v == provider_version) =>
            {
                Some((provider_version.clone(), *success))
            }
            _ => None,
        }))
    }

    fn latest_verified_version(&self, provider: &str) -> Result<Option<String>, Self::Error> {
        Ok(self.iter().rev().find_map(|r| match r {
            Record::Verification {
                provider: p,
                provider_version,
                ..
            } if p == provider => Some(provider_version.clone()),
            _ => None,
        }))
    }

    fn contracts_of(
        &self,
        consumer: &str,
        version: &str,
    ) -> Result<Vec<(String, String)>, Self::Error> {
        let mut out: Vec<(String, String)> = Vec::new();
        for r in self {
            if let Record::Contract {
                consumer: c,
                consumer_version,
                provider,
                digest,
                ..
            } = r
            {
                if c == consumer && consumer_version == version {
                    out.retain(|(p, _)| p != provider);
                    out.push((provider.clone(), digest.clone()));
                }
            }
        }
        Ok(out)
    }

    fn latest_contracts_with(
        &self,
        provider: &str,
    ) -> Result<Vec<(String, String, String)>, Self::Error> {
        let mut latest: Vec<(String, String, String)> = Vec::new();
        for r in self {
            if let Record::Contract {
                consumer,
                consumer_version,
                provider: p,
                digest,
                ..
            } = r
            {
                if p == provider {
                    latest.retain(|(c, _, _)| c != consumer);
                    latest.push((consumer.clone(), consumer_version.clone(), digest.clone()));
                }
            }
        }
        Ok(latest)
    }

    fn has_verified(&self, provider: &str, version: &str) -> Result<bool, Self::Error> {
        Ok(self.iter().any(|r| matches!(r, Record::Verification { provider: p, provider_version: v, .. } if p == provider && v == version)))
    }

    fn is_provider(&self, provider: &str) -> Result<bool, Self::Error> {
        Ok(self
            .iter()
            .any(|r| matches!(r, Record::Contract { provider: p, .. } if p == provider)))
    }
}

fn as_consumer<F: Facts + ?Sized>(
    facts: &F,
    consumer: &str,
    version: &str,
    env: Option<&str>,
) -> Result<Vec<Reason>, F::Error> {
    let mut reasons = Vec::new();
    for (provider, digest) in facts.contracts_of(consumer, version)? {
        let reason = match env {
            Some(e) => match facts.deployed(&provider, e)? {
                None => Reason { ok: true, text: format!("{provider} is not deployed to {e}: nothing there to break") },
                Some(pv) => match facts.verified(&provider, Some(&pv), consumer, &digest)? {
                    Some((_, true)) => Reason { ok: true, text: format!("{provider} {pv} in {e} verified {consumer} {version}'s contract") },
                    Some((_, false)) => Reason { ok: false, text: format!("{provider} {pv} in {e} failed to verify {consumer} {version}'s contract") },
                    None => Reason { ok: false, text: format!("{provider} {pv} in {e} has not verified {consumer} {version}'s contract") },
                },
            },
            None => {
                let latest = match facts.latest_verified_version(&provider)? {
                    Some(pv) => facts.verified(&provider, Some(&pv), consumer, &digest)?,
                    None => None,
                };
                match latest {
                    Some((pv, true)) => Reason { ok: true, text: format!("{provider} {pv} verified {consumer} {version}'s contract") },
                    Some((pv, false)) => Reason { ok: false, text: format!("{provider} {pv} failed to verify {consumer} {version}'s contract") },
                    None => Reason { ok: false, text: format!("the latest version of {provider} has not verified {consumer} {version}'s contract") },
                }
            }
        };
        reasons.push(reason);
    }
    Ok(reasons)
}

/// The consumers of `provider` to check, with the version and digest that matter.
fn consumers_of<F: Facts + ?Sized>(
    facts: &F,
    provider: &str,
    env: Option<&str>,
) -> Result<Vec<(String, String, String)>, F::Error> {
    let latest = facts.latest_contracts_with(provider)?;
    let Some(e) = env else { return Ok(latest) };
    let mut out = Vec::new();
    for (consumer, _, _) in latest {
        let Some(v) = facts.deployed(&consumer, e)? else {
            continue;
        };
        let digest = facts
            .contracts_of(&consumer, &v)?
            .into_iter()
            .find(|(p, _)| p == provider);
        if let Some((_, digest)) = digest {
            out.push((consumer, v, digest));
        }
    }
    Ok(out)
}

fn as_provider<F: Facts + ?Sized>(
    facts: &F,
    provider: &str,
    version: &str,
    env: Option<&str>,
) -> Result<Vec<Reason>, F::Error> {
    let consumers = consumers_of(facts, provider, env)?;
    if consumers.is_empty() {
        let is_provider = facts.has_verified(provider, version)? || facts.is_provider(provider)?;
        return Ok(match (env, is_provider) {
            (Some(e), true) => vec![Reason {
                ok: true,
                text: format!(
                    "no consumer of {provider} is deployed to {e}: nothing there to break"
                ),
            }],
            _ => vec![],
        });
    }
    let place = env.map(|e| format!(" in {e}")).unwrap_or_default();
    let mut reasons = Vec::new();
    for (consumer, cv, digest) in consumers {
        reasons.push(match facts.verified(provider, Some(version), &consumer, &digest)? {
            Some((_, true)) => Reason { ok: true, text: format!("{provider} {version} verified the contract of {consumer} {cv}{place}") },
            Some((_, false)) => Reason { ok: false, text: format!("{provider} {version} failed to verify the contract of {consumer} {cv}{place}") },
            None => Reason { ok: false, text: format!("{provider} {version} has not verified the contract of {consumer} {cv}{place}") },
        });
    }
    Ok(reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contract(c: &str, cv: &str, p: &str, d: &str) -> Record {
        Record::Contract {
            consumer: c.into(),
            consumer_version: cv.into(),
            provider: p.into(),
            digest: d.into(),
            at: String::new(),
        }
    }
    fn verification(p: &str, pv: &str, c: &str, d: &str, success: bool) -> Record {
        Record::Verification {
            provider: p.into(),
            provider_version: pv.into(),
            consumer: c.into(),
            digest: d.into(),
            success,
            at: String::new(),
        }
    }
    fn deployment(a: &str, v: &str, e: &str) -> Record {
        Record::Deployment {
            pacticipant: a.into(),
            version: v.into(),
            environment: e.into(),
            at: String::new(),
        }
    }

    #[test]
    fn a_provider_must_honour_what_runs_in_the_environment() {
        let records = vec![
            contract("web", "1", "orders", "d1"),
            contract("web", "2", "orders", "d2"),
            deployment("web", "1", "prod"),
            verification("orders", "7", "web", "d1", true),
            verification("orders", "7", "web", "d2", false),
        ];
        assert!(
            can_i_deploy(&records, "orders", "7", Some("prod")).ok,
            "prod runs web 1, which orders 7 honours"
        );
        let d = can_i_deploy(&records, "orders", "7", None);
        assert!(!d.ok, "the latest web (2) is not honoured");
        assert!(
            d.reasons[0]
                .text
                .contains("failed to verify the contract of web 2"),
            "{d}"
        );
    }

    #[test]
    fn a_consumer_needs_the_deployed_provider_to_have_verified_it() {
        let records = vec![
            contract("web", "2", "orders", "d2"),
            deployment("orders", "7", "prod"),
            verification("orders", "8", "web", "d2", true),
        ];
        let d = can_i_deploy(&records, "web", "2", Some("prod"));
        assert!(!d.ok);
        assert!(
            d.reasons[0]
                .text
                .contains("orders 7 in prod has not verified web 2's contract"),
            "{d}"
        );
        assert!(can_i_deploy(&records, "web", "2", None).ok);
        assert!(
            can_i_deploy(&records, "web", "2", Some("staging")).ok,
            "no orders in staging"
        );
    }

    #[test]
    fn latest_means_the_most_recently_verified_provider_version() {
        let records = vec![
            contract("web", "2", "orders", "d2"),
            verification("orders", "8", "web", "d2", false),
            verification("orders", "7", "web", "d2", true),
            verification("orders", "9", "other", "x", true),
        ];
        let d = can_i_deploy(&records, "web", "2", None);
        assert!(
            !d.ok,
            "orders 9 is the latest and has not verified web 2: {d}"
        );
    }

    #[test]
    fn a_provider_can_go_where_none_of_its_consumers_runs() {
        let records = vec![
            contract("web", "1", "orders", "d1"),
            verification("orders", "7", "web", "d1", true),
        ];
        let d = can_i_deploy(&records, "orders", "7", Some("staging"));
        assert!(d.ok, "{d}");
    }

    #[test]
    fn unknown_versions_are_refused() {
        assert!(!can_i_deploy(&[], "web", "9", None).ok);
    }
}

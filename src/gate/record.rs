//! The facts the results store keeps (published contracts, verification results,
//! deployments), and how each is made from what was published, verified or deployed.

use serde::{Deserialize, Serialize};

use crate::contract::Pact;
use crate::verifier::VerificationReport;

/// One fact in the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Record {
    /// A consumer version's contract with a provider.
    #[serde(rename_all = "camelCase")]
    Contract {
        /// The consumer.
        consumer: String,
        /// The consumer's version.
        consumer_version: String,
        /// The provider.
        provider: String,
        /// SHA-256 of the contract.
        digest: String,
        /// When (RFC 3339).
        at: String,
    },
    /// A provider version verified a contract.
    #[serde(rename_all = "camelCase")]
    Verification {
        /// The provider.
        provider: String,
        /// The provider's version.
        provider_version: String,
        /// The consumer.
        consumer: String,
        /// SHA-256 of the contract verified.
        digest: String,
        /// Whether it passed.
        success: bool,
        /// When (RFC 3339).
        at: String,
    },
    /// A version of a pacticipant now runs in an environment.
    #[serde(rename_all = "camelCase")]
    Deployment {
        /// The application.
        pacticipant: String,
        /// Its version.
        version: String,
        /// The environment, e.g. `production`.
        environment: String,
        /// When (RFC 3339).
        at: String,
    },
}

/// The current time, as records carry it.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

impl Record {
    /// `pact` published as `version` of its consumer.
    pub fn contract(pact: &Pact, version: &str) -> Record {
        Record::Contract {
            consumer: pact.consumer.clone(),
            consumer_version: version.to_string(),
            provider: pact.provider.clone(),
            digest: pact.digest(),
            at: now(),
        }
    }

    /// One verification record per contract of `report`, verified by `version` of the
    /// provider: a success when every interaction passed (pending ones included: pending
    /// only changes whether the verification fails, never what is recorded).
    pub fn from_report(report: &VerificationReport, version: &str) -> Vec<Record> {
        report
            .contracts
            .iter()
            .map(|c| Record::Verification {
                provider: report.provider.clone(),
                provider_version: version.to_string(),
                consumer: c.consumer.clone(),
                digest: c.digest.clone(),
                success: !c.interactions.is_empty() && c.interactions.iter().all(|i| i.passed()),
                at: now(),
            })
            .collect()
    }

    /// `version` of `pacticipant` now runs in `environment`.
    pub fn deployment(pacticipant: &str, version: &str, environment: &str) -> Record {
        Record::Deployment {
            pacticipant: pacticipant.to_string(),
            version: version.to_string(),
            environment: environment.to_string(),
            at: now(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::verifier::{ContractResult, InteractionResult, Outcome};

    fn result(outcome: Outcome, pending: bool) -> InteractionResult {
        InteractionResult {
            description: "an interaction".into(),
            states: vec![],
            pending,
            outcome,
            millis: 1.0,
        }
    }

    fn report(contracts: Vec<(&str, Vec<InteractionResult>)>) -> VerificationReport {
        VerificationReport {
            provider: "orders".into(),
            strict: false,
            contracts: contracts
                .into_iter()
                .map(|(consumer, interactions)| ContractResult {
                    consumer: consumer.into(),
                    file: format!("{consumer}-orders.json"),
                    digest: format!("{consumer}-digest"),
                    interactions,
                })
                .collect(),
        }
    }

    fn success(record: &Record) -> (String, bool) {
        match record {
            Record::Verification {
                consumer,
                success,
                provider_version,
                ..
            } => {
                assert_eq!(provider_version, "7");
                (consumer.clone(), *success)
            }
            other => panic!("not a verification: {other:?}"),
        }
    }

    #[test]
    fn a_verification_succeeds_only_when_every_interaction_passed() {
        let failed = Outcome::Failed { mismatches: vec![] };
        let report = report(vec![
            ("web", vec![result(Outcome::Passed, false)]),
            (
                "shipping",
                vec![result(Outcome::Passed, false), result(failed, true)],
            ),
            ("mobile", vec![]),
        ]);
        let records: Vec<_> = Record::from_report(&report, "7")
            .iter()
            .map(success)
            .collect();
        assert_eq!(
            records,
            [
                ("web".to_string(), true),
                ("shipping".to_string(), false),
                ("mobile".to_string(), false)
            ],
            "a pending failure is still a failure; nothing verified is no success"
        );
    }

    #[test]
    fn a_published_contract_is_recorded_by_its_digest() {
        let pact = Pact::new("web", "orders");
        let Record::Contract {
            consumer,
            consumer_version,
            provider,
            digest,
            ..
        } = Record::contract(&pact, "1.0")
        else {
            panic!("not a contract record")
        };
        assert_eq!(
            (
                consumer.as_str(),
                consumer_version.as_str(),
                provider.as_str()
            ),
            ("web", "1.0", "orders")
        );
        assert_eq!(digest, pact.digest());
    }
}

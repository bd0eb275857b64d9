//! What the store holds, as the server reads and writes it.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::StoreError;

/// An application that publishes or verifies contracts.
#[derive(Debug, Clone, PartialEq)]
pub struct Pacticipant {
    /// Its name, as contracts name it.
    pub name: String,
    /// A name for people.
    pub display_name: Option<String>,
    /// Where its code lives.
    pub repository_url: Option<String>,
    /// The branch its releases come from (`mainBranch` selectors).
    pub main_branch: Option<String>,
    /// When it was first seen (RFC 3339).
    pub created_at: String,
    /// Its most recent version, if any.
    pub latest_version: Option<String>,
}

/// A version of a pacticipant.
#[derive(Debug, Clone, PartialEq)]
pub struct Version {
    /// The pacticipant.
    pub pacticipant: String,
    /// The version number (any text: a semver, a commit).
    pub number: String,
    /// The branches it was built from.
    pub branches: Vec<String>,
    /// Its tags.
    pub tags: Vec<String>,
    /// The build that made it.
    pub build_url: Option<String>,
    /// When it was first seen (RFC 3339).
    pub created_at: String,
}

/// A consumer version's pact with one provider, to publish.
#[derive(Debug, Clone, PartialEq)]
pub struct Contract {
    /// The consumer (the pact's `consumer.name`).
    pub consumer: String,
    /// The consumer's version.
    pub version: String,
    /// The provider (the pact's `provider.name`).
    pub provider: String,
    /// The pact document.
    pub content: Value,
    /// The branch the consumer version was built from.
    pub branch: Option<String>,
    /// Tags for the consumer version.
    pub tags: Vec<String>,
    /// The build that made it.
    pub build_url: Option<String>,
    /// Merge the interactions into an existing different pact of this version instead of
    /// refusing it (`onConflict: merge`).
    pub merge: bool,
}

impl Contract {
    /// The pact `text` published as `version` of `consumer`; the provider is read from it.
    pub fn new(consumer: &str, version: &str, text: &str) -> Result<Contract, StoreError> {
        let content: Value = serde_json::from_str(text)
            .map_err(|e| StoreError::Invalid(format!("the pact is not JSON: {e}")))?;
        let provider = content
            .pointer("/provider/name")
            .and_then(Value::as_str)
            .ok_or_else(|| StoreError::Invalid("the pact has no provider.name".into()))?
            .to_string();
        Ok(Contract {
            consumer: consumer.to_string(),
            version: version.to_string(),
            provider,
            content,
            branch: None,
            tags: Vec::new(),
            build_url: None,
            merge: false,
        })
    }
}

/// The SHA-256 (hex) of a pact document's JSON text: the identity of its content.
pub fn sha_of(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What publishing did.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// A new publication (false: the same content was already published for this version).
    pub created: bool,
    /// The content's digest.
    pub sha: String,
    /// The consumer.
    pub consumer: String,
    /// The consumer version.
    pub version: String,
    /// The provider.
    pub provider: String,
}

/// A pact published by a consumer version, with what selectors look at.
#[derive(Debug, Clone, PartialEq)]
pub struct Publication {
    /// The consumer.
    pub consumer: String,
    /// The consumer version.
    pub consumer_version: String,
    /// The provider.
    pub provider: String,
    /// The content's digest.
    pub sha: String,
    /// When it was published (RFC 3339).
    pub created_at: String,
    /// The consumer version's branches.
    pub branches: Vec<String>,
    /// The consumer version's tags.
    pub tags: Vec<String>,
    /// The consumer's main branch.
    pub main_branch: Option<String>,
    /// Environments the consumer version is currently deployed to.
    pub deployed_to: Vec<String>,
    /// Environments the consumer version is a currently supported release in.
    pub released_to: Vec<String>,
}

/// A verification result to record.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VerificationInput {
    /// The provider version that verified.
    pub provider_version: String,
    /// Whether every interaction passed.
    pub success: bool,
    /// The build that verified.
    pub build_url: Option<String>,
    /// The verifier's detailed results (any JSON).
    pub test_results: Option<Value>,
}

/// A recorded verification result.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// Its number in the store.
    pub id: i64,
    /// The provider.
    pub provider: String,
    /// The provider version that verified.
    pub provider_version: String,
    /// The provider version's branches.
    pub provider_branches: Vec<String>,
    /// The provider version's tags.
    pub provider_tags: Vec<String>,
    /// The consumer.
    pub consumer: String,
    /// The consumer version whose publication it was recorded against.
    pub consumer_version: String,
    /// The digest of the pact verified.
    pub sha: String,
    /// Whether it passed.
    pub success: bool,
    /// The build that verified.
    pub build_url: Option<String>,
    /// The verifier's detailed results.
    pub test_results: Option<Value>,
    /// When (RFC 3339).
    pub verified_at: String,
}

/// An environment applications are deployed to.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Its identifier.
    pub uuid: String,
    /// Its name (`production`).
    pub name: String,
    /// A name for people.
    pub display_name: Option<String>,
    /// Whether it is a production environment.
    pub production: bool,
    /// Who to ask about it (any JSON, as given).
    pub contacts: Option<Value>,
}

/// A version deployed to (or released in) an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    /// Its identifier.
    pub uuid: String,
    /// `deployed` or `released`.
    pub kind: String,
    /// The pacticipant.
    pub pacticipant: String,
    /// Its version.
    pub version: String,
    /// The environment's name.
    pub environment: String,
    /// The environment's identifier.
    pub environment_uuid: String,
    /// The instance (`target`) it runs as, when several run side by side.
    pub application_instance: Option<String>,
    /// Still deployed (or, for a release, still supported).
    pub current: bool,
    /// When it was recorded (RFC 3339).
    pub created_at: String,
    /// When it was undeployed (or its support ended).
    pub ended_at: Option<String>,
}

/// A webhook, kept as it was given (the broker stores webhooks; it does not run them).
#[derive(Debug, Clone, PartialEq)]
pub struct Webhook {
    /// Its identifier.
    pub uuid: String,
    /// The consumer it is scoped to, if any.
    pub consumer: Option<String>,
    /// The provider it is scoped to, if any.
    pub provider: Option<String>,
    /// The webhook document.
    pub body: Value,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_read_the_provider_from_the_pact_and_refuse_what_is_not_one() {
        let c = Contract::new("web", "1", r#"{"provider": {"name": "orders"}}"#).unwrap();
        assert_eq!(c.provider, "orders");
        let not_json = Contract::new("web", "1", "{").unwrap_err().to_string();
        assert!(not_json.contains("not JSON"), "{not_json}");
        let nameless = Contract::new("web", "1", "{}").unwrap_err().to_string();
        assert!(nameless.contains("provider.name"), "{nameless}");
    }

    #[test]
    fn should_digest_the_text() {
        assert_eq!(sha_of("").len(), 64);
        assert_ne!(sha_of("a"), sha_of("b"));
    }
}

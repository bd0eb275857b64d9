//! The consumer's entry point: a contract between a named consumer and provider, its HTTP
//! interactions served by a mock provider, and its messages handed to handlers.

use std::path::{Path, PathBuf};

use super::interaction::HttpInteractionBuilder;
use super::message::{MessageBuilder, PendingMessage, PendingSyncMessage, SyncMessageBuilder};
use super::mock_server::MockServer;
use super::verification::Target;
#[cfg(feature = "wiremock")]
use super::verification::Verification;
use crate::contract::Interaction;

/// The environment variable that overrides where contracts are written.
pub const CONTRACT_DIR_ENV: &str = "SHAKEDOWN_CONTRACT_DIR";

/// A contract between a consumer and a provider, declared from a consumer's test.
///
/// ```
/// use serde_json::json;
/// use shakedown::consumer::{Contract, matchers::*};
///
/// let dir = tempfile::tempdir().unwrap();
/// let mut contract = Contract::new("web", "orders").output_dir(dir.path());
/// contract.interaction("a request for order 1", |i| {
///     i.given_with("an order exists", json!({"id": 1}))
///         .request(|r| { r.get("/orders/1").header("Accept", "application/json"); })
///         .response(|r| { r.status(200).json(json!({"id": integer(1), "status": regex("placed|paid", "placed")})); });
/// });
/// let server = contract.start_mock_server();
/// let body = reqwest::blocking::Client::new()
///     .get(server.path("/orders/1")).header("Accept", "application/json")
///     .send().unwrap().text().unwrap();
/// assert_eq!(body, r#"{"id":1,"status":"placed"}"#);
/// drop(server); // verifies, then writes <dir>/web-orders.json
/// assert!(dir.path().join("web-orders.json").exists());
/// ```
#[derive(Debug, Clone)]
pub struct Contract {
    consumer: String,
    provider: String,
    dir: PathBuf,
    seed: u64,
    http: Vec<Interaction>,
}

impl Contract {
    /// A contract between `consumer` and `provider`, written to `contracts/` (or the
    /// directory in `SHAKEDOWN_CONTRACT_DIR`) relative to the working directory, which
    /// `cargo test` sets to the package root.
    pub fn new(consumer: &str, provider: &str) -> Self {
        let dir = std::env::var_os(CONTRACT_DIR_ENV)
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("contracts"));
        Contract {
            consumer: consumer.to_string(),
            provider: provider.to_string(),
            dir,
            seed: 0,
            http: vec![],
        }
    }

    /// Writes the contract below `dir` instead.
    pub fn output_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.dir = dir.as_ref().to_path_buf();
        self
    }

    /// Seeds the generators, so that served values can be reproduced (default 0).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// The file this contract is written to.
    pub fn file(&self) -> PathBuf {
        crate::contract::contract_path(&self.dir, &self.consumer, &self.provider)
    }

    fn target(&self) -> Target {
        Target {
            consumer: self.consumer.clone(),
            provider: self.provider.clone(),
            dir: self.dir.clone(),
        }
    }

    /// Declares an HTTP interaction.
    ///
    /// # Panics
    /// When a matcher is malformed or an example breaks its own matcher: the test is wrong.
    pub fn interaction(
        &mut self,
        description: &str,
        build: impl FnOnce(&mut HttpInteractionBuilder),
    ) -> &mut Self {
        let mut b = HttpInteractionBuilder::new(description);
        build(&mut b);
        match b.build() {
            Ok(i) => self.http.push(i),
            Err(e) => panic!("interaction {description:?}: {e}"),
        }
        self
    }

    /// Starts a mock provider on `127.0.0.1` with an ephemeral port serving the HTTP
    /// interactions declared so far. See [`MockServer`] for what happens when it is dropped.
    ///
    /// # Panics
    /// When no socket can be bound on loopback.
    pub fn start_mock_server(&self) -> MockServer {
        MockServer::start(self.http.clone(), self.seed, Some(self.target()))
            .unwrap_or_else(|e| panic!("mock provider: {e}"))
    }

    /// Mounts the HTTP interactions declared so far on a wiremock server, as mocks with
    /// Pact's matching; the [`Recording`](super::wiremock::Recording) verifies and writes
    /// the contract as [`Contract::start_mock_server`]'s mock provider does (feature
    /// `wiremock`; see [`super::wiremock`] for an example).
    #[cfg(feature = "wiremock")]
    pub async fn mount(&self, server: &::wiremock::MockServer) -> super::wiremock::Recording {
        let verification = Verification::new(self.http.clone(), self.seed, Some(self.target()));
        super::wiremock::Recording::mount(verification, server).await
    }

    /// Declares an asynchronous message (event); record it with
    /// [`PendingMessage::handled_by`].
    pub fn message(
        &self,
        description: &str,
        build: impl FnOnce(&mut MessageBuilder),
    ) -> PendingMessage {
        let mut b = MessageBuilder::new(description);
        build(&mut b);
        PendingMessage {
            builder: b,
            target: self.target(),
            seed: self.seed,
        }
    }

    /// Declares a synchronous message exchange; record it with
    /// [`PendingSyncMessage::handled_by`].
    pub fn sync_message(
        &self,
        description: &str,
        build: impl FnOnce(&mut SyncMessageBuilder),
    ) -> PendingSyncMessage {
        let mut b = SyncMessageBuilder::new(description);
        build(&mut b);
        PendingSyncMessage {
            builder: b,
            target: self.target(),
            seed: self.seed,
        }
    }
}

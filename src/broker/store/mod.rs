//! The broker's store: pacticipants, versions (branches, tags), pact publications,
//! verification results, environments, deployed and released versions and webhooks, in one
//! SQLite database (`broker.sqlite`).
//!
//! # Why SQLite
//!
//! A shared broker has many writers at once (every CI pipeline of a team publishes and
//! verifies) and must survive being killed at any instant. The local gate's JSON Lines
//! store is right for one machine, but proving a single-writer design for a server (one
//! writer task, a group commit, fsync of file and directory, torn-tail recovery, compaction)
//! would be writing a database. SQLite gives that for free and is the most tested storage
//! engine there is: each write here is one transaction (`BEGIN IMMEDIATE` … `COMMIT`), in
//! WAL mode with `synchronous = FULL`, so a write acknowledged (2xx) is on disk before the
//! answer leaves, a crash loses nothing acknowledged and never leaves a half-written record,
//! readers never block the writer, and several processes may open the same file (a busy
//! timeout serialises their writes). `rusqlite` with the `bundled` feature compiles SQLite
//! in: no system library is needed. The schema carries a version (`schema_version`) so later
//! releases can migrate it.
//!
//! ```
//! use shakedown::broker::store::{Store, Contract};
//! let dir = tempfile::tempdir().unwrap();
//! let store = Store::open(dir.path()).unwrap();
//! let pact = r#"{"consumer":{"name":"web"},"provider":{"name":"orders"},"interactions":[]}"#;
//! let published = store.publish(&Contract::new("web", "1.0.0", pact).unwrap()).unwrap();
//! assert!(published.created);
//! assert_eq!(store.pacticipant("web").unwrap().unwrap().name, "web");
//! ```

mod database;
mod environments;
mod error;
mod facts;
mod model;
mod pacticipants;
mod pacts;
mod schema;
mod verifications;
mod webhooks;

pub use database::Store;
pub use environments::Placement;
pub use error::StoreError;
pub use facts::{MatrixRow, StoreFacts};
pub use model::{
    Contract, Deployment, Environment, Pacticipant, Publication, Published, Verification,
    VerificationInput, Version, Webhook,
};
pub use pacticipants::PacticipantFields;
pub use pacts::PactRef;

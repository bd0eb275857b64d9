//! The contract file store: `<dir>/<consumer>-<provider>.json`, merged and written
//! atomically under a file lock so that parallel tests and processes never lose or
//! duplicate an interaction.

use std::path::{Path, PathBuf};

use super::interaction::Interaction;
use super::pact::{ContractError, Pact};
use crate::file::{with_lock, write_atomically};

/// Why a contract could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Reading, locking or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The existing file belongs to another consumer/provider pair.
    #[error("{path} holds the contract between {found_consumer} and {found_provider}, not between {consumer} and {provider}")]
    OtherPair {
        /// The file.
        path: PathBuf,
        /// The consumer being written.
        consumer: String,
        /// The provider being written.
        provider: String,
        /// The consumer in the file.
        found_consumer: String,
        /// The provider in the file.
        found_provider: String,
    },
    /// The existing file is not a readable contract; it is left untouched.
    #[error("the existing contract cannot be merged into: {0}")]
    Existing(#[from] ContractError),
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The file a contract between `consumer` and `provider` is stored in, below `dir`.
pub fn contract_path(dir: &Path, consumer: &str, provider: &str) -> PathBuf {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    dir.join(format!("{}-{}.json", clean(consumer), clean(provider)))
}

/// Merges `interactions` into the contract file for `consumer` and `provider` below `dir`:
/// an interaction with the same description, provider states and kind replaces the stored
/// one; all others are kept. Returns the file written.
///
/// The read-merge-write runs under an exclusive lock on `<file>.lock`, and the new text is
/// written to a temporary file renamed over the old one, so readers never see half a file.
///
/// ```
/// use shakedown::contract::{merge_into_file, Pact};
/// let dir = tempfile::tempdir().unwrap();
/// let path = merge_into_file(dir.path(), "web", "orders", &[]).unwrap();
/// assert!(path.ends_with("web-orders.json"));
/// assert_eq!(Pact::from_file(&path).unwrap().consumer, "web");
/// ```
pub fn merge_into_file(
    dir: &Path,
    consumer: &str,
    provider: &str,
    interactions: &[Interaction],
) -> Result<PathBuf, StoreError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let path = contract_path(dir, consumer, provider);
    let lock_path = lock_file(&path);
    let locked = with_lock(&lock_path, || {
        merge_locked(&path, consumer, provider, interactions)
    });
    locked.map_err(io(&lock_path))?.map(|()| path)
}

/// The hidden lock file beside a contract: `.web-orders.json.lock`. It is kept (removing it
/// would race with a waiting writer) and is safe to ignore in version control.
fn lock_file(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.lock"))
}

fn merge_locked(
    path: &Path,
    consumer: &str,
    provider: &str,
    interactions: &[Interaction],
) -> Result<(), StoreError> {
    let mut pact = match path.exists() {
        true => Pact::from_file(path)?,
        false => Pact::new(consumer, provider),
    };
    if pact.consumer != consumer || pact.provider != provider {
        return Err(StoreError::OtherPair {
            path: path.to_path_buf(),
            consumer: consumer.into(),
            provider: provider.into(),
            found_consumer: pact.consumer,
            found_provider: pact.provider,
        });
    }
    pact.upsert_all(interactions.iter().cloned());
    write_atomically(path, pact.to_pretty_string().as_bytes()).map_err(io(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{HttpRequest, HttpResponse, InteractionKind};

    fn interaction(desc: &str, status: u16) -> Interaction {
        let response = HttpResponse {
            status,
            ..Default::default()
        };
        let request = HttpRequest::default();
        Interaction::new(desc, InteractionKind::Http { request, response })
    }

    #[test]
    fn merge_replaces_same_identity_and_keeps_others() {
        let dir = tempfile::tempdir().unwrap();
        merge_into_file(
            dir.path(),
            "web",
            "orders",
            &[interaction("a", 200), interaction("b", 200)],
        )
        .unwrap();
        let path = merge_into_file(dir.path(), "web", "orders", &[interaction("a", 404)]).unwrap();
        let pact = Pact::from_file(&path).unwrap();
        assert_eq!(pact.interactions.len(), 2);
        let a = pact
            .interactions
            .iter()
            .find(|i| i.description == "a")
            .unwrap();
        assert!(
            matches!(&a.kind, InteractionKind::Http { response, .. } if response.status == 404)
        );
    }

    #[test]
    fn a_broken_existing_file_is_not_overwritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = contract_path(dir.path(), "web", "orders");
        std::fs::write(&path, "{ not json").unwrap();
        assert!(matches!(
            merge_into_file(dir.path(), "web", "orders", &[interaction("a", 200)]),
            Err(StoreError::Existing(_))
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{ not json");
    }

    #[test]
    fn pairs_whose_names_collide_do_not_share_a_file() {
        let dir = tempfile::tempdir().unwrap();
        merge_into_file(dir.path(), "web-app", "orders", &[interaction("a", 200)]).unwrap();
        let err =
            merge_into_file(dir.path(), "web", "app-orders", &[interaction("b", 200)]).unwrap_err();
        assert!(matches!(err, StoreError::OtherPair { .. }), "{err}");
    }

    #[test]
    fn names_are_made_safe_for_file_names() {
        assert_eq!(
            contract_path(Path::new("c"), "my web/app", "orders"),
            Path::new("c/my_web_app-orders.json")
        );
    }
}

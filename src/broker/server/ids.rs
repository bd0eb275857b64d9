//! New identifiers for environments, deployments and webhooks: random (version 4) UUIDs.

/// A new random UUID, e.g. `9f0c…-4…`.
pub fn new_uuid() -> String {
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn should_make_distinct_version_4_uuids() {
        let (a, b) = (super::new_uuid(), super::new_uuid());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
    }
}

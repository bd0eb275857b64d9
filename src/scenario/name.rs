//! Names of services and links: plain words (`[A-Za-z0-9][A-Za-z0-9_-]{0,62}`), safe as a
//! file name, in a container name, a label and a placeholder.

/// The longest name.
pub const MAX_LEN: usize = 63;

/// The rule, in words, for error messages.
pub const RULE: &str =
    "letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters";

/// True when `name` is a plain word: `[A-Za-z0-9][A-Za-z0-9_-]{0,62}`.
pub fn is_plain(name: &str) -> bool {
    let mut bytes = name.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphanumeric())
        && name.len() <= MAX_LEN
        && bytes.all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::is_plain;

    #[test]
    fn should_accept_words_and_refuse_paths() {
        for ok in ["orders", "a", "to-payments", "svc_2", &"x".repeat(63)] {
            assert!(is_plain(ok), "{ok}");
        }
        for bad in [
            "",
            "../x",
            "a/b",
            "-a",
            "_a",
            "a.b",
            "a b",
            "é",
            &"x".repeat(64),
        ] {
            assert!(!is_plain(bad), "{bad}");
        }
    }
}

//! Who may call: with a token, every request needs `Authorization: Bearer TOKEN`, except
//! reads (GET, HEAD) when they are public.

use super::options::BrokerOptions;

/// Whether a request with `method` and `authorization` may proceed.
pub fn allowed(options: &BrokerOptions, method: &str, authorization: Option<&str>) -> bool {
    let Some(token) = &options.token else {
        return true;
    };
    if options.public_read && matches!(method, "GET" | "HEAD") {
        return true;
    }
    let given = authorization
        .and_then(|a| {
            a.strip_prefix("Bearer ")
                .or_else(|| a.strip_prefix("bearer "))
        })
        .map(str::trim);
    given.is_some_and(|g| same(g.as_bytes(), token.as_bytes()))
}

/// Compares without stopping at the first difference (no timing hint of the token).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_need_the_token_unless_reads_are_public() {
        let mut o = BrokerOptions {
            token: Some("s3cret".into()),
            ..BrokerOptions::default()
        };
        assert!(!allowed(&o, "GET", None));
        assert!(!allowed(&o, "POST", Some("Bearer wrong")));
        assert!(allowed(&o, "POST", Some("Bearer s3cret")));
        o.public_read = true;
        assert!(allowed(&o, "GET", None));
        assert!(!allowed(&o, "PUT", None));
        assert!(allowed(&BrokerOptions::default(), "DELETE", None));
    }
}

//! MockServerURL generators: an example URL re-based on the running mock server, keeping the
//! part a regex's first group selects.

use super::error::GeneratorError;

pub(super) fn url_regex(regex: &str) -> Result<regex::Regex, GeneratorError> {
    let bad = |reason: String| GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason,
    };
    let re = regex::Regex::new(regex).map_err(|e| bad(e.to_string()))?;
    if re.captures_len() < 2 {
        return Err(bad(
            "it needs a group, e.g. .*(/orders/\\d+)$, for the part after the mock server URL"
                .into(),
        ));
    }
    Ok(re)
}

/// The example with the regex's match replaced by the mock server URL and the first group.
pub(super) fn mock_server_url(
    example: &str,
    regex: &str,
    url: Option<&str>,
) -> Result<String, GeneratorError> {
    let url = url.ok_or(GeneratorError::NoMockServerUrl)?;
    let re = url_regex(regex)?;
    let caps = re
        .captures(example)
        .ok_or_else(|| GeneratorError::NoMatch {
            regex: regex.to_string(),
            example: example.to_string(),
        })?;
    let (whole, tail) = (caps.get(0), caps.get(1).map_or("", |m| m.as_str()));
    let base = if tail.starts_with('/') {
        url.trim_end_matches('/')
    } else {
        url
    };
    let (start, end) = whole.map_or((0, 0), |m| (m.start(), m.end()));
    Ok(format!(
        "{}{base}{tail}{}",
        &example[..start],
        &example[end..]
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::contract::generator::fixtures::gen_with;
    use crate::contract::generator::{Generator, GeneratorError};

    #[test]
    fn mock_server_urls() {
        let g = |example: &str, regex: &str| Generator::MockServerUrl {
            example: example.into(),
            regex: regex.into(),
        };
        let orders = g("http://localhost:1234/orders/10", r".*(/orders/\d+)$");
        assert_eq!(
            gen_with(&orders, &Value::Null, Some("http://127.0.0.1:5555"), 0),
            Ok(json!("http://127.0.0.1:5555/orders/10"))
        );
        assert_eq!(
            gen_with(&orders, &Value::Null, Some("http://127.0.0.1:5555/"), 0),
            Ok(json!("http://127.0.0.1:5555/orders/10"))
        );
        assert_eq!(
            gen_with(&orders, &Value::Null, None, 0),
            Err(GeneratorError::NoMockServerUrl)
        );
        let link = g("see http://x:1/a/b now", r"http://[^/]+(/\S+)");
        assert_eq!(
            gen_with(&link, &Value::Null, Some("http://m:2"), 0),
            Ok(json!("see http://m:2/a/b now"))
        );
        let nomatch = g("ftp://x", r"http://.*(/x)");
        assert!(matches!(
            gen_with(&nomatch, &Value::Null, Some("http://m"), 0),
            Err(GeneratorError::NoMatch { .. })
        ));
    }
}

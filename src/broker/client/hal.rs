//! HAL documents: `_links` by relation name (one link or an array of named links), and
//! templated hrefs expanded with percent-encoded values.

use serde_json::Value;

/// One link of a HAL document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The href, possibly templated (`/pacticipants/{pacticipant}`).
    pub href: String,
    /// Its `name` (environments, pacts), if any.
    pub name: Option<String>,
    /// Its `title`, if any.
    pub title: Option<String>,
}

impl Link {
    /// The href with `{name}` placeholders replaced by percent-encoded `values`.
    pub fn expand(&self, values: &[(&str, &str)]) -> String {
        expand(&self.href, values)
    }
}

/// A HAL document (a JSON object with `_links` and often `_embedded`).
#[derive(Debug, Clone, PartialEq)]
pub struct Hal(pub Value);

impl Hal {
    /// Every link of relation `rel` (one object or an array of them), in order.
    ///
    /// ```
    /// use serde_json::json;
    /// use shakedown::broker::client::Hal;
    /// let hal = Hal(json!({"_links": {"pb:environments": [{"href": "/e/1", "name": "test"}]}}));
    /// assert_eq!(hal.named("pb:environments", "test").unwrap().href, "/e/1");
    /// assert!(hal.link("pb:publish-contracts").is_none());
    /// ```
    pub fn links(&self, rel: &str) -> Vec<Link> {
        let to_link = |v: &Value| {
            Some(Link {
                href: v.get("href")?.as_str()?.to_string(),
                name: v.get("name").and_then(Value::as_str).map(str::to_string),
                title: v.get("title").and_then(Value::as_str).map(str::to_string),
            })
        };
        match self.0.get("_links").and_then(|l| l.get(rel)) {
            Some(Value::Array(items)) => items.iter().filter_map(to_link).collect(),
            Some(one) => to_link(one).into_iter().collect(),
            None => vec![],
        }
    }

    /// The first link of relation `rel`.
    pub fn link(&self, rel: &str) -> Option<Link> {
        self.links(rel).into_iter().next()
    }

    /// The link of relation `rel` named `name`.
    pub fn named(&self, rel: &str, name: &str) -> Option<Link> {
        self.links(rel)
            .into_iter()
            .find(|l| l.name.as_deref() == Some(name))
    }

    /// The relation names the document offers (for error messages).
    pub fn relations(&self) -> Vec<String> {
        match self.0.get("_links") {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            _ => vec![],
        }
    }

    /// `_embedded.NAME`, if present.
    pub fn embedded(&self, name: &str) -> Option<&Value> {
        self.0.get("_embedded")?.get(name)
    }

    /// A string field at the top level.
    pub fn str(&self, field: &str) -> Option<&str> {
        self.0.get(field)?.as_str()
    }
}

/// `href` with every `{name}` of `values` replaced by its percent-encoded value.
///
/// ```
/// use shakedown::broker::client::expand;
/// assert_eq!(
///     expand("/pacts/provider/{provider}/for-verification", &[("provider", "Pricing Service")]),
///     "/pacts/provider/Pricing%20Service/for-verification"
/// );
/// ```
pub fn expand(href: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(href.to_string(), |h, (name, value)| {
        h.replace(&format!("{{{name}}}"), &percent_encode(value))
    })
}

/// `value` with every byte but RFC 3986's unreserved ones (`A-Z a-z 0-9 - . _ ~`)
/// percent-encoded: safe as a path segment or a query value.
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_encode_every_reserved_character_of_a_value() {
        assert_eq!(percent_encode("a b/c?d#e%f&g"), "a%20b%2Fc%3Fd%23e%25f%26g");
        assert_eq!(percent_encode("1.2.3-rc_1~x"), "1.2.3-rc_1~x");
        assert_eq!(percent_encode("é"), "%C3%A9");
    }

    #[test]
    fn should_expand_every_placeholder_and_leave_others() {
        let href = "/pacticipants/{pacticipant}/versions/{version}";
        assert_eq!(
            expand(href, &[("pacticipant", "Foo"), ("version", "1 2")]),
            "/pacticipants/Foo/versions/1%202"
        );
        assert_eq!(expand(href, &[]), href);
    }

    #[test]
    fn should_read_one_link_or_an_array_of_named_links() {
        let hal = Hal(json!({"_links": {
            "self": {"href": "/x", "title": "X"},
            "pb:record-deployment": [{"href": "/a", "name": "prod"}, {"href": "/b", "name": "dev"}],
            "broken": {"nohref": true}
        }}));
        assert_eq!(hal.link("self").unwrap().title.as_deref(), Some("X"));
        assert_eq!(hal.links("pb:record-deployment").len(), 2);
        assert_eq!(hal.named("pb:record-deployment", "dev").unwrap().href, "/b");
        assert!(hal.link("broken").is_none());
        assert!(Hal(json!([])).links("self").is_empty());
    }
}

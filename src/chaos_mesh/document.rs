//! One Kubernetes document: its kind, its name and its body as JSON, written out as YAML.

use serde_json::{json, Value};

/// The API version of every Chaos Mesh resource.
pub const API_VERSION: &str = "chaos-mesh.org/v1alpha1";

/// A Chaos Mesh resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// `Workflow`, `Schedule`, `NetworkChaos` …
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The whole document (`apiVersion`, `kind`, `metadata`, `spec`).
    pub body: Value,
}

impl Document {
    /// A document of `kind` named `name` with this `spec`.
    pub fn new(kind: &str, name: &str, spec: Value) -> Self {
        Document {
            kind: kind.to_string(),
            name: name.to_string(),
            body: json!({
                "apiVersion": API_VERSION,
                "kind": kind,
                "metadata": { "name": name },
                "spec": spec,
            }),
        }
    }

    /// The document as YAML (without the `---` separator).
    pub fn yaml(&self) -> String {
        serde_yaml_ng::to_string(&self.body).unwrap_or_default()
    }

    /// The file name `shakedown export -o DIR` writes it to: `NAME.KIND.yaml`, lowercase.
    pub fn file_name(&self) -> String {
        format!("{}.{}.yaml", self.name, self.kind.to_lowercase())
    }
}

/// Several documents as one multi-document YAML stream.
pub fn stream(documents: &[Document]) -> String {
    documents
        .iter()
        .map(|d| format!("---\n{}", d.yaml()))
        .collect()
}

/// A Kubernetes object name (RFC 1123 label: lowercase letters, digits, `-`, at most 63)
/// made from any text.
pub fn dns_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.truncate(63);
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "scenario".into()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_kubernetes_names() {
        assert_eq!(dns_name("Game day: the shop!"), "game-day-the-shop");
        assert_eq!(dns_name("--"), "scenario");
        assert_eq!(dns_name(&"a".repeat(80)).len(), 63);
    }
}

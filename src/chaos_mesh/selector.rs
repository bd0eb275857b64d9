//! Which pods a service is on Kubernetes: its label selector and its in-cluster URL.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::scenario::{Kubernetes, Scenario};

/// The namespace URLs use when a service names none.
pub const DEFAULT_NAMESPACE: &str = "default";

/// A service's `kubernetes` table with its defaults filled in: labels `app = NAME` when it
/// gives none.
pub fn pods(scenario: &Scenario, service: &str) -> Kubernetes {
    let declared = scenario
        .services
        .get(service)
        .and_then(|s| s.kubernetes.clone())
        .unwrap_or_default();
    let labels = if declared.labels.is_empty() {
        BTreeMap::from([("app".to_string(), service.to_string())])
    } else {
        declared.labels
    };
    Kubernetes {
        namespace: declared.namespace,
        labels,
        anywhere: declared.anywhere,
    }
}

/// A Chaos Mesh `selector` for a service's pods: its labels, and its namespace when it
/// names one.
pub fn selector(scenario: &Scenario, service: &str) -> Value {
    let k = pods(scenario, service);
    let mut sel = json!({ "labelSelectors": k.labels });
    if let Some(ns) = k.namespace {
        sel["namespaces"] = json!([ns]);
    }
    sel
}

/// The service's host inside the cluster: `NAME.NAMESPACE.svc` (a Service named like the
/// scenario's service is assumed).
pub fn host(scenario: &Scenario, service: &str) -> String {
    let ns = pods(scenario, service)
        .namespace
        .unwrap_or_else(|| DEFAULT_NAMESPACE.into());
    format!("{service}.{ns}.svc")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(kubernetes: &str) -> Scenario {
        let text = format!("name = \"x\"\n[services.orders]\nimage = \"o\"\n{kubernetes}");
        crate::scenario::parse(&text, "s.toml".as_ref()).unwrap()
    }

    #[test]
    fn a_service_without_kubernetes_is_app_equals_its_name_in_the_default_namespace() {
        let s = scenario("");
        assert_eq!(
            selector(&s, "orders"),
            json!({"labelSelectors": {"app": "orders"}})
        );
        assert_eq!(host(&s, "orders"), "orders.default.svc");
    }

    #[test]
    fn declared_labels_and_namespace_are_used() {
        let s = scenario("kubernetes = { namespace = \"shop\", labels = { tier = \"api\" } }\n");
        let expected = json!({"labelSelectors": {"tier": "api"}, "namespaces": ["shop"]});
        assert_eq!(selector(&s, "orders"), expected);
        assert_eq!(host(&s, "orders"), "orders.shop.svc");
    }
}

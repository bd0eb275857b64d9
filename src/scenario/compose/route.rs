//! Links between Compose services routed through the fault proxy: a Compose service reaches
//! another by its name (`PAYMENTS_URL=http://payments:9090`), so the consumer's environment
//! and arguments are rewritten to name the link's proxy instead (`{{ link.NAME.addr }}`,
//! expanded by the engine when the service starts).

use std::collections::BTreeMap;

use crate::scenario::model::{Link, Service};

/// Rewrites, for every link, each `TO:PORT` in the `from` service's environment values and
/// arguments into `{{ link.NAME.addr }}` (`TO` the link's server, `PORT` the port it listens
/// on; only whole host names: `xpayments:9090` or `payments:90901` are left alone). Returns
/// the links nothing was rewritten for (their client never names `TO:PORT`, so its traffic
/// would not cross the proxy), and those whose services are unknown or have no port.
pub fn route_links(
    services: &mut BTreeMap<String, Service>,
    links: &BTreeMap<String, Link>,
) -> Vec<String> {
    let mut unrouted = Vec::new();
    for (name, link) in links {
        let port = services.get(&link.to).and_then(|s| s.port);
        let routed = match (port, services.get_mut(&link.from)) {
            (Some(port), Some(client)) => {
                let target = format!("{}:{port}", link.to);
                let proxy = format!("{{{{ link.{name}.addr }}}}");
                rewrite(client, &target, &proxy)
            }
            _ => false,
        };
        if !routed {
            unrouted.push(name.clone());
        }
    }
    unrouted
}

/// Replaces `target` by `proxy` in `service`'s environment values and arguments; whether any
/// was found.
fn rewrite(service: &mut Service, target: &str, proxy: &str) -> bool {
    let mut found = false;
    let values = service
        .env
        .values_mut()
        .chain(service.args.iter_mut().flatten());
    for value in values {
        if let Some(new) = replace_host(value, target, proxy) {
            *value = new;
            found = true;
        }
    }
    found
}

/// `text` with every whole `target` (`host:port`) replaced, if there was one.
fn replace_host(text: &str, target: &str, proxy: &str) -> Option<String> {
    let is_name = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut found = false;
    while let Some(at) = rest.find(target) {
        let (before, after) = (&rest[..at], &rest[at + target.len()..]);
        let whole = !out
            .chars()
            .chain(before.chars())
            .last()
            .is_some_and(is_name)
            && !after.starts_with(|c: char| c.is_ascii_digit());
        out.push_str(before);
        out.push_str(if whole { proxy } else { target });
        found |= whole;
        rest = after;
    }
    out.push_str(rest);
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(port: Option<u16>, env: &[(&str, &str)], args: &[&str]) -> Service {
        let toml = "image = \"x\"";
        let mut s: Service = toml::from_str(toml).unwrap();
        s.port = port;
        s.env = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        s.args = (!args.is_empty()).then(|| args.iter().map(|a| a.to_string()).collect());
        s
    }

    fn link(from: &str, to: &str) -> Link {
        Link {
            from: from.into(),
            to: to.into(),
        }
    }

    #[test]
    fn rewrites_the_clients_addresses_of_the_server_into_the_links_proxy() {
        let mut services = BTreeMap::from([
            (
                "orders".to_string(),
                service(
                    Some(8080),
                    &[
                        ("PAYMENTS_URL", "http://payments:9090"),
                        ("NATS_URL", "nats://nats:4222"),
                        (
                            "OTHER",
                            "http://xpayments:9090 payments:90901 payments:9090/a",
                        ),
                    ],
                    &["--payments", "payments:9090"],
                ),
            ),
            ("payments".to_string(), service(Some(9090), &[], &[])),
            ("nats".to_string(), service(Some(4222), &[], &[])),
            (
                "shipping".to_string(),
                service(Some(8082), &[("NATS_URL", "nats://nats:4222")], &[]),
            ),
        ]);
        let links = BTreeMap::from([
            ("orders-payments".to_string(), link("orders", "payments")),
            ("orders-nats".to_string(), link("orders", "nats")),
        ]);
        let unrouted = route_links(&mut services, &links);
        assert!(unrouted.is_empty(), "{unrouted:?}");
        let orders = &services["orders"];
        assert_eq!(
            orders.env["PAYMENTS_URL"],
            "http://{{ link.orders-payments.addr }}"
        );
        assert_eq!(orders.env["NATS_URL"], "nats://{{ link.orders-nats.addr }}");
        assert_eq!(
            orders.env["OTHER"],
            "http://xpayments:9090 payments:90901 {{ link.orders-payments.addr }}/a"
        );
        assert_eq!(
            orders.args.as_deref().unwrap(),
            ["--payments", "{{ link.orders-payments.addr }}"]
        );
        // Not linked: still reaches nats by its name on the run's network.
        assert_eq!(services["shipping"].env["NATS_URL"], "nats://nats:4222");
    }

    #[test]
    fn names_the_links_it_could_not_route() {
        let mut services = BTreeMap::from([
            ("a".to_string(), service(None, &[("B", "http://b:1")], &[])),
            ("b".to_string(), service(Some(2), &[], &[])),
            ("c".to_string(), service(None, &[], &[])),
        ]);
        let links = BTreeMap::from([
            ("a-b".to_string(), link("a", "b")),
            ("a-c".to_string(), link("a", "c")),
            ("a-z".to_string(), link("a", "z")),
        ]);
        assert_eq!(route_links(&mut services, &links), ["a-b", "a-c", "a-z"]);
        assert_eq!(services["a"].env["B"], "http://b:1");
    }
}

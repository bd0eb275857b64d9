//! The system under test while it runs: the backend's services, their addresses, and one
//! fault proxy per link. Starts services in dependency order and waits until each is ready,
//! and is the one facade of the fault verbs (toxics, crash, pause, partition), whatever the
//! backend.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::time::Instant;

use crate::chaos::{Proxy, ProxyError, Toxic};
use crate::report::EventKind;

use super::backend::{Address, Backend, BackendError, Launch};
use super::cancel::Cancel;
use super::model::{Scenario, Service};
use super::recorder::Recorder;
use super::template::{self, Placeholder, TemplateError};

/// Why the system could not be brought up.
#[derive(Debug, thiserror::Error)]
pub enum SystemError {
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// A placeholder could not be expanded.
    #[error("service {service:?}: {source}")]
    Template {
        /// Where.
        service: String,
        /// Why.
        source: TemplateError,
    },
    /// A service did not become ready in time.
    #[error("service {service:?} was not ready within {within:?}: {why}")]
    NotReady {
        /// The service.
        service: String,
        /// The deadline.
        within: Duration,
        /// What was seen.
        why: String,
    },
    /// A link's proxy could not listen.
    #[error("link {link:?}: {message}")]
    Proxy {
        /// The link.
        link: String,
        /// Why.
        message: String,
    },
    /// The run was cancelled while starting.
    #[error("cancelled")]
    Cancelled,
}

/// Why a fault could not be applied or healed.
#[derive(Debug, thiserror::Error)]
pub enum FaultError {
    /// The scenario has no link of that name.
    #[error("no link {0:?}")]
    UnknownLink(String),
    /// A link's proxy refused the change.
    #[error("link {link:?}: {source}")]
    Proxy {
        /// The link.
        link: String,
        /// Why.
        source: ProxyError,
    },
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
}

/// Where a partition cuts: two groups of services, and the links between them.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// First group.
    pub a: Vec<String>,
    /// Second group.
    pub b: Vec<String>,
    /// Only traffic from `a` to `b`.
    pub one_way: bool,
    /// The links that cross, closed while the partition lasts.
    pub links: Vec<String>,
}

/// The running system.
pub struct System {
    backend: Backend,
    names: Arc<RwLock<Names>>,
    proxies: BTreeMap<String, Proxy>,
    link_targets: BTreeMap<String, String>,
}

impl System {
    /// Prepares the backend and one proxy per link (not yet pointing anywhere).
    pub async fn prepare(
        mut backend: Backend,
        scenario: &Scenario,
        run_id: &str,
        seed: u64,
    ) -> Result<Self, SystemError> {
        backend.prepare().await?;
        let host = backend.proxy_host();
        let mut proxies = BTreeMap::new();
        for name in scenario.links.keys() {
            let proxy =
                Proxy::start(name, &format!("{host}:0"), "127.0.0.1:9", seed).map_err(|e| {
                    SystemError::Proxy {
                        link: name.clone(),
                        message: e.to_string(),
                    }
                })?;
            proxies.insert(name.clone(), proxy);
        }
        let ports = ports(&backend, scenario)?;
        Ok(System {
            backend,
            names: Arc::new(RwLock::new(Names {
                run_id: run_id.to_string(),
                ports,
                addresses: BTreeMap::new(),
                links: proxies
                    .iter()
                    .map(|(n, p)| (n.clone(), p.listen_addr()))
                    .collect(),
            })),
            proxies,
            link_targets: scenario
                .links
                .iter()
                .map(|(n, l)| (n.clone(), l.to.clone()))
                .collect(),
        })
    }

    /// The links' proxies, by link name (their metrics are served for Prometheus).
    pub fn proxies(&self) -> Vec<(String, Proxy)> {
        self.proxies
            .iter()
            .map(|(n, p)| (n.clone(), p.clone()))
            .collect()
    }

    /// Process ids of the running services (for the run's state file).
    pub fn pids(&self) -> Vec<u32> {
        self.backend.pids()
    }

    /// Expands the placeholders of `text` for `service` (`{{ port }}` is its port).
    pub fn expand(&self, text: &str, service: Option<&str>) -> Result<String, TemplateError> {
        self.names().expand(text, service)
    }

    /// The names placeholders resolve to, shared with canaries (addresses change when a
    /// container restarts).
    pub fn shared_names(&self) -> Arc<RwLock<Names>> {
        self.names.clone()
    }

    fn names(&self) -> std::sync::RwLockReadGuard<'_, Names> {
        self.names.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts every service in dependency order, each ready before the next.
    pub async fn start_all(
        &mut self,
        scenario: &Scenario,
        recorder: &Recorder,
        cancel: &Cancel,
    ) -> Result<(), SystemError> {
        for name in start_order(scenario) {
            if cancel.is_cancelled() {
                return Err(SystemError::Cancelled);
            }
            let service = &scenario.services[&name];
            let address = self.start_one(&name, service).await?;
            recorder.record(EventKind::ServiceStarted {
                service: name.clone(),
                address: address.to_string(),
            });
            let began = Instant::now();
            tokio::select! {
                r = self.wait_ready(&name, service) => r?,
                _ = cancel.cancelled() => return Err(SystemError::Cancelled),
            }
            let waited_ms = u64::try_from(began.elapsed().as_millis()).unwrap_or(u64::MAX);
            recorder.record(EventKind::ServiceReady {
                service: name.clone(),
                waited_ms,
            });
        }
        Ok(())
    }

    async fn start_one(&mut self, name: &str, service: &Service) -> Result<Address, SystemError> {
        let launch = self.launch(name, service)?;
        let address = self.backend.start(&launch).await?;
        self.arrived(name, address.clone());
        Ok(address)
    }

    fn launch(&self, name: &str, service: &Service) -> Result<Launch, SystemError> {
        let expand = |t: &String| {
            self.expand(t, Some(name))
                .map_err(|source| SystemError::Template {
                    service: name.into(),
                    source,
                })
        };
        let raw = self.backend.argv(name, service)?;
        let argv = raw.iter().map(expand).collect::<Result<Vec<_>, _>>()?;
        let mut env = BTreeMap::new();
        for (k, v) in &service.env {
            env.insert(k.clone(), expand(v)?);
        }
        let port = self.names().ports[name];
        env.insert(super::sweep::RUN_ID_VAR.into(), self.names().run_id.clone());
        env.entry("PORT".into()).or_insert_with(|| port.to_string());
        env.entry("HOST".into())
            .or_insert_with(|| self.backend.bind_host().into());
        Ok(Launch {
            name: name.into(),
            argv,
            image: service.image.clone(),
            env,
            port,
            healthcheck: service.ready.healthcheck.clone(),
        })
    }

    /// Records a service's (new) address and points the links to it there.
    fn arrived(&mut self, name: &str, address: Address) {
        for (link, target) in &self.link_targets {
            if target == name {
                if let Some(p) = self.proxies.get(link) {
                    p.set_upstream(&address.to_string());
                }
            }
        }
        self.names
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .addresses
            .insert(name.to_string(), address);
    }

    async fn wait_ready(&mut self, name: &str, service: &Service) -> Result<(), SystemError> {
        let within: Duration = service.ready.within.into();
        let deadline = Instant::now() + within;
        let address = self.names().addresses[name].clone();
        let client = super::probe::client();
        let mut last = String::from("no answer yet");
        while Instant::now() < deadline {
            if let Some(how) = self.backend.exited(name).await {
                return Err(SystemError::NotReady {
                    service: name.into(),
                    within,
                    why: how,
                });
            }
            match self.ready_now(name, service, &client, &address).await {
                Ok(()) => return Ok(()),
                Err(why) => last = why,
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Err(SystemError::NotReady {
            service: name.into(),
            within,
            why: last,
        })
    }

    /// One readiness check: Docker's health when the service has a healthcheck (and the
    /// backend runs it), else its HTTP path or a TCP connect.
    async fn ready_now(
        &mut self,
        name: &str,
        service: &Service,
        client: &reqwest::Client,
        address: &Address,
    ) -> Result<(), String> {
        let health = match service.ready.healthcheck {
            Some(_) => self.backend.health(name).await,
            None => None,
        };
        match health {
            Some(status) => healthy(status),
            None => ready_once(client, address, service.ready.http.as_deref()).await,
        }
    }

    fn link(&self, link: &str) -> Result<&Proxy, FaultError> {
        self.proxies
            .get(link)
            .ok_or_else(|| FaultError::UnknownLink(link.into()))
    }

    /// Puts toxics on a link's proxy.
    pub fn add_toxics(&self, link: &str, toxics: &[Toxic]) -> Result<(), FaultError> {
        let proxy = self.link(link)?;
        for toxic in toxics {
            proxy
                .add_toxic(toxic.clone())
                .map_err(|source| FaultError::Proxy {
                    link: link.into(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Takes toxics off a link's proxy (those already gone are no error).
    pub fn remove_toxics(&self, link: &str, toxics: &[Toxic]) -> Result<(), FaultError> {
        let proxy = self.link(link)?;
        for toxic in toxics {
            let _ = proxy.remove_toxic(&toxic.name);
        }
        Ok(())
    }

    /// Kills a service.
    pub async fn crash(&mut self, name: &str) -> Result<(), FaultError> {
        Ok(self.backend.kill(name).await?)
    }

    /// Restarts a killed service (see [`System::await_ready`]).
    pub async fn restart(&mut self, name: &str) -> Result<(), FaultError> {
        let address = self.backend.restart(name).await?;
        self.arrived(name, address);
        Ok(())
    }

    /// Freezes a service.
    pub async fn pause(&mut self, name: &str) -> Result<(), FaultError> {
        Ok(self.backend.pause(name).await?)
    }

    /// Thaws a frozen service.
    pub async fn resume(&mut self, name: &str) -> Result<(), FaultError> {
        Ok(self.backend.resume(name).await?)
    }

    /// Cuts two groups apart: closes the links that cross, and has the backend cut what
    /// the services send each other directly.
    pub async fn partition(&mut self, cut: &Cut) -> Result<(), FaultError> {
        for l in &cut.links {
            self.link(l)?.disable();
        }
        Ok(self.backend.partition(&cut.a, &cut.b, cut.one_way).await?)
    }

    /// Undoes [`System::partition`]: the backend's cut first, then the links open again.
    pub async fn heal_partition(&mut self, cut: &Cut) -> Result<(), FaultError> {
        let healed = self
            .backend
            .heal_partition(&cut.a, &cut.b, cut.one_way)
            .await;
        for l in &cut.links {
            self.link(l)?
                .enable_async()
                .await
                .map_err(|source| FaultError::Proxy {
                    link: l.clone(),
                    source,
                })?;
        }
        Ok(healed?)
    }

    /// Waits until a (re)started service passes its readiness check.
    pub async fn await_ready(&mut self, name: &str, service: &Service) -> Result<(), SystemError> {
        self.wait_ready(name, service).await
    }

    /// Closes the proxies and stops every service; returns the services stopped.
    pub async fn shutdown(&mut self) -> Vec<String> {
        for proxy in self.proxies.values() {
            proxy.stop();
        }
        self.backend.shutdown().await
    }
}

impl Drop for System {
    fn drop(&mut self) {
        for proxy in self.proxies.values() {
            proxy.stop();
        }
    }
}

/// Docker's health status of a container, as a readiness check.
fn healthy(status: String) -> Result<(), String> {
    match status.as_str() {
        "healthy" => Ok(()),
        _ => Err(format!("Docker says its healthcheck is {status}")),
    }
}

async fn ready_once(
    client: &reqwest::Client,
    address: &Address,
    http: Option<&str>,
) -> Result<(), String> {
    match http {
        None => tokio::net::TcpStream::connect((address.host.as_str(), address.port))
            .await
            .map(drop)
            .map_err(|e| format!("{address}: {e}")),
        Some(path) => {
            let url = format!("http://{address}{path}");
            let r = client
                .get(&url)
                .timeout(Duration::from_secs(1))
                .send()
                .await
                .map_err(|e| format!("{url}: {e}"))?;
            if r.status().is_success() {
                Ok(())
            } else {
                Err(format!("{url} answered {}", r.status()))
            }
        }
    }
}

/// The port of every service, as the backend gives them.
fn ports(backend: &Backend, scenario: &Scenario) -> Result<BTreeMap<String, u16>, SystemError> {
    let mut ports = BTreeMap::new();
    for (name, s) in &scenario.services {
        ports.insert(name.clone(), backend.port(name, s)?);
    }
    Ok(ports)
}

/// Services in an order where each comes after what it depends on (then by name): the
/// order of passes over the services in name order, each pass taking every service whose
/// dependencies are all taken by its turn. Services on a cycle (or after one, or depending
/// on an unknown service) are left out: validation reports them.
pub fn start_order(scenario: &Scenario) -> Vec<String> {
    // Kahn's algorithm. A service's pass is the first in which its dependencies are taken by
    // its turn: a dependency's pass, one more for one that sorts after it. Whatever a taken
    // service releases sorts after it by (pass, name), so a heap on (pass, name) gives the
    // services in the passes' order. Indices follow names (a BTreeMap's keys are in order).
    let names: Vec<&String> = scenario.services.keys().collect();
    let (mut waiting, dependents) = dependency_graph(scenario, &names);
    let mut pass = vec![0usize; names.len()];
    let mut ready: BinaryHeap<Reverse<(usize, usize)>> = (0..names.len())
        .filter(|&i| waiting[i] == 0)
        .map(|i| Reverse((0, i)))
        .collect();
    let mut order = Vec::with_capacity(names.len());
    while let Some(Reverse((p, i))) = ready.pop() {
        order.push(names[i].clone());
        for &t in &dependents[i] {
            pass[t] = pass[t].max(p + usize::from(i > t));
            waiting[t] -= 1;
            if waiting[t] == 0 {
                ready.push(Reverse((pass[t], t)));
            }
        }
    }
    order
}

/// For each service (by index in `names`): how many of its dependencies are not yet
/// started (an unknown one never is), and the services that depend on it.
fn dependency_graph(scenario: &Scenario, names: &[&String]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i))
        .collect();
    let mut dependents = vec![Vec::new(); names.len()];
    let waiting = scenario
        .services
        .values()
        .enumerate()
        .map(|(i, s)| {
            for d in &s.depends_on {
                if let Some(&j) = index.get(d.as_str()) {
                    dependents[j].push(i);
                }
            }
            s.depends_on.len()
        })
        .collect();
    (waiting, dependents)
}

/// A copy of the shared names as they are now.
pub fn snapshot(names: &Arc<RwLock<Names>>) -> Names {
    names.read().unwrap_or_else(|e| e.into_inner()).clone()
}

/// What placeholders name: the run, service ports and addresses, link proxies.
#[derive(Debug, Clone, Default)]
pub struct Names {
    run_id: String,
    ports: BTreeMap<String, u16>,
    addresses: BTreeMap<String, Address>,
    links: BTreeMap<String, SocketAddr>,
}

impl Names {
    /// Expands the placeholders of `text` for `service` (`{{ port }}` is its port).
    pub fn expand(&self, text: &str, service: Option<&str>) -> Result<String, TemplateError> {
        template::render(text, |expr| self.lookup(expr, service))
    }

    /// The run's id (`{{ run_id }}`).
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// The address of a started service.
    pub fn address(&self, service: &str) -> Option<&Address> {
        self.addresses.get(service)
    }

    fn lookup(&self, expr: &str, service: Option<&str>) -> Option<String> {
        let (host, port, part) = match template::parse(expr).ok()? {
            Placeholder::Port => {
                return service.and_then(|s| self.ports.get(s)).map(u16::to_string)
            }
            Placeholder::RunId => return Some(self.run_id.clone()),
            Placeholder::Env(var, default) => return template::env_value(var, default).ok(),
            Placeholder::Service(name, part) => {
                let a = self.addresses.get(name)?;
                (a.host.clone(), a.port, part)
            }
            Placeholder::Link(name, part) => {
                let a = self.links.get(name)?;
                (a.ip().to_string(), a.port(), part)
            }
        };
        template::address_part(part, &host, port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order as it was computed before: passes over the services in name order.
    fn passes(scenario: &Scenario) -> Vec<String> {
        let mut order: Vec<String> = Vec::new();
        loop {
            let before = order.len();
            for (name, s) in &scenario.services {
                if !order.contains(name) && s.depends_on.iter().all(|d| order.contains(d)) {
                    order.push(name.clone());
                }
            }
            if order.len() == before {
                return order;
            }
        }
    }

    fn scenario(services: &[(&str, &[&str])]) -> Scenario {
        let services: serde_json::Map<String, serde_json::Value> = services
            .iter()
            .map(|(name, deps)| {
                let service = serde_json::json!({"command": ["true"], "depends_on": deps});
                (name.to_string(), service)
            })
            .collect();
        serde_json::from_value(serde_json::json!({"name": "s", "services": services})).unwrap()
    }

    #[test]
    fn a_service_released_by_a_later_name_waits_for_the_next_pass() {
        // Not Kahn's order by name alone (b, a, c): `a` is only taken on the second pass.
        let s = scenario(&[("a", &["b"]), ("b", &[]), ("c", &[])]);
        assert_eq!(start_order(&s), ["b", "c", "a"]);
        let s = scenario(&[("a", &[]), ("b", &["a"]), ("c", &[]), ("d", &["c", "b"])]);
        assert_eq!(start_order(&s), ["a", "b", "c", "d"]);
    }

    #[test]
    fn cycles_and_unknown_services_are_left_out() {
        let s = scenario(&[
            ("a", &["b"]),
            ("b", &["a"]),
            ("c", &[]),
            ("d", &["a"]),
            ("e", &["nowhere"]),
            ("f", &["f"]),
            ("g", &["c", "c"]),
        ]);
        assert_eq!(start_order(&s), ["c", "g"]);
        assert_eq!(start_order(&s), passes(&s));
    }

    #[test]
    fn the_order_is_the_passes_order() {
        // Seeded pseudo-random graphs: names in another order than they were made, repeated
        // dependencies, and a quarter with cycles likely.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for _ in 0..200 {
            let n = 1 + next(12) as usize;
            let names: Vec<String> = (0..n)
                .map(|i| format!("s{:02}", next(40) + i as u64 * 40))
                .collect();
            // Dependencies on later-made services only (acyclic), or on any (cycles likely).
            let any = next(4) == 0;
            let deps: Vec<Vec<&str>> = (0..n)
                .map(|i| {
                    let from = if any { 0 } else { i + 1 };
                    (0..next(4))
                        .filter(|_| from < n)
                        .map(|_| names[from + next((n - from) as u64) as usize].as_str())
                        .collect()
                })
                .collect();
            let services: Vec<(&str, &[&str])> = names
                .iter()
                .zip(&deps)
                .map(|(name, d)| (name.as_str(), d.as_slice()))
                .collect();
            let s = scenario(&services);
            assert_eq!(start_order(&s), passes(&s), "{services:?}");
        }
    }
}

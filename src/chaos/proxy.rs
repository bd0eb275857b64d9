//! A named TCP proxy: listens, connects each client to the upstream, and runs one link per
//! direction through the live set of toxics. Toxics can be added, changed and removed while
//! connections are open; disabling the proxy closes its listener and its connections.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{RngExt as _, SeedableRng};
use serde_json::{json, Value};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

use super::link::{self, LinkContext, LinkEnd};
use super::runtime::runtime;
use super::toxic::{Stream, Toxic};
use crate::http_server::ServerOptions;

/// Why a proxy could not be started or changed.
#[derive(Debug, thiserror::Error)]
pub enum ProxyError {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A toxic with this name exists already.
    #[error("toxic already exists: {0}")]
    ToxicExists(String),
    /// No toxic with this name.
    #[error("toxic not found: {0}")]
    ToxicNotFound(String),
}

/// Byte and connection counters of a proxy.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Bytes client → server.
    pub bytes_upstream: Arc<AtomicU64>,
    /// Bytes server → client.
    pub bytes_downstream: Arc<AtomicU64>,
    /// Connections accepted.
    pub connections_total: AtomicU64,
    /// Connections open now.
    pub connections_active: AtomicU64,
}

struct Inner {
    name: String,
    upstream: Mutex<String>,
    listen: Mutex<SocketAddr>,
    enabled: AtomicBool,
    toxics: watch::Sender<Arc<Vec<Toxic>>>,
    /// Bumped to stop the listener (disable, delete).
    generation: watch::Sender<u64>,
    /// A duplicate of the listening socket, to refuse connections the moment the proxy is
    /// disabled (shutting it down takes it out of LISTEN at once).
    listener: Mutex<Option<socket2::Socket>>,
    /// Bumped to close every open connection (disable, or a switch to or from HTTP mode).
    epoch: watch::Sender<u64>,
    rng: Mutex<StdRng>,
    metrics: Metrics,
    /// The limits of connections served as HTTP (the body cap aside).
    http_options: Mutex<ServerOptions>,
}

/// A running proxy. Cloning gives another handle to the same proxy; it stops when
/// [`Proxy::stop`] is called (the API server and [`super::ProxyGuard`] do so).
///
/// ```
/// use std::time::Duration;
/// use shakedown::chaos::{Proxy, Stream, Toxic, ToxicKind};
/// let echo = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
/// let proxy = Proxy::start("db", "127.0.0.1:0", &echo.local_addr().unwrap().to_string(), 7).unwrap();
/// let latency = Toxic::new("slow", Stream::Downstream, ToxicKind::Latency { latency: Duration::from_millis(50), jitter: Duration::ZERO });
/// let guard = proxy.with_toxic(latency).unwrap();   // removed again when `guard` drops
/// assert_eq!(proxy.toxics().len(), 1);
/// drop(guard);
/// assert!(proxy.toxics().is_empty());
/// proxy.stop();
/// ```
#[derive(Clone)]
pub struct Proxy {
    inner: Arc<Inner>,
}

impl Proxy {
    /// Starts a proxy listening on `listen` (port 0: any free port) towards `upstream`,
    /// with toxicity rolls seeded by `seed`.
    pub fn start(name: &str, listen: &str, upstream: &str, seed: u64) -> Result<Self, ProxyError> {
        let (toxics, _) = watch::channel(Arc::new(Vec::new()));
        let (generation, _) = watch::channel(0);
        let (epoch, _) = watch::channel(0);
        let inner = Arc::new(Inner {
            name: name.to_string(),
            upstream: Mutex::new(upstream.to_string()),
            listen: Mutex::new(SocketAddr::from(([127, 0, 0, 1], 0))),
            enabled: AtomicBool::new(false),
            toxics,
            generation,
            listener: Mutex::new(None),
            epoch,
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            metrics: Metrics::default(),
            http_options: Mutex::new(ServerOptions::default()),
        });
        let proxy = Proxy { inner };
        proxy.listen_on(listen)?;
        Ok(proxy)
    }

    fn listen_on(&self, addr: &str) -> Result<(), ProxyError> {
        self.accept_on(addr, bind_retrying(addr))
    }

    /// Starts accepting on a freshly bound listener (or says why `addr` could not be bound).
    fn accept_on(
        &self,
        addr: &str,
        bound: std::io::Result<std::net::TcpListener>,
    ) -> Result<(), ProxyError> {
        let std_listener = bound.map_err(|source| ProxyError::Bind {
            addr: addr.into(),
            source,
        })?;
        let bound = std_listener
            .local_addr()
            .map_err(|source| ProxyError::Bind {
                addr: addr.into(),
                source,
            })?;
        std_listener
            .set_nonblocking(true)
            .map_err(|source| ProxyError::Bind {
                addr: addr.into(),
                source,
            })?;
        *lock(&self.inner.listen) = bound;
        *lock(&self.inner.listener) = socket2::SockRef::from(&std_listener).try_clone().ok();
        self.inner.enabled.store(true, Ordering::SeqCst);
        let this = self.clone();
        let generation = *self.inner.generation.borrow();
        runtime().spawn(async move {
            let Ok(listener) = TcpListener::from_std(std_listener) else {
                return;
            };
            this.accept_loop(listener, generation).await;
        });
        Ok(())
    }

    async fn accept_loop(&self, listener: TcpListener, generation: u64) {
        let mut gen_rx = self.inner.generation.subscribe();
        loop {
            tokio::select! {
                accepted = listener.accept() => match accepted {
                    Ok((client, _)) => {
                        let this = self.clone();
                        tokio::spawn(async move { this.serve(client).await });
                    }
                    Err(_) if *gen_rx.borrow() != generation => return,
                    Err(_) => tokio::time::sleep(Duration::from_millis(5)).await,
                },
                _ = gen_rx.changed() => {
                    if *gen_rx.borrow() != generation {
                        return;
                    }
                }
            }
        }
    }

    async fn serve(&self, client: TcpStream) {
        let m = &self.inner.metrics;
        m.connections_total.fetch_add(1, Ordering::Relaxed);
        let upstream = lock(&self.inner.upstream).clone();
        let Ok(Ok(server)) =
            tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(&upstream)).await
        else {
            tracing::debug!(target: "shakedown::proxy", "{}: cannot reach upstream {upstream}", self.inner.name);
            return;
        };
        let _ = (client.set_nodelay(true), server.set_nodelay(true));
        m.connections_active.fetch_add(1, Ordering::Relaxed);
        if self.http_mode() {
            let rng = StdRng::seed_from_u64(lock(&self.inner.rng).random::<u64>());
            let mut epoch = self.inner.epoch.subscribe();
            let start = *epoch.borrow();
            let options = lock(&self.inner.http_options).clone();
            tokio::select! {
                _ = super::http::serve(self.clone(), (client, server), upstream, rng, &options) => {}
                _ = async { while epoch.changed().await.is_ok() { if *epoch.borrow() != start { break; } } } => {}
            }
        } else {
            self.pump(client, server).await;
        }
        m.connections_active.fetch_sub(1, Ordering::Relaxed);
    }

    async fn pump(&self, mut client: TcpStream, mut server: TcpStream) {
        let seed = lock(&self.inner.rng).random::<u64>();
        let rolls = Arc::new(Mutex::new(Rolls::new(seed)));
        let up_ctx = self.link_context(Stream::Upstream, rolls.clone(), seed);
        let down_ctx = self.link_context(Stream::Downstream, rolls, seed.wrapping_add(1));
        let mut gen_rx = self.inner.epoch.subscribe();
        let start_gen = *gen_rx.borrow();
        let end = {
            // Borrowed halves: dropping them does not shut the socket down, so a reset stays
            // a reset.
            let (client_read, client_write) = client.split();
            let (server_read, server_write) = server.split();
            let up = link::run(client_read, server_write, up_ctx);
            let down = link::run(server_read, client_write, down_ctx);
            let closed = async {
                while gen_rx.changed().await.is_ok() {
                    if *gen_rx.borrow() != start_gen {
                        break;
                    }
                }
            };
            tokio::pin!(up, down, closed);
            let mut open = (true, true);
            loop {
                let end = tokio::select! {
                    e = &mut up, if open.0 => { open.0 = false; e }
                    e = &mut down, if open.1 => { open.1 = false; e }
                    _ = &mut closed => break LinkEnd::Cut,
                };
                if end != LinkEnd::Closed || open == (false, false) {
                    break end;
                }
            }
        };
        if end == LinkEnd::Reset {
            for s in [&client, &server] {
                let _ = socket2::SockRef::from(s).set_linger(Some(Duration::ZERO));
            }
        }
    }

    fn link_context(&self, stream: Stream, rolls: Arc<Mutex<Rolls>>, seed: u64) -> LinkContext {
        let bytes = match stream {
            Stream::Upstream => self.inner.metrics.bytes_upstream.clone(),
            Stream::Downstream => self.inner.metrics.bytes_downstream.clone(),
        };
        LinkContext {
            stream,
            toxics: self.inner.toxics.subscribe(),
            roll: Box::new(move |t: &Toxic| lock(&rolls).roll(t)),
            rng: StdRng::seed_from_u64(seed),
            bytes,
        }
    }

    /// The proxy's name.
    pub fn name(&self) -> &str {
        &self.inner.name
    }

    /// The address it listens on.
    pub fn listen_addr(&self) -> SocketAddr {
        *lock(&self.inner.listen)
    }

    /// The upstream address.
    pub fn upstream(&self) -> String {
        lock(&self.inner.upstream).clone()
    }

    /// Whether it accepts connections.
    pub fn enabled(&self) -> bool {
        self.inner.enabled.load(Ordering::SeqCst)
    }

    /// The current toxics, in the order they apply.
    pub fn toxics(&self) -> Vec<Toxic> {
        self.inner.toxics.borrow().as_ref().clone()
    }

    /// The counters.
    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    /// Sets the header-read and idle timeouts of connections served as HTTP (while the
    /// proxy has HTTP fault toxics) from the next connection on; the default is
    /// [`ServerOptions::default`]. The body cap does not apply: proxied bodies stream through.
    pub fn set_http_options(&self, options: ServerOptions) {
        *lock(&self.inner.http_options) = options;
    }

    /// True while the proxy has HTTP fault toxics: connections are then served as HTTP.
    pub fn http_mode(&self) -> bool {
        self.inner
            .toxics
            .borrow()
            .iter()
            .any(|t| matches!(t.kind, super::toxic::ToxicKind::Http(_)))
    }

    /// Closes open connections when the set of toxics switched between TCP and HTTP mode,
    /// so that clients reconnect into the right one.
    fn after_change(&self, was_http: bool) {
        if was_http != self.http_mode() {
            self.inner.epoch.send_modify(|e| *e += 1);
        }
    }

    /// Adds a toxic; open connections get it from their next chunk on (HTTP faults: from
    /// the next connection, open ones are closed so that clients reconnect).
    pub fn add_toxic(&self, toxic: Toxic) -> Result<(), ProxyError> {
        let was_http = self.http_mode();
        let result = self.add_toxic_inner(toxic);
        self.after_change(was_http);
        result
    }

    fn add_toxic_inner(&self, toxic: Toxic) -> Result<(), ProxyError> {
        let mut result = Ok(());
        self.inner.toxics.send_modify(|list| {
            if list.iter().any(|t| t.name == toxic.name) {
                result = Err(ProxyError::ToxicExists(toxic.name.clone()));
            } else {
                Arc::make_mut(list).push(toxic.clone());
            }
        });
        result
    }

    /// Replaces the toxic of the same name, keeping its place.
    pub fn update_toxic(&self, toxic: Toxic) -> Result<(), ProxyError> {
        let mut result = Err(ProxyError::ToxicNotFound(toxic.name.clone()));
        self.inner.toxics.send_modify(|list| {
            if let Some(slot) = Arc::make_mut(list)
                .iter_mut()
                .find(|t| t.name == toxic.name)
            {
                *slot = toxic.clone();
                result = Ok(());
            }
        });
        result
    }

    /// Removes a toxic.
    pub fn remove_toxic(&self, name: &str) -> Result<(), ProxyError> {
        let was_http = self.http_mode();
        let result = self.remove_toxic_inner(name);
        self.after_change(was_http);
        result
    }

    fn remove_toxic_inner(&self, name: &str) -> Result<(), ProxyError> {
        let mut found = false;
        self.inner.toxics.send_modify(|list| {
            let before = list.len();
            Arc::make_mut(list).retain(|t| t.name != name);
            found = list.len() != before;
        });
        if found {
            Ok(())
        } else {
            Err(ProxyError::ToxicNotFound(name.to_string()))
        }
    }

    /// Removes every toxic.
    pub fn clear_toxics(&self) {
        let was_http = self.http_mode();
        self.inner.toxics.send_replace(Arc::new(Vec::new()));
        self.after_change(was_http);
    }

    /// Adds a toxic and returns a guard that removes it when dropped.
    pub fn with_toxic(&self, toxic: Toxic) -> Result<super::ToxicGuard, ProxyError> {
        let name = toxic.name.clone();
        self.add_toxic(toxic)?;
        Ok(super::ToxicGuard::new(self.clone(), name))
    }

    /// Points the proxy at another upstream (new connections only).
    pub fn set_upstream(&self, upstream: &str) {
        *lock(&self.inner.upstream) = upstream.to_string();
    }

    /// Stops accepting and closes every open connection (Toxiproxy's `enabled: false`).
    pub fn disable(&self) {
        self.inner.enabled.store(false, Ordering::SeqCst);
        if let Some(listener) = lock(&self.inner.listener).take() {
            let _ = listener.shutdown(std::net::Shutdown::Both);
        }
        self.inner.generation.send_modify(|g| *g += 1);
        self.inner.epoch.send_modify(|e| *e += 1);
    }

    /// Listens again on the same address.
    pub fn enable(&self) -> Result<(), ProxyError> {
        if self.enabled() {
            return Ok(());
        }
        self.listen_on(&self.listen_addr().to_string())
    }

    /// [`Proxy::enable`] for async callers: waits for a listener that is shutting down
    /// without blocking the runtime's thread.
    pub async fn enable_async(&self) -> Result<(), ProxyError> {
        if self.enabled() {
            return Ok(());
        }
        let addr = self.listen_addr().to_string();
        let deadline = std::time::Instant::now() + BIND_PATIENCE;
        loop {
            match bind(&addr) {
                Err(e) if in_use_until(&e, deadline) => tokio::time::sleep(BIND_RETRY).await,
                bound => return self.accept_on(&addr, bound),
            }
        }
    }

    /// Moves the listener (closing open connections).
    pub fn set_listen(&self, listen: &str) -> Result<(), ProxyError> {
        self.disable();
        self.listen_on(listen)
    }

    /// Stops the proxy for good.
    pub fn stop(&self) {
        self.disable();
    }

    /// Toxiproxy's JSON shape, with toxics.
    pub fn to_json(&self) -> Value {
        json!({
            "name": self.name(),
            "listen": self.listen_addr().to_string(),
            "upstream": self.upstream(),
            "enabled": self.enabled(),
            "toxics": self.toxics().iter().map(Toxic::to_json).collect::<Vec<_>>(),
        })
    }
}

/// How long re-binding waits for a listener that is shutting down (a disable followed at
/// once by an enable), and how often it tries.
const BIND_PATIENCE: Duration = Duration::from_secs(1);
const BIND_RETRY: Duration = Duration::from_millis(10);

/// Whether a failed bind is worth another try: the address is in use, and time is left.
fn in_use_until(e: &std::io::Error, deadline: std::time::Instant) -> bool {
    e.kind() == std::io::ErrorKind::AddrInUse && std::time::Instant::now() < deadline
}

/// Binds `addr`, retrying (blocking this thread) for up to [`BIND_PATIENCE`]; async callers
/// use [`Proxy::enable_async`].
fn bind_retrying(addr: &str) -> std::io::Result<std::net::TcpListener> {
    let deadline = std::time::Instant::now() + BIND_PATIENCE;
    loop {
        match bind(addr) {
            Err(e) if in_use_until(&e, deadline) => std::thread::sleep(BIND_RETRY),
            other => return other,
        }
    }
}

/// A listener with a backlog of 1,024 (the standard library's is 128): a thousand clients
/// connecting at once are queued, not made to retransmit their SYN a second later.
fn bind(addr: &str) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let addr = std::net::ToSocketAddrs::to_socket_addrs(addr)?
        .next()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "no address"))?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// Per-connection toxicity decisions: rolled once per toxic name, reproducibly.
struct Rolls {
    rng: StdRng,
    decided: Vec<(String, bool)>,
}

impl Rolls {
    fn new(seed: u64) -> Self {
        Rolls {
            rng: StdRng::seed_from_u64(seed ^ 0x5eed),
            decided: Vec::new(),
        }
    }

    fn roll(&mut self, t: &Toxic) -> bool {
        if t.toxicity >= 1.0 {
            return true;
        }
        if let Some((_, on)) = self.decided.iter().find(|(n, _)| n == &t.name) {
            return *on;
        }
        let on = self.rng.random::<f64>() < t.toxicity;
        self.decided.push((t.name.clone(), on));
        on
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

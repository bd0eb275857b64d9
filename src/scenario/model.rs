//! The scenario model: what a scenario file says, with every default filled in by serde.
//!
//! The field docs here are also the JSON Schema's descriptions (`scenarios/schema.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::duration::Dur;

/// A chaos experiment: a small system, faults on a timeline, and the checks that must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the experiment shows, e.g. "checkout survives a slow payments service".
    pub name: String,
    /// A longer explanation, shown by `shakedown list`.
    #[serde(default)]
    pub description: Option<String>,
    /// Seed for every random choice (targets, toxicity). A random seed is drawn and printed
    /// when absent, so that any run can be replayed with `--seed`.
    #[serde(default)]
    pub seed: Option<u64>,
    /// How long canaries run before the first fault's time 0 counts (a baseline). Default 1s.
    #[serde(default = "defaults::warmup")]
    pub warmup: Dur,
    /// How long canaries keep running after the last fault healed, before the final checks.
    /// Default 3s.
    #[serde(default = "defaults::settle")]
    pub settle: Dur,
    /// The services of the system under test, by name.
    pub services: BTreeMap<String, Service>,
    /// Connections between services routed through the fault proxy, by name.
    #[serde(default)]
    pub links: BTreeMap<String, Link>,
    /// Periodic probes whose results must meet their expectations over the whole run.
    #[serde(default)]
    pub canaries: Vec<Canary>,
    /// Checks that must hold before the first fault and again after the last one healed.
    #[serde(default)]
    pub steady_state: Vec<Check>,
    /// Conditions that must become true within a deadline after the faults healed.
    #[serde(default)]
    pub hypotheses: Vec<Hypothesis>,
    /// The faults, each with a start time (after the warm-up) and a duration.
    #[serde(default)]
    pub faults: Vec<Fault>,
}

/// One service: a local process (process backend) and/or a container image (docker backend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Program and arguments for the process backend; templates allowed (`{{ port }}`).
    /// Relative program paths are taken from the scenario's working directory.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Local image for the docker backend (never pulled).
    #[serde(default)]
    pub image: Option<String>,
    /// Arguments given to the image's entrypoint (docker backend); templates allowed.
    #[serde(default)]
    pub args: Option<Vec<String>>,
    /// The port the service listens on inside its container (docker backend). The process
    /// backend picks a free loopback port and passes it as `PORT` and `{{ port }}`.
    #[serde(default)]
    pub port: Option<u16>,
    /// Environment variables; templates allowed (`{{ link.orders-payments }}`).
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// How to tell the service is ready. Default: its port accepts TCP connections within 10s.
    #[serde(default)]
    pub ready: Ready,
    /// Services that must be ready before this one starts.
    #[serde(default)]
    pub depends_on: Vec<String>,
}

/// A readiness check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    /// HTTP path that must answer 2xx (e.g. "/health"); when absent, a TCP connect suffices.
    #[serde(default)]
    pub http: Option<String>,
    /// How long to wait. Default 10s.
    #[serde(default = "defaults::ready_within")]
    pub within: Dur,
}

impl Default for Ready {
    fn default() -> Self {
        Ready {
            http: None,
            within: defaults::ready_within(),
        }
    }
}

/// A connection from one service to another through the fault proxy. Point the client at
/// it with `{{ link.NAME }}` (an `http://host:port` URL) or `{{ link.NAME.addr }}` (`host:port`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Link {
    /// The client service.
    pub from: String,
    /// The server service.
    pub to: String,
}

/// An HTTP request made by a probe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HttpRequest {
    /// Method. Default GET.
    #[serde(default = "defaults::method")]
    pub method: String,
    /// URL; templates allowed (`{{ services.orders }}/health`).
    pub url: String,
    /// A JSON body (sets Content-Type: application/json).
    #[serde(default)]
    pub json: Option<Value>,
    /// A text body.
    #[serde(default)]
    pub body: Option<String>,
    /// Request headers.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// How long to wait for the answer; longer counts as a failure. Default 2s.
    #[serde(default = "defaults::request_timeout")]
    pub timeout: Dur,
}

/// What a probe's answers must look like.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    /// Status of a successful probe: "2xx", "200", "200-299". Default "2xx".
    #[serde(default)]
    pub status: Option<String>,
    /// A JSON pointer into the answer's body (e.g. "/shipped") whose value must equal `equals`.
    #[serde(default)]
    pub json: Option<String>,
    /// The value expected at `json`.
    #[serde(default)]
    pub equals: Option<Value>,
    /// Canaries: least share of successful probes over the run (0–1). Default 1.0 when no
    /// other expectation is given.
    #[serde(default)]
    pub success_rate: Option<f64>,
    /// Canaries: most tolerated median latency.
    #[serde(default)]
    pub p50: Option<Dur>,
    /// Canaries: most tolerated 95th-percentile latency.
    #[serde(default)]
    pub p95: Option<Dur>,
    /// Canaries: most tolerated 99th-percentile latency.
    #[serde(default)]
    pub p99: Option<Dur>,
    /// Canaries: most failed probes in a row.
    #[serde(default)]
    pub max_consecutive_failures: Option<u64>,
}

/// A canary: probed every `every` from the start of the warm-up to the end of the settle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    /// Shown in reports.
    pub name: String,
    /// An HTTP probe.
    #[serde(default)]
    pub http: Option<HttpRequest>,
    /// A contract-replay probe: replay this contract file's HTTP interactions against
    /// `provider` and match the answers.
    #[serde(default)]
    pub contract: Option<PathBuf>,
    /// The service a contract is replayed against.
    #[serde(default)]
    pub provider: Option<String>,
    /// Provider-state URL for contract replay (`{{ services.orders }}/_pact/state`); without
    /// it, provider states are ignored.
    #[serde(default)]
    pub states: Option<String>,
    /// Probe interval. Default 200ms.
    #[serde(default = "defaults::every")]
    pub every: Dur,
    /// What the probes must show.
    #[serde(default)]
    pub expect: Expect,
}

/// A steady-state check, retried until it holds or `within` passes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// Shown in reports.
    pub name: String,
    /// The request.
    pub http: HttpRequest,
    /// Status and body expectations.
    #[serde(default)]
    pub expect: Expect,
    /// How long it may take to hold. Default 5s.
    #[serde(default = "defaults::check_within")]
    pub within: Dur,
}

/// A value read from an HTTP answer: the JSON at a pointer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reading {
    /// The request.
    pub http: HttpRequest,
    /// JSON pointer into the body, e.g. "/placed".
    pub json: String,
}

/// A condition that must become true within `within` after the last fault healed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Hypothesis {
    /// Shown in reports.
    pub name: String,
    /// The probe, retried until it meets `expect` (and `same_as`).
    pub http: HttpRequest,
    /// What the answer must show.
    #[serde(default)]
    pub expect: Expect,
    /// The value at `expect.json` must equal this reading (e.g. shipped == placed).
    #[serde(default)]
    pub same_as: Option<Reading>,
    /// Deadline, counted from the moment the last fault healed. Default 10s.
    #[serde(default = "defaults::eventually_within")]
    pub within: Dur,
}

/// The kinds of faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Delay on a link (`latency`, optional `jitter`).
    Latency,
    /// Random delay on a link: `jitter` around `latency` (default 0).
    Jitter,
    /// Throughput limit on a link (`rate`, KB/s).
    Bandwidth,
    /// Connections on a link are reset (TCP RST).
    Reset,
    /// A link stops delivering data and never closes (a black hole).
    Timeout,
    /// HTTP requests on a link answered with `status`/`body`, aborted, or delayed.
    Http,
    /// Kill a service (SIGKILL / docker kill); restarted after `restart_after` or `duration`.
    Crash,
    /// Freeze a service (SIGSTOP / docker pause) and resume it after `duration`.
    Pause,
    /// Cut the network between two groups of services (`between`), one way or both.
    Partition,
}

impl FaultKind {
    /// The name scenario files use (`latency`, `http` …).
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::Latency => "latency",
            FaultKind::Jitter => "jitter",
            FaultKind::Bandwidth => "bandwidth",
            FaultKind::Reset => "reset",
            FaultKind::Timeout => "timeout",
            FaultKind::Http => "http",
            FaultKind::Crash => "crash",
            FaultKind::Pause => "pause",
            FaultKind::Partition => "partition",
        }
    }
}

/// Which direction of a link a fault affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Client to server.
    Upstream,
    /// Server to client.
    Downstream,
    /// Both (the default).
    #[default]
    Both,
}

/// One name, or a list to pick one from with the scenario's seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Target {
    /// This one.
    One(String),
    /// One of these, chosen at random with the seed.
    AnyOf(Vec<String>),
}

impl Target {
    /// Every name this target may resolve to.
    pub fn names(&self) -> &[String] {
        match self {
            Target::One(s) => std::slice::from_ref(s),
            Target::AnyOf(v) => v,
        }
    }
}

/// A fault on the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// What happens.
    pub kind: FaultKind,
    /// Shown in reports; default `KIND-N`.
    #[serde(default)]
    pub name: Option<String>,
    /// The link hit by latency, jitter, bandwidth, reset, timeout and http faults.
    #[serde(default)]
    pub link: Option<Target>,
    /// The service hit by crash and pause faults.
    #[serde(default)]
    pub service: Option<Target>,
    /// Partition: two groups of services, e.g. `[["orders"], ["payments", "nats"]]`.
    #[serde(default)]
    pub between: Option<Vec<Vec<String>>>,
    /// Partition: cut only traffic from the first group to the second.
    #[serde(default)]
    pub one_way: bool,
    /// When it starts, after the warm-up.
    pub start: Dur,
    /// How long it lasts; default: until the end of the last other fault (at least 5s).
    #[serde(default)]
    pub duration: Option<Dur>,
    /// Latency and jitter faults: the added delay.
    #[serde(default)]
    pub latency: Option<Dur>,
    /// Latency and jitter faults: random variation (±).
    #[serde(default)]
    pub jitter: Option<Dur>,
    /// Bandwidth fault: KB/s.
    #[serde(default)]
    pub rate: Option<u64>,
    /// Link faults: which direction. Default both.
    #[serde(default)]
    pub direction: Direction,
    /// Link faults: share of connections (http: of matching requests) hit, 0–1. Default 1.
    #[serde(default)]
    pub toxicity: Option<f64>,
    /// HTTP fault: only this method.
    #[serde(default)]
    pub method: Option<String>,
    /// HTTP fault: only paths matching this regex.
    #[serde(default)]
    pub path: Option<String>,
    /// HTTP fault: answer with this status …
    #[serde(default)]
    pub status: Option<u16>,
    /// … and this body.
    #[serde(default)]
    pub body: Option<String>,
    /// HTTP fault: close the connection without answering.
    #[serde(default)]
    pub abort: bool,
    /// HTTP fault: forward after this delay.
    #[serde(default)]
    pub delay: Option<Dur>,
    /// Crash: restart this long after the kill (same as `duration`).
    #[serde(default)]
    pub restart_after: Option<Dur>,
    /// Crash: never restart before the end of the run.
    #[serde(default)]
    pub no_restart: bool,
}

mod defaults {
    use super::Dur;

    pub fn warmup() -> Dur {
        Dur::secs(1)
    }
    pub fn settle() -> Dur {
        Dur::secs(3)
    }
    pub fn ready_within() -> Dur {
        Dur::secs(10)
    }
    pub fn method() -> String {
        "GET".into()
    }
    pub fn request_timeout() -> Dur {
        Dur::secs(2)
    }
    pub fn every() -> Dur {
        Dur::ms(200)
    }
    pub fn check_within() -> Dur {
        Dur::secs(5)
    }
    pub fn eventually_within() -> Dur {
        Dur::secs(10)
    }
}

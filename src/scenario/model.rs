//! The scenario model: what a scenario file says, with every default filled in by serde.
//!
//! The field docs here are also the JSON Schema's descriptions (`scenarios/schema.json`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::cron::Cron;
use super::duration::Dur;
use super::pattern::Pattern;
use crate::chaos::HttpAction;

/// How long a fault without `duration` lasts.
pub const DEFAULT_DURATION: std::time::Duration = std::time::Duration::from_secs(5);

/// Where a scenario's shared system is described.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(
    untagged,
    expecting = "a system file's path, a list of paths, or { compose = \"PATH\" }"
)]
pub enum SystemRef {
    /// One system file (`system = "systems/shop.toml"`).
    File(PathBuf),
    /// Several system files, read in order (`system = ["a.toml", "b.toml"]`).
    Files(Vec<PathBuf>),
    /// A Docker Compose file (`system = { compose = "docker-compose.yml" }`).
    Compose {
        /// The Compose file.
        compose: PathBuf,
    },
}

/// A system file: the services, links and steady-state checks several scenarios share.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemFile {
    /// Other system files this one includes (relative paths from this file's folder, or
    /// from `root`).
    #[serde(default)]
    pub system: Option<SystemRef>,
    /// The folder this file's relative paths resolve from, itself relative to the file's
    /// folder. Default: the file's folder. Its services run in it.
    #[serde(default)]
    pub root: Option<PathBuf>,
    /// The services of the system, by name.
    #[serde(default)]
    pub services: BTreeMap<String, Service>,
    /// Connections between services routed through the fault proxy, by name.
    #[serde(default)]
    pub links: BTreeMap<String, Link>,
    /// Checks that must hold before the first fault and again after the last one healed.
    #[serde(default)]
    pub steady_state: Vec<Check>,
}

/// A chaos experiment: a small system, faults on a timeline, and the checks that must hold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// What the experiment shows, e.g. "checkout survives a slow payments service".
    pub name: String,
    /// A longer explanation, shown by `shakedown list`.
    #[serde(default)]
    pub description: Option<String>,
    /// Shared system files whose services, links and steady-state checks this scenario
    /// uses: one path, a list of paths, or `{ compose = "PATH" }` (relative paths from this
    /// file's folder, or from `root`). The scenario adds its own parts to theirs.
    #[serde(default)]
    pub system: Option<SystemRef>,
    /// The folder this file's relative paths resolve from (service programs, contracts,
    /// system files), itself relative to the file's folder. Default: the file's folder.
    /// Services defined here run in it.
    #[serde(default)]
    pub root: Option<PathBuf>,
    /// What the loader read but did not take (a Compose key it does not import, a link whose
    /// client bypasses the proxy), located in the file that holds it; never in the file.
    #[serde(skip)]
    #[schemars(skip)]
    pub warnings: Vec<super::load::Problem>,
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
    /// The services of the system under test, by name (with those of the system files).
    #[serde(default)]
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
    /// The faults, each with a start time (after the warm-up) and a duration (default 5s).
    #[serde(default)]
    pub faults: Vec<Fault>,
    /// Guardrails: conditions that stop the experiment at once when they trip (every fault
    /// healed, the run marked `aborted`, exit 1).
    #[serde(default)]
    pub abort: Vec<Abort>,
    /// The longest the whole run may take, from its start (services included); past it the
    /// run is aborted like a tripped `[[abort]]`. Default: no limit.
    #[serde(default)]
    pub max_duration: Option<Dur>,
    /// When to repeat the experiment on a cluster, as a cron expression (five fields, e.g.
    /// "0 3 * * 1-5") or a form Chaos Mesh accepts ("@hourly", "@every 30m"). Only
    /// `shakedown export --format chaos-mesh` uses it (a `Schedule` wraps the `Workflow`);
    /// the local engine ignores it and runs the scenario once.
    #[serde(default)]
    pub schedule: Option<Cron>,
}

/// One service: a local process (process backend) and/or a container image (docker backend).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Program and arguments for the process backend; templates allowed (`{{ port }}`).
    /// A program with a `/` is a path: a relative one is taken from the folder of the file
    /// that defines the service (or its `root`), which is also where the process runs. A
    /// bare name is looked up on `PATH`.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Where its relative program resolves and where its process runs: the root of the file
    /// that defines it (set when the file is read; empty: the current directory).
    #[serde(skip)]
    #[schemars(skip)]
    pub dir: PathBuf,
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
    /// How the service's pods are found on Kubernetes (`shakedown export --format
    /// chaos-mesh`). When absent: namespace `default` and labels `app = <service name>`.
    #[serde(default)]
    pub kubernetes: Option<Kubernetes>,
}

/// A service's pods on Kubernetes: the label selector Chaos Mesh resources use.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    /// The namespace of the pods. When absent, selectors name no namespace (Chaos Mesh then
    /// looks in the namespace the workflow is created in, `default` unless told otherwise),
    /// and URLs use `default` (`http://NAME.default.svc:PORT`).
    #[serde(default)]
    pub namespace: Option<String>,
    /// Labels every pod of the service has. Default `app = <service name>`.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// This service stands for every destination, not for pods: a link to it becomes a
    /// NetworkChaos without a `target` (all the traffic of the client's pods). `shakedown
    /// import` sets it for chaos without a target. Default false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub anywhere: bool,
}

/// A readiness check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ready {
    /// HTTP path that must answer 2xx (e.g. "/health"); when absent, a TCP connect suffices.
    #[serde(default)]
    pub http: Option<String>,
    /// Docker backend: a check Docker runs inside the container, as a Compose healthcheck
    /// does; ready once Docker says the container is healthy (instead of `http` or a TCP
    /// connect). The process backend ignores it.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
    /// How long to wait. Default 10s.
    #[serde(default = "defaults::ready_within")]
    pub within: Dur,
}

impl Default for Ready {
    fn default() -> Self {
        Ready {
            http: None,
            healthcheck: None,
            within: defaults::ready_within(),
        }
    }
}

/// A container healthcheck (Docker's HEALTHCHECK, Compose's `healthcheck`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Healthcheck {
    /// What Docker runs, as in Compose: `["CMD", "pg_isready"]` (a program and its
    /// arguments) or `["CMD-SHELL", "redis-cli ping"]` (a line for the image's shell).
    pub test: Vec<String>,
    /// Time between two checks (Docker runs the first one after it). Default 1s.
    #[serde(default = "defaults::health_interval")]
    pub interval: Dur,
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
    /// Prometheus probes: least value every sample of the query's result may have.
    #[serde(default)]
    pub min: Option<f64>,
    /// Prometheus probes: most value every sample of the query's result may have. Without
    /// `min` or `max`, a Prometheus probe holds when its result is non-empty (PromQL's
    /// comparisons filter: `rate(errors_total[30s]) < 0.1`).
    #[serde(default)]
    pub max: Option<f64>,
    /// Canaries: what the probes scheduled inside any fault window must show
    /// (`during_faults = { success_rate = 0.9 }`).
    #[serde(default)]
    pub during_faults: Option<WindowExpect>,
    /// Canaries: what the probes scheduled outside every fault window must show.
    #[serde(default)]
    pub steady: Option<WindowExpect>,
}

/// What a canary's probes must show over part of the run (during the faults, or outside
/// them). Only the figures given are judged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowExpect {
    /// Least share of successful probes (0–1).
    #[serde(default)]
    pub success_rate: Option<f64>,
    /// Most tolerated median latency.
    #[serde(default)]
    pub p50: Option<Dur>,
    /// Most tolerated 95th-percentile latency.
    #[serde(default)]
    pub p95: Option<Dur>,
    /// Most tolerated 99th-percentile latency.
    #[serde(default)]
    pub p99: Option<Dur>,
    /// Most failed probes in a row.
    #[serde(default)]
    pub max_consecutive_failures: Option<u64>,
}

/// A PromQL query, evaluated at the moment of the probe through the Prometheus HTTP API
/// (`GET URL/api/v1/query`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PromQuery {
    /// The Prometheus server's base URL; templates allowed
    /// (`{{ env.PROMETHEUS_URL | default: "http://127.0.0.1:9090" }}`).
    pub url: String,
    /// The PromQL expression; templates allowed (`{{ run_id }}` for the run's
    /// `shakedown_run` label). A vector or a scalar: every sample is judged by `expect`'s
    /// `min`/`max`.
    pub query: String,
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
    /// `provider` and match the answers. A relative path is taken from the scenario file's
    /// folder (or its `root`); the file must exist.
    #[serde(default)]
    pub contract: Option<PathBuf>,
    /// A Prometheus probe: the query's result is judged by `expect.min`/`expect.max` (or
    /// must be non-empty).
    #[serde(default)]
    pub prometheus: Option<PromQuery>,
    /// The service a contract is replayed against.
    #[serde(default)]
    pub provider: Option<String>,
    /// Provider-state URL for contract replay (`{{ services.orders }}/_pact/state`); without
    /// it, provider states are ignored.
    #[serde(default)]
    pub states: Option<String>,
    /// Probe interval. Default 200ms. Probes start on a fixed schedule (the start plus a
    /// multiple of `every`), however long earlier ones take; latency counts from the
    /// scheduled start.
    #[serde(default = "defaults::every")]
    pub every: Dur,
    /// Most probes of this canary in flight at once; a probe due while that many are in
    /// flight is not sent and counts as failed (`missed`). Default: enough for every probe
    /// to run to its timeout, ⌈timeout / every⌉ + 1 (at most 1024).
    #[serde(default)]
    pub concurrency: Option<usize>,
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
    /// The request (exactly one of `http` or `prometheus`).
    #[serde(default)]
    pub http: Option<HttpRequest>,
    /// A PromQL query instead of a request (exactly one of `http` or `prometheus`).
    #[serde(default)]
    pub prometheus: Option<PromQuery>,
    /// Status and body expectations (`min`/`max` for a Prometheus query).
    #[serde(default)]
    pub expect: Expect,
    /// How long it may take to hold. Default 5s.
    #[serde(default = "defaults::check_within")]
    pub within: Dur,
}

/// A guardrail: a condition on a canary's recent probes or on a steady-state check polled
/// during the run that, when it trips, aborts the experiment (every fault healed, the run
/// marked `aborted`, exit 1). Give exactly one of `canary`, `steady_state` or `prometheus`,
/// and at least one threshold of that source. A window is judged once it holds at least
/// min(5, over ÷ every) results (and at least 2); a `prometheus` condition trips when every
/// poll of the last `over` (at least one) saw a value beyond its threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Abort {
    /// Shown when it trips. Default "abort-N" (N counts from 1).
    #[serde(default)]
    pub name: Option<String>,
    /// The canary whose probes are watched: those scheduled within the last `over`.
    #[serde(default)]
    pub canary: Option<String>,
    /// The steady-state check polled every `every` while the faults run.
    #[serde(default)]
    pub steady_state: Option<String>,
    /// Trips when the share of successful results in the window falls below this (0–1).
    #[serde(default)]
    pub success_rate_below: Option<f64>,
    /// Canaries only: trips when the window's 99th-percentile latency exceeds this.
    #[serde(default)]
    pub p99_above: Option<Dur>,
    /// A PromQL query polled every `every` (put the metric's own window in the query, e.g.
    /// `rate(http_requests_total{status=~"5.."}[10s])`). An unreachable server or an empty
    /// result never trips.
    #[serde(default)]
    pub prometheus: Option<PromQuery>,
    /// Prometheus only: trips when a sample's value is above this on every poll of `over`.
    #[serde(default)]
    pub value_above: Option<f64>,
    /// Prometheus only: trips when a sample's value is below this on every poll of `over`.
    #[serde(default)]
    pub value_below: Option<f64>,
    /// The window: the results of the last `over`. Default 5s.
    #[serde(default = "defaults::abort_over")]
    pub over: Dur,
    /// Steady-state checks and Prometheus queries: how often they are polled. Default 1s.
    #[serde(default = "defaults::abort_every")]
    pub every: Dur,
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
    /// The probe, retried until it meets `expect` (and `same_as`); exactly one of `http`
    /// or `prometheus`.
    #[serde(default)]
    pub http: Option<HttpRequest>,
    /// A PromQL query, retried until its result meets `expect.min`/`expect.max` (or is
    /// non-empty); exactly one of `http` or `prometheus`.
    #[serde(default)]
    pub prometheus: Option<PromQuery>,
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

/// A fault on the timeline: when it starts, how long it lasts, and what it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("unevaluatedProperties" = false))]
pub struct Fault {
    /// Shown in reports; default `KIND-N`.
    #[serde(default)]
    pub name: Option<String>,
    /// When it starts, after the warm-up.
    pub start: Dur,
    /// How long it lasts. Default 5s.
    #[serde(default = "defaults::fault_duration")]
    pub duration: Dur,
    // Not `deny_unknown_fields` on `Fault`: serde's `flatten` would take every unknown field
    // into `effect`, where each kind's fields deny the ones they do not know.
    /// What it does.
    #[serde(flatten)]
    pub effect: Effect,
}

impl Fault {
    /// Its kind.
    pub fn kind(&self) -> FaultKind {
        self.effect.kind()
    }
}

/// What a fault does, by `kind`; each kind takes exactly its own fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Delay on a link (`latency`, optional `jitter`).
    Latency(LatencyFault),
    /// Random delay on a link: `jitter` around `latency` (default 0).
    Jitter(JitterFault),
    /// Throughput limit on a link (`rate`, KB/s).
    Bandwidth(BandwidthFault),
    /// Connections on a link are reset (TCP RST).
    Reset(LinkFault),
    /// A link stops delivering data and never closes (a black hole).
    Timeout(LinkFault),
    /// HTTP requests on a link answered with `status`/`body`, aborted, or delayed.
    Http(HttpFault),
    /// Kill a service (SIGKILL / docker kill); restarted after `restart_after` or `duration`.
    Crash(CrashFault),
    /// Freeze a service (SIGSTOP / docker pause) and resume it after `duration`.
    Pause(PauseFault),
    /// Cut the network between two groups of services (`between`), one way or both.
    Partition(PartitionFault),
    /// One interaction of the contract between a link's services at a time, the requests
    /// matching it answered with `status`, aborted, or delayed, for `each`.
    #[serde(rename = "contract-sweep")]
    ContractSweep(ContractSweepFault),
}

impl Effect {
    /// Its kind.
    pub fn kind(&self) -> FaultKind {
        match self {
            Effect::Latency(_) => FaultKind::Latency,
            Effect::Jitter(_) => FaultKind::Jitter,
            Effect::Bandwidth(_) => FaultKind::Bandwidth,
            Effect::Reset(_) => FaultKind::Reset,
            Effect::Timeout(_) => FaultKind::Timeout,
            Effect::Http(_) => FaultKind::Http,
            Effect::Crash(_) => FaultKind::Crash,
            Effect::Pause(_) => FaultKind::Pause,
            Effect::Partition(_) => FaultKind::Partition,
            Effect::ContractSweep(_) => FaultKind::ContractSweep,
        }
    }
}

/// The kinds of faults, without their fields (for reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// See [`Effect::Latency`].
    Latency,
    /// See [`Effect::Jitter`].
    Jitter,
    /// See [`Effect::Bandwidth`].
    Bandwidth,
    /// See [`Effect::Reset`].
    Reset,
    /// See [`Effect::Timeout`].
    Timeout,
    /// See [`Effect::Http`].
    Http,
    /// See [`Effect::Crash`].
    Crash,
    /// See [`Effect::Pause`].
    Pause,
    /// See [`Effect::Partition`].
    Partition,
    /// See [`Effect::ContractSweep`].
    ContractSweep,
}

impl FaultKind {
    /// The name scenario files use (`latency`, `http` …): the only place that spells them
    /// besides serde's `rename_all` on [`Effect`] (a test keeps the two equal).
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
            FaultKind::ContractSweep => "contract-sweep",
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

/// A latency fault: `latency` added to what crosses the link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LatencyFault {
    /// The link hit.
    pub link: Target,
    /// The added delay.
    pub latency: Dur,
    /// Random variation (±). Default 0.
    #[serde(default)]
    pub jitter: Option<Dur>,
    /// Which direction. Default both.
    #[serde(default)]
    pub direction: Direction,
    /// Share of connections hit, 0–1. Default 1.
    #[serde(default)]
    pub toxicity: Option<f64>,
}

/// A jitter fault: a random delay of ±`jitter` around `latency`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JitterFault {
    /// The link hit.
    pub link: Target,
    /// The random variation (±).
    pub jitter: Dur,
    /// The delay it varies around. Default 0.
    #[serde(default)]
    pub latency: Option<Dur>,
    /// Which direction. Default both.
    #[serde(default)]
    pub direction: Direction,
    /// Share of connections hit, 0–1. Default 1.
    #[serde(default)]
    pub toxicity: Option<f64>,
}

/// A bandwidth fault: the link carries at most `rate` KB/s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BandwidthFault {
    /// The link hit.
    pub link: Target,
    /// KB/s.
    pub rate: u64,
    /// Which direction. Default both.
    #[serde(default)]
    pub direction: Direction,
    /// Share of connections hit, 0–1. Default 1.
    #[serde(default)]
    pub toxicity: Option<f64>,
}

/// A reset or timeout fault: a link and nothing more.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkFault {
    /// The link hit.
    pub link: Target,
    /// Which direction. Default both.
    #[serde(default)]
    pub direction: Direction,
    /// Share of connections hit, 0–1. Default 1.
    #[serde(default)]
    pub toxicity: Option<f64>,
}

/// An HTTP fault: matching requests on a link are answered, aborted or delayed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "http_form::HttpForm", into = "http_form::HttpForm")]
pub struct HttpFault {
    /// The link hit.
    pub link: Target,
    /// Share of matching requests hit, 0–1. Default 1.
    pub toxicity: Option<f64>,
    /// Only this method.
    pub method: Option<String>,
    /// Only paths matching this regex.
    pub path: Option<Pattern>,
    /// What happens to a request hit (the fault proxy's own action).
    pub action: HttpAction,
}

/// A contract sweep: the contract between a link's two services (consumer = `from`,
/// provider = `to`), one interaction at a time, each for `each`: the requests on the link
/// that match the interaction (Pact request matching) get the HTTP fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "sweep_form::SweepForm", into = "sweep_form::SweepForm")]
pub struct ContractSweepFault {
    /// The link swept.
    pub link: String,
    /// The contract file (default `<root>/contracts/<from>-<to>.json`); resolved when loaded.
    pub contract: Option<PathBuf>,
    /// How long each interaction's requests are hit. The fault lasts `each` × interactions.
    pub each: Dur,
    /// Share of matching requests hit, 0–1. Default 1.
    pub toxicity: Option<f64>,
    /// What happens to a request hit.
    pub action: HttpAction,
    /// The contract's HTTP interactions, in contract order: read when the scenario is loaded.
    pub interactions: Vec<super::contract_sweep::SweptInteraction>,
}

/// A crash fault: a service killed, and restarted when the fault heals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CrashFault {
    /// The service hit.
    pub service: Target,
    /// Restart this long after the kill (same as `duration`).
    #[serde(default)]
    pub restart_after: Option<Dur>,
    /// Never restart before the end of the run.
    #[serde(default)]
    pub no_restart: bool,
}

/// A pause fault: a service frozen, and thawed when the fault heals.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PauseFault {
    /// The service hit.
    pub service: Target,
}

/// A partition: the network cut between two groups of services.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PartitionFault {
    /// Two groups of services, e.g. `[["orders"], ["payments", "nats"]]`.
    #[serde(deserialize_with = "two_groups")]
    pub between: [Vec<String>; 2],
    /// Cut only traffic from the first group to the second.
    #[serde(default)]
    pub one_way: bool,
}

fn two_groups<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[Vec<String>; 2], D::Error> {
    let groups = Vec::<Vec<String>>::deserialize(d)?;
    let n = groups.len();
    groups.try_into().map_err(|_| {
        serde::de::Error::custom(format!(
            "`between` takes two groups of services, not {n}, e.g. [[\"a\"], [\"b\", \"c\"]]"
        ))
    })
}

/// How an HTTP fault is written: its action as fields, exactly one given.
mod http_form {
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::{Dur, HttpAction, HttpFault, Pattern, Target};

    /// An HTTP fault: matching requests on a link are answered, aborted or delayed.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(extend("oneOf" = [
        { "required": ["status"] },
        { "required": ["abort"], "properties": { "abort": { "const": true } } },
        { "required": ["delay"] }
    ], "dependentRequired" = { "body": ["status"] }))]
    pub struct HttpForm {
        /// The link hit.
        link: Target,
        /// Share of matching requests hit, 0–1. Default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        toxicity: Option<f64>,
        /// Only this method.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        method: Option<String>,
        /// Only paths matching this regex.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<Pattern>,
        /// Answer with this status (100 to 599) … (one of `status`, `abort` or `delay`)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 100, max = 599))]
        status: Option<u16>,
        /// … and this body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// Close the connection without answering.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        abort: bool,
        /// Forward after this delay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay: Option<Dur>,
    }

    /// The action written as `status` (and `body`), `abort = true` or `delay`.
    pub(super) fn action(
        status: Option<u16>,
        abort: bool,
        delay: Option<Dur>,
        body: Option<String>,
    ) -> Result<HttpAction, &'static str> {
        Ok(match (status, abort, delay, body) {
            (Some(status), false, None, body) => HttpAction::Respond {
                status,
                body: body.unwrap_or_default(),
            },
            (None, true, None, None) => HttpAction::Abort,
            (None, false, Some(d), None) => HttpAction::Delay(d.into()),
            (None, _, _, Some(_)) => return Err("`body` goes with `status`"),
            _ => return Err("give exactly one of `status`, `abort = true` or `delay`"),
        })
    }

    /// The action as its fields: `(status, body, abort, delay)`.
    pub(super) type Fields = (Option<u16>, Option<String>, bool, Option<Dur>);

    /// [`action`] backwards.
    pub(super) fn fields(action: HttpAction) -> Fields {
        match action {
            HttpAction::Respond { status, body } => (Some(status), Some(body), false, None),
            HttpAction::Abort => (None, None, true, None),
            HttpAction::Delay(d) => (None, None, false, Some(Dur(d))),
        }
    }

    impl TryFrom<HttpForm> for HttpFault {
        type Error = &'static str;

        fn try_from(f: HttpForm) -> Result<Self, Self::Error> {
            let action = action(f.status, f.abort, f.delay, f.body)?;
            Ok(HttpFault {
                link: f.link,
                toxicity: f.toxicity,
                method: f.method,
                path: f.path,
                action,
            })
        }
    }

    impl From<HttpFault> for HttpForm {
        fn from(h: HttpFault) -> Self {
            let (status, body, abort, delay) = fields(h.action);
            HttpForm {
                link: h.link,
                toxicity: h.toxicity,
                method: h.method,
                path: h.path,
                status,
                body,
                abort,
                delay,
            }
        }
    }
}

/// How a contract sweep is written: its HTTP fault's action as fields, exactly one given.
mod sweep_form {
    use std::path::PathBuf;

    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::http_form::{action, fields};
    use super::{ContractSweepFault, Dur};

    /// A contract sweep: one interaction of the link's contract at a time, the requests
    /// matching it answered with `status`, aborted, or delayed, for `each`.
    #[derive(Serialize, Deserialize, JsonSchema)]
    #[serde(deny_unknown_fields)]
    #[schemars(extend("oneOf" = [
        { "required": ["status"] },
        { "required": ["abort"], "properties": { "abort": { "const": true } } },
        { "required": ["delay"] }
    ], "dependentRequired" = { "body": ["status"] }))]
    pub struct SweepForm {
        /// The link swept: its `from` service is the contract's consumer, `to` its provider.
        link: String,
        /// The contract file (default `<root>/contracts/<from>-<to>.json`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contract: Option<PathBuf>,
        /// How long each interaction's requests are hit (default 3s); the fault lasts
        /// `each` × the contract's HTTP interactions, and `duration` is not used.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        each: Option<Dur>,
        /// Share of matching requests hit, 0–1. Default 1.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        toxicity: Option<f64>,
        /// Answer with this status (100 to 599) … (one of `status`, `abort` or `delay`)
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[schemars(range(min = 100, max = 599))]
        status: Option<u16>,
        /// … and this body.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        body: Option<String>,
        /// Close the connection without answering.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        abort: bool,
        /// Forward after this delay.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        delay: Option<Dur>,
    }

    impl TryFrom<SweepForm> for ContractSweepFault {
        type Error = &'static str;

        fn try_from(f: SweepForm) -> Result<Self, Self::Error> {
            Ok(ContractSweepFault {
                action: action(f.status, f.abort, f.delay, f.body)?,
                link: f.link,
                contract: f.contract,
                each: f.each.unwrap_or(Dur::secs(3)),
                toxicity: f.toxicity,
                interactions: Vec::new(),
            })
        }
    }

    impl From<ContractSweepFault> for SweepForm {
        fn from(c: ContractSweepFault) -> Self {
            let (status, body, abort, delay) = fields(c.action);
            SweepForm {
                link: c.link,
                contract: c.contract,
                each: Some(c.each),
                toxicity: c.toxicity,
                status,
                body,
                abort,
                delay,
            }
        }
    }
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
    pub fn health_interval() -> Dur {
        Dur::secs(1)
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
    pub fn abort_over() -> Dur {
        Dur::secs(5)
    }
    pub fn abort_every() -> Dur {
        Dur::secs(1)
    }
    pub fn check_within() -> Dur {
        Dur::secs(5)
    }
    pub fn eventually_within() -> Dur {
        Dur::secs(10)
    }
    pub fn fault_duration() -> Dur {
        Dur(super::DEFAULT_DURATION)
    }
}

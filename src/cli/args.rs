//! Raw command-line arguments, as clap parses them.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Contract tests and chaos experiments for microservices.
///
/// Exit codes: 0 when everything checked out, 1 when a check failed (a broken contract),
/// 2 for usage errors and environment problems (unreadable files, bad flags).
#[derive(Debug, Parser)]
#[command(name = "shakedown", version, about, long_about)]
pub struct Cli {
    /// When to colour output: `auto` colours only a terminal, and not when NO_COLOR is set
    /// (CLICOLOR_FORCE forces it).
    #[arg(
        long,
        global = true,
        value_enum,
        default_value = "auto",
        value_name = "WHEN"
    )]
    pub color: ColorArg,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// When output is coloured (`--color`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    /// On a terminal, unless NO_COLOR is set (CLICOLOR_FORCE colours anywhere).
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// How a command prints its result (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FormatArg {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON document on standard output, of the shape docs/json-output.md describes.
    Json,
}

/// The `--format` flag of every command that prints a result.
#[derive(Debug, Clone, Copy, clap::Args)]
pub struct FormatArgs {
    /// Print the result as text, or as JSON on standard output (shapes: docs/json-output.md).
    #[arg(long, value_enum, default_value = "text")]
    pub format: FormatArg,
}

impl FormatArgs {
    /// Whether the result is printed as JSON.
    pub fn json(self) -> bool {
        self.format == FormatArg::Json
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Work with contract (Pact) files.
    #[command(subcommand)]
    Contract(ContractCommand),

    /// Serve contract files as a stub HTTP provider until Ctrl-C.
    ///
    /// Each request is answered by the first HTTP interaction whose request it matches (with
    /// generators applied); a request that matches none gets a 500 whose JSON body names the
    /// closest interaction and every mismatch, and is logged. Select a provider state for all
    /// requests with --state, or per request with the `X-Provider-State` header.
    /// Exit code 0 after a clean shutdown, 2 when a file cannot be read or the port bound.
    Mock(MockArgs),

    /// Verify a provider against its consumers' contracts.
    ///
    /// Replays every interaction (HTTP requests against --base-url; messages from
    /// --messages-url) after setting up its provider states through --state-url, and matches
    /// the answers with the contract's rules. Pending interactions (marked pending, or whose
    /// contract this provider has never verified successfully, when a results store is used)
    /// are reported but do not fail unless --strict.
    /// With --broker-url, the contracts are the pacts the Pact Broker selects for the provider
    /// (--selector/--consumer-version-selectors, --provider-branch, --enable-pending,
    /// --include-wip-pacts-since): each is verified, pending and WIP pacts as the broker says
    /// (their failures do not fail the run), and with --publish one result per pact is
    /// published to its `pb:publish-verification-results` link.
    /// Exit code 0 when every interaction that counts passed, 1 when a contract is broken, 2
    /// for usage errors, unreadable contracts or an unreachable provider.
    Verify(Box<VerifyArgs>),

    /// Record which contract a consumer version publishes (for can-i-deploy).
    ///
    /// With --broker-url (or PACT_BROKER_BASE_URL), publishes the contract files to that Pact
    /// Broker (its `pb:publish-contracts` relation) with the version's branch, tags and build
    /// URL, and prints the broker's notices; otherwise records them in the local results store.
    /// Exit code 0 published, 2 for unreadable files or a broker error (401/403, 404, 409
    /// conflicting content, 5xx after retries, unreachable, not a broker).
    Publish(PublishArgs),

    /// Answer whether a version of an application can be deployed (to an environment).
    ///
    /// Decides from the results store: contracts published, verification results recorded
    /// with `verify --record`, and deployments recorded with `record-deployment`. With
    /// --broker-url, asks that Pact Broker instead and prints its answer, reasons and notices
    /// (--retry-while-unknown asks again while verification results are missing).
    /// Exit code 0 yes, 1 no, 2 usage error, unreadable store or broker error.
    CanIDeploy(CanIDeployArgs),

    /// Record that a version of an application now runs in an environment.
    ///
    /// With --broker-url, records the deployment at that Pact Broker, through the version's
    /// `pb:record-deployment` link for the environment (by name).
    RecordDeployment(DeploymentArgs),

    /// Record that a version of an application is released (and supported) in an
    /// environment, at a Pact Broker (needs --broker-url).
    RecordRelease(ReleaseArgs),

    /// Record that an application no longer runs in an environment, at a Pact Broker (needs
    /// --broker-url): its currently deployed versions there (this --version only, if given)
    /// are marked as no longer deployed.
    RecordUndeployment(UndeploymentArgs),

    /// Serve a Pact Broker (its HAL API) over a local SQLite store until Ctrl-C.
    ///
    /// Every Pact client works against it unchanged: `pact broker publish`, `pact verifier
    /// --broker-url`, `pact broker can-i-deploy`, environments and `record-deployment`, and
    /// shakedown's own `--broker-url` commands. It serves the index (`GET /`, HAL `_links`),
    /// publish contracts, pacts (latest, by version, tag, branch), pacts for verification
    /// (consumer version selectors, pending), verification results, the matrix and
    /// can-i-deploy (decided by the same rules as the local `can-i-deploy`), pacticipants,
    /// versions, branches, tags, environments, deployed and released versions, and webhooks
    /// (stored, never run). The store is `DIR/broker.sqlite` (SQLite in WAL mode, one
    /// transaction per write: safe with many writers and after a crash). Binds loopback by
    /// default; with --token every request needs `Authorization: Bearer TOKEN` (GETs too,
    /// unless --public-read). Prints `shakedown broker listening on http://HOST:PORT` when
    /// ready. Exit code 0 after Ctrl-C or SIGTERM, 2 when the store or port cannot be used.
    Broker(ServeBrokerArgs),

    /// Run the fault proxy server with a Toxiproxy-compatible API until Ctrl-C.
    ///
    /// Existing Toxiproxy clients work unchanged against it. The API binds loopback by
    /// default: anyone who can reach it can make proxies and break traffic, so expose it
    /// (--host) only on trusted networks. Proxies may connect only to loopback upstreams
    /// unless --allow-upstream names others, and listen only on loopback unless
    /// --allow-listen names other hosts, so the API cannot be used to reach arbitrary hosts
    /// or to expose a service to the network. Exit code 0 after Ctrl-C, 2 when the port or
    /// config cannot be used.
    Proxy(ProxyArgs),

    /// Run a chaos scenario: start its services, inject its faults on the timeline, and
    /// judge its canaries, hypotheses and steady-state checks.
    ///
    /// Shows a live view (timeline, active faults, canary health) on a terminal, plain event
    /// lines otherwise. Every fault is healed and every service removed at the end, on
    /// failure, and on Ctrl-C (a second Ctrl-C does not skip the cleanup). With --report DIR,
    /// writes journal.json, junit.xml and report.html there.
    ///
    /// Guardrails stop the experiment at once, heal every fault, write the reports and mark
    /// the run `aborted`: a tripped `[[abort]]` condition, the scenario's `max_duration`, or
    /// the kill switch — SIGUSR1 to this process (`kill -USR1 PID`), or the kill-switch file
    /// appearing (--kill-switch; by default `<state dir>/runs/<run id>/ABORT`, printed when
    /// the run starts: `touch` it to abort).
    ///
    /// Exit code 0 when every check held; 1 when one failed or the run was aborted; 2 when the
    /// scenario is invalid, the system could not be started, or the run was interrupted
    /// (Ctrl-C, SIGTERM).
    Run(RunArgs),

    /// Check scenario files: TOML syntax, field names and types, references between services,
    /// links and faults, placeholders. Problems are reported as FILE:LINE:COLUMN: message.
    ///
    /// Exit code 0 when every file is valid, 2 when one is not.
    Validate(ValidateArgs),

    /// List the scenarios in a directory (default `scenarios/`) with their services and faults.
    List(ListArgs),

    /// Remove what killed runs left behind: service processes (from the run state files) and
    /// Docker containers and networks labelled `org.shakedown.run`.
    ///
    /// Runs still in progress (their shakedown process is alive: same pid and start time, or
    /// it runs on another machine or in another pid namespace) are left alone, and named as
    /// live, unless --run names them or --all is given.
    Clean(CleanArgs),

    /// Print the JSON Schema of scenario files (also in scenarios/schema.json).
    ///
    /// With --system, the schema of system files (a scenario's `system = "…"`: services,
    /// links, steady state; also in scenarios/systems/schema.json).
    Schema(SchemaArgs),

    /// Print a shell completion script to standard output.
    ///
    /// bash: `shakedown completions bash > ~/.local/share/bash-completion/completions/shakedown`;
    /// zsh: `shakedown completions zsh > ~/.zfunc/_shakedown` (with `fpath+=~/.zfunc` before
    /// `compinit`); fish: `shakedown completions fish > ~/.config/fish/completions/shakedown.fish`.
    Completions(CompletionsArgs),

    /// Print the man page shakedown(1) (roff) to standard output, or write one page per
    /// command into a directory.
    ///
    /// `shakedown man | man -l -` reads it now; `shakedown man --dir ~/.local/share/man/man1`
    /// installs shakedown.1 and shakedown-COMMAND.1 (git's layout) for `man shakedown-verify`.
    Man(ManArgs),

    /// Classify the changes between two versions of a contract as breaking or not for the
    /// provider (a new expectation, a stricter rule, another status …).
    ///
    /// Exit code 0 when no change is breaking, 1 when one is, 2 when a file cannot be read.
    Diff(DiffArgs),

    /// Write a scenario as another tool's resources: `--format chaos-mesh` gives Chaos Mesh
    /// (Kubernetes) resources.
    ///
    /// One Workflow reproduces the fault timeline (NetworkChaos for link faults and
    /// partitions, PodChaos for crash and pause, HTTPChaos for HTTP faults, Suspend for the
    /// waits), with StatusChecks for the HTTP canaries and steady-state checks that abort it
    /// when they fail; a Schedule wraps it when the scenario has a `schedule`. Services are
    /// found by the labels of their `kubernetes` table (default `app = NAME`). What cannot be
    /// expressed (contract canaries, latency expectations, `same_as`, toxicity …) is printed
    /// as a warning FILE:LINE:COLUMN on standard error.
    ///
    /// Exit code 0 when written, 2 when the scenario is invalid, or with --strict when there
    /// are warnings (nothing is written then).
    Export(ExportArgs),

    /// Read another tool's resources into a scenario.
    #[command(subcommand)]
    Import(ImportCommand),
}

/// The formats of `shakedown export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    /// Chaos Mesh resources (chaos-mesh.org/v1alpha1) as YAML.
    ChaosMesh,
}

/// Arguments of `shakedown export`.
#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// What to write.
    #[arg(long, value_enum)]
    pub format: ExportFormat,

    /// The scenario file.
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,

    /// Write one file per resource into this folder (created if need be), named
    /// NAME.KIND.yaml; without it, all resources go to standard output as one multi-document
    /// YAML stream.
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,

    /// Refuse (exit 2, nothing written) when anything of the scenario cannot be expressed.
    #[arg(long)]
    pub strict: bool,
}

/// The `shakedown import` commands.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read Chaos Mesh YAML (NetworkChaos, PodChaos, HTTPChaos, StatusCheck, Workflow,
    /// Schedule; several documents per file allowed) into a scenario TOML.
    ///
    /// Each selector becomes a service with a `kubernetes` table (its labels and namespace)
    /// and a placeholder image; a NetworkChaos with a target becomes a link between the two
    /// services (without a target, a link to a service marked `kubernetes.anywhere`); faults
    /// get their start from the Workflow's Serial and Parallel templates (0 for a lone
    /// document, with no warm-up) and their duration from `duration` or the template's
    /// `deadline`; StatusChecks become canaries (Continuous) or steady-state checks. Kinds
    /// and fields the scenario cannot hold (DNSChaos, TimeChaos, StressChaos, `mode: one`,
    /// `correlation` …) are named in warnings on standard error, and left out. Exit code 0
    /// when written, 2 when a file cannot be read or is not YAML.
    ChaosMesh(ImportArgs),
}

/// Arguments of `shakedown import chaos-mesh`.
#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Chaos Mesh YAML files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write the scenario to this file instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Arguments of `shakedown completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// Arguments of `shakedown man`.
#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write shakedown.1 and one shakedown-COMMAND.1 page per command here instead.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
}

/// Arguments of `shakedown proxy`.
#[derive(Debug, clap::Args)]
pub struct ProxyArgs {
    /// Address the API binds. Loopback by default: see above.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port of the API (Toxiproxy's default).
    #[arg(short, long, default_value_t = 8474)]
    pub port: u16,

    /// A JSON file of proxies to create at start (the body /populate takes).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Seed for toxicity rolls and jitter, so that a run can be replayed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Allow proxies to this upstream host (or host:port) besides loopback; repeatable.
    #[arg(long, value_name = "HOST[:PORT]")]
    pub allow_upstream: Vec<String>,

    /// Allow proxies to any upstream.
    #[arg(long)]
    pub allow_any_upstream: bool,

    /// Allow proxies to listen on this host (e.g. `0.0.0.0` for every interface) besides
    /// loopback; repeatable.
    #[arg(long, value_name = "HOST")]
    pub allow_listen: Vec<String>,

    /// After traffic, keep polling the sockets for this long (e.g. `200us`) instead of
    /// sleeping: cuts the latency the proxy adds to a small request and its answer several
    /// times over, at the cost of up to one busy core while traffic flows. Off by default.
    #[arg(long, value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub busy_poll: Option<std::time::Duration>,
}

/// Where the Pact Broker is, and how to sign in (the names the Pact tools use). Without a
/// URL, the command works on the local results store.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct BrokerArgs {
    /// The Pact Broker (or PactFlow) to work with instead of the local results store.
    #[arg(long, value_name = "URL", env = "PACT_BROKER_BASE_URL")]
    pub broker_url: Option<String>,

    /// Bearer token for the broker.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "PACT_BROKER_TOKEN",
        hide_env_values = true
    )]
    pub broker_token: Option<String>,

    /// Basic auth username for the broker.
    #[arg(long, value_name = "NAME", env = "PACT_BROKER_USERNAME")]
    pub broker_username: Option<String>,

    /// Basic auth password for the broker.
    #[arg(
        long,
        value_name = "PASSWORD",
        env = "PACT_BROKER_PASSWORD",
        hide_env_values = true
    )]
    pub broker_password: Option<String>,
}

/// Where the results store lives.
#[derive(Debug, clap::Args)]
pub struct StoreArgs {
    /// Directory of the results store.
    #[arg(
        long,
        value_name = "DIR",
        env = "SHAKEDOWN_RESULTS_DIR",
        default_value = ".shakedown/results"
    )]
    pub results_dir: PathBuf,
}

/// Arguments of `shakedown verify`.
#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The provider's name, as contracts name it.
    #[arg(long)]
    pub provider: String,

    /// Where the provider answers, e.g. http://127.0.0.1:8080.
    #[arg(long, value_name = "URL")]
    pub base_url: String,

    /// Contract files, or directories of them.
    #[arg(long, value_name = "DIR|FILE", num_args = 1.., default_value = "contracts")]
    pub contracts: Vec<PathBuf>,

    /// Provider-state URL: POSTed {"state", "params", "action": "setup"|"teardown"}.
    #[arg(long, value_name = "URL")]
    pub state_url: Option<String>,

    /// Verify interactions that need provider states without setting any up.
    #[arg(long, conflicts_with = "state_url")]
    pub ignore_states: bool,

    /// Message-producer URL: POSTed {"description", "providerStates"}; answers the message.
    #[arg(long, value_name = "URL")]
    pub messages_url: Option<String>,

    /// Only this consumer's contracts.
    #[arg(long, value_name = "CONSUMER")]
    pub filter_consumer: Option<String>,

    /// Only interactions whose description matches this regex.
    #[arg(long, value_name = "REGEX")]
    pub filter_description: Option<String>,

    /// Only interactions with this provider state.
    #[arg(long, value_name = "STATE")]
    pub filter_state: Option<String>,

    /// Interactions verified at once (for providers whose states do not interfere).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,

    /// Pending interactions fail the verification too.
    #[arg(long)]
    pub strict: bool,

    /// Write a JSON report here.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,

    /// Write a JUnit XML report here.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,

    /// Record the results in the results store (needs --provider-version).
    #[arg(long, requires = "provider_version")]
    pub record: bool,

    /// The provider version being verified.
    #[arg(long, value_name = "VERSION")]
    pub provider_version: Option<String>,

    /// Treat contracts this provider never verified successfully as pending (needs the
    /// results store).
    #[arg(long)]
    pub pending_new: bool,

    /// Seconds to wait for each answer.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,

    /// Broker mode: one consumer version selector (JSON object, repeatable), e.g.
    /// '{"mainBranch": true}' or '{"deployedOrReleased": true}'.
    #[arg(
        long = "selector",
        value_name = "JSON",
        conflicts_with = "consumer_version_selectors"
    )]
    pub selectors: Vec<String>,

    /// Broker mode: the consumer version selectors as one JSON array.
    #[arg(long, value_name = "JSON")]
    pub consumer_version_selectors: Option<String>,

    /// Broker mode: the provider version's branch (the broker decides pending pacts by it).
    #[arg(long, value_name = "BRANCH")]
    pub provider_branch: Option<String>,

    /// Broker mode: ask the broker which pacts are pending (their failures do not fail).
    #[arg(long)]
    pub enable_pending: bool,

    /// Broker mode: include work-in-progress pacts published since DATE (e.g. 2024-01-01).
    #[arg(long, value_name = "DATE")]
    pub include_wip_pacts_since: Option<String>,

    /// Broker mode: publish one verification result per pact (needs --provider-version).
    #[arg(long, requires = "provider_version")]
    pub publish: bool,

    /// Broker mode: the CI build URL published with the results.
    #[arg(long, value_name = "URL")]
    pub build_url: Option<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub store: StoreArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown publish`.
#[derive(Debug, clap::Args)]
pub struct PublishArgs {
    /// Contract files the consumer version publishes.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// The consumer version.
    #[arg(long)]
    pub version: String,

    /// Broker mode: the version's branch.
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,

    /// Broker mode: a tag of the version (repeatable).
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,

    /// Broker mode: the CI build that made the version.
    #[arg(long, value_name = "URL")]
    pub build_url: Option<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub store: StoreArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown can-i-deploy`.
#[derive(Debug, clap::Args)]
pub struct CanIDeployArgs {
    /// The application (consumer or provider).
    #[arg(long)]
    pub pacticipant: String,

    /// Its version.
    #[arg(long)]
    pub version: String,

    /// The environment to deploy to (without it: against the latest versions).
    #[arg(long = "to-environment", visible_alias = "to", value_name = "ENV")]
    pub to: Option<String>,

    /// Broker mode: ask again up to N times while the broker lacks verification results.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub retry_while_unknown: u32,

    /// Broker mode: seconds between those retries.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub retry_interval: u64,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub store: StoreArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown record-deployment`.
#[derive(Debug, clap::Args)]
pub struct DeploymentArgs {
    /// The application.
    #[arg(long)]
    pub pacticipant: String,

    /// Its version.
    #[arg(long)]
    pub version: String,

    /// The environment it now runs in.
    #[arg(long, visible_alias = "to", value_name = "ENV")]
    pub environment: String,

    /// Broker mode: the application instance deployed (when several run side by side).
    #[arg(long, value_name = "INSTANCE")]
    pub application_instance: Option<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub store: StoreArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown record-release`.
#[derive(Debug, clap::Args)]
pub struct ReleaseArgs {
    /// The application.
    #[arg(long)]
    pub pacticipant: String,

    /// Its version.
    #[arg(long)]
    pub version: String,

    /// The environment it is released in (the broker's environment name).
    #[arg(long, visible_alias = "to", value_name = "ENV")]
    pub environment: String,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown record-undeployment`.
#[derive(Debug, clap::Args)]
pub struct UndeploymentArgs {
    /// The application.
    #[arg(long)]
    pub pacticipant: String,

    /// Only this version (default: whatever version of it is deployed there).
    #[arg(long)]
    pub version: Option<String>,

    /// The environment it no longer runs in (the broker's environment name).
    #[arg(long, visible_alias = "from", value_name = "ENV")]
    pub environment: String,

    /// Only this application instance.
    #[arg(long, value_name = "INSTANCE")]
    pub application_instance: Option<String>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub broker: BrokerArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The contract as it was.
    pub old: PathBuf,

    /// The contract as it is now.
    pub new: PathBuf,

    /// Print the changes as JSON (the same as --format json).
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown broker`.
#[derive(Debug, clap::Args)]
pub struct ServeBrokerArgs {
    /// Address to bind. Loopback by default: only this machine can reach the broker.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Port to listen on (0: pick a free one; the start line names it).
    #[arg(short, long, default_value_t = 9292)]
    pub port: u16,

    /// Directory of the store (`broker.sqlite` in it; created when missing).
    #[arg(long, value_name = "DIR", default_value = ".shakedown/broker")]
    pub store: PathBuf,

    /// Every request needs `Authorization: Bearer TOKEN` (401 otherwise).
    #[arg(
        long,
        env = "SHAKEDOWN_BROKER_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,

    /// With --token: GET requests need no token (anyone may read contracts and results).
    #[arg(long, requires = "token")]
    pub public_read: bool,

    /// The base URL of the links the broker answers (behind a proxy that sends no
    /// X-Forwarded-* headers); by default they follow each request's Host.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,

    /// Test mode: serve POST /_shakedown/provider-states, which EMPTIES the store and sets up
    /// one provider state of the Pact Broker's contract (for `shakedown verify --state-url`).
    /// Never on a store with real data.
    #[arg(long)]
    pub test_states: bool,
}

/// Arguments of `shakedown mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// Contract files to serve (any Pact version).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Port to listen on (0: pick a free one and print it).
    #[arg(short, long, default_value_t = 0)]
    pub port: u16,

    /// Address to bind. Loopback by default, so the stub is reachable only from this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: String,

    /// Serve only interactions with this provider state.
    #[arg(long, value_name = "STATE")]
    pub state: Option<String>,

    /// Seed for generated values, so that responses can be reproduced.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,

    /// Server worker threads (at most 1,024; 0 or 1: one thread).
    #[arg(long, default_value_t = 2,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=crate::consumer::MAX_WORKERS as u64))]
    pub workers: usize,

    /// Hide the values of this request header in 500 answers and the log (repeatable).
    /// Authorization, Proxy-Authorization, Cookie, Set-Cookie and X-Api-Key always are.
    #[arg(long = "redact-header", value_name = "NAME")]
    pub redact_headers: Vec<String>,

    /// Inject a fault on the requests that match an interaction (repeatable; the first
    /// whose `interaction` matches applies). SPEC is one of `status=CODE`, `abort` (close
    /// without answering) or `delay=DURATION` (answer late), then optionally
    /// `interaction=REGEX` (on the description), `toxicity=0..1` (share of requests hit)
    /// and, last, `body=TEXT` (with status). E.g. `--fault status=503`,
    /// `--fault 'delay=2s,interaction=declined'`, `--fault 'abort,toxicity=0.5'`.
    #[arg(long = "fault", value_name = "SPEC")]
    pub faults: Vec<crate::consumer::StubFault>,
}

/// `shakedown contract …`
#[derive(Debug, Subcommand)]
pub enum ContractCommand {
    /// Check contract files of any Pact version (V1–V4) for problems.
    ///
    /// Reports malformed JSON, unknown matchers, bad regular expressions, date formats and
    /// generators, and rule paths that match nothing in their example, each as
    /// FILE:LINE:COLUMN. Warnings (an example that breaks its own rule) do not fail the check.
    /// Exit code 0 when every file is sound, 1 when any has an error, 2 when a file cannot be
    /// read.
    Check(CheckArgs),
}

/// Arguments of `shakedown contract check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Contract files to check.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Rewrite each sound file as a canonical Pact V4 file (atomically, in place).
    #[arg(long)]
    pub upgrade: bool,

    /// Print only problems and the summary.
    #[arg(short, long)]
    pub quiet: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Which backend runs a scenario's services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendArg {
    /// Local processes on loopback (no Docker needed).
    Process,
    /// Docker containers from local images, a network per run.
    Docker,
}

/// Arguments of `shakedown run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,

    /// Where the services run.
    #[arg(long, value_enum, default_value = "process")]
    pub backend: BackendArg,

    /// Seed for every random choice (replaces the scenario's); a run prints the seed it used.
    #[arg(long)]
    pub seed: Option<u64>,

    /// Write journal.json, junit.xml and report.html into this directory.
    #[arg(long, value_name = "DIR")]
    pub report: Option<PathBuf>,

    /// Print the plan (services in start order, links, the fault timeline with targets
    /// chosen by the seed, canaries) without starting anything.
    #[arg(long)]
    pub dry_run: bool,

    /// Plain event lines instead of the live view, even on a terminal.
    #[arg(long)]
    pub no_live: bool,

    /// Where run state files and service logs go (default: $XDG_STATE_HOME/shakedown, else
    /// ~/.local/state/shakedown; created 0700, never through a symlink).
    #[arg(long, value_name = "DIR", env = "SHAKEDOWN_STATE_DIR")]
    pub state_dir: Option<PathBuf>,

    /// Abort the run (heal every fault, write the reports, exit 1) when this file appears.
    /// Default: `<state dir>/runs/<run id>/ABORT`, printed when the run starts. SIGUSR1 to
    /// the shakedown process aborts the same way.
    #[arg(long, value_name = "PATH")]
    pub kill_switch: Option<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown validate`.
#[derive(Debug, clap::Args)]
pub struct ValidateArgs {
    /// Scenario files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown schema`.
#[derive(Debug, clap::Args)]
pub struct SchemaArgs {
    /// The schema of system files instead of scenario files.
    #[arg(long)]
    pub system: bool,
}

/// Arguments of `shakedown list`.
#[derive(Debug, clap::Args)]
pub struct ListArgs {
    /// Directory of scenario files.
    #[arg(default_value = "scenarios", value_name = "DIR")]
    pub dir: PathBuf,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

/// Arguments of `shakedown clean`.
#[derive(Debug, clap::Args)]
pub struct CleanArgs {
    /// Also runs whose shakedown process still lives (or cannot be checked: another machine
    /// or pid namespace); they are named as live.
    #[arg(long)]
    pub all: bool,

    /// Only this run, live or not (named as live when it is).
    #[arg(long, value_name = "RUN_ID")]
    pub run: Option<String>,

    /// Where run state files are (default: as for `shakedown run`).
    #[arg(long, value_name = "DIR", env = "SHAKEDOWN_STATE_DIR")]
    pub state_dir: Option<PathBuf>,

    /// Leave Docker alone (only processes).
    #[arg(long)]
    pub no_docker: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub format: FormatArgs,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A runtime of 2^64 - 1 workers panicked in tokio's builder (an addition overflowed),
    /// and 10^11 asked for terabytes: `--workers` is a usage error beyond 1,024.
    #[test]
    fn mock_workers_are_bounded() {
        let mock = |workers: &str| {
            Cli::try_parse_from(["shakedown", "mock", "--workers", workers, "x.json"])
        };
        for huge in ["1025", "100000000000", "18446744073709551615"] {
            let e = mock(huge).unwrap_err();
            assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation, "{huge}");
        }
        for fine in ["0", "1", "1024"] {
            assert!(mock(fine).is_ok(), "{fine}");
        }
    }
}

//! Scenarios: the model of a chaos experiment, its loading and validation, and the engine
//! that runs it.

mod abort;
pub mod backend;
mod canary;
mod cancel;
pub mod compose;
pub mod contract_sweep;
mod cron;
mod duration;
mod engine;
mod fault;
mod hypothesis;
mod load;
mod model;
pub mod name;
mod owner;
mod pattern;
mod probe;
pub(crate) mod programs;
pub(crate) mod promql;
mod recorder;
mod schema;
mod scrape;
mod sources;
mod state;
mod state_dir;
mod status;
mod sweep;
mod system;
pub mod template;
mod validate;
mod verdict;

pub use cancel::{cancel_pair, Cancel, Canceller};
pub use cron::Cron;
pub use duration::Dur;
pub use engine::{effective_seed, kill_switch_file, run, BackendKind, RunOptions};
pub use fault::{plan, Aim, Planned};
pub use load::{
    load, load_with, locate_paths, parse, parse_with, Problem, Programs, ScenarioError,
};
pub use model::{
    Abort, BandwidthFault, Canary, Check, ContractSweepFault, CrashFault, Direction, Effect,
    Expect, Fault, FaultKind, Healthcheck, HttpFault, HttpRequest, Hypothesis, JitterFault,
    Kubernetes, LatencyFault, Link, LinkFault, PartitionFault, PauseFault, PromQuery, Reading,
    Ready, Scenario, Service, SystemFile, SystemRef, Target, WindowExpect, DEFAULT_DURATION,
};
pub use owner::{Liveness, Owner};
pub use pattern::Pattern;
pub use recorder::Listener;
pub use schema::{json_schema, json_schema_text, system_json_schema, system_json_schema_text};
pub use state::{clean_processes, recorded_runs, state_file, Cleaned, RunState};
pub use state_dir::{check_private, default_state_dir};
pub use status::StatusRange;
pub use system::{start_order, Cut, FaultError};
pub use validate::{KeyPath, Seg};
pub use verdict::{quantile, stats as canary_stats};

//! Scenarios: the model of a chaos experiment, its loading and validation, and the engine
//! that runs it.

pub mod backend;
mod duration;
mod load;
mod model;
mod status;
pub mod template;
mod validate;

pub use duration::Dur;
pub use load::{load, parse, Problem, ScenarioError};
pub use model::{
    Canary, Check, Direction, Expect, Fault, FaultKind, HttpRequest, Hypothesis, Link, Reading,
    Ready, Scenario, Service, Target,
};
pub use status::StatusRange;

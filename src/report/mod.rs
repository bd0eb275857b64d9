//! Reports of scenario runs: the event journal and its renderers (JSON, JUnit XML, HTML,
//! terminal summary).

mod chart;
mod error;
mod event;
mod html;
mod json;
mod junit;
mod summary;
mod text;
mod wording;

pub use error::ReportError;
pub use event::{
    probes, CanaryStats, CheckKind, Event, EventKind, FaultWindow, Journal, Phase, RunOutcome,
    WindowStats,
};
pub use html::html;
pub use json::{read_json, write_all, write_json};
pub use junit::junit_xml;
pub use summary::summary;
pub(crate) use text::top_causes;
pub use wording::Tone;

//! Chaos Mesh: a scenario exported as Kubernetes resources (a `Workflow` of NetworkChaos,
//! PodChaos, HTTPChaos and StatusCheck templates, wrapped in a `Schedule` when the scenario
//! has one), and Chaos Mesh documents imported back into a scenario.

mod check;
mod document;
mod duration;
mod export;
mod fault;
mod import;
mod selector;
mod warning;
mod workflow;

pub use document::{dns_name, stream, Document, API_VERSION};
pub use export::{export, export_scenario, Export, ExportError};
pub use import::{documents, import, import_documents, Import, ImportError};
pub use warning::{Seg, Warning};

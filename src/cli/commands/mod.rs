//! The commands, one module each.

mod broker;
mod broker_gate;
mod clean;
mod completions;
mod contract_check;
mod dispatch;
mod export;
mod fault_words;
mod gate;
mod import;
mod man;
mod mock;
mod proxy;
mod run;
mod scenario;
mod verify;
mod verify_broker;

pub use dispatch::run;

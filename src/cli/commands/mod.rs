//! The commands, one module each.

mod broker;
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

pub use dispatch::run;

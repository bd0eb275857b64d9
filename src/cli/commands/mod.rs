//! The commands, one module each.

mod clean;
mod completions;
mod contract_check;
mod dispatch;
mod fault_words;
mod gate;
mod man;
mod mock;
mod proxy;
mod run;
mod scenario;
mod verify;

pub use dispatch::run;

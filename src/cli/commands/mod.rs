//! The commands, one module each.

mod contract_check;
mod dispatch;
mod gate;
mod mock;
mod proxy;
mod run;
mod scenario;
mod verify;

pub use dispatch::run;

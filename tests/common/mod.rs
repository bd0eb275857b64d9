//! Helpers the integration tests share: child processes that die with the test, the
//! `shakedown` binary, echo servers, waiting, and the prerequisites a test needs with the
//! harness that reports it ignored without them.
// Each test binary uses the part it needs; the rest would be dead code in that binary.
#![allow(dead_code)]

#[cfg(feature = "scenario")]
pub mod busybox;
#[cfg(feature = "cli")]
pub mod cli;
pub mod echo;
pub mod harness;
pub mod prerequisite;
pub mod process;
#[cfg(feature = "scenario")]
pub mod runs;
#[cfg(any(feature = "consumer", feature = "verifier", feature = "chaos"))]
pub mod runtime;
pub mod shop;
#[cfg(feature = "cli")]
pub mod shop_run;
pub mod wait;

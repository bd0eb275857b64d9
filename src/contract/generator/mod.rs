//! Pact generators (`{"type": "RandomInt", "min": 0, "max": 10}`): their V3/V4 JSON form,
//! validation, and generating values (seeded, so a run can be reproduced), including Pact's
//! date expression language (`today + 1 day @ noon`).

mod date;
mod date_expression;
mod error;
#[cfg(test)]
mod fixtures;
mod generation;
mod json;
mod mock_server_url;
mod model;
mod provider_state;
mod random;
mod regex_sample;

pub use date_expression::eval_date_expression;
pub use error::GeneratorError;
pub use generation::{rng_from_seed, GeneratorContext};
pub use model::{DataType, Generator, UuidFormat, MAX_SIZE};

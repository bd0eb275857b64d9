//! Contracts: the Pact model (V1–V4 readers, V4 writer), matching rules and generators,
//! matching with mismatches as data, and contract checking.

mod body;
mod check;
mod content_type;
pub mod datetime;
mod format;
pub mod generator;
mod generators;
mod http;
mod interaction;
mod intern;
mod matching;
mod message;
mod pact;
mod path;
mod rules;
pub mod span;
mod store;
mod stream;

pub use body::Body;
pub use check::{check_file, check_text, CheckReport, Problem, Severity};
pub use content_type::ContentType;
pub use format::{ReadError, SpecVersion};
pub use generator::{
    rng_from_seed, DataType, Generator, GeneratorContext, GeneratorError, UuidFormat,
};
pub use generators::Generators;
pub use http::{
    content_type, header, percent_decode, read_query, Headers, HttpRequest, HttpResponse, Query,
};
pub use interaction::{Interaction, InteractionKind, ProviderState};
pub use matching::*;
pub use message::Message;
pub use pact::{ContractError, Pact};
pub use path::{location_string, PathError, RulePath, Segment, Token};
pub use rules::{
    category, rule_from_json, with_budget, ArrayVariant, Logic, MatchingRule, MatchingRules,
    OverBudget, Pattern, RuleCategory, RuleError, RuleList, StatusClass, BACKTRACKING_BUDGET,
};
pub use store::{contract_path, merge_into_file, StoreError};

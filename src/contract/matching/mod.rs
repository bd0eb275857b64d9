//! Matching: comparing what was received with what a contract expects, yielding mismatches.

mod body;
mod headers;
mod interaction;
mod json;
mod mismatch;
mod query;
mod render;
mod value;
mod xml;

pub use body::{match_body, BodyContext};
pub use headers::match_headers;
pub use interaction::{match_message, match_request, match_response};
pub use json::match_json;
pub use mismatch::{Mismatch, MismatchKind};
pub use query::match_query;
pub use render::render_mismatches;
pub use value::{check_rule, check_rules, check_text_rules, RuleFailure};
pub use xml::match_xml;

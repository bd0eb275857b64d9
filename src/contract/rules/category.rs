//! Rule categories: their names, and which are keyed by a name or hold one unkeyed entry.

/// Body (HTTP) or contents (messages).
pub const BODY: &str = "body";
/// HTTP headers, keyed by name.
pub const HEADER: &str = "header";
/// Query parameters, keyed by name.
pub const QUERY: &str = "query";
/// The request path.
pub const PATH: &str = "path";
/// The response status.
pub const STATUS: &str = "status";
/// The request method.
pub const METHOD: &str = "method";
/// Message metadata, keyed by name.
pub const METADATA: &str = "metadata";

/// Categories whose entries are keyed by a name rather than a path.
pub(super) const NAMED: [&str; 3] = [HEADER, QUERY, METADATA];
/// Categories with a single, unkeyed entry.
pub(super) const WHOLE: [&str; 3] = [PATH, STATUS, METHOD];

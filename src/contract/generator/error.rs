//! GeneratorError: why a generator could not be read or could not generate.

/// Why a generator could not be read or could not generate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GeneratorError {
    /// The JSON is not an object with a string `type`.
    #[error("a generator must be a JSON object with a string \"type\", got {0}")]
    NotAGenerator(String),
    /// The `type` is not a known generator.
    #[error("unknown generator type '{0}'")]
    UnknownType(String),
    /// An attribute is missing or has a bad value.
    #[error("bad {generator} generator: {reason}")]
    BadAttribute {
        /// The generator type.
        generator: String,
        /// What is wrong.
        reason: String,
    },
    /// A regex that does not compile or cannot be generated from.
    #[error("bad regex '{regex}': {reason}")]
    BadRegex {
        /// The regex.
        regex: String,
        /// What is wrong.
        reason: String,
    },
    /// A date/time format that does not parse.
    #[error("bad date/time format '{format}': {reason}")]
    BadFormat {
        /// The format.
        format: String,
        /// What is wrong.
        reason: String,
    },
    /// A date expression or provider-state expression that does not parse or evaluate.
    #[error("bad expression '{expression}': {reason}")]
    BadExpression {
        /// The expression.
        expression: String,
        /// What is wrong.
        reason: String,
    },
    /// A `${name}` with no such value in the provider state.
    #[error("the provider state has no value for '{0}'")]
    MissingProviderStateValue(String),
    /// A provider-state value that cannot be converted to the requested data type.
    #[error("cannot convert {value} to {data_type}")]
    Conversion {
        /// The value, as JSON.
        value: String,
        /// The requested data type.
        data_type: &'static str,
    },
    /// A `MockServerURL` generator used with no mock server running.
    #[error("no mock server URL is available for a MockServerURL generator")]
    NoMockServerUrl,
    /// A `MockServerURL` regex that does not match its example.
    #[error("regex '{regex}' does not match the example '{example}'")]
    NoMatch {
        /// The regex.
        regex: String,
        /// The example.
        example: String,
    },
}

/// A `BadExpression` error: `reason` why `expression` does not parse or evaluate.
pub(super) fn bad_expression(expression: &str, reason: String) -> GeneratorError {
    GeneratorError::BadExpression {
        expression: expression.to_string(),
        reason,
    }
}

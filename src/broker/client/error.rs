//! What can go wrong talking to a broker, each with a message that says what to do.

/// Why a broker operation failed.
#[derive(Debug, thiserror::Error)]
pub enum BrokerError {
    /// The base URL is not an http(s) URL, or an href cannot be resolved against it.
    #[error("invalid broker URL {url:?}: {reason}")]
    BadUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// 401 or 403: the credentials are missing or refused.
    #[error("the broker refused access to {url} (HTTP {status}): check PACT_BROKER_TOKEN (--broker-token), or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD (--broker-username, --broker-password)")]
    Auth {
        /// The URL refused.
        url: String,
        /// 401 or 403.
        status: u16,
    },
    /// 404: the broker does not know the resource.
    #[error("{what} not found at the broker (HTTP 404 from {url})")]
    NotFound {
        /// What was looked for (`pacticipant "Foo"`, `version 1.2.3 of "Foo"`, …).
        what: String,
        /// The URL.
        url: String,
    },
    /// The broker answered, but has no such thing among what it lists (an environment by
    /// name, a deployment to undo).
    #[error("{what} not found at the broker {broker}")]
    NoSuch {
        /// What was looked for, and what there is.
        what: String,
        /// The broker's base URL.
        broker: String,
    },
    /// 409: the content conflicts with what the broker has (a contract published again
    /// with other content under the same version).
    #[error("the broker refused conflicting content (HTTP 409 from {url}): {message}")]
    Conflict {
        /// The URL.
        url: String,
        /// The broker's explanation.
        message: String,
    },
    /// Another 4xx answer: the broker refused the request.
    #[error("the broker refused the request (HTTP {status} from {url}): {message}")]
    Rejected {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
        /// The broker's explanation.
        message: String,
    },
    /// 5xx answers, every attempt.
    #[error("the broker failed (HTTP {status} from {url}, {attempts} attempt(s)): {message}")]
    Server {
        /// The URL.
        url: String,
        /// The last status.
        status: u16,
        /// How many requests were sent.
        attempts: u32,
        /// The last answer's explanation.
        message: String,
    },
    /// The answer is not a HAL (JSON) document.
    #[error("{url} did not answer a Pact Broker (HAL JSON) document: {reason}")]
    NotHal {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// No connection, every attempt (or a timeout).
    #[error("the broker at {url} is unreachable ({attempts} attempt(s)): {reason}")]
    Unreachable {
        /// The URL.
        url: String,
        /// How many attempts.
        attempts: u32,
        /// Why.
        reason: String,
    },
    /// A resource lacks the relation the operation follows.
    #[error("{at} has no {relation:?} link{detail}")]
    MissingLink {
        /// The relation (`pb:publish-contracts`, …).
        relation: String,
        /// Which resource (`the broker's index at URL`, …).
        at: String,
        /// More: what the resource offers instead, or why it may be missing.
        detail: String,
    },
    /// The runtime could not start.
    #[error("cannot start the broker client: {0}")]
    Runtime(String),
}

impl BrokerError {
    /// A 404 named after what was looked for; other errors unchanged.
    pub fn looking_for(self, what: impl Into<String>) -> Self {
        match self {
            BrokerError::NotFound { url, .. } => BrokerError::NotFound {
                what: what.into(),
                url,
            },
            other => other,
        }
    }

    /// True for a 404.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            BrokerError::NotFound { .. } | BrokerError::NoSuch { .. }
        )
    }
}

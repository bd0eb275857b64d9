//! How the client proves who it is: a bearer token, a username and password, or nothing.

/// Credentials sent with every request (never printed: `Debug` hides them).
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Auth {
    /// No `Authorization` header.
    #[default]
    None,
    /// `Authorization: Bearer TOKEN` (`PACT_BROKER_TOKEN`).
    Token(String),
    /// HTTP basic auth (`PACT_BROKER_USERNAME`, `PACT_BROKER_PASSWORD`).
    Basic {
        /// The username.
        username: String,
        /// The password, if any.
        password: Option<String>,
    },
}

impl Auth {
    /// The credentials given: a token wins over a username; none without either.
    ///
    /// ```
    /// use shakedown::broker::client::Auth;
    /// assert_eq!(Auth::from_parts(None, Some("u"), Some("p")),
    ///            Auth::Basic { username: "u".into(), password: Some("p".into()) });
    /// assert_eq!(Auth::from_parts(Some("t"), Some("u"), None), Auth::Token("t".into()));
    /// ```
    pub fn from_parts(token: Option<&str>, username: Option<&str>, password: Option<&str>) -> Self {
        match (token, username) {
            (Some(t), _) => Auth::Token(t.to_string()),
            (None, Some(u)) => Auth::Basic {
                username: u.to_string(),
                password: password.map(str::to_string),
            },
            (None, None) => Auth::None,
        }
    }

    /// Adds the credentials to a request.
    pub(super) fn apply(&self, request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match self {
            Auth::None => request,
            Auth::Token(t) => request.bearer_auth(t),
            Auth::Basic { username, password } => request.basic_auth(username, password.as_ref()),
        }
    }
}

impl std::fmt::Debug for Auth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::Token(_) => f.write_str("Token(…)"),
            Auth::Basic { username, .. } => write!(f, "Basic({username}, …)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn should_never_show_secrets_in_debug() {
        let token = format!("{:?}", Auth::Token("s3cret".into()));
        let basic = format!(
            "{:?}",
            Auth::Basic {
                username: "me".into(),
                password: Some("s3cret".into())
            }
        );
        assert!(
            !token.contains("s3cret") && !basic.contains("s3cret"),
            "{token} {basic}"
        );
    }
}

//! `{{ … }}` placeholders in scenario strings: `{{ services.NAME }}`, `{{ link.NAME }}`,
//! `{{ port }}`, `{{ run_id }}` (with `.addr`, `.host`, `.port` forms), and `{{ env.NAME }}`
//! (shakedown's own environment variable; unset, it is a validation error unless the
//! placeholder gives a default: `{{ env.NAME | default: "on" }}`).

/// Why a template cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` without `}}`.
    #[error("unclosed `{{{{` in {0:?}")]
    Unclosed(String),
    /// A name nothing defines.
    #[error("unknown placeholder `{{{{ {0} }}}}` (known: port, run_id, env.NAME, env.NAME | default: \"VALUE\", services.NAME[.addr|.host|.port], link.NAME[.addr|.host|.port])")]
    Unknown(String),
    /// `{{ env.NAME }}` without a default, and `NAME` is not set.
    #[error("environment variable {0} is not set: set it, or give a default: `{{{{ env.{0} | default: \"VALUE\" }}}}`")]
    UnsetEnv(String),
}

/// What a placeholder names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placeholder<'a> {
    /// `{{ port }}`: the port of the service being started.
    Port,
    /// `{{ run_id }}`.
    RunId,
    /// `{{ env.NAME }}` or `{{ env.NAME | default: "VALUE" }}`: shakedown's own environment
    /// variable, else the default.
    Env(&'a str, Option<&'a str>),
    /// `{{ services.NAME[.part] }}`.
    Service(&'a str, Option<&'a str>),
    /// `{{ link.NAME[.part] }}`.
    Link(&'a str, Option<&'a str>),
}

/// Reads a placeholder expression (`services.orders.addr`, `port` …).
pub fn parse(expr: &str) -> Result<Placeholder<'_>, TemplateError> {
    if let Some((head, filter)) = expr.split_once('|') {
        return match (parse(head.trim())?, default_value(filter)) {
            (Placeholder::Env(name, None), Some(value)) => Ok(Placeholder::Env(name, Some(value))),
            _ => Err(TemplateError::Unknown(expr.to_string())),
        };
    }
    match expr {
        "port" => return Ok(Placeholder::Port),
        "run_id" => return Ok(Placeholder::RunId),
        _ => {}
    }
    let unknown = || TemplateError::Unknown(expr.to_string());
    let (ns, rest) = expr.split_once('.').ok_or_else(unknown)?;
    let (name, part) = match rest.rsplit_once('.') {
        Some((name, part @ ("addr" | "host" | "port" | "url"))) => (name, Some(part)),
        _ => (rest, None),
    };
    match ns {
        "env" if !rest.is_empty() => Ok(Placeholder::Env(rest, None)),
        "services" => Ok(Placeholder::Service(name, part)),
        "link" => Ok(Placeholder::Link(name, part)),
        _ => Err(unknown()),
    }
}

/// The value of a `default: "VALUE"` filter (double-quoted, no escapes).
fn default_value(filter: &str) -> Option<&str> {
    let quoted = filter.trim().strip_prefix("default:")?.trim();
    let inner = quoted.strip_prefix('"')?.strip_suffix('"')?;
    (!inner.contains('"')).then_some(inner)
}

/// The value of `{{ env.NAME }}`: the variable, else the default, else why not.
pub fn env_value(name: &str, default: Option<&str>) -> Result<String, TemplateError> {
    match (std::env::var(name), default) {
        (Ok(v), _) => Ok(v),
        (Err(_), Some(d)) => Ok(d.to_string()),
        (Err(_), None) => Err(TemplateError::UnsetEnv(name.to_string())),
    }
}

/// Calls `each` with every placeholder expression of `text` (trimmed) and puts what it
/// returns in its place.
fn scan<'t>(
    text: &'t str,
    mut each: impl FnMut(&'t str) -> Result<String, TemplateError>,
) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(text.to_string()))?;
        out.push_str(&each(after[..close].trim())?);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The placeholder expressions in `text`, trimmed, in order.
pub fn references(text: &str) -> Result<Vec<&str>, TemplateError> {
    let mut out = Vec::new();
    scan(text, |expr| {
        out.push(expr);
        Ok(String::new())
    })?;
    Ok(out)
}

/// Replaces every placeholder with what `lookup` gives for it.
///
/// ```
/// use shakedown::scenario::template::render;
/// let url = render("{{ services.orders }}/health", |e| (e == "services.orders").then(|| "http://127.0.0.1:8080".to_string()));
/// assert_eq!(url.unwrap(), "http://127.0.0.1:8080/health");
/// ```
pub fn render(
    text: &str,
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<String, TemplateError> {
    scan(text, |expr| {
        lookup(expr).ok_or_else(|| TemplateError::Unknown(expr.to_string()))
    })
}

/// Expands `services.X`, `link.X` and their parts from an address (`host:port`).
pub fn address_part(part: Option<&str>, host: &str, port: u16) -> Option<String> {
    match part {
        None | Some("url") => Some(format!("http://{host}:{port}")),
        Some("addr") => Some(format!("{host}:{port}")),
        Some("host") => Some(host.to_string()),
        Some("port") => Some(port.to_string()),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_classifies_references() {
        let refs = references("a {{ link.o-p }} b {{port}} {{ services.x.addr }}").unwrap();
        assert_eq!(refs, ["link.o-p", "port", "services.x.addr"]);
        assert_eq!(parse("link.o-p").unwrap(), Placeholder::Link("o-p", None));
        assert_eq!(
            parse("services.x.addr").unwrap(),
            Placeholder::Service("x", Some("addr"))
        );
        assert_eq!(parse("port").unwrap(), Placeholder::Port);
        assert_eq!(
            parse("env.RESILIENCE").unwrap(),
            Placeholder::Env("RESILIENCE", None)
        );
        assert!(parse("nope").is_err());
        assert!(parse("env.").is_err());
        assert!(references("{{ open").is_err());
    }

    #[test]
    fn renders_or_names_the_unknown() {
        let r = render("x{{ a }}y{{b}}", |e| Some(e.to_uppercase())).unwrap();
        assert_eq!(r, "xAyB");
        let e = render("{{ nope }}", |_| None).unwrap_err();
        assert!(e.to_string().contains("nope"));
    }

    #[test]
    fn env_placeholders_take_a_default_and_unset_ones_are_errors() {
        let expr = references(r#"{{ env.SHAKEDOWN_TEST_UNSET_VAR | default: "on" }}"#).unwrap()[0];
        let p = parse(expr).unwrap();
        assert_eq!(p, Placeholder::Env("SHAKEDOWN_TEST_UNSET_VAR", Some("on")));
        assert_eq!(
            env_value("SHAKEDOWN_TEST_UNSET_VAR", Some("on")).unwrap(),
            "on"
        );
        let e = env_value("SHAKEDOWN_TEST_UNSET_VAR", None).unwrap_err();
        assert_eq!(
            e,
            TemplateError::UnsetEnv("SHAKEDOWN_TEST_UNSET_VAR".into())
        );
        assert!(parse(r#"env.X | default: on"#).is_err());
        assert!(parse(r#"port | default: "1""#).is_err());
        assert!(parse(r#"env.X | upper"#).is_err());
    }
}

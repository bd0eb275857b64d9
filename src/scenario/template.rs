//! `{{ … }}` placeholders in scenario strings: `{{ services.NAME }}`, `{{ link.NAME }}`,
//! `{{ port }}`, `{{ run_id }}` (with `.addr`, `.host`, `.port` forms), and `{{ env.NAME }}`
//! (shakedown's own environment variable, empty when unset).

/// Why a template cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// `{{` without `}}`.
    #[error("unclosed `{{{{` in {0:?}")]
    Unclosed(String),
    /// A name nothing defines.
    #[error("unknown placeholder `{{{{ {0} }}}}` (known: port, run_id, env.NAME, services.NAME[.addr|.host|.port], link.NAME[.addr|.host|.port])")]
    Unknown(String),
}

/// The placeholder expressions in `text`, trimmed, in order.
pub fn references(text: &str) -> Result<Vec<&str>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(text.to_string()))?;
        out.push(after[..close].trim());
        rest = &after[close + 2..];
    }
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
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after
            .find("}}")
            .ok_or_else(|| TemplateError::Unclosed(text.to_string()))?;
        let expr = after[..close].trim();
        out.push_str(&lookup(expr).ok_or_else(|| TemplateError::Unknown(expr.to_string()))?);
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a placeholder names: `(namespace, name)` for `services.X[.part]` / `link.X[.part]`,
/// or `None` for the plain `port` / `run_id`. Errors for anything else.
pub fn target(expr: &str) -> Result<Option<(&str, &str)>, TemplateError> {
    if expr == "port"
        || expr == "run_id"
        || expr.strip_prefix("env.").is_some_and(|n| !n.is_empty())
    {
        return Ok(None);
    }
    let unknown = || TemplateError::Unknown(expr.to_string());
    let (ns, rest) = expr.split_once('.').ok_or_else(unknown)?;
    if ns != "services" && ns != "link" {
        return Err(unknown());
    }
    let name = match rest.rsplit_once('.') {
        Some((name, "addr" | "host" | "port" | "url")) => name,
        _ => rest,
    };
    Ok(Some((ns, name)))
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
        assert_eq!(target("link.o-p").unwrap(), Some(("link", "o-p")));
        assert_eq!(target("services.x.addr").unwrap(), Some(("services", "x")));
        assert_eq!(target("port").unwrap(), None);
        assert_eq!(target("env.RESILIENCE").unwrap(), None);
        assert!(target("nope").is_err());
        assert!(references("{{ open").is_err());
    }

    #[test]
    fn renders_or_names_the_unknown() {
        let r = render("x{{ a }}y{{b}}", |e| Some(e.to_uppercase())).unwrap();
        assert_eq!(r, "xAyB");
        let e = render("{{ nope }}", |_| None).unwrap_err();
        assert!(e.to_string().contains("nope"));
    }
}

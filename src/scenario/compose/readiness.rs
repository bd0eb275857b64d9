//! A Compose healthcheck as the scenario's readiness, two ways:
//! - an HTTP GET on the container's own port (`curl -f http://localhost:8080/health`, `wget
//!   -q -O- http://127.0.0.1:8080/health`) becomes `ready.http`: shakedown makes the same
//!   request from outside, so it works for images without curl or wget (the example shop's
//!   are `FROM scratch`);
//! - any other check (`["CMD", "pg_isready"]`, `redis-cli ping`) becomes `ready.healthcheck`:
//!   the docker backend gives it to the container (Docker's HEALTHCHECK), and readiness waits
//!   until Docker says the container is healthy. It runs every `interval` (1s when Compose's
//!   file does not say: Docker runs the first check only after one interval).
//!
//! The check's time budget (`start_period` + `retries` × `interval`, Compose's defaults 0s, 3
//! and 30s: when Docker would call it unhealthy) becomes `ready.within`, at least shakedown's
//! default 10s (a short interval asks for quick checks, not for a quick give-up).

use std::time::Duration;

use super::file::{split_words, Healthcheck};
use crate::scenario::duration::Dur;
use crate::scenario::model::Ready;

/// Compose's default `interval`.
const INTERVAL: Duration = Duration::from_secs(30);
/// Compose's default `retries`.
const RETRIES: u32 = 3;
/// Programs whose first `http://` argument is taken as the checked URL.
const HTTP_GETTERS: &[&str] = &["curl", "wget"];

/// The readiness a healthcheck stands for, and a warning when it is not kept whole; an
/// error for a duration Compose would refuse too.
pub fn readiness(
    check: &Healthcheck,
    port: Option<u16>,
) -> Result<(Ready, Option<String>), String> {
    let test = match check.test.as_ref().map(|t| t.0.as_slice()) {
        _ if check.disable => return Ok((Ready::default(), None)),
        Some([none, ..]) if none == "NONE" => return Ok((Ready::default(), None)),
        None | Some([]) => {
            let note =
                "no `test`: the image's own HEALTHCHECK is not run; readiness is a TCP connect";
            return Ok((Ready::default(), Some(note.into())));
        }
        Some(test) => test.to_vec(),
    };
    let words = match test.as_slice() {
        [kind, rest @ ..] if kind == "CMD" => rest.to_vec(),
        [kind, shell, ..] if kind == "CMD-SHELL" => split_words(shell)?,
        other => other.to_vec(),
    };
    let within = Dur(budget(check)?);
    if let Some(path) = http_path(&words, port) {
        let ready = Ready {
            http: Some(path),
            within,
            ..Ready::default()
        };
        return Ok((ready, None));
    }
    if !matches!(test[0].as_str(), "CMD" | "CMD-SHELL") {
        return Err(format!(
            "test {test:?} starts with neither \"CMD\", \"CMD-SHELL\" nor \"NONE\""
        ));
    }
    let interval = match &check.interval {
        Some(text) => Dur(parse(text).map_err(|e| format!("interval {text:?} {e}"))?),
        None => Dur::secs(1),
    };
    let ready = Ready {
        healthcheck: Some(crate::scenario::model::Healthcheck { test, interval }),
        within,
        ..Ready::default()
    };
    Ok((ready, None))
}

/// A Compose duration (`10s`, `1m30s`).
fn parse(text: &str) -> Result<Duration, String> {
    humantime::parse_duration(text.trim())
        .map_err(|e| format!("is not a duration such as \"10s\" or \"1m30s\" ({e})"))
}

/// `start_period` + `retries` × `interval` (how long Docker would take at most to call the
/// container unhealthy), at least the default readiness deadline.
fn budget(check: &Healthcheck) -> Result<Duration, String> {
    let duration = |field: &str, text: &Option<String>, default: Duration| match text {
        None => Ok(default),
        Some(t) => humantime::parse_duration(t.trim()).map_err(|e| {
            format!("{field} {t:?} is not a duration such as \"10s\" or \"1m30s\" ({e})")
        }),
    };
    let start = duration("start_period", &check.start_period, Duration::ZERO)?;
    let interval = duration("interval", &check.interval, INTERVAL)?;
    duration("timeout", &check.timeout, INTERVAL)?;
    duration("start_interval", &check.start_interval, INTERVAL)?;
    let budget = start + interval * check.retries.unwrap_or(RETRIES);
    Ok(budget.max(Ready::default().within.into()))
}

/// The path of the `http://` URL a curl or wget command gets, when it names the container
/// itself on `port`.
fn http_path(words: &[String], port: Option<u16>) -> Option<String> {
    let program = words.first()?.rsplit('/').next()?;
    if !HTTP_GETTERS.contains(&program) {
        return None;
    }
    let url = words.iter().find_map(|w| w.strip_prefix("http://"))?;
    let (authority, path) = url.find('/').map_or((url, "/"), |i| (&url[..i], &url[i..]));
    let (host, url_port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok()?),
        None => (authority, 80),
    };
    let local = ["localhost", "127.0.0.1", "0.0.0.0", "[::1]"].contains(&host);
    (local && Some(url_port) == port).then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::file::Test;
    use super::*;

    fn check(test: &[&str]) -> Healthcheck {
        Healthcheck {
            test: Some(Test(test.iter().map(|s| s.to_string()).collect())),
            ..Default::default()
        }
    }

    #[test]
    fn an_http_get_on_the_own_port_becomes_ready_http() {
        let curl = check(&["CMD", "curl", "-f", "http://localhost:8080/health"]);
        let (ready, note) = readiness(&curl, Some(8080)).unwrap();
        assert_eq!((ready.http.as_deref(), note), (Some("/health"), None));
        assert_eq!(ready.within, Dur::secs(90)); // Compose's defaults: 3 × 30s
        let mut wget = check(&[
            "CMD-SHELL",
            "wget -q -O- http://127.0.0.1:9090/ready || exit 1",
        ]);
        (wget.interval, wget.retries, wget.start_period) =
            (Some("2s".into()), Some(5), Some("1m30s".into()));
        let (ready, _) = readiness(&wget, Some(9090)).unwrap();
        assert_eq!(ready.http.as_deref(), Some("/ready"));
        assert_eq!(ready.within, Dur::secs(100));
        let mut quick = check(&["CMD", "curl", "http://localhost:1/"]);
        (quick.interval, quick.retries) = (Some("1s".into()), Some(2));
        let (ready, _) = readiness(&quick, Some(1)).unwrap();
        assert_eq!(ready.within, Dur::secs(10)); // 2 × 1s, at least the default
    }

    #[test]
    fn any_other_check_is_given_to_docker() {
        for test in [
            &["CMD", "curl", "http://localhost:9999/health"][..],
            &["CMD", "curl", "http://elsewhere:8080/health"],
            &["CMD", "/bin/check"],
            &["CMD-SHELL", "redis-cli ping"],
        ] {
            let (ready, note) = readiness(&check(test), Some(8080)).unwrap();
            assert_eq!((ready.http, note), (None, None), "{test:?}");
            let given = ready.healthcheck.unwrap();
            assert_eq!(given.test, test, "{test:?}");
            assert_eq!(given.interval, Dur::secs(1));
        }
        let mut every_2s = check(&["CMD", "x"]);
        every_2s.interval = Some("2s".into());
        let (ready, _) = readiness(&every_2s, None).unwrap();
        assert_eq!(ready.healthcheck.unwrap().interval, Dur::secs(2));
        assert!(readiness(&check(&["x"]), None)
            .unwrap_err()
            .contains("neither"));
    }

    #[test]
    fn no_check_is_a_tcp_connect() {
        let (ready, note) = readiness(&Healthcheck::default(), Some(1)).unwrap();
        assert_eq!(ready, Ready::default());
        assert!(note.unwrap().contains("image's own HEALTHCHECK"));
        let disabled = Healthcheck {
            disable: true,
            ..check(&["CMD", "x"])
        };
        for quiet in [check(&["NONE"]), disabled] {
            assert_eq!(
                readiness(&quiet, Some(1)).unwrap(),
                (Ready::default(), None)
            );
        }
    }

    #[test]
    fn a_bad_duration_is_an_error() {
        let mut c = check(&["CMD", "x"]);
        c.interval = Some("soon".into());
        assert!(readiness(&c, None)
            .unwrap_err()
            .contains("interval \"soon\" is not a duration"));
    }
}

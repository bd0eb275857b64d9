//! A Compose healthcheck as the scenario's readiness. The images a scenario runs are often
//! `FROM scratch` (the example shop's are), with no `curl` or `wget` to run a healthcheck
//! inside; so shakedown does not hand the check to Docker: an HTTP GET that the check makes
//! on the container's own port (`curl -f http://localhost:8080/health`, `wget -q -O-
//! http://127.0.0.1:8080/health`) becomes `ready.http` (the same request, made by shakedown
//! from outside the container), and the check's time budget (`start_period` + `retries` ×
//! `interval`, Compose's defaults 0s, 3 and 30s) becomes `ready.within`. Any other check
//! leaves readiness at a TCP connect on the port, with a warning saying so.

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
    let words = match check.test.as_ref().map(|t| t.0.as_slice()) {
        _ if check.disable => return Ok((Ready::default(), None)),
        Some([none, ..]) if none == "NONE" => return Ok((Ready::default(), None)),
        None | Some([]) => {
            let note =
                "no `test`: the image's own HEALTHCHECK is not run; readiness is a TCP connect";
            return Ok((Ready::default(), Some(note.into())));
        }
        Some([kind, rest @ ..]) if kind == "CMD" => rest.to_vec(),
        Some([kind, shell, ..]) if kind == "CMD-SHELL" => split_words(shell)?,
        Some(other) => other.to_vec(),
    };
    let within = Dur(budget(check)?);
    match http_path(&words, port) {
        Some(path) => Ok((
            Ready {
                http: Some(path),
                within,
            },
            None,
        )),
        None => {
            let port = port.map_or("its port".to_string(), |p| format!("port {p}"));
            let note = format!(
                "test {words:?} is not an HTTP GET on the container's own port (curl or wget \
                 on http://localhost:PORT/PATH), and Docker does not run it here: readiness \
                 is a TCP connect on {port}"
            );
            Ok((Ready { http: None, within }, Some(note)))
        }
    }
}

/// `start_period` + `retries` × `interval`: how long Docker would take at most to call the
/// container unhealthy.
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
    Ok(start + interval * check.retries.unwrap_or(RETRIES))
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
    }

    #[test]
    fn any_other_check_is_a_tcp_connect_with_a_warning() {
        for test in [
            &["CMD", "curl", "http://localhost:9999/health"][..],
            &["CMD", "curl", "http://elsewhere:8080/health"],
            &["CMD", "/bin/check"],
        ] {
            let (ready, note) = readiness(&check(test), Some(8080)).unwrap();
            assert_eq!(ready.http, None, "{test:?}");
            assert!(
                note.unwrap().contains("TCP connect on port 8080"),
                "{test:?}"
            );
        }
        let (_, note) = readiness(&Healthcheck::default(), Some(1)).unwrap();
        assert!(note.unwrap().contains("image's own HEALTHCHECK"));
        for quiet in [
            check(&["NONE"]),
            Healthcheck {
                disable: true,
                ..check(&["CMD", "x"])
            },
        ] {
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

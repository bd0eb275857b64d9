//! The run reports rendered from a hand-built journal: JSON round trip, JUnit XML, the HTML
//! page (self-contained, escaped, small for long runs) and the terminal summary.
#![cfg(feature = "report")]

use shakedown::report::{
    html, junit_xml, read_json, summary, write_all, write_json, CanaryStats, CheckKind, Event,
    EventKind, FaultWindow, Journal, Phase, RunOutcome,
};

/// A deterministic jitter in [0, 1).
struct Jitter(u64);

impl Jitter {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn at(at_ms: f64, what: EventKind) -> Event {
    Event { at_ms, what }
}

fn verdict(check: &str, kind: CheckKind, ok: bool, detail: &str) -> EventKind {
    EventKind::Verdict {
        check: check.into(),
        kind,
        ok,
        detail: detail.into(),
    }
}

/// A canary's figures as the engine computes them (over the run and per fault window).
fn stats(name: &str, events: &[Event], faults: &[FaultWindow]) -> CanaryStats {
    shakedown::scenario::canary_stats(events, name, faults)
}

/// Probes of one canary every `every_ms` over `duration_ms`, shaped by the faults: slow
/// during the latency fault, refused while payments is down.
fn probes(canary: &str, every_ms: f64, duration_ms: f64, jitter: &mut Jitter) -> Vec<Event> {
    let mut events = vec![];
    let mut t = 600.0 + every_ms * jitter.next();
    let is_payments = canary == "payments-replay";
    while t < duration_ms - 1500.0 {
        let base = if is_payments { 18.0 } else { 6.0 };
        let mut latency = base * (0.7 + 0.8 * jitter.next());
        let mut outcome: Result<u16, &str> = Ok(200);
        if (10_000.0..25_000.0).contains(&t) {
            latency += if is_payments { 800.0 } else { 40.0 } * (0.9 + 0.2 * jitter.next());
            if is_payments && jitter.next() < 0.1 {
                latency = 1000.0;
                outcome = Err("timed out after 1 s");
            }
        }
        if (35_000.0..46_500.0).contains(&t) {
            if is_payments {
                latency = 0.3 + 0.2 * jitter.next();
                outcome = Err("connection refused");
            } else if t < 36_500.0 {
                latency = 4.0;
                outcome = Ok(503);
            }
        }
        events.push(at(
            t,
            EventKind::Probe {
                canary: canary.into(),
                ok: outcome == Ok(200),
                latency_ms: latency,
                status: outcome.ok(),
                error: outcome.err().map(String::from),
                missed: false,
                lag_ms: 0.0,
            },
        ));
        t += every_ms;
    }
    events
}

/// A 60-second run: 2 canaries (~200 probes), a latency fault and a crash, recoveries, and
/// verdicts passed and failed.
fn journal() -> Journal {
    let mut jitter = Jitter(42);
    let duration = 60_000.0;
    let mut events = vec![
        at(
            0.0,
            EventKind::RunStarted {
                scenario: "checkout survives a slow payments link".into(),
                run_id: "run-7f3a".into(),
                backend: "process".into(),
                seed: 42,
                logs: Some("/var/lib/shakedown/runs/run-7f3a".into()),
            },
        ),
        at(
            12.0,
            EventKind::ServiceStarted {
                service: "payments".into(),
                address: "127.0.0.1:41002".into(),
            },
        ),
        at(
            15.0,
            EventKind::ServiceStarted {
                service: "orders".into(),
                address: "127.0.0.1:41001".into(),
            },
        ),
        at(
            340.0,
            EventKind::ServiceReady {
                service: "payments".into(),
                waited_ms: 328,
            },
        ),
        at(
            410.0,
            EventKind::ServiceReady {
                service: "orders".into(),
                waited_ms: 395,
            },
        ),
        at(
            480.0,
            EventKind::SteadyState {
                phase: Phase::Before,
                check: "orders healthy".into(),
                ok: true,
                detail: "GET /health answered 200".into(),
            },
        ),
        at(
            10_000.42,
            EventKind::FaultApplied {
                fault: "latency-1".into(),
                kind: "latency".into(),
                target: "orders->payments".into(),
                scheduled_ms: 10_000,
                late_ms: 0.42,
            },
        ),
        at(
            25_001.1,
            EventKind::FaultHealed {
                fault: "latency-1".into(),
                scheduled_ms: 25_000,
                late_ms: 1.1,
                cause: None,
            },
        ),
        at(
            26_200.0,
            EventKind::Recovery {
                fault: "latency-1".into(),
                canary: "orders-api".into(),
                recovered_ms: Some(450),
            },
        ),
        at(
            26_800.0,
            EventKind::Recovery {
                fault: "latency-1".into(),
                canary: "payments-replay".into(),
                recovered_ms: Some(1200),
            },
        ),
        at(
            35_012.5,
            EventKind::FaultApplied {
                fault: "crash-1".into(),
                kind: "crash".into(),
                target: "payments".into(),
                scheduled_ms: 35_000,
                late_ms: 12.5,
            },
        ),
        at(
            45_000.8,
            EventKind::FaultHealed {
                fault: "crash-1".into(),
                scheduled_ms: 45_000,
                late_ms: 0.8,
                cause: None,
            },
        ),
        at(
            45_000.8,
            EventKind::Recovery {
                fault: "crash-1".into(),
                canary: "orders-api".into(),
                recovered_ms: Some(0),
            },
        ),
        at(
            48_000.0,
            EventKind::Hypothesis {
                name: "payments recovers within 5 s".into(),
                ok: true,
                waited_ms: 1_500,
                detail: "payments answered 200 after 1.5 s".into(),
            },
        ),
        at(
            55_000.0,
            EventKind::Recovery {
                fault: "crash-1".into(),
                canary: "payments-replay".into(),
                recovered_ms: None,
            },
        ),
        at(
            58_600.0,
            EventKind::SteadyState {
                phase: Phase::After,
                check: "orders healthy".into(),
                ok: false,
                detail: "GET /health answered 503, expected 200".into(),
            },
        ),
    ];
    events.extend(probes("orders-api", 500.0, duration, &mut jitter));
    events.extend(probes("payments-replay", 750.0, duration, &mut jitter));
    let faults = vec![
        FaultWindow {
            fault: "latency-1".into(),
            kind: "latency".into(),
            target: "orders->payments".into(),
            start_ms: 10_000.42,
            end_ms: Some(25_001.1),
        },
        FaultWindow {
            fault: "crash-1".into(),
            kind: "crash".into(),
            target: "payments".into(),
            start_ms: 35_012.5,
            end_ms: Some(45_000.8),
        },
    ];
    let canaries = vec![
        stats("orders-api", &events, &faults),
        stats("payments-replay", &events, &faults),
    ];
    let rate = |c: &CanaryStats| {
        format!(
            "{:.1}% of {} probes succeeded (at least 95% required)",
            c.success_rate * 100.0,
            c.probes
        )
    };
    events.extend([
        at(
            58_900.0,
            verdict(
                "orders healthy before",
                CheckKind::SteadyState,
                true,
                "GET /health answered 200",
            ),
        ),
        at(
            58_900.0,
            verdict("orders-api", CheckKind::Canary, true, &rate(&canaries[0])),
        ),
        at(
            58_900.0,
            verdict(
                "payments-replay",
                CheckKind::Canary,
                false,
                &rate(&canaries[1]),
            ),
        ),
        at(
            58_900.0,
            verdict(
                "payments recovers within 5 s",
                CheckKind::Hypothesis,
                true,
                "payments answered 200 after 1.5 s",
            ),
        ),
        at(
            58_900.0,
            verdict(
                "orders healthy after",
                CheckKind::SteadyState,
                false,
                "GET /health answered 503, expected 200",
            ),
        ),
        at(
            59_400.0,
            EventKind::ServiceStopped {
                service: "orders".into(),
            },
        ),
        at(
            59_450.0,
            EventKind::ServiceStopped {
                service: "payments".into(),
            },
        ),
        at(
            60_000.0,
            EventKind::RunFinished {
                outcome: RunOutcome::Failed,
                duration_ms: 60_000,
            },
        ),
    ]);
    events.sort_by(|a, b| a.at_ms.total_cmp(&b.at_ms));
    Journal {
        scenario: "checkout survives a slow payments link".into(),
        run_id: "run-7f3a".into(),
        backend: "process".into(),
        seed: 42,
        outcome: RunOutcome::Failed,
        events,
        faults,
        canaries,
    }
}

/// The `<svg>…</svg>` elements of a page.
fn svgs(page: &str) -> Vec<&str> {
    let mut found = vec![];
    let mut rest = page;
    while let Some(start) = rest.find("<svg") {
        let end = rest[start..].find("</svg>").expect("an unclosed svg") + start + "</svg>".len();
        found.push(&rest[start..end]);
        rest = &rest[end..];
    }
    found
}

/// To look at the pages: `SHAKEDOWN_REPORT_SAMPLES=/tmp cargo test --test report_render`.
fn keep_sample(name: &str, page: &str) {
    if let Some(dir) = std::env::var_os("SHAKEDOWN_REPORT_SAMPLES") {
        std::fs::write(std::path::Path::new(&dir).join(name), page).unwrap();
    }
}

fn failed_probes(journal: &Journal) -> usize {
    journal
        .events
        .iter()
        .filter(|e| matches!(e.what, EventKind::Probe { ok: false, .. }))
        .count()
}

#[test]
fn should_build_a_realistic_journal() {
    let journal = journal();
    let probes: u64 = journal.canaries.iter().map(|c| c.probes).sum();
    assert!((190..=210).contains(&probes), "{probes} probes");
    assert!(failed_probes(&journal) > 10);
    assert!(journal.canaries[1].success_rate < 0.95);
    assert!(journal.canaries[0].success_rate >= 0.95);
}

#[test]
fn should_round_trip_the_journal_through_json() {
    let journal = journal();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.json");
    write_json(&journal, &path).unwrap();
    assert_eq!(read_json(&path).unwrap(), journal);

    let written = write_all(&journal, &dir.path().join("run-7f3a")).unwrap();
    assert_eq!(written.len(), 3);
    assert_eq!(read_json(&written[0]).unwrap(), journal);
    assert_eq!(
        std::fs::read_to_string(&written[1]).unwrap(),
        junit_xml(&journal)
    );
    assert_eq!(
        std::fs::read_to_string(&written[2]).unwrap(),
        html(&journal)
    );
}

#[test]
fn should_write_a_junit_case_per_verdict() {
    let journal = journal();
    let xml = junit_xml(&journal);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suites: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 1);
    let suite = suites[0];
    assert_eq!(
        suite.attribute("name"),
        Some("checkout survives a slow payments link")
    );
    assert_eq!(suite.attribute("tests"), Some("5"));
    assert_eq!(suite.attribute("failures"), Some("2"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    assert_eq!(suite.attribute("time"), Some("60.000"));

    let properties: Vec<_> = suite
        .descendants()
        .filter(|n| n.has_tag_name("property"))
        .map(|n| (n.attribute("name").unwrap(), n.attribute("value").unwrap()))
        .collect();
    for expected in [
        ("run_id", "run-7f3a"),
        ("backend", "process"),
        ("seed", "42"),
    ] {
        assert!(properties.contains(&expected), "{properties:?}");
    }

    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| {
            let failure = n
                .children()
                .find(|c| c.has_tag_name("failure"))
                .and_then(|f| f.attribute("message"));
            (
                n.attribute("classname").unwrap(),
                n.attribute("name").unwrap(),
                failure,
            )
        })
        .collect();
    let payments = format!(
        "{:.1}% of {} probes succeeded (at least 95% required)",
        journal.canaries[1].success_rate * 100.0,
        journal.canaries[1].probes
    );
    assert_eq!(
        cases,
        [
            ("steady_state", "orders healthy before", None),
            ("canary", "orders-api", None),
            ("canary", "payments-replay", Some(payments.as_str())),
            ("hypothesis", "payments recovers within 5 s", None),
            (
                "steady_state",
                "orders healthy after",
                Some("GET /health answered 503, expected 200")
            ),
        ]
    );
    insta::assert_snapshot!("junit", xml);
}

#[test]
fn should_render_a_self_contained_page_with_a_chart_per_canary() {
    let journal = journal();
    let page = html(&journal);
    keep_sample("report-sample.html", &page);

    let charts = svgs(&page);
    assert_eq!(charts.len(), 2);
    for chart in &charts {
        let svg = roxmltree::Document::parse(chart).unwrap();
        let shaded = svg
            .descendants()
            .filter(|n| n.has_tag_name("rect"))
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|c| c == "fault"))
            })
            .count();
        assert_eq!(shaded, 2, "one shaded window per fault");
        let labels: Vec<_> = svg
            .descendants()
            .filter(|n| {
                n.attribute("class")
                    .is_some_and(|c| c.starts_with("flabel"))
            })
            .filter_map(|n| n.text())
            .collect();
        assert_eq!(labels, ["latency-1", "crash-1"]);
    }
    assert_eq!(
        page.matches(r#"<circle class="f""#).count(),
        failed_probes(&journal)
    );

    for external in [
        "http://", "https://", "<script", "<link", "@import", "url(", " src=",
    ] {
        assert!(!page.contains(external), "the page references {external}");
    }
    for expected in [
        "<title>checkout survives a slow payments link · failed · shakedown</title>",
        r#"<span class="badge failed">failed</span>"#,
        "run-7f3a",
        "GET /health answered 503, expected 200",
        "+12.5 ms late",
        "never recovered",
        "<details><summary>Event journal",
        "fault crash-1: crash on payments, scheduled at 35.0 s, +12.5 ms late",
        "hypothesis payments recovers within 5 s: held after 1.5 s (payments answered 200 after 1.5 s)",
        "<h2>Service logs</h2>",
        r#"<a href="file:///var/lib/shakedown/runs/run-7f3a/payments.log">payments.log</a>"#,
    ] {
        assert!(page.contains(expected), "the page lacks {expected}");
    }
    assert!(page.matches("<tr").count() > journal.events.len());
}

#[test]
fn should_escape_what_users_wrote() {
    let mut journal = journal();
    journal.scenario = "<script>alert('pwned')</script> & co".into();
    journal.faults[0].fault = "\"><script>x</script>".into();
    journal.events.push(at(
        59_999.0,
        verdict(
            "<img onerror=x>",
            CheckKind::Hypothesis,
            false,
            "</td><script>",
        ),
    ));
    let page = html(&journal);
    assert!(!page.contains("<script"), "unescaped script");
    assert!(!page.contains("<img"), "unescaped img");
    assert!(page.contains("&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt; &amp; co"));
    for chart in svgs(&page) {
        roxmltree::Document::parse(chart).unwrap();
    }
    roxmltree::Document::parse(&junit_xml(&journal)).unwrap();
}

#[test]
fn should_summarise_the_run_for_the_terminal() {
    let journal = journal();
    let text = summary(&journal, false);
    assert!(!text.contains('\u{1b}'));
    insta::assert_snapshot!("summary", text);
    assert!(summary(&journal, true).contains('\u{1b}'));
}

#[test]
fn should_keep_the_page_of_a_long_run_small_without_dropping_failures() {
    let mut jitter = Jitter(7);
    let mut events = vec![];
    let duration = 5_000.0 * 120.0;
    for i in 0..5_000 {
        let t = i as f64 * 120.0;
        let canary = if i % 2 == 0 {
            "orders-api"
        } else {
            "payments-replay"
        };
        let in_fault = (200_000.0..260_000.0).contains(&t);
        let ok = if in_fault {
            jitter.next() < 0.4
        } else {
            jitter.next() > 0.01
        };
        let latency = if in_fault { 900.0 } else { 8.0 } * (0.5 + jitter.next());
        events.push(at(
            t,
            EventKind::Probe {
                canary: canary.into(),
                ok,
                latency_ms: latency,
                status: Some(if ok { 200 } else { 503 }),
                error: None,
                missed: false,
                lag_ms: 0.0,
            },
        ));
    }
    events.push(at(
        duration,
        EventKind::RunFinished {
            outcome: RunOutcome::Passed,
            duration_ms: duration as u64,
        },
    ));
    let faults = vec![FaultWindow {
        fault: "latency-1".into(),
        kind: "latency".into(),
        target: "orders->payments".into(),
        start_ms: 200_000.0,
        end_ms: Some(260_000.0),
    }];
    let journal = Journal {
        scenario: "long".into(),
        run_id: "run-long".into(),
        backend: "docker".into(),
        seed: 1,
        outcome: RunOutcome::Passed,
        canaries: vec![
            stats("orders-api", &events, &faults),
            stats("payments-replay", &events, &faults),
        ],
        events,
        faults,
    };
    let page = html(&journal);
    keep_sample("report-long.html", &page);
    assert!(page.len() < 600 * 1024, "{} bytes", page.len());
    assert_eq!(
        page.matches(r#"<circle class="f""#).count(),
        failed_probes(&journal)
    );
    for chart in svgs(&page) {
        let svg = roxmltree::Document::parse(chart).unwrap();
        for line in svg.descendants().filter(|n| n.has_tag_name("path")) {
            let class = line.attribute("class").unwrap();
            let numbers = line
                .attribute("d")
                .unwrap()
                .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
                .filter(|n| !n.is_empty())
                .count();
            assert!(numbers / 2 <= 1_000, "{class}: {} points", numbers / 2);
        }
    }
}

//! Hostile input, beyond contracts: the scenario loader, the proxy API's JSON bodies and the
//! command line never panic, whatever the text, the JSON or the arguments; what they accept
//! stays within the documented bounds. At least 100,000 cases per reader.
#![cfg(feature = "cli")]

use std::path::Path;

use proptest::prelude::*;
use serde_json::{json, Value};

/// `cases` cases, drawn with proptest's fast generator: the file runs 400,000 of them in a
/// debug build. The properties of one reader add up to at least 100,000 cases.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        rng_algorithm: proptest::test_runner::RngAlgorithm::XorShift,
        ..ProptestConfig::default()
    }
}

/// Applies byte cuts, insertions and replacements to `text`, as a careless edit or a torn
/// write would.
fn mangle(text: &str, edits: &[(usize, u8)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(at, b) in edits {
        if bytes.is_empty() {
            bytes.push(b);
            continue;
        }
        let at = at % bytes.len();
        match b % 3 {
            0 => {
                bytes.remove(at);
            }
            1 => bytes.insert(at, b),
            _ => bytes[at] = b,
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn edits() -> impl Strategy<Value = Vec<(usize, u8)>> {
    proptest::collection::vec((0usize..4000, any::<u8>()), 1..6)
}

mod scenario_loader {
    use super::*;
    use shakedown::chaos::Toxic;
    use shakedown::scenario::{parse, plan, start_order, Aim, Scenario};
    use toml::{Table, Value as Toml};

    const SHIPPED: [&str; 10] = [
        include_str!("../scenarios/bandwidth.toml"),
        include_str!("../scenarios/crash.toml"),
        include_str!("../scenarios/game-day.toml"),
        include_str!("../scenarios/http-errors.toml"),
        include_str!("../scenarios/jitter.toml"),
        include_str!("../scenarios/latency.toml"),
        include_str!("../scenarios/partition.toml"),
        include_str!("../scenarios/pause.toml"),
        include_str!("../scenarios/reset.toml"),
        include_str!("../scenarios/timeout.toml"),
    ];

    /// Every key a scenario file knows, anywhere.
    const KEYS: &[&str] = &[
        "name",
        "description",
        "seed",
        "warmup",
        "settle",
        "services",
        "links",
        "canaries",
        "steady_state",
        "hypotheses",
        "faults",
        "command",
        "image",
        "args",
        "port",
        "env",
        "ready",
        "depends_on",
        "http",
        "within",
        "from",
        "to",
        "method",
        "url",
        "json",
        "body",
        "headers",
        "timeout",
        "status",
        "equals",
        "success_rate",
        "p50",
        "p95",
        "p99",
        "max_consecutive_failures",
        "contract",
        "provider",
        "states",
        "every",
        "expect",
        "same_as",
        "kind",
        "start",
        "duration",
        "link",
        "service",
        "latency",
        "jitter",
        "direction",
        "toxicity",
        "rate",
        "path",
        "abort",
        "delay",
        "restart_after",
        "no_restart",
        "between",
        "one_way",
    ];

    /// Text that scenario values are made of, and what breaks them.
    const WORDS: &[&str] = &[
        "",
        " ",
        "0s",
        "1ms",
        "250ms",
        "1m 30s",
        "99999999999h",
        "18446744073709551615s",
        "1.5e300s",
        "-1s",
        "7 days",
        "168h",
        "168h 1ns",
        "ten seconds",
        "{{ }}",
        "{{",
        "}}",
        "{{ port }}",
        "{{ services.a }}",
        "{{ services.nope.addr }}",
        "{{ link.l }}",
        "{{ link.l.port }}",
        "{{ env.HOME }}",
        "{{ {{ }} }}",
        "http://",
        "http://{{ services.a }}/x",
        "http://127.0.0.1:1/",
        "https://x",
        "2xx",
        "5xx",
        "200",
        "999",
        "600",
        "1xx,2xx",
        "xx",
        "/",
        "/shipped",
        "~",
        "(x",
        "^/a",
        "[",
        ".*",
        "a",
        "b",
        "l",
        "orders",
        "payments",
        "nats",
        "latency",
        "jitter",
        "bandwidth",
        "reset",
        "timeout",
        "http",
        "crash",
        "pause",
        "partition",
        "earthquake",
        "upstream",
        "downstream",
        "both",
        "GET",
        "é",
        "\u{202e}",
        "\0",
        "\u{10ffff}",
        "a\nb",
        "\"",
        "'''",
        "\\",
    ];

    fn hostile_string() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => proptest::sample::select(WORDS).prop_map(str::to_string),
            2 => proptest::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
            1 => (1usize..2000).prop_map(|n| "x".repeat(n)),
        ]
    }

    fn hostile_leaf() -> impl Strategy<Value = Toml> {
        prop_oneof![
            4 => hostile_string().prop_map(Toml::String),
            2 => prop_oneof![
                Just(i64::MAX),
                Just(i64::MIN),
                Just(-1i64),
                Just(0),
                Just(65_536),
                Just(1 << 40),
                any::<i64>()
            ]
            .prop_map(Toml::Integer),
            1 => prop_oneof![
                Just(f64::NAN),
                Just(f64::INFINITY),
                Just(f64::NEG_INFINITY),
                Just(-0.0),
                Just(1e308),
                Just(0.5),
                Just(1.0000001),
                any::<f64>()
            ]
            .prop_map(Toml::Float),
            1 => any::<bool>().prop_map(Toml::Boolean),
        ]
    }

    /// A value for a known key: a leaf, a list, a table, or deeply nested lists.
    fn hostile_value() -> impl Strategy<Value = Toml> {
        let nested = (hostile_leaf(), 1usize..200)
            .prop_map(|(leaf, depth)| (0..depth).fold(leaf, |v, _| Toml::Array(vec![v])));
        let compound = hostile_leaf().prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..3).prop_map(Toml::Array),
                proptest::collection::vec((proptest::sample::select(KEYS), inner), 0..3).prop_map(
                    |kv| Toml::Table(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                ),
            ]
        });
        prop_oneof![8 => hostile_leaf(), 3 => compound, 1 => nested]
    }

    /// Paths to every value of a table (keys and array indices), in document order.
    fn paths(table: &Table) -> Vec<Vec<PathSeg>> {
        fn walk(v: &Toml, at: &mut Vec<PathSeg>, out: &mut Vec<Vec<PathSeg>>) {
            out.push(at.clone());
            match v {
                Toml::Table(t) => {
                    for (k, v) in t {
                        at.push(PathSeg::Key(k.clone()));
                        walk(v, at, out);
                        at.pop();
                    }
                }
                Toml::Array(a) => {
                    for (i, v) in a.iter().enumerate() {
                        at.push(PathSeg::Index(i));
                        walk(v, at, out);
                        at.pop();
                    }
                }
                _ => {}
            }
        }
        let mut out = Vec::new();
        walk(&Toml::Table(table.clone()), &mut Vec::new(), &mut out);
        out
    }

    #[derive(Clone, Debug)]
    enum PathSeg {
        Key(String),
        Index(usize),
    }

    fn at_mut<'a>(v: &'a mut Toml, path: &[PathSeg]) -> Option<&'a mut Toml> {
        path.iter().try_fold(v, |v, seg| match (seg, v) {
            (PathSeg::Key(k), Toml::Table(t)) => t.get_mut(k),
            (PathSeg::Index(i), Toml::Array(a)) => a.get_mut(*i),
            _ => None,
        })
    }

    /// The shipped scenarios as tables, and the paths to their values.
    fn shipped_tables() -> &'static [(Table, Vec<Vec<PathSeg>>)] {
        static TABLES: std::sync::OnceLock<Vec<(Table, Vec<Vec<PathSeg>>)>> =
            std::sync::OnceLock::new();
        TABLES.get_or_init(|| {
            SHIPPED
                .iter()
                .map(|text| {
                    let table: Table = toml::from_str(text).expect("a shipped scenario");
                    let paths = paths(&table);
                    (table, paths)
                })
                .collect()
        })
    }

    /// A shipped scenario with some values replaced, and some known keys added where they
    /// may or may not belong.
    fn edited(which: usize, edits: &[(usize, Option<&str>, Toml)]) -> Option<String> {
        let (table, all) = &shipped_tables()[which % SHIPPED.len()];
        let mut root = Toml::Table(table.clone());
        for (at, key, value) in edits {
            let path = &all[at % all.len()];
            match (at_mut(&mut root, path)?, key) {
                (Toml::Table(t), Some(key)) => {
                    t.insert(key.to_string(), value.clone());
                }
                (slot, _) if !path.is_empty() => *slot = value.clone(),
                _ => {}
            }
        }
        match root {
            Toml::Table(t) => toml::to_string(&t).ok(),
            _ => None,
        }
    }

    /// The fault kinds.
    const KINDS: &[&str] = &[
        "latency",
        "jitter",
        "bandwidth",
        "reset",
        "timeout",
        "http",
        "crash",
        "pause",
        "partition",
    ];

    /// A small sound scenario (two services, a link, maybe a canary, faults of any kind)
    /// with up to three known keys set to hostile values, in any of its tables: the loader's
    /// checks, densely, at a fraction of the cost of a shipped scenario.
    fn small_scenario() -> impl Strategy<Value = String> {
        let edit = || (any::<u8>(), proptest::sample::select(KEYS), hostile_value());
        let edits = prop_oneof![
            1 => Just(Vec::new()),
            3 => proptest::collection::vec(edit(), 1..2),
            1 => proptest::collection::vec(edit(), 2..4),
        ];
        (
            any::<bool>(),
            proptest::collection::vec(proptest::sample::select(KINDS), 0..3),
            edits,
        )
            .prop_map(|(canary, kinds, edits)| {
                // Tables: the top, service a, link l, the canary, then the faults.
                let mut tables: Vec<(String, Vec<(String, String)>)> = vec![
                    (String::new(), vec![("name".into(), "\"x\"".into())]),
                    (
                        "[services.a]\n".into(),
                        vec![("command".into(), "[\"true\"]".into())],
                    ),
                    (
                        "[links.l]\n".into(),
                        vec![
                            ("from".into(), "\"a\"".into()),
                            ("to".into(), "\"b\"".into()),
                        ],
                    ),
                ];
                if canary {
                    let http = "{ url = \"http://127.0.0.1:1/\" }";
                    tables.push((
                        "[[canaries]]\n".into(),
                        vec![
                            ("name".into(), "\"c\"".into()),
                            ("http".into(), http.into()),
                        ],
                    ));
                }
                for kind in kinds {
                    let target: &[(&str, &str)] = match kind {
                        "crash" | "pause" => &[("service", "\"a\"")],
                        "partition" => &[("between", "[[\"a\"], [\"b\"]]")],
                        "latency" => &[("link", "\"l\""), ("latency", "\"1s\"")],
                        "jitter" => &[("link", "\"l\""), ("jitter", "\"1s\"")],
                        "bandwidth" => &[("link", "\"l\""), ("rate", "1")],
                        "http" => &[("link", "\"l\""), ("status", "503")],
                        _ => &[("link", "\"l\"")],
                    };
                    let mut fields = vec![
                        ("kind".to_string(), format!("{kind:?}")),
                        ("start".into(), "\"1s\"".into()),
                    ];
                    fields.extend(target.iter().map(|(k, v)| (k.to_string(), v.to_string())));
                    tables.push(("[[faults]]\n".into(), fields));
                }
                let n = tables.len();
                for (which, key, value) in edits {
                    let fields = &mut tables[usize::from(which) % n].1;
                    fields.retain(|(k, _)| k != key);
                    fields.push((key.to_string(), value.to_string()));
                }
                let mut text: String = tables
                    .iter()
                    .take(2)
                    .map(|(header, fields)| {
                        let body: String =
                            fields.iter().map(|(k, v)| format!("{k} = {v}\n")).collect();
                        format!("{header}{body}")
                    })
                    .collect();
                text += "[services.b]\ncommand = [\"true\"]\n";
                for (header, fields) in tables.iter().skip(2) {
                    text += header;
                    for (k, v) in fields {
                        text += &format!("{k} = {v}\n");
                    }
                }
                text
            })
    }

    /// The loader's contract: a scenario, or problems located in the text; and what it
    /// accepts can be planned, with toxics the proxy API would accept too.
    fn check(text: &str) -> Result<(), TestCaseError> {
        // Beside the shipped scenarios, so that their `system = "systems/shop.toml"` is read.
        let file = Path::new("scenarios/hostile.toml");
        match parse(text, file) {
            Ok(scenario) => planned(&scenario)?,
            Err(problems) => {
                prop_assert!(!problems.is_empty());
                let lines = text.split('\n').count();
                for p in &problems {
                    // A problem of the shared system is located there (the shipped one has none
                    // of its own; a hostile text can only clash with it).
                    let system = Path::new("scenarios/systems/shop.toml");
                    prop_assert!(p.file == file || p.file == system, "{p}");
                    let lines = if p.file == file { lines } else { usize::MAX };
                    prop_assert!(p.line >= 1 && p.line <= lines, "{p} ({lines} lines)");
                    prop_assert!(p.column >= 1, "{p}");
                    prop_assert!(!p.message.is_empty(), "{p}");
                }
            }
        }
        Ok(())
    }

    fn planned(scenario: &Scenario) -> Result<(), TestCaseError> {
        let order = start_order(scenario);
        prop_assert!(order.len() <= scenario.services.len());
        for seed in [0, u64::MAX] {
            let plan = plan(scenario, seed);
            prop_assert_eq!(plan.len(), scenario.faults.len());
            for p in plan {
                prop_assert!(p.end.is_none_or(|end| end >= p.start));
                let _ = p.aim.label();
                if let Aim::Link { toxics, .. } = &p.aim {
                    for t in toxics {
                        let again = Toxic::from_json(&t.to_json());
                        prop_assert_eq!(again.as_ref(), Ok(t), "{}", p.id);
                    }
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(config(40_000))]

        #[test]
        fn should_locate_problems_in_any_text(
            text in prop_oneof![
                any::<String>(),
                "[\\[\\]{}=\"'#\n ,.a-z0-9_-]{0,80}",
                "(\\[?\\[(faults|services\\.a|links\\.l)\\]\\]?\n([a-z_]{1,8} = (\"[a-z0-9 {}.]{0,10}\"|-?[0-9]{1,20}|\\[\\]|\\{\\})\n){0,4}){1,4}",
            ]
        ) {
            check(&text)?;
        }
    }

    proptest! {
        #![proptest_config(config(40_000))]

        #[test]
        fn should_accept_or_locate_any_values_in_a_small_scenario(text in small_scenario()) {
            check(&text)?;
        }
    }

    proptest! {
        #![proptest_config(config(10_000))]

        #[test]
        fn should_locate_problems_in_mangled_shipped_scenarios(which in 0usize..10, edits in edits()) {
            check(&mangle(SHIPPED[which], &edits))?;
        }
    }

    proptest! {
        #![proptest_config(config(10_000))]

        #[test]
        fn should_accept_or_locate_any_values_in_shipped_scenarios(
            which in 0usize..10,
            edits in proptest::collection::vec(
                (any::<usize>(), proptest::option::weighted(0.3, proptest::sample::select(KEYS)), hostile_value()),
                1..4,
            )
        ) {
            if let Some(text) = edited(which, &edits) {
                check(&text)?;
            }
        }
    }

    #[test]
    fn should_load_every_shipped_scenario() {
        for text in SHIPPED {
            let file = Path::new("scenarios/shipped.toml");
            let scenario = parse(text, file).expect("a shipped scenario");
            planned(&scenario).unwrap();
        }
    }

    #[test]
    fn should_refuse_deeply_nested_values_without_overflowing() {
        for depth in [1_000, 100_000] {
            let arrays = format!("name = {}{}\n", "[".repeat(depth), "]".repeat(depth));
            check(&arrays).unwrap();
            let tables = format!("name = {}{}\n", "{ a = ".repeat(depth), "}".repeat(depth));
            check(&tables).unwrap();
            let keys = format!("{} = 1\n", vec!["a"; depth].join("."));
            check(&keys).unwrap();
        }
    }
}

mod proxy_api {
    use super::*;
    use shakedown::chaos::{handle, Registry, Toxic, ToxicKind, UpstreamPolicy, MAX_TOXIC_MILLIS};
    use std::time::Duration;

    /// The longest time a toxic may name: a day.
    const DAY: Duration = Duration::from_millis(MAX_TOXIC_MILLIS);

    const TOXIC_KEYS: &[&str] = &[
        "name",
        "type",
        "stream",
        "toxicity",
        "attributes",
        "latency",
        "jitter",
        "rate",
        "delay",
        "timeout",
        "average_size",
        "size_variation",
        "bytes",
        "probability",
        "retransmit",
        "method",
        "path",
        "status",
        "body",
        "abort",
    ];

    const PROXY_KEYS: &[&str] = &["name", "listen", "upstream", "enabled", "toxics"];

    /// Strings of the API's vocabulary. Addresses are loopback, unspecified or literal IPs
    /// with port 0 or a bad port, so that no case resolves a name through DNS, or waits for
    /// a port someone else holds.
    const WORDS: &[&str] = &[
        "",
        "latency",
        "bandwidth",
        "slow_close",
        "timeout",
        "reset_peer",
        "slicer",
        "limit_data",
        "loss",
        "http",
        "teleport",
        "upstream",
        "downstream",
        "sideways",
        "p",
        "t",
        "a b",
        "é",
        "x/y",
        "(",
        "^/orders",
        "[",
        "GET",
        "down",
        "127.0.0.1:0",
        "localhost:0",
        "[::1]:0",
        "0.0.0.0:0",
        "10.0.0.1:0",
        "127.0.0.1:99999",
        "127.0.0.1",
        "127.0.0.1:1",
        ":0",
        "[::1]",
        "1e3",
        "-1",
        "null",
        "\0",
    ];

    fn word() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => proptest::sample::select(WORDS).prop_map(str::to_string),
            1 => "[a-z_.-]{0,70}",
            1 => "[^:]{0,8}",
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            Just(json!(0)),
            Just(json!(1)),
            Just(json!(-1)),
            Just(json!(0.5)),
            Just(json!(1.5)),
            Just(json!(86_400_000)),
            Just(json!(86_400_001)),
            Just(json!(i64::MAX)),
            Just(json!(i64::MIN)),
            Just(json!(u64::MAX)),
            Just(json!(1e300)),
            Just(json!(-1e300)),
            Just(json!(9_223_372_036_854_775_807u64)),
            any::<u64>().prop_map(|n| json!(n)),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
        ]
    }

    fn arb_json(keys: &'static [&'static str]) -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            word().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 5, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::vec((proptest::sample::select(keys), inner), 0..5).prop_map(
                    |kv| Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                ),
            ]
        })
    }

    /// One sound toxic of each type.
    fn sound_toxics() -> Vec<Value> {
        vec![
            json!({"name": "lat", "type": "latency", "stream": "upstream", "toxicity": 0.5, "attributes": {"latency": 100, "jitter": 5}}),
            json!({"type": "bandwidth", "attributes": {"rate": 10}}),
            json!({"type": "slow_close", "attributes": {"delay": 10}}),
            json!({"type": "timeout", "attributes": {"timeout": 10}}),
            json!({"type": "reset_peer", "attributes": {"timeout": 10}}),
            json!({"type": "slicer", "attributes": {"average_size": 10, "size_variation": 5, "delay": 10}}),
            json!({"type": "limit_data", "attributes": {"bytes": 10}}),
            json!({"type": "loss", "attributes": {"probability": 0.25, "retransmit": 200}}),
            json!({"name": "h", "type": "http", "attributes": {"method": "GET", "path": "^/orders", "status": 503, "body": "down"}}),
            json!({"type": "http", "attributes": {"abort": true}}),
            json!({"type": "http", "attributes": {"delay": 100}}),
        ]
    }

    /// A sound toxic with a few of its fields or attributes replaced or added.
    fn mutated_toxic() -> impl Strategy<Value = Value> {
        let sound = sound_toxics();
        (
            0..sound.len(),
            proptest::collection::vec(
                (
                    any::<bool>(),
                    proptest::sample::select(TOXIC_KEYS),
                    arb_json(TOXIC_KEYS),
                ),
                1..4,
            ),
        )
            .prop_map(move |(which, edits)| {
                let mut v = sound[which].clone();
                for (in_attributes, key, value) in edits {
                    if in_attributes {
                        if let Some(a) = v.get_mut("attributes").and_then(Value::as_object_mut) {
                            a.insert(key.to_string(), value);
                            continue;
                        }
                    }
                    v[key] = value;
                }
                v
            })
    }

    fn any_toxic_body() -> impl Strategy<Value = Value> {
        prop_oneof![arb_json(TOXIC_KEYS), mutated_toxic()]
    }

    /// The documented bounds of an accepted toxic; and it reads back as itself.
    fn within_bounds(t: &Toxic) -> Result<(), TestCaseError> {
        prop_assert!((0.0..=1.0).contains(&t.toxicity), "{t:?}");
        let times: Vec<Duration> = match &t.kind {
            ToxicKind::Latency { latency, jitter } => vec![*latency, *jitter],
            ToxicKind::SlowClose { delay } => vec![*delay],
            ToxicKind::Timeout { timeout } | ToxicKind::ResetPeer { timeout } => vec![*timeout],
            ToxicKind::Slicer { delay, .. } => vec![*delay],
            ToxicKind::Loss {
                probability,
                retransmit,
            } => {
                prop_assert!((0.0..=1.0).contains(probability), "{t:?}");
                vec![*retransmit]
            }
            ToxicKind::Http(f) => {
                if let shakedown::chaos::HttpAction::Respond { status, .. } = f.action {
                    prop_assert!((100..=599).contains(&status), "{t:?}");
                }
                match f.action {
                    shakedown::chaos::HttpAction::Delay(d) => vec![d],
                    _ => vec![],
                }
            }
            ToxicKind::Bandwidth { .. } | ToxicKind::LimitData { .. } => vec![],
        };
        for d in times {
            prop_assert!(d <= DAY, "{t:?}");
        }
        let again = Toxic::from_json(&t.to_json());
        prop_assert_eq!(again.as_ref(), Ok(t));
        Ok(())
    }

    proptest! {
        #![proptest_config(config(40_000))]

        #[test]
        fn should_read_any_toxic_body_within_bounds(body in any_toxic_body()) {
            if let Ok(t) = Toxic::from_json(&body) {
                within_bounds(&t)?;
            }
        }
    }

    proptest! {
        #![proptest_config(config(40_000))]

        #[test]
        fn should_update_any_toxic_within_bounds(which in 0usize..11, body in any_toxic_body()) {
            let current = Toxic::from_json(&sound_toxics()[which]).unwrap();
            if let Ok(t) = current.updated(&body) {
                within_bounds(&t)?;
                prop_assert_eq!(&t.name, &current.name);
            }
        }
    }

    /// A registry with one proxy, `p`, listening on a free loopback port.
    fn registry_with_proxy() -> Registry {
        let registry = Registry::new(UpstreamPolicy::default(), 7);
        let reply = handle(
            &registry,
            "POST",
            "/proxies",
            br#"{"name": "p", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}"#,
        );
        assert_eq!(reply.status(), 201);
        registry
    }

    fn status(r: &Registry, method: &str, path: &str, body: &[u8]) -> u16 {
        handle(r, method, path, body).status().as_u16()
    }

    /// The body of an answer, as JSON (`Full` bodies are ready at once).
    fn answer(r: &Registry, method: &str, path: &str) -> Value {
        use http_body_util::BodyExt as _;
        let body = handle(r, method, path, b"").into_body();
        let bytes = shakedown::chaos::runtime()
            .block_on(body.collect())
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    }

    proptest! {
        #![proptest_config(config(20_000))]

        /// Toxic bodies through the API, as JSON or mangled bytes: answered 2xx or 4xx, and
        /// whatever was added reads back within bounds.
        #[test]
        fn should_answer_any_toxic_body_through_the_api(
            body in prop_oneof![
                any_toxic_body().prop_map(|v| v.to_string().into_bytes()),
                (mutated_toxic(), edits()).prop_map(|(v, e)| mangle(&v.to_string(), &e).into_bytes()),
                proptest::collection::vec(any::<u8>(), 0..64),
            ],
            update in any_toxic_body(),
        ) {
            thread_local!(static REGISTRY: Registry = registry_with_proxy());
            REGISTRY.with(|r| -> Result<(), TestCaseError> {
                let code = status(r, "POST", "/proxies/p/toxics", &body);
                prop_assert!(code == 200 || (400..500).contains(&code), "{code}");
                let toxics = answer(r, "GET", "/proxies/p/toxics");
                for t in toxics.as_array().into_iter().flatten() {
                    within_bounds(&Toxic::from_json(t).map_err(|e| TestCaseError::fail(e.to_string()))?)?;
                    let name = t["name"].as_str().unwrap_or_default().to_string();
                    let path = format!("/proxies/p/toxics/{name}");
                    let code = status(r, "PATCH", &path, update.to_string().as_bytes());
                    prop_assert!(code == 200 || (400..500).contains(&code), "{code}");
                    let t = answer(r, "GET", &path);
                    within_bounds(&Toxic::from_json(&t).map_err(|e| TestCaseError::fail(e.to_string()))?)?;
                    prop_assert_eq!(status(r, "DELETE", &path, b""), 204);
                }
                Ok(())
            })?;
        }
    }

    /// A proxy body: anything, or a sound one with fields replaced.
    fn proxy_body() -> impl Strategy<Value = Value> {
        let sound = json!({"name": "q", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9", "enabled": true});
        let mutated = proptest::collection::vec(
            (proptest::sample::select(PROXY_KEYS), arb_json(PROXY_KEYS)),
            1..3,
        )
        .prop_map(move |edits| {
            let mut v = sound.clone();
            for (k, value) in edits {
                v[k] = value;
            }
            v
        });
        prop_oneof![arb_json(PROXY_KEYS), mutated]
    }

    /// The registry of this thread, with a proxy `q` that updates go to.
    fn with_registry<T>(f: impl FnOnce(&Registry) -> T) -> T {
        thread_local!(static REGISTRY: Registry = Registry::new(UpstreamPolicy::default(), 7));
        REGISTRY.with(|r| {
            let q = br#"{"name": "q", "listen": "127.0.0.1:0", "upstream": "127.0.0.1:9"}"#;
            if status(r, "GET", "/proxies/q", b"") == 404 {
                assert_eq!(status(r, "POST", "/proxies", q), 201);
            }
            f(r)
        })
    }

    proptest! {
        #![proptest_config(config(100_000))]

        /// Create, update and populate bodies, as JSON or bytes: answered 2xx or 4xx; the
        /// proxies they made are removed again.
        #[test]
        fn should_answer_any_proxy_body(
            route in proptest::sample::select(&[
                ("POST", "/proxies"),
                ("POST", "/proxies/q"),
                ("PATCH", "/proxies/q"),
                ("POST", "/populate"),
            ][..]),
            body in prop_oneof![
                4 => proxy_body().prop_map(|v| v.to_string().into_bytes()),
                2 => proptest::collection::vec(proxy_body(), 0..3).prop_map(|l| Value::Array(l).to_string().into_bytes()),
                1 => proptest::collection::vec(any::<u8>(), 0..32),
            ],
        ) {
            with_registry(|r| -> Result<(), TestCaseError> {
                let (method, path) = route;
                let code = status(r, method, path, &body);
                let ok = (200..300).contains(&code) || (400..500).contains(&code);
                prop_assert!(ok, "{method} {path}: {code}");
                if path != "/proxies/q" {
                    let proxies = answer(r, "GET", "/proxies");
                    for name in proxies.as_object().into_iter().flat_map(|m| m.keys()) {
                        if name != "q" {
                            prop_assert_eq!(status(r, "DELETE", &format!("/proxies/{name}"), b""), 204);
                        }
                    }
                }
                Ok(())
            })?;
        }
    }
}

mod command_line {
    use super::*;
    use clap::{CommandFactory as _, FromArgMatches as _};
    use shakedown::cli::{Cli, Outcome};
    use std::ffi::OsString;

    /// Subcommands, flags and values of `shakedown`, and what breaks them.
    const WORDS: &[&str] = &[
        "contract",
        "check",
        "mock",
        "verify",
        "publish",
        "can-i-deploy",
        "record-deployment",
        "proxy",
        "run",
        "validate",
        "list",
        "clean",
        "schema",
        "diff",
        "help",
        "--port",
        "-p",
        "--host",
        "--seed",
        "--concurrency",
        "--timeout",
        "--busy-poll",
        "--backend",
        "--workers",
        "--redact-header",
        "--results-dir",
        "--contracts",
        "--provider",
        "--base-url",
        "--state-url",
        "--ignore-states",
        "--messages-url",
        "--filter-consumer",
        "--filter-description",
        "--filter-state",
        "--strict",
        "--record",
        "--provider-version",
        "--pending-new",
        "--json",
        "--junit",
        "--version",
        "--pacticipant",
        "--to",
        "--environment",
        "--upgrade",
        "-q",
        "--quiet",
        "--dry-run",
        "--no-live",
        "--state-dir",
        "--report",
        "--all",
        "--run",
        "--no-docker",
        "--config",
        "--allow-upstream",
        "--allow-any-upstream",
        "--allow-listen",
        "--state",
        "-V",
        "--",
        "-",
        "=",
        "--=",
        "--port=",
        "--seed=-1",
        "0",
        "-1",
        "65535",
        "65536",
        "18446744073709551615",
        "18446744073709551616",
        "99999999999h",
        "200us",
        "1e9",
        "docker",
        "process",
        "x.json",
        "scenarios",
        "",
        " ",
        "é",
        "\0",
    ];

    fn arg() -> impl Strategy<Value = OsString> {
        use std::os::unix::ffi::OsStringExt as _;
        prop_oneof![
            12 => proptest::sample::select(WORDS).prop_map(OsString::from),
            2 => proptest::collection::vec(any::<char>(), 0..10).prop_map(|c| OsString::from(String::from_iter(c))),
            1 => (proptest::sample::select(WORDS), proptest::sample::select(WORDS)).prop_map(|(f, v)| OsString::from(format!("{f}={v}"))),
            1 => proptest::collection::vec(any::<u8>(), 0..8).prop_map(OsString::from_vec),
        ]
    }

    fn argv() -> impl Strategy<Value = Vec<OsString>> {
        proptest::collection::vec(arg(), 0..8).prop_map(|args| {
            std::iter::once(OsString::from("shakedown"))
                .chain(args)
                .collect()
        })
    }

    proptest! {
        #![proptest_config(config(100_000))]

        /// Any argument vector parses, or is a usage error (exit 2) or a help or version
        /// request (exit 0), whose text renders. (What `Cli::try_parse_from` does, with one
        /// command for every case, as a REPL would: building it checks its whole definition
        /// in a debug build.)
        #[test]
        fn should_parse_or_explain_any_arguments(argv in argv()) {
            thread_local!(static COMMAND: std::cell::RefCell<clap::Command> = std::cell::RefCell::new(Cli::command()));
            let parsed = COMMAND
                .with(|c| c.borrow_mut().try_get_matches_from_mut(&argv))
                .and_then(|mut m| Cli::from_arg_matches_mut(&mut m));
            match parsed {
                Ok(cli) => {
                    let _ = format!("{cli:?}");
                }
                Err(e) => {
                    let code = Outcome::from_clap(&e).code();
                    prop_assert!(code == 0 || code == 2, "{code}");
                    prop_assert!(!e.render().to_string().is_empty());
                }
            }
        }
    }

    #[test]
    fn should_have_a_consistent_command_definition() {
        Cli::command().debug_assert();
    }
}

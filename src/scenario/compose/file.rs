//! The Docker Compose file as written: the keys shakedown imports, each in every form Compose
//! accepts (a command as a string or a list, an environment as a map or `KEY=VALUE` lines,
//! ports in short and long syntax, `depends_on` as a list or a map with conditions). Other
//! keys are not read here: [`super::import`] names them in warnings.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

/// The parts of a Compose file shakedown reads.
#[derive(Debug, Default, Deserialize)]
pub struct ComposeFile {
    /// The services, by name.
    #[serde(default)]
    pub services: BTreeMap<String, ComposeService>,
}

/// The parts of one Compose service shakedown reads.
#[derive(Debug, Default, Deserialize)]
pub struct ComposeService {
    /// `image`.
    #[serde(default)]
    pub image: Option<String>,
    /// `command`: the arguments given to the image's entrypoint.
    #[serde(default)]
    pub command: Option<Words>,
    /// `environment`.
    #[serde(default)]
    pub environment: Environment,
    /// `ports` (published) …
    #[serde(default)]
    pub ports: Vec<PortSpec>,
    /// … and `expose` (not published): both name ports the container listens on.
    #[serde(default)]
    pub expose: Vec<PortSpec>,
    /// `depends_on`.
    #[serde(default)]
    pub depends_on: DependsOn,
    /// `healthcheck`.
    #[serde(default)]
    pub healthcheck: Option<Healthcheck>,
}

/// A command: `"a b 'c d'"` (split as a shell would, without expansions) or `[a, b, "c d"]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Words(pub Vec<String>);

/// `environment`, in file order: `None` for a variable given without a value (Compose takes
/// it from the shell that runs it).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Environment(pub Vec<(String, Option<String>)>);

/// One entry of `ports` or `expose`.
#[derive(Debug, Clone, PartialEq)]
pub struct PortSpec {
    /// The port in the container (the first of a range).
    pub container: u16,
    /// The last port of a range (`8080-8081`), if one was given.
    pub range_end: Option<u16>,
    /// The host port (or range) it is published on, if one was named.
    pub published: Option<String>,
    /// `tcp` unless written otherwise.
    pub protocol: String,
}

/// `depends_on`: each dependency with its condition (`None` in the list form).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DependsOn(pub Vec<(String, Option<String>)>);

/// `healthcheck`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Healthcheck {
    /// `test`: `["CMD", …]`, `["CMD-SHELL", "…"]`, `["NONE"]`, or a string (CMD-SHELL).
    #[serde(default)]
    pub test: Option<Test>,
    /// Time between checks (Compose default 30s).
    #[serde(default)]
    pub interval: Option<String>,
    /// How long one check may take (Compose default 30s).
    #[serde(default)]
    pub timeout: Option<String>,
    /// Failures in a row before the container is unhealthy (Compose default 3).
    #[serde(default)]
    pub retries: Option<u32>,
    /// Time to start before failures count (Compose default 0s).
    #[serde(default)]
    pub start_period: Option<String>,
    /// Time between checks during the start period.
    #[serde(default)]
    pub start_interval: Option<String>,
    /// No healthcheck at all.
    #[serde(default)]
    pub disable: bool,
}

/// A healthcheck's `test`, as a list (a string becomes `["CMD-SHELL", string]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Test(pub Vec<String>);

/// A scalar written where a string is expected (`PORT: 8080`, `DEBUG: true`), as text.
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, number or boolean")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of scalars, each as text.
fn scalars<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<Vec<String>, A::Error> {
    let mut out = Vec::new();
    while let Some(Scalar(s)) = seq.next_element()? {
        out.push(s);
    }
    Ok(out)
}

impl<'de> Deserialize<'de> for Words {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Words;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a command: a string or a list of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Words, E> {
                split_words(v).map(Words).map_err(E::custom)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Words, A::Error> {
                scalars(seq).map(Words)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Test {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Test;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a healthcheck test: a string or a list such as [\"CMD\", \"…\"]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Test, E> {
                Ok(Test(vec!["CMD-SHELL".into(), v.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Test, A::Error> {
                scalars(seq).map(Test)
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Environment {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Environment;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an environment: a map of NAME: value, or a list of \"NAME=value\"")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Environment, E> {
                Ok(Environment::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Environment, A::Error> {
                let mut vars = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Option<Scalar>>()? {
                    vars.push((k, v.map(|s| s.0)));
                }
                Ok(Environment(vars))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Environment, A::Error> {
                let vars = scalars(seq)?
                    .into_iter()
                    .map(|line| match line.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (line, None),
                    });
                Ok(Environment(vars.collect()))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for DependsOn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Condition {
            #[serde(default)]
            condition: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DependsOn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("depends_on: a list of services, or a map of service: { condition }")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<DependsOn, A::Error> {
                Ok(DependsOn(
                    scalars(seq)?.into_iter().map(|s| (s, None)).collect(),
                ))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<DependsOn, A::Error> {
                let mut deps = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Option<Condition>>()? {
                    deps.push((k, v.and_then(|c| c.condition)));
                }
                Ok(DependsOn(deps))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for PortSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Long {
            target: u16,
            #[serde(default)]
            published: Option<Scalar>,
            #[serde(default)]
            protocol: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PortSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a port: 8080, \"8080\", \"3000:8080\", \"127.0.0.1:3000:8080/tcp\", or \
                     { target: 8080, published: 3000 }",
                )
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PortSpec, E> {
                let container =
                    u16::try_from(v).map_err(|_| E::custom(bad_port(&v.to_string())))?;
                Ok(PortSpec {
                    container,
                    range_end: None,
                    published: None,
                    protocol: "tcp".into(),
                })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PortSpec, E> {
                short_port(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<PortSpec, A::Error> {
                let long = Long::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Ok(PortSpec {
                    container: long.target,
                    range_end: None,
                    published: long.published.map(|s| s.0),
                    protocol: long.protocol.unwrap_or_else(|| "tcp".into()),
                })
            }
        }
        d.deserialize_any(V)
    }
}

fn bad_port(p: &str) -> String {
    format!("{p:?} is not a port (1 to 65535)")
}

/// Short port syntax: `[[HOST_IP:]HOST_PORT:]CONTAINER_PORT[/PROTOCOL]`, ports or ranges.
fn short_port(text: &str) -> Result<PortSpec, String> {
    let (ports, protocol) = text.split_once('/').unwrap_or((text, "tcp"));
    let (published, container) = match ports.rsplit_once(':') {
        Some((host, container)) => (Some(host.rsplit(':').next().unwrap_or(host)), container),
        None => (None, ports),
    };
    let number = |p: &str| p.trim().parse::<u16>().ok().filter(|&n| n > 0);
    let (first, last) = match container.split_once('-') {
        Some((a, b)) => (number(a), Some(number(b).ok_or_else(|| bad_port(b))?)),
        None => (number(container), None),
    };
    Ok(PortSpec {
        container: first.ok_or_else(|| bad_port(container))?,
        range_end: last,
        published: published.filter(|p| !p.is_empty()).map(str::to_string),
        protocol: protocol.to_string(),
    })
}

/// Splits a command string into words as a shell would (quotes and backslashes), without
/// expanding anything, as Compose does.
pub fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '\'' | '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some(q) if q == c => break,
                        Some('\\') if c == '"' => w.extend(chars.next()),
                        Some(other) => w.push(other),
                        None => return Err(format!("unclosed {c} in command {text:?}")),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_as_a_shell_would() {
        let words = split_words(r#"serve --name 'a b' "c \"d\"" e\ f"#).unwrap();
        assert_eq!(words, ["serve", "--name", "a b", "c \"d\"", "e f"]);
        assert!(split_words("x 'open").unwrap_err().contains("unclosed '"));
    }

    #[test]
    fn short_ports_give_the_container_port() {
        let p = |t: &str| short_port(t).unwrap();
        assert_eq!(p("8080").container, 8080);
        assert_eq!(p("8080").published, None);
        assert_eq!(p("3000:8080").published.as_deref(), Some("3000"));
        let full = p("127.0.0.1:3000:8080/udp");
        assert_eq!(
            (full.container, full.published.as_deref()),
            (8080, Some("3000"))
        );
        assert_eq!(full.protocol, "udp");
        assert_eq!(p("127.0.0.1::8080").published, None);
        assert_eq!(p("9000-9001").range_end, Some(9001));
        assert!(short_port("http").unwrap_err().contains("not a port"));
        assert!(short_port("70000").is_err());
    }
}

//! Matching rules: the matcher vocabulary of Pact V1–V4, grouped into categories (body,
//! header, query, path, status, metadata) and keyed by rule path, with readers for the V2
//! flat and V3/V4 categorised layouts and a canonical V4 writer.

use std::collections::BTreeMap;
use std::fmt;

use regex::Regex;
use serde_json::{json, Map, Value};

use super::datetime::DateTimePattern;
use super::path::{PathError, RulePath, Segment};

/// A regular expression as written in a contract, compiled once. Matching is whole-value.
/// Expressions the linear-time `regex` engine supports use it; those that need look-around
/// or back-references (which Java's and Oniguruma's engines, and so published pacts, use)
/// fall back to `fancy-regex`.
#[derive(Debug, Clone)]
pub struct Pattern {
    source: String,
    compiled: Compiled,
}

#[derive(Debug, Clone)]
enum Compiled {
    Linear(Regex),
    Backtracking(Box<fancy_regex::Regex>),
}

impl Pattern {
    /// Compiles `source`; the expression must match the whole value.
    pub fn new(source: &str) -> Result<Self, String> {
        let anchored = format!("^(?:{source})$");
        let compiled = match Regex::new(source) {
            Ok(_) => Compiled::Linear(Regex::new(&anchored).map_err(|e| regex_reason(&e))?),
            Err(linear) => match fancy_regex::Regex::new(&anchored) {
                Ok(r) => Compiled::Backtracking(Box::new(r)),
                Err(_) => return Err(regex_reason(&linear)),
            },
        };
        Ok(Pattern {
            source: source.to_string(),
            compiled,
        })
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// True when the whole of `value` matches (a backtracking expression that exceeds its
    /// step limit does not match).
    pub fn is_match(&self, value: &str) -> bool {
        match &self.compiled {
            Compiled::Linear(r) => r.is_match(value),
            Compiled::Backtracking(r) => r.is_match(value).unwrap_or(false),
        }
    }
}

impl PartialEq for Pattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// The classes of HTTP status a `statusCode` rule can name.
#[derive(Debug, Clone, PartialEq)]
pub enum StatusClass {
    /// 1xx
    Information,
    /// 2xx
    Success,
    /// 3xx
    Redirect,
    /// 4xx
    ClientError,
    /// 5xx
    ServerError,
    /// < 400
    NonError,
    /// >= 400
    Error,
    /// One of these codes.
    Codes(Vec<u16>),
}

impl StatusClass {
    const NAMES: [(&'static str, StatusClass); 7] = [
        ("info", StatusClass::Information),
        ("success", StatusClass::Success),
        ("redirect", StatusClass::Redirect),
        ("clientError", StatusClass::ClientError),
        ("serverError", StatusClass::ServerError),
        ("nonError", StatusClass::NonError),
        ("error", StatusClass::Error),
    ];

    /// True when `status` is in this class.
    pub fn contains(&self, status: u16) -> bool {
        match self {
            StatusClass::Information => (100..200).contains(&status),
            StatusClass::Success => (200..300).contains(&status),
            StatusClass::Redirect => (300..400).contains(&status),
            StatusClass::ClientError => (400..500).contains(&status),
            StatusClass::ServerError => (500..600).contains(&status),
            StatusClass::NonError => status < 400,
            StatusClass::Error => status >= 400,
            StatusClass::Codes(codes) => codes.contains(&status),
        }
    }

    fn from_json(v: &Value) -> Option<Self> {
        match v {
            Value::String(s) => Self::NAMES
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(s) || (s == "information" && *n == "info"))
                .map(|(_, c)| c.clone()),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_u64().and_then(|n| u16::try_from(n).ok()))
                .collect::<Option<Vec<_>>>()
                .map(StatusClass::Codes),
            _ => None,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            StatusClass::Codes(codes) => json!(codes),
            class => {
                let name = Self::NAMES
                    .iter()
                    .find(|(_, c)| c == class)
                    .map(|(n, _)| *n);
                json!(name.unwrap_or("success"))
            }
        }
    }
}

/// One `arrayContains` variant: the example element at `index` must be matched (with its own
/// rules) by at least one element of the actual array.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrayVariant {
    /// Index of the example element in the expected array.
    pub index: usize,
    /// Rules for that element, with paths relative to the element (`$` is the element).
    pub rules: RuleCategory,
    /// Generators for the element, kept as written.
    pub generators: Value,
}

/// One matcher of the Pact specification.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchingRule {
    /// Values must be equal.
    Equality,
    /// The value (as a string) must match the regular expression.
    Regex(Pattern),
    /// Same type as the example; arrays may be bounded in length.
    Type {
        /// Fewest elements allowed.
        min: Option<usize>,
        /// Most elements allowed.
        max: Option<usize>,
    },
    /// The value (as a string) must contain this text.
    Include(String),
    /// An integer.
    Integer,
    /// A number with a fractional part.
    Decimal,
    /// Any number.
    Number,
    /// A boolean.
    Boolean,
    /// JSON null.
    Null,
    /// A date in the given format (ISO-8601 when absent).
    Date(Option<DateTimePattern>),
    /// A time in the given format (ISO-8601 when absent).
    Time(Option<DateTimePattern>),
    /// A date and time in the given format (ISO-8601 when absent).
    Timestamp(Option<DateTimePattern>),
    /// The content is of this MIME type (detected from its bytes).
    ContentType(String),
    /// Map keys are ignored: every value is matched against the example value.
    Values,
    /// The array contains elements matching each variant, in any order.
    ArrayContains(Vec<ArrayVariant>),
    /// The HTTP status is in this class.
    StatusCode(StatusClass),
    /// Not null, not empty; same type as the example.
    NotEmpty,
    /// A semantic version.
    Semver,
    /// Every key of a map matches these rules.
    EachKey(RuleList),
    /// Every value of a map or array matches these rules.
    EachValue(RuleList),
}

/// How the rules of one list combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Logic {
    /// All must pass.
    #[default]
    And,
    /// One must pass.
    Or,
}

/// The rules that apply at one path.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleList {
    /// The rules, in the order written.
    pub rules: Vec<MatchingRule>,
    /// How they combine.
    pub logic: Logic,
}

impl RuleList {
    /// A list of one rule.
    pub fn single(rule: MatchingRule) -> Self {
        RuleList {
            rules: vec![rule],
            logic: Logic::And,
        }
    }

    /// The rules as they apply below the path they were written for: bounds on array length
    /// and container-only rules do not cascade.
    pub fn cascaded(&self) -> RuleList {
        let rules = self
            .rules
            .iter()
            .filter_map(|r| match r {
                MatchingRule::Type { .. } => Some(MatchingRule::Type {
                    min: None,
                    max: None,
                }),
                MatchingRule::Values
                | MatchingRule::ArrayContains(_)
                | MatchingRule::EachKey(_)
                | MatchingRule::EachValue(_) => None,
                other => Some(other.clone()),
            })
            .collect();
        RuleList {
            rules,
            logic: self.logic,
        }
    }
}

/// The rules of one category, keyed by path (header, query and metadata rules are keyed by
/// name, i.e. the path `$.name`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RuleCategory {
    entries: BTreeMap<RulePath, RuleList>,
    /// The same lists as they apply below their path (see [`RuleList::cascaded`]), kept
    /// beside the originals so that resolving never allocates.
    cascaded: BTreeMap<RulePath, RuleList>,
}

/// The rules that the best-fitting path contributes at a location.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved<'a> {
    /// The rule path that won.
    pub path: &'a RulePath,
    /// Its rules, cascaded when the path is shallower than the location.
    pub rules: &'a RuleList,
    /// True when the path was written for exactly this location.
    pub exact: bool,
}

impl RuleCategory {
    /// True when there are no rules.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds (or replaces) the rules at `path`.
    pub fn insert(&mut self, path: RulePath, rules: RuleList) {
        self.cascaded.insert(path.clone(), rules.cascaded());
        self.entries.insert(path, rules);
    }

    /// Adds one rule at `path`, after any already there.
    pub fn add(&mut self, path: RulePath, rule: MatchingRule) {
        let list = self.entries.entry(path.clone()).or_default();
        list.rules.push(rule);
        self.cascaded.insert(path, list.cascaded());
    }

    /// All entries, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&RulePath, &RuleList)> {
        self.entries.iter()
    }

    /// The rules written for exactly this path expression.
    pub fn get(&self, path: &RulePath) -> Option<&RuleList> {
        self.entries.get(path)
    }

    /// The best rules for a location by the spec's weighting (ties go to the deeper path),
    /// cascaded from a parent when no rule names the location itself.
    pub fn resolve(&self, location: &[Segment]) -> Option<Resolved<'_>> {
        let (path, rules) = self
            .entries
            .iter()
            .map(|(p, r)| (p, r, p.weight(location)))
            .filter(|(_, _, w)| *w > 0)
            .max_by(|a, b| a.2.cmp(&b.2).then(a.0.depth().cmp(&b.0.depth())))
            .map(|(p, r, _)| (p, r))?;
        let exact = path.depth() == location.len();
        let rules = match exact {
            true => rules,
            false => self.cascaded.get(path)?,
        };
        if rules.rules.is_empty() {
            return None;
        }
        Some(Resolved { path, rules, exact })
    }

    /// True when a wildcard rule (`….*`) covers an arbitrary child key of `location`.
    pub fn wildcard_child(&self, location: &[Segment]) -> bool {
        self.entries.keys().any(|p| {
            p.depth() == location.len() + 1
                && matches!(p.tokens().last(), Some(super::path::Token::Star))
                && p.prefix_fits(location)
        })
    }
}

/// Rule categories.
pub mod category {
    /// Body (HTTP) or contents (messages).
    pub const BODY: &str = "body";
    /// HTTP headers, keyed by name.
    pub const HEADER: &str = "header";
    /// Query parameters, keyed by name.
    pub const QUERY: &str = "query";
    /// The request path.
    pub const PATH: &str = "path";
    /// The response status.
    pub const STATUS: &str = "status";
    /// The request method.
    pub const METHOD: &str = "method";
    /// Message metadata, keyed by name.
    pub const METADATA: &str = "metadata";
}

/// Categories whose entries are keyed by a name rather than a path.
const NAMED: [&str; 3] = [category::HEADER, category::QUERY, category::METADATA];
/// Categories with a single, unkeyed entry.
const WHOLE: [&str; 3] = [category::PATH, category::STATUS, category::METHOD];

/// All matching rules of one part of an interaction (request, response or message).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MatchingRules {
    categories: BTreeMap<String, RuleCategory>,
}

/// Why a set of matching rules could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RuleError {
    /// The `match` value names no known matcher.
    #[error("unknown matcher `{0}`")]
    UnknownMatcher(String),
    /// A regular expression does not compile.
    #[error("invalid regex `{regex}`: {reason}")]
    BadRegex {
        /// The expression.
        regex: String,
        /// The compiler's complaint.
        reason: String,
    },
    /// A date/time format does not parse.
    #[error("invalid date/time format `{format}`: {reason}")]
    BadFormat {
        /// The format.
        format: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A matcher lacks an attribute it needs, or has one of the wrong type.
    #[error("matcher `{matcher}` needs {expected}")]
    BadAttribute {
        /// The matcher.
        matcher: String,
        /// What it needs.
        expected: String,
    },
    /// A rule path does not parse.
    #[error(transparent)]
    BadPath(#[from] PathError),
    /// The JSON is not shaped as rules are.
    #[error("expected {0}")]
    Shape(String),
}

/// A rule error and where, as JSON keys below the `matchingRules` object.
#[derive(Debug, Clone, PartialEq)]
pub struct LocatedRuleError {
    /// Keys from the `matchingRules` object down to the offending value.
    pub pointer: Vec<String>,
    /// The error.
    pub error: RuleError,
}

impl MatchingRules {
    /// True when no category has rules.
    pub fn is_empty(&self) -> bool {
        self.categories.values().all(RuleCategory::is_empty)
    }

    /// The rules of a category (empty when absent).
    pub fn category(&self, name: &str) -> &RuleCategory {
        static EMPTY: std::sync::OnceLock<RuleCategory> = std::sync::OnceLock::new();
        self.categories
            .get(name)
            .unwrap_or_else(|| EMPTY.get_or_init(RuleCategory::default))
    }

    /// The rules of a category, to add to.
    pub fn category_mut(&mut self, name: &str) -> &mut RuleCategory {
        self.categories.entry(name.to_string()).or_default()
    }

    /// Categories with rules, by name.
    pub fn categories(&self) -> impl Iterator<Item = (&str, &RuleCategory)> {
        self.categories
            .iter()
            .filter(|(_, c)| !c.is_empty())
            .map(|(n, c)| (n.as_str(), c))
    }

    /// Reads the V3/V4 layout: `{"body": {"$.a": {"matchers": [..], "combine": "AND"}}, ..}`.
    pub fn from_v3(value: &Value) -> Result<Self, LocatedRuleError> {
        let obj = value
            .as_object()
            .ok_or_else(|| located(vec![], RuleError::Shape("an object of categories".into())))?;
        let mut rules = MatchingRules::default();
        for (name, entries) in obj {
            let canonical = if name == "content" {
                category::BODY
            } else {
                name
            };
            let cat = rules.category_mut(canonical);
            read_v3_category(canonical, entries, cat).map_err(|mut e| {
                e.pointer.insert(0, name.clone());
                e
            })?;
        }
        Ok(rules)
    }

    /// Reads the V2 flat layout: `{"$.body.a": {"match": "type"}, "$.headers.Accept": {..}}`.
    pub fn from_v2(value: &Value) -> Result<Self, LocatedRuleError> {
        let obj = value
            .as_object()
            .ok_or_else(|| located(vec![], RuleError::Shape("an object of rule paths".into())))?;
        let mut rules = MatchingRules::default();
        for (key, def) in obj {
            let at = |e: RuleError| located(vec![key.clone()], e);
            let (cat, path) = split_v2_key(key).map_err(at)?;
            let rule = rule_from_json(def).map_err(at)?;
            rules.category_mut(cat).add(path, rule);
        }
        Ok(rules)
    }

    /// Reads either layout, telling them apart by their keys.
    pub fn from_json(value: &Value) -> Result<Self, LocatedRuleError> {
        let flat = value
            .as_object()
            .is_some_and(|o| !o.is_empty() && o.keys().all(|k| k.starts_with('$')));
        if flat {
            Self::from_v2(value)
        } else {
            Self::from_v3(value)
        }
    }

    /// The canonical V4 JSON form of an HTTP part's rules.
    pub fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (name, cat) in self.categories() {
            out.insert(name.to_string(), category_to_json(name, cat));
        }
        Value::Object(out)
    }
}

impl MatchingRules {
    /// The canonical V4 JSON form of a message's rules: contents rules go under `content`,
    /// as the V4 specification and the reference implementations read them (`body` is
    /// accepted on reading).
    pub fn to_message_json(&self) -> Value {
        let mut v = self.to_json();
        if let Some(obj) = v.as_object_mut() {
            if let Some(body) = obj.remove(category::BODY) {
                obj.insert("content".into(), body);
            }
        }
        v
    }
}

fn located(pointer: Vec<String>, error: RuleError) -> LocatedRuleError {
    LocatedRuleError { pointer, error }
}

fn read_v3_category(
    name: &str,
    entries: &Value,
    cat: &mut RuleCategory,
) -> Result<(), LocatedRuleError> {
    let obj = entries
        .as_object()
        .ok_or_else(|| located(vec![], RuleError::Shape("an object of rule paths".into())))?;
    if WHOLE.contains(&name) && (obj.contains_key("matchers") || obj.is_empty()) {
        if !obj.is_empty() {
            cat.insert(RulePath::root(), rule_list_from_json(entries)?);
        }
        return Ok(());
    }
    for (key, list) in obj {
        let path = if NAMED.contains(&name) {
            RulePath::field(key)
        } else if WHOLE.contains(&name) && key.is_empty() {
            RulePath::root()
        } else {
            RulePath::parse(key).map_err(|e| located(vec![key.clone()], e.into()))?
        };
        let rules = rule_list_from_json(list).map_err(|mut e| {
            e.pointer.insert(0, key.clone());
            e
        })?;
        cat.insert(path, rules);
    }
    Ok(())
}

/// Reads `{"matchers": [..], "combine": "AND"|"OR"}`.
fn rule_list_from_json(value: &Value) -> Result<RuleList, LocatedRuleError> {
    let matchers = value
        .get("matchers")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            located(
                vec![],
                RuleError::Shape("`matchers`: an array of rules".into()),
            )
        })?;
    let logic = match value.get("combine").and_then(Value::as_str) {
        Some(s) if s.eq_ignore_ascii_case("or") => Logic::Or,
        _ => Logic::And,
    };
    let rules = matchers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            rule_from_json(m).map_err(|e| located(vec!["matchers".into(), i.to_string()], e))
        })
        .collect::<Result<_, _>>()?;
    Ok(RuleList { rules, logic })
}

fn split_v2_key(key: &str) -> Result<(&'static str, RulePath), RuleError> {
    let full = RulePath::parse(key)?;
    let tokens = full.tokens();
    let head = match tokens.get(1) {
        Some(super::path::Token::Field(f)) => f.as_str(),
        _ => {
            return Err(RuleError::Shape(
                "a path starting `$.body`, `$.headers`, `$.query` or `$.path`".into(),
            ))
        }
    };
    let cat = match head {
        "body" => category::BODY,
        "headers" | "header" => category::HEADER,
        "query" => category::QUERY,
        "path" => category::PATH,
        "status" => category::STATUS,
        "metadata" | "metaData" => category::METADATA,
        _ => {
            return Err(RuleError::Shape(
                "a path starting `$.body`, `$.headers`, `$.query` or `$.path`".into(),
            ))
        }
    };
    let mut path = RulePath::root();
    for t in &tokens[2..] {
        path = path.join(t.clone());
    }
    Ok((cat, path))
}

fn category_to_json(name: &str, cat: &RuleCategory) -> Value {
    if WHOLE.contains(&name) {
        if let Some(list) = cat.get(&RulePath::root()) {
            return rule_list_to_json(list);
        }
    }
    let mut out = Map::new();
    for (path, list) in cat.iter() {
        let key = match (NAMED.contains(&name), path.tokens()) {
            (true, [_, super::path::Token::Field(n)]) => n.clone(),
            _ => path.to_string(),
        };
        out.insert(key, rule_list_to_json(list));
    }
    Value::Object(out)
}

fn rule_list_to_json(list: &RuleList) -> Value {
    let combine = match list.logic {
        Logic::And => "AND",
        Logic::Or => "OR",
    };
    json!({
        "combine": combine,
        "matchers": list.rules.iter().map(MatchingRule::to_json).collect::<Vec<_>>(),
    })
}

fn attr_str<'a>(
    obj: &'a Map<String, Value>,
    matcher: &str,
    key: &str,
) -> Result<&'a str, RuleError> {
    obj.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| RuleError::BadAttribute {
            matcher: matcher.to_string(),
            expected: format!("`{key}`: a string"),
        })
}

fn attr_usize(
    obj: &Map<String, Value>,
    matcher: &str,
    key: &str,
) -> Result<Option<usize>, RuleError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
            .map(|n| Some(n as usize))
            .ok_or_else(|| RuleError::BadAttribute {
                matcher: matcher.to_string(),
                expected: format!("`{key}`: a non-negative integer"),
            }),
    }
}

fn format_attr(
    obj: &Map<String, Value>,
    matcher: &str,
) -> Result<Option<DateTimePattern>, RuleError> {
    let key = ["format", matcher, "date", "time", "timestamp", "datetime"]
        .into_iter()
        .find(|k| obj.get(*k).is_some_and(Value::is_string));
    let Some(key) = key else { return Ok(None) };
    let format = attr_str(obj, matcher, key)?;
    DateTimePattern::parse(format)
        .map(Some)
        .map_err(|e| RuleError::BadFormat {
            format: format.to_string(),
            reason: e.to_string(),
        })
}

fn pattern(source: &str) -> Result<Pattern, RuleError> {
    Pattern::new(source).map_err(|reason| RuleError::BadRegex {
        regex: source.to_string(),
        reason,
    })
}

/// The one-line reason inside a regex error (its last `error: …` line).
fn regex_reason(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .rev()
        .find_map(|l| l.strip_prefix("error: "))
        .unwrap_or(text.lines().last().unwrap_or_default())
        .to_string()
}

/// Reads one rule in any version's form (`{"match": "regex", "regex": ".."}`, V2's implicit
/// `{"regex": ".."}` and `{"min": 1}`).
pub fn rule_from_json(value: &Value) -> Result<MatchingRule, RuleError> {
    let obj = value
        .as_object()
        .ok_or_else(|| RuleError::Shape("a rule object".into()))?;
    let name = match obj.get("match").and_then(Value::as_str) {
        Some(n) => n,
        None if obj.contains_key("regex") => "regex",
        None if obj.contains_key("min") || obj.contains_key("max") => "type",
        None => return Err(RuleError::Shape("a rule with a `match` attribute".into())),
    };
    named_rule(name, obj)
}

fn named_rule(name: &str, obj: &Map<String, Value>) -> Result<MatchingRule, RuleError> {
    use MatchingRule as R;
    Ok(match name {
        "equality" => R::Equality,
        "regex" => R::Regex(pattern(attr_str(obj, name, "regex")?)?),
        "type" | "min" | "max" => R::Type {
            min: attr_usize(obj, name, "min")?,
            max: attr_usize(obj, name, "max")?,
        },
        "include" => R::Include(attr_str(obj, name, "value")?.to_string()),
        "integer" => R::Integer,
        "decimal" | "real" => R::Decimal,
        "number" => R::Number,
        "boolean" => R::Boolean,
        "null" => R::Null,
        "date" => R::Date(format_attr(obj, name)?),
        "time" => R::Time(format_attr(obj, name)?),
        "timestamp" | "datetime" => R::Timestamp(format_attr(obj, name)?),
        "contentType" => R::ContentType(attr_str(obj, name, "value")?.to_string()),
        "values" => R::Values,
        "arrayContains" => R::ArrayContains(variants(obj)?),
        "statusCode" => R::StatusCode(
            obj.get("status")
                .and_then(StatusClass::from_json)
                .ok_or_else(|| RuleError::BadAttribute {
                    matcher: name.into(),
                    expected: "`status`: a status class name or an array of codes".into(),
                })?,
        ),
        "notEmpty" => R::NotEmpty,
        "semver" => R::Semver,
        "eachKey" => R::EachKey(nested_rules(obj, name)?),
        "eachValue" => R::EachValue(nested_rules(obj, name)?),
        other => return Err(RuleError::UnknownMatcher(other.to_string())),
    })
}

fn nested_rules(obj: &Map<String, Value>, name: &str) -> Result<RuleList, RuleError> {
    let rules =
        obj.get("rules")
            .and_then(Value::as_array)
            .ok_or_else(|| RuleError::BadAttribute {
                matcher: name.into(),
                expected: "`rules`: an array of rules".into(),
            })?;
    Ok(RuleList {
        rules: rules.iter().map(rule_from_json).collect::<Result<_, _>>()?,
        logic: Logic::And,
    })
}

fn variants(obj: &Map<String, Value>) -> Result<Vec<ArrayVariant>, RuleError> {
    let bad = || RuleError::BadAttribute {
        matcher: "arrayContains".into(),
        expected: "`variants`: an array of {index, rules}".into(),
    };
    let list = obj
        .get("variants")
        .and_then(Value::as_array)
        .ok_or_else(bad)?;
    list.iter()
        .map(|v| {
            let index = v.get("index").and_then(Value::as_u64).ok_or_else(bad)? as usize;
            let mut rules = RuleCategory::default();
            if let Some(r) = v.get("rules") {
                read_v3_category(category::BODY, r, &mut rules).map_err(|e| e.error)?;
            }
            let generators = v.get("generators").cloned().unwrap_or(Value::Null);
            Ok(ArrayVariant {
                index,
                rules,
                generators,
            })
        })
        .collect()
}

impl MatchingRule {
    /// The rule's name as written in contracts (`"type"`, `"regex"`, …).
    pub fn name(&self) -> &'static str {
        use MatchingRule as R;
        match self {
            R::Equality => "equality",
            R::Regex(_) => "regex",
            R::Type { .. } => "type",
            R::Include(_) => "include",
            R::Integer => "integer",
            R::Decimal => "decimal",
            R::Number => "number",
            R::Boolean => "boolean",
            R::Null => "null",
            R::Date(_) => "date",
            R::Time(_) => "time",
            R::Timestamp(_) => "timestamp",
            R::ContentType(_) => "contentType",
            R::Values => "values",
            R::ArrayContains(_) => "arrayContains",
            R::StatusCode(_) => "statusCode",
            R::NotEmpty => "notEmpty",
            R::Semver => "semver",
            R::EachKey(_) => "eachKey",
            R::EachValue(_) => "eachValue",
        }
    }

    /// The canonical V4 JSON form.
    pub fn to_json(&self) -> Value {
        use MatchingRule as R;
        let mut obj = Map::new();
        obj.insert("match".into(), json!(self.name()));
        let fmt = |obj: &mut Map<String, Value>, f: &Option<DateTimePattern>| {
            if let Some(f) = f {
                obj.insert("format".into(), json!(f.source()));
            }
        };
        match self {
            R::Regex(p) => {
                obj.insert("regex".into(), json!(p.source()));
            }
            R::Type { min, max } => {
                if let Some(m) = min {
                    obj.insert("min".into(), json!(m));
                }
                if let Some(m) = max {
                    obj.insert("max".into(), json!(m));
                }
            }
            R::Include(v) | R::ContentType(v) => {
                obj.insert("value".into(), json!(v));
            }
            R::Date(f) | R::Time(f) | R::Timestamp(f) => fmt(&mut obj, f),
            R::StatusCode(c) => {
                obj.insert("status".into(), c.to_json());
            }
            R::EachKey(list) | R::EachValue(list) => {
                let rules: Vec<Value> = list.rules.iter().map(MatchingRule::to_json).collect();
                obj.insert("rules".into(), json!(rules));
            }
            R::ArrayContains(vs) => {
                obj.insert(
                    "variants".into(),
                    json!(vs.iter().map(variant_to_json).collect::<Vec<_>>()),
                );
            }
            _ => {}
        }
        Value::Object(obj)
    }
}

fn variant_to_json(v: &ArrayVariant) -> Value {
    let mut obj = Map::new();
    obj.insert("index".into(), json!(v.index));
    obj.insert("rules".into(), category_to_json(category::BODY, &v.rules));
    if !v.generators.is_null() {
        obj.insert("generators".into(), v.generators.clone());
    }
    Value::Object(obj)
}

impl fmt::Display for MatchingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use MatchingRule as R;
        match self {
            R::Regex(p) => write!(f, "regex '{}'", p.source()),
            R::Type {
                min: None,
                max: None,
            } => f.write_str("type"),
            R::Type { min, max } => {
                f.write_str("type")?;
                if let Some(m) = min {
                    write!(f, " min {m}")?;
                }
                if let Some(m) = max {
                    write!(f, " max {m}")?;
                }
                Ok(())
            }
            R::Include(v) => write!(f, "include {v:?}"),
            R::Date(Some(x)) | R::Time(Some(x)) | R::Timestamp(Some(x)) => {
                write!(f, "{} '{}'", self.name(), x.source())
            }
            R::ContentType(v) => write!(f, "contentType {v}"),
            R::StatusCode(c) => write!(f, "statusCode {}", c.to_json()),
            other => f.write_str(other.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_v3_categories_and_writes_them_back() {
        let v = json!({
            "body": {"$.a[*].b": {"matchers": [{"match": "type", "min": 1}], "combine": "OR"}},
            "header": {"Content-Type": {"matchers": [{"match": "regex", "regex": "text/.*"}]}},
            "path": {"matchers": [{"match": "regex", "regex": "/x/\\d+"}]},
            "status": {"matchers": [{"match": "statusCode", "status": "success"}]}
        });
        let rules = MatchingRules::from_json(&v).unwrap();
        let again = MatchingRules::from_json(&rules.to_json()).unwrap();
        assert_eq!(rules, again);
        let list = rules
            .category("body")
            .get(&RulePath::parse("$.a[*].b").unwrap())
            .unwrap();
        assert_eq!(list.logic, Logic::Or);
        assert_eq!(
            list.rules,
            vec![MatchingRule::Type {
                min: Some(1),
                max: None
            }]
        );
        assert!(rules.category("path").get(&RulePath::root()).is_some());
    }

    #[test]
    fn reads_v2_flat_rules() {
        let v = json!({
            "$.body.animals": {"min": 1, "match": "type"},
            "$.body.animals[*].name": {"regex": "\\w+"},
            "$.headers.Accept": {"match": "regex", "regex": "json"},
            "$.query.q": {"match": "type"},
            "$.path": {"regex": "/a/.*"}
        });
        let rules = MatchingRules::from_json(&v).unwrap();
        assert!(rules
            .category("header")
            .get(&RulePath::field("Accept"))
            .is_some());
        assert!(rules.category("query").get(&RulePath::field("q")).is_some());
        assert!(rules.category("path").get(&RulePath::root()).is_some());
        assert_eq!(rules.category("body").iter().count(), 2);
    }

    #[test]
    fn errors_name_where_they_are() {
        let v = json!({"body": {"$.a": {"matchers": [{"match": "type"}, {"match": "bogus"}]}}});
        let err = MatchingRules::from_json(&v).unwrap_err();
        assert_eq!(err.pointer, vec!["body", "$.a", "matchers", "1"]);
        assert_eq!(err.error, RuleError::UnknownMatcher("bogus".into()));
        let v = json!({"body": {"$.a": {"matchers": [{"match": "regex", "regex": "("}]}}});
        assert!(matches!(
            MatchingRules::from_json(&v).unwrap_err().error,
            RuleError::BadRegex { .. }
        ));
    }

    #[test]
    fn look_around_and_back_references_are_supported() {
        let p = Pattern::new("(?!admin).*").unwrap();
        assert!(p.is_match("user") && !p.is_match("admin"));
        let p = Pattern::new("(a+)-\\1").unwrap();
        assert!(p.is_match("aa-aa") && !p.is_match("aa-a"));
        assert!(Pattern::new("(").is_err());
    }

    #[test]
    fn every_rule_round_trips() {
        let rules = [
            json!({"match": "equality"}),
            json!({"match": "regex", "regex": "a+"}),
            json!({"match": "type", "min": 1, "max": 3}),
            json!({"match": "include", "value": "x"}),
            json!({"match": "integer"}),
            json!({"match": "decimal"}),
            json!({"match": "number"}),
            json!({"match": "boolean"}),
            json!({"match": "null"}),
            json!({"match": "date", "format": "yyyy-MM-dd"}),
            json!({"match": "time", "format": "HH:mm"}),
            json!({"match": "timestamp"}),
            json!({"match": "contentType", "value": "image/png"}),
            json!({"match": "values"}),
            json!({"match": "statusCode", "status": [200, 201]}),
            json!({"match": "statusCode", "status": "clientError"}),
            json!({"match": "notEmpty"}),
            json!({"match": "semver"}),
            json!({"match": "eachKey", "rules": [{"match": "regex", "regex": "[a-z]+"}]}),
            json!({"match": "eachValue", "rules": [{"match": "type"}]}),
            json!({"match": "arrayContains", "variants": [{"index": 0, "rules": {"$.id": {"combine": "AND", "matchers": [{"match": "integer"}]}}}]}),
        ];
        for r in rules {
            let rule = rule_from_json(&r).unwrap();
            assert_eq!(rule.to_json(), r, "{r}");
        }
    }

    #[test]
    fn resolve_prefers_exact_and_cascades_without_bounds() {
        let mut cat = RuleCategory::default();
        cat.add(
            RulePath::parse("$.a").unwrap(),
            MatchingRule::Type {
                min: Some(2),
                max: None,
            },
        );
        cat.add(RulePath::parse("$.a[*].id").unwrap(), MatchingRule::Integer);
        let a = [Segment::Key("a".into())];
        let r = cat.resolve(&a).unwrap();
        assert!(r.exact);
        assert_eq!(
            r.rules.rules[0],
            MatchingRule::Type {
                min: Some(2),
                max: None
            }
        );
        let name = [
            Segment::Key("a".into()),
            Segment::Index(0),
            Segment::Key("name".into()),
        ];
        let r = cat.resolve(&name).unwrap();
        assert!(!r.exact);
        assert_eq!(
            r.rules.rules[0],
            MatchingRule::Type {
                min: None,
                max: None
            }
        );
        let id = [
            Segment::Key("a".into()),
            Segment::Index(0),
            Segment::Key("id".into()),
        ];
        assert_eq!(
            cat.resolve(&id).unwrap().rules.rules[0],
            MatchingRule::Integer
        );
        assert!(cat.resolve(&[Segment::Key("b".into())]).is_none());
    }
}

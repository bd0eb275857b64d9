//! A rich benchmark contract: many V3 HTTP interactions differing only in path, each with
//! regex, type, timestamp and date rules and generators, answerable by one static provider.
//!
//! The provider contract, for benches that verify or mock it: interaction `n` (1-based) is
//! `GET /items/{n}` with header `Accept: application/json`, answered `200` with header
//! `Content-Type: application/json` and the body
//! `{"id": n, "sku": "SKU-{n:06}", "name": "item n", "at": "2026-01-01T00:00:00Z",
//! "day": "2026-01-01", "tags": ["x"], "padding": "..."}`. A provider answering every
//! `/items/{n}` so (any `n`, any `name`) satisfies every interaction. `padding` is a string
//! of `pad` bytes (`x`), there only to make big files; the rules never look at it.

use std::fmt::Write as _;
use std::path::Path;

/// Writes a contract of `interactions` interactions, each body padded by `pad` bytes, to
/// `file`; returns the size written in bytes.
pub fn write(file: &Path, interactions: usize, pad: usize) -> usize {
    let text = contract_text(interactions, pad);
    std::fs::write(file, &text).expect("the contract is written");
    text.len()
}

/// The contract's JSON text (pretty enough to have lines, as real pact files do).
pub fn contract_text(interactions: usize, pad: usize) -> String {
    let padding = "x".repeat(pad);
    let mut out = String::from(
        "{\n  \"consumer\": {\"name\": \"bench-web\"},\n  \"provider\": {\"name\": \"items\"},\n  \"interactions\": [\n",
    );
    for n in 1..=interactions {
        if n > 1 {
            out.push_str(",\n");
        }
        interaction(&mut out, n, &padding);
    }
    out.push_str("\n  ],\n  \"metadata\": {\"pactSpecification\": {\"version\": \"3.0.0\"}}\n}\n");
    out
}

/// One interaction: `GET /items/{n}`, its answer, rules and generators.
fn interaction(out: &mut String, n: usize, padding: &str) {
    write!(
        out,
        r#"    {{
      "description": "item {n:06}",
      "providerStates": [{{"name": "item {n} exists", "params": {{"id": {n}}}}}],
      "request": {{
        "method": "GET",
        "path": "/items/{n}",
        "headers": {{"Accept": "application/json"}},
        "matchingRules": {{
          "path": {{"matchers": [{{"match": "regex", "regex": "/items/\\d+"}}]}},
          "header": {{"Accept": {{"matchers": [{{"match": "regex", "regex": "application/json.*"}}]}}}}
        }}
      }},
      "response": {{
        "status": 200,
        "headers": {{"Content-Type": "application/json"}},
        "body": {{"id": {n}, "sku": "SKU-{n:06}", "name": "item {n}", "at": "2026-01-01T00:00:00Z", "day": "2026-01-01", "tags": ["x"], "padding": "{padding}"}},
        "matchingRules": {{
          "header": {{"Content-Type": {{"matchers": [{{"match": "regex", "regex": "application/json(;.*)?"}}]}}}},
          "body": {{
            "$.id": {{"matchers": [{{"match": "integer"}}]}},
            "$.sku": {{"matchers": [{{"match": "regex", "regex": "SKU-\\d{{6}}"}}]}},
            "$.name": {{"matchers": [{{"match": "type"}}]}},
            "$.at": {{"matchers": [{{"match": "timestamp", "timestamp": "yyyy-MM-dd'T'HH:mm:ss'Z'"}}]}},
            "$.day": {{"matchers": [{{"match": "date", "date": "yyyy-MM-dd"}}]}},
            "$.tags": {{"matchers": [{{"match": "type", "min": 1}}]}}
          }}
        }},
        "generators": {{
          "body": {{
            "$.sku": {{"type": "Regex", "regex": "SKU-\\d{{6}}"}},
            "$.at": {{"type": "DateTime", "format": "yyyy-MM-dd'T'HH:mm:ss'Z'"}},
            "$.day": {{"type": "Date", "format": "yyyy-MM-dd"}}
          }}
        }}
      }}
    }}"#
    )
    .expect("writing to a String");
}

//! Values sampled from a regex (`Regex` generators): classes narrowed to printable ASCII,
//! anchors dropped, every sample checked against the real expression. Each expression is
//! compiled once per process (the contract interner), not once per value.

use std::sync::Arc;

use rand::rngs::StdRng;
use rand::RngExt;
use regex_syntax::hir::{Class, ClassUnicode, ClassUnicodeRange, Hir, HirKind};

use super::error::GeneratorError;
use crate::contract::intern::Interner;
use crate::contract::rules::{DFA_SIZE_LIMIT, SIZE_LIMIT};

/// How many extra repeats `*`, `+` and `{n,}` may produce in a `Regex` generator.
const MAX_REPEAT: u32 = 10;
/// How many samples a `Regex` generator tries before giving up on a matching value.
const REGEX_TRIES: usize = 20;

/// A sampler and a whole-string matcher to check its samples.
type Compiled = (rand_regex::Regex, regex::Regex);

/// How many compiled expressions are kept (samplers are larger than matchers).
const KEPT: usize = 128;

static COMPILED_GENERATORS: Interner<Compiled> = Interner::new(KEPT);

#[cfg(test)]
thread_local! {
    /// Expressions compiled on this thread (tests count them).
    static COMPILED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The compiled `regex`, shared with every other use of the same expression.
pub(super) fn cached_regex(regex: &str) -> Result<Arc<Compiled>, GeneratorError> {
    COMPILED_GENERATORS.get_or_try(regex, regex_generator)
}

/// A sampler for `regex` and a whole-string matcher to check its samples (within the size
/// limit of contract expressions).
fn regex_generator(regex: &str) -> Result<Compiled, GeneratorError> {
    #[cfg(test)]
    COMPILED.set(COMPILED.get() + 1);
    let bad = |reason: String| GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason,
    };
    let hir = regex_syntax::Parser::new()
        .parse(regex)
        .map_err(|e| bad(e.to_string()))?;
    let whole = regex::RegexBuilder::new(&format!("^(?:{regex})$"))
        .size_limit(SIZE_LIMIT)
        .dfa_size_limit(DFA_SIZE_LIMIT)
        .build()
        .map_err(|e| bad(e.to_string()))?;
    let sampler =
        rand_regex::Regex::with_hir(readable(hir), MAX_REPEAT).map_err(|e| bad(e.to_string()))?;
    Ok((sampler, whole))
}

/// Narrows character classes to printable ASCII where they allow it, and drops anchors and
/// word boundaries (the samples are checked against the real regex afterwards).
fn readable(hir: Hir) -> Hir {
    match hir.into_kind() {
        HirKind::Class(Class::Unicode(class)) => Hir::class(Class::Unicode(printable(class))),
        HirKind::Class(class) => Hir::class(class),
        HirKind::Look(_) | HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit) => Hir::literal(lit.0),
        HirKind::Repetition(mut rep) => {
            rep.sub = Box::new(readable(*rep.sub));
            Hir::repetition(rep)
        }
        HirKind::Capture(mut cap) => {
            cap.sub = Box::new(readable(*cap.sub));
            Hir::capture(cap)
        }
        HirKind::Concat(subs) => Hir::concat(subs.into_iter().map(readable).collect()),
        HirKind::Alternation(subs) => Hir::alternation(subs.into_iter().map(readable).collect()),
    }
}

fn printable(class: ClassUnicode) -> ClassUnicode {
    let mut narrowed = class.clone();
    narrowed.intersect(&ClassUnicode::new([ClassUnicodeRange::new(' ', '~')]));
    if narrowed.ranges().is_empty() {
        class
    } else {
        narrowed
    }
}

pub(super) fn random_matching(regex: &str, rng: &mut StdRng) -> Result<String, GeneratorError> {
    let compiled = cached_regex(regex)?;
    let (sampler, whole) = &*compiled;
    for _ in 0..REGEX_TRIES {
        let sample: Result<String, _> = rng.sample(sampler);
        if let Some(s) = sample.ok().filter(|s| whole.is_match(s)) {
            return Ok(s);
        }
    }
    Err(GeneratorError::BadRegex {
        regex: regex.to_string(),
        reason: "could not generate a value that matches it".into(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::COMPILED;
    use crate::contract::generator::fixtures::{gen, gen_with};
    use crate::contract::generator::provider_state::text_of;
    use crate::contract::generator::{Generator, GeneratorError};

    #[test]
    fn regex_values_match() {
        let regexes = [
            r"^[A-Z]{3}-\d{4}$",
            r"\d+",
            r"(red|green|blue)",
            r"\w+@\w+\.com",
            r"[^a-z]{5}",
            r".*",
            r"^\bword\b$",
            r"(?i)abc",
            r"\p{Greek}{2}",
            r"[\t\n]x",
        ];
        for regex in regexes {
            let whole = regex::Regex::new(&format!("^(?:{regex})$")).unwrap();
            for seed in 0..50 {
                let g = Generator::Regex {
                    regex: regex.into(),
                };
                let v = text_of(&gen(&g, seed));
                assert!(whole.is_match(&v), "{regex} generated {v:?}");
            }
        }
        let g = Generator::Regex {
            regex: "a^b".into(),
        };
        assert!(matches!(
            gen_with(&g, &Value::Null, None, 0),
            Err(GeneratorError::BadRegex { .. })
        ));
    }

    #[test]
    fn an_expression_is_compiled_once_for_many_values() {
        let g = Generator::Regex {
            regex: r"item-[0-9]{6}-once".into(),
        };
        let before = COMPILED.get();
        for seed in 0..10_000 {
            text_of(&gen(&g, seed));
        }
        assert_eq!(COMPILED.get() - before, 1);
    }
}

//! Interner: a process-wide, bounded cache of values compiled from source text (regexes,
//! date formats, rule paths), so each distinct text is compiled once and shared by `Arc`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How many distinct texts an interner keeps by default (it starts over when full, so
/// memory stays bounded whatever a contract holds).
pub const CAPACITY: usize = 1024;

/// Compiled values by their source text. Failures are not kept: a bad text is compiled
/// (and refused) each time it is read, which only happens while reading contracts.
pub struct Interner<T> {
    capacity: usize,
    map: Mutex<Option<HashMap<Box<str>, Arc<T>>>>,
}

impl<T> Interner<T> {
    /// An empty interner keeping at most `capacity` texts (usable in a `static`).
    pub const fn new(capacity: usize) -> Self {
        Interner {
            capacity,
            map: Mutex::new(None),
        }
    }

    /// The value compiled from `source`: the shared one when `source` was compiled before,
    /// otherwise `compile(source)`, kept on success.
    pub fn get_or_try<E>(
        &self,
        source: &str,
        compile: impl FnOnce(&str) -> Result<T, E>,
    ) -> Result<Arc<T>, E> {
        if let Some(found) = self.lock().as_ref().and_then(|m| m.get(source)) {
            return Ok(found.clone());
        }
        let compiled = Arc::new(compile(source)?);
        let mut guard = self.lock();
        let map = guard.get_or_insert_with(HashMap::new);
        if map.len() >= self.capacity {
            map.clear();
        }
        let kept = map.entry(source.into()).or_insert(compiled);
        Ok(kept.clone())
    }

    /// How many texts are kept now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.lock().as_ref().map_or(0, HashMap::len)
    }

    /// True when nothing is kept.
    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<HashMap<Box<str>, Arc<T>>>> {
        self.map.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upper(s: &str) -> Result<String, ()> {
        Ok(s.to_uppercase())
    }

    #[test]
    fn the_same_text_gives_the_same_arc() {
        let interner = Interner::new(8);
        let a = interner.get_or_try("abc", upper).unwrap();
        let b = interner.get_or_try("abc", |_| -> Result<String, ()> {
            panic!("compiled again")
        });
        assert!(Arc::ptr_eq(&a, &b.unwrap()));
    }

    #[test]
    fn distinct_texts_give_distinct_values() {
        let interner = Interner::new(8);
        let a = interner.get_or_try("abc", upper).unwrap();
        let b = interner.get_or_try("abd", upper).unwrap();
        assert!(!Arc::ptr_eq(&a, &b));
        assert_eq!((a.as_str(), b.as_str()), ("ABC", "ABD"));
    }

    #[test]
    fn failures_are_not_kept() {
        let interner: Interner<String> = Interner::new(8);
        assert!(interner.get_or_try("x", |_| Err(())).is_err());
        assert!(interner.is_empty());
        assert_eq!(*interner.get_or_try("x", upper).unwrap(), "X");
    }

    #[test]
    fn memory_stays_bounded() {
        let interner = Interner::new(4);
        for n in 0..100 {
            interner.get_or_try(&n.to_string(), upper).unwrap();
            assert!(interner.len() <= 4);
        }
    }
}

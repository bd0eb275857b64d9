//! Source positions in JSON text: finds the line and column of the value at a JSON pointer,
//! so that errors found after parsing can still point into the file.

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// The position of the value at `pointer` (object keys and array indices) in `text`, or of
/// the deepest value on the way there that exists. `None` when `text` is not JSON.
///
/// ```
/// use shakedown::contract::span::locate;
/// let text = "{\n  \"a\": [1,\n    {\"b\": true}]\n}";
/// let at = locate(text, &["a".into(), "1".into(), "b".into()]).unwrap();
/// assert_eq!((at.line, at.column), (3, 11));
/// ```
pub fn locate(text: &str, pointer: &[String]) -> Option<Position> {
    let mut scanner = Scanner {
        bytes: text.as_bytes(),
        pos: 0,
    };
    scanner.skip_bom();
    let offset = scanner.find(pointer, 0)?;
    Some(position_of(text, offset))
}

/// The position of a byte offset.
pub fn position_of(text: &str, offset: usize) -> Position {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Position {
        line,
        column: before[line_start..].chars().count() + 1,
    }
}

struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
    fn skip_bom(&mut self) {
        if self.bytes.starts_with(b"\xef\xbb\xbf") {
            self.pos = 3;
        }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && self.bytes[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    /// At the start of a value: returns the offset of the target (or the closest ancestor).
    fn find(&mut self, pointer: &[String], depth: usize) -> Option<usize> {
        self.skip_ws();
        let start = self.pos;
        if depth == pointer.len() {
            return Some(start);
        }
        let found = match self.bytes.get(self.pos)? {
            b'{' => self.find_in_object(pointer, depth),
            b'[' => self.find_in_array(pointer, depth),
            _ => None,
        };
        Some(found.unwrap_or(start))
    }

    fn find_in_object(&mut self, pointer: &[String], depth: usize) -> Option<usize> {
        self.pos += 1;
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos)? {
                b'}' => return None,
                b',' => self.pos += 1,
                b'"' => {
                    let key = self.string()?;
                    self.skip_ws();
                    if self.bytes.get(self.pos) == Some(&b':') {
                        self.pos += 1;
                    }
                    if key == pointer[depth] {
                        return self.find(pointer, depth + 1);
                    }
                    self.skip_value()?;
                }
                _ => return None,
            }
        }
    }

    fn find_in_array(&mut self, pointer: &[String], depth: usize) -> Option<usize> {
        let wanted: usize = pointer[depth].parse().ok()?;
        self.pos += 1;
        let mut index = 0;
        loop {
            self.skip_ws();
            match self.bytes.get(self.pos)? {
                b']' => return None,
                b',' => {
                    self.pos += 1;
                    index += 1;
                }
                _ if index == wanted => return self.find(pointer, depth + 1),
                _ => self.skip_value()?,
            }
        }
    }

    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.pos += 1;
        while let Some(&b) = self.bytes.get(self.pos) {
            self.pos += 1;
            match b {
                b'\\' => self.pos += 1,
                b'"' => {
                    let raw = std::str::from_utf8(&self.bytes[start..self.pos]).ok()?;
                    return serde_json::from_str(raw).ok();
                }
                _ => {}
            }
        }
        None
    }

    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        match self.bytes.get(self.pos)? {
            b'"' => self.string().map(|_| ()),
            b'{' | b'[' => self.skip_container(),
            _ => {
                while let Some(b) = self.bytes.get(self.pos) {
                    if matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace() {
                        break;
                    }
                    self.pos += 1;
                }
                Some(())
            }
        }
    }

    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        self.pos += 1;
                        return Some(());
                    }
                }
                _ => {}
            }
            self.pos += 1;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ptr(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn finds_nested_values_and_escaped_keys() {
        let text = "{\"x\": \"a\\\"}\", \"k\\\"ey\": {\"n\": [10, 20, {\"deep\": null}]}}";
        let at = locate(text, &ptr(&["k\"ey", "n", "2", "deep"])).unwrap();
        assert_eq!(&text[at.column - 1..at.column + 3], "null");
    }

    #[test]
    fn missing_keys_point_at_the_closest_ancestor() {
        let text = "{\n \"a\": {\"b\": 1}\n}";
        assert_eq!(
            locate(text, &ptr(&["a", "zzz"])),
            Some(Position { line: 2, column: 7 })
        );
    }

    proptest! {
        #[test]
        fn never_panics(text in ".{0,60}", keys in proptest::collection::vec("[a-z0-9]{0,3}", 0..4)) {
            let _ = locate(&text, &keys);
        }
    }
}

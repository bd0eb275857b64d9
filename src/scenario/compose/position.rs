//! Where a key of a YAML file is written: the line and column of a block-style mapping key,
//! found by its path (`services` → `orders` → `volumes`). serde_yaml_ng locates its errors but
//! not the keys it reads, and warnings on keys that parse but are not used need a place too.
//! A key inside a flow mapping (`{ a: 1 }`) or a list item is located at its nearest
//! block-style parent.

/// Line and column (1-based) of the key at `path`, else of its nearest located parent, else
/// the file's start.
pub fn locate(text: &str, path: &[&str]) -> (usize, usize) {
    (0..=path.len())
        .rev()
        .find_map(|n| exact(text, &path[..n]))
        .unwrap_or((1, 1))
}

/// Line and column of the block-style key at exactly `path`.
fn exact(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    if path.is_empty() {
        return None;
    }
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut scalar_above: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with("---") {
            continue;
        }
        match scalar_above {
            Some(above) if indent > above => continue,
            _ => scalar_above = None,
        }
        let Some((key, value)) = key_of(trimmed) else {
            continue;
        };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key));
        if value.starts_with('|') || value.starts_with('>') {
            scalar_above = Some(indent);
        }
        if stack.len() == path.len() && stack.iter().zip(path).all(|((_, k), p)| k == p) {
            return Some((n + 1, indent + 1));
        }
    }
    None
}

/// The key of a `key: value` line (quotes removed) and what follows its colon; `None` for a
/// list item or anything else.
fn key_of(line: &str) -> Option<(String, &str)> {
    if line.starts_with('-') {
        return None;
    }
    let (key, rest) = match line.chars().next()? {
        q @ ('"' | '\'') => {
            let end = line[1..].find(q)? + 1;
            (line[1..end].to_string(), line[end + 1..].trim_start())
        }
        _ => {
            let colon = line
                .find(": ")
                .or_else(|| line.ends_with(':').then(|| line.len() - 1))?;
            (line[..colon].trim_end().to_string(), &line[colon..])
        }
    };
    let value = rest.strip_prefix(':')?.trim_start();
    Some((key, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
version: '3'
services:
  # a comment
  web:
    image: x
    command: |
      volumes: not a key
    ports:
      - target: 80
    \"volumes\":
      - ./data:/data
  db: { image: y, volumes: [a] }
volumes:
  data:
";

    #[test]
    fn finds_block_keys_by_path() {
        assert_eq!(locate(TEXT, &["services", "web", "volumes"]), (10, 5));
        assert_eq!(locate(TEXT, &["services", "web", "image"]), (5, 5));
        assert_eq!(locate(TEXT, &["volumes"]), (13, 1));
        assert_eq!(locate(TEXT, &["volumes", "data"]), (14, 3));
    }

    #[test]
    fn falls_back_to_the_nearest_parent() {
        assert_eq!(locate(TEXT, &["services", "db", "volumes"]), (12, 3));
        assert_eq!(
            locate(TEXT, &["services", "web", "ports", "published"]),
            (8, 5)
        );
        assert_eq!(locate(TEXT, &["nothing"]), (1, 1));
    }
}

//! Scanner: a cursor over the value being checked, reading literals, numbers and names with
//! errors that say where and what was found.

/// A cursor over a value.
pub(super) struct Scanner<'a> {
    /// The value being read.
    pub(super) s: &'a str,
    /// Where reading is, in bytes.
    pub(super) pos: usize,
}

impl Scanner<'_> {
    pub(super) fn rest(&self) -> &str {
        self.s.get(self.pos..).unwrap_or("")
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    pub(super) fn found(&self) -> String {
        match self.rest().chars().next() {
            Some(_) => format!("'{}'", self.rest().chars().take(12).collect::<String>()),
            None => "the end of the value".to_string(),
        }
    }

    pub(super) fn eat(&mut self, text: &str) -> bool {
        if self.rest().starts_with(text) {
            self.pos += text.len();
            true
        } else {
            false
        }
    }

    pub(super) fn eat_ignore_case(&mut self, text: &str) -> bool {
        let ok = self
            .rest()
            .as_bytes()
            .get(..text.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(text.as_bytes()));
        if ok {
            self.pos += text.len();
        }
        ok
    }

    pub(super) fn expect(&mut self, text: &str) -> Result<(), String> {
        if self.eat(text) {
            Ok(())
        } else {
            Err(format!(
                "expected '{text}' at position {} but found {}",
                self.pos,
                self.found()
            ))
        }
    }

    pub(super) fn digits_ahead(&self) -> usize {
        self.rest().bytes().take_while(u8::is_ascii_digit).count()
    }

    /// Reads between `min` and `max` digits (greedy), leaving `reserve` digits if it can.
    pub(super) fn number(
        &mut self,
        min: usize,
        max: usize,
        reserve: usize,
        what: &str,
    ) -> Result<i64, String> {
        let avail = self.digits_ahead();
        let take = avail.saturating_sub(reserve).max(min).min(max).min(avail);
        if take < min || take == 0 {
            return Err(self.digits_error(min, max, what));
        }
        let text = &self.rest()[..take];
        let value = text
            .bytes()
            .try_fold(0i64, |acc, b| {
                acc.checked_mul(10)?.checked_add(i64::from(b - b'0'))
            })
            .ok_or_else(|| format!("{what} '{text}' at position {} is too large", self.pos))?;
        self.pos += take;
        Ok(value)
    }

    pub(super) fn digits_error(&self, min: usize, max: usize, what: &str) -> String {
        let want = if min == max {
            format!("{min} digit{}", if min == 1 { "" } else { "s" })
        } else {
            format!("{min} to {max} digits")
        };
        format!(
            "expected {want} for the {what} at position {} but found {}",
            self.pos,
            self.found()
        )
    }

    /// The index of the longest name (case-insensitive) found here.
    pub(super) fn name<'n>(
        &mut self,
        names: impl IntoIterator<Item = (usize, &'n str)>,
        what: &str,
    ) -> Result<usize, String> {
        let rest = self.rest().as_bytes();
        let best = names
            .into_iter()
            .filter(|(_, n)| !n.is_empty())
            .filter(|(_, n)| {
                rest.get(..n.len())
                    .is_some_and(|b| b.eq_ignore_ascii_case(n.as_bytes()))
            })
            .max_by_key(|(_, n)| n.len());
        match best {
            Some((i, n)) => {
                self.pos += n.len();
                Ok(i)
            }
            None => Err(format!(
                "expected {what} at position {} but found {}",
                self.pos,
                self.found()
            )),
        }
    }
}

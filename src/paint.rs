//! Terminal colouring: text styled only when colour is on. A leaf module: it imports nothing
//! from the crate.

/// `text` styled by `f` when `color` is on, plain otherwise.
pub(crate) fn paint(text: &str, color: bool, f: impl Fn(&str) -> String) -> String {
    if color {
        f(text)
    } else {
        text.to_string()
    }
}

//! Terminal styling: colour only when writing to a terminal and `NO_COLOR` is unset.

use std::io::IsTerminal;

/// True when standard output should be coloured.
pub fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

//! Standard output that a closed reader cannot break: with `| head -1`, the output ends and
//! the command still finishes (a write into a closed pipe is dropped instead of panicking).

use std::io::{ErrorKind, Write as _};

/// Writes to standard output; a reader that went away (`EPIPE`) is no error, any other
/// failure is said on standard error.
pub(crate) fn write(args: std::fmt::Arguments<'_>) {
    match std::io::stdout().lock().write_fmt(args) {
        Err(e) if e.kind() != ErrorKind::BrokenPipe => {
            eprintln!("shakedown: cannot write to standard output: {e}");
        }
        _ => {}
    }
}

/// `print!` that ignores a closed standard output.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!($($arg)*))
    };
}

/// `println!` that ignores a closed standard output.
macro_rules! outln {
    () => {
        $crate::cli::out::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::cli::out::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

pub(crate) use {out, outln};

/// Prints `value` as pretty JSON and a newline (what `--format json` prints).
pub(crate) fn json(value: &impl serde::Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => eprintln!("shakedown: cannot write JSON: {e}"),
    }
}

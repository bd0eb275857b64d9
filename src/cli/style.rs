//! Terminal styling: the one decision whether output is coloured (`--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE`, `CLICOLOR=0`, `TERM=dumb`, whether the stream is a terminal), for
//! everything that paints.

use std::ffi::OsString;
use std::io::IsTerminal;
use std::sync::OnceLock;

use super::args::ColorArg;

/// The `--color` choice, set once at start ([`init`]); `auto` before that.
static CHOICE: OnceLock<ColorArg> = OnceLock::new();

/// Records the `--color` choice for the rest of the process (the first call wins).
pub fn init(choice: ColorArg) {
    let _ = CHOICE.set(choice);
}

/// True when standard output should be coloured.
pub fn stdout_color() -> bool {
    decide(choice(), &Env::read(), std::io::stdout().is_terminal())
}

/// True when standard error should be coloured (logs, the live view).
pub fn stderr_color() -> bool {
    decide(choice(), &Env::read(), std::io::stderr().is_terminal())
}

/// clap's own colouring (help, usage errors) for a `--color` choice: `auto` leaves the
/// terminal test and `NO_COLOR`/`CLICOLOR_FORCE` to clap, which reads them the same way.
pub fn clap_choice(choice: ColorArg) -> clap::ColorChoice {
    match choice {
        ColorArg::Auto => clap::ColorChoice::Auto,
        ColorArg::Always => clap::ColorChoice::Always,
        ColorArg::Never => clap::ColorChoice::Never,
    }
}

/// The `--color` value in raw arguments, before clap parses them (so that clap's own
/// output follows it too); `auto` when absent or not a valid value.
pub fn color_flag(args: &[OsString]) -> ColorArg {
    use clap::ValueEnum as _;
    let mut found = ColorArg::Auto;
    let mut iter = args.iter().skip(1).map(|a| a.to_string_lossy());
    while let Some(arg) = iter.next() {
        let value = match arg.as_ref() {
            "--" => break,
            "--color" => iter.next().map(|v| v.into_owned()),
            other => other.strip_prefix("--color=").map(str::to_string),
        };
        if let Some(choice) = value.and_then(|v| ColorArg::from_str(&v, false).ok()) {
            found = choice;
        }
    }
    found
}

fn choice() -> ColorArg {
    CHOICE.get().copied().unwrap_or(ColorArg::Auto)
}

/// The environment variables that bear on colour.
#[derive(Debug, Default)]
struct Env {
    /// `NO_COLOR` set and not empty (no-color.org).
    no_color: bool,
    /// `CLICOLOR_FORCE` set, not empty and not `0`.
    force: bool,
    /// `CLICOLOR=0` or `TERM=dumb`: a terminal that wants no colour (as clap reads them).
    plain_terminal: bool,
}

impl Env {
    fn read() -> Self {
        let set = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
        Env {
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            force: set("CLICOLOR_FORCE"),
            plain_terminal: std::env::var_os("CLICOLOR").is_some_and(|v| v == "0")
                || std::env::var_os("TERM").is_some_and(|v| v == "dumb"),
        }
    }
}

/// The decision: an explicit choice wins; `auto` is off with `NO_COLOR`, on with
/// `CLICOLOR_FORCE`, else on only for a terminal that does not ask for none (`CLICOLOR=0`,
/// `TERM=dumb`).
fn decide(choice: ColorArg, env: &Env, terminal: bool) -> bool {
    match choice {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => !env.no_color && (env.force || (terminal && !env.plain_terminal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_leaves_a_dumb_or_clicolor_0_terminal_plain_unless_forced() {
        let plain = Env {
            plain_terminal: true,
            ..Env::default()
        };
        assert!(!decide(ColorArg::Auto, &plain, true));
        assert!(decide(ColorArg::Always, &plain, true));
        let forced = Env {
            plain_terminal: true,
            force: true,
            ..Env::default()
        };
        assert!(decide(ColorArg::Auto, &forced, true));
    }

    #[test]
    fn auto_colours_only_a_terminal_without_no_color() {
        let plain = Env::default();
        assert!(decide(ColorArg::Auto, &plain, true));
        assert!(!decide(ColorArg::Auto, &plain, false));
        let no_color = Env {
            no_color: true,
            force: true,
            ..Env::default()
        };
        assert!(!decide(ColorArg::Auto, &no_color, true));
        let force = Env {
            no_color: false,
            force: true,
            ..Env::default()
        };
        assert!(decide(ColorArg::Auto, &force, false));
    }

    #[test]
    fn an_explicit_choice_wins_over_the_environment() {
        let no_color = Env {
            no_color: true,
            force: false,
            ..Env::default()
        };
        assert!(decide(ColorArg::Always, &no_color, false));
        assert!(!decide(ColorArg::Never, &Env::default(), true));
    }

    #[test]
    fn the_color_flag_is_found_before_parsing() {
        let args = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
        let flag = |a: &[&str]| color_flag(&args(a));
        assert_eq!(
            flag(&["shakedown", "mock", "--color", "never"]),
            ColorArg::Never
        );
        assert_eq!(
            flag(&["shakedown", "--color=always", "list"]),
            ColorArg::Always
        );
        assert_eq!(flag(&["shakedown", "list"]), ColorArg::Auto);
        assert_eq!(flag(&["shakedown", "--color", "bogus"]), ColorArg::Auto);
        assert_eq!(flag(&["shakedown", "--", "--color=never"]), ColorArg::Auto);
    }
}

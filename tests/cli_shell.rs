//! The CLI as a shell meets it: completion scripts and the man page name every command, bare
//! `shakedown` is a usage error, and colour appears only where `--color`, `NO_COLOR`,
//! `CLICOLOR_FORCE` and the terminal test allow (never in a redirected log by default).
#![cfg(feature = "cli")]

mod common;

use std::fs::File;
use std::process::{Command, Output};

use clap::CommandFactory as _;
use common::cli::{shakedown, text};
use common::process::announcing_keeping_stderr;

/// Every command and sub-command name, from the CLI's own definition.
fn command_names() -> Vec<String> {
    fn walk(cmd: &clap::Command, out: &mut Vec<String>) {
        for sub in cmd.get_subcommands() {
            out.push(sub.get_name().to_string());
            walk(sub, out);
        }
    }
    let mut names = Vec::new();
    walk(&shakedown::cli::Cli::command(), &mut names);
    assert!(names.len() > 10, "{names:?}");
    names
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn should_complete_every_command_in_bash_zsh_and_fish() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = shakedown(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out));
        let script = stdout(&out);
        for name in command_names() {
            assert!(script.contains(&name), "{shell} completions lack {name}");
        }
    }
    let bash = stdout(&shakedown(["completions", "bash"]).output().unwrap());
    assert!(bash.contains("complete -F _shakedown"), "{bash}");
}

#[test]
fn should_print_a_man_page_naming_every_command() {
    let out = shakedown(["man"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let page = stdout(&out);
    let first_macro = page
        .lines()
        .find(|l| l.starts_with(".TH") || l.starts_with(".SH"));
    assert!(
        first_macro.is_some_and(|l| l.starts_with(".TH shakedown 1")),
        "{first_macro:?}"
    );
    // Top-level commands, each as its own page's name (roff escapes '-').
    for name in shakedown::cli::Cli::command()
        .get_subcommands()
        .map(|c| c.get_name())
    {
        let reference = format!("shakedown-{name}(1)").replace('-', "\\-");
        assert!(page.contains(&reference), "the man page lacks {reference}");
    }
    for section in ["NAME", "SYNOPSIS", "OPTIONS", "SUBCOMMANDS"] {
        assert!(page.contains(&format!(".SH {section}")), "no {section}");
    }
}

#[test]
fn should_render_with_man_when_it_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shakedown.1");
    std::fs::write(&file, shakedown(["man"]).output().unwrap().stdout).unwrap();
    let Ok(out) = Command::new("man")
        .arg("-l")
        .arg(&file)
        .env("MANPAGER", "cat")
        .env("MANWIDTH", "100")
        .output()
    else {
        eprintln!("skipped: man is not installed");
        return;
    };
    let rendered = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", text(&out));
    assert!(rendered.contains("SYNOPSIS"), "{rendered}");
    assert!(rendered.contains("can-i-deploy"), "{rendered}");
    let warnings = String::from_utf8_lossy(&out.stderr);
    assert!(!warnings.contains("warning"), "{warnings}");
}

#[test]
fn should_write_one_man_page_per_command_into_a_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = shakedown(["man", "--dir", dir.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    for page in [
        "shakedown.1",
        "shakedown-verify.1",
        "shakedown-contract-check.1",
    ] {
        let roff = std::fs::read_to_string(dir.path().join(page))
            .unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(roff.contains(".TH"), "{page}");
    }
}

#[test]
fn should_print_usage_and_exit_2_without_a_command() {
    let out = shakedown(Vec::<&str>::new()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    assert!(
        out.stdout.is_empty(),
        "usage goes to stderr: {}",
        stdout(&out)
    );
    let usage = String::from_utf8_lossy(&out.stderr);
    assert!(usage.contains("Usage: shakedown"), "{usage}");
    for flag in ["--help", "--version"] {
        let out = shakedown([flag]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{flag}: {}", text(&out));
        assert!(!out.stdout.is_empty(), "{flag} prints to stdout");
    }
}

const ESC: u8 = 0x1b;

/// `shakedown mock` with stderr (its log) in a file: serves one request that matches
/// nothing (a logged warning), stops on Ctrl-C; the log file and stdout, as bytes.
fn mock_log(color: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("mock.log");
    let mut command = shakedown(["mock", "examples/pacts/web-orders-v2.json"]);
    command
        .args(color)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .envs(env.iter().copied())
        .stderr(File::create(&log).unwrap());
    let stub = announcing_keeping_stderr(&mut command);
    let answer = reqwest::blocking::get(format!("{}/no/such/path", stub.url)).unwrap();
    assert_eq!(answer.status(), 500);
    let (code, rest) = stub.process.interrupt();
    assert_eq!(code, Some(0), "{rest}");
    let mut bytes = std::fs::read(&log).unwrap();
    assert!(!bytes.is_empty(), "mock logged nothing");
    bytes.extend(rest.into_bytes());
    bytes
}

#[test]
fn should_log_without_colour_into_a_file() {
    let plain = mock_log(&[], &[]);
    assert!(!plain.contains(&ESC), "{}", String::from_utf8_lossy(&plain));
    let forced = mock_log(&["--color", "always"], &[]);
    assert!(
        forced.contains(&ESC),
        "--color always paints: {}",
        String::from_utf8_lossy(&forced)
    );
}

#[test]
fn should_let_no_color_win_over_clicolor_force() {
    let forced = mock_log(&[], &[("CLICOLOR_FORCE", "1")]);
    assert!(
        forced.contains(&ESC),
        "{}",
        String::from_utf8_lossy(&forced)
    );
    let no_color = mock_log(
        &["--color", "auto"],
        &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")],
    );
    assert!(
        !no_color.contains(&ESC),
        "{}",
        String::from_utf8_lossy(&no_color)
    );
}

/// `contract check` of a broken contract: its error line is red only when colour is on.
fn check_output(args: &[&str], env: &[(&str, &str)]) -> Vec<u8> {
    let out = shakedown(["contract", "check", "tests/fixtures/check/bad-regex.json"])
        .args(args)
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    out.stdout
}

#[test]
fn should_paint_check_results_only_as_asked() {
    assert!(!check_output(&[], &[]).contains(&ESC));
    assert!(check_output(&["--color", "always"], &[]).contains(&ESC));
    assert!(!check_output(&["--color", "always", "--format", "json"], &[]).contains(&ESC));
    assert!(!check_output(&["--color", "never"], &[("CLICOLOR_FORCE", "1")]).contains(&ESC));
    assert!(!check_output(
        &["--color", "auto"],
        &[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")]
    )
    .contains(&ESC));
}

#[test]
fn should_colour_clap_errors_only_when_asked() {
    let error = |color: &str| {
        let out = shakedown(["--color", color, "verify", "--no-such-flag"])
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        out.stderr
    };
    assert!(error("always").contains(&ESC));
    assert!(!error("never").contains(&ESC));
    assert!(!error("auto").contains(&ESC), "stderr is not a terminal");
}

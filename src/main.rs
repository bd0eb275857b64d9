//! The `shakedown` command-line tool.

fn main() -> std::process::ExitCode {
    shakedown::cli::main()
}

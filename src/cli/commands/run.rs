//! `shakedown run FILE`: a game day from the command line — the live view, Ctrl-C that
//! heals and cleans up, the end-of-run summary and the reports.

use std::io::{IsTerminal as _, Write as _};
use std::time::Duration;

use crate::cli::args::{BackendArg, RunArgs};
use crate::cli::out::out;
use crate::cli::outcome::Outcome;
use crate::cli::signals::{kill_signal, shutdown_signals};
use crate::report::{self, RunOutcome};
use crate::scenario::{self, cancel_pair, BackendKind, RunOptions, Scenario};

/// Runs the command.
pub fn run(args: &RunArgs) -> Outcome {
    // The process backend runs each service's program: a missing one stops the run here,
    // located, before anything starts (the docker backend's programs live in images).
    let programs = match args.backend {
        BackendArg::Process => scenario::Programs::MustExist,
        BackendArg::Docker => scenario::Programs::Unchecked,
    };
    let scenario = match scenario::load_with(&args.file, programs) {
        Ok(s) => {
            super::scenario::warn_about(&s);
            s
        }
        Err(e) => {
            eprintln!("{e}");
            return Outcome::UsageError;
        }
    };
    let options = RunOptions {
        backend: match args.backend {
            BackendArg::Process => BackendKind::Process,
            BackendArg::Docker => BackendKind::Docker,
        },
        seed: args.seed,
        state_dir: args.state_dir.clone(),
        kill_switch: args.kill_switch.clone(),
        ..RunOptions::default()
    };
    let seed = scenario::effective_seed(&scenario, &options);
    let options = RunOptions {
        seed: Some(seed),
        ..options
    };
    if args.dry_run {
        if args.format.json() {
            eprintln!("shakedown run: --dry-run prints the plan as text only (no --format json)");
            return Outcome::UsageError;
        }
        out!("{}", dry_run(&scenario, seed));
        return Outcome::Ok;
    }
    match execute(&scenario, options, args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("shakedown run: {e:#}");
            Outcome::UsageError
        }
    }
}

fn execute(
    scenario: &Scenario,
    mut options: RunOptions,
    args: &RunArgs,
) -> anyhow::Result<Outcome> {
    let live = !args.no_live && std::io::stderr().is_terminal();
    let names: Vec<String> = scenario.canaries.iter().map(|c| c.name.clone()).collect();
    let view = crate::cli::live::listener(live, total(scenario), &names);
    options.listener = Some(with_kill_switch_note(view, &options));
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let journal = rt.block_on(async {
        let (canceller, cancel) = cancel_pair();
        let signals = shutdown_signals()?;
        let watcher = tokio::spawn(async move {
            signals.await;
            canceller.cancel();
            // stderr may be closed (a pipe whose reader went away): never panic on it.
            let _ = writeln!(
                std::io::stderr(),
                "\nshakedown run: interrupted — healing faults and removing services …"
            );
        });
        let (killer, kill) = cancel_pair();
        let usr1 = kill_signal()?;
        let kill_watcher = tokio::spawn(async move {
            usr1.await;
            killer.cancel();
        });
        options.kill_signal = Some(kill);
        let journal = scenario::run(scenario, options, cancel).await;
        watcher.abort();
        kill_watcher.abort();
        anyhow::Ok(journal)
    })?;
    if args.format.json() {
        crate::cli::out::json(&journal);
    } else {
        let color = crate::cli::style::stdout_color();
        out!("{}", report::summary(&journal, color));
    }
    if let Some(dir) = &args.report {
        for path in report::write_all(&journal, dir)? {
            // With --format json, standard output holds the journal alone.
            if args.format.json() {
                eprintln!("report: {}", path.display());
            } else {
                crate::cli::out::outln!("report: {}", path.display());
            }
        }
    }
    Ok(match journal.outcome {
        RunOutcome::Passed => Outcome::Ok,
        RunOutcome::Failed | RunOutcome::Aborted => Outcome::CheckFailed,
        RunOutcome::Error | RunOutcome::Interrupted => Outcome::UsageError,
    })
}

/// The live view, and a line saying how to pull the kill switch once the run has its id.
fn with_kill_switch_note(view: scenario::Listener, options: &RunOptions) -> scenario::Listener {
    let (file, state_dir) = (options.kill_switch.clone(), options.state_dir.clone());
    std::sync::Arc::new(move |e: &report::Event| {
        view(e);
        if let report::EventKind::RunStarted { run_id, .. } = &e.what {
            let file = file.clone().unwrap_or_else(|| {
                let dir = state_dir
                    .clone()
                    .unwrap_or_else(scenario::default_state_dir);
                scenario::kill_switch_file(&dir, run_id)
            });
            let _ = writeln!(
                std::io::stderr(),
                "kill switch: touch {} or kill -USR1 {} (aborts: heals every fault, exit 1)",
                file.display(),
                std::process::id()
            );
        }
    })
}

/// The expected length of the timeline: warm-up, the last heal, settle.
fn total(scenario: &Scenario) -> Duration {
    let plan = scenario::plan(scenario, 0);
    let last = plan
        .iter()
        .map(|p| p.end.unwrap_or(p.start))
        .max()
        .unwrap_or_default();
    Duration::from(scenario.warmup) + last + Duration::from(scenario.settle)
}

/// The plan, without starting anything.
fn dry_run(scenario: &Scenario, seed: u64) -> String {
    let mut out = format!(
        "scenario: {}\nseed: {seed}\n\nservices (start order):\n",
        scenario.name
    );
    for name in scenario::start_order(scenario) {
        let s = &scenario.services[&name];
        let command = s.command.as_ref().map_or("-".into(), |c| c.join(" "));
        let image = s.image.as_deref().unwrap_or("-");
        out += &format!("  {name}: command `{command}`, image {image}\n");
    }
    out += "\nlinks (through the fault proxy):\n";
    for (name, l) in &scenario.links {
        out += &format!("  {name}: {} -> {}\n", l.from, l.to);
    }
    out += &format!("\ntimeline (after a {} warm-up):\n", scenario.warmup);
    for p in scenario::plan(scenario, seed) {
        out += &format!("  {}: {}\n", p.id, super::fault_words::words(&p));
    }
    out += &format!(
        "\ncanaries: {}\nhypotheses: {}\nsteady-state checks: {}\ntotal about {:?}\n",
        scenario.canaries.len(),
        scenario.hypotheses.len(),
        scenario.steady_state.len(),
        total(scenario)
    );
    let guards = guardrails(scenario);
    if !guards.is_empty() {
        out += &format!("\nguardrails:\n{guards}");
    }
    out
}

/// The dry run's guardrails: each `[[abort]]` condition and `max_duration`.
fn guardrails(scenario: &Scenario) -> String {
    let mut out = String::new();
    for (i, a) in scenario.abort.iter().enumerate() {
        let name = a.name.clone().unwrap_or_else(|| format!("abort-{}", i + 1));
        let watched = match (&a.canary, &a.steady_state, &a.prometheus) {
            (Some(c), _, _) => format!("canary {c:?}"),
            (_, Some(c), _) => format!("steady-state check {c:?} every {}", a.every),
            (_, _, Some(q)) => format!("prometheus query `{}` every {}", q.query, a.every),
            _ => "nothing".into(),
        };
        let mut limits = Vec::new();
        if let Some(r) = a.success_rate_below {
            limits.push(format!("success rate below {:.0}%", r * 100.0));
        }
        if let Some(p) = a.p99_above {
            limits.push(format!("p99 above {p}"));
        }
        if let Some(v) = a.value_above {
            limits.push(format!("value above {v}"));
        }
        if let Some(v) = a.value_below {
            limits.push(format!("value below {v}"));
        }
        out += &format!(
            "  abort {name}: {watched}, {} over {}\n",
            limits.join(" or "),
            a.over
        );
    }
    if let Some(max) = scenario.max_duration {
        out += &format!("  abort past max_duration {max}\n");
    }
    out
}

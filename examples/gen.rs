//! Writes a synthetic layered topology to standard output, for scale tests:
//!
//! ```text
//! cargo run --release --example gen -- 100000 > big.toml
//! cargo run --release --example gen -- 100000 --seed 7 > big7.toml
//! cargo run --release --example gen -- 100000 --changes   # the plan's flags
//! ```
//!
//! The same count and seed always give the same file. `--changes` prints,
//! instead of the topology, the `--reboot ID` flags of a ten-service plan on
//! it, one per line (use with `xargs` or `$(...)`).

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut count: Option<usize> = None;
    let mut seed = 1u64;
    let mut changes = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--seed" => match args.next().and_then(|s| s.parse().ok()) {
                Some(s) => seed = s,
                None => return usage("--seed needs a number"),
            },
            "--changes" => changes = true,
            "-h" | "--help" => return usage(""),
            n => match n.parse() {
                Ok(n) if count.is_none() && n > 0 => count = Some(n),
                _ => return usage(&format!("unexpected argument `{n}`")),
            },
        }
    }
    let Some(count) = count else {
        return usage("give the number of services");
    };
    let g = blastradius::testgen::generate(count, seed);
    let text = if changes {
        g.changes
            .iter()
            .map(|c| format!("--reboot\n{c}\n"))
            .collect()
    } else {
        g.toml
    };
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage(problem: &str) -> ExitCode {
    if !problem.is_empty() {
        eprintln!("gen: {problem}");
    }
    eprintln!("usage: cargo run --release --example gen -- COUNT [--seed N] [--changes]");
    if problem.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

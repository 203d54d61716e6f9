//! Every integration test in one binary: one link of the crate instead of
//! one per file, and the tests of all files share the test threads (a
//! fresh `cargo test` spent most of its time building and linking a dozen
//! binaries, then ran them one after another).
//!
//! Each file is a module named after it: `cargo test --test all cli::`
//! runs the CLI tests, `cargo test --test all tui_state::` the TUI state
//! tests.

mod cmd;
mod common;

mod atomic_writes;
mod cli;
mod cli_waves;
mod differential;
mod exposure;
mod hostile;
mod hostile_files;
mod import;
mod live;
mod properties;
mod tui_smoke;
mod tui_snapshots;
mod tui_state;

//! blastradius: maintenance risk assessment.
//!
//! Load a service dependency graph ([`topology`]), mark what a change will
//! touch ([`plan`]), and walk the graph ([`analysis`]) to find who goes down,
//! degrades or loses their last spare, the failovers that will not save them,
//! and the checklist ([`checklist`]) that must be done around the change.
//! [`report`] renders the result as text, JSON or Markdown.
//!
//! The core never touches the terminal: the CLI and the TUI are thin shells
//! over the same functions, so their answers cannot drift.

pub mod analysis;
pub mod checklist;
pub mod cli;
pub mod diag;
pub mod fsutil;
pub mod import;
pub mod plan;
pub mod report;
pub mod review;
pub mod text;
pub mod topology;
#[cfg(feature = "tui")]
pub mod tui;

/// The seed incident's stack, compiled in as the demo topology.
pub const DEMO_TOPOLOGY: &str = include_str!("../topologies/web-stack.toml");

/// The name diagnostics use for the embedded demo.
pub const DEMO_NAME: &str = "web-stack.toml (embedded demo)";

/// The change of the seed outage, compiled in as the demo plan.
pub const DEMO_PLAN: &str = include_str!("../topologies/web-stack.plan.toml");

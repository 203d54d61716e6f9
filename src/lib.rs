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
//!
//! ```
//! use blastradius::plan::{Action, Plan};
//! use blastradius::{checklist::RuleSet, review::Review, topology};
//!
//! let topo = topology::load("web-stack.toml", blastradius::DEMO_TOPOLOGY).unwrap();
//! let lb = topo.lookup("lb-primary").unwrap();
//! let today = topology::Date { year: 2023, month: 6, day: 8 };
//! let review = Review::new(&topo, &Plan::default(), &[(lb, Action::Reboot).into()], &RuleSet::defaults(), today);
//!
//! // The secondary is already down: the EU site goes with the primary.
//! let site = topo.lookup("site-eu").unwrap();
//! assert_eq!(review.assessment.status(site).as_str(), "down");
//! assert_eq!(review.assessment.risk.as_str(), "critical");
//! assert!(review.assessment.findings.iter().any(|f| f.kind.as_str() == "failover-unavailable"));
//! ```

pub mod analysis;
pub mod checklist;
pub mod cli;
pub mod diag;
pub mod fsutil;
pub mod import;
pub mod live;
pub mod plan;
pub mod report;
pub mod review;
pub mod session;
#[doc(hidden)]
pub mod testgen;
pub mod text;
pub mod topology;
#[cfg(feature = "tui")]
pub mod tui;
pub mod wave_review;
pub mod words;

/// The seed incident's stack, compiled in as the demo topology.
pub const DEMO_TOPOLOGY: &str = include_str!("../topologies/web-stack.toml");

/// The name diagnostics use for the embedded demo.
pub const DEMO_NAME: &str = "web-stack.toml (embedded demo)";

/// The change of the seed outage, compiled in as the demo plan.
pub const DEMO_PLAN: &str = include_str!("../topologies/web-stack.plan.toml");

//! The demo app as the TUI tests build it: the built-in topology and plan,
//! a fixed date, no autosave unless asked, the colourless theme.
// Each test crate uses a different part of this module.
#![allow(dead_code)]

use blastradius::checklist::RuleSet;
use blastradius::plan::Plan;
use blastradius::topology::{self, Date, Topology};
use blastradius::tui::app::{App, Source};
use blastradius::tui::persist::Autosave;
use blastradius::tui::theme::Theme;

pub fn demo_topology() -> Topology {
    topology::load(blastradius::DEMO_NAME, blastradius::DEMO_TOPOLOGY).expect("the demo loads")
}

pub fn demo_plan() -> Plan {
    Plan::parse("demo", blastradius::DEMO_PLAN).expect("the demo plan parses")
}

/// An app on `topo` and `plan`, assessed as of 2023-06-08 (the seed
/// outage's date), so failover test ages do not depend on the clock.
pub fn app(topo: Topology, plan: Plan, autosave: Autosave, theme: Theme) -> App {
    App::new(
        topo,
        Source::default(),
        plan,
        RuleSet::defaults(),
        Date {
            year: 2023,
            month: 6,
            day: 8,
        },
        autosave,
        theme,
    )
}

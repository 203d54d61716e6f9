//! A whole review of one change: the assessment, the alert plan and the
//! checklist, computed together. The CLI and the TUI both build one of
//! these, so what they show cannot drift.

use crate::analysis::{self, Assessment, Standing};
use crate::checklist::{self, AlertPlan, Checklist, RuleSet};
use crate::plan::{Action, Plan};
use crate::topology::{Date, NodeId, Topology};

/// Everything known about a plan on a topology.
#[derive(Debug, Clone)]
pub struct Review {
    pub assessment: Assessment,
    pub alerts: AlertPlan,
    pub checklist: Checklist,
}

impl Review {
    /// Assesses `changes` (already resolved against `topo`) for `plan`.
    ///
    /// Failover test ages are measured from the plan's start date, else from
    /// `today`.
    pub fn new(
        topo: &Topology,
        plan: &Plan,
        changes: &[(NodeId, Action)],
        rules: &RuleSet,
        today: Date,
    ) -> Review {
        Review::from_standing(topo, &Standing::new(topo), plan, changes, rules, today)
    }

    /// [`Review::new`] from the standing state of `topo`, kept by a caller
    /// that reviews many plans on one topology.
    pub(crate) fn from_standing(
        topo: &Topology,
        standing: &Standing,
        plan: &Plan,
        changes: &[(NodeId, Action)],
        rules: &RuleSet,
        today: Date,
    ) -> Review {
        let reference = plan.start_date().unwrap_or(today);
        let assessment = analysis::assess_from(topo, standing, changes, reference);
        let alerts = checklist::alert_plan(topo, &assessment);
        let checklist = checklist::generate(
            topo,
            &assessment,
            &alerts,
            rules,
            &plan.title,
            &window(plan),
            &plan.done,
        );
        Review {
            assessment,
            alerts,
            checklist,
        }
    }
}

/// The plan's window in words: "2023-06-08T22:00:00+03:00 for 240 min".
pub fn window(plan: &Plan) -> String {
    match (&plan.start, plan.minutes) {
        (Some(s), Some(m)) => format!("{s} for {m} min"),
        (Some(s), None) => format!("from {s}"),
        (None, Some(m)) => format!("{m} min, start not set"),
        (None, None) => "not set".to_string(),
    }
}

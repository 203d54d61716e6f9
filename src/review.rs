//! A whole review of one change: the assessment, the alert plan and the
//! checklist, computed together. The CLI and the TUI both build one of
//! these, so what they show cannot drift.

use crate::analysis::{self, Assessment, Level, Standing};
use crate::checklist::{self, AlertPlan, Checklist, RuleSet};
use crate::plan::{Accept, Named, Plan};
use crate::topology::{Date, NodeId, Topology};

/// Everything known about a plan on a topology.
#[derive(Debug, Clone)]
pub struct Review {
    pub assessment: Assessment,
    pub alerts: AlertPlan,
    pub checklist: Checklist,
    /// The changes the plan names (by id or selector), resolved, sorted by
    /// service.
    pub named: Vec<Named>,
    /// The plan's acceptances of risk, in file order.
    pub accepted: Vec<Accept>,
    /// What else can fail during the window, when asked for
    /// ([`Review::with_exposure`]): `check --exposure`, `report`.
    pub exposure: Option<analysis::Exposure>,
    /// What `--live` observed (JSON `live` and `observed`, the reports'
    /// live state section); `None` without it.
    pub live: Option<std::sync::Arc<crate::live::Observations>>,
    /// With live state: each service whose observed state differs from
    /// the file's, as (service, the file's state, the observed state).
    pub live_diff: Vec<(NodeId, crate::topology::State, crate::topology::State)>,
}

/// Why a plan is or is not ready for approval.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    /// Blocking items still open, and whether the risk still needs an
    /// acceptance (the level that must be accepted).
    NotReady {
        open_blocking: usize,
        needs_accept: Option<Level>,
    },
}

impl Review {
    /// Assesses `changes` (already resolved against `topo`) for `plan`.
    ///
    /// Failover test ages are measured from the plan's start date, else from
    /// `today`.
    pub fn new(
        topo: &Topology,
        plan: &Plan,
        changes: &[Named],
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
        changes: &[Named],
        rules: &RuleSet,
        today: Date,
    ) -> Review {
        Review::from_standing_live(topo, standing, plan, changes, rules, today, None)
    }

    /// [`Review::new`] on a topology whose states are the observed ones,
    /// auditing the Alertmanager silences seen (DESIGN.md "Live state"):
    /// a silence that mutes a service the alert plan keeps loud raises
    /// `silenced-must-stay-loud`.
    pub fn new_live(
        topo: &Topology,
        plan: &Plan,
        changes: &[Named],
        rules: &RuleSet,
        today: Date,
        live: &crate::live::Observations,
        label: &str,
    ) -> Review {
        Review::from_standing_live(
            topo,
            &Standing::new(topo),
            plan,
            changes,
            rules,
            today,
            Some((&live.silences, label)),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_standing_live(
        topo: &Topology,
        standing: &Standing,
        plan: &Plan,
        changes: &[Named],
        rules: &RuleSet,
        today: Date,
        silences: Option<(&[crate::live::Silence], &str)>,
    ) -> Review {
        let reference = plan.start_date().unwrap_or(today);
        let pairs: Vec<(NodeId, crate::plan::Action)> = crate::plan::pairs(changes);
        let planned = crate::plan::also_planned(changes);
        let mut assessment = analysis::assess_from(topo, standing, &pairs, &planned, reference);
        let alerts = match standing.loud.get() {
            Some(loud) => {
                let alerts = checklist::alert_plan_over(topo, &assessment, loud);
                debug_assert_eq!(alerts, checklist::alert_plan(topo, &assessment));
                alerts
            }
            None => checklist::alert_plan(topo, &assessment),
        };
        if let Some((silences, label)) = silences {
            assessment.add_findings(topo, silence_findings(topo, &alerts, silences, label));
        }
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
            named: {
                let mut v = changes.to_vec();
                v.sort_by_key(|c| c.service);
                v
            },
            accepted: plan.accepts.clone(),
            exposure: None,
            live: None,
            live_diff: Vec::new(),
        }
    }

    /// The review with its exposure computed (DESIGN.md "Exposure"): the
    /// outputs then show it.
    ///
    /// # Complexity
    /// See [`analysis::exposure`]: near-linear in the estate.
    pub fn with_exposure(mut self, topo: &Topology) -> Review {
        self.exposure = Some(analysis::exposure(topo, &self.assessment));
        self
    }

    /// The highest level accepted by name (who and why), if any.
    pub fn accepted_level(&self) -> Option<Level> {
        self.accepted
            .iter()
            .filter(|a| a.is_complete())
            .map(|a| a.risk)
            .max()
    }

    /// The level that still has to be accepted by name: the plan's risk
    /// when it is high or critical and no acceptance reaches it (one of a
    /// lower level does not count: the plan grew worse after it).
    pub fn needs_accept(&self) -> Option<Level> {
        let risk = self.assessment.risk;
        (risk >= Level::High && self.accepted_level().is_none_or(|l| l < risk)).then_some(risk)
    }

    /// Ready for approval (DESIGN.md): every blocking checklist item is
    /// ticked and, if the plan's risk is high or critical, it is accepted
    /// by name at least at that level.
    pub fn readiness(&self) -> Readiness {
        let open_blocking = self.checklist.open_blocking();
        let needs_accept = self.needs_accept();
        if open_blocking == 0 && needs_accept.is_none() {
            Readiness::Ready
        } else {
            Readiness::NotReady {
                open_blocking,
                needs_accept,
            }
        }
    }

    /// [`Review::readiness`] is `Ready`.
    pub fn ready(&self) -> bool {
        self.readiness() == Readiness::Ready
    }

    /// Where the change stands, in words, for the approval record:
    /// "ready for approval", or what still blocks it.
    pub fn readiness_text(&self) -> String {
        match self.readiness() {
            Readiness::Ready => {
                "READY for approval (every blocking item ticked, the risk accepted)".to_string()
            }
            Readiness::NotReady {
                open_blocking,
                needs_accept,
            } => {
                let mut why = Vec::new();
                if open_blocking > 0 {
                    why.push(format!(
                        "{open_blocking} blocking item{} open",
                        if open_blocking == 1 { "" } else { "s" }
                    ));
                }
                if let Some(l) = needs_accept {
                    why.push(match self.accepted_level() {
                        Some(a) => format!(
                            "risk {} accepted only up to {} (the plan grew worse): accept it again",
                            l.as_str(),
                            a.as_str()
                        ),
                        None => format!(
                            "risk {} not accepted by anyone (add an [[accept]] with who and why)",
                            l.as_str()
                        ),
                    });
                }
                format!("NOT READY: {}", why.join("; "))
            }
        }
    }
}

/// One `silenced-must-stay-loud` finding per active silence that mutes a
/// service of the keep-loud list: its subjects are those services, its
/// message names the silence's id, author and comment.
fn silence_findings(
    topo: &Topology,
    alerts: &AlertPlan,
    silences: &[crate::live::Silence],
    label: &str,
) -> Vec<analysis::Finding> {
    let loud: Vec<&str> = alerts.keep_loud.iter().map(String::as_str).collect();
    crate::live::audit(silences, label, &loud)
        .into_iter()
        .filter_map(|(i, muted)| {
            let s = &silences[i];
            let subjects: Vec<NodeId> = muted.iter().filter_map(|m| topo.lookup(m)).collect();
            if subjects.is_empty() {
                return None;
            }
            let shown: Vec<&str> = muted.iter().take(10).copied().collect();
            let more = muted.len().saturating_sub(shown.len());
            let matchers: Vec<String> = s.matchers.iter().map(ToString::to_string).collect();
            let kind = analysis::FindingKind::SilencedMustStayLoud;
            Some(analysis::Finding {
                kind,
                severity: kind.severity(),
                subjects,
                message: format!(
                    "silence {} by {} (\"{}\"; {}) mutes {}{}, which must stay loud through the window",
                    s.id,
                    s.created_by,
                    s.comment,
                    if matchers.is_empty() {
                        "no matchers".to_string()
                    } else {
                        matchers.join(", ")
                    },
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                ),
                new: true,
            })
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Accept;

    fn demo() -> (Topology, Plan) {
        let topo = crate::topology::load("web-stack.toml", crate::DEMO_TOPOLOGY).unwrap();
        let plan = Plan::parse("web-stack.plan.toml", crate::DEMO_PLAN).unwrap();
        (topo, plan)
    }

    fn review(topo: &Topology, plan: &Plan) -> Review {
        let changes = crate::plan::resolve(topo, &plan.changes, None, "plan").unwrap();
        let today = Date::parse("2023-06-08").unwrap();
        Review::new(topo, plan, &changes, &RuleSet::defaults(), today)
    }

    fn accept(risk: Level, who: &str, why: &str) -> Accept {
        Accept {
            risk,
            who: who.into(),
            why: why.into(),
            at: None,
        }
    }

    #[test]
    fn ticking_every_blocking_item_is_not_ready_at_a_critical_risk_nobody_accepted() {
        let (topo, mut plan) = demo();
        let r = review(&topo, &plan);
        assert_eq!(r.assessment.risk, Level::Critical);
        plan.done = r
            .checklist
            .items
            .iter()
            .filter(|i| i.blocking)
            .map(|i| i.id.clone())
            .collect();
        let r = review(&topo, &plan);
        assert_eq!(r.checklist.open_blocking(), 0);
        assert!(!r.ready(), "critical, accepted by nobody");
        assert!(r.readiness_text().contains("not accepted by anyone"));
        // An acceptance of a lower level does not count: the plan grew
        // worse after it.
        plan.accepts
            .push(accept(Level::High, "R. Ops", "drained to the US"));
        let r = review(&topo, &plan);
        assert!(!r.ready());
        assert!(r.readiness_text().contains("accepted only up to high"));
        // Without a name or a reason it is no acceptance.
        plan.accepts.push(accept(Level::Critical, "", "drained"));
        assert!(!review(&topo, &plan).ready());
        plan.accepts
            .push(accept(Level::Critical, "R. Ops", "drained to the US"));
        let r = review(&topo, &plan);
        assert!(r.ready(), "{}", r.readiness_text());
        assert_eq!(r.accepted_level(), Some(Level::Critical));
        // An open blocking item is never ready, accepted or not.
        plan.done.pop();
        assert!(!review(&topo, &plan).ready());
    }

    #[test]
    fn a_low_or_medium_plan_is_ready_without_an_acceptance() {
        let (topo, mut plan) = demo();
        plan.changes.retain(|c| c.service == "db-primary");
        plan.changes[0].service = "lb-us-1".into();
        let r = review(&topo, &plan);
        assert!(
            r.assessment.risk <= Level::Medium,
            "{:?}",
            r.assessment.risk_reasons
        );
        plan.done = r
            .checklist
            .items
            .iter()
            .filter(|i| i.blocking)
            .map(|i| i.id.clone())
            .collect();
        assert!(review(&topo, &plan).ready());
    }
}

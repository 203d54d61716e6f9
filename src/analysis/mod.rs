//! The walk, the findings and the risk level of a change: pure functions from
//! a topology and a set of changes to an [`Assessment`]. No I/O.

mod findings;
mod walk;

pub use findings::{Finding, FindingKind};

use crate::plan::Action;
use crate::topology::{Date, Node, NodeId, State, Topology};

/// How a service or group ends up, ordered `ok < at-risk < degraded < down`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Status {
    #[default]
    Ok,
    /// Still serving, but with no spare left.
    AtRisk,
    Degraded,
    Down,
}

impl Status {
    /// The word used in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::AtRisk => "at-risk",
            Status::Degraded => "degraded",
            Status::Down => "down",
        }
    }
}

/// A severity or risk level, ordered `low < medium < high < critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Low,
    Medium,
    High,
    Critical,
}

impl Level {
    /// The word used in flags and output.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }

    /// Parses a level word.
    pub fn parse(s: &str) -> Option<Level> {
        [Level::Low, Level::Medium, Level::High, Level::Critical]
            .into_iter()
            .find(|l| l.as_str() == s)
    }

    /// Findings at this level must be dealt with before approval.
    pub fn is_blocking(self) -> bool {
        self >= Level::High
    }
}

/// What the change does to the estate.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Final status per node (index with [`NodeId::index`]).
    status: Vec<Status>,
    /// The action on each node, `None` for nodes the plan does not touch.
    action: Vec<Option<Action>>,
    /// For each non-ok node that is not a starting cause, the next node of
    /// its shortest cause chain.
    next: Vec<Option<NodeId>>,
    /// For each group (by group index), members not down.
    up: Vec<usize>,
    /// Share of users on entry points that end down / degraded.
    pub users_down: f64,
    pub users_degraded: f64,
    /// Findings, most severe first.
    pub findings: Vec<Finding>,
    /// The plan's overall risk.
    pub risk: Level,
    /// Why: each rule of the risk level that applies, with its level, most
    /// severe first.
    pub risk_reasons: Vec<(Level, String)>,
    /// The date failover test ages were measured against.
    pub reference_date: Date,
}

/// Why a starting cause is where a chain ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Changed(Action),
    State(State),
}

/// The estate before any change: the walk of the standing `state`s alone.
///
/// Keep one to assess many plans on the same topology: each assessment then
/// pays only for what its changes reach (the TUI reassesses on every
/// keystroke this way).
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    /// Each node's starting status by its `state`.
    start: Vec<Status>,
    /// The fixpoint from those.
    status: Vec<Status>,
}

impl Standing {
    /// Walks `topo` with no change.
    ///
    /// # Complexity
    /// O((services + groups + edges) · k) where k is the largest group size.
    pub(crate) fn new(topo: &Topology) -> Standing {
        let start = walk::starts(topo);
        let status = walk::fixpoint(topo, &start);
        Standing { start, status }
    }
}

impl Standing {
    /// A node's status before any change.
    pub(crate) fn status(&self, id: NodeId) -> Status {
        self.status[id.index()]
    }
}

/// Walks `topo` under `changes` and derives findings and risk.
///
/// `reference_date` is the day failover test ages are measured to: the plan's
/// start when it has one, else today (the caller decides; this function reads
/// no clock).
///
/// # Complexity
/// O((services + groups + edges) · k) where k is the largest group size:
/// each node's status rises at most three times.
pub fn assess(topo: &Topology, changes: &[(NodeId, Action)], reference_date: Date) -> Assessment {
    assess_from(topo, &Standing::new(topo), changes, reference_date)
}

/// [`assess`], starting the walk from `standing`, which must have been
/// built from the same `topo`.
///
/// # Complexity
/// The walk is O((nodes the changes reach + their edges) · k); the cause
/// chains, findings and risk that follow are linear in the estate.
pub(crate) fn assess_from(
    topo: &Topology,
    standing: &Standing,
    changes: &[(NodeId, Action)],
    reference_date: Date,
) -> Assessment {
    assert_eq!(
        standing.status.len(),
        topo.node_count(),
        "a standing state of another topology"
    );
    let mut action = vec![None; topo.node_count()];
    for &(id, a) in changes {
        action[id.index()] = Some(a);
    }
    let start = walk::with_changes(&standing.start, &action);
    let status = walk::fixpoint_from(topo, &standing.status, &start);
    let next = walk::cause_steps(topo, &start, &action, &status);
    let up = topo
        .groups()
        .iter()
        .map(|g| {
            g.members
                .iter()
                .filter(|m| status[m.index()] != Status::Down)
                .count()
        })
        .collect();
    let mut users_down = 0.0;
    let mut users_degraded = 0.0;
    for &e in topo.entry_points() {
        let users = topo.as_service(e).and_then(|s| s.users).unwrap_or(0.0);
        match status[e.index()] {
            Status::Down => users_down += users,
            Status::Degraded => users_degraded += users,
            _ => {}
        }
    }
    let mut a = Assessment {
        status,
        action,
        next,
        up,
        users_down: round_share(users_down),
        users_degraded: round_share(users_degraded),
        findings: Vec::new(),
        risk: Level::Low,
        risk_reasons: Vec::new(),
        reference_date,
    };
    a.findings = findings::find(topo, &a);
    a.risk_reasons = risk_reasons(topo, &a);
    a.risk = a.risk_reasons.first().map_or(Level::Low, |r| r.0);
    a
}

/// Sums of shares like 0.1 + 0.2 print as 0.30000000000000004; users are
/// given to at most a few decimals, so round the noise away.
fn round_share(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

/// The rules of DESIGN.md's risk level that apply, most severe first. The
/// risk is the first one's level (low when none applies).
fn risk_reasons(topo: &Topology, a: &Assessment) -> Vec<(Level, String)> {
    let mut out = Vec::new();
    for level in [Level::Critical, Level::High, Level::Medium] {
        let n = a.findings.iter().filter(|f| f.severity == level).count();
        if n > 0 {
            out.push((
                level,
                format!(
                    "{n} {} finding{}",
                    level.as_str(),
                    if n == 1 { "" } else { "s" }
                ),
            ));
        }
    }
    if a.users_down > 0.0 {
        out.push((
            Level::Critical,
            format!("{} of users down", crate::text::percent(a.users_down)),
        ));
    }
    if a.users_degraded > 0.0 {
        out.push((
            Level::High,
            format!(
                "{} of users degraded",
                crate::text::percent(a.users_degraded)
            ),
        ));
    }
    let important: Vec<String> = topo
        .services()
        .iter()
        .enumerate()
        .filter(|(i, s)| {
            a.action[*i].is_none()
                && a.status[*i] == Status::Down
                && s.criticality >= crate::topology::Criticality::High
        })
        .map(|(_, s)| format!("{} ({})", s.id, s.criticality.as_str()))
        .collect();
    if !important.is_empty() {
        let shown: Vec<&str> = important.iter().take(5).map(String::as_str).collect();
        out.push((
            Level::High,
            format!(
                "outside the plan, {}{} end{} down",
                shown.join(", "),
                if important.len() > 5 {
                    format!(" and {} more", important.len() - 5)
                } else {
                    String::new()
                },
                if important.len() == 1 { "s" } else { "" }
            ),
        ));
    }
    let at_risk = a.status.iter().filter(|s| **s == Status::AtRisk).count();
    if at_risk > 0 {
        out.push((
            Level::Medium,
            format!(
                "{at_risk} service{} or group{} left with no spare (at-risk)",
                if at_risk == 1 { "" } else { "s" },
                if at_risk == 1 { "" } else { "s" }
            ),
        ));
    }
    out.sort_by_key(|r| std::cmp::Reverse(r.0));
    out
}

impl Assessment {
    /// The final status of a service or group.
    pub fn status(&self, id: NodeId) -> Status {
        self.status[id.index()]
    }

    /// The action the plan takes on a service, if any.
    pub fn action(&self, id: NodeId) -> Option<Action> {
        self.action[id.index()]
    }

    /// Members of a group that are not down.
    pub fn up(&self, topo: &Topology, group: NodeId) -> usize {
        self.up[group.index() - topo.services().len()]
    }

    /// The shortest cause chain from `id` back to a starting cause, `id`
    /// first. Just `[id]` for a starting cause; empty for an `ok` node.
    pub fn chain(&self, id: NodeId) -> Vec<NodeId> {
        if self.status(id) == Status::Ok {
            return Vec::new();
        }
        let mut out = vec![id];
        let mut at = id;
        while let Some(n) = self.next[at.index()] {
            out.push(n);
            at = n;
        }
        out
    }

    /// Why a chain ends at `id`: it was changed, or its `state` said so.
    pub fn origin(&self, topo: &Topology, id: NodeId) -> Option<Origin> {
        if let Some(a) = self.action(id) {
            return Some(Origin::Changed(a));
        }
        match topo.node(id) {
            Node::Service(s) if s.state != State::Up => Some(Origin::State(s.state)),
            _ => None,
        }
    }

    /// Every node that is not `ok` or is changed, worst first, then in
    /// topology order.
    pub fn impacted(&self, topo: &Topology) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = topo
            .node_ids()
            .filter(|&n| self.status(n) != Status::Ok || self.action(n).is_some())
            .collect();
        v.sort_by_key(|&n| std::cmp::Reverse(self.status(n)));
        v
    }

    /// True when applying every rule of the walk once more changes no
    /// status: the statuses are a fixpoint. For tests and assertions.
    pub fn is_fixpoint(&self, topo: &Topology) -> bool {
        let start = walk::with_changes(&walk::starts(topo), &self.action);
        walk::is_fixpoint(topo, &start, &self.status)
    }

    /// Findings that must be dealt with before approval.
    pub fn blocking_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.severity.is_blocking())
    }

    /// Changed services, in topology order.
    pub fn changes<'a>(
        &'a self,
        topo: &'a Topology,
    ) -> impl Iterator<Item = (NodeId, Action)> + 'a {
        topo.node_ids()
            .filter_map(move |n| self.action(n).map(|a| (n, a)))
    }
}

#[cfg(test)]
mod tests;

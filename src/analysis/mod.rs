//! The walk, the findings and the risk level of a change: pure functions from
//! a topology and a set of changes to an [`Assessment`]. No I/O.

mod exposure;
mod findings;
mod standing;
mod walk;
pub mod waves;

pub(crate) use exposure::standing_exposure_of;
pub use exposure::{Exposed, Exposure, exposure, standing_exposure};
pub use findings::{Finding, FindingKind};
pub(crate) use standing::each_standing_risk;
pub use standing::standing_risks;

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

/// Steps of a cause chain listed after its entry (DESIGN.md: output stays
/// linear in the estate).
pub const MAX_CHAIN: usize = 64;

/// Shares of users on entry points, after the plan, before it, and what
/// the plan adds (DESIGN.md, "Users").
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Users {
    /// Entry points that end down / degraded, whatever the cause.
    pub down: f64,
    pub degraded: f64,
    /// The same on the standing estate.
    pub before_down: f64,
    pub before_degraded: f64,
    /// Entry points that end down and were not down before.
    pub added_down: f64,
    /// Entry points that end degraded and were ok or at-risk before.
    pub added_degraded: f64,
}

/// What the change does to the estate, measured against the estate as it
/// stands before anyone touches it.
#[derive(Debug, Clone)]
pub struct Assessment {
    /// Final status per node (index with [`NodeId::index`]).
    status: Vec<Status>,
    /// Status per node on the standing estate (the empty plan).
    before: Vec<Status>,
    /// The action on each node, `None` for nodes the plan does not touch;
    /// changes implied by a host included.
    action: Vec<Option<Action>>,
    /// For a change implied by a host, that (direct) host.
    via: Vec<Option<NodeId>>,
    /// A reboot or update reaches the service (named, by selector or
    /// through a host), even if another change names it `down`.
    planned: Vec<bool>,
    /// The nodes with an action, and those planned, in topology order:
    /// the few that every rule of the checklist asks about, listed once
    /// rather than found again in a million-long array by each.
    changed: Vec<NodeId>,
    planned_nodes: Vec<NodeId>,
    /// The plan made it worse (DESIGN.md's "hit").
    hit: Vec<bool>,
    /// For each non-ok node that is not a starting cause, the next node of
    /// its shortest cause chain.
    next: Vec<Option<NodeId>>,
    /// For each non-ok node, the number of steps of its cause chain.
    depth: Vec<u32>,
    /// For each group (by group index), members not down.
    up: Vec<usize>,
    /// Shares of users down and degraded, before and after.
    pub users: Users,
    /// Findings, most severe first; the plan's own (`new`) before those
    /// that were already so.
    pub findings: Vec<Finding>,
    /// The plan's own risk: what the change adds to the standing estate.
    pub risk: Level,
    /// Why: each rule of the risk level that applies, with its level, most
    /// severe first.
    pub risk_reasons: Vec<(Level, String)>,
    /// How bad the estate is before the change, measured against an
    /// estate where everything is fine.
    pub risk_before: Level,
    pub risk_before_reasons: Vec<(Level, String)>,
    /// The date failover test ages were measured against.
    pub reference_date: Date,
}

/// Why a starting cause is where a chain ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Changed(Action),
    State(State),
}

/// The estate before any change: the walk of the standing `state`s alone,
/// with its findings, users and risk.
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
    /// The findings of the empty plan, as (kind, first subject), sorted.
    finding_keys: Vec<(FindingKind, NodeId)>,
    /// The standing estate assessed as a plan of its own (every finding
    /// new, every non-ok node hit).
    assessment: Box<Assessment>,
    /// The services every plan keeps loud (see
    /// [`crate::checklist::StandingLoud`]), made when first asked for.
    pub(crate) loud: std::sync::OnceLock<crate::checklist::StandingLoud>,
}

impl Standing {
    /// Walks `topo` with no change.
    ///
    /// # Complexity
    /// O((services + groups + edges) · k) where k is the largest group size.
    pub(crate) fn new(topo: &Topology) -> Standing {
        let start = walk::starts(topo);
        let status = walk::fixpoint(topo, &start);
        let n = topo.node_count();
        let no_change = Expanded {
            action: vec![None; n],
            via: vec![None; n],
            any_via: false,
            planned: vec![false; n],
        };
        // Measured against an estate where everything is fine: every
        // non-ok node is hit, every finding new, every user counted as
        // added. Findings of the empty plan do not depend on the date (no
        // group has a changed member), so any date serves.
        let fine = vec![Status::Ok; n];
        let hit: Vec<bool> = status.iter().map(|&s| s != Status::Ok).collect();
        let a = build(
            topo,
            &start,
            status.clone(),
            fine,
            no_change,
            hit,
            Date {
                year: 1970,
                month: 1,
                day: 1,
            },
            None,
        );
        let mut finding_keys: Vec<(FindingKind, NodeId)> =
            a.findings.iter().map(|f| (f.kind, f.subjects[0])).collect();
        finding_keys.sort_unstable();
        finding_keys.dedup();
        Standing {
            start,
            status,
            finding_keys,
            assessment: Box::new(a),
            loud: std::sync::OnceLock::new(),
        }
    }

    /// A node's status before any change.
    pub(crate) fn status(&self, id: NodeId) -> Status {
        self.status[id.index()]
    }
}

/// The standing estate of `topo` assessed on its own: what is already
/// down, degraded or without a spare, its findings, and how bad it is
/// (`risk`, which is any plan's `risk_before`). `validate` reports this.
pub fn standing(topo: &Topology) -> Assessment {
    *Standing::new(topo).assessment
}

/// The changes of a plan on each node, with those implied by hosts.
struct Expanded {
    action: Vec<Option<Action>>,
    via: Vec<Option<NodeId>>,
    /// Some `via` is set: a host's change reached a guest.
    any_via: bool,
    planned: Vec<bool>,
}

/// Applies DESIGN.md's "Implied changes (hosts)": a reboot or update of a
/// host is a reboot of every service on it, transitively; a what-if `down`
/// of a host is a `down` of its guests. A guest takes the action of its
/// nearest changed host, unless the plan names it itself. A service is
/// planned when a reboot or update reaches it by any of these ways.
///
/// # Complexity
/// O(nodes): one pass over the services with a host, hosts first.
fn expand(topo: &Topology, named: &[(NodeId, Action)], also_planned: &[NodeId]) -> Expanded {
    let n = topo.node_count();
    let mut action = vec![None; n];
    let mut via = vec![None; n];
    let mut planned = vec![false; n];
    for &(id, a) in named {
        action[id.index()] = Some(a);
        planned[id.index()] = a.is_planned();
    }
    for &id in also_planned {
        planned[id.index()] = true;
    }
    if named.is_empty() {
        return Expanded {
            action,
            via,
            any_via: false,
            planned,
        };
    }
    let mut any_via = false;
    for &g in topo.hosted() {
        let h = topo
            .as_service(g)
            .and_then(|s| s.host)
            .expect("hosted services have a host");
        let gi = g.index();
        if planned[h.index()] {
            planned[gi] = true;
        }
        if action[gi].is_none()
            && let Some(ha) = action[h.index()]
        {
            action[gi] = Some(if ha.is_planned() {
                Action::Reboot
            } else {
                Action::Down
            });
            via[gi] = Some(h);
            any_via = true;
        }
    }
    Expanded {
        action,
        via,
        any_via,
        planned,
    }
}

/// Walks `topo` under the changes the plan names (by id or selector,
/// already resolved) and derives findings and risk.
///
/// `reference_date` is the day failover test ages are measured to: the plan's
/// start when it has one, else today (the caller decides; this function reads
/// no clock).
///
/// # Complexity
/// O((services + groups + edges) · k) where k is the largest group size:
/// each node's status rises at most three times.
pub fn assess(topo: &Topology, changes: &[(NodeId, Action)], reference_date: Date) -> Assessment {
    assess_from(topo, &Standing::new(topo), changes, &[], reference_date)
}

/// [`assess`], where the services of `also_planned` are reached by a
/// reboot or update although their action is a what-if `down` (the plan
/// names them `down` by id and a selector reboots them: see
/// [`crate::plan::also_planned`]).
pub fn assess_planned(
    topo: &Topology,
    changes: &[(NodeId, Action)],
    also_planned: &[NodeId],
    reference_date: Date,
) -> Assessment {
    assess_from(
        topo,
        &Standing::new(topo),
        changes,
        also_planned,
        reference_date,
    )
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
    also_planned: &[NodeId],
    reference_date: Date,
) -> Assessment {
    assert_eq!(
        standing.status.len(),
        topo.node_count(),
        "a standing state of another topology"
    );
    let ex = expand(topo, changes, also_planned);
    let start = walk::with_changes(&standing.start, &ex.action);
    let status = walk::fixpoint_from(topo, &standing.status, &start);
    // Hit: a group is hit when it ends worse than before; a service when
    // what it stands on gives it a status worse than before (its own
    // change and `state` aside). An unchanged service's status is its
    // state or what its targets give, so for it this is "worse than
    // before" too; only changed ones need their targets looked at.
    let hit: Vec<bool> = topo
        .node_ids()
        .map(|id| {
            let i = id.index();
            let before = standing.status[i];
            if ex.action[i].is_none() || topo.as_group(id).is_some() {
                status[i] > before
            } else {
                walk::from_targets(topo, &status, id) > before
            }
        })
        .collect();
    build(
        topo,
        &start,
        status,
        standing.status.clone(),
        ex,
        hit,
        reference_date,
        Some(standing),
    )
}

/// The assessment from the walk's statuses: chains, users, findings and
/// risk. `standing` is `None` when this is the standing estate itself,
/// measured against an estate where everything is fine.
#[allow(clippy::too_many_arguments)]
fn build(
    topo: &Topology,
    start: &[Status],
    status: Vec<Status>,
    before: Vec<Status>,
    ex: Expanded,
    hit: Vec<bool>,
    reference_date: Date,
    standing: Option<&Standing>,
) -> Assessment {
    let (next, depth) = walk::cause_steps(
        topo,
        start,
        &ex.action,
        ex.any_via.then_some(&ex.via[..]),
        &hit,
        &status,
    );
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
    let mut u = [0.0f64; 6];
    for &e in topo.entry_points() {
        let users = topo.as_service(e).and_then(|s| s.users).unwrap_or(0.0);
        let (now, then) = (status[e.index()], before[e.index()]);
        match now {
            Status::Down => u[0] += users,
            Status::Degraded => u[1] += users,
            _ => {}
        }
        match then {
            Status::Down => u[2] += users,
            Status::Degraded => u[3] += users,
            _ => {}
        }
        if now == Status::Down && then != Status::Down {
            u[4] += users;
        }
        if now == Status::Degraded && then <= Status::AtRisk {
            u[5] += users;
        }
    }
    let u = u.map(round_share);
    let users = match standing {
        Some(_) => Users {
            down: u[0],
            degraded: u[1],
            before_down: u[2],
            before_degraded: u[3],
            added_down: u[4],
            added_degraded: u[5],
        },
        // The standing estate: its users are "before" for every plan, and
        // measured against a fine estate, all of them are added.
        None => Users {
            down: u[0],
            degraded: u[1],
            before_down: u[0],
            before_degraded: u[1],
            added_down: u[0],
            added_degraded: u[1],
        },
    };
    let changed: Vec<NodeId> = topo
        .node_ids()
        .filter(|n| ex.action[n.index()].is_some())
        .collect();
    let planned_nodes: Vec<NodeId> = topo.node_ids().filter(|n| ex.planned[n.index()]).collect();
    let mut a = Assessment {
        status,
        before,
        action: ex.action,
        via: ex.via,
        planned: ex.planned,
        changed,
        planned_nodes,
        hit,
        next,
        depth,
        up,
        users,
        findings: Vec::new(),
        risk: Level::Low,
        risk_reasons: Vec::new(),
        risk_before: Level::Low,
        risk_before_reasons: Vec::new(),
        reference_date,
    };
    a.findings = findings::find(topo, &a);
    match standing {
        Some(st) => {
            let mut findings = std::mem::take(&mut a.findings);
            for f in &mut findings {
                let key = (f.kind, f.subjects[0]);
                f.new = st.finding_keys.binary_search(&key).is_err()
                    || a.hit[key.1.index()]
                    || a.is_changed(topo, key.1);
            }
            a.findings = findings;
            // The plan's own findings first, each part in the usual order.
            a.findings.sort_by_key(|f| !f.new);
            a.risk_before = st.assessment.risk;
            a.risk_before_reasons = st.assessment.risk_reasons.clone();
        }
        None => {
            for f in &mut a.findings {
                f.new = true;
            }
        }
    }
    a.risk_reasons = risk_reasons(topo, &a, standing.is_none());
    a.risk = a.risk_reasons.first().map_or(Level::Low, |r| r.0);
    if standing.is_none() {
        a.risk_before = a.risk;
        a.risk_before_reasons = a.risk_reasons.clone();
    }
    a
}

/// Sums of shares like 0.1 + 0.2 print as 0.30000000000000004; users are
/// given to at most a few decimals, so round the noise away.
fn round_share(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The rules of DESIGN.md's risk level that apply, most severe first. The
/// risk is the first one's level (low when none applies). `standing` says
/// the words of the standing estate ("already") rather than a plan's.
fn risk_reasons(topo: &Topology, a: &Assessment, standing: bool) -> Vec<(Level, String)> {
    let mut out = Vec::new();
    for level in [Level::Critical, Level::High, Level::Medium] {
        let n = a
            .findings
            .iter()
            .filter(|f| f.new && f.severity == level)
            .count();
        if n > 0 {
            let what = format!("{} finding", level.as_str());
            let whats = format!("{} findings", level.as_str());
            out.push((
                level,
                if standing {
                    plural(n, &what, &whats)
                } else {
                    format!("{} of the change", plural(n, &what, &whats))
                },
            ));
        }
    }
    let pct = crate::text::percent;
    if a.users.added_down > 0.0 {
        out.push((
            Level::Critical,
            if standing {
                format!("{} of users down", pct(a.users.added_down))
            } else {
                format!("+{} of users down", pct(a.users.added_down))
            },
        ));
    }
    if a.users.added_degraded > 0.0 {
        out.push((
            Level::High,
            if standing {
                format!("{} of users degraded", pct(a.users.added_degraded))
            } else {
                format!("+{} of users degraded", pct(a.users.added_degraded))
            },
        ));
    }
    let mut important: Vec<String> = Vec::new();
    let mut important_count = 0;
    let mut hit_count = 0;
    for id in topo.node_ids() {
        if !a.hit[id.index()] {
            continue;
        }
        hit_count += 1;
        if let Some(s) = topo.as_service(id)
            && a.status(id) == Status::Down
            && s.criticality >= crate::topology::Criticality::High
        {
            important_count += 1;
            if important.len() < 5 {
                important.push(format!("{} ({})", s.id, s.criticality.as_str()));
            }
        }
    }
    if important_count > 0 {
        out.push((
            Level::High,
            format!(
                "{}{} {} down",
                important.join(", "),
                if important_count > 5 {
                    format!(" and {} more", important_count - 5)
                } else {
                    String::new()
                },
                match (standing, important_count == 1) {
                    (true, true) => "is",
                    (true, false) => "are",
                    (false, true) => "goes",
                    (false, false) => "go",
                }
            ),
        ));
    }
    if hit_count > 0 {
        out.push((
            Level::Medium,
            if standing {
                format!(
                    "{} not ok",
                    plural(hit_count, "service or group", "services and groups")
                )
            } else {
                format!(
                    "{} made worse",
                    plural(hit_count, "service or group", "services and groups")
                )
            },
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

    /// The status of a service or group before the change (the standing
    /// estate).
    pub fn before(&self, id: NodeId) -> Status {
        self.before[id.index()]
    }

    /// The plan made this service or group worse (DESIGN.md's "hit"): a
    /// group that ends worse than before, a service whose targets give it
    /// a worse status than it had.
    pub fn hit(&self, id: NodeId) -> bool {
        self.hit[id.index()]
    }

    /// The action the plan takes on a service, if any, implied ones
    /// included.
    pub fn action(&self, id: NodeId) -> Option<Action> {
        self.action[id.index()]
    }

    /// For a change implied by a host: that host (the direct one).
    pub fn via(&self, id: NodeId) -> Option<NodeId> {
        self.via[id.index()]
    }

    /// A reboot or update reaches the service: its boot facts matter.
    pub fn is_planned(&self, id: NodeId) -> bool {
        self.planned[id.index()]
    }

    /// A changed service, or a group with a changed member.
    pub fn is_changed(&self, topo: &Topology, id: NodeId) -> bool {
        match topo.as_group(id) {
            Some(g) => g.members.iter().any(|&m| self.action(m).is_some()),
            None => self.action(id).is_some(),
        }
    }

    /// Members of a group that are not down.
    pub fn up(&self, topo: &Topology, group: NodeId) -> usize {
        self.up[group.index() - topo.services().len()]
    }

    /// The shortest cause chain from `id` back to a starting cause, `id`
    /// first, with at most [`MAX_CHAIN`] steps after it ([`Assessment::chain_more`]
    /// counts the rest: the chain goes on in the chain of its last step).
    /// Just `[id]` for a starting cause; empty for an `ok` node.
    ///
    /// # Complexity
    /// O(min(chain length, MAX_CHAIN)): listing every chain of a 10,000-deep
    /// estate stays linear in it.
    pub fn chain(&self, id: NodeId) -> Vec<NodeId> {
        if self.status(id) == Status::Ok {
            return Vec::new();
        }
        let mut out = vec![id];
        let mut at = id;
        while out.len() <= MAX_CHAIN
            && let Some(n) = self.next[at.index()]
        {
            out.push(n);
            at = n;
        }
        out
    }

    /// The next step of `id`'s cause chain (`chain(id)[1]`), if it has one.
    ///
    /// # Complexity
    /// O(1).
    pub fn next_step(&self, id: NodeId) -> Option<NodeId> {
        if self.status(id) == Status::Ok {
            return None;
        }
        self.next[id.index()]
    }

    /// Steps of `id`'s cause chain beyond the [`MAX_CHAIN`] that
    /// [`Assessment::chain`] lists.
    pub fn chain_more(&self, id: NodeId) -> usize {
        (self.depth[id.index()] as usize).saturating_sub(MAX_CHAIN)
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

    /// Every node that is not `ok` (after or before) or is changed, worst
    /// first, then in topology order.
    pub fn impacted(&self, topo: &Topology) -> Vec<NodeId> {
        let mut v: Vec<NodeId> = topo
            .node_ids()
            .filter(|&n| {
                self.status(n) != Status::Ok
                    || self.before(n) != Status::Ok
                    || self.action(n).is_some()
            })
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

    /// The plan's own findings that must be dealt with before approval.
    pub fn blocking_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.new && f.severity.is_blocking())
    }

    /// Adds findings found outside the walk (the live silence audit): each
    /// is the plan's own, and the risk is worked out again with them.
    pub fn add_findings(&mut self, topo: &Topology, extra: Vec<Finding>) {
        if extra.is_empty() {
            return;
        }
        self.findings.extend(extra);
        self.findings.sort_by(|x, y| {
            y.new
                .cmp(&x.new)
                .then(y.severity.cmp(&x.severity))
                .then(x.kind.cmp(&y.kind))
                .then(x.subjects.cmp(&y.subjects))
        });
        self.risk_reasons = risk_reasons(topo, self, false);
        self.risk = self.risk_reasons.first().map_or(Level::Low, |r| r.0);
    }

    /// The plan's own findings (not already so before the change).
    pub fn new_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| f.new)
    }

    /// Changed services, in topology order (the assessment keeps the
    /// list; `_topo` is the topology it was made on).
    pub fn changes<'a>(
        &'a self,
        _topo: &'a Topology,
    ) -> impl Iterator<Item = (NodeId, Action)> + 'a {
        self.changed
            .iter()
            .filter_map(move |&n| self.action(n).map(|a| (n, a)))
    }

    /// Services a reboot or update reaches ([`Assessment::is_planned`]),
    /// in topology order.
    pub fn planned_nodes(&self) -> &[NodeId] {
        &self.planned_nodes
    }
}

#[cfg(test)]
mod tests;

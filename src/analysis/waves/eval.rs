//! The risk of one wave, kept up to date as units join it: the walk from the
//! standing estate re-run only over what each unit reaches, and the risk
//! rules applied only where something changed.
//!
//! DESIGN.md's risk level is a maximum over nodes of a level each node's
//! own rules give (its findings, hit, a high or critical service down),
//! plus two sums over entry points (users added down or degraded). A unit
//! joining a wave changes what its walk raises and what reads those nodes;
//! every other node's level stays as it was. Since the risk is monotone
//! (adding a change never lowers it), the wave's new risk is the old one
//! raised by the levels of the nodes that changed, re-read: no pass over
//! the estate. `tests.rs` checks this against [`crate::analysis::assess`]
//! on random topologies.

use crate::analysis::{FindingKind, Level, Standing, Status, round_share, walk};
use crate::plan::Action;
use crate::topology::{Criticality, Date, Edge, Failover, Mode, NodeId, State, Topology};

/// One change of a unit: a service the plan names, or one its host's
/// change implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub node: NodeId,
    pub action: Action,
    /// A reboot or update reaches it (DESIGN.md's "planned").
    pub planned: bool,
}

/// One rule of the risk level that applies, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Why {
    /// A new finding of this kind, about this service or group.
    Finding(FindingKind, NodeId),
    /// Users on entry points that were not down go down.
    UsersDown,
    /// Users on entry points that were fine are degraded.
    UsersDegraded,
    /// A service of high or critical criticality is hit and down.
    ImportantDown(NodeId),
    /// A service or group is made worse.
    Hit(NodeId),
}

/// What is fixed for one topology, standing estate and reference date.
pub(crate) struct Ctx<'a> {
    pub topo: &'a Topology,
    pub standing: &'a Standing,
    /// Per group (by group index): a changed member raises
    /// `failover-untested`.
    untested: Vec<bool>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(topo: &'a Topology, standing: &'a Standing, date: Date) -> Ctx<'a> {
        let max_age = i64::from(topo.failover_test_max_age_days);
        let untested = topo
            .groups()
            .iter()
            .map(|g| match g.last_tested {
                None => true,
                Some(d) => date.days_since_epoch() - d.days_since_epoch() > max_age,
            })
            .collect();
        Ctx {
            topo,
            standing,
            untested,
        }
    }

    /// The standing estate raises a finding of `kind` about `id`.
    fn standing_has(&self, kind: FindingKind, id: NodeId) -> bool {
        self.standing
            .finding_keys
            .binary_search(&(kind, id))
            .is_ok()
    }
}

/// Buffers shared by every wave, so a trial costs what it reaches, not
/// the size of the estate.
pub(crate) struct Scratch {
    /// Generation stamps: a node is saved (resp. re-read) in this trial
    /// when its stamp is the current generation.
    saved: Vec<u32>,
    dirty: Vec<u32>,
    stamp: u32,
    queued: Vec<bool>,
    queue: std::collections::VecDeque<NodeId>,
    raised: Vec<NodeId>,
    dirty_list: Vec<NodeId>,
}

impl Scratch {
    pub(crate) fn new(n: usize) -> Scratch {
        Scratch {
            saved: vec![0; n],
            dirty: vec![0; n],
            stamp: 0,
            queued: vec![false; n],
            queue: Default::default(),
            raised: Vec::new(),
            dirty_list: Vec::new(),
        }
    }

    /// The nodes the last trial re-read: what the unit reached and what
    /// reads it.
    pub(crate) fn last_reach(&self) -> &[NodeId] {
        &self.dirty_list
    }

    fn next_stamp(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.saved.iter_mut().for_each(|s| *s = 0);
            self.dirty.iter_mut().for_each(|s| *s = 0);
            self.stamp = 1;
        }
    }
}

/// A node as it was before the trial, to roll back.
#[derive(Clone, Copy)]
struct Saved {
    node: NodeId,
    status: Status,
    start: Status,
    action: Option<Action>,
    planned: bool,
}

/// The estate during one wave: the standing estate plus the units in it.
#[derive(Clone)]
pub(crate) struct Wave {
    status: Vec<Status>,
    start: Vec<Status>,
    action: Vec<Option<Action>>,
    planned: Vec<bool>,
    added_down: f64,
    added_degraded: f64,
    /// The wave's risk (DESIGN.md's rules, as `assess` gives it).
    pub risk: Level,
    /// The trial under way: what to restore on rollback.
    log: Vec<Saved>,
    before_trial: (f64, f64, Level),
}

impl Wave {
    /// An empty wave: the standing estate.
    pub(crate) fn new(ctx: &Ctx<'_>) -> Wave {
        let n = ctx.topo.node_count();
        Wave {
            status: ctx.standing.status.clone(),
            start: ctx.standing.start.clone(),
            action: vec![None; n],
            planned: vec![false; n],
            added_down: 0.0,
            added_degraded: 0.0,
            risk: Level::Low,
            log: Vec::new(),
            before_trial: (0.0, 0.0, Level::Low),
        }
    }

    fn save(&mut self, sc: &mut Scratch, id: NodeId) {
        let i = id.index();
        if sc.saved[i] != sc.stamp {
            sc.saved[i] = sc.stamp;
            self.log.push(Saved {
                node: id,
                status: self.status[i],
                start: self.start[i],
                action: self.action[i],
                planned: self.planned[i],
            });
        }
    }

    /// Adds a unit's steps and returns the wave's risk with them. Keep the
    /// result with [`Wave::commit`] or undo it with [`Wave::rollback`].
    /// With `why`, every rule that applies to what the unit changed is
    /// pushed there with its level (for a unit tried alone, that is every
    /// rule of its risk).
    ///
    /// # Complexity
    /// O((nodes the unit raises + their dependents) · k) for groups of at
    /// most k members.
    pub(crate) fn try_add(
        &mut self,
        ctx: &Ctx<'_>,
        sc: &mut Scratch,
        steps: &[Step],
        mut why: Option<&mut Vec<(Level, Why)>>,
    ) -> Level {
        let topo = ctx.topo;
        sc.next_stamp();
        self.log.clear();
        self.before_trial = (self.added_down, self.added_degraded, self.risk);
        sc.raised.clear();
        for s in steps {
            let i = s.node.index();
            self.save(sc, s.node);
            self.action[i] = Some(s.action);
            self.planned[i] = s.planned;
            self.start[i] = Status::Down;
            if self.status[i] < Status::Down {
                self.status[i] = Status::Down;
                sc.raised.push(s.node);
            }
        }
        // The worklist of the walk, from the statuses of the wave so far:
        // they are at or below the new fixpoint (statuses only rise).
        for k in 0..sc.raised.len() {
            let id = sc.raised[k];
            for (d, _) in topo.dependents(id) {
                if !sc.queued[d.index()] {
                    sc.queued[d.index()] = true;
                    sc.queue.push_back(d);
                }
            }
        }
        while let Some(id) = sc.queue.pop_front() {
            sc.queued[id.index()] = false;
            let s = walk::evaluate(topo, &self.start, &self.status, id);
            if s > self.status[id.index()] {
                self.save(sc, id);
                self.status[id.index()] = s;
                for (d, _) in topo.dependents(id) {
                    if !sc.queued[d.index()] {
                        sc.queued[d.index()] = true;
                        sc.queue.push_back(d);
                    }
                }
            }
        }
        // What reads a node that changed: itself, and its dependents (a
        // changed service's hit reads its targets; a group reads its
        // members).
        sc.dirty_list.clear();
        for k in 0..self.log.len() {
            let id = self.log[k].node;
            for d in std::iter::once(id).chain(topo.dependents(id).map(|(d, _)| d)) {
                if sc.dirty[d.index()] != sc.stamp {
                    sc.dirty[d.index()] = sc.stamp;
                    sc.dirty_list.push(d);
                }
            }
        }
        let mut risk = self.risk;
        for k in 0..sc.dirty_list.len() {
            let v = sc.dirty_list[k];
            risk = risk.max(self.local(ctx, v, why.as_deref_mut()));
        }
        for k in 0..self.log.len() {
            let Saved { node, status, .. } = self.log[k];
            let Some(users) = topo.as_service(node).and_then(|s| s.users) else {
                continue;
            };
            let before = ctx.standing.status[node.index()];
            let (d0, g0) = added(status, before);
            let (d1, g1) = added(self.status[node.index()], before);
            self.added_down += users * (f64::from(u8::from(d1)) - f64::from(u8::from(d0)));
            self.added_degraded += users * (f64::from(u8::from(g1)) - f64::from(u8::from(g0)));
        }
        if round_share(self.added_down) > 0.0 {
            risk = risk.max(Level::Critical);
            if let Some(w) = why.as_deref_mut() {
                w.push((Level::Critical, Why::UsersDown));
            }
        }
        if round_share(self.added_degraded) > 0.0 {
            risk = risk.max(Level::High);
            if let Some(w) = why {
                w.push((Level::High, Why::UsersDegraded));
            }
        }
        self.risk = risk;
        risk
    }

    /// Keeps the trial.
    pub(crate) fn commit(&mut self) {
        self.log.clear();
    }

    /// Undoes the trial.
    pub(crate) fn rollback(&mut self) {
        for s in self.log.drain(..).rev() {
            let i = s.node.index();
            self.status[i] = s.status;
            self.start[i] = s.start;
            self.action[i] = s.action;
            self.planned[i] = s.planned;
        }
        (self.added_down, self.added_degraded, self.risk) = self.before_trial;
    }

    /// A status in this wave (for tests).
    #[cfg(test)]
    pub(crate) fn status(&self, id: NodeId) -> Status {
        self.status[id.index()]
    }

    /// The level the risk rules give node `v` by themselves: its new
    /// findings, its hit, a high or critical service hit and down.
    fn local(&self, ctx: &Ctx<'_>, v: NodeId, mut why: Option<&mut Vec<(Level, Why)>>) -> Level {
        let mut level = Level::Low;
        let mut raise = |l: Level, w: Why| {
            level = level.max(l);
            if let Some(out) = why.as_deref_mut() {
                out.push((l, w));
            }
        };
        let topo = ctx.topo;
        let i = v.index();
        let status = self.status[i];
        let before = ctx.standing.status[i];
        if let Some(s) = topo.as_service(v) {
            let changed = self.action[i].is_some();
            let hit = if changed {
                walk::from_targets(topo, &self.status, v) > before
            } else {
                status > before
            };
            let new = |k: FindingKind| changed || hit || !ctx.standing_has(k, v);
            if changed {
                if topo.groups_of(v).is_empty()
                    && topo.dependents(v).any(|(_, e)| e == Edge::Requires)
                {
                    raise(Level::High, Why::Finding(FindingKind::Spof, v));
                }
                if self.planned[i] {
                    if s.boot.volumes.iter().any(|x| !x.automount) {
                        raise(Level::High, Why::Finding(FindingKind::NoAutomount, v));
                    }
                    if !s.boot.autostart {
                        raise(Level::High, Why::Finding(FindingKind::NoAutostart, v));
                    }
                }
            }
            if matches!(status, Status::Down | Status::Degraded)
                && s.monitored == Some(false)
                && new(FindingKind::Unmonitored)
            {
                raise(Level::High, Why::Finding(FindingKind::Unmonitored, v));
            }
            if status == Status::Down && s.recovery && new(FindingKind::RecoveryPathLost) {
                raise(
                    Level::Critical,
                    Why::Finding(FindingKind::RecoveryPathLost, v),
                );
            }
            if hit {
                raise(Level::Medium, Why::Hit(v));
                if status == Status::Down && s.criticality >= Criticality::High {
                    raise(Level::High, Why::ImportantDown(v));
                }
            }
            return level;
        }
        let g = topo.as_group(v).expect("a service or a group");
        let n = g.members.len();
        let mut up = 0;
        let mut changed = 0;
        let mut planned = 0;
        for m in &g.members {
            let mi = m.index();
            up += usize::from(self.status[mi] != Status::Down);
            if self.action[mi].is_some() {
                changed += 1;
                planned += usize::from(self.planned[mi]);
            }
        }
        let hit = status > before;
        let new = |k: FindingKind| changed > 0 || hit || !ctx.standing_has(k, v);
        let state_of = |m: NodeId| topo.as_service(m).map_or(State::Up, |s| s.state);
        let mut named = false;
        if matches!(status, Status::Down | Status::Degraded) {
            // A member already down or degraded by `state`, and a changed
            // member other than it.
            let broken = g.members.iter().any(|&o| {
                state_of(o) != State::Up
                    && g.members
                        .iter()
                        .any(|&m| m != o && self.action[m.index()].is_some())
            });
            if broken {
                named = true;
                raise(
                    Level::Critical,
                    Why::Finding(FindingKind::FailoverUnavailable, v),
                );
            }
        }
        if planned > n.saturating_sub(g.min_up) {
            named = true;
            raise(
                Level::Critical,
                Why::Finding(FindingKind::GroupFullyChanged, v),
            );
        }
        if up < g.min_up && !named && new(FindingKind::QuorumLost) {
            raise(Level::Critical, Why::Finding(FindingKind::QuorumLost, v));
        }
        if status == Status::AtRisk && new(FindingKind::NoSpare) {
            raise(Level::Medium, Why::Finding(FindingKind::NoSpare, v));
        }
        if g.mode == Mode::ActivePassive
            && g.failover == Failover::Manual
            && self.status[g.members[0].index()] == Status::Down
            && new(FindingKind::ManualFailover)
        {
            raise(Level::High, Why::Finding(FindingKind::ManualFailover, v));
        }
        if changed > 0 {
            let gi = v.index() - topo.services().len();
            if ctx.untested[gi] {
                raise(
                    Level::Medium,
                    Why::Finding(FindingKind::FailoverUntested, v),
                );
            }
            if matches!(status, Status::Ok | Status::AtRisk) {
                let mut zones = g
                    .members
                    .iter()
                    .filter(|m| self.status[m.index()] != Status::Down)
                    .map(|&m| topo.as_service(m).and_then(|s| s.zone.as_deref()));
                if let Some(Some(z)) = zones.next() {
                    let mut count = 1;
                    let mut same = true;
                    for x in zones {
                        count += 1;
                        same &= x == Some(z);
                    }
                    if same && count >= 2 {
                        raise(
                            Level::Medium,
                            Why::Finding(FindingKind::CommonFailureDomain, v),
                        );
                    }
                }
            }
        }
        if hit {
            raise(Level::Medium, Why::Hit(v));
        }
        level
    }
}

/// Whether an entry point at `now` (standing `before`) counts in users
/// added down, and in users added degraded.
fn added(now: Status, before: Status) -> (bool, bool) {
    (
        now == Status::Down && before != Status::Down,
        now == Status::Degraded && before <= Status::AtRisk,
    )
}

//! Waves: a plan's changes split into the fewest waves that each, assessed
//! alone against the standing estate, stay at or below a risk level
//! (DESIGN.md, "Waves"). Pure: no I/O. `docs/WAVES.md` explains the
//! algorithm, its cost and how far from optimal it can be.
//!
//! The changes are grouped into *units* (a change and the changes the plan
//! names on its guests, transitively: a guest stays in its host's wave).
//! A unit too risky alone is `unsafe`. The rest are placed by an exact
//! search over subsets when there are few of them, else by a greedy
//! first-fit in most-constrained-first order, then an improvement pass
//! that tries to empty the smallest waves. Since the risk never falls when
//! a change is added, any subset of a safe wave is safe.

mod clique;
mod eval;
mod exact;
mod order;
#[cfg(test)]
mod tests;

pub use eval::Why;

use super::{Level, Standing};
use crate::plan::{Action, Named};
use crate::topology::{Date, Mode, NodeId, Topology};
use eval::{Ctx, Scratch, Step, Wave};

/// Units up to this many are placed by the exact search.
pub const EXACT_LIMIT: usize = 12;

/// A unit that exceeds the risk limit even alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Unsafe {
    /// Its changes, as indices into the changes given.
    pub changes: Vec<usize>,
    /// Its risk alone.
    pub risk: Level,
    /// The rules above the limit, most severe first.
    pub why: Vec<(Level, Why)>,
}

/// How the waves were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Exhaustive search: the count is the least possible.
    Exact,
    /// Greedy first-fit, then improvement.
    Greedy,
}

/// The split of a plan into waves.
#[derive(Debug, Clone, PartialEq)]
pub struct Waves {
    pub max_risk: Level,
    /// The waves in order; each holds indices into the changes given,
    /// ascending.
    pub waves: Vec<Vec<usize>>,
    /// Each wave's risk (as [`super::assess`] gives it for the wave alone).
    pub risks: Vec<Level>,
    /// Units over the limit alone, in the order of their first change.
    pub unsafe_units: Vec<Unsafe>,
    /// No split of the safe units into waves can do with fewer.
    pub lower_bound: usize,
    pub method: Method,
    /// Orderings of active-passive groups that could not be kept (the
    /// active member shares a unit with a passive one, or the orderings
    /// form a cycle): the groups.
    pub dropped_orderings: Vec<NodeId>,
}

impl Waves {
    /// The count of waves reaches the lower bound: nothing can do better.
    pub fn optimal(&self) -> bool {
        self.waves.len() <= self.lower_bound || self.method == Method::Exact
    }
}

/// A unit: changes that go together.
#[derive(Debug, Clone)]
pub(crate) struct Unit {
    /// Indices into the named changes.
    pub changes: Vec<usize>,
    /// The changes, those implied through hosts included.
    pub steps: Vec<Step>,
}

/// Splits `named` (resolved changes) into waves of risk at most
/// `max_risk`, failover test ages measured at `reference_date`.
///
/// # Complexity
/// One walk of the standing estate, then per unit and wave tried
/// O(what the unit reaches · k); the exact search (up to
/// [`EXACT_LIMIT`] units) at most 2^u subset trials and 3^u steps.
pub fn plan_waves(
    topo: &Topology,
    named: &[Named],
    max_risk: Level,
    reference_date: Date,
) -> Waves {
    plan_waves_from(
        topo,
        &Standing::new(topo),
        named,
        max_risk,
        reference_date,
        EXACT_LIMIT,
    )
}

/// [`plan_waves`] from a standing state of `topo`, with the exact search
/// for up to `exact_limit` units (tests force the greedy with 0).
pub(crate) fn plan_waves_from(
    topo: &Topology,
    standing: &Standing,
    named: &[Named],
    max_risk: Level,
    reference_date: Date,
    exact_limit: usize,
) -> Waves {
    let ctx = Ctx::new(topo, standing, reference_date);
    let mut sc = Scratch::new(topo.node_count());
    let units = units(topo, named);
    let mut empty = Wave::new(&ctx);
    // Each unit alone: unsafe ones leave, the others' reach is kept.
    let mut safe: Vec<usize> = Vec::new();
    let mut unsafe_units = Vec::new();
    let mut reach: Vec<Vec<NodeId>> = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        let mut why = Vec::new();
        let risk = empty.try_add(&ctx, &mut sc, &unit.steps, Some(&mut why));
        empty.rollback();
        reach.push(if risk > max_risk {
            Vec::new()
        } else {
            sc.last_reach().to_vec()
        });
        if risk > max_risk {
            why.retain(|w| w.0 > max_risk);
            why.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            why.dedup();
            unsafe_units.push(Unsafe {
                changes: unit.changes.clone(),
                risk,
                why,
            });
        } else {
            safe.push(u);
        }
    }
    let prec = order::precedence(topo, &units, &safe);
    let (lower_bound, pressure) =
        order::lower_bound(topo, standing, &units, &safe, &prec, max_risk);
    let safe_units: Vec<&Unit> = safe.iter().map(|&u| &units[u]).collect();
    let (assign, method, lower_bound) = if safe.len() <= exact_limit {
        let a = exact::search(&ctx, &mut sc, &safe_units, &prec.preds, max_risk);
        let count = a.iter().copied().max().map_or(0, |w| w + 1);
        // The search proves nothing does with fewer.
        (a, Method::Exact, count.max(lower_bound))
    } else {
        let a = order::greedy(
            &ctx,
            &mut sc,
            &safe_units,
            &prec,
            &pressure,
            max_risk,
            lower_bound,
        );
        let reach: Vec<&[NodeId]> = safe.iter().map(|&u| reach[u].as_slice()).collect();
        let clique = clique::bound(&ctx, &mut sc, &safe_units, &reach, &a, max_risk);
        (a, Method::Greedy, lower_bound.max(clique))
    };
    let count = assign.iter().copied().max().map_or(0, |w| w + 1);
    let mut waves: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut risks = vec![Level::Low; count];
    let mut states: Vec<Wave> = (0..count).map(|_| Wave::new(&ctx)).collect();
    for (k, &w) in assign.iter().enumerate() {
        waves[w].extend(&safe_units[k].changes);
        risks[w] = states[w].try_add(&ctx, &mut sc, &safe_units[k].steps, None);
        states[w].commit();
    }
    for w in &mut waves {
        w.sort_unstable();
    }
    debug_assert!(risks.iter().all(|&r| r <= max_risk));
    Waves {
        max_risk,
        waves,
        risks,
        unsafe_units,
        lower_bound,
        method,
        dropped_orderings: prec.dropped,
    }
}

/// Groups the changes into units: a change the plan names and every change
/// on its guests, transitively (those the plan names and those the host's
/// change implies), each with the action and "planned" of DESIGN.md's
/// "Implied changes (hosts)".
///
/// # Complexity
/// O(services): one pass over the hosted services, hosts first.
pub(crate) fn units(topo: &Topology, named: &[Named]) -> Vec<Unit> {
    const NONE: u32 = u32::MAX;
    let n = topo.node_count();
    let mut root = vec![NONE; n];
    let mut action: Vec<Option<Action>> = vec![None; n];
    let mut planned = vec![false; n];
    let mut which = vec![NONE; n];
    for (k, c) in named.iter().enumerate() {
        let i = c.service.index();
        root[i] = i as u32;
        action[i] = Some(c.action);
        planned[i] = c.planned;
        which[i] = k as u32;
    }
    // Hosts come before their guests: a guest joins its host's unit.
    let mut implied: Vec<NodeId> = Vec::new();
    for &g in topo.hosted() {
        let h = topo
            .as_service(g)
            .and_then(|s| s.host)
            .expect("hosted services have a host");
        let (gi, hi) = (g.index(), h.index());
        if root[hi] == NONE {
            continue;
        }
        root[gi] = root[hi];
        planned[gi] |= planned[hi];
        if action[gi].is_none() {
            let ha = action[hi].expect("a unit's host is changed");
            action[gi] = Some(if ha.is_planned() {
                Action::Reboot
            } else {
                Action::Down
            });
            implied.push(g);
        }
    }
    let mut unit_of = vec![NONE; n];
    let mut out: Vec<Unit> = Vec::new();
    let mut add = |id: NodeId, out: &mut Vec<Unit>| {
        let i = id.index();
        let r = root[i] as usize;
        if unit_of[r] == NONE {
            unit_of[r] = out.len() as u32;
            out.push(Unit {
                changes: Vec::new(),
                steps: Vec::new(),
            });
        }
        let u = &mut out[unit_of[r] as usize];
        if which[i] != NONE {
            u.changes.push(which[i] as usize);
        }
        u.steps.push(Step {
            node: id,
            action: action[i].expect("a changed node"),
            planned: planned[i],
        });
    };
    // Units in the order of their first named change.
    for c in named {
        add(c.service, &mut out);
    }
    for g in implied {
        add(g, &mut out);
    }
    for u in &mut out {
        u.changes.sort_unstable();
    }
    out
}

/// For each active-passive group with members in units: the unit of its
/// active member and the units of its passive ones.
pub(crate) fn active_passive(topo: &Topology, units: &[Unit]) -> Vec<(NodeId, usize, Vec<usize>)> {
    let mut unit_of = std::collections::HashMap::new();
    for (u, unit) in units.iter().enumerate() {
        for s in &unit.steps {
            unit_of.insert(s.node, u);
        }
    }
    let mut out = Vec::new();
    for (gi, g) in topo.groups().iter().enumerate() {
        if g.mode != Mode::ActivePassive || g.members.len() < 2 {
            continue;
        }
        let Some(&a) = unit_of.get(&g.members[0]) else {
            continue;
        };
        let passive: Vec<usize> = g.members[1..]
            .iter()
            .filter_map(|m| unit_of.get(m).copied())
            .collect();
        if !passive.is_empty() {
            out.push((topo.group_id(gi), a, passive));
        }
    }
    out
}

//! The orderings between units, the lower bound, and the greedy placement
//! with its improvement pass.

use super::eval::{Ctx, Scratch, Wave};
use super::{Unit, active_passive};
use crate::analysis::{Level, Standing, Status};
use crate::topology::{NodeId, Topology};
use std::collections::{BinaryHeap, HashMap};

/// Which safe unit must go in an earlier wave than which: the passive
/// members of an active-passive group before its active one. Units are
/// numbered by their position among the safe units.
pub(crate) struct Precedence {
    pub preds: Vec<Vec<usize>>,
    pub succs: Vec<Vec<usize>>,
    /// Groups whose ordering was dropped (see [`super::Waves`]).
    pub dropped: Vec<NodeId>,
    /// Groups whose ordering is kept.
    kept: Vec<NodeId>,
}

/// The orderings of DESIGN.md: an active-passive group's active member
/// in a later wave than its passive members in the plan. One that cannot
/// be kept (the active and a passive member in one unit; orderings that
/// form a cycle) is dropped and reported.
pub(crate) fn precedence(topo: &Topology, units: &[Unit], safe: &[usize]) -> Precedence {
    let mut pos = vec![usize::MAX; units.len()];
    for (p, &u) in safe.iter().enumerate() {
        pos[u] = p;
    }
    let mut edges: Vec<(NodeId, usize, Vec<usize>)> = Vec::new();
    let mut dropped = Vec::new();
    for (g, a, passive) in active_passive(topo, units) {
        if pos[a] == usize::MAX {
            continue;
        }
        if passive.contains(&a) {
            dropped.push(g);
            continue;
        }
        let mut ps: Vec<usize> = passive
            .into_iter()
            .filter(|&p| pos[p] != usize::MAX)
            .map(|p| pos[p])
            .collect();
        ps.sort_unstable();
        ps.dedup();
        if !ps.is_empty() {
            edges.push((g, pos[a], ps));
        }
    }
    loop {
        let n = safe.len();
        let mut preds = vec![Vec::new(); n];
        let mut succs = vec![Vec::new(); n];
        for (_, a, ps) in &edges {
            for &p in ps {
                preds[*a].push(p);
                succs[p].push(*a);
            }
        }
        for v in preds.iter_mut().chain(succs.iter_mut()) {
            v.sort_unstable();
            v.dedup();
        }
        // Kahn: what is left over lies on or after a cycle.
        let mut indeg: Vec<usize> = preds.iter().map(Vec::len).collect();
        let mut stack: Vec<usize> = (0..n).filter(|&u| indeg[u] == 0).collect();
        let mut done = vec![false; n];
        while let Some(u) = stack.pop() {
            done[u] = true;
            for &s in &succs[u] {
                indeg[s] -= 1;
                if indeg[s] == 0 {
                    stack.push(s);
                }
            }
        }
        if done.iter().all(|&d| d) {
            let kept = edges.iter().map(|e| e.0).collect();
            return Precedence {
                preds,
                succs,
                dropped,
                kept,
            };
        }
        edges.retain(|(g, a, ps)| {
            let cyclic = !done[*a] && ps.iter().any(|&p| !done[p]);
            if cyclic {
                dropped.push(*g);
            }
            !cyclic
        });
    }
}

/// A lower bound on the count of waves, and each safe unit's pressure
/// (the largest bound of a group it changes: the most constrained first).
///
/// Two bounds, the larger wins:
/// - the longest chain of orderings (each unit on it needs a wave of its
///   own);
/// - per group, below a `critical` limit: a wave that takes more members
///   down than `members - min_up - (members already down)` leaves it below
///   `min_up`, which is critical (`quorum-lost`, or a finding that names
///   the group instead). So its members in the plan need
///   `ceil(members changed / that)` waves, one more when its active member
///   must come after them.
pub(crate) fn lower_bound(
    topo: &Topology,
    standing: &Standing,
    units: &[Unit],
    safe: &[usize],
    prec: &Precedence,
    max_risk: Level,
) -> (usize, Vec<usize>) {
    let n = safe.len();
    let mut pressure = vec![1usize; n];
    if n == 0 {
        return (0, pressure);
    }
    // Longest chain, in a topological order (Kahn again: acyclic now).
    let mut indeg: Vec<usize> = prec.preds.iter().map(Vec::len).collect();
    let mut stack: Vec<usize> = (0..n).filter(|&u| indeg[u] == 0).collect();
    let mut depth = vec![1usize; n];
    while let Some(u) = stack.pop() {
        for &s in &prec.succs[u] {
            depth[s] = depth[s].max(depth[u] + 1);
            indeg[s] -= 1;
            if indeg[s] == 0 {
                stack.push(s);
            }
        }
    }
    let mut lb = depth.iter().copied().max().unwrap_or(1);
    if max_risk >= Level::Critical {
        return (lb, pressure);
    }
    let mut pos_of: HashMap<NodeId, usize> = HashMap::new();
    for (p, &u) in safe.iter().enumerate() {
        for s in &units[u].steps {
            pos_of.insert(s.node, p);
        }
    }
    for (gi, g) in topo.groups().iter().enumerate() {
        let gid = topo.group_id(gi);
        let down_before = g
            .members
            .iter()
            .filter(|&&m| standing.status(m) == Status::Down)
            .count();
        let cap = g.members.len().saturating_sub(g.min_up + down_before);
        if cap == 0 {
            continue;
        }
        let mut count = 0usize;
        let mut passive = 0usize;
        let mut users = Vec::new();
        for (k, &m) in g.members.iter().enumerate() {
            if standing.status(m) == Status::Down {
                continue;
            }
            if let Some(&p) = pos_of.get(&m) {
                count += 1;
                passive += usize::from(k > 0);
                users.push(p);
            }
        }
        let mut bound = count.div_ceil(cap);
        let active_in =
            standing.status(g.members[0]) != Status::Down && pos_of.contains_key(&g.members[0]);
        if active_in && prec.kept.contains(&gid) && passive > 0 {
            bound = bound.max(passive.div_ceil(cap) + 1);
        }
        lb = lb.max(bound);
        for p in users {
            pressure[p] = pressure[p].max(bound);
        }
    }
    (lb, pressure)
}

/// Greedy placement: units in most-constrained-first order (pressure,
/// then reach), each after the units it must follow, into the earliest
/// wave where it keeps the wave at or below `max_risk`; then
/// [`improve`]. Returns each unit's wave.
pub(crate) fn greedy(
    ctx: &Ctx<'_>,
    sc: &mut Scratch,
    units: &[&Unit],
    prec: &Precedence,
    pressure: &[usize],
    max_risk: Level,
    lower_bound: usize,
) -> Vec<usize> {
    let n = units.len();
    let key = |u: usize| (pressure[u], units[u].steps.len(), std::cmp::Reverse(u));
    let mut indeg: Vec<usize> = prec.preds.iter().map(Vec::len).collect();
    let mut ready: BinaryHeap<_> = (0..n)
        .filter(|&u| indeg[u] == 0)
        .map(|u| (key(u), u))
        .collect();
    let mut waves: Vec<Wave> = Vec::new();
    let mut assign = vec![usize::MAX; n];
    while let Some((_, u)) = ready.pop() {
        let lo = prec.preds[u]
            .iter()
            .map(|&p| assign[p] + 1)
            .max()
            .unwrap_or(0);
        let mut placed = false;
        for (w, wave) in waves.iter_mut().enumerate().skip(lo) {
            if wave.try_add(ctx, sc, &units[u].steps, None) <= max_risk {
                wave.commit();
                assign[u] = w;
                placed = true;
                break;
            }
            wave.rollback();
        }
        if !placed {
            let mut wave = Wave::new(ctx);
            let r = wave.try_add(ctx, sc, &units[u].steps, None);
            debug_assert!(r <= max_risk, "a safe unit is safe alone");
            wave.commit();
            assign[u] = waves.len().max(lo);
            while waves.len() < assign[u] {
                waves.push(Wave::new(ctx));
            }
            waves.push(wave);
        }
        for &s in &prec.succs[u] {
            indeg[s] -= 1;
            if indeg[s] == 0 {
                ready.push((key(s), s));
            }
        }
    }
    improve(ctx, sc, units, prec, max_risk, lower_bound, waves, assign)
}

/// Tries to empty waves, smallest first: each of its units moves to
/// another wave where it fits and its orderings still hold. A wave that
/// empties is removed; stops at the lower bound or when no wave empties.
#[allow(clippy::too_many_arguments)]
fn improve(
    ctx: &Ctx<'_>,
    sc: &mut Scratch,
    units: &[&Unit],
    prec: &Precedence,
    max_risk: Level,
    lower_bound: usize,
    mut waves: Vec<Wave>,
    mut assign: Vec<usize>,
) -> Vec<usize> {
    'rounds: while waves.len() > lower_bound.max(1) {
        let mut sizes: Vec<(usize, usize)> = (0..waves.len())
            .map(|w| (assign.iter().filter(|&&a| a == w).count(), w))
            .collect();
        sizes.sort_unstable();
        for &(_, k) in &sizes {
            let members: Vec<usize> = (0..units.len()).filter(|&u| assign[u] == k).collect();
            let mut backup: Vec<Option<Wave>> = vec![None; waves.len()];
            let old = assign.clone();
            let mut ok = true;
            for &u in &members {
                let lo = prec.preds[u]
                    .iter()
                    .map(|&p| assign[p] + 1)
                    .max()
                    .unwrap_or(0);
                let hi = prec.succs[u]
                    .iter()
                    .map(|&s| assign[s])
                    .min()
                    .unwrap_or(waves.len())
                    .min(waves.len());
                let mut moved = false;
                for w in lo..hi {
                    if w == k {
                        continue;
                    }
                    if backup[w].is_none() {
                        backup[w] = Some(waves[w].clone());
                    }
                    if waves[w].try_add(ctx, sc, &units[u].steps, None) <= max_risk {
                        waves[w].commit();
                        assign[u] = w;
                        moved = true;
                        break;
                    }
                    waves[w].rollback();
                }
                if !moved {
                    ok = false;
                    break;
                }
            }
            if ok {
                waves.remove(k);
                for a in &mut assign {
                    if *a > k {
                        *a -= 1;
                    }
                }
                continue 'rounds;
            }
            for (w, b) in backup.into_iter().enumerate() {
                if let Some(b) = b {
                    waves[w] = b;
                }
            }
            assign = old;
        }
        break;
    }
    assign
}

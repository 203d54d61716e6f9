//! A lower bound from conflicts: units that pairwise cannot share a wave
//! (together over the limit) need a wave each.

use super::Unit;
use super::eval::{Ctx, Scratch, Step, Wave};
use crate::analysis::Level;
use crate::topology::NodeId;
use std::collections::HashMap;

/// Pair trials allowed: the bound is a bonus, not worth more time than the
/// placement itself.
const BUDGET: usize = 4_000;
/// Units of the last wave a clique is grown from.
const SEEDS: usize = 16;

/// The size of a clique of pairwise conflicting units, grown from the
/// units of the last wave of `assign` (a unit placed last could not join
/// the earlier waves: often because of one unit in each), one unit from
/// each earlier wave. Two units can only conflict when one reaches what
/// the other's walk reads (`reach`, each unit's re-read nodes alone), so
/// candidates come from an index of those.
///
/// # Complexity
/// At most [`BUDGET`] pair trials, each O(both units' reach · k).
pub(crate) fn bound(
    ctx: &Ctx<'_>,
    sc: &mut Scratch,
    units: &[&Unit],
    reach: &[&[NodeId]],
    assign: &[usize],
    max_risk: Level,
) -> usize {
    let waves = assign.iter().copied().max().map_or(0, |w| w + 1);
    if waves <= 1 {
        return waves;
    }
    let mut by_node: HashMap<NodeId, Vec<usize>> = HashMap::new();
    for (u, r) in reach.iter().enumerate() {
        for &n in *r {
            by_node.entry(n).or_default().push(u);
        }
    }
    let mut wave = Wave::new(ctx);
    let mut memo: HashMap<(usize, usize), bool> = HashMap::new();
    let mut trials = 0;
    let mut conflict = |a: usize, b: usize, sc: &mut Scratch, trials: &mut usize| -> Option<bool> {
        let key = (a.min(b), a.max(b));
        if let Some(&c) = memo.get(&key) {
            return Some(c);
        }
        if *trials >= BUDGET {
            return None;
        }
        *trials += 1;
        let steps: Vec<Step> = units[a]
            .steps
            .iter()
            .chain(&units[b].steps)
            .copied()
            .collect();
        let c = wave.try_add(ctx, sc, &steps, None) > max_risk;
        wave.rollback();
        memo.insert(key, c);
        Some(c)
    };
    let mut best = 1;
    let last: Vec<usize> = (0..units.len())
        .filter(|&u| assign[u] == waves - 1)
        .take(SEEDS)
        .collect();
    'seeds: for &seed in &last {
        let mut clique = vec![seed];
        // Candidates: units whose reach meets the seed's.
        let mut near: Vec<usize> = reach[seed]
            .iter()
            .flat_map(|n| by_node.get(n).into_iter().flatten().copied())
            .filter(|&v| v != seed)
            .collect();
        near.sort_unstable();
        near.dedup();
        for w in (0..waves - 1).rev() {
            for &v in near.iter().filter(|&&v| assign[v] == w) {
                let mut all = true;
                for &c in &clique {
                    match conflict(v, c, sc, &mut trials) {
                        None => break 'seeds,
                        Some(false) => {
                            all = false;
                            break;
                        }
                        Some(true) => {}
                    }
                }
                if all {
                    clique.push(v);
                    break;
                }
            }
        }
        best = best.max(clique.len());
        if best == waves {
            break;
        }
    }
    best
}

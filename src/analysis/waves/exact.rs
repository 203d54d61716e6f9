//! The exact search for few units: the least count of waves, over every
//! way to split them.

use super::Unit;
use super::eval::{Ctx, Scratch, Step, Wave};
use crate::analysis::Level;

/// Each unit's wave in a split with the fewest waves, the orderings kept.
///
/// Dynamic programming over the set of units already placed: the next
/// wave is any safe subset of the units whose predecessors are placed.
/// Safety of a subset is computed once, when first asked.
///
/// # Complexity
/// At most 3^u subset steps and 2^u trials of a subset, for u units (at
/// most [`super::EXACT_LIMIT`]).
pub(crate) fn search(
    ctx: &Ctx<'_>,
    sc: &mut Scratch,
    units: &[&Unit],
    preds: &[Vec<usize>],
    max_risk: Level,
) -> Vec<usize> {
    let n = units.len();
    if n == 0 {
        return Vec::new();
    }
    assert!(n < 31, "the exact search is for few units");
    let full: u32 = (1u32 << n) - 1;
    let pred_mask: Vec<u32> = preds
        .iter()
        .map(|ps| ps.iter().fold(0, |m, &p| m | (1 << p)))
        .collect();
    let mut s = Search {
        ctx,
        sc,
        units,
        max_risk,
        wave: Wave::new(ctx),
        safe: vec![0; 1 << n],
        best: vec![u8::MAX; 1 << n],
        choice: vec![0; 1 << n],
        pred_mask,
        full,
    };
    s.solve(0);
    let mut assign = vec![0; n];
    let mut placed = 0u32;
    let mut w = 0;
    while placed != full {
        let next = s.choice[placed as usize];
        for (u, a) in assign.iter_mut().enumerate() {
            if next & (1 << u) != 0 {
                *a = w;
            }
        }
        placed |= next;
        w += 1;
    }
    assign
}

struct Search<'a, 'c> {
    ctx: &'a Ctx<'c>,
    sc: &'a mut Scratch,
    units: &'a [&'a Unit],
    max_risk: Level,
    wave: Wave,
    /// Per subset: 0 not known, 1 safe, 2 not.
    safe: Vec<u8>,
    /// Per set placed: the least count of waves for the rest.
    best: Vec<u8>,
    choice: Vec<u32>,
    pred_mask: Vec<u32>,
    full: u32,
}

impl Search<'_, '_> {
    fn is_safe(&mut self, set: u32) -> bool {
        let i = set as usize;
        if self.safe[i] == 0 {
            let steps: Vec<Step> = (0..self.units.len())
                .filter(|u| set & (1 << u) != 0)
                .flat_map(|u| self.units[u].steps.iter().copied())
                .collect();
            let r = self.wave.try_add(self.ctx, self.sc, &steps, None);
            self.wave.rollback();
            self.safe[i] = if r <= self.max_risk { 1 } else { 2 };
        }
        self.safe[i] == 1
    }

    fn solve(&mut self, placed: u32) -> u8 {
        if placed == self.full {
            return 0;
        }
        if self.best[placed as usize] != u8::MAX {
            return self.best[placed as usize];
        }
        let avail = (0..self.units.len() as u32)
            .filter(|&u| placed & (1 << u) == 0)
            .filter(|&u| self.pred_mask[u as usize] & !placed == 0)
            .fold(0u32, |m, u| m | (1 << u));
        let mut best = u8::MAX;
        let mut choice = 0;
        // Every non-empty subset of what may go next, largest first.
        let mut sub = avail;
        while sub != 0 {
            if self.is_safe(sub) {
                let v = self.solve(placed | sub).saturating_add(1);
                if v < best {
                    best = v;
                    choice = sub;
                }
            }
            sub = (sub - 1) & avail;
        }
        self.best[placed as usize] = best;
        self.choice[placed as usize] = choice;
        best
    }
}

//! A plan wave by wave: each wave reviewed alone against the standing
//! estate (DESIGN.md, "Waves"), with the gate to pass before the next.
//! `waves` builds these from its split, `check` and `report` from a plan
//! whose changes carry `wave = N`.

use crate::analysis::{Assessment, Level, Standing, Status};
use crate::checklist::RuleSet;
use crate::plan::{Named, Plan};
use crate::review::Review;
use crate::topology::{Date, NodeId, Topology};

/// What must be back before the next wave, and how long to wait.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Services a reboot or update reached in the wave: up again.
    pub up: Vec<NodeId>,
    /// Their volumes: mounted (`false`: they do not mount by themselves).
    pub volumes: Vec<(NodeId, String, bool)>,
    /// Groups with a changed member or made worse, and the standing status
    /// each must be back to.
    pub groups: Vec<(NodeId, Status)>,
    /// The longest `boot.minutes` of the services to wait for; `None` when
    /// none of them says.
    pub minutes: Option<u32>,
    /// Services to wait for that give no `boot.minutes`.
    pub unknown_minutes: Vec<NodeId>,
}

/// One wave: its number (from 1), its review, its gate.
#[derive(Debug, Clone)]
pub struct WaveReview {
    pub wave: u32,
    pub review: Review,
    pub gate: Gate,
}

/// The gate after a wave assessed as `a`.
///
/// # Complexity
/// O(nodes).
pub fn gate(topo: &Topology, a: &Assessment) -> Gate {
    let mut g = Gate {
        up: Vec::new(),
        volumes: Vec::new(),
        groups: Vec::new(),
        minutes: None,
        unknown_minutes: Vec::new(),
    };
    for (id, _) in a.changes(topo) {
        if !a.is_planned(id) {
            continue;
        }
        let s = topo.as_service(id).expect("changes are services");
        g.up.push(id);
        for v in &s.boot.volumes {
            g.volumes.push((id, v.path.clone(), v.automount));
        }
        match s.boot.minutes {
            Some(m) => g.minutes = Some(g.minutes.map_or(m, |x: u32| x.max(m))),
            None => g.unknown_minutes.push(id),
        }
    }
    for (i, _) in topo.groups().iter().enumerate() {
        let id = topo.group_id(i);
        if a.hit(id) || a.is_changed(topo, id) {
            g.groups.push((id, a.before(id)));
        }
    }
    g
}

/// Reviews each wave of `waves` (indices into `named`) alone against the
/// standing estate, numbered from `first`.
pub fn review_waves(
    topo: &Topology,
    plan: &Plan,
    named: &[Named],
    waves: &[Vec<usize>],
    rules: &RuleSet,
    today: Date,
) -> Vec<WaveReview> {
    let standing = Standing::new(topo);
    waves
        .iter()
        .enumerate()
        .map(|(k, idx)| {
            let changes: Vec<Named> = idx.iter().map(|&i| named[i].clone()).collect();
            let review = Review::from_standing(topo, &standing, plan, &changes, rules, today);
            let gate = gate(topo, &review.assessment);
            WaveReview {
                wave: k as u32 + 1,
                review,
                gate,
            }
        })
        .collect()
}

/// The waves of a plan whose changes carry `wave = N`, reviewed; `None`
/// when the plan has no waves. Wave numbers with no change are skipped
/// (a plan edited by hand may have gaps); each review keeps its number.
pub fn plan_waves(
    topo: &Topology,
    plan: &Plan,
    named: &[Named],
    rules: &RuleSet,
    today: Date,
) -> Option<Vec<WaveReview>> {
    let mut numbers: Vec<u32> = named.iter().filter_map(|n| n.wave).collect();
    if numbers.is_empty() {
        return None;
    }
    numbers.sort_unstable();
    numbers.dedup();
    let waves: Vec<Vec<usize>> = numbers
        .iter()
        .map(|&w| {
            (0..named.len())
                .filter(|&k| named[k].wave == Some(w))
                .collect()
        })
        .collect();
    let mut out = review_waves(topo, plan, named, &waves, rules, today);
    for (r, &w) in out.iter_mut().zip(&numbers) {
        r.wave = w;
    }
    Some(out)
}

/// A plan with waves is assessed wave by wave: its risk is the worst
/// wave's (DESIGN.md). Sets `review`'s risk and its reasons to the worst
/// wave's (each reason says which wave); the rest of `review` stays the
/// whole plan's.
pub fn apply_worst(review: &mut Review, waves: &[WaveReview]) {
    let Some(worst) = waves
        .iter()
        .max_by_key(|w| (w.review.assessment.risk, std::cmp::Reverse(w.wave)))
    else {
        return;
    };
    let a = &worst.review.assessment;
    review.assessment.risk = a.risk;
    review.assessment.risk_reasons = a
        .risk_reasons
        .iter()
        .map(|(l, s)| (*l, format!("wave {}: {s}", worst.wave)))
        .collect();
    if a.risk == Level::Low {
        review.assessment.risk_reasons.clear();
    }
}

//! Exposure (DESIGN.md "Exposure: what else can fail"): every service not
//! down at the end of a plan whose what-if failure, added to the plan, would
//! take more users down; its users at stake, and whether it was already such
//! a single point on the standing estate.
//!
//! # Why not one walk per service
//!
//! Re-running the walk with each service added as `down` is exact but
//! quadratic on a deep estate. What is computed instead rests on four facts
//! about the walk:
//!
//! 1. **Only `down` matters, and it is a closed system.** Whether a node is
//!    `down` is decided by the `down`-ness of others alone: a service is
//!    down when its start is or a `requires`/`host` target is; a group when
//!    fewer than `min_up` members are up, or its manual active member is
//!    down. `wants`, `degraded` and `at-risk` never take anything down. So
//!    the users a failure of `c` adds are those of the live entry points in
//!    `F(c)`: the least set holding `c` and closed under those two rules,
//!    over the nodes live at the end of the plan.
//! 2. **Hard and soft edges.** From a live node to a dependent, an edge is
//!    *hard* when one failure there is enough: `requires` and `host`, a
//!    member of a group with no slack (`up == min_up`), the active member of
//!    a manual active-passive group. The other memberships are *soft*: such
//!    a group falls only when `need = up - min_up + 1 >= 2` of its live
//!    members fall together.
//! 3. **Closure.** `v ∈ F(c)` implies `F(v) ⊆ F(c)` (`F(c)` is closed and
//!    holds `v`; `F(v)` is the least such set). So with only hard edges,
//!    `F(c)` is what `c` reaches, and the entry points it takes down are one
//!    union over the condensed graph: a bitset per strongly connected
//!    component, computed once, sinks first.
//! 4. **Triggers.** A soft group `g` falls under `c` exactly when `c`'s
//!    failure reaches `need` of its live members. Searching backwards from
//!    the members at once (one label per member) along hard edges, a node
//!    reached by `need` labels is a *meet*: its failure takes `g` down. A
//!    trigger edge `meet -> g` is added and the search does not go past a
//!    meet (what lies behind it reaches `g` through it); it ends as soon as
//!    fewer than `need` labels are still under way. Soft groups are searched
//!    in the order failure flows (those on a cycle again until nothing new
//!    is found), through the trigger edges already found.
//!
//! The reach of `c` over hard and trigger edges is then exactly `F(c)`:
//! every edge taken stays inside `F(c)` (by 3: a meet `x ∈ F(c)` has
//! `g ∈ F(x) ⊆ F(c)`); and the reach is closed under both rules (a group
//! with `need` live members in it has a meet on the way to them, or is
//! itself reached through one), so it holds the least closed set. The tests
//! compare it with the walk re-run per service on random topologies.

use super::{Assessment, Standing, Status};
use crate::topology::{Failover, Mode, Node, NodeId, Topology};

/// A service whose failure during the window would take more users down.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposed {
    pub service: NodeId,
    /// The share of users it would add to those down (`users.down` with it
    /// minus without it).
    pub users: f64,
    /// Its failure alone already took users down on the standing estate.
    pub before: bool,
}

/// The exposure of a plan: what else can fail during the window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposure {
    /// Most users at stake first, then in topology order.
    pub entries: Vec<Exposed>,
    /// Share of users on the entry points that some listed service would
    /// take down (each entry point counted once).
    pub users: f64,
    /// Single points of failure of the standing estate (no change).
    pub before: usize,
}

impl Exposure {
    /// Entries that were not single points before the change: what the
    /// window itself exposes.
    pub fn new_count(&self) -> usize {
        self.entries.iter().filter(|e| !e.before).count()
    }
}

/// The exposure of the plan assessed in `a` on `topo`: the single points of
/// its final statuses, each flagged with whether it was one on `a`'s
/// standing statuses.
///
/// Cheap to call off the keystroke path: it reads the assessment's
/// statuses (the plan's and the standing ones) and returns owned data.
/// Not for [`super::standing`]'s assessment (it is measured against an
/// all-fine estate): use [`standing_exposure`] for that.
///
/// # Complexity
/// O((nodes + edges) · ⌈k/64⌉) for k live entry points (the entry points
/// each service takes down are a set: no known method counts them for
/// every service of a general graph in linear time), plus, for each group
/// with spare members, a search of its members' hard cones that ends
/// where they meet or where fewer than the members it takes are still
/// under way: small on layered estates, and on deep ones where a group's
/// members share their stack (or only one of them has one). A group whose
/// members stand on disjoint deep stacks costs their depth. Memory is
/// O(nodes + edges) plus at most 64 MiB of bits.
pub fn exposure(topo: &Topology, a: &Assessment) -> Exposure {
    let now = single_points(topo, &a.status);
    let before = single_points(topo, &a.before);
    let mut was = vec![false; topo.node_count()];
    for &(id, _) in &before.points {
        was[id.index()] = true;
    }
    Exposure {
        entries: now
            .points
            .iter()
            .map(|&(id, n)| Exposed {
                service: id,
                users: share(n),
                before: was[id.index()],
            })
            .collect(),
        users: share(now.union),
        before: before.points.len(),
    }
}

/// What is one failure away from an outage today: the single points of the
/// standing estate (every entry is `before`).
///
/// # Complexity
/// One standing walk, then as [`exposure`].
pub fn standing_exposure(topo: &Topology) -> Exposure {
    standing_exposure_of(topo, &Standing::new(topo))
}

/// [`standing_exposure`] from a standing walk already made.
pub(crate) fn standing_exposure_of(topo: &Topology, st: &Standing) -> Exposure {
    let sp = single_points(topo, &st.status);
    Exposure {
        entries: sp
            .points
            .iter()
            .map(|&(id, n)| Exposed {
                service: id,
                users: share(n),
                before: true,
            })
            .collect(),
        users: share(sp.union),
        before: sp.points.len(),
    }
}

/// Users as whole billionths: `users.down` is rounded to 9 decimals, and
/// integer sums are exact, so equal sets of entry points give equal stakes.
fn nanos(users: f64) -> u64 {
    (users * 1e9).round() as u64
}

fn share(nanos: u64) -> f64 {
    nanos as f64 / 1e9
}

const NONE: u32 = u32::MAX;

/// Single points of failure of an estate at `status` (a fixpoint of the
/// walk): each live service whose failure takes live entry points down,
/// with their users, most first; and the users of the union of those entry
/// points.
struct SinglePoints {
    points: Vec<(NodeId, u64)>,
    union: u64,
}

/// A redundant group: it falls when `need` of its live `members` (one per
/// position of `members` in the file) fall together.
struct Soft {
    node: u32,
    need: usize,
    members: Vec<u32>,
}

fn single_points(topo: &Topology, status: &[Status]) -> SinglePoints {
    let live = |id: NodeId| status[id.index()] != Status::Down;
    let entries: Vec<(NodeId, u64)> = topo
        .entry_points()
        .iter()
        .filter(|&&e| live(e))
        .filter_map(|&e| {
            let u = topo.as_service(e).and_then(|s| s.users).map_or(0, nanos);
            (u > 0).then_some((e, u))
        })
        .collect();
    if entries.is_empty() {
        return SinglePoints {
            points: Vec::new(),
            union: 0,
        };
    }
    // The live nodes whose failure can reach a live entry point: backwards
    // from the entry points along every way a failure travels. Nothing else
    // can change who is down.
    let mut idx = vec![NONE; topo.node_count()];
    let mut nodes: Vec<NodeId> = Vec::new();
    let visit = |id: NodeId, idx: &mut [u32], nodes: &mut Vec<NodeId>| {
        if live(id) && idx[id.index()] == NONE {
            idx[id.index()] = nodes.len() as u32;
            nodes.push(id);
        }
    };
    for &(e, _) in &entries {
        visit(e, &mut idx, &mut nodes);
    }
    let mut i = 0;
    while i < nodes.len() {
        let v = nodes[i];
        i += 1;
        match topo.node(v) {
            Node::Service(s) => {
                for &t in s.requires.iter().chain(s.host.iter()) {
                    visit(t, &mut idx, &mut nodes);
                }
            }
            Node::Group(g) => {
                for &m in &g.members {
                    visit(m, &mut idx, &mut nodes);
                }
            }
        }
    }
    let r = nodes.len();
    let at = |id: NodeId| idx[id.index()];

    // Edges in the direction a failure travels, hard and soft.
    let mut hard: Vec<(u32, u32)> = Vec::new();
    let mut soft_edges: Vec<(u32, u32)> = Vec::new();
    let mut softs: Vec<Soft> = Vec::new();
    for (ci, &v) in nodes.iter().enumerate() {
        let ci = ci as u32;
        match topo.node(v) {
            Node::Service(s) => {
                for &t in s.requires.iter().chain(s.host.iter()) {
                    if at(t) != NONE {
                        hard.push((at(t), ci));
                    }
                }
            }
            Node::Group(g) => {
                let members: Vec<u32> = g
                    .members
                    .iter()
                    .filter(|&&m| live(m))
                    .map(|&m| at(m))
                    .collect();
                // Live, so up >= min_up: need >= 1.
                let need = (members.len() + 1).saturating_sub(g.min_up);
                if need <= 1 {
                    hard.extend(members.iter().map(|&m| (m, ci)));
                    continue;
                }
                if g.mode == Mode::ActivePassive
                    && g.failover == Failover::Manual
                    && let Some(&first) = g.members.first()
                    && live(first)
                {
                    hard.push((at(first), ci));
                }
                soft_edges.extend(members.iter().map(|&m| (m, ci)));
                if need <= members.len() {
                    softs.push(Soft {
                        node: ci,
                        need,
                        members,
                    });
                }
            }
        }
    }
    let (sup_at, sup) = csr(r, hard.iter().map(|&(t, d)| (d, t)));
    let trig = triggers(r, &hard, &soft_edges, &sup_at, &sup, &mut softs);
    hard.extend(trig);
    let (fwd_at, fwd) = csr(r, hard.iter().copied());
    let (comp, ncomp) = sccs(&fwd_at, &fwd);

    let mut entry_of = vec![NONE; r];
    for (j, &(e, _)) in entries.iter().enumerate() {
        entry_of[at(e) as usize] = j as u32;
    }
    let weights: Vec<u64> = entries.iter().map(|&(_, u)| u).collect();
    let candidates: Vec<u32> = (0..r as u32)
        .filter(|&c| topo.as_service(nodes[c as usize]).is_some())
        .collect();
    let (stake, union) = stakes(&Reach {
        comp: &comp,
        ncomp,
        fwd_at: &fwd_at,
        fwd: &fwd,
        entry_of: &entry_of,
        weights: &weights,
        candidates: &candidates,
    });
    let mut points: Vec<(NodeId, u64)> = candidates
        .iter()
        .zip(&stake)
        .filter(|&(_, &s)| s > 0)
        .map(|(&c, &s)| (nodes[c as usize], s))
        .collect();
    points.sort_unstable_by_key(|&(id, s)| (std::cmp::Reverse(s), id));
    SinglePoints { points, union }
}

/// The trigger edges `meet -> group` of every soft group (see the module
/// notes), found in the order failures flow: a group's search crosses the
/// groups whose failure reaches its members, through their triggers, so
/// those are searched first; groups on a cycle are searched again until a
/// round finds nothing new.
fn triggers(
    r: usize,
    hard: &[(u32, u32)],
    soft_edges: &[(u32, u32)],
    sup_at: &[u32],
    sup: &[u32],
    softs: &mut [Soft],
) -> Vec<(u32, u32)> {
    if softs.is_empty() {
        return Vec::new();
    }
    let (all_at, all) = csr(r, hard.iter().chain(soft_edges).copied());
    let (comp, ncomp) = sccs(&all_at, &all);
    let mut size = vec![0u32; ncomp];
    for &c in &comp {
        size[c as usize] += 1;
    }
    // Tarjan numbers components sinks first: sources first is the reverse.
    softs.sort_by_key(|s| std::cmp::Reverse(comp[s.node as usize]));
    let mut soft_of = vec![NONE; r];
    for (i, s) in softs.iter().enumerate() {
        soft_of[s.node as usize] = i as u32;
    }
    let mut sources: Vec<Vec<u32>> = vec![Vec::new(); softs.len()];
    let mut search = Search::new(&comp);
    let mut start = 0;
    while start < softs.len() {
        let c = comp[softs[start].node as usize];
        let end = start
            + softs[start..]
                .iter()
                .take_while(|s| comp[s.node as usize] == c)
                .count();
        loop {
            let mut found = false;
            for i in start..end {
                let meets = search.meets(&softs[i], sup_at, sup, &soft_of, &sources);
                let old = sources[i].len();
                sources[i].extend(meets);
                sources[i].sort_unstable();
                sources[i].dedup();
                found |= sources[i].len() > old;
            }
            if !found || size[c as usize] == 1 {
                break;
            }
        }
        start = end;
    }
    softs
        .iter()
        .zip(&sources)
        .flat_map(|(s, src)| src.iter().map(move |&x| (x, s.node)))
        .filter(|&(x, g)| x != g)
        .collect()
}

/// The scratch space of the backward searches, reused across groups.
///
/// One search per group carries every member's label at once, nodes taken
/// in the order of the components of the failure graph (each node after
/// every node that it fails into, a cycle aside): a node is expanded with
/// all the labels it will get, so where two members stand on one deep
/// stack the search stops where they meet instead of walking the stack
/// once per member. And once fewer than `need` labels are still under way,
/// no node can gather `need` any more: the search ends there (a member
/// alone on a deep stack costs nothing).
struct Search<'a> {
    /// Components of the failure graph, numbered sinks first: a node's
    /// supports have numbers at least its own.
    comp: &'a [u32],
    /// Per node: the search (group) that last reached it and its place in
    /// `touched`. One word per node is all a search reads at random; the
    /// rest of its state is its own, small and in cache (a vector of
    /// labels per node, a stamp and a flag in three arrays, cost a cache
    /// miss each on every step at a million services).
    mark: Vec<(u32, u32)>,
    group: u32,
    /// The nodes the current search reached.
    touched: Vec<Touched>,
    /// The labels of the touched nodes, each node's a list through `next`.
    labels: Vec<(u32, u32)>,
    /// Queued nodes carrying each label; `under_way` labels have some.
    alive: Vec<u32>,
    under_way: usize,
    /// The component of the node last taken.
    last: u32,
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(u32, u32)>>,
}

/// The list of labels in `labels` that starts at `head`, newest first.
fn list(labels: &[(u32, u32)], head: u32) -> impl Iterator<Item = u32> + '_ {
    let mut at = head;
    std::iter::from_fn(move || {
        (at != NONE).then(|| {
            let (l, next) = labels[at as usize];
            at = next;
            l
        })
    })
}

/// A node reached by the current search.
#[derive(Clone, Copy)]
struct Touched {
    /// First of its labels in `Search::labels`, or `NONE`.
    head: u32,
    len: u32,
    queued: bool,
}

impl Search<'_> {
    fn new(comp: &[u32]) -> Search<'_> {
        Search {
            comp,
            mark: vec![(0, 0); comp.len()],
            group: 0,
            touched: Vec::new(),
            labels: Vec::new(),
            alive: Vec::new(),
            under_way: 0,
            last: 0,
            heap: std::collections::BinaryHeap::new(),
        }
    }

    /// The labels of touched node `k`, newest first.
    fn labels_of(&self, k: usize) -> impl Iterator<Item = u32> + '_ {
        list(&self.labels, self.touched[k].head)
    }

    /// Label `l` reaches `x`; true when `x` has just become a meet.
    fn reach(&mut self, x: u32, l: u32, need: usize) -> bool {
        let xi = x as usize;
        let k = match self.mark[xi] {
            (g, k) if g == self.group => k as usize,
            _ => {
                let k = self.touched.len();
                self.mark[xi] = (self.group, k as u32);
                self.touched.push(Touched {
                    head: NONE,
                    len: 0,
                    queued: false,
                });
                k
            }
        };
        if self.touched[k].len as usize >= need || self.labels_of(k).any(|m| m == l) {
            return false;
        }
        self.labels.push((l, self.touched[k].head));
        let t = &mut self.touched[k];
        t.head = (self.labels.len() - 1) as u32;
        t.len += 1;
        let len = t.len as usize;
        if t.queued {
            self.alive[l as usize] += 1;
            self.under_way += usize::from(self.alive[l as usize] == 1);
        } else {
            t.queued = true;
            self.heap.push(std::cmp::Reverse((self.comp[xi], x)));
            for m in list(&self.labels, t.head) {
                self.alive[m as usize] += 1;
                self.under_way += usize::from(self.alive[m as usize] == 1);
            }
        }
        len == need
    }

    /// The meets of `g`: nodes whose failure reaches `g.need` of its live
    /// members through hard and trigger edges, not searching past one.
    fn meets(
        &mut self,
        g: &Soft,
        sup_at: &[u32],
        sup: &[u32],
        soft_of: &[u32],
        sources: &[Vec<u32>],
    ) -> Vec<u32> {
        self.group += 1;
        self.touched.clear();
        self.labels.clear();
        self.alive.clear();
        self.alive.resize(g.members.len(), 0);
        self.under_way = 0;
        let mut out = Vec::new();
        for (l, &m) in g.members.iter().enumerate() {
            if self.reach(m, l as u32, g.need) {
                out.push(m);
            }
        }
        let mut labels = Vec::new();
        while let Some(&std::cmp::Reverse((c, _))) = self.heap.peek() {
            // Nodes of components already left get no label any more (a
            // label only travels to a node's supports, numbered at least
            // its own): what is queued is all that is under way.
            if self.under_way < g.need && self.last < c {
                break;
            }
            let std::cmp::Reverse((c, y)) = self.heap.pop().expect("peeked");
            self.last = c;
            let yi = y as usize;
            let k = self.mark[yi].1 as usize;
            self.touched[k].queued = false;
            labels.clear();
            labels.extend(self.labels_of(k));
            for &m in &labels {
                self.alive[m as usize] -= 1;
                self.under_way -= usize::from(self.alive[m as usize] == 0);
            }
            if labels.len() >= g.need {
                continue;
            }
            // Oldest first, as the labels came.
            labels.reverse();
            let behind = &sup[sup_at[yi] as usize..sup_at[yi + 1] as usize];
            let triggered = match soft_of[yi] {
                NONE => &[][..],
                s => &sources[s as usize][..],
            };
            for &x in behind.iter().chain(triggered) {
                for &l in &labels {
                    if self.reach(x, l, g.need) {
                        out.push(x);
                    }
                }
            }
        }
        for std::cmp::Reverse((_, y)) in self.heap.drain() {
            let k = self.mark[y as usize].1 as usize;
            self.touched[k].queued = false;
        }
        self.last = 0;
        out
    }
}

/// The condensed graph of hard and trigger edges, and what to weigh on it.
struct Reach<'a> {
    comp: &'a [u32],
    ncomp: usize,
    fwd_at: &'a [u32],
    fwd: &'a [u32],
    /// Each node's entry point number, or `NONE`.
    entry_of: &'a [u32],
    weights: &'a [u64],
    candidates: &'a [u32],
}

/// Bits kept per component at once: the entry points are taken in slices so
/// that memory stays bounded whatever their number.
const SLICE_BYTES: usize = 64 << 20;

/// For each candidate, the users of the entry points its component reaches;
/// and those of the union over all candidates.
///
/// # Complexity
/// O(nodes + edges), plus O((c + e) · ⌈k/64⌉) for k entry points and the
/// c components whose failure reaches one, with their e edges; memory at
/// most [`SLICE_BYTES`] for the bits.
fn stakes(g: &Reach<'_>) -> (Vec<u64>, u64) {
    let k = g.weights.len();
    let words = k.div_ceil(64);
    // The condensed graph, built once for every slice of bits: each
    // component's entry points, and the distinct other components its
    // members' edges reach (Tarjan numbered those first: their bits are
    // done when it is visited). Walking the nodes and edges again for each
    // slice made a million-service estate's search pass over its graph
    // twenty times.
    let (entries_at, entries) = csr(
        g.ncomp,
        (0..g.comp.len())
            .filter(|&v| g.entry_of[v] != NONE)
            .map(|v| (g.comp[v], g.entry_of[v])),
    );
    let mut down: Vec<(u32, u32)> = Vec::new();
    for v in 0..g.comp.len() {
        let c = g.comp[v];
        for &d in &g.fwd[g.fwd_at[v] as usize..g.fwd_at[v + 1] as usize] {
            let dc = g.comp[d as usize];
            if dc != c {
                down.push((c, dc));
            }
        }
    }
    down.sort_unstable();
    down.dedup();
    let (down_at, down) = csr(g.ncomp, down.iter().copied());
    // Only the components whose failure reaches an entry point carry bits
    // (a row of zeros weighs nothing): in an estate of redundant groups a
    // failure stops at the first group, so they are few, and their rows
    // fit in one slice where every component's took ten.
    let mut row = vec![NONE; g.ncomp];
    let mut rows = 0u32;
    for c in 0..g.ncomp {
        let reaches = entries_at[c] < entries_at[c + 1]
            || down[down_at[c] as usize..down_at[c + 1] as usize]
                .iter()
                .any(|&dc| row[dc as usize] != NONE);
        if reaches {
            row[c] = rows;
            rows += 1;
        }
    }
    let rows = rows as usize;
    let per = (SLICE_BYTES / 8 / rows.max(1)).clamp(1, words.max(1));
    let mut stake = vec![0u64; g.candidates.len()];
    let mut union = 0u64;
    let mut bits = vec![0u64; rows * per];
    for w0 in (0..words).step_by(per) {
        let w1 = (w0 + per).min(words);
        let cw = w1 - w0;
        bits.iter_mut().for_each(|b| *b = 0);
        for c in 0..g.ncomp {
            let rc = row[c];
            if rc == NONE {
                continue;
            }
            let rc = rc as usize * per;
            for &e in &entries[entries_at[c] as usize..entries_at[c + 1] as usize] {
                if (e as usize / 64) >= w0 && (e as usize / 64) < w1 {
                    bits[rc + e as usize / 64 - w0] |= 1 << (e % 64);
                }
            }
            for &dc in &down[down_at[c] as usize..down_at[c + 1] as usize] {
                let rd = row[dc as usize];
                if rd == NONE {
                    continue;
                }
                let rd = rd as usize * per;
                for w in 0..cw {
                    bits[rc + w] |= bits[rd + w];
                }
            }
        }
        let table = byte_sums(g.weights, w0, w1);
        let weigh = |row: &[u64]| -> u64 {
            row.iter()
                .enumerate()
                .filter(|&(_, &x)| x != 0)
                .map(|(w, &x)| {
                    (0..8)
                        .map(|b| table[(w * 8 + b) * 256 + ((x >> (8 * b)) & 0xff) as usize])
                        .sum::<u64>()
                })
                .sum()
        };
        let mut all = vec![0u64; cw];
        for (i, &c) in g.candidates.iter().enumerate() {
            let rc = row[g.comp[c as usize] as usize];
            if rc == NONE {
                continue;
            }
            let bits = &bits[rc as usize * per..][..cw];
            stake[i] += weigh(bits);
            for (a, &x) in all.iter_mut().zip(bits) {
                *a |= x;
            }
        }
        union += weigh(&all);
    }
    (stake, union)
}

/// For words `w0..w1` of the entry bits, each byte's possible values
/// weighed: `table[(w * 8 + b) * 256 + v]` is the users of the entry points
/// whose bits are set in `v` at byte `b` of word `w0 + w`.
fn byte_sums(weights: &[u64], w0: usize, w1: usize) -> Vec<u64> {
    let mut table = vec![0u64; (w1 - w0) * 8 * 256];
    for w in 0..w1 - w0 {
        for b in 0..8 {
            let t = &mut table[(w * 8 + b) * 256..][..256];
            for v in 1..256usize {
                let low = v.trailing_zeros() as usize;
                let e = (w0 + w) * 64 + b * 8 + low;
                t[v] = t[v & (v - 1)] + weights.get(e).copied().unwrap_or(0);
            }
        }
    }
    table
}

/// A compressed adjacency of `n` nodes from `(from, to)` pairs: node `v`'s
/// targets are `adj[at[v]..at[v + 1]]`, in the order given.
fn csr(n: usize, edges: impl Iterator<Item = (u32, u32)> + Clone) -> (Vec<u32>, Vec<u32>) {
    let mut at = vec![0u32; n + 1];
    for (f, _) in edges.clone() {
        at[f as usize + 1] += 1;
    }
    for i in 0..n {
        at[i + 1] += at[i];
    }
    let mut fill = at.clone();
    let mut adj = vec![0u32; at[n] as usize];
    for (f, t) in edges {
        adj[fill[f as usize] as usize] = t;
        fill[f as usize] += 1;
    }
    (at, adj)
}

/// Strongly connected components (Tarjan, with an explicit stack: no
/// recursion as deep as the input). Components are numbered in the order
/// found: each after every component it reaches.
///
/// # Complexity
/// O(nodes + edges).
fn sccs(at: &[u32], adj: &[u32]) -> (Vec<u32>, usize) {
    let n = at.len() - 1;
    let mut index = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut comp = vec![NONE; n];
    let mut stack: Vec<u32> = Vec::new();
    let mut call: Vec<(u32, u32)> = Vec::new();
    let mut next = 0u32;
    let mut ncomp = 0u32;
    for root in 0..n as u32 {
        if index[root as usize] != NONE {
            continue;
        }
        index[root as usize] = next;
        low[root as usize] = next;
        next += 1;
        stack.push(root);
        call.push((root, at[root as usize]));
        while let Some(&mut (v, ref mut e)) = call.last_mut() {
            let vi = v as usize;
            if *e < at[vi + 1] {
                let w = adj[*e as usize] as usize;
                *e += 1;
                if index[w] == NONE {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w as u32);
                    call.push((w as u32, at[w]));
                } else if comp[w] == NONE {
                    low[vi] = low[vi].min(index[w]);
                }
            } else {
                call.pop();
                if let Some(&(p, _)) = call.last() {
                    low[p as usize] = low[p as usize].min(low[vi]);
                }
                if low[vi] == index[vi] {
                    while let Some(w) = stack.pop() {
                        comp[w as usize] = ncomp;
                        if w == v {
                            break;
                        }
                    }
                    ncomp += 1;
                }
            }
        }
    }
    (comp, ncomp as usize)
}

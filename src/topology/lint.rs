//! Warnings about a valid topology: standing risks that hold whatever the
//! change, reported by `validate`.

use super::{Edge, NodeId, Topology};
use petgraph::algo::kosaraju_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use std::collections::{HashMap, VecDeque};

/// A standing risk in a topology.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Warning {
    /// Stable kind: `spof`, `shared-zone`, `requires-cycle`, `users-over-one`,
    /// `last-tested-in-future`.
    pub kind: &'static str,
    /// The services and groups concerned.
    pub subjects: Vec<String>,
    /// One sentence for a human.
    pub message: String,
}

/// Every warning for `topo`, in a stable order.
///
/// # Complexity
/// O(services + groups + edges).
pub fn lint(topo: &Topology) -> Vec<Warning> {
    lint_at(topo, super::Date::today_utc())
}

/// [`lint`] with `today` as the date `last_tested` is checked against.
///
/// # Complexity
/// O(services + groups + edges).
pub fn lint_at(topo: &Topology, today: super::Date) -> Vec<Warning> {
    let mut out = Vec::new();
    spofs(topo, &mut out);
    shared_zones(topo, &mut out);
    cycles(topo, &mut out);
    future_tests(topo, today, &mut out);
    let total: f64 = topo.services().iter().filter_map(|s| s.users).sum();
    if total > 1.0 + 1e-9 {
        let entries: Vec<String> = topo
            .services()
            .iter()
            .filter(|s| s.users.is_some())
            .map(|s| s.id.clone())
            .collect();
        out.push(Warning {
            kind: "users-over-one",
            message: format!(
                "entry points' `users` add up to {:.2}, more than 1 (all users): {}",
                total,
                entries.join(", ")
            ),
            subjects: entries,
        });
    }
    out
}

fn spofs(topo: &Topology, out: &mut Vec<Warning>) {
    for (i, s) in topo.services().iter().enumerate() {
        let id = topo.service_id(i);
        if !topo.groups_of(id).is_empty() {
            continue;
        }
        let mut needers: Vec<&str> = topo
            .dependents(id)
            .filter(|&(_, e)| e == Edge::Requires)
            .map(|(n, _)| topo.id(n))
            .collect();
        if needers.is_empty() {
            continue;
        }
        needers.sort_unstable();
        needers.dedup();
        let mut subjects = Vec::with_capacity(needers.len() + 1);
        subjects.push(s.id.clone());
        subjects.extend(needers.iter().map(|s| s.to_string()));
        // Written into one buffer: a large estate has tens of thousands.
        let mut message = String::with_capacity(64 + 16 * needers.len());
        message.push('`');
        message.push_str(&s.id);
        message.push_str("` is in no group but ");
        for (k, n) in needers.iter().enumerate() {
            if k > 0 {
                message.push_str(", ");
            }
            message.push_str(n);
        }
        message.push_str(if needers.len() == 1 {
            " requires it: a single point of failure"
        } else {
            " require it: a single point of failure"
        });
        out.push(Warning {
            kind: "spof",
            message,
            subjects,
        });
    }
}

fn shared_zones(topo: &Topology, out: &mut Vec<Warning>) {
    for g in topo.groups() {
        if g.members.len() < 2 {
            continue;
        }
        let zone = |m: &NodeId| topo.as_service(*m).and_then(|s| s.zone.as_deref());
        if let Some(z) = zone(&g.members[0])
            && g.members[1..].iter().all(|m| zone(m) == Some(z))
        {
            out.push(Warning {
                    kind: "shared-zone",
                    message: format!(
                        "every member of group `{}` is in zone `{z}`: one failure there takes the whole group",
                        g.id
                    ),
                    subjects: vec![g.id.clone()],
                });
        }
    }
}

/// A `last_tested` after today: most likely a typo (2032 for 2023). The
/// assessment counts such a group as never tested; say so here, before a
/// plan finds out.
fn future_tests(topo: &Topology, today: super::Date, out: &mut Vec<Warning>) {
    for g in topo.groups() {
        if let Some(d) = g.last_tested
            && d.days_since_epoch() > today.days_since_epoch()
        {
            out.push(Warning {
                kind: "last-tested-in-future",
                message: format!(
                    "group `{}` gives `last_tested` {d}, after today ({today}): its failover counts as never tested until that date is right",
                    g.id
                ),
                subjects: vec![g.id.clone()],
            });
        }
    }
}

/// Whether any node is left once those that need nothing (through
/// `requires`, hosts and memberships) are peeled away, again and again
/// (Kahn's order): a node on a cycle never is, so when none is left there
/// is no cycle. Nearly every estate peels away whole. The pass reads only
/// the flat dependents arrays and one counter per node: going through each
/// service's own lists, in the peeling's order, cost a million-service
/// `validate` a quarter of a second in cache misses.
///
/// # Complexity
/// O(nodes + edges).
fn may_cycle(topo: &Topology) -> bool {
    let n = topo.node_count();
    // How many nodes each node needs, in the walk's sense: every edge but
    // `wants`, counted from the side of what is needed.
    let mut needs = vec![0u32; n];
    for t in topo.node_ids() {
        for (d, e) in topo.dependents(t) {
            if e != Edge::Wants {
                needs[d.index()] += 1;
            }
        }
    }
    let mut queue: Vec<NodeId> = topo.node_ids().filter(|v| needs[v.index()] == 0).collect();
    let mut peeled = 0;
    while let Some(v) = queue.pop() {
        peeled += 1;
        for (d, e) in topo.dependents(v) {
            if e != Edge::Wants {
                let c = &mut needs[d.index()];
                *c -= 1;
                if *c == 0 {
                    queue.push(d);
                }
            }
        }
    }
    peeled < n
}

/// Cycles through `requires` edges (and group membership, since requiring a
/// group means requiring its members).
fn cycles(topo: &Topology, out: &mut Vec<Warning>) {
    if !may_cycle(topo) {
        return;
    }
    let g = topo
        .graph()
        .filter_map(|_, ()| Some(()), |_, e| (*e != Edge::Wants).then_some(*e));
    // Kosaraju's algorithm, as petgraph writes it, is iterative; its
    // `tarjan_scc` recurses once per node of a path, and a chain of 130,000
    // `requires` overflowed the stack. Components come in no useful order:
    // each is reported from its smallest node, in topology order.
    let mut sccs: Vec<Vec<NodeIndex>> = kosaraju_scc(&g)
        .into_iter()
        .filter(|scc| scc.len() >= 2)
        .collect();
    for scc in &mut sccs {
        scc.sort_unstable();
    }
    sccs.sort_unstable_by_key(|scc| scc[0]);
    for scc in sccs {
        let start = scc[0];
        let members: HashMap<NodeIndex, ()> = scc.iter().map(|&n| (n, ())).collect();
        // Shortest way round from `start` back to itself, inside the component.
        let mut prev: HashMap<NodeIndex, NodeIndex> = HashMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'bfs: while let Some(n) = queue.pop_front() {
            let mut next: Vec<NodeIndex> = g.edges(n).map(|e| e.target()).collect();
            next.sort_unstable();
            for t in next {
                if t == start {
                    closing = Some(n);
                    break 'bfs;
                }
                if members.contains_key(&t) && !prev.contains_key(&t) {
                    prev.insert(t, n);
                    queue.push_back(t);
                }
            }
        }
        let mut path = vec![start];
        let mut at = closing.expect("a strongly connected component has a cycle");
        while at != start {
            path.push(at);
            at = prev[&at];
        }
        path[1..].reverse();
        let mut ids: Vec<String> = path
            .iter()
            .map(|n| topo.id(NodeId(n.index() as u32)).to_string())
            .collect();
        let shown = format!("{} → {}", ids.join(" → "), ids[0]);
        ids.sort();
        out.push(Warning {
            kind: "requires-cycle",
            message: format!(
                "`requires` forms a cycle: {shown}; none of these can start before the others"
            ),
            subjects: ids,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: usize, closed: bool) -> Topology {
        let mut text = String::from("[topology]\nname = \"chain\"\n");
        for i in 0..n {
            text.push_str(&format!("[services.s{i:06}]\n"));
            if i + 1 < n || closed {
                text.push_str(&format!("requires = [\"s{:06}\"]\n", (i + 1) % n));
            }
        }
        crate::topology::load("chain.toml", &text).unwrap()
    }

    /// A test thread has a 2 MiB stack: a recursion per node of a chain
    /// this long overflows it many times over.
    /// A layered estate peels away whole, so the component search never
    /// runs; one cycle anywhere keeps it.
    #[test]
    fn peeling_finds_no_cycle_in_a_layered_estate_and_keeps_a_real_one() {
        let g = crate::testgen::generate(2000, 5);
        let t = crate::topology::load("gen", &g.toml).unwrap();
        assert!(!super::may_cycle(&t));
        let text = "[topology]\nname = \"c\"\n[services.a]\nrequires = [\"b\"]\n[services.b]\nrequires = [\"c\"]\n[services.c]\nrequires = [\"a\"]\n[services.d]\nrequires = [\"a\"]\n";
        let t = crate::topology::load("c", text).unwrap();
        assert!(super::may_cycle(&t));
        assert!(super::lint(&t).iter().any(|w| w.kind == "requires-cycle"));
        // Through a group: requiring a group is requiring its members.
        let text = "[topology]\nname = \"c\"\n[services.a]\nrequires = [\"pool\"]\n[services.b]\nrequires = [\"a\"]\n[services.c]\n[groups.pool]\nmembers = [\"b\", \"c\"]\nmin_up = 1\n";
        let t = crate::topology::load("c", text).unwrap();
        assert!(super::may_cycle(&t));
        assert!(super::lint(&t).iter().any(|w| w.kind == "requires-cycle"));
        // `wants` never closes a cycle; a host is a `requires`.
        let text = "[topology]\nname = \"c\"\n[services.a]\nwants = [\"b\"]\n[services.b]\nrequires = [\"a\"]\n[services.h]\nrequires = [\"g\"]\n[services.g]\nhost = \"h\"\n";
        let t = crate::topology::load("c", text).unwrap();
        let cycles: Vec<Warning> = super::lint(&t)
            .into_iter()
            .filter(|w| w.kind == "requires-cycle")
            .collect();
        assert_eq!(cycles.len(), 1, "{cycles:?}");
        assert_eq!(cycles[0].subjects, ["g", "h"]);
    }

    #[test]
    fn a_130k_deep_requires_chain_is_linted_without_recursion() {
        let t = chain(130_000, false);
        let w = lint_at(&t, crate::topology::Date::parse("2024-01-01").unwrap());
        assert_eq!(w.iter().filter(|w| w.kind == "spof").count(), 129_999);
        assert!(w.iter().all(|w| w.kind != "requires-cycle"));
        let t = chain(130_000, true);
        let w = lint_at(&t, crate::topology::Date::parse("2024-01-01").unwrap());
        let cycles: Vec<&Warning> = w.iter().filter(|w| w.kind == "requires-cycle").collect();
        assert_eq!(cycles.len(), 1);
        assert_eq!(cycles[0].subjects.len(), 130_000);
        assert!(
            cycles[0]
                .message
                .starts_with("`requires` forms a cycle: s000000 → s000001 → ")
        );
    }

    #[test]
    fn last_tested_after_today_is_warned() {
        let t = crate::topology::load(
            "t.toml",
            "[topology]\nname = \"t\"\n[services.a]\n[services.b]\n[groups.g]\nmembers = [\"a\", \"b\"]\nlast_tested = 2032-03-01\n",
        )
        .unwrap();
        let at = |d: &str| lint_at(&t, crate::topology::Date::parse(d).unwrap());
        let w = at("2024-01-01");
        assert_eq!(
            w.iter()
                .filter(|w| w.kind == "last-tested-in-future")
                .count(),
            1,
            "{w:?}"
        );
        assert!(
            at("2032-03-01")
                .iter()
                .all(|w| w.kind != "last-tested-in-future")
        );
    }
}

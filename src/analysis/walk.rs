//! The walk: statuses as a least fixpoint, then one shortest cause chain per
//! non-ok node. DESIGN.md "Semantics of the walk" is the specification; the
//! comments name the rule each branch implements.

use super::Status;
use crate::plan::Action;
use crate::topology::{Edge, Failover, Group, Mode, Node, NodeId, State, Topology};
use std::collections::VecDeque;

/// Every node's starting status with no change: `state = "down"` is down,
/// `state = "degraded"` is degraded, anything else (and every group) ok.
/// A change makes its service start down; [`with_changes`] applies that.
pub(super) fn starts(topo: &Topology) -> Vec<Status> {
    topo.node_ids()
        .map(|id| match topo.as_service(id).map(|s| s.state) {
            Some(State::Down) => Status::Down,
            Some(State::Degraded) => Status::Degraded,
            _ => Status::Ok,
        })
        .collect()
}

/// The starting statuses under `action`: a changed service (any action)
/// starts down.
pub(super) fn with_changes(standing_starts: &[Status], action: &[Option<Action>]) -> Vec<Status> {
    standing_starts
        .iter()
        .zip(action)
        .map(|(&s, a)| if a.is_some() { Status::Down } else { s })
        .collect()
}

/// Members up (not down) and healthy (ok or at-risk).
fn counts(g: &Group, status: &[Status]) -> (usize, usize) {
    let mut up = 0;
    let mut healthy = 0;
    for m in &g.members {
        match status[m.index()] {
            Status::Down => {}
            Status::Degraded => up += 1,
            Status::Ok | Status::AtRisk => {
                up += 1;
                healthy += 1;
            }
        }
    }
    (up, healthy)
}

/// Someone must fail an active-passive manual group over by hand when its
/// active member is down.
fn needs_manual_failover(g: &Group, status: &[Status]) -> bool {
    g.mode == Mode::ActivePassive
        && g.failover == Failover::Manual
        && g.members
            .first()
            .is_some_and(|m| status[m.index()] == Status::Down)
}

/// The group rule.
fn group_status(g: &Group, status: &[Status]) -> Status {
    let (up, healthy) = counts(g, status);
    if up < g.min_up || needs_manual_failover(g, status) {
        Status::Down
    } else if healthy < g.min_up {
        Status::Degraded
    } else if up == g.min_up && g.min_up < g.members.len() {
        Status::AtRisk
    } else {
        Status::Ok
    }
}

/// What a dependency at `target` status does to a service through `edge`.
fn through(edge: Edge, target: Status) -> Status {
    match (edge, target) {
        // A guest is down while its host is: `host` is one more `requires`.
        (Edge::Requires | Edge::Host, t) => t,
        (Edge::Wants, Status::Down | Status::Degraded) => Status::Degraded,
        _ => Status::Ok,
    }
}

/// The status rules applied once to `id` given the current statuses.
pub(super) fn evaluate(topo: &Topology, start: &[Status], status: &[Status], id: NodeId) -> Status {
    match topo.node(id) {
        Node::Group(g) => group_status(g, status),
        Node::Service(_) => from_targets(topo, status, id).max(start[id.index()]),
    }
}

/// The status a service's rules give from its targets alone (`requires`,
/// `wants`, `host`), ignoring its own change and `state`: what it stands on.
pub(super) fn from_targets(topo: &Topology, status: &[Status], id: NodeId) -> Status {
    match topo.node(id) {
        Node::Group(g) => group_status(g, status),
        Node::Service(s) => s
            .requires
            .iter()
            .map(|t| through(Edge::Requires, status[t.index()]))
            .chain(
                s.wants
                    .iter()
                    .map(|t| through(Edge::Wants, status[t.index()])),
            )
            .chain(s.host.map(|h| through(Edge::Host, status[h.index()])))
            .fold(Status::Ok, Status::max),
    }
}

/// Statuses of every node from the starting statuses `start`: the least
/// fixpoint of the rules.
///
/// Statuses only rise and every rule is monotone, so a worklist that
/// re-evaluates a node's dependents whenever it rises converges to the least
/// fixpoint, and a cycle with no cause in it never rises at all.
///
/// # Complexity
/// Each node rises at most three times, and each rise re-evaluates its
/// dependents: O((nodes + edges) · k) for groups of at most k members.
pub(super) fn fixpoint(topo: &Topology, start: &[Status]) -> Vec<Status> {
    let mut status = start.to_vec();
    // A node whose needs are all `ok` keeps its start (an all-ok group is
    // ok), so only dependents of a node that starts above `ok` can rise:
    // they seed the worklist, not the whole estate.
    let raised: Vec<NodeId> = topo
        .node_ids()
        .filter(|id| status[id.index()] != Status::Ok)
        .collect();
    rise(topo, start, &mut status, &raised);
    status
}

/// [`fixpoint`] for `start`, reached from `below`: the fixpoint of starting
/// statuses that are nowhere higher than `start` (the estate with fewer
/// changes, or none).
///
/// Starting statuses only rose, so the fixpoint sought is at or above
/// `below`, and `below` is at or below what the rules now give every node:
/// the worklist may start from it and re-evaluate only what the risen
/// starts reach. The TUI keeps the fixpoint with no change and pays for the
/// plan's reach alone on each keystroke.
///
/// # Complexity
/// O(n) to copy `below`, then O((reached nodes + their edges) · k).
pub(super) fn fixpoint_from(topo: &Topology, below: &[Status], start: &[Status]) -> Vec<Status> {
    let mut status = below.to_vec();
    let mut raised = Vec::new();
    for id in topo.node_ids() {
        let i = id.index();
        if start[i] > status[i] {
            status[i] = start[i];
            raised.push(id);
        }
    }
    rise(topo, start, &mut status, &raised);
    status
}

/// Runs the worklist from `status` to the least fixpoint of the rules.
///
/// `status` must be at or below that fixpoint, with every node at or below
/// what the rules give it, and every node the rules would raise must depend
/// on a node of `raised`: the nodes that rose since `status` was last a
/// fixpoint (or every node above `ok`, starting from scratch).
fn rise(topo: &Topology, start: &[Status], status: &mut [Status], raised: &[NodeId]) {
    let mut queued = vec![false; topo.node_count()];
    let mut queue: VecDeque<NodeId> = VecDeque::new();
    let push_dependents = |id: NodeId, queue: &mut VecDeque<NodeId>, queued: &mut [bool]| {
        for (d, _) in topo.dependents(id) {
            if !queued[d.index()] {
                queued[d.index()] = true;
                queue.push_back(d);
            }
        }
    };
    for &id in raised {
        push_dependents(id, &mut queue, &mut queued);
    }
    while let Some(id) = queue.pop_front() {
        queued[id.index()] = false;
        let s = evaluate(topo, start, status, id);
        if s > status[id.index()] {
            status[id.index()] = s;
            push_dependents(id, &mut queue, &mut queued);
        }
    }
}

/// Every node's status equals the rules applied to the others' statuses.
pub(super) fn is_fixpoint(topo: &Topology, start: &[Status], status: &[Status]) -> bool {
    topo.node_ids()
        .all(|id| evaluate(topo, start, status, id) == status[id.index()])
}

/// True when `target`'s final status explains `node`'s final status through
/// `edge` (a `requires`/`wants` edge of a service, or a membership of a
/// group).
fn explains(
    topo: &Topology,
    status: &[Status],
    up: &[usize],
    node: NodeId,
    edge: Edge,
    target: NodeId,
) -> bool {
    let s = status[node.index()];
    let t = status[target.index()];
    match edge {
        Edge::Requires | Edge::Wants | Edge::Host => s != Status::Ok && through(edge, t) == s,
        Edge::Member => {
            let Some(g) = topo.as_group(node) else {
                return false;
            };
            // Counted once per group by the caller: counting here, once per
            // member reached, made rebooting 60,000 members of a
            // 100,000-member group quadratic.
            let up = up[node.index() - topo.services().len()];
            match s {
                // Lost quorum: any down member is part of why. Only a manual
                // failover: the active member alone is why.
                Status::Down if up < g.min_up => t == Status::Down,
                Status::Down => g.members.first() == Some(&target) && t == Status::Down,
                Status::Degraded => t >= Status::Degraded,
                Status::AtRisk => t == Status::Down,
                Status::Ok => false,
            }
        }
    }
}

/// For each non-ok node, the next step of one shortest chain of explaining
/// edges back to a starting cause (a node whose own start explains its
/// final status). `None` for starting causes and `ok` nodes.
///
/// A change implied by a host (`via` is `Some`) is not a starting cause of
/// its own: its chain runs through its host to the change the plan names
/// (`vm-db <- hv-01 [reboot]`). Its host is changed too, so down, and the
/// `host` edge explains it.
///
/// A multi-source breadth-first search from the starting causes along
/// explaining edges, walked backwards. Every non-ok status of the least
/// fixpoint has a well-founded derivation made of such edges, so every
/// non-ok node is reached.
///
/// # Complexity
/// O(nodes + edges · k).
pub(super) fn cause_steps(
    topo: &Topology,
    start: &[Status],
    action: &[Option<Action>],
    via: Option<&[Option<NodeId>]>,
    hit: &[bool],
    status: &[Status],
) -> (Vec<Option<NodeId>>, Vec<u32>) {
    let n = topo.node_count();
    // `via` is `None` when no host's change reached a guest: then the
    // search need not read it (eight bytes a node, read at random on every
    // step of the search, on every key of the TUI).
    let via = |d: usize| via.and_then(|v| v[d]);
    let mut next = vec![None; n];
    // Steps from each node to the end of its chain: the search's layer.
    let mut depth = vec![0u32; n];
    let mut seen = vec![false; n];
    let up: Vec<usize> = topo.groups().iter().map(|g| counts(g, status).0).collect();
    let is_seed = |id: NodeId| {
        let s = status[id.index()];
        s != Status::Ok && start[id.index()] == s && via(id.index()).is_none()
    };
    // First the plan's own: from the changes it names, through what it
    // changes or makes worse. A node the plan made worse is explained by
    // the change, even where a standing condition gives a shorter chain:
    // the change is what the operator can act on (the case:
    // rebooting a Kafka node while another broker is `state = degraded`
    // reads `kafka <- kafka-0 <- node-a2 [reboot]`).
    let mut first: Vec<NodeId> = Vec::new();
    for id in topo.node_ids() {
        if action[id.index()].is_some() && is_seed(id) {
            seen[id.index()] = true;
            first.push(id);
        }
    }
    let mut i = 0;
    while i < first.len() {
        let t = first[i];
        i += 1;
        for (d, edge) in topo.dependents(t) {
            let di = d.index();
            // An implied change steps to its host, and only there.
            // Only a node that is not ok is explained: its status, a small
            // array, is read before `via`, a large one.
            if !seen[di]
                && status[di] != Status::Ok
                && (hit[di] || action[di].is_some())
                && via(di).is_none_or(|h| h == t && edge == Edge::Host)
                && explains(topo, status, &up, d, edge, t)
            {
                seen[di] = true;
                next[di] = Some(t);
                depth[di] = depth[t.index()] + 1;
                first.push(d);
            }
        }
    }
    // Then every other non-ok node: the shortest chain to any starting
    // cause, through the chains above too. `first` is in order of depth,
    // as is the queue of this search: merging the two visits every node in
    // order of depth, the plan's first on a tie.
    let mut queue = VecDeque::new();
    for id in topo.node_ids() {
        if !seen[id.index()] && is_seed(id) {
            seen[id.index()] = true;
            queue.push_back(id);
        }
    }
    let mut f = 0;
    loop {
        let t = match (first.get(f), queue.front()) {
            (Some(&a), Some(&b)) if depth[a.index()] <= depth[b.index()] => {
                f += 1;
                a
            }
            (_, Some(_)) => queue.pop_front().expect("a front"),
            (Some(&a), None) => {
                f += 1;
                a
            }
            (None, None) => break,
        };
        for (d, edge) in topo.dependents(t) {
            // An implied change steps to its host, and only there.
            if !seen[d.index()]
                && status[d.index()] != Status::Ok
                && via(d.index()).is_none_or(|h| h == t && edge == Edge::Host)
                && explains(topo, status, &up, d, edge, t)
            {
                seen[d.index()] = true;
                next[d.index()] = Some(t);
                depth[d.index()] = depth[t.index()] + 1;
                queue.push_back(d);
            }
        }
    }
    debug_assert!(
        topo.node_ids()
            .all(|id| status[id.index()] == Status::Ok || seen[id.index()]),
        "every non-ok node has a cause chain"
    );
    (next, depth)
}

//! The blast-radius drawing: starting causes at the top, everything they
//! take with them below, one layer per step of the cause chain, boxes joined
//! by lines. The forest is found once per assessment (in `update`); it is
//! fitted to the pane's room when that changes, and drawn many times.
//!
//! Each non-ok node has exactly one next step in its shortest cause chain,
//! so the causes form a forest; a tidy-tree layout places children under
//! their parent ([`place`]). A starting cause that is on no other node's
//! chain but weighs on a group that is not ok (the seed's `lb-secondary`,
//! down before the change, under `edge-lb`) is drawn beside that group's
//! box and joined to it by a dashed arrow: otherwise the main cause of the
//! seed outage would float unconnected in the picture.

mod place;
#[cfg(test)]
mod tests;

use crate::analysis::{Assessment, Status};
use crate::report::origin_tag;
use crate::topology::{Node, NodeId, Topology};
use std::collections::HashMap;

/// Rows per layer: a 3-row box and 2 rows of connector.
pub const LAYER: usize = 5;
/// Columns between a box and the starting cause drawn beside it (`←┄┄`).
pub const LINK: usize = 3;
/// Beyond this many boxes the drawing says how many it left out: a picture
/// of thousands of boxes helps nobody, and the impact pane lists them all.
pub const MAX_NODES: usize = 300;

/// The room the drawing has: the graph pane's inner size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Room {
    pub width: usize,
    pub height: usize,
}

impl Room {
    /// No limit: one row of trees side by side, labels whole.
    pub const UNBOUNDED: Room = Room {
        width: usize::MAX,
        height: usize::MAX,
    };
}

impl Default for Room {
    fn default() -> Room {
        Room::UNBOUNDED
    }
}

/// How the labels were written to fit the room.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Labels {
    /// `AT-RISK app-us-1`: whole status words, ids up to 24 characters.
    #[default]
    Full,
    /// `RISK app-us-1`: the list's four-letter status words.
    Short,
    /// Short status words and labels cut to this many characters: a tree
    /// was wider than the pane even so.
    Cut(usize),
}

/// One box.
#[derive(Debug, Clone, PartialEq)]
pub struct GBox {
    pub node: NodeId,
    pub x: usize,
    /// Row of the box's top border.
    pub y: usize,
    /// Steps from the tree's starting cause (a box drawn beside another
    /// has that box's depth).
    pub depth: usize,
    pub width: usize,
    pub label: String,
    /// `[reboot]`, `[state: down]`... for starting causes, with the groups
    /// it weighs on that no line joins it to (`→ edge-lb`).
    pub tag: Option<String>,
    pub status: Status,
    /// Index of the parent box (the next step towards the cause).
    pub parent: Option<usize>,
    /// Index of the box this starting cause weighs on and is drawn beside,
    /// joined by an arrow (its group, not ok).
    pub joins: Option<usize>,
}

impl GBox {
    /// Column of the box's centre.
    pub fn center(&self) -> usize {
        self.x + self.width / 2
    }
}

/// One node of the forest, before it is placed.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    node: NodeId,
    depth: usize,
    parent: Option<usize>,
    joins: Option<usize>,
    status: Status,
    /// The id, or a group's `id up/members`, made inert.
    name: String,
    /// The starting cause's tag (`[state: down]`) and the groups it weighs
    /// on that no line joins it to.
    origin: Option<(String, Vec<String>)>,
}

/// The forest of one assessment, in drawing order (breadth-first from the
/// causes; a box drawn beside another right after it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Forest {
    items: Vec<Item>,
    /// Non-ok nodes not drawn because of [`MAX_NODES`].
    omitted: usize,
    ascii: bool,
}

/// The whole drawing, fitted to a room.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub boxes: Vec<GBox>,
    pub width: usize,
    pub height: usize,
    /// Non-ok nodes not drawn because of [`MAX_NODES`].
    pub omitted: usize,
    pub labels: Labels,
    /// The room it was fitted to.
    pub room: Room,
    forest: Forest,
}

impl Layout {
    /// Fits the same forest to another room; false when the room is the
    /// same (nothing to do).
    ///
    /// # Complexity
    /// O(drawn boxes) per way of writing the labels tried (a handful).
    pub fn refit(&mut self, room: Room) -> bool {
        if room == self.room && !self.boxes.is_empty() {
            return false;
        }
        let forest = std::mem::take(&mut self.forest);
        *self = place::fit(forest, room);
        true
    }

    /// The box of a node, if it is drawn.
    pub fn find(&self, node: NodeId) -> Option<&GBox> {
        self.boxes.iter().find(|b| b.node == node)
    }
}

/// Lays out the blast radius of an assessment in a room.
///
/// # Complexity
/// O(nodes) to find the forest, O(drawn boxes) to place it.
pub fn layout(topo: &Topology, a: &Assessment, ascii: bool, room: Room) -> Layout {
    place::fit(forest(topo, a, ascii), room)
}

/// Finds the forest of an assessment.
///
/// # Complexity
/// O(nodes) for one pass over the statuses, then O(k log k) for the k nodes
/// not ok, and the group memberships of the starting causes: nothing of the
/// size of the estate is allocated (at a million services, a vector per
/// node was most of a keystroke).
fn forest(topo: &Topology, a: &Assessment, ascii: bool) -> Forest {
    // (parent, child) for every node not ok below another: sorted by
    // parent, so a node's children are one run.
    let mut edges: Vec<(NodeId, NodeId)> = Vec::new();
    let mut roots = Vec::new();
    let mut total = 0;
    for id in topo.node_ids() {
        if a.status(id) == Status::Ok && a.action(id).is_none() {
            continue;
        }
        total += 1;
        match a.next_step(id) {
            Some(parent) => edges.push((parent, id)),
            None => roots.push(id),
        }
    }
    edges.sort_unstable();
    let children = |p: NodeId| -> &[(NodeId, NodeId)] {
        let from = edges.partition_point(|&(q, _)| q < p);
        let to = edges.partition_point(|&(q, _)| q <= p);
        &edges[from..to]
    };
    let has_child = |p: NodeId, c: NodeId| children(p).iter().any(|&(_, x)| x == c);
    // The groups a starting cause weighs on: both not ok.
    let weighs_on = |id: NodeId| -> Vec<NodeId> {
        if a.status(id) == Status::Ok {
            return Vec::new();
        }
        topo.groups_of(id)
            .iter()
            .copied()
            .filter(|&g| a.status(g) != Status::Ok)
            .collect()
    };
    // A starting cause with nothing on its chain goes beside the first
    // group it weighs on that has no such neighbour yet.
    let mut beside: HashMap<NodeId, NodeId> = HashMap::new();
    let mut joined: HashMap<NodeId, NodeId> = HashMap::new();
    for &r in &roots {
        if !children(r).is_empty() {
            continue;
        }
        if let Some(g) = weighs_on(r).into_iter().find(|g| !beside.contains_key(g)) {
            beside.insert(g, r);
            joined.insert(r, g);
        }
    }
    // Breadth-first, so a cap keeps the layers nearest the causes.
    let mut order: Vec<(NodeId, usize, Option<usize>, Option<usize>)> = Vec::new();
    let mut queue: std::collections::VecDeque<(NodeId, usize, Option<usize>)> = roots
        .iter()
        .filter(|r| !joined.contains_key(r))
        .map(|&r| (r, 0, None))
        .collect();
    while let Some((id, depth, parent)) = queue.pop_front() {
        if order.len() >= MAX_NODES {
            break;
        }
        let me = order.len();
        order.push((id, depth, parent, None));
        if let Some(&r) = beside.get(&id)
            && order.len() < MAX_NODES
        {
            order.push((r, depth, None, Some(me)));
        }
        for &(_, c) in children(id) {
            queue.push_back((c, depth + 1, Some(me)));
        }
    }
    let items = order
        .iter()
        .map(|&(id, depth, parent, joins)| {
            let name = match topo.node(id) {
                Node::Service(s) => s.id.clone(),
                Node::Group(g) => format!("{} {}/{}", g.id, a.up(topo, id), g.members.len()),
            };
            // Only a starting cause carries a tag; it names the groups it
            // weighs on that no line in the drawing joins it to.
            let origin = if parent.is_none() {
                a.origin(topo, id).map(|o| {
                    let unjoined = weighs_on(id)
                        .into_iter()
                        .filter(|g| joined.get(&id) != Some(g))
                        .filter(|&g| !has_child(id, g))
                        .map(|g| crate::text::inert(topo.id(g)).into_owned())
                        .collect();
                    (origin_tag(o), unjoined)
                })
            } else {
                None
            };
            Item {
                node: id,
                depth,
                parent,
                joins,
                status: a.status(id),
                name: crate::text::inert(&name).into_owned(),
                origin,
            }
        })
        .collect::<Vec<_>>();
    Forest {
        omitted: total - items.len(),
        items,
        ascii,
    }
}

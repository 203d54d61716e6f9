//! The blast-radius drawing: starting causes at the top, everything they
//! take with them below, one layer per step of the cause chain, boxes joined
//! by lines. Laid out once per assessment (in `update`), drawn many times.
//!
//! Each non-ok node has exactly one next step in its shortest cause chain,
//! so the causes form a forest; a tidy-tree layout places children under
//! their parent.

use crate::analysis::{Assessment, Status};
use crate::report::origin_tag;
use crate::text::truncate;
use crate::topology::{Node, NodeId, Topology};

/// Rows per layer: a 3-row box and 2 rows of connector.
pub const LAYER: usize = 5;
const GAP: usize = 2;
const MAX_LABEL: usize = 24;
/// Beyond this many boxes the drawing says how many it left out: a picture
/// of thousands of boxes helps nobody, and the impact pane lists them all.
pub const MAX_NODES: usize = 300;

/// One box.
#[derive(Debug, Clone, PartialEq)]
pub struct GBox {
    pub node: NodeId,
    pub x: usize,
    pub depth: usize,
    pub width: usize,
    pub label: String,
    /// `[reboot]`, `[state: down]`... for starting causes.
    pub tag: Option<String>,
    pub status: Status,
    /// Index of the parent box (the next step towards the cause).
    pub parent: Option<usize>,
}

impl GBox {
    /// Column of the box's centre.
    pub fn center(&self) -> usize {
        self.x + self.width / 2
    }
}

/// The whole drawing.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub boxes: Vec<GBox>,
    pub width: usize,
    pub height: usize,
    /// Non-ok nodes not drawn because of [`MAX_NODES`].
    pub omitted: usize,
}

/// Lays out the blast radius of an assessment.
///
/// # Complexity
/// O(nodes) to find the forest, O(drawn boxes) to place them.
pub fn layout(topo: &Topology, a: &Assessment, ascii: bool) -> Layout {
    let ellipsis = if ascii { "..." } else { "…" };
    let n = topo.node_count();
    let mut children: Vec<Vec<NodeId>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    let mut total = 0;
    for id in topo.node_ids() {
        if a.status(id) == Status::Ok && a.action(id).is_none() {
            continue;
        }
        total += 1;
        let chain = a.chain(id);
        match chain.get(1) {
            Some(&parent) => children[parent.index()].push(id),
            None => roots.push(id),
        }
    }
    // Breadth-first, so a cap keeps the layers nearest the causes.
    let mut order: Vec<(NodeId, usize, Option<usize>)> = Vec::new();
    let mut queue: std::collections::VecDeque<(NodeId, usize, Option<usize>)> =
        roots.iter().map(|&r| (r, 0, None)).collect();
    while let Some((id, depth, parent)) = queue.pop_front() {
        if order.len() >= MAX_NODES {
            break;
        }
        let me = order.len();
        order.push((id, depth, parent));
        for &c in &children[id.index()] {
            queue.push_back((c, depth + 1, Some(me)));
        }
    }
    let mut boxes: Vec<GBox> = order
        .iter()
        .map(|&(id, depth, parent)| {
            let st = a.status(id);
            let name = match topo.node(id) {
                Node::Service(s) => s.id.clone(),
                Node::Group(g) => format!("{} {}/{}", g.id, a.up(topo, id), g.members.len()),
            };
            let label = truncate(
                &crate::text::inert(&format!("{} {}", st.as_str().to_uppercase(), name)),
                MAX_LABEL,
                ellipsis,
            );
            let tag = if parent.is_none() {
                a.origin(topo, id).map(|o| {
                    // A standing cause that is not on another node's chain
                    // still weighs on the groups it belongs to (the seed's
                    // lb-secondary under edge-lb): named beside its tag,
                    // so the picture shows what it affects.
                    let feeds: Vec<&str> = topo
                        .groups_of(id)
                        .iter()
                        .copied()
                        .filter(|&g| a.status(g) != Status::Ok && a.status(id) != Status::Ok)
                        .map(|g| topo.id(g))
                        .collect();
                    if feeds.is_empty() {
                        origin_tag(o)
                    } else {
                        format!(
                            "{} {} {}",
                            origin_tag(o),
                            if ascii { "->" } else { "→" },
                            feeds.join(", ")
                        )
                    }
                })
            } else {
                None
            };
            let width = label
                .chars()
                .count()
                .max(tag.as_ref().map_or(0, |t| t.chars().count()))
                + 2;
            GBox {
                node: id,
                x: 0,
                depth,
                width,
                label,
                tag,
                status: st,
                parent,
            }
        })
        .collect();
    // Subtree widths, bottom-up (children always come after their parent).
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); boxes.len()];
    for (i, b) in boxes.iter().enumerate() {
        if let Some(p) = b.parent {
            kids[p].push(i);
        }
    }
    let mut span = vec![0usize; boxes.len()];
    for i in (0..boxes.len()).rev() {
        let below: usize = kids[i].iter().map(|&k| span[k]).sum();
        span[i] = (boxes[i].width + GAP).max(below);
    }
    // Place top-down.
    let mut x0 = vec![0usize; boxes.len()];
    let mut next_root = 0;
    for i in 0..boxes.len() {
        if boxes[i].parent.is_none() {
            x0[i] = next_root;
            next_root += span[i];
        }
        let below: usize = kids[i].iter().map(|&k| span[k]).sum();
        let mut cx = x0[i] + (span[i] - below) / 2;
        for &k in &kids[i] {
            x0[k] = cx;
            cx += span[k];
        }
        boxes[i].x = x0[i] + (span[i] - boxes[i].width - GAP) / 2;
    }
    let depth = boxes.iter().map(|b| b.depth + 1).max().unwrap_or(0);
    Layout {
        width: next_root,
        height: depth * LAYER,
        omitted: total - boxes.len(),
        boxes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Action;

    #[test]
    fn a_standing_cause_names_the_group_it_weighs_on() {
        let t = crate::topology::load("web-stack.toml", crate::DEMO_TOPOLOGY).unwrap();
        let a = crate::analysis::assess(
            &t,
            &[(t.lookup("lb-primary").unwrap(), Action::Reboot)],
            crate::topology::Date::parse("2023-06-08").unwrap(),
        );
        let l = layout(&t, &a, false);
        let b = l
            .boxes
            .iter()
            .find(|b| t.id(b.node) == "lb-secondary")
            .unwrap();
        assert_eq!(b.tag.as_deref(), Some("[state: down] → edge-lb"));
    }

    #[test]
    fn causes_on_top_children_under_their_parent() {
        let t = crate::topology::load(
            "t",
            "[topology]\nname = \"t\"\n[services.root]\n[services.a]\nrequires = [\"root\"]\n[services.b]\nrequires = [\"root\"]\n[services.c]\nrequires = [\"a\"]\n",
        )
        .unwrap();
        let a = crate::analysis::assess(
            &t,
            &[(t.lookup("root").unwrap(), Action::Reboot)],
            crate::topology::Date::parse("2023-01-01").unwrap(),
        );
        let l = layout(&t, &a, false);
        assert_eq!(l.boxes.len(), 4);
        let get = |id: &str| l.boxes.iter().find(|b| t.id(b.node) == id).unwrap();
        assert_eq!(get("root").depth, 0);
        assert_eq!(get("root").tag.as_deref(), Some("[reboot]"));
        assert_eq!((get("a").depth, get("b").depth, get("c").depth), (1, 1, 2));
        // Siblings do not overlap; the parent is centred over them.
        let (a_, b_) = (get("a"), get("b"));
        assert!(a_.x + a_.width <= b_.x || b_.x + b_.width <= a_.x);
        let root = get("root");
        assert!(
            root.center() >= a_.x.min(b_.x)
                && root.center() <= (a_.x + a_.width).max(b_.x + b_.width)
        );
        assert_eq!(l.height, 3 * LAYER);
        assert_eq!(l.omitted, 0);
    }
}

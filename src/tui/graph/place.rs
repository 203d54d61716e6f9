//! Placing the forest in the pane's room: labels written as the room
//! allows, trees side by side while they fit and then on a new row below
//! (a shared screen has more rows free than it has columns), each tree
//! tidy (a parent centred over its children).

use super::{Forest, GBox, LAYER, LINK, Labels, Layout, Room};
use crate::analysis::Status;
use crate::text::truncate;

/// Columns between sibling subtrees and between trees.
const GAP: usize = 2;
/// The longest label; longer ids are cut with an ellipsis.
const MAX_LABEL: usize = 24;
/// The shortest a label is cut to when a tree is wider than the pane even
/// with short status words: below this ids stop being told apart.
const MIN_LABEL: usize = 12;

/// Places `forest` in `room`, writing the labels the most readable way
/// that needs no sideways scroll: whole words and ids while the drawing
/// fits; then short status words if that makes it fit the height too;
/// labels are cut only when one tree is wider than the pane.
///
/// # Complexity
/// O(boxes) per way of writing the labels tried: at most
/// `MAX_LABEL - MIN_LABEL + 2` of them.
pub(super) fn fit(forest: Forest, room: Room) -> Layout {
    let fits_width = |l: &Layout| l.width <= room.width;
    let fits = |l: &Layout| fits_width(l) && l.height <= room.height;
    let full = place(&forest, Labels::Full, room.width);
    let chosen = if fits(&full) {
        full
    } else {
        let short = place(&forest, Labels::Short, room.width);
        if fits(&short) || (fits_width(&short) && !fits_width(&full)) {
            short
        } else if fits_width(&full) {
            full
        } else {
            (MIN_LABEL..MAX_LABEL)
                .rev()
                .map(|n| place(&forest, Labels::Cut(n), room.width))
                .find(fits_width)
                .unwrap_or_else(|| place(&forest, Labels::Cut(MIN_LABEL), room.width))
        }
    };
    Layout {
        room,
        forest,
        ..chosen
    }
}

fn status_word(s: Status, labels: Labels) -> &'static str {
    match (labels, s) {
        (Labels::Full, _) => s.as_str(),
        (_, Status::Down) => "DOWN",
        (_, Status::Degraded) => "DEGR",
        (_, Status::AtRisk) => "RISK",
        (_, Status::Ok) => "ok",
    }
}

/// The boxes of `forest` with labels written as `labels` says, trees
/// packed in rows of at most `width` columns (a tree wider than that has a
/// row of its own).
fn place(forest: &Forest, labels: Labels, width: usize) -> Layout {
    let ellipsis = if forest.ascii { "..." } else { "…" };
    let limit = match labels {
        Labels::Cut(n) => n,
        _ => MAX_LABEL,
    };
    let mut boxes: Vec<GBox> = forest
        .items
        .iter()
        .map(|it| {
            let word = status_word(it.status, labels);
            let word = if labels == Labels::Full {
                word.to_uppercase()
            } else {
                word.to_string()
            };
            let label = truncate(&format!("{word} {}", it.name), limit, ellipsis);
            let tag = it.origin.as_ref().map(|(tag, unjoined)| {
                let arrow = if forest.ascii { "->" } else { "→" };
                let tag = if unjoined.is_empty() {
                    tag.clone()
                } else {
                    format!("{tag} {arrow} {}", unjoined.join(", "))
                };
                // The tag never makes a box wider than a label may be.
                truncate(&tag, limit.max(label.chars().count()), ellipsis)
            });
            let w = label
                .chars()
                .count()
                .max(tag.as_ref().map_or(0, |t| t.chars().count()))
                + 2;
            GBox {
                node: it.node,
                x: 0,
                y: 0,
                depth: it.depth,
                width: w,
                label,
                tag,
                status: it.status,
                parent: it.parent,
                joins: it.joins,
            }
        })
        .collect();
    let n = boxes.len();
    // Children, and the box drawn beside each (a parent always comes
    // before its children, a box before the one beside it).
    let mut kids: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut beside: Vec<Option<usize>> = vec![None; n];
    for (i, b) in boxes.iter().enumerate() {
        if let Some(p) = b.parent {
            kids[p].push(i);
        }
        if let Some(g) = b.joins {
            beside[g] = Some(i);
        }
    }
    // A box and the one beside it take room together.
    let unit: Vec<usize> = (0..n)
        .map(|i| boxes[i].width + beside[i].map_or(0, |s| LINK + boxes[s].width))
        .collect();
    // Subtree widths and depths, bottom-up.
    let mut span = vec![0usize; n];
    let mut layers = vec![1usize; n];
    for i in (0..n).rev() {
        let below: usize = kids[i].iter().map(|&k| span[k]).sum();
        span[i] = (unit[i] + GAP).max(below);
        layers[i] = 1 + kids[i].iter().map(|&k| layers[k]).max().unwrap_or(0);
    }
    let trees: Vec<usize> = (0..n)
        .filter(|&i| boxes[i].parent.is_none() && boxes[i].joins.is_none())
        .collect();
    let (x0_roots, top_roots) = pack(
        &trees
            .iter()
            .map(|&r| (span[r], layers[r] * LAYER))
            .collect::<Vec<_>>(),
        width,
    );
    let mut x0 = vec![0usize; n];
    let mut top = vec![0usize; n];
    for (k, &r) in trees.iter().enumerate() {
        x0[r] = x0_roots[k];
        top[r] = top_roots[k];
    }
    // Subtrees side by side, centred in their parent's span; under the
    // parent's own box when another box stands beside it.
    for i in 0..n {
        let below: usize = kids[i].iter().map(|&k| span[k]).sum();
        let under = match beside[i] {
            Some(_) => (boxes[i].width + GAP).saturating_sub(below) / 2,
            None => (span[i] - below) / 2,
        };
        let mut cx = x0[i] + under.min(span[i] - below);
        for &k in &kids[i] {
            x0[k] = cx;
            top[k] = top[i];
            cx += span[k];
        }
    }
    // Boxes bottom-up: a parent centred over its first and last child, so
    // a lone child hangs straight below it, kept inside its own span.
    for i in (0..n).rev() {
        if boxes[i].joins.is_some() {
            continue;
        }
        let lo = x0[i];
        let hi = x0[i] + span[i] - GAP - unit[i];
        let x = match (kids[i].first(), kids[i].last()) {
            (Some(&f), Some(&l)) => {
                let mid = (boxes[f].center() + boxes[l].center()) / 2;
                mid.saturating_sub(boxes[i].width / 2)
            }
            _ => lo + (hi - lo) / 2,
        };
        boxes[i].x = x.clamp(lo, hi);
        boxes[i].y = top[i] + boxes[i].depth * LAYER;
    }
    for g in 0..n {
        if let Some(s) = beside[g] {
            boxes[s].x = boxes[g].x + boxes[g].width + LINK;
            boxes[s].y = boxes[g].y;
        }
    }
    Layout {
        width: boxes.iter().map(|b| b.x + b.width).max().unwrap_or(0),
        height: boxes.iter().map(|b| b.y + 3).max().unwrap_or(0),
        omitted: forest.omitted,
        labels,
        room: Room::UNBOUNDED,
        forest: Forest::default(),
        boxes,
    }
}

/// Where each tree goes, given its span (its width and the gap after it)
/// and its height: side by side when they all fit `width`; else each at
/// the highest place where it fits, leftmost first (a skyline), so that a
/// short tree slips under a neighbour's row rather than starting a new
/// one. A tree wider than `width` starts at the left edge.
///
/// # Complexity
/// O(trees x (trees + widest tree)): at most [`super::MAX_NODES`] trees.
pub(super) fn pack(trees: &[(usize, usize)], width: usize) -> (Vec<usize>, Vec<usize>) {
    let total: usize = trees.iter().map(|&(s, _)| s).sum();
    if total.saturating_sub(GAP) <= width {
        let mut x = 0;
        let xs = trees
            .iter()
            .map(|&(s, _)| {
                x += s;
                x - s
            })
            .collect();
        return (xs, vec![0; trees.len()]);
    }
    let cols = trees
        .iter()
        .map(|&(s, _)| s - GAP)
        .max()
        .unwrap_or(0)
        .max(width);
    // The first free row of each column.
    let mut sky = vec![0usize; cols];
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for &(span, height) in trees {
        let drawn = span - GAP;
        // The tree and the gap after it (unless at the pane's edge) must
        // be free: no tree closer to another than side by side.
        let top = |x: usize| {
            sky[x..(x + span).min(cols)]
                .iter()
                .copied()
                .max()
                .unwrap_or(0)
        };
        let (y, x) = (0..=cols - drawn)
            .filter(|&x| x == 0 || sky[x] != sky[x - 1])
            .map(|x| (top(x), x))
            .min()
            .unwrap_or((top(0), 0));
        for c in &mut sky[x..(x + span).min(cols)] {
            *c = y + height;
        }
        xs.push(x);
        ys.push(y);
    }
    (xs, ys)
}

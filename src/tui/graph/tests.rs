use super::*;
use crate::plan::Action;

fn demo(changes: &[(&str, Action)]) -> (Topology, Assessment) {
    let t = crate::topology::load("web-stack.toml", crate::DEMO_TOPOLOGY).unwrap();
    let changes: Vec<_> = changes
        .iter()
        .map(|&(id, a)| (t.lookup(id).unwrap(), a))
        .collect();
    let a = crate::analysis::assess(
        &t,
        &changes,
        crate::topology::Date::parse("2023-06-08").unwrap(),
    );
    (t, a)
}

fn seed() -> (Topology, Assessment) {
    demo(&[
        ("lb-primary", Action::Reboot),
        ("cache-primary", Action::Reboot),
        ("db-primary", Action::Update),
    ])
}

fn get<'a>(t: &Topology, l: &'a Layout, id: &str) -> &'a GBox {
    l.find(t.lookup(id).unwrap())
        .unwrap_or_else(|| panic!("{id} drawn"))
}

/// No two boxes (a box and the arrow into the one beside it) share a cell.
fn assert_apart(l: &Layout) {
    for (i, a) in l.boxes.iter().enumerate() {
        for b in &l.boxes[i + 1..] {
            let rows = a.y < b.y + 3 && b.y < a.y + 3;
            let cols = a.x < b.x + b.width && b.x < a.x + a.width;
            assert!(!(rows && cols), "{a:?} overlaps {b:?}");
        }
    }
}

#[test]
fn a_standing_cause_is_drawn_beside_the_group_it_weighs_on_and_joined_to_it() {
    let (t, a) = demo(&[("lb-primary", Action::Reboot)]);
    let l = layout(&t, &a, false, Room::UNBOUNDED);
    let lb2 = get(&t, &l, "lb-secondary");
    let edge = get(&t, &l, "edge-lb");
    let joined = &l.boxes[lb2.joins.expect("lb-secondary joins a box")];
    assert_eq!(t.id(joined.node), "edge-lb");
    // Beside it, on its row, an arrow's room apart; the line shows what
    // it weighs on, so the tag no longer has to name it.
    assert_eq!((lb2.y, lb2.depth), (edge.y, edge.depth));
    assert_eq!(lb2.x, edge.x + edge.width + LINK);
    assert_eq!(lb2.tag.as_deref(), Some("[state: down]"));
    assert!(lb2.parent.is_none(), "a starting cause: nothing above it");
    assert_apart(&l);
}

#[test]
fn a_tag_names_only_the_groups_no_line_joins() {
    let (t, a) = seed();
    let l = layout(&t, &a, false, Room::UNBOUNDED);
    // cache is cache-primary's child: a line joins them already.
    assert_eq!(
        get(&t, &l, "cache-primary").tag.as_deref(),
        Some("[reboot]")
    );
    assert_eq!(
        get(&t, &l, "lb-secondary").tag.as_deref(),
        Some("[state: down]")
    );
}

#[test]
fn trees_go_below_each_other_when_they_do_not_fit_side_by_side() {
    let (t, a) = seed();
    let wide = layout(&t, &a, false, Room::UNBOUNDED);
    let roots = |l: &Layout| -> Vec<(usize, usize)> {
        l.boxes
            .iter()
            .filter(|b| b.parent.is_none() && b.joins.is_none())
            .map(|b| (b.x, b.y))
            .collect()
    };
    assert_eq!(roots(&wide).len(), 3);
    assert!(roots(&wide).iter().all(|&(_, y)| y == 0), "one row");
    // The dashboard's third column at 200x50.
    let room = Room {
        width: 52,
        height: 34,
    };
    let l = layout(&t, &a, false, room);
    assert!(l.width <= room.width, "no sideways scroll: {}", l.width);
    assert!(wide.width > room.width);
    let ys: Vec<usize> = roots(&l).iter().map(|&(_, y)| y).collect();
    assert!(ys.windows(2).all(|w| w[0] < w[1]), "rows below: {ys:?}");
    assert_eq!(
        l.labels,
        Labels::Full,
        "ids whole when only rows are needed"
    );
    assert_apart(&l);
}

#[test]
fn labels_are_cut_only_when_a_tree_is_wider_than_the_pane() {
    let (t, a) = seed();
    let l = layout(
        &t,
        &a,
        false,
        Room {
            width: 34,
            height: 100,
        },
    );
    assert!(matches!(l.labels, Labels::Cut(_)), "{:?}", l.labels);
    assert!(l.width <= 34, "{}", l.width);
    assert_apart(&l);
    // Room for one tree at a time: whole labels, below each other.
    let l = layout(
        &t,
        &a,
        false,
        Room {
            width: 48,
            height: 12,
        },
    );
    assert_eq!(l.labels, Labels::Full);
    assert!(l.width <= 48);
}

#[test]
fn a_lone_child_hangs_straight_below_its_parent() {
    let (t, a) = seed();
    let l = layout(&t, &a, false, Room::UNBOUNDED);
    for (p, c) in [("db-primary", "db"), ("lb-primary", "edge-lb")] {
        assert_eq!(get(&t, &l, p).center(), get(&t, &l, c).center(), "{p}");
    }
}

#[test]
fn refit_keeps_the_forest() {
    let (t, a) = seed();
    let mut l = layout(&t, &a, false, Room::UNBOUNDED);
    let n = l.boxes.len();
    let room = Room {
        width: 52,
        height: 34,
    };
    assert!(l.refit(room));
    assert!(!l.refit(room), "same room: nothing to do");
    assert_eq!(l.boxes.len(), n);
    assert_eq!(l, layout(&t, &a, false, room));
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
    let l = layout(&t, &a, false, Room::UNBOUNDED);
    assert_eq!(l.boxes.len(), 4);
    let get = |id: &str| get(&t, &l, id);
    assert_eq!(get("root").depth, 0);
    assert_eq!(get("root").tag.as_deref(), Some("[reboot]"));
    assert_eq!((get("a").depth, get("b").depth, get("c").depth), (1, 1, 2));
    assert_eq!((get("a").y, get("c").y), (LAYER, 2 * LAYER));
    // Siblings do not overlap; the parent is centred over them.
    let (a_, b_) = (get("a"), get("b"));
    assert!(a_.x + a_.width <= b_.x || b_.x + b_.width <= a_.x);
    let root = get("root");
    assert!(
        root.center() >= a_.x.min(b_.x) && root.center() <= (a_.x + a_.width).max(b_.x + b_.width)
    );
    assert_eq!(l.height, 2 * LAYER + 3);
    assert_eq!(l.omitted, 0);
}

#[test]
fn a_box_with_a_cause_beside_it_keeps_its_child_straight_below() {
    let (t, a) = seed();
    let l = layout(&t, &a, false, Room::UNBOUNDED);
    assert_eq!(
        get(&t, &l, "edge-lb").center(),
        get(&t, &l, "site-eu").center()
    );
}

#[test]
fn packed_trees_never_touch() {
    // Trees of mixed heights and widths, packed at many widths: no two
    // boxes overlap, and boxes of different trees keep two columns apart.
    let mut t = String::from("[topology]\nname = \"t\"\n");
    for r in 0..9 {
        t.push_str(&format!("[services.r{r}]\n"));
        for k in 0..(r % 4) {
            t.push_str(&format!(
                "[services.r{r}-child-{k}]\nrequires = [\"r{r}\"]\n"
            ));
            for d in 0..(r % 3) {
                let up = if d == 0 {
                    format!("r{r}-child-{k}")
                } else {
                    format!("r{r}-c{k}-d{}", d - 1)
                };
                t.push_str(&format!(
                    "[services.r{r}-c{k}-d{d}]\nrequires = [\"{up}\"]\n"
                ));
            }
        }
    }
    let t = crate::topology::load("t", &t).unwrap();
    let changes: Vec<_> = (0..9)
        .map(|r| (t.lookup(&format!("r{r}")).unwrap(), Action::Reboot))
        .collect();
    let a = crate::analysis::assess(
        &t,
        &changes,
        crate::topology::Date::parse("2023-01-01").unwrap(),
    );
    for width in 16..=160 {
        let l = layout(&t, &a, false, Room { width, height: 30 });
        assert_apart(&l);
        let root_of = |mut i: usize| {
            while let Some(p) = l.boxes[i].parent {
                i = p;
            }
            i
        };
        for (i, a_) in l.boxes.iter().enumerate() {
            for (j, b) in l.boxes.iter().enumerate().skip(i + 1) {
                if root_of(i) == root_of(j) {
                    continue;
                }
                let rows = a_.y < b.y + 5 && b.y < a_.y + 5;
                let near = a_.x < b.x + b.width + 2 && b.x < a_.x + a_.width + 2;
                assert!(!(rows && near), "width {width}: {a_:?} next to {b:?}");
            }
        }
    }
}

#[test]
fn a_packed_tree_keeps_its_gap_from_a_taller_neighbour() {
    // (span, height): the fourth tree fits under the first only by
    // touching the second (one blank column): it goes lower instead.
    let trees = [(22, 10), (22, 20), (18, 5), (23, 5)];
    let (xs, ys) = super::place::pack(&trees, 60);
    assert_eq!(
        (xs[..3].to_vec(), ys[..3].to_vec()),
        (vec![0, 22, 44], vec![0, 0, 0])
    );
    for (i, &(span, h)) in trees.iter().enumerate() {
        for (j, &(span2, h2)) in trees.iter().enumerate().skip(i + 1) {
            let rows = ys[i] < ys[j] + h2 && ys[j] < ys[i] + h;
            let cols = xs[i] < xs[j] + span2 && xs[j] < xs[i] + span;
            assert!(!(rows && cols), "trees {i} and {j} closer than the gap");
        }
    }
}

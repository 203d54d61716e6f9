//! Words for the core's facts, shared by the checklist and every report:
//! cause chains and their tags. Below both, so that neither reaches into
//! the other for a formatter.

use crate::analysis::{Assessment, Origin};
use crate::plan::Action;
use crate::topology::{Node, NodeId, State, Topology};

/// The characters used for arrows and cut text: Unicode where the terminal
/// can show it, ASCII otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Glyphs {
    pub arrow: &'static str,
    pub ellipsis: &'static str,
}

impl Glyphs {
    pub const UNICODE: Glyphs = Glyphs {
        arrow: "←",
        ellipsis: "…",
    };
    pub const ASCII: Glyphs = Glyphs {
        arrow: "<-",
        ellipsis: "...",
    };
}

/// The tag of a starting cause: `[reboot]`, `[what-if down]`, `[state: down]`.
pub fn origin_tag(o: Origin) -> String {
    match o {
        Origin::Changed(Action::Down) => "[what-if down]".into(),
        Origin::Changed(a) => format!("[{}]", a.as_str()),
        Origin::State(State::Down) => "[state: down]".into(),
        Origin::State(State::Degraded) => "[state: degraded]".into(),
        Origin::State(State::Up) => String::new(),
    }
}

/// One step of a chain: a service's id, or a group with its counts.
pub fn step_label(topo: &Topology, a: &Assessment, id: NodeId) -> String {
    let mut out = String::new();
    push_step_label(&mut out, topo, a, id);
    out
}

/// [`step_label`], written at the end of `out`.
pub fn push_step_label(out: &mut String, topo: &Topology, a: &Assessment, id: NodeId) {
    use std::fmt::Write as _;
    match topo.node(id) {
        Node::Service(s) => out.push_str(&s.id),
        Node::Group(g) => {
            let up = a.up(topo, id);
            let manual = up >= g.min_up && a.status(id) == crate::analysis::Status::Down;
            let _ = write!(
                out,
                "{} ({}/{} up, needs {}{})",
                g.id,
                up,
                g.members.len(),
                g.min_up,
                if manual { ", manual failover" } else { "" }
            );
        }
    }
}

/// The cause chain of `id` as text, e.g.
/// `site-eu ← edge-lb (0/2 up, needs 1) ← lb-primary [reboot]`.
pub fn chain_text(topo: &Topology, a: &Assessment, id: NodeId, g: Glyphs) -> String {
    let mut out = String::new();
    push_chain_text(&mut out, topo, a, id, g);
    out
}

/// [`chain_text`], written at the end of `out`: one buffer for the whole
/// chain, where a string per step and a join cost the standing risks of
/// a million-service estate a fifth of a second.
pub fn push_chain_text(out: &mut String, topo: &Topology, a: &Assessment, id: NodeId, g: Glyphs) {
    let chain = a.chain(id);
    let Some(&last) = chain.last() else {
        push_step_label(out, topo, a, id);
        return;
    };
    for (i, &n) in chain.iter().enumerate() {
        if i > 0 {
            out.push(' ');
            out.push_str(g.arrow);
            out.push(' ');
        }
        push_step_label(out, topo, a, n);
    }
    let more = a.chain_more(id);
    if more > 0 {
        use std::fmt::Write as _;
        let _ = write!(out, " {} {} ({more} more steps)", g.arrow, g.ellipsis);
    } else if let Some(o) = a.origin(topo, last) {
        out.push(' ');
        out.push_str(&origin_tag(o));
    }
}

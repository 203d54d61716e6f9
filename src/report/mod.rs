//! Renderings of a [`Review`](crate::review::Review): text for terminals,
//! JSON for tools, Markdown for the change-approval record.

mod alertmanager;
mod graph;
mod json;
mod markdown;
mod text;
mod waves;

pub use alertmanager::{AlertmanagerError, alertmanager, window_end};
pub use graph::{MERMAID_MAX_NODES, dot, mermaid};
pub use json::{json, json_with_waves};
pub use markdown::markdown;
pub use text::text;
pub use waves::{
    waves_json, waves_markdown, waves_section_markdown, waves_section_text, waves_text, why_text,
};

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

pub use crate::text::percent;

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
    match topo.node(id) {
        Node::Service(s) => s.id.clone(),
        Node::Group(g) => {
            let up = a.up(topo, id);
            let manual = up >= g.min_up && a.status(id) == crate::analysis::Status::Down;
            format!(
                "{} ({}/{} up, needs {}{})",
                g.id,
                up,
                g.members.len(),
                g.min_up,
                if manual { ", manual failover" } else { "" }
            )
        }
    }
}

/// The cause chain of `id` as text, e.g.
/// `site-eu ← edge-lb (0/2 up, needs 1) ← lb-primary [reboot]`.
pub fn chain_text(topo: &Topology, a: &Assessment, id: NodeId, g: Glyphs) -> String {
    let chain = a.chain(id);
    let Some(&last) = chain.last() else {
        return step_label(topo, a, id);
    };
    let mut parts: Vec<String> = chain.iter().map(|&n| step_label(topo, a, n)).collect();
    let more = a.chain_more(id);
    if more > 0 {
        parts.push(format!("{} ({more} more steps)", g.ellipsis));
    } else if let Some(o) = a.origin(topo, last) {
        let tag = origin_tag(o);
        if let Some(p) = parts.last_mut() {
            p.push(' ');
            p.push_str(&tag);
        }
    }
    parts.join(&format!(" {} ", g.arrow))
}

/// Each change in words: `reboot lb-primary`, `reboot vm-7 (via hv-01)`,
/// `update web-3 (os=ubuntu-22.04)`, in topology order.
pub fn change_list(topo: &Topology, r: &crate::review::Review) -> Vec<String> {
    let a = &r.assessment;
    a.changes(topo)
        .map(|(n, act)| {
            let how = match a.via(n) {
                Some(h) => format!(" (via {})", topo.id(h)),
                None => r
                    .named
                    .binary_search_by_key(&n, |c| c.service)
                    .ok()
                    .and_then(|i| r.named[i].selector.as_deref())
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default(),
            };
            format!("{} {}{how}", act.as_str(), topo.id(n))
        })
        .collect()
}

/// The verdict in one line: the plan's own risk and what it adds, and how
/// the estate stood before: `RISK HIGH (+0% down, +5% degraded) - before
/// the change: CRITICAL`.
pub fn verdict_line(a: &Assessment) -> String {
    format!(
        "RISK {} (+{} down, +{} degraded) - before the change: {}",
        a.risk.as_str().to_uppercase(),
        percent(a.users.added_down),
        percent(a.users.added_degraded),
        a.risk_before.as_str().to_uppercase()
    )
}

/// Readiness for approval in words (see [`crate::review::Review::readiness_text`]).
pub fn approval_text(r: &crate::review::Review) -> String {
    r.readiness_text()
}

/// Who accepted what risk, or that nobody did.
pub fn accepted_text(r: &crate::review::Review) -> String {
    if r.accepted.is_empty() {
        return "nobody has accepted the risk".to_string();
    }
    r.accepted
        .iter()
        .map(|x| {
            format!(
                "{} by {} ({}){}",
                x.risk.as_str(),
                x.who,
                x.why,
                x.at.map(|t| format!(" at {t}")).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The impacted nodes split in two: what the plan changes or makes worse,
/// and what was already so before it; each worst first, then in topology
/// order.
pub fn impact_split(topo: &Topology, a: &Assessment) -> (Vec<NodeId>, Vec<NodeId>) {
    a.impacted(topo)
        .into_iter()
        .partition(|&n| a.hit(n) || a.action(n).is_some())
}

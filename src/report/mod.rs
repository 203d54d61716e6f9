//! Renderings of a [`Review`](crate::review::Review): text for terminals,
//! JSON for tools, Markdown for the change-approval record.

mod alertmanager;
mod exposure;
mod graph;
mod json;
mod jsonfmt;
mod markdown;
mod text;
mod waves;

pub use alertmanager::{
    AlertmanagerError, alertmanager, valid_label_name, window_end, would_silence_now,
};
pub use exposure::{
    REPORT_TOP, exposed_line, exposure_markdown, exposure_summary, exposure_text,
    standing_exposure_lines,
};
pub use graph::{MERMAID_MAX_NODES, dot, mermaid};
pub use json::{json, json_with_waves};
pub use markdown::markdown;
pub use text::text;
pub use waves::{
    waves_json, waves_markdown, waves_section_markdown, waves_section_text, waves_text, why_text,
};

use crate::analysis::Assessment;
use crate::topology::{NodeId, Topology};

pub use crate::text::percent;
pub use crate::words::{Glyphs, chain_text, origin_tag, step_label};

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

/// The live state section's lines, the same for text and Markdown: when
/// and from where, what could not be read, and every service whose
/// observed state is not the file's, with what saw it.
pub fn live_lines(topo: &Topology, r: &crate::review::Review) -> Vec<String> {
    let Some(l) = &r.live else {
        return Vec::new();
    };
    let word = |s: crate::topology::State| match s {
        crate::topology::State::Up => "up",
        crate::topology::State::Degraded => "degraded",
        crate::topology::State::Down => "down",
    };
    let mut out = vec![format!(
        "observed at {} from {}{}",
        crate::text::rfc3339(l.at),
        if l.sources.is_empty() {
            "no source (nothing to probe, no Prometheus, no Alertmanager)".to_string()
        } else {
            l.sources.join(", ")
        },
        if l.ignored > 0 {
            format!("; {} series or alerts name no service here", l.ignored)
        } else {
            String::new()
        }
    )];
    for e in &l.errors {
        out.push(format!(
            "PARTIAL: could not read {e}; the file's state stands for it"
        ));
    }
    if r.live_diff.is_empty() {
        out.push("every service observed is as the file says".to_string());
    }
    for &(id, file, seen) in &r.live_diff {
        let why: Vec<String> = l
            .of(id)
            .iter()
            .filter(|o| o.state == seen)
            .map(|o| format!("{}: {}", o.source.as_str(), o.detail))
            .collect();
        out.push(format!(
            "{}: the file says {}, observed {} ({})",
            topo.id(id),
            word(file),
            word(seen),
            why.join("; ")
        ));
    }
    out
}

//! The terminal report of `check`: readable at 80 columns, every status a
//! word, user text made inert.

use super::{Glyphs, chain_text, percent};
use crate::analysis::Status;
use crate::checklist::Phase;
use crate::plan::Plan;
use crate::review::{Review, window};
use crate::text::{inert, wrap};
use crate::topology::{Node, Topology};
use std::fmt::Write;

/// Renders the review for a terminal `width` columns wide.
pub fn text(topo: &Topology, plan: &Plan, r: &Review, width: usize, g: Glyphs) -> String {
    let a = &r.assessment;
    let width = width.max(40);
    let mut o = String::new();
    let title = if plan.title.is_empty() {
        String::new()
    } else {
        format!(": {}", plan.title)
    };
    let _ = writeln!(o, "{}{}", inert(&topo.name), inert(&title));
    if plan.start.is_some() || plan.minutes.is_some() {
        let _ = writeln!(o, "Window: {}", window(plan));
    }
    let changes = super::change_list(topo, r);
    if changes.is_empty() {
        let _ = writeln!(o, "Changes: none (the estate as it stands)");
    } else {
        para(&mut o, "Changes: ", &changes.join(", "), width);
    }
    let blocking = a.blocking_findings().count();
    let _ = writeln!(o, "\n{}", super::verdict_line(a));
    let because: Vec<&str> = a
        .risk_reasons
        .iter()
        .filter(|(l, _)| *l == a.risk)
        .map(|(_, s)| s.as_str())
        .collect();
    if !because.is_empty() {
        para(&mut o, "Because: ", &because.join("; "), width);
    }
    let before: Vec<&str> = a
        .risk_before_reasons
        .iter()
        .filter(|(l, _)| *l == a.risk_before)
        .map(|(_, s)| s.as_str())
        .collect();
    if !before.is_empty() {
        para(&mut o, "Before the change: ", &before.join("; "), width);
    }
    let c = &r.checklist;
    if !changes.is_empty() {
        para(&mut o, "Approval: ", &r.readiness_text(), width);
        para(&mut o, "Accepted: ", &super::accepted_text(r), width);
    }

    let (own, standing) = super::impact_split(topo, a);
    let _ = writeln!(o, "\nBLAST RADIUS OF THE CHANGE ({})", own.len());
    if own.is_empty() {
        let _ = writeln!(o, "  the change makes nothing worse");
    }
    let node = |o: &mut String, id| {
        let st = a.status(id);
        let (label, users) = match topo.node(id) {
            Node::Service(s) => (
                s.id.clone(),
                s.users
                    .filter(|_| matches!(st, Status::Down | Status::Degraded))
                    .map(|u| format!("  users {}", percent(u)))
                    .unwrap_or_default(),
            ),
            Node::Group(g) => (format!("{} (group)", g.id), String::new()),
        };
        let was = if a.before(id) != st {
            format!("  (before: {})", a.before(id).as_str())
        } else {
            String::new()
        };
        let _ = writeln!(
            o,
            "  {:<9} {}{}{}",
            st.as_str().to_uppercase(),
            inert(&label),
            users,
            was
        );
        let chain = chain_text(topo, a, id, g);
        for line in wrap(&chain, width - 12) {
            let _ = writeln!(o, "            {}", inert(&line));
        }
    };
    for &id in &own {
        node(&mut o, id);
    }
    if !standing.is_empty() {
        let _ = writeln!(o, "\nALREADY SO BEFORE THE CHANGE ({})", standing.len());
        for &id in &standing {
            node(&mut o, id);
        }
    }

    let new = a.findings.iter().filter(|f| f.new).count();
    let _ = writeln!(o, "\nFINDINGS OF THE CHANGE ({new}, {blocking} blocking)");
    if new == 0 {
        let _ = writeln!(o, "  none");
    }
    let finding = |o: &mut String, f: &crate::analysis::Finding| {
        let subjects: Vec<&str> = f.subjects.iter().map(|&n| topo.id(n)).collect();
        let _ = writeln!(
            o,
            "  {:<9} {}: {}",
            f.severity.as_str().to_uppercase(),
            f.kind.as_str(),
            inert(&subjects.join(", "))
        );
        for line in wrap(&f.message, width - 12) {
            let _ = writeln!(o, "            {}", inert(&line));
        }
    };
    for f in a.findings.iter().filter(|f| f.new) {
        finding(&mut o, f);
    }
    let old = a.findings.len() - new;
    if old > 0 {
        let _ = writeln!(o, "\nFINDINGS ALREADY SO BEFORE THE CHANGE ({old})");
        for f in a.findings.iter().filter(|f| !f.new) {
            finding(&mut o, f);
        }
    }

    if !c.items.is_empty() {
        let _ = writeln!(
            o,
            "\nCHECKLIST ({}/{} done, {} blocking open)",
            c.done_count(),
            c.items.len(),
            c.open_blocking()
        );
        for phase in [Phase::Before, Phase::During, Phase::After] {
            let items: Vec<_> = c.items.iter().filter(|i| i.phase == phase).collect();
            if items.is_empty() {
                continue;
            }
            let _ = writeln!(o, " {}", phase.as_str().to_uppercase());
            for i in items {
                let _ = writeln!(
                    o,
                    "  [{}] {}  ({}{})",
                    if i.done { "x" } else { " " },
                    inert(&i.id),
                    inert(&i.owner),
                    if i.blocking { ", BLOCKING" } else { "" }
                );
                for line in wrap(&i.text, width - 8) {
                    let _ = writeln!(o, "      {}", inert(&line));
                }
                for line in wrap(&format!("why: {}", i.why), width - 8) {
                    let _ = writeln!(o, "      {}", inert(&line));
                }
            }
        }
    }

    let live = super::live_lines(topo, r);
    if !live.is_empty() {
        let _ = writeln!(o, "\nLIVE STATE");
        for l in live {
            para(&mut o, "  ", &l, width);
        }
    }

    let _ = writeln!(o, "\nALERT PLAN");
    para(
        &mut o,
        "  may silence, for the window only: ",
        &list_or_none(&r.alerts.silence),
        width,
    );
    para(
        &mut o,
        "  keep loud: ",
        &list_or_none(&r.alerts.keep_loud),
        width,
    );
    if let Some(e) = &r.exposure {
        o.push_str(&super::exposure_text(topo, e, width));
    }
    o
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "nothing".into()
    } else {
        v.join(", ")
    }
}

/// A labelled paragraph, continuation lines indented under the text.
fn para(o: &mut String, label: &str, body: &str, width: usize) {
    let indent = label.chars().count().min(width / 2);
    let lines = wrap(body, width - indent);
    for (i, line) in lines.iter().enumerate() {
        if i == 0 {
            let _ = writeln!(o, "{label}{}", inert(line));
        } else {
            let _ = writeln!(o, "{}{}", " ".repeat(indent), inert(line));
        }
    }
}

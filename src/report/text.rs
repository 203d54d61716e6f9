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
    let changes: Vec<String> = a
        .changes(topo)
        .map(|(n, act)| format!("{} {}", act.as_str(), topo.id(n)))
        .collect();
    if changes.is_empty() {
        let _ = writeln!(o, "Changes: none (the estate as it stands)");
    } else {
        para(&mut o, "Changes: ", &changes.join(", "), width);
    }
    let blocking = a.blocking_findings().count();
    let _ = writeln!(
        o,
        "\nRISK: {}   users down {}, degraded {}   {} blocking finding{}",
        a.risk.as_str().to_uppercase(),
        percent(a.users_down),
        percent(a.users_degraded),
        blocking,
        if blocking == 1 { "" } else { "s" }
    );
    let because: Vec<&str> = a
        .risk_reasons
        .iter()
        .filter(|(l, _)| *l == a.risk)
        .map(|(_, s)| s.as_str())
        .collect();
    if !because.is_empty() {
        para(&mut o, "Because: ", &because.join("; "), width);
    }
    let c = &r.checklist;
    if !c.items.is_empty() {
        let _ = writeln!(
            o,
            "Approval: {}",
            if c.ready() {
                "ready (every blocking item is ticked)".to_string()
            } else {
                format!(
                    "NOT READY, {} blocking checklist items open",
                    c.open_blocking()
                )
            }
        );
    }

    let impacted = a.impacted(topo);
    let _ = writeln!(o, "\nBLAST RADIUS ({})", impacted.len());
    if impacted.is_empty() {
        let _ = writeln!(o, "  nothing is affected");
    }
    for id in impacted {
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
        let _ = writeln!(o, "  {:<9} {}{}", st.as_str().to_uppercase(), label, users);
        let chain = chain_text(topo, a, id, g);
        for line in wrap(&chain, width - 12) {
            let _ = writeln!(o, "            {}", inert(&line));
        }
    }

    let _ = writeln!(
        o,
        "\nFINDINGS ({}, {} blocking)",
        a.findings.len(),
        blocking
    );
    if a.findings.is_empty() {
        let _ = writeln!(o, "  none");
    }
    for f in &a.findings {
        let subjects: Vec<&str> = f.subjects.iter().map(|&n| topo.id(n)).collect();
        let _ = writeln!(
            o,
            "  {:<9} {}: {}",
            f.severity.as_str().to_uppercase(),
            f.kind.as_str(),
            subjects.join(", ")
        );
        for line in wrap(&f.message, width - 12) {
            let _ = writeln!(o, "            {}", inert(&line));
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

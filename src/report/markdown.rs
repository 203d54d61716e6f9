//! The Markdown record for the change-approval meeting.

use super::{Glyphs, chain_text, percent};
use crate::checklist::Phase;
use crate::plan::Plan;
use crate::review::{Review, window};
use crate::topology::{Node, Topology};
use std::fmt::Write;

/// Escapes user text for Markdown: nothing in a name can open a table cell,
/// code span, link, emphasis or HTML tag, and control characters are shown
/// as escapes.
pub fn md(s: &str) -> String {
    let flat = s.replace(['\n', '\r'], " ");
    let s = crate::text::inert(&flat);
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

/// The report as Markdown.
pub fn markdown(topo: &Topology, plan: &Plan, r: &Review) -> String {
    let a = &r.assessment;
    let c = &r.checklist;
    let mut o = String::new();
    let title = if plan.title.is_empty() {
        "Change plan".to_string()
    } else {
        md(&plan.title)
    };
    let _ = writeln!(o, "# Change record: {title}\n");
    let _ = writeln!(o, "| | |\n|---|---|");
    let _ = writeln!(o, "| Topology | {} |", md(&topo.name));
    let _ = writeln!(o, "| Window | {} |", md(&window(plan)));
    let because: Vec<String> = a
        .risk_reasons
        .iter()
        .filter(|(l, _)| *l == a.risk)
        .map(|(_, s)| md(s))
        .collect();
    let _ = writeln!(
        o,
        "| Risk of the change | **{}**{} |",
        a.risk.as_str().to_uppercase(),
        if because.is_empty() {
            String::new()
        } else {
            format!(": {}", because.join("; "))
        }
    );
    let before: Vec<String> = a
        .risk_before_reasons
        .iter()
        .filter(|(l, _)| *l == a.risk_before)
        .map(|(_, s)| md(s))
        .collect();
    let _ = writeln!(
        o,
        "| Before the change | {}{} |",
        a.risk_before.as_str().to_uppercase(),
        if before.is_empty() {
            String::new()
        } else {
            format!(": {}", before.join("; "))
        }
    );
    let _ = writeln!(
        o,
        "| Users down | {} (+{} by the change; {} before) |",
        percent(a.users.down),
        percent(a.users.added_down),
        percent(a.users.before_down)
    );
    let _ = writeln!(
        o,
        "| Users degraded | {} (+{} by the change; {} before) |",
        percent(a.users.degraded),
        percent(a.users.added_degraded),
        percent(a.users.before_degraded)
    );
    let _ = writeln!(
        o,
        "| Blocking findings of the change | {} |",
        a.blocking_findings().count()
    );
    let _ = writeln!(o, "| Risk accepted | {} |", md(&super::accepted_text(r)));
    let _ = writeln!(
        o,
        "| Ready for approval | {} |",
        if a.changes(topo).next().is_none() {
            "nothing to approve: the plan changes nothing".to_string()
        } else if r.ready() {
            "**yes**: every blocking checklist item is ticked and the risk is accepted".to_string()
        } else {
            format!(
                "**no**: {}",
                md(r.readiness_text().trim_start_matches("NOT READY: "))
            )
        }
    );

    let _ = writeln!(o, "\n## Changes\n");
    let changes: Vec<_> = a.changes(topo).collect();
    if changes.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(
            o,
            "| Service | Action | Team | On-call |\n|---|---|---|---|"
        );
        for (id, act) in changes {
            let s = topo.as_service(id).expect("changes are services");
            let how = match a.via(id) {
                Some(h) => format!(" (runs on {})", md(topo.id(h))),
                None => r
                    .named
                    .binary_search_by_key(&id, |c| c.service)
                    .ok()
                    .and_then(|i| r.named[i].selector.as_deref())
                    .map(|sel| format!(" (selected by {})", md(sel)))
                    .unwrap_or_default(),
            };
            let _ = writeln!(
                o,
                "| {}{how} | {} | {} | {} |",
                md(&s.id),
                act.as_str(),
                md(s.team.as_deref().unwrap_or("")),
                md(s.oncall.as_deref().unwrap_or(""))
            );
        }
    }

    let _ = writeln!(o, "\n## Blast radius\n");
    let (own, standing) = super::impact_split(topo, a);
    if own.is_empty() {
        let _ = writeln!(o, "The change makes nothing worse.");
    } else {
        let _ = writeln!(
            o,
            "| Status | Before | Service or group | Users | Cause |\n|---|---|---|---|---|"
        );
        for id in own {
            let (name, users) = match topo.node(id) {
                Node::Service(s) => (md(&s.id), s.users.map(percent).unwrap_or_default()),
                Node::Group(g) => (format!("{} (group)", md(&g.id)), String::new()),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} | {} | {} |",
                a.status(id).as_str(),
                a.before(id).as_str(),
                name,
                users,
                md(&chain_text(topo, a, id, Glyphs::UNICODE))
            );
        }
    }
    if !standing.is_empty() {
        let _ = writeln!(
            o,
            "\nAlready so before the change:\n\n| Status | Service or group | Cause |\n|---|---|---|"
        );
        for id in standing {
            let name = match topo.node(id) {
                Node::Service(s) => md(&s.id),
                Node::Group(g) => format!("{} (group)", md(&g.id)),
            };
            let _ = writeln!(
                o,
                "| {} | {} | {} |",
                a.status(id).as_str(),
                name,
                md(&chain_text(topo, a, id, Glyphs::UNICODE))
            );
        }
    }

    if !a.impacted(topo).is_empty() {
        let _ = writeln!(
            o,
            "\n### Diagram\n\n```mermaid\n{}```",
            super::mermaid(topo, Some(a), Some(super::MERMAID_MAX_NODES))
        );
    }

    let live = super::live_lines(topo, r);
    if !live.is_empty() {
        let _ = writeln!(o, "\n## Live state\n");
        for l in live {
            let _ = writeln!(o, "- {}", md(&l));
        }
    }

    let _ = writeln!(o, "\n## Findings\n");
    if a.findings.is_empty() {
        let _ = writeln!(o, "None.");
    } else {
        let _ = writeln!(
            o,
            "| Severity | Kind | Subjects | Finding |\n|---|---|---|---|"
        );
        for f in &a.findings {
            let subjects: Vec<String> = f.subjects.iter().map(|&n| md(topo.id(n))).collect();
            let _ = writeln!(
                o,
                "| {}{} | {} | {} | {} |",
                f.severity.as_str(),
                if f.new { "" } else { " (already so)" },
                f.kind.as_str(),
                subjects.join(", "),
                md(&f.message)
            );
        }
    }

    let _ = writeln!(
        o,
        "\n## Checklist\n\n{} of {} done; blocking items are marked **blocking**.",
        c.done_count(),
        c.items.len()
    );
    for phase in [Phase::Before, Phase::During, Phase::After] {
        let items: Vec<_> = c.items.iter().filter(|i| i.phase == phase).collect();
        if items.is_empty() {
            continue;
        }
        let name = match phase {
            Phase::Before => "Before",
            Phase::During => "During",
            Phase::After => "After",
        };
        let _ = writeln!(o, "\n### {name}\n");
        for i in items {
            let _ = writeln!(
                o,
                "- [{}] {}{} (owner: {}; id: {})  \n  why: {}",
                if i.done { "x" } else { " " },
                if i.blocking { "**blocking** " } else { "" },
                md(&i.text),
                md(&i.owner),
                md(&i.id),
                md(&i.why)
            );
        }
    }

    let _ = writeln!(o, "\n## Alert plan\n");
    let show = |v: &[String]| {
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.iter().map(|s| md(s)).collect::<Vec<_>>().join(", ")
        }
    };
    let _ = writeln!(
        o,
        "- **May be silenced**, for the window only: {}",
        show(&r.alerts.silence)
    );
    let _ = writeln!(
        o,
        "- **Keep loud** (never silence): {}",
        show(&r.alerts.keep_loud)
    );

    if let Some(e) = &r.exposure {
        o.push_str(&super::exposure_markdown(topo, e));
    }

    let _ = writeln!(o, "\n## Sign-off\n");
    let _ = writeln!(o, "| Who | Role | At |\n|---|---|---|");
    for s in &plan.signoffs {
        let _ = writeln!(
            o,
            "| {} | {} | {} |",
            md(&s.who),
            md(s.role.as_deref().unwrap_or("")),
            s.at.map(|d| d.to_string()).unwrap_or_default()
        );
    }
    if plan.signoffs.is_empty() {
        for role in ["change owner", "approver", "on-call"] {
            let _ = writeln!(o, "| | {role} | |");
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn names_cannot_break_tables_or_inject_html() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>"), "&lt;script&gt;");
        assert_eq!(md("`x`"), "\\`x\\`");
        assert_eq!(md("a\nb"), "a b");
        assert_eq!(md("\x1b[31m"), "\\\\u{1b}\\[31m");
    }
}

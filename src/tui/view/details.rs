//! The focused service: what it is, what it needs, who needs it, its groups.

use super::{Areas, block, put, put_spans};
use crate::report::{chain_text, origin_tag, percent};
use crate::text::inert;
use crate::topology::{Edge, Mode, NodeId, Topology};
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// At most this many names in one "needed by" line: a service required by
/// ten thousand others does not need them all spelt out here.
const MAX_NAMES: usize = 12;

fn names(topo: &Topology, ids: &[NodeId]) -> String {
    if ids.is_empty() {
        return "nothing".into();
    }
    let mut s: Vec<String> = ids
        .iter()
        .take(MAX_NAMES)
        .map(|&n| inert(topo.id(n)).into_owned())
        .collect();
    if ids.len() > MAX_NAMES {
        s.push(format!("+{} more", ids.len() - MAX_NAMES));
    }
    s.join(", ")
}

pub fn render(app: &App, a: &Areas, buf: &mut Buffer) {
    let t = &app.theme;
    block(app, Line::from(" Details "), false).render(a.details_block, buf);
    let area = a.details;
    let Some(id) = app.focused_service() else {
        put(
            buf,
            area.x,
            area.y,
            area.width,
            "no service selected",
            t.dim(),
            app,
        );
        return;
    };
    let topo = app.topo();
    let s = topo.as_service(id).expect("the list holds services");
    let asmt = &app.review().assessment;
    let st = asmt.status(id);
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut first = vec![
        Span::styled(inert(&s.id).into_owned(), t.heading()),
        Span::raw("  "),
        Span::styled(st.as_str().to_uppercase(), t.status(st)),
    ];
    if let Some(o) = asmt.origin(topo, id) {
        first.push(Span::styled(format!(" {}", origin_tag(o)), t.marked()));
    }
    if s.name != s.id {
        first.push(Span::raw(format!("  {}", inert(&s.name))));
    }
    lines.push(first);
    if let Some(w) = app.session().wave_of(id) {
        lines.push(vec![Span::styled(
            format!("in wave {w} of the plan (] later, [ earlier; 7 shows the waves)"),
            t.marked(),
        )]);
    }
    // What live state saw, by source and time: "down (probe 21:30:04:
    // connection refused)".
    if let Some(obs) = app.session().observations() {
        for o in obs.of(id) {
            let word = match o.state {
                crate::topology::State::Up => "up",
                crate::topology::State::Degraded => "degraded",
                crate::topology::State::Down => "down",
            };
            lines.push(vec![Span::styled(
                format!(
                    "observed {word} ({} {}: {})",
                    o.source.as_str(),
                    &crate::text::rfc3339(o.at)[11..19],
                    inert(&o.detail)
                ),
                if o.state == crate::topology::State::Up {
                    t.dim()
                } else {
                    t.heading()
                },
            )]);
        }
    }
    let opt = |v: &Option<String>| inert(v.as_deref().unwrap_or("-")).into_owned();
    lines.push(vec![Span::raw(format!(
        "kind {}, team {}, on-call {}",
        opt(&s.kind),
        opt(&s.team),
        opt(&s.oncall)
    ))]);
    lines.push(vec![Span::raw(format!(
        "zone {}, criticality {}, monitored {}{}{}",
        opt(&s.zone),
        s.criticality.as_str(),
        match s.monitored {
            Some(true) => "yes",
            Some(false) => "NO",
            None => "unknown",
        },
        s.users
            .map(|u| format!(", users {}", percent(u)))
            .unwrap_or_default(),
        if s.recovery { ", recovery path" } else { "" }
    ))]);
    lines.push(vec![Span::raw(format!(
        "requires {}, wants {}",
        names(topo, &s.requires),
        names(topo, &s.wants)
    ))]);
    if let Some(h) = s.host {
        lines.push(vec![Span::raw(format!(
            "runs on {} (a reboot of it reboots this)",
            inert(topo.id(h))
        ))]);
    }
    let mut needed: Vec<NodeId> = Vec::new();
    let mut wanted: Vec<NodeId> = Vec::new();
    let mut guests: Vec<NodeId> = Vec::new();
    for (d, e) in topo.dependents(id) {
        match e {
            Edge::Requires => needed.push(d),
            Edge::Wants => wanted.push(d),
            Edge::Host => guests.push(d),
            Edge::Member => {}
        }
    }
    if !guests.is_empty() {
        lines.push(vec![Span::raw(format!("hosts {}", names(topo, &guests)))]);
    }
    needed.sort_unstable();
    wanted.sort_unstable();
    // Who needs it through its groups: site-eu requires edge-lb, not
    // lb-primary, yet rebooting lb-primary is what the site feels.
    let mut through: Vec<String> = Vec::new();
    for &g in topo.groups_of(id) {
        let mut by: Vec<NodeId> = topo
            .dependents(g)
            .filter(|&(_, e)| e == Edge::Requires)
            .map(|(d, _)| d)
            .collect();
        by.sort_unstable();
        if !by.is_empty() {
            through.push(format!(
                "needed through {} by {}",
                inert(topo.id(g)),
                names(topo, &by)
            ));
        }
    }
    let direct = if needed.is_empty() && !through.is_empty() {
        "required directly by nothing".to_string()
    } else {
        format!("required by {}", names(topo, &needed))
    };
    lines.push(vec![Span::raw(format!(
        "{direct}, wanted by {}",
        names(topo, &wanted)
    ))]);
    for t in through {
        lines.push(vec![Span::raw(t)]);
    }
    let groups = topo.groups_of(id);
    if groups.is_empty() {
        lines.push(vec![Span::raw("groups: none (no standby)")]);
    }
    for &g in groups {
        let grp = topo.as_group(g).expect("a group");
        let gst = asmt.status(g);
        lines.push(vec![
            Span::raw(format!(
                "group {} {}/{} up, needs {}, {}, {} failover, tested {} ",
                inert(&grp.id),
                asmt.up(topo, g),
                grp.members.len(),
                grp.min_up,
                match grp.mode {
                    Mode::ActivePassive => "active-passive",
                    Mode::ActiveActive => "active-active",
                },
                match grp.failover {
                    crate::topology::Failover::Automatic => "automatic",
                    crate::topology::Failover::Manual => "MANUAL",
                },
                grp.last_tested
                    .map_or_else(|| "never".to_string(), |d| d.to_string()),
            )),
            Span::styled(gst.as_str().to_uppercase(), t.status(gst)),
        ]);
    }
    if asmt.chain(id).len() > 1 {
        lines.push(vec![Span::raw(format!(
            "why: {}",
            chain_text(topo, asmt, id, t.sym.glyphs)
        ))]);
    }
    let boot = &s.boot;
    let mut b = format!(
        "boot: {}{}",
        if boot.autostart {
            "autostart"
        } else {
            "NO AUTOSTART"
        },
        boot.minutes
            .map(|m| format!(", ~{m} min"))
            .unwrap_or_default()
    );
    for v in &boot.volumes {
        b.push_str(&format!(
            ", {} {}",
            inert(&v.path),
            if v.automount {
                "automount"
            } else {
                "NOT AUTOMOUNTED"
            }
        ));
    }
    lines.push(vec![Span::raw(b)]);
    if let Some(p) = &s.probe {
        lines.push(vec![Span::raw(format!("probe {}", inert(p)))]);
    }
    if let Some(r) = &s.runbook {
        lines.push(vec![Span::raw(format!("runbook {}", inert(r)))]);
    }
    // Wrap one-span lines when the whole text then still fits: a tall,
    // narrow details column (wide screens) shows everything.
    let width = area.width as usize;
    let rows = |spans: &Vec<Span>| -> usize {
        let len: usize = spans.iter().map(|s| s.content.chars().count()).sum();
        if spans.len() == 1 {
            len.div_ceil(width.max(1)).max(1)
        } else {
            1
        }
    };
    let wrap_all = lines.iter().map(rows).sum::<usize>() <= area.height as usize;
    let mut y = area.y;
    for spans in lines {
        if y >= area.y + area.height {
            break;
        }
        if wrap_all && spans.len() == 1 {
            let style = spans[0].style;
            for part in crate::text::wrap(&spans[0].content, width) {
                if y >= area.y + area.height {
                    break;
                }
                put_spans(buf, area, y, vec![Span::styled(part, style)], app);
                y += 1;
            }
        } else {
            put_spans(buf, area, y, spans, app);
            y += 1;
        }
    }
}

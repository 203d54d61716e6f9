//! The Waves pane: each wave of the plan assessed alone against the
//! standing estate, what goes in it, and the gate before the next.

use super::wrapped;
use crate::tui::app::App;
use crate::tui::view::put_spans;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn waves(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let topo = app.topo();
    let waves = app.session().waves();
    let width = area.width.saturating_sub(1);
    let mut lines: Vec<Line> = Vec::new();
    if waves.is_empty() {
        for l in [
            "No waves: the plan goes in one window.",
            "In the list, ] puts the focused change in a wave (then the next), [ takes it back.",
            "On the command line: blastradius waves TOPOLOGY --plan PLAN -o PLAN",
            "splits a plan into the fewest safe waves.",
        ] {
            lines.extend(wrapped(l, width, t.dim()));
        }
    }
    for w in waves {
        let a = &w.review.assessment;
        lines.push(Line::from(vec![
            Span::styled(format!("WAVE {}  ", w.wave), t.heading()),
            Span::styled(
                format!(" RISK {} ", a.risk.as_str().to_uppercase()),
                t.risk_badge(a.risk),
            ),
            Span::raw(format!(
                "  +{} down +{} degraded",
                crate::text::percent(a.users.added_down),
                crate::text::percent(a.users.added_degraded)
            )),
        ]));
        let goes: Vec<String> = a
            .changes(topo)
            .map(|(n, act)| format!("{} {}", act.as_str(), topo.id(n)))
            .collect();
        lines.extend(wrapped(
            &format!("goes: {}", goes.join(", ")),
            width,
            Style::new(),
        ));
        let g = &w.gate;
        let wait = match (g.minutes, g.unknown_minutes.is_empty()) {
            (Some(m), true) => format!("wait {m} min"),
            (Some(m), false) => format!("wait at least {m} min (some give no boot minutes)"),
            (None, _) if g.up.is_empty() => "nothing to wait for".to_string(),
            (None, _) => "wait: unknown (no boot minutes given)".to_string(),
        };
        let back: Vec<&str> = g.up.iter().map(|&n| topo.id(n)).collect();
        let hand: Vec<String> = g
            .volumes
            .iter()
            .filter(|(_, _, auto)| !auto)
            .map(|(n, p, _)| format!("{p} on {}", topo.id(*n)))
            .collect();
        let mut gate = format!("gate: {wait}; back up: {}", back.join(", "));
        if !hand.is_empty() {
            gate.push_str(&format!("; mount by hand: {}", hand.join(", ")));
        }
        lines.extend(wrapped(&gate, width, t.dim()));
        lines.push(Line::from(""));
    }
    let unwaved: Vec<&str> = app
        .plan()
        .changes
        .iter()
        .filter(|c| c.wave.is_none())
        .map(|c| c.service.as_str())
        .collect();
    if !waves.is_empty() && !unwaved.is_empty() {
        lines.extend(wrapped(
            &format!(
                "in no wave yet: {} (until every change has a wave, the verdict is the whole plan at once)",
                unwaved.join(", ")
            ),
            width,
            t.heading(),
        ));
    }
    for (i, l) in lines
        .into_iter()
        .skip(app.waves_scroll)
        .take(area.height as usize)
        .enumerate()
    {
        put_spans(buf, area, area.y + i as u16, l.spans, app);
    }
}

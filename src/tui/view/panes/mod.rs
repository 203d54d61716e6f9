//! The tabbed pane: impact, findings, checklist, alerts, graph, each in a
//! module of its own; the shared drawing of entry lists lives here.

mod alerts;
mod checklist;
mod exposure;
mod findings;
mod graph;
mod impact;
mod waves;

use super::{Areas, block, put, put_spans, split_pane, tab_label};
use crate::text::{inert, wrap};
use crate::tui::action::Pane;
use crate::tui::app::{App, Cursor, Focus, Tone};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, a: &Areas, buf: &mut Buffer) {
    let focused = app.focus == Focus::Pane;
    if a.dashboard {
        // Each pane in a column of its own, titled with its key.
        let current = std::iter::once((app.pane, a.pane_block, a.pane));
        let others = a
            .others
            .iter()
            .flatten()
            .map(|o| (o.pane, o.block, o.inner));
        for (p, block_area, inner) in current.chain(others) {
            let on = p == app.pane;
            let style = if on && focused {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else if on {
                Style::new().add_modifier(Modifier::BOLD)
            } else {
                Style::new()
            };
            let title = Line::from(Span::styled(tab_label(p, false, on), style));
            block(app, title, on && focused).render(block_area, buf);
            draw(app, p, inner, buf);
        }
        return;
    }
    let compact = super::compact_tabs(a);
    let tabs: Vec<Span> = Pane::ALL
        .iter()
        .map(|&p| {
            let style = if p == app.pane {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::new()
            };
            Span::styled(tab_label(p, compact, p == app.pane), style)
        })
        .collect();
    block(app, Line::from(tabs), focused).render(a.pane_block, buf);
    draw(app, app.pane, a.pane, buf);
}

/// Draws one pane's content into `area`.
fn draw(app: &App, pane: Pane, area: Rect, buf: &mut Buffer) {
    match pane {
        Pane::Impact => impact::impact(app, area, buf),
        Pane::Findings => findings::findings(app, area, buf),
        Pane::Checklist => checklist::checklist(app, area, buf),
        Pane::Alerts => alerts::alerts(app, area, buf),
        Pane::Graph => graph::draw_graph(app, area, buf),
        Pane::Exposure => exposure::exposure(app, area, buf),
        Pane::Waves => waves::waves(app, area, buf),
    }
}

/// Draws one-line entries with a cursor, then a rule, then `detail` lines.
pub(super) fn entries(
    app: &App,
    pane: Pane,
    area: Rect,
    buf: &mut Buffer,
    cursor: Cursor,
    rows: Vec<(usize, Vec<Span<'static>>)>,
    detail: Vec<Line<'static>>,
) {
    let (list, det) = split_pane(area);
    for (row, (index, spans)) in rows.into_iter().enumerate() {
        let y = list.y + row as u16;
        let line = Rect {
            y,
            height: 1,
            ..list
        };
        put_spans(buf, line, y, spans, app);
        if index == cursor.at {
            // Several panes show on a wide screen: the cursor is lit only
            // in the one that has the keyboard.
            let style = if app.focus == Focus::Pane && app.pane == pane {
                app.theme.cursor()
            } else {
                Style::new().add_modifier(Modifier::UNDERLINED)
            };
            buf.set_style(line, style);
        }
    }
    if det.height == 0 {
        return;
    }
    let rule = app.theme.sym.h.repeat(area.width as usize);
    buf.set_stringn(
        area.x,
        det.y - 1,
        rule,
        area.width as usize,
        app.theme.dim(),
    );
    let more = detail.len() > det.height as usize;
    for (i, l) in detail.into_iter().take(det.height as usize).enumerate() {
        let y = det.y + i as u16;
        let mut spans = l.spans;
        // The last row that fits says there is more.
        if more && i + 1 == det.height as usize {
            let ell = app.theme.sym.glyphs.ellipsis;
            let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
            let room = (det.width as usize).saturating_sub(ell.chars().count());
            let cut: String = text.chars().take(room).collect();
            let style = spans.first().map(|s| s.style).unwrap_or_default();
            spans = vec![Span::styled(format!("{cut}{ell}"), style)];
        }
        put_spans(buf, det, y, spans, app);
    }
}

/// Wraps text to the width as detail lines, the last one cut with an
/// ellipsis when there is more than fits (the full text is in the report).
pub(super) fn wrapped(text: &str, width: u16, style: Style) -> Vec<Line<'static>> {
    wrap(&inert(text), width as usize)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

/// Draws a page of text (its lines built by the app), from line `scroll`.
pub(super) fn page(
    app: &App,
    area: Rect,
    buf: &mut Buffer,
    lines: Vec<crate::tui::app::PageLine>,
    scroll: usize,
) {
    let t = &app.theme;
    for (i, l) in lines
        .into_iter()
        .skip(scroll)
        .take(area.height as usize)
        .enumerate()
    {
        let spans = l
            .into_iter()
            .map(|(tone, text)| {
                let style = match tone {
                    Tone::Heading => t.heading(),
                    Tone::Dim => t.dim(),
                    Tone::Plain => Style::new(),
                    Tone::Risk(level) => t.risk_badge(level),
                };
                Span::styled(text, style)
            })
            .collect();
        put_spans(buf, area, area.y + i as u16, spans, app);
    }
}

pub(super) fn empty(app: &App, area: Rect, buf: &mut Buffer, lines: &[&str]) {
    for (i, l) in lines.iter().enumerate() {
        if i as u16 >= area.height {
            break;
        }
        put(
            buf,
            area.x,
            area.y + i as u16,
            area.width,
            l,
            app.theme.dim(),
            app,
        );
    }
}

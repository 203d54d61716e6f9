//! The service list: virtualised, only the visible rows are built.

use super::{Areas, block, put_spans};
use crate::analysis::Status;
use crate::plan::Action;
use crate::tui::app::{App, Focus};
use ratatui::buffer::Buffer;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The one-letter mark of a change: R reboot, U update, X what-if down.
pub fn mark(a: Option<Action>) -> &'static str {
    match a {
        Some(Action::Reboot) => "R",
        Some(Action::Update) => "U",
        Some(Action::Down) => "X",
        None => " ",
    }
}

/// A four-letter status word: readable without colour, narrow enough for
/// an 80-column list.
pub fn short_status(s: Status) -> &'static str {
    match s {
        Status::Down => "DOWN",
        Status::Degraded => "DEGR",
        Status::AtRisk => "RISK",
        Status::Ok => "ok  ",
    }
}

pub fn render(app: &App, a: &Areas, buf: &mut Buffer) {
    let t = &app.theme;
    let mut title = vec![Span::raw(format!(
        " Services {}/{} ",
        app.visible.len(),
        app.topo().services().len()
    ))];
    if app.filtering || !app.filter.is_empty() {
        let cursor = if app.filtering { "_" } else { "" };
        title.push(Span::styled(
            format!("/{}{} ", crate::text::inert(&app.filter), cursor),
            t.key(),
        ));
    }
    block(
        app,
        Line::from(title),
        app.focus == Focus::List && !app.filtering,
    )
    .render(a.list_block, buf);
    if app.visible.is_empty() {
        let msg = if app.topo().services().is_empty() {
            "the topology has no services"
        } else {
            "no service matches; esc clears the filter"
        };
        super::put(buf, a.list.x, a.list.y, a.list.width, msg, t.dim(), app);
        return;
    }
    let assessment = &app.review().assessment;
    let rows = a.list_rows();
    let shown: Vec<usize> = app
        .visible
        .iter()
        .skip(app.list.offset)
        .take(rows)
        .copied()
        .collect();
    // Ids come first: two ids cut to the same prefix would look alike
    // (`alertmanag…` twice), so the kind column gives way to them.
    let room = (a.list.width as usize).saturating_sub(7);
    let longest = shown
        .iter()
        .map(|&i| {
            crate::text::inert(&app.topo().services()[i].id)
                .chars()
                .count()
        })
        .max()
        .unwrap_or(0);
    let id_w = longest.min(room);
    let kind_w = room.saturating_sub(id_w + 1).min(14);
    for (row, &i) in shown.iter().enumerate() {
        let id = app.topo().service_id(i);
        let s = &app.topo().services()[i];
        let st = assessment.status(id);
        let y = a.list.y + row as u16;
        let kind = if kind_w >= 3 {
            crate::text::truncate(
                &crate::text::inert(s.kind.as_deref().unwrap_or("")),
                kind_w,
                t.sym.glyphs.ellipsis,
            )
        } else {
            String::new()
        };
        let idt = crate::text::truncate(&crate::text::inert(&s.id), id_w, t.sym.glyphs.ellipsis);
        let action = assessment.action(id);
        let spans = vec![
            Span::styled(format!("{} ", mark(action)), t.marked()),
            Span::styled(format!("{} ", short_status(st)), t.status(st)),
            Span::raw(format!("{idt:<id_w$} ")),
            Span::styled(kind, t.dim()),
        ];
        let line_area = ratatui::layout::Rect {
            y,
            height: 1,
            ..a.list
        };
        put_spans(buf, line_area, y, spans, app);
        if app.list.offset + row == app.list.at {
            let style = if app.focus == Focus::List {
                t.cursor()
            } else {
                Style::new().add_modifier(ratatui::style::Modifier::UNDERLINED)
            };
            buf.set_style(line_area, style);
        }
    }
}

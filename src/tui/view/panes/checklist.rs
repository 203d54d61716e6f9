//! The Checklist pane: items by phase, ticked live.

use super::{empty, entries, wrapped};
use crate::text::inert;
use crate::tui::app::{App, CheckRow};
use crate::tui::view::split_pane;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn checklist(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let c = &app.review().checklist;
    if c.items.is_empty() {
        empty(
            app,
            area,
            buf,
            &["No changes marked: nothing to prepare yet."],
        );
        return;
    }
    let (list, _) = split_pane(area);
    let rows = app
        .check_rows
        .iter()
        .enumerate()
        .skip(app.checklist.offset)
        .take(list.height as usize)
        .map(|(i, r)| match *r {
            CheckRow::Phase(p) => {
                let of: Vec<_> = c.items.iter().filter(|x| x.phase == p).collect();
                let done = of.iter().filter(|x| x.done).count();
                (
                    i,
                    vec![Span::styled(
                        format!("{} ({}/{} done)", p.as_str().to_uppercase(), done, of.len()),
                        t.heading(),
                    )],
                )
            }
            CheckRow::Item(k) => {
                let item = &c.items[k];
                (
                    i,
                    vec![
                        Span::raw(if item.done { "[x] " } else { "[ ] " }),
                        Span::styled(
                            if item.blocking { "! " } else { "  " },
                            t.level(crate::analysis::Level::High),
                        ),
                        Span::raw(inert(&item.text).into_owned()),
                    ],
                )
            }
        })
        .collect();
    let detail = match app.check_rows.get(app.checklist.at) {
        Some(CheckRow::Item(k)) => {
            let item = &c.items[*k];
            let mut d = vec![Line::from(vec![
                Span::styled(
                    format!(
                        "{} ",
                        if item.blocking {
                            "BLOCKING"
                        } else {
                            "optional"
                        }
                    ),
                    t.heading(),
                ),
                Span::raw(format!(
                    "owner {}, {}, id {}",
                    inert(&item.owner),
                    item.phase.as_str(),
                    inert(&item.id)
                )),
            ])];
            // The row above already shows the text: the why comes first,
            // wrapped whole where the box allows, then the text in full.
            d.extend(wrapped(
                &format!("why: {}", item.why),
                area.width,
                Style::new(),
            ));
            d.extend(wrapped(&item.text, area.width, t.dim()));
            d
        }
        _ => Vec::new(),
    };
    entries(
        app,
        crate::tui::action::Pane::Checklist,
        area,
        buf,
        app.checklist,
        rows,
        detail,
    );
}

//! The Impact pane: what the plan changes or makes worse, then what was
//! already so, each with its cause chain.

use super::{empty, entries, wrapped};
use crate::analysis::Status;
use crate::report::{chain_text, percent};
use crate::text::inert;
use crate::topology::Node;
use crate::tui::app::{App, ImpactRow};
use crate::tui::view::split_pane;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn impact(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let asmt = &app.review().assessment;
    if app.impact_rows.is_empty() {
        empty(
            app,
            area,
            buf,
            &[
                "Nothing is affected.",
                "",
                "In the service list, mark what the change touches:",
                "  space  reboot      u  update      x  what-if down",
            ],
        );
        return;
    }
    let (list, _) = split_pane(area);
    let rows = app
        .impact_rows
        .iter()
        .enumerate()
        .skip(app.impact.offset)
        .take(list.height as usize)
        .map(|(i, &row)| {
            let id = match row {
                ImpactRow::Node(id) => id,
                ImpactRow::Before(n) => {
                    return (
                        i,
                        vec![Span::styled(
                            format!("ALREADY SO BEFORE THE CHANGE ({n})"),
                            t.heading(),
                        )],
                    );
                }
            };
            let st = asmt.status(id);
            let (label, users) = match app.topo().node(id) {
                Node::Service(s) => (
                    inert(&s.id).into_owned(),
                    s.users
                        .filter(|_| matches!(st, Status::Down | Status::Degraded))
                        .map(|u| format!(" {}", percent(u)))
                        .unwrap_or_default(),
                ),
                Node::Group(g) => (format!("{} (group)", inert(&g.id)), String::new()),
            };
            let chain = chain_text(app.topo(), asmt, id, t.sym.glyphs);
            let rest = chain
                .split_once(' ')
                .map(|(_, r)| r.to_string())
                .unwrap_or_default();
            (
                i,
                vec![
                    Span::styled(format!("{:<9}", st.as_str().to_uppercase()), t.status(st)),
                    Span::styled(label, t.heading()),
                    Span::styled(users, t.heading()),
                    Span::raw(format!(" {}", inert(&rest))),
                ],
            )
        })
        .collect();
    let detail = match app.impact_focus() {
        Some(id) => {
            let mut d = wrapped(
                &format!("why: {}", chain_text(app.topo(), asmt, id, t.sym.glyphs)),
                area.width,
                Style::new(),
            );
            // Worse than it was, but it was not fine either: say so.
            let before = app.standing_status(id);
            if before != Status::Ok && before != asmt.status(id) {
                d.push(Line::from(Span::styled(
                    format!("before the change: {}", before.as_str()),
                    t.dim(),
                )));
            }
            d.push(Line::from(Span::styled(
                "enter: go to the service",
                t.dim(),
            )));
            d
        }
        None => Vec::new(),
    };
    entries(
        app,
        crate::tui::action::Pane::Impact,
        area,
        buf,
        app.impact,
        rows,
        detail,
    );
}

//! The Findings pane: the plan's own findings first.

use super::{empty, entries, wrapped};
use crate::text::inert;
use crate::tui::app::App;
use crate::tui::view::split_pane;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn findings(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let f = &app.review().assessment.findings;
    if f.is_empty() {
        empty(
            app,
            area,
            buf,
            &["No findings: no missing or broken failover in this plan."],
        );
        return;
    }
    let (list, _) = split_pane(area);
    let rows = f
        .iter()
        .enumerate()
        .skip(app.findings.offset)
        .take(list.height as usize)
        .map(|(i, x)| {
            let subjects: Vec<String> = x
                .subjects
                .iter()
                .map(|&n| inert(app.topo().id(n)).into_owned())
                .collect();
            (
                i,
                vec![
                    Span::styled(
                        format!("{:<9}", x.severity.as_str().to_uppercase()),
                        t.level(x.severity),
                    ),
                    Span::styled(x.kind.as_str().to_string(), t.heading()),
                    Span::raw(format!(" {}", subjects.join(", "))),
                ],
            )
        })
        .collect();
    let detail = f
        .get(app.findings.at)
        .map(|x| {
            let mut d = wrapped(&x.message, area.width, Style::new());
            if x.severity.is_blocking() {
                d.insert(
                    0,
                    Line::from(Span::styled(
                        "blocking: deal with it before approval",
                        t.level(x.severity),
                    )),
                );
            }
            d
        })
        .unwrap_or_default();
    entries(
        app,
        crate::tui::action::Pane::Findings,
        area,
        buf,
        app.findings,
        rows,
        detail,
    );
}

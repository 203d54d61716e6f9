//! The Exposure pane: what else can fail during the window, and who it
//! takes down. Computed on a worker thread: "computing" until it is there.

use super::{empty, wrapped};
use crate::report::{exposed_line, exposure_summary};
use crate::tui::app::App;
use crate::tui::view::put_spans;
use crate::tui::work::Answer;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn exposure(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let e = match app.exposure() {
        Answer::NotAsked | Answer::Computing => {
            empty(
                app,
                area,
                buf,
                &[
                    "computing what else can fail during the window...",
                    "(on another thread: keep marking, it follows)",
                ],
            );
            return;
        }
        Answer::Ready(e) => e,
    };
    let width = area.width.saturating_sub(1);
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "If this also fails during the window:",
        t.heading(),
    ))];
    lines.extend(wrapped(&exposure_summary(e), width, t.dim()));
    lines.push(Line::from(""));
    if e.entries.is_empty() {
        lines.push(Line::from("no single failure would take more users down"));
    }
    for x in &e.entries {
        lines.extend(wrapped(
            &format!("- {}", exposed_line(app.topo(), x)),
            width,
            if x.before { Style::new() } else { t.heading() },
        ));
    }
    for (i, l) in lines
        .into_iter()
        .skip(app.exposure_scroll)
        .take(area.height as usize)
        .enumerate()
    {
        put_spans(buf, area, area.y + i as u16, l.spans, app);
    }
}

//! The Alerts pane: what may be silenced and what must stay loud.

use super::wrapped;
use crate::tui::app::App;
use crate::tui::view::put_spans;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

pub(super) fn alerts(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let al = &app.review().alerts;
    let list = |v: &[String]| {
        if v.is_empty() {
            "nothing".to_string()
        } else {
            v.join(", ")
        }
    };
    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "May be silenced, for the window only:",
        t.heading(),
    ))];
    lines.extend(wrapped(
        &list(&al.silence),
        area.width.saturating_sub(2),
        Style::new(),
    ));
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Keep loud (never silence: peers, impacted, entry points):",
        t.heading(),
    )));
    lines.extend(wrapped(
        &list(&al.keep_loud),
        area.width.saturating_sub(2),
        Style::new(),
    ));
    for (i, l) in lines
        .into_iter()
        .skip(app.alerts_scroll)
        .take(area.height as usize)
        .enumerate()
    {
        put_spans(buf, area, area.y + i as u16, l.spans, app);
    }
}

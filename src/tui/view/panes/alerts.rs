//! The Alerts pane: what may be silenced and what must stay loud.

use super::page;
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub(super) fn alerts(app: &App, area: Rect, buf: &mut Buffer) {
    page(
        app,
        area,
        buf,
        app.alerts_page(area.width as usize),
        app.alerts_scroll,
    );
}

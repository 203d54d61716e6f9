//! The Waves pane: each wave of the plan assessed alone against the
//! standing estate, what goes in it, and the gate before the next.

use super::page;
use crate::tui::app::App;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

pub(super) fn waves(app: &App, area: Rect, buf: &mut Buffer) {
    page(
        app,
        area,
        buf,
        app.waves_page(area.width as usize),
        app.waves_scroll,
    );
}

//! Where everything goes on the screen: the regions for a terminal size,
//! and which tab sits where. The app reads it for the mouse and the page
//! size, the view for drawing: neither imports the other for it.

use super::action::Pane;
use super::app::Focus;
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{Block, Borders};

/// Below this the screen says how much room it needs instead of drawing.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 16;

/// The width from which several panes show side by side (DESIGN.md: "On a
/// wide screen (160 columns and more) several panes show at once").
pub const DASHBOARD_WIDTH: u16 = 160;

/// A pane shown beside the current one on a wide screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneArea {
    pub pane: Pane,
    pub block: Rect,
    pub inner: Rect,
}

/// The screen's regions (inner areas, inside borders).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Areas {
    /// The pane the operator is on (its tab shows its title when the tabs
    /// are compact).
    pub current: Option<Pane>,
    /// Several panes side by side: the current one in `pane`, the others in
    /// `others`.
    pub dashboard: bool,
    pub others: [Option<PaneArea>; 2],
    pub too_small: bool,
    pub header: Rect,
    pub list_block: Rect,
    pub list: Rect,
    pub details_block: Rect,
    pub details: Rect,
    pub pane_block: Rect,
    /// The pane's inner area.
    pub pane: Rect,
    pub footer: Rect,
}

impl Areas {
    /// Rows of the service list.
    pub fn list_rows(&self) -> usize {
        self.list.height as usize
    }

    /// Rows of the pane's entry list (the rest shows the selected entry).
    pub fn pane_rows(&self) -> usize {
        let (rows, _) = split_pane(self.pane);
        rows.height as usize
    }
}

/// Entries on top, the selected entry in full below.
pub fn split_pane(pane: Rect) -> (Rect, Rect) {
    // A taller pane gives the details more room (a checklist item's why is
    // often several lines at a dashboard column's width), the list most.
    let detail = if pane.height >= 14 {
        (pane.height / 4).clamp(5, 12)
    } else {
        4
    }
    .min(pane.height / 2);
    let rows = Rect {
        height: pane.height.saturating_sub(detail + 1),
        ..pane
    };
    let det = Rect {
        y: pane.y + rows.height + 1,
        height: detail,
        ..pane
    };
    (rows, det)
}

/// The panes of the dashboard's three columns when `current` is shown,
/// each with how many columns it takes: Impact, Findings, and Checklist,
/// unless the operator picked another pane, which then takes the third
/// column; the graph takes the second and third, so that its trees sit
/// side by side before they need a scroll.
pub fn dashboard_panes(current: Pane) -> &'static [(Pane, u16)] {
    match current {
        Pane::Impact | Pane::Findings | Pane::Checklist => {
            &[(Pane::Impact, 1), (Pane::Findings, 1), (Pane::Checklist, 1)]
        }
        Pane::Graph => &[(Pane::Impact, 1), (Pane::Graph, 2)],
        Pane::Alerts => &[(Pane::Impact, 1), (Pane::Findings, 1), (Pane::Alerts, 1)],
        Pane::Exposure => &[(Pane::Impact, 1), (Pane::Findings, 1), (Pane::Exposure, 1)],
        Pane::Waves => &[(Pane::Impact, 1), (Pane::Findings, 1), (Pane::Waves, 1)],
    }
}

/// Computes the regions for a terminal of `w` x `h`, with `current` the
/// pane the operator is on.
pub fn areas(w: u16, h: u16, _focus: Focus, current: Pane) -> Areas {
    if w < MIN_WIDTH || h < MIN_HEIGHT {
        return Areas {
            too_small: true,
            ..Areas::default()
        };
    }
    if w >= DASHBOARD_WIDTH && h >= 24 {
        return Areas {
            current: Some(current),
            ..dashboard(w, h, current)
        };
    }
    let header = Rect::new(0, 0, w, 1);
    let footer = Rect::new(0, h - 1, w, 1);
    let body_h = h - 2;
    let list_w = (w * 3 / 8).clamp(30, 48);
    let list_block = Rect::new(0, 1, list_w, body_h);
    let right_x = list_w;
    let right_w = w - list_w;
    let (details_block, pane_block) = if w >= 140 {
        let dw = (right_w * 2 / 5).max(40);
        (
            Rect::new(right_x, 1, dw, body_h),
            Rect::new(right_x + dw, 1, right_w - dw, body_h),
        )
    } else {
        let dh = if body_h >= 30 { 12 } else { 8 };
        (
            Rect::new(right_x, 1, right_w, dh),
            Rect::new(right_x, 1 + dh, right_w, body_h - dh),
        )
    };
    let inner = |r: Rect| Block::new().borders(Borders::ALL).inner(r);
    Areas {
        current: Some(current),
        dashboard: false,
        others: [None, None],
        too_small: false,
        header,
        list_block,
        list: inner(list_block),
        details_block,
        details: inner(details_block),
        pane_block,
        pane: inner(pane_block),
        footer,
    }
}

/// The wide screen of a meeting room: the service list on the left, the
/// focused service's details across the top right, and three panes side by
/// side below them.
fn dashboard(w: u16, h: u16, current: Pane) -> Areas {
    let inner = |r: Rect| Block::new().borders(Borders::ALL).inner(r);
    let header = Rect::new(0, 0, w, 1);
    let footer = Rect::new(0, h - 1, w, 1);
    let body_h = h - 2;
    let list_w = (w / 5).clamp(30, 44);
    let list_block = Rect::new(0, 1, list_w, body_h);
    let right_x = list_w;
    let right_w = w - list_w;
    let dh = if body_h >= 40 { 12 } else { 9 };
    let details_block = Rect::new(right_x, 1, right_w, dh);
    let col_w = right_w / 3;
    let mut others = [None, None];
    let mut current_block = Rect::default();
    let mut k = 0;
    let mut used = 0;
    for &(p, cols) in dashboard_panes(current) {
        let x = right_x + col_w * used;
        used += cols;
        let width = if used == 3 {
            right_w - col_w * (used - cols)
        } else {
            col_w * cols
        };
        let block = Rect::new(x, 1 + dh, width, body_h - dh);
        if p == current {
            current_block = block;
        } else {
            others[k] = Some(PaneArea {
                pane: p,
                block,
                inner: inner(block),
            });
            k += 1;
        }
    }
    Areas {
        current: Some(current),
        dashboard: true,
        others,
        too_small: false,
        header,
        list_block,
        list: inner(list_block),
        details_block,
        details: inner(details_block),
        pane_block: current_block,
        pane: inner(current_block),
        footer,
    }
}

/// The pane whose tab title is at a screen position, if any. Tabs are drawn
/// in the pane block's top border as ` 1 Impact  2 Findings ...`.
pub fn tab_at(a: &Areas, x: u16, y: u16) -> Option<Pane> {
    if a.dashboard {
        // Each column is its own pane: a click anywhere on another one
        // goes to it.
        return a
            .others
            .iter()
            .flatten()
            .find(|o| o.block.contains(Position { x, y }))
            .map(|o| o.pane);
    }
    if y != a.pane_block.y {
        return None;
    }
    let mut cx = a.pane_block.x + 1;
    let compact = compact_tabs(a);
    for p in Pane::ALL {
        let w = tab_label(p, compact, a.current == Some(p)).chars().count() as u16;
        if x >= cx && x < cx + w {
            return Some(p);
        }
        cx += w;
    }
    None
}

/// Tabs lose their padding and the titles of the panes not shown when the
/// pane is narrow, so all of them fit.
pub(super) fn compact_tabs(a: &Areas) -> bool {
    a.pane_block.width < 76
}

pub(super) fn tab_label(p: Pane, compact: bool, current: bool) -> String {
    if compact && !current {
        format!("{} ", p.index() + 1)
    } else if compact {
        format!("{} {} ", p.index() + 1, p.title())
    } else {
        format!(" {} {} ", p.index() + 1, p.title())
    }
}

/// Whether a position falls in a rectangle (ratatui's own check, re-exported
/// for the app's mouse handling).
pub fn contains(r: Rect, x: u16, y: u16) -> bool {
    r.contains(Position { x, y })
}

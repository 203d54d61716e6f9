//! Moving around: cursors, focus, paging, clicks and jumps.

use super::{App, CheckRow, Cursor, Focus, ImpactRow};
use crate::topology::NodeId;
use crate::tui::action::Pane;
use crate::tui::layout;

impl Cursor {
    /// Moves by `delta` within `len` entries and keeps the cursor inside a
    /// window of `height` rows.
    pub(super) fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let at = (self.at as isize + delta).clamp(0, len as isize - 1) as usize;
        self.at = at;
        self.follow(height);
    }

    /// Moves by `delta` among the rows of `0..len` for which `selectable`
    /// holds (headings are not), keeping the cursor inside a window of
    /// `height` rows, and the rows above the first selectable one in view
    /// when the cursor is on it.
    pub(super) fn step_among(
        &mut self,
        len: usize,
        selectable: impl Fn(usize) -> bool,
        delta: isize,
        height: usize,
    ) {
        let items: Vec<usize> = (0..len).filter(|&i| selectable(i)).collect();
        if items.is_empty() {
            *self = Cursor::default();
            return;
        }
        let pos = items
            .iter()
            .position(|&r| r >= self.at)
            .unwrap_or(items.len() - 1) as isize;
        let next = (pos + delta).clamp(0, items.len() as isize - 1) as usize;
        self.at = items[next];
        if next == 0 {
            self.offset = 0;
        }
        self.follow(height);
    }

    pub(super) fn follow(&mut self, height: usize) {
        let height = height.max(1);
        if self.at < self.offset {
            self.offset = self.at;
        } else if self.at >= self.offset + height {
            self.offset = self.at + 1 - height;
        }
    }
}

impl App {
    pub(super) fn cycle_focus(&mut self, dir: isize) {
        // Ring: list, then each pane.
        let pos = match self.focus {
            Focus::List => 0,
            Focus::Pane => self.pane.index() as isize + 1,
        };
        let next = (pos + dir).rem_euclid(Pane::ALL.len() as isize + 1);
        if next == 0 {
            self.focus = Focus::List;
        } else {
            self.focus = Focus::Pane;
            self.pane = Pane::ALL[next as usize - 1];
        }
        self.follow_all();
    }

    /// Rows a page-up/down moves in the focused view.
    pub(super) fn page(&self) -> usize {
        let a = self.areas();
        match self.focus {
            Focus::List => a.list_rows().max(2) - 1,
            Focus::Pane => a.pane_rows().max(2) - 1,
        }
    }

    pub(super) fn move_by(&mut self, delta: isize) {
        match self.focus {
            Focus::List => {
                let rows = self.areas().list_rows();
                self.list.step(delta, self.visible.len(), rows);
            }
            Focus::Pane => self.move_pane(delta),
        }
    }

    pub(super) fn move_pane(&mut self, delta: isize) {
        let rows = self.areas().pane_rows();
        match self.pane {
            Pane::Impact => self.move_impact(delta, rows),
            Pane::Findings => {
                let n = self.review().assessment.findings.len();
                self.findings.step(delta, n, rows);
            }
            Pane::Checklist => self.move_checklist(delta, rows),
            Pane::Alerts => {
                self.alerts_scroll = self.page_scroll(Pane::Alerts, self.alerts_scroll, delta);
            }
            Pane::Waves => {
                self.waves_scroll = self.page_scroll(Pane::Waves, self.waves_scroll, delta);
            }
            Pane::Exposure => {
                let n = match self.worker_entries() {
                    Some(n) => n + 4,
                    None => 0,
                };
                let height = self.areas().pane.height as usize;
                let max = n.saturating_sub(height) as isize;
                self.exposure_scroll =
                    (self.exposure_scroll as isize + delta).clamp(0, max.max(0)) as usize;
            }
            Pane::Graph => {
                // Never past the last row (the pane keeps one for its
                // scroll hint).
                let g = self.graph();
                let rows = g.room.height.saturating_sub(1).max(1);
                let max = g.height.saturating_sub(rows) as isize;
                self.graph_scroll.1 = (self.graph_scroll.1 as isize + delta).clamp(0, max) as usize;
            }
        }
    }

    /// A page's scroll moved by `delta`, never past its last line (the
    /// pane's text at the width it shows at).
    fn page_scroll(&self, pane: Pane, scroll: usize, delta: isize) -> usize {
        let area = layout::areas(self.size.0, self.size.1, self.focus, pane).pane;
        let lines = match pane {
            Pane::Waves => self.waves_page(area.width as usize).len(),
            _ => self.alerts_page(area.width as usize).len(),
        };
        let max = lines.saturating_sub(area.height as usize) as isize;
        (scroll as isize + delta).clamp(0, max.max(0)) as usize
    }

    /// Keeps the pages' scrolls inside their text after it changed (a new
    /// plan, another size).
    /// A page at its top costs nothing here: a mark at 100,000 services
    /// does not wrap the alert lists for it.
    pub(super) fn clamp_pages(&mut self) {
        if self.alerts_scroll > 0 {
            self.alerts_scroll = self.page_scroll(Pane::Alerts, self.alerts_scroll, 0);
        }
        if self.waves_scroll > 0 {
            self.waves_scroll = self.page_scroll(Pane::Waves, self.waves_scroll, 0);
        }
    }

    /// Moves among item rows, skipping phase headings, keeping the heading
    /// of the first item in view.
    pub(super) fn move_checklist(&mut self, delta: isize, rows: usize) {
        let rows_of = &self.check_rows;
        let item = |i: usize| matches!(rows_of[i], CheckRow::Item(_));
        self.checklist.step_among(rows_of.len(), item, delta, rows);
    }

    /// Moves among node rows, skipping the "before the change" heading.
    pub(super) fn move_impact(&mut self, delta: isize, rows: usize) {
        let rows_of = &self.impact_rows;
        let node = |i: usize| matches!(rows_of[i], ImpactRow::Node(_));
        self.impact.step_among(rows_of.len(), node, delta, rows);
    }

    /// The node under the impact pane's cursor.
    pub fn impact_focus(&self) -> Option<NodeId> {
        self.impact_rows.get(self.impact.at).and_then(|r| r.node())
    }

    pub(super) fn follow_all(&mut self) {
        let a = self.areas();
        self.list.follow(a.list_rows());
        self.impact.follow(a.pane_rows());
        self.findings.follow(a.pane_rows());
        self.checklist.follow(a.pane_rows());
    }

    pub(super) fn jump(&mut self) {
        let target = match self.pane {
            Pane::Impact => self.impact_focus(),
            Pane::Findings => self
                .review()
                .assessment
                .findings
                .get(self.findings.at)
                .and_then(|f| {
                    f.subjects
                        .iter()
                        .copied()
                        .find(|&s| self.topo().as_service(s).is_some())
                        .or_else(|| {
                            self.topo()
                                .as_group(f.subjects[0])
                                .and_then(|g| g.members.first().copied())
                        })
                }),
            _ => None,
        };
        let target = match target.map(|t| (t, self.topo().as_group(t))) {
            Some((_, Some(g))) => g.members.first().copied(),
            Some((t, None)) => Some(t),
            None => None,
        };
        let Some(t) = target else { return };
        if !self.filter.is_empty() {
            self.clear_filter();
        }
        if let Some(pos) = self.visible.iter().position(|&i| i == t.index()) {
            self.list.at = pos;
            self.focus = Focus::List;
            self.follow_all();
        }
    }

    pub(super) fn click(&mut self, x: u16, y: u16) {
        let a = self.areas();
        let p = (x, y).into();
        if a.list.contains(p) {
            let row = (y - a.list.y) as usize + self.list.offset;
            if row < self.visible.len() {
                self.list.at = row;
            }
            self.focus = Focus::List;
        } else if let Some(pane) = layout::tab_at(&a, x, y) {
            self.pane = pane;
            self.focus = Focus::Pane;
        } else if a.pane.contains(p) {
            self.focus = Focus::Pane;
            let row = (y - a.pane.y) as usize;
            match self.pane {
                Pane::Impact => {
                    let r = row + self.impact.offset;
                    if let Some(ImpactRow::Node(_)) = self.impact_rows.get(r) {
                        self.impact.at = r;
                    }
                }
                Pane::Findings
                    if row + self.findings.offset < self.review().assessment.findings.len() =>
                {
                    self.findings.at = row + self.findings.offset;
                }
                Pane::Checklist => {
                    let r = row + self.checklist.offset;
                    if let Some(CheckRow::Item(_)) = self.check_rows.get(r) {
                        self.checklist.at = r;
                    }
                }
                _ => {}
            }
        }
    }
}

//! Drawing: reads the [`App`], never changes it.
//!
//! The screen at 80x24 (and wider, the same shape with more room; at 140
//! columns and more the details and the pane sit side by side):
//!
//! ```text
//! header: topology, changes, RISK, users down/degraded, approval
//! +- Services -----+ +- Details ---------------------+
//! | list           | | the focused service           |
//! |                | +- Impact|Findings|Checklist.. -+
//! |                | | the pane                      |
//! +----------------+ +-------------------------------+
//! status line / footer hints from the keymap
//! ```

mod details;
mod list;
mod overlay;
mod panes;

use super::app::App;
use super::keymap;
use crate::text::truncate;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Widget};

pub use super::layout::{Areas, MIN_HEIGHT, MIN_WIDTH, areas, split_pane, tab_at};
use super::layout::{compact_tabs, tab_label};

impl Widget for &App {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let a = self.areas();
        if a.too_small || area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
            too_small(self, area, buf);
            return;
        }
        header(self, a.header, buf);
        list::render(self, &a, buf);
        details::render(self, &a, buf);
        panes::render(self, &a, buf);
        footer(self, a.footer, buf);
        // The help and the messages take the screen under the header: the
        // risk shows at all times (DESIGN.md).
        let page = Rect {
            y: area.y + 1,
            height: area.height - 1,
            ..area
        };
        if let Some(scroll) = self.help {
            overlay::help(self, page, buf, scroll);
        } else if let Some(scroll) = self.log().open {
            overlay::messages(self, page, buf, scroll);
        }
        if let Some((kind, text)) = &self.prompt {
            overlay::prompt(self, area, buf, *kind, text);
        }
    }
}

/// A bordered block, highlighted when focused.
fn block<'a>(app: &App, title: Line<'a>, focused: bool) -> Block<'a> {
    let style = if focused {
        app.theme.focused()
    } else {
        Style::new()
    };
    Block::new()
        .borders(Borders::ALL)
        .border_set(app.theme.sym.border)
        .border_style(style)
        .title(title)
}

/// Writes `text` into one row, cut with an ellipsis to the width.
fn put(buf: &mut Buffer, x: u16, y: u16, width: u16, text: &str, style: Style, app: &App) {
    if width == 0 {
        return;
    }
    let s = truncate(text, width as usize, app.theme.sym.glyphs.ellipsis);
    buf.set_stringn(x, y, s, width as usize, style);
}

/// Writes spans into one row, cutting the last visible one with an ellipsis.
fn put_spans(buf: &mut Buffer, area: Rect, y: u16, spans: Vec<Span<'_>>, app: &App) {
    let mut x = area.x;
    let end = area.x + area.width;
    let ell = app.theme.sym.glyphs.ellipsis;
    for s in spans {
        if x >= end {
            break;
        }
        let room = (end - x) as usize;
        let text = s.content.as_ref();
        let len = text.chars().count();
        if len > room {
            let cut = truncate(text, room, ell);
            buf.set_stringn(x, y, &cut, room, s.style);
            break;
        }
        buf.set_stringn(x, y, text, room, s.style);
        x += len as u16;
    }
}

fn header(app: &App, area: Rect, buf: &mut Buffer) {
    let a = &app.review().assessment;
    let t = &app.theme;
    let (changes, _) = app.counts();
    let c = &app.review().checklist;
    let approval = if changes == 0 {
        String::new()
    } else if app.review().ready() {
        " READY".to_string()
    } else if app.review().needs_accept().is_some() {
        format!(" NOT READY ({} open, not accepted)", c.open_blocking())
    } else {
        format!(" NOT READY ({} open)", c.open_blocking())
    };
    let users_full = format!(
        " +{} down +{} degraded  before: {} ",
        crate::report::percent(a.users.added_down),
        crate::report::percent(a.users.added_degraded),
        a.risk_before.as_str().to_uppercase()
    );
    let users_short = format!(
        " +{} down +{} degr  before: {} ",
        crate::report::percent(a.users.added_down),
        crate::report::percent(a.users.added_degraded),
        a.risk_before.as_str().to_uppercase()
    );
    let name = crate::text::truncate(
        &crate::text::inert(&app.topo().name),
        24,
        t.sym.glyphs.ellipsis,
    );
    // Live state: the time of the last observation, PARTIAL when a source
    // could not be read, "live..." while a refresh runs.
    let live = match (app.session().observations(), app.background_pending()) {
        (Some(o), _) => Some(format!(
            " live {}{} ",
            &crate::text::rfc3339(o.at)[11..19],
            if o.partial { " PARTIAL" } else { "" }
        )),
        (None, true) if app.live_enabled() => Some(" live... ".to_string()),
        _ => None,
    };
    let approval_short = if approval.is_empty() {
        String::new()
    } else if app.review().ready() {
        " READY".to_string()
    } else {
        " NOT READY".to_string()
    };
    let build = |users: String, approval: String| {
        vec![
            Span::styled(format!(" {name} "), t.heading()),
            Span::raw(format!(
                "{} change{} ",
                changes,
                if changes == 1 { "" } else { "s" }
            )),
            Span::styled(
                format!(" RISK {} ", a.risk.as_str().to_uppercase()),
                t.risk_badge(a.risk),
            ),
            Span::raw(users),
            Span::styled(approval, t.heading()),
        ]
        .into_iter()
        .chain(live.clone().map(|l| Span::styled(l, t.heading())))
        .collect::<Vec<_>>()
    };
    let width = |v: &Vec<Span>| v.iter().map(|s| s.content.chars().count()).sum::<usize>();
    // The window, when set: what the meeting approves is a change at a
    // time, shown where there is room for it.
    let plan = app.plan();
    let window = match (&plan.start, plan.minutes) {
        (None, None) => None,
        _ => Some(format!(" window {} ", crate::review::window(plan))),
    };
    let with_window = |mut v: Vec<Span<'static>>| {
        if let Some(w) = &window {
            v.push(Span::styled(w.clone(), t.dim()));
        }
        v
    };
    let mut spans = with_window(build(users_full.clone(), approval.clone()));
    for candidate in [
        build(users_full.clone(), approval.clone()),
        build(users_short.clone(), approval.clone()),
        build(users_full, approval_short.clone()),
        build(users_short, approval_short),
    ] {
        if width(&spans) <= area.width as usize {
            break;
        }
        spans = candidate;
    }
    // Whole spans only: a count cut to "1..." would misread as one.
    let mut room = area.width as usize;
    let mut whole = Vec::new();
    for s in spans {
        let w = s.content.chars().count();
        if w > room {
            break;
        }
        room -= w;
        whole.push(s);
    }
    put_spans(buf, area, area.y, whole, app);
}

fn footer(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let room = area.width as usize;
    if let Some(m) = &app.message
        && app.help.is_none()
        && app.prompt.is_none()
        && !app.filtering
    {
        let m = crate::text::inert(m).into_owned();
        let used = m.chars().count() + 3;
        if used > room {
            // Too long for one line: wrapped over up to three lines that
            // end on the footer, drawn over the bottom of the screen, so
            // where a file went is read whole at 80 columns, not cut.
            let mut lines = crate::text::wrap(&m, room.max(1));
            if lines.len() > 3 {
                // Longer still: the start, and where the rest is.
                lines.truncate(2);
                lines.push(format!("... {}", crate::tui::app::AGAIN_WHOLE));
            }
            let n = lines.len().min(3) as u16;
            for (i, l) in lines.iter().take(3).enumerate() {
                let y = (area.y + i as u16).saturating_sub(n - 1);
                let row = Rect {
                    y,
                    height: 1,
                    ..area
                };
                ratatui::widgets::Clear.render(row, buf);
                put(buf, area.x, y, area.width, l, t.heading(), app);
            }
            return;
        }
        let mut spans = vec![Span::styled(m, t.heading()), Span::raw("   ")];
        spans.extend(hint_spans(app, room.saturating_sub(used)));
        put_spans(buf, area, area.y, spans, app);
        return;
    }
    put_spans(buf, area, area.y, hint_spans(app, room), app);
}

/// The footer hints that fit whole in `room` columns: a hint is never cut
/// between its key and its word.
fn hint_spans(app: &App, room: usize) -> Vec<Span<'static>> {
    let t = &app.theme;
    let ascii = t.sym.glyphs == crate::report::Glyphs::ASCII;
    let mut spans = Vec::new();
    let mut used = 0;
    for (key, word) in keymap::hints(app.context(), ascii) {
        let w = key.chars().count() + word.chars().count() + 3;
        if used + w > room + 2 {
            break;
        }
        used += w;
        spans.push(Span::styled(key, t.key()));
        spans.push(Span::raw(format!(" {word}  ")));
    }
    spans
}

fn too_small(app: &App, area: Rect, buf: &mut Buffer) {
    let text = format!(
        "blastradius needs {MIN_WIDTH}x{MIN_HEIGHT} or more; this terminal is {}x{}. Enlarge it, or run `blastradius check` for text. q quits.",
        area.width, area.height
    );
    let lines = crate::text::wrap(&text, area.width as usize);
    for (i, l) in lines.iter().enumerate() {
        let y = area.y + i as u16;
        if y >= area.y + area.height {
            break;
        }
        put(buf, area.x, y, area.width, l, Style::new(), app);
    }
}

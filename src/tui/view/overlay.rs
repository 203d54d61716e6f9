//! Popups drawn over the screen: the key help, the messages, the
//! file-name prompt and its yes-or-no questions.

use super::{put, put_spans};
use crate::tui::action::PromptKind;
use crate::tui::app::App;
use crate::tui::keymap;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// The help, generated from the keymap table.
pub fn help(app: &App, area: Rect, buf: &mut Buffer, scroll: usize) {
    let t = &app.theme;
    // The whole screen under the header: a smaller popup leaves slivers of
    // the panes around it, which read as garbage on a shared screen.
    let r = area;
    Clear.render(r, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(t.sym.border)
        .border_style(t.focused())
        .title(" Keys (? or esc closes, j/k scroll) ");
    let inner = block.inner(r);
    block.render(r, buf);
    let mut lines: Vec<Line> = vec![
        Line::from("Marks in the list: R reboot, U update, X what-if down."),
        Line::from("Statuses: DOWN, DEGR degraded, RISK at-risk (no spare left), ok."),
        Line::from("Checklist: ! blocking (tick before approval)."),
    ];
    let ascii = t.sym.glyphs == crate::report::Glyphs::ASCII;
    for (title, rows) in keymap::help(ascii) {
        lines.push(Line::from(""));
        lines.push(Line::from(Span::styled(title, t.heading())));
        for (keys, what) in rows {
            // Wrapped under its column, not cut: every word of the help is
            // read at 80 columns.
            let room = (inner.width as usize).saturating_sub(24);
            for (i, part) in crate::text::wrap(what, room).into_iter().enumerate() {
                let keys = if i == 0 { keys.as_str() } else { "" };
                lines.push(Line::from(vec![
                    Span::styled(format!("  {keys:<22}"), t.key()),
                    Span::raw(part),
                ]));
            }
        }
    }
    let max = lines.len().saturating_sub(inner.height as usize);
    for (i, l) in lines
        .into_iter()
        .skip(scroll.min(max))
        .take(inner.height as usize)
        .enumerate()
    {
        put_spans(buf, inner, inner.y + i as u16, l.spans, app);
    }
}

/// The recent status messages and the autosave files (`m`), wrapped, not
/// cut: a path is read whole at 80 columns.
pub fn messages(app: &App, area: Rect, buf: &mut Buffer, scroll: usize) {
    let t = &app.theme;
    Clear.render(area, buf);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(t.sym.border)
        .border_style(t.focused())
        .title(" Messages (m or esc closes, j/k scroll) ");
    let inner = block.inner(area);
    block.render(area, buf);
    let width = inner.width as usize;
    let mut lines: Vec<Line> = Vec::new();
    // Wrapped with an indent, the first line after `first` (a bullet).
    let para = |lines: &mut Vec<Line>, indent: usize, first: &str, text: &str, style| {
        let wrapped = crate::text::wrap(
            &crate::text::inert(text),
            width.saturating_sub(indent + first.chars().count()),
        );
        for (i, l) in wrapped.into_iter().enumerate() {
            let lead = if i == 0 {
                format!("{:indent$}{first}", "")
            } else {
                " ".repeat(indent + first.chars().count())
            };
            lines.push(Line::from(Span::styled(format!("{lead}{l}"), style)));
        }
    };
    lines.push(Line::from(Span::styled(
        "Autosave files (each opens again with the command under it)",
        t.heading(),
    )));
    let files = app.autosave_files();
    if files.is_empty() {
        let why = match &app.autosave {
            crate::tui::persist::Autosave::Off(why) => why.as_str(),
            crate::tui::persist::Autosave::To(_) => "",
        };
        para(
            &mut lines,
            2,
            "",
            &format!("autosave is off ({why}): save the plan with `s`"),
            ratatui::style::Style::new(),
        );
    }
    for (what, path) in files {
        para(&mut lines, 2, "", what, t.dim());
        para(
            &mut lines,
            4,
            "",
            &path.display().to_string(),
            ratatui::style::Style::new(),
        );
        para(&mut lines, 4, "$ ", &app.reopen_command(path), t.key());
    }
    lines.push(Line::from(""));
    lines.push(Line::from(Span::styled(
        "Messages, newest first",
        t.heading(),
    )));
    let bullet = if t.sym.glyphs == crate::report::Glyphs::ASCII {
        "- "
    } else {
        "• "
    };
    let mut any = false;
    for m in app.log().newest_first() {
        any = true;
        para(&mut lines, 2, bullet, m, ratatui::style::Style::new());
    }
    if !any {
        para(&mut lines, 2, "", "nothing said yet", t.dim());
    }
    let max = lines.len().saturating_sub(inner.height as usize);
    for (i, l) in lines
        .into_iter()
        .skip(scroll.min(max))
        .take(inner.height as usize)
        .enumerate()
    {
        put_spans(buf, inner, inner.y + i as u16, l.spans, app);
    }
}

/// Asks a yes-or-no question: the file to replace, or why the work could
/// not be saved.
fn question(app: &App, area: Rect, buf: &mut Buffer, kind: PromptKind, text: &str) {
    let t = &app.theme;
    let r = centered(area, 70, 6);
    Clear.render(r, buf);
    let (title, first, second) = match kind {
        PromptKind::QuitUnsaved => (
            " Quit with unsaved work? ",
            format!("Not saved: {text}."),
            "y quits anyway, n stays (s saves the plan to a file)",
        ),
        PromptKind::ReplacePlan => (
            " Replace the file? ",
            format!("{text} exists: replace it with the plan?"),
            "y replaces it (its permissions are kept), n leaves it",
        ),
        PromptKind::MarkShown(_) => (
            " Mark what the filter shows? ",
            text.to_string(),
            "y does it (z undoes), n leaves the plan as it is",
        ),
        PromptKind::ClearPlan => (
            " Clear the plan? ",
            text.to_string(),
            "y clears it, n leaves it",
        ),
        _ => (
            " Replace the file? ",
            format!("{text} exists: replace it with the report?"),
            "y replaces it (its permissions are kept), n leaves it",
        ),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(t.sym.border)
        .border_style(t.focused())
        .title(title);
    let inner = block.inner(r);
    block.render(r, buf);
    let first = crate::text::inert(&first).into_owned();
    let lines = crate::text::wrap(&first, inner.width as usize);
    for (i, l) in lines.iter().take(2).enumerate() {
        put(
            buf,
            inner.x,
            inner.y + i as u16,
            inner.width,
            l,
            t.heading(),
            app,
        );
    }
    put(buf, inner.x, inner.y + 3, inner.width, second, t.dim(), app);
}

/// Asks for a file name, or a yes or no.
pub fn prompt(app: &App, area: Rect, buf: &mut Buffer, kind: PromptKind, text: &str) {
    if kind.is_question() {
        question(app, area, buf, kind, text);
        return;
    }
    let t = &app.theme;
    let r = centered(area, 70, 5);
    Clear.render(r, buf);
    let (title, hint) = match kind {
        PromptKind::SavePlan => (
            " Save the plan to (enter writes, esc cancels) ",
            "relative to the folder blastradius was started in",
        ),
        PromptKind::ExportReport => (
            " Export the Markdown report to (enter, esc) ",
            "relative to the folder blastradius was started in",
        ),
        PromptKind::Title => (
            " Title of the plan (enter, esc) ",
            "shown in the header and the report",
        ),
        PromptKind::Window => (
            " Window: start and minutes (enter, esc) ",
            "e.g. 2023-06-08T22:00:00+03:00 240 (at most 7 days)",
        ),
        PromptKind::AcceptWho => (
            " Who accepts the risk? (enter, esc) ",
            "the person accountable for the change",
        ),
        PromptKind::AcceptWhy => (
            " Why is the risk accepted? (enter, esc) ",
            "e.g. the EU site is drained to the US for the window",
        ),
        PromptKind::SignoffWho => (
            " Who signs off? (enter, esc) ",
            "a name for the approval record",
        ),
        _ => (
            " In what role? (enter, esc) ",
            "e.g. change owner, service owner, on-call",
        ),
    };
    let block = Block::new()
        .borders(Borders::ALL)
        .border_set(t.sym.border)
        .border_style(t.focused())
        .title(title);
    let inner = block.inner(r);
    block.render(r, buf);
    // Show the end of a long path: that is where the typing happens.
    let shown: String = {
        let chars: Vec<char> = crate::text::inert(text).chars().collect();
        let room = inner.width.saturating_sub(2) as usize;
        let start = chars.len().saturating_sub(room);
        chars[start..].iter().collect()
    };
    put(
        buf,
        inner.x,
        inner.y,
        inner.width,
        &format!("{shown}_"),
        t.heading(),
        app,
    );
    put(buf, inner.x, inner.y + 2, inner.width, hint, t.dim(), app);
}

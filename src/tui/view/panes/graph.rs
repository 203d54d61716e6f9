//! The Graph pane: the blast radius drawn as boxes and lines.

use super::empty;
use crate::tui::app::App;
use crate::tui::graph::LINK;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

pub(super) fn draw_graph(app: &App, area: Rect, buf: &mut Buffer) {
    let g = app.graph();
    if g.boxes.is_empty() {
        empty(
            app,
            area,
            buf,
            &["Nothing to draw: no change marked and nothing down."],
        );
        return;
    }
    let t = &app.theme;
    let sym = &t.sym;
    let ascii = sym.glyphs == crate::report::Glyphs::ASCII;
    let (sx, sy) = app.graph_scroll;
    let hint_needed =
        g.omitted > 0 || g.width > area.width as usize || g.height > area.height as usize;
    let full = area;
    let area = if hint_needed && area.height > 2 {
        Rect {
            height: area.height - 1,
            ..area
        }
    } else {
        area
    };
    // Writes a string at graph coordinates, clipped to the pane.
    let mut put_at = |gx: usize, gy: usize, s: &str, style: Style| {
        if gy < sy || gy - sy >= area.height as usize {
            return;
        }
        let y = area.y + (gy - sy) as u16;
        for (k, ch) in s.chars().enumerate() {
            let x = gx + k;
            if x < sx || x - sx >= area.width as usize {
                continue;
            }
            let mut tmp = [0u8; 4];
            buf.set_stringn(
                area.x + (x - sx) as u16,
                y,
                ch.encode_utf8(&mut tmp),
                1,
                style,
            );
        }
    };
    for b in &g.boxes {
        let y = b.y;
        let inner = b.width - 2;
        let top = match &b.tag {
            Some(tag) => {
                let tag: String = tag.chars().take(inner).collect();
                format!(
                    "{}{}{}{}",
                    sym.corner_tl,
                    tag,
                    sym.h.repeat(inner - tag.chars().count()),
                    sym.corner_tr
                )
            }
            None => format!("{}{}{}", sym.corner_tl, sym.h.repeat(inner), sym.corner_tr),
        };
        let style = t.status(b.status);
        put_at(b.x, y, &top, style);
        put_at(b.x, y + 1, sym.v, style);
        put_at(b.x + 1, y + 1, &format!("{:<inner$}", b.label), style);
        put_at(b.x + b.width - 1, y + 1, sym.v, style);
        put_at(
            b.x,
            y + 2,
            &format!("{}{}{}", sym.corner_bl, sym.h.repeat(inner), sym.corner_br),
            style,
        );
        if b.parent.is_some() {
            put_at(b.center(), y, sym.tee_up, style);
        }
        // A starting cause beside the box it weighs on: a dashed arrow
        // into that box, told apart from the solid lines of the chains
        // without colour.
        if let Some(into) = b.joins.and_then(|i| g.boxes.get(i)) {
            let (head, dash) = if ascii { ("<", ".") } else { ("←", "┄") };
            let arrow = format!("{head}{}", dash.repeat(LINK - 1));
            put_at(into.x + into.width, into.y + 1, &arrow, t.dim());
        }
    }
    // Connectors: from each parent's bottom down to a bar over its children.
    for (i, p) in g.boxes.iter().enumerate() {
        let kids: Vec<usize> = g
            .boxes
            .iter()
            .filter(|b| b.parent == Some(i))
            .map(|b| b.center())
            .collect();
        if kids.is_empty() {
            continue;
        }
        let y = p.y + 3;
        let px = p.center();
        put_at(px, y - 1, sym.tee_down, t.dim());
        put_at(px, y, sym.v, t.dim());
        let lo = kids.iter().copied().min().unwrap_or(px).min(px);
        let hi = kids.iter().copied().max().unwrap_or(px).max(px);
        for x in lo..=hi {
            let up = x == px;
            let down = kids.contains(&x);
            let ch = match (up, down, x == lo, x == hi) {
                (_, _, true, true) => sym.v,
                (true, true, _, _) => sym.cross,
                (true, false, true, _) => sym.corner_bl,
                (true, false, _, true) => sym.corner_br,
                (true, false, _, _) => sym.tee_up,
                (false, true, true, _) => sym.corner_tl,
                (false, true, _, true) => sym.corner_tr,
                (false, true, _, _) => sym.tee_down,
                _ => sym.h,
            };
            put_at(x, y + 1, ch, t.dim());
        }
    }
    if hint_needed {
        let area = full;
        let note = format!(
            "{}{}",
            if g.omitted > 0 {
                format!("+{} not drawn (see Impact) ", g.omitted)
            } else {
                String::new()
            },
            match (
                g.height > area.height as usize,
                g.width > area.width as usize
            ) {
                (true, true) => "j/k h/l scroll",
                (false, true) => "h/l scroll",
                _ => "j/k scroll",
            }
        );
        let w = note.chars().count() as u16;
        if w < area.width {
            buf.set_stringn(
                area.x + area.width - w,
                area.y + area.height - 1,
                note,
                w as usize,
                t.dim(),
            );
        }
    }
}

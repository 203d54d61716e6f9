//! The tabbed pane: impact, findings, checklist, alerts, graph.

use super::{Areas, block, put, put_spans, split_pane, tab_label};
use crate::analysis::Status;
use crate::report::{chain_text, percent};
use crate::text::{inert, wrap};
use crate::topology::Node;
use crate::tui::action::Pane;
use crate::tui::app::{App, CheckRow, Cursor, Focus, ImpactRow};
use crate::tui::graph::{self, LAYER};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(app: &App, a: &Areas, buf: &mut Buffer) {
    let focused = app.focus == Focus::Pane;
    let compact = super::compact_tabs(a);
    let tabs: Vec<Span> = Pane::ALL
        .iter()
        .map(|&p| {
            let style = if p == app.pane {
                Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
            } else {
                Style::new()
            };
            Span::styled(tab_label(p, compact), style)
        })
        .collect();
    block(app, Line::from(tabs), focused).render(a.pane_block, buf);
    match app.pane {
        Pane::Impact => impact(app, a.pane, buf),
        Pane::Findings => findings(app, a.pane, buf),
        Pane::Checklist => checklist(app, a.pane, buf),
        Pane::Alerts => alerts(app, a.pane, buf),
        Pane::Graph => draw_graph(app, a.pane, buf),
    }
}

/// Draws one-line entries with a cursor, then a rule, then `detail` lines.
fn entries(
    app: &App,
    area: Rect,
    buf: &mut Buffer,
    cursor: Cursor,
    rows: Vec<(usize, Vec<Span<'static>>)>,
    detail: Vec<Line<'static>>,
) {
    let (list, det) = split_pane(area);
    for (row, (index, spans)) in rows.into_iter().enumerate() {
        let y = list.y + row as u16;
        let line = Rect {
            y,
            height: 1,
            ..list
        };
        put_spans(buf, line, y, spans, app);
        if index == cursor.at {
            let style = if app.focus == Focus::Pane {
                app.theme.cursor()
            } else {
                Style::new().add_modifier(Modifier::UNDERLINED)
            };
            buf.set_style(line, style);
        }
    }
    if det.height == 0 {
        return;
    }
    let rule = app.theme.sym.h.repeat(area.width as usize);
    buf.set_stringn(
        area.x,
        det.y - 1,
        rule,
        area.width as usize,
        app.theme.dim(),
    );
    let more = detail.len() > det.height as usize;
    for (i, l) in detail.into_iter().take(det.height as usize).enumerate() {
        let y = det.y + i as u16;
        let mut spans = l.spans;
        // The last row that fits says there is more.
        if more && i + 1 == det.height as usize {
            let ell = app.theme.sym.glyphs.ellipsis;
            let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
            let room = (det.width as usize).saturating_sub(ell.chars().count());
            let cut: String = text.chars().take(room).collect();
            let style = spans.first().map(|s| s.style).unwrap_or_default();
            spans = vec![Span::styled(format!("{cut}{ell}"), style)];
        }
        put_spans(buf, det, y, spans, app);
    }
}

/// Wraps text to the width as detail lines, the last one cut with an
/// ellipsis when there is more than fits (the full text is in the report).
fn wrapped(text: &str, width: u16, style: Style) -> Vec<Line<'static>> {
    wrap(&inert(text), width as usize)
        .into_iter()
        .map(|l| Line::from(Span::styled(l, style)))
        .collect()
}

fn empty(app: &App, area: Rect, buf: &mut Buffer, lines: &[&str]) {
    for (i, l) in lines.iter().enumerate() {
        if i as u16 >= area.height {
            break;
        }
        put(
            buf,
            area.x,
            area.y + i as u16,
            area.width,
            l,
            app.theme.dim(),
            app,
        );
    }
}

fn impact(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let asmt = &app.review().assessment;
    if app.impact_rows.is_empty() {
        empty(
            app,
            area,
            buf,
            &[
                "Nothing is affected.",
                "",
                "In the service list, mark what the change touches:",
                "  space  reboot      u  update      x  what-if down",
            ],
        );
        return;
    }
    let (list, _) = split_pane(area);
    let rows = app
        .impact_rows
        .iter()
        .enumerate()
        .skip(app.impact.offset)
        .take(list.height as usize)
        .map(|(i, &row)| {
            let id = match row {
                ImpactRow::Node(id) => id,
                ImpactRow::Before(n) => {
                    return (
                        i,
                        vec![Span::styled(
                            format!("ALREADY SO BEFORE THE CHANGE ({n})"),
                            t.heading(),
                        )],
                    );
                }
            };
            let st = asmt.status(id);
            let (label, users) = match app.topo().node(id) {
                Node::Service(s) => (
                    inert(&s.id).into_owned(),
                    s.users
                        .filter(|_| matches!(st, Status::Down | Status::Degraded))
                        .map(|u| format!(" {}", percent(u)))
                        .unwrap_or_default(),
                ),
                Node::Group(g) => (format!("{} (group)", inert(&g.id)), String::new()),
            };
            let chain = chain_text(app.topo(), asmt, id, t.sym.glyphs);
            let rest = chain
                .split_once(' ')
                .map(|(_, r)| r.to_string())
                .unwrap_or_default();
            (
                i,
                vec![
                    Span::styled(format!("{:<9}", st.as_str().to_uppercase()), t.status(st)),
                    Span::styled(label, t.heading()),
                    Span::styled(users, t.heading()),
                    Span::raw(format!(" {}", inert(&rest))),
                ],
            )
        })
        .collect();
    let detail = match app.impact_focus() {
        Some(id) => {
            let mut d = wrapped(
                &format!("why: {}", chain_text(app.topo(), asmt, id, t.sym.glyphs)),
                area.width,
                Style::new(),
            );
            // Worse than it was, but it was not fine either: say so.
            let before = app.standing_status(id);
            if before != Status::Ok && before != asmt.status(id) {
                d.push(Line::from(Span::styled(
                    format!("before the change: {}", before.as_str()),
                    t.dim(),
                )));
            }
            d.push(Line::from(Span::styled(
                "enter: go to the service",
                t.dim(),
            )));
            d
        }
        None => Vec::new(),
    };
    entries(app, area, buf, app.impact, rows, detail);
}

fn findings(app: &App, area: Rect, buf: &mut Buffer) {
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
    entries(app, area, buf, app.findings, rows, detail);
}

fn checklist(app: &App, area: Rect, buf: &mut Buffer) {
    let t = &app.theme;
    let c = &app.review().checklist;
    if c.items.is_empty() {
        empty(
            app,
            area,
            buf,
            &["No changes marked: nothing to prepare yet."],
        );
        return;
    }
    let (list, _) = split_pane(area);
    let rows = app
        .check_rows
        .iter()
        .enumerate()
        .skip(app.checklist.offset)
        .take(list.height as usize)
        .map(|(i, r)| match *r {
            CheckRow::Phase(p) => {
                let of: Vec<_> = c.items.iter().filter(|x| x.phase == p).collect();
                let done = of.iter().filter(|x| x.done).count();
                (
                    i,
                    vec![Span::styled(
                        format!("{} ({}/{} done)", p.as_str().to_uppercase(), done, of.len()),
                        t.heading(),
                    )],
                )
            }
            CheckRow::Item(k) => {
                let item = &c.items[k];
                (
                    i,
                    vec![
                        Span::raw(if item.done { "[x] " } else { "[ ] " }),
                        Span::styled(
                            if item.blocking { "! " } else { "  " },
                            t.level(crate::analysis::Level::High),
                        ),
                        Span::raw(inert(&item.text).into_owned()),
                    ],
                )
            }
        })
        .collect();
    let detail = match app.check_rows.get(app.checklist.at) {
        Some(CheckRow::Item(k)) => {
            let item = &c.items[*k];
            let mut d = vec![Line::from(vec![
                Span::styled(
                    format!(
                        "{} ",
                        if item.blocking {
                            "BLOCKING"
                        } else {
                            "optional"
                        }
                    ),
                    t.heading(),
                ),
                Span::raw(format!(
                    "owner {}, {}, id {}",
                    inert(&item.owner),
                    item.phase.as_str(),
                    inert(&item.id)
                )),
            ])];
            d.extend(wrapped(&item.text, area.width, Style::new()));
            d.extend(wrapped(&format!("why: {}", item.why), area.width, t.dim()));
            d
        }
        _ => Vec::new(),
    };
    entries(app, area, buf, app.checklist, rows, detail);
}

fn alerts(app: &App, area: Rect, buf: &mut Buffer) {
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

fn draw_graph(app: &App, area: Rect, buf: &mut Buffer) {
    let g = &app.graph;
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
        let y = b.depth * LAYER;
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
        let y = p.depth * LAYER + 3;
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
            "j/k h/l scroll"
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
    let _ = graph::MAX_NODES;
}

//! Colours and glyphs, passed by reference to every view: no globals.
//!
//! Status is always a word or symbol as well as a colour, so the plain theme
//! (NO_COLOR) loses nothing but colour. The plain theme sets no colour at all
//! (not even "reset"): crossterm 0.29 prints an empty SGR for colours under
//! NO_COLOR, which would wipe the reverse/bold highlights.

use crate::analysis::{Level, Status};
use crate::report::Glyphs;
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;

/// Styles for the views.
#[derive(Debug, Clone)]
pub struct Theme {
    pub color: bool,
    pub sym: Symbols,
}

/// The characters the views draw with.
#[derive(Debug, Clone, Copy)]
pub struct Symbols {
    pub border: border::Set<'static>,
    pub glyphs: Glyphs,
    pub h: &'static str,
    pub v: &'static str,
    pub tee_down: &'static str,
    pub tee_up: &'static str,
    pub cross: &'static str,
    pub corner_tl: &'static str,
    pub corner_tr: &'static str,
    pub corner_bl: &'static str,
    pub corner_br: &'static str,
    pub selected: &'static str,
}

/// An all-ASCII border set: ratatui has none built in.
const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

impl Symbols {
    pub const UNICODE: Symbols = Symbols {
        border: border::PLAIN,
        glyphs: Glyphs::UNICODE,
        h: "─",
        v: "│",
        tee_down: "┬",
        tee_up: "┴",
        cross: "┼",
        corner_tl: "┌",
        corner_tr: "┐",
        corner_bl: "└",
        corner_br: "┘",
        selected: "▶",
    };
    pub const ASCII: Symbols = Symbols {
        border: ASCII_BORDER,
        glyphs: Glyphs::ASCII,
        h: "-",
        v: "|",
        tee_down: "+",
        tee_up: "+",
        cross: "+",
        corner_tl: "+",
        corner_tr: "+",
        corner_bl: "+",
        corner_br: "+",
        selected: ">",
    };
}

impl Theme {
    /// A theme; `color: false` for NO_COLOR, `ascii` for terminals without
    /// Unicode line drawing.
    pub fn new(color: bool, ascii: bool) -> Theme {
        Theme {
            color,
            sym: if ascii {
                Symbols::ASCII
            } else {
                Symbols::UNICODE
            },
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The style of a status word.
    pub fn status(&self, s: Status) -> Style {
        match s {
            Status::Down => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Status::Degraded => self.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            Status::AtRisk => self.fg(Color::Cyan),
            Status::Ok => self.fg(Color::Green),
        }
    }

    /// The style of a severity or risk word.
    pub fn level(&self, l: Level) -> Style {
        match l {
            Level::Critical => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Level::High => self.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            Level::Medium => self.fg(Color::Yellow),
            Level::Low => self.fg(Color::Green),
        }
    }

    /// The risk badge in the header: reversed so it stands out without colour.
    pub fn risk_badge(&self, l: Level) -> Style {
        if self.color {
            let bg = match l {
                Level::Critical => Color::Red,
                Level::High => Color::LightRed,
                Level::Medium => Color::Yellow,
                Level::Low => Color::Green,
            };
            Style::new()
                .fg(Color::Black)
                .bg(bg)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// The focused row.
    pub fn cursor(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Borders and titles of the focused block.
    pub fn focused(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Secondary text.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Headings inside panes.
    pub fn heading(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// A marked (changed) service.
    pub fn marked(&self) -> Style {
        self.fg(Color::Magenta).add_modifier(Modifier::BOLD)
    }

    /// Keys in the footer and help.
    pub fn key(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
}

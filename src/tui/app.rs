//! The TUI's state and the one function that changes it.

use super::action::{Action, Pane, PromptKind};
use super::graph;
use super::keymap::Context;
use super::persist::{self, Autosave};
use super::theme::Theme;
use super::view::{self, Areas};
use crate::analysis::Status;
use crate::checklist::{Phase, RuleSet};
use crate::plan::{self, Plan};
use crate::review::Review;
use crate::topology::{Date, NodeId, Topology};
use std::path::PathBuf;

/// Which part of the screen has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Pane,
}

/// A row of the checklist pane: a phase heading or an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckRow {
    Phase(Phase),
    Item(usize),
}

/// Cursor and scroll of one list-like view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub at: usize,
    pub offset: usize,
}

impl Cursor {
    /// Moves by `delta` within `len` entries and keeps the cursor inside a
    /// window of `height` rows.
    fn step(&mut self, delta: isize, len: usize, height: usize) {
        if len == 0 {
            *self = Cursor::default();
            return;
        }
        let at = (self.at as isize + delta).clamp(0, len as isize - 1) as usize;
        self.at = at;
        self.follow(height);
    }

    fn follow(&mut self, height: usize) {
        let height = height.max(1);
        if self.at < self.offset {
            self.offset = self.at;
        } else if self.at >= self.offset + height {
            self.offset = self.at + 1 - height;
        }
    }
}

/// Where the topology came from.
#[derive(Debug, Clone)]
pub struct Source {
    /// `None` for the built-in demo.
    pub path: Option<PathBuf>,
}

/// The whole state of the TUI.
pub struct App {
    pub topo: Topology,
    pub source: Source,
    pub plan: Plan,
    rules: RuleSet,
    today: Date,
    /// The assessment of `plan`: recomputed in `update` when the plan
    /// changes, never while drawing.
    pub review: Review,
    /// Impacted nodes, worst first (cached from `review`).
    pub impacted: Vec<NodeId>,
    /// Checklist rows with phase headings (cached from `review`).
    pub check_rows: Vec<CheckRow>,
    pub graph: graph::Layout,

    pub filter: String,
    pub filtering: bool,
    /// Service indices that match the filter, in topology order.
    pub visible: Vec<usize>,
    pub list: Cursor,
    pub focus: Focus,
    pub pane: Pane,
    pub impact: Cursor,
    pub findings: Cursor,
    /// Cursor over `check_rows`, always on an item row.
    pub checklist: Cursor,
    pub alerts_scroll: usize,
    pub graph_scroll: (usize, usize),
    /// `Some(scroll)` while the help is open.
    pub help: Option<usize>,
    pub prompt: Option<(PromptKind, String)>,
    /// The last thing that happened, for the status line.
    pub message: Option<String>,
    pub autosave: Autosave,
    /// What the autosave file held when this window last read or wrote it:
    /// if it holds something else, another window wrote it.
    pub autosave_last: Option<String>,
    /// Held while the app runs; tells a second window on the same topology.
    pub lock: Option<persist::Lock>,
    pub size: (u16, u16),
    pub quit: bool,
    pub theme: Theme,
}

impl App {
    /// A new app on a topology with a plan (already resolved changes are
    /// recomputed here). Unknown services in the plan (a topology edited
    /// since the autosave) are dropped with a message.
    pub fn new(
        topo: Topology,
        source: Source,
        mut plan: Plan,
        rules: RuleSet,
        today: Date,
        autosave: Autosave,
        theme: Theme,
    ) -> App {
        let before = plan.changes.len();
        plan.changes.retain(|c| {
            topo.lookup(&c.service)
                .is_some_and(|id| topo.as_service(id).is_some())
        });
        let dropped = before - plan.changes.len();
        let visible = (0..topo.services().len()).collect();
        let mut app = App {
            review: Review::new(&topo, &plan, &[], &rules, today),
            topo,
            source,
            plan,
            rules,
            today,
            impacted: Vec::new(),
            check_rows: Vec::new(),
            graph: graph::Layout::default(),
            filter: String::new(),
            filtering: false,
            visible,
            list: Cursor::default(),
            focus: Focus::List,
            pane: Pane::Impact,
            impact: Cursor::default(),
            findings: Cursor::default(),
            checklist: Cursor::default(),
            alerts_scroll: 0,
            graph_scroll: (0, 0),
            help: None,
            prompt: None,
            message: None,
            autosave,
            autosave_last: None,
            lock: None,
            size: (80, 24),
            quit: false,
            theme,
        };
        app.reassess();
        if dropped > 0 {
            app.message = Some(format!(
                "{dropped} change(s) in the saved plan name services no longer in the topology: dropped"
            ));
        }
        app
    }

    /// The keymap context of the current state.
    pub fn context(&self) -> Context {
        if self.help.is_some() {
            Context::Help
        } else if self.prompt.is_some() {
            Context::Prompt
        } else if self.filtering {
            Context::Filter
        } else if self.focus == Focus::List {
            Context::List
        } else {
            match self.pane {
                Pane::Checklist => Context::Checklist,
                Pane::Impact | Pane::Findings => Context::Jumpable,
                Pane::Graph => Context::Graph,
                Pane::Alerts => Context::Global,
            }
        }
    }

    /// The screen areas at the current size.
    pub fn areas(&self) -> Areas {
        view::areas(self.size.0, self.size.1, self.focus)
    }

    /// The service under the list cursor.
    pub fn focused_service(&self) -> Option<NodeId> {
        self.visible
            .get(self.list.at)
            .map(|&i| self.topo.service_id(i))
    }

    /// The only place state changes.
    pub fn update(&mut self, action: Action) {
        if let Action::Resize(w, h) = action {
            self.size = (w, h);
            self.follow_all();
            return;
        }
        if action == Action::Quit {
            self.quit = true;
            return;
        }
        if let Some(scroll) = self.help {
            self.help = match action {
                Action::Cancel | Action::ToggleHelp => None,
                Action::Down => Some(scroll + 1),
                Action::Up => Some(scroll.saturating_sub(1)),
                Action::PageDown => Some(scroll + 10),
                Action::PageUp => Some(scroll.saturating_sub(10)),
                _ => Some(scroll),
            };
            return;
        }
        if self.prompt.is_some() {
            self.update_prompt(action);
            return;
        }
        if self.filtering {
            match action {
                Action::Input(c) => {
                    self.filter.push(c);
                    self.refilter();
                    return;
                }
                Action::Backspace => {
                    self.filter.pop();
                    self.refilter();
                    return;
                }
                Action::Accept => {
                    self.filtering = false;
                    self.list = Cursor::default();
                    self.focus = Focus::List;
                    return;
                }
                Action::Cancel => {
                    self.filtering = false;
                    self.clear_filter();
                    return;
                }
                _ => {}
            }
        }
        match action {
            Action::ToggleHelp => self.help = Some(0),
            Action::FilterStart => {
                // A new search, as `/` does in less and vim.
                if !self.filter.is_empty() {
                    self.clear_filter();
                }
                self.filtering = true;
                self.focus = Focus::List;
            }
            Action::Cancel => {
                if !self.filter.is_empty() {
                    self.clear_filter();
                }
            }
            Action::Up => self.move_by(-1),
            Action::Down => self.move_by(1),
            Action::PageUp => self.move_by(-(self.page() as isize)),
            Action::PageDown => self.move_by(self.page() as isize),
            Action::Home => self.move_by(isize::MIN / 2),
            Action::End => self.move_by(isize::MAX / 2),
            Action::Left => self.graph_scroll.0 = self.graph_scroll.0.saturating_sub(8),
            Action::Right => {
                let max = self.graph.width.saturating_sub(8);
                self.graph_scroll.0 = (self.graph_scroll.0 + 8).min(max);
            }
            Action::NextFocus => self.cycle_focus(1),
            Action::PrevFocus => self.cycle_focus(-1),
            Action::ShowPane(p) => {
                self.pane = p;
                self.focus = Focus::Pane;
            }
            Action::Mark(a) => self.mark(a),
            Action::Tick => self.tick(),
            Action::Jump => self.jump(),
            Action::Prompt(kind) => {
                let default = match kind {
                    PromptKind::SavePlan => format!("{}.plan.toml", self.file_stem()),
                    PromptKind::ExportReport => format!("{}-change-record.md", self.file_stem()),
                };
                self.prompt = Some((kind, default));
            }
            Action::Click(x, y) => self.click(x, y),
            Action::Scroll(x, y, down) => {
                let a = self.areas();
                let delta = if down { 3 } else { -3 };
                if a.list.contains((x, y).into()) {
                    self.list.step(delta, self.visible.len(), a.list_rows());
                } else if a.pane.contains((x, y).into()) {
                    self.move_pane(delta);
                }
            }
            Action::Input(_)
            | Action::Backspace
            | Action::Accept
            | Action::Quit
            | Action::Resize(..) => {}
        }
    }

    fn update_prompt(&mut self, action: Action) {
        let Some((kind, mut text)) = self.prompt.take() else {
            return;
        };
        match action {
            Action::Input(c) => text.push(c),
            Action::Backspace => {
                text.pop();
            }
            Action::Cancel => {
                self.message = Some("cancelled".into());
                return;
            }
            Action::Accept => {
                self.write_file(kind, &text);
                return;
            }
            _ => {}
        }
        self.prompt = Some((kind, text));
    }

    fn file_stem(&self) -> String {
        self.topo
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    }

    fn write_file(&mut self, kind: PromptKind, name: &str) {
        let name = name.trim();
        if name.is_empty() {
            self.message = Some("no file name: nothing written".into());
            return;
        }
        let path = PathBuf::from(name);
        let result = match kind {
            PromptKind::SavePlan => {
                let mut plan = self.plan.clone();
                plan.topology = self.source.path.as_ref().map(|p| {
                    std::fs::canonicalize(p)
                        .unwrap_or_else(|_| p.clone())
                        .display()
                        .to_string()
                });
                plan.save(&path)
            }
            PromptKind::ExportReport => {
                let md = crate::report::markdown(&self.topo, &self.plan, &self.review);
                crate::fsutil::write_atomic(&path, md.as_bytes())
            }
        };
        self.message = Some(match (result, kind) {
            (Ok(()), PromptKind::SavePlan) if self.source.path.is_none() => format!(
                "plan saved to {name} (the demo topology is built in: check it with `blastradius check topologies/web-stack.toml --plan {name}`)"
            ),
            (Ok(()), PromptKind::SavePlan) => format!("plan saved to {name}"),
            (Ok(()), PromptKind::ExportReport) => format!("report written to {name}"),
            (Err(e), _) => format!("could not write {name}: {e}"),
        });
    }

    fn cycle_focus(&mut self, dir: isize) {
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
    fn page(&self) -> usize {
        let a = self.areas();
        match self.focus {
            Focus::List => a.list_rows().max(2) - 1,
            Focus::Pane => a.pane_rows().max(2) - 1,
        }
    }

    fn move_by(&mut self, delta: isize) {
        match self.focus {
            Focus::List => {
                let rows = self.areas().list_rows();
                self.list.step(delta, self.visible.len(), rows);
            }
            Focus::Pane => self.move_pane(delta),
        }
    }

    fn move_pane(&mut self, delta: isize) {
        let rows = self.areas().pane_rows();
        match self.pane {
            Pane::Impact => self.impact.step(delta, self.impacted.len(), rows),
            Pane::Findings => {
                let n = self.review.assessment.findings.len();
                self.findings.step(delta, n, rows);
            }
            Pane::Checklist => self.move_checklist(delta, rows),
            Pane::Alerts => {
                self.alerts_scroll = (self.alerts_scroll as isize + delta).max(0) as usize;
            }
            Pane::Graph => {
                let max = self.graph.height.saturating_sub(1) as isize;
                self.graph_scroll.1 = (self.graph_scroll.1 as isize + delta).clamp(0, max) as usize;
            }
        }
    }

    /// Moves among item rows, skipping phase headings, keeping the heading
    /// of the first item in view.
    fn move_checklist(&mut self, delta: isize, rows: usize) {
        let items: Vec<usize> = self
            .check_rows
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, CheckRow::Item(_)))
            .map(|(i, _)| i)
            .collect();
        if items.is_empty() {
            self.checklist = Cursor::default();
            return;
        }
        let pos = items
            .iter()
            .position(|&r| r >= self.checklist.at)
            .unwrap_or(0) as isize;
        let next = (pos + delta).clamp(0, items.len() as isize - 1) as usize;
        self.checklist.at = items[next];
        if next == 0 {
            self.checklist.offset = 0;
        }
        self.checklist.follow(rows);
    }

    fn follow_all(&mut self) {
        let a = self.areas();
        self.list.follow(a.list_rows());
        self.impact.follow(a.pane_rows());
        self.findings.follow(a.pane_rows());
        self.checklist.follow(a.pane_rows());
    }

    fn mark(&mut self, action: plan::Action) {
        let Some(id) = self.focused_service() else {
            self.message = Some("no service here: clear the filter with esc".into());
            return;
        };
        let sid = self.topo.id(id).to_string();
        let current = self
            .plan
            .changes
            .iter()
            .find(|c| c.service == sid)
            .map(|c| c.action);
        let new = if current == Some(action) {
            None
        } else {
            Some(action)
        };
        self.plan.set_change(&sid, new);
        self.message = Some(match new {
            Some(a) => format!("{sid}: {}", a.as_str()),
            None => format!("{sid}: unmarked"),
        });
        self.reassess();
        self.save();
    }

    fn tick(&mut self) {
        let Some(CheckRow::Item(i)) = self.check_rows.get(self.checklist.at).copied() else {
            return;
        };
        let Some(item) = self.review.checklist.items.get_mut(i) else {
            return;
        };
        item.done = !item.done;
        if item.done {
            self.plan.done.push(item.id.clone());
        } else {
            self.plan.done.retain(|d| *d != item.id);
        }
        self.save();
    }

    fn jump(&mut self) {
        let target = match self.pane {
            Pane::Impact => self.impacted.get(self.impact.at).copied(),
            Pane::Findings => self
                .review
                .assessment
                .findings
                .get(self.findings.at)
                .and_then(|f| {
                    f.subjects
                        .iter()
                        .copied()
                        .find(|&s| self.topo.as_service(s).is_some())
                        .or_else(|| {
                            self.topo
                                .as_group(f.subjects[0])
                                .and_then(|g| g.members.first().copied())
                        })
                }),
            _ => None,
        };
        let target = match target.map(|t| (t, self.topo.as_group(t))) {
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

    fn click(&mut self, x: u16, y: u16) {
        let a = self.areas();
        let p = (x, y).into();
        if a.list.contains(p) {
            let row = (y - a.list.y) as usize + self.list.offset;
            if row < self.visible.len() {
                self.list.at = row;
            }
            self.focus = Focus::List;
        } else if let Some(pane) = view::tab_at(&a, x, y) {
            self.pane = pane;
            self.focus = Focus::Pane;
        } else if a.pane.contains(p) {
            self.focus = Focus::Pane;
            let row = (y - a.pane.y) as usize;
            match self.pane {
                Pane::Impact if row + self.impact.offset < self.impacted.len() => {
                    self.impact.at = row + self.impact.offset;
                }
                Pane::Findings
                    if row + self.findings.offset < self.review.assessment.findings.len() =>
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

    fn clear_filter(&mut self) {
        let keep = self.focused_service();
        self.filter.clear();
        self.refilter();
        if let Some(k) = keep {
            self.list.at = self
                .visible
                .iter()
                .position(|&i| i == k.index())
                .unwrap_or(0);
        }
        self.follow_all();
    }

    /// Services whose id, name, kind or team contain the filter (case
    /// insensitive).
    fn refilter(&mut self) {
        let f = self.filter.to_lowercase();
        self.visible = self
            .topo
            .services()
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                f.is_empty()
                    || s.id.to_lowercase().contains(&f)
                    || s.name.to_lowercase().contains(&f)
                    || s.kind
                        .as_deref()
                        .is_some_and(|k| k.to_lowercase().contains(&f))
                    || s.team
                        .as_deref()
                        .is_some_and(|k| k.to_lowercase().contains(&f))
            })
            .map(|(i, _)| i)
            .collect();
        self.list = Cursor::default();
    }

    /// Recomputes the review and everything cached from it.
    fn reassess(&mut self) {
        let changes =
            plan::resolve(&self.topo, &self.plan.changes, None, "plan").unwrap_or_default();
        self.review = Review::new(&self.topo, &self.plan, &changes, &self.rules, self.today);
        self.impacted = self.review.assessment.impacted(&self.topo);
        self.check_rows.clear();
        let mut last = None;
        for (i, item) in self.review.checklist.items.iter().enumerate() {
            if last != Some(item.phase) {
                self.check_rows.push(CheckRow::Phase(item.phase));
                last = Some(item.phase);
            }
            self.check_rows.push(CheckRow::Item(i));
        }
        self.graph = graph::layout(
            &self.topo,
            &self.review.assessment,
            self.theme.sym.glyphs == crate::report::Glyphs::ASCII,
        );
        let rows = self.areas().pane_rows();
        self.impact.step(0, self.impacted.len(), rows);
        self.findings
            .step(0, self.review.assessment.findings.len(), rows);
        if !matches!(
            self.check_rows.get(self.checklist.at),
            Some(CheckRow::Item(_))
        ) {
            self.checklist = Cursor::default();
            self.move_checklist(0, rows);
        }
        self.graph_scroll = (
            self.graph_scroll.0.min(self.graph.width.saturating_sub(1)),
            self.graph_scroll.1.min(self.graph.height.saturating_sub(1)),
        );
    }

    fn save(&mut self) {
        let Autosave::To(path) = &self.autosave else {
            return;
        };
        match persist::save(path, &self.plan, self.autosave_last.as_deref()) {
            Ok(text) => self.autosave_last = Some(text),
            Err(persist::SaveError::Conflict) => {
                let private = persist::private_path(path);
                if private == *path {
                    self.autosave = Autosave::Off("autosave conflict".into());
                    return;
                }
                self.message = Some(format!(
                    "another window changed {}; this window now autosaves to {}",
                    path.display(),
                    private.display()
                ));
                self.autosave = Autosave::To(private);
                self.autosave_last = None;
                self.save();
            }
            Err(persist::SaveError::Io(e)) => {
                self.autosave = Autosave::Off(format!("autosave off: {e}"));
                self.message = Some(format!("autosave failed ({e}): save with `s`"));
            }
        }
    }

    /// Counts for the header.
    pub fn counts(&self) -> (usize, usize) {
        let a = &self.review.assessment;
        let down = self
            .impacted
            .iter()
            .filter(|&&n| a.status(n) == Status::Down)
            .count();
        (self.plan.changes.len(), down)
    }
}

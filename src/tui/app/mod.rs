//! The TUI's state and the one function that changes it.

mod files;
mod meeting;
mod messages;
mod nav;
mod pages;

pub use messages::{AGAIN, AGAIN_WHOLE, Log, shell_word};
pub use pages::{PageLine, Tone};

use super::action::{Action, Pane, PromptKind};
use super::graph;
use super::keymap::Context;
use super::layout::{self, Areas};
use super::persist::{self, Autosave};
use super::theme::Theme;
use crate::analysis::Status;
use crate::checklist::{Phase, RuleSet};
use crate::plan::{self, Plan};
use crate::review::Review;
use crate::session::Session;
use crate::topology::{Date, NodeId, Topology};
use std::path::PathBuf;

/// Service indices in natural order of their ids.
///
/// # Complexity
/// O(n log n) comparisons, once per app. Ids in topology order are sorted
/// byte-wise, which natural order mostly agrees with: the sort starts from
/// that order and finds long sorted runs.
pub fn natural_order(topo: &Topology) -> Vec<usize> {
    use crate::text::{natural_cmp, natural_key};
    let s = topo.services();
    let mut v: Vec<usize> = (0..s.len()).collect();
    // Byte keys that sort as `natural_cmp` does (a comparison of two byte
    // strings is a `memcmp`; `natural_cmp` walks characters), checked
    // after: any pair out of natural order, and the full sort runs. At
    // 100,000 services the sort was a sixth of the first frame.
    let keys: Vec<Vec<u8>> = s.iter().map(|x| natural_key(&x.id)).collect();
    v.sort_unstable_by(|&a, &b| keys[a].cmp(&keys[b]));
    drop(keys);
    if !v
        .windows(2)
        .all(|w| natural_cmp(&s[w[0]].id, &s[w[1]].id).is_le())
    {
        v.sort_by(|&a, &b| natural_cmp(&s[a].id, &s[b].id));
    }
    v
}

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

/// A row of the impact pane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImpactRow {
    /// A service or group that is not `ok`, or is changed.
    Node(NodeId),
    /// The heading over the rows that were already so before the change
    /// (how many there are): what the plan does comes first.
    Before(usize),
}

impl ImpactRow {
    /// The node of a node row.
    pub fn node(self) -> Option<NodeId> {
        match self {
            ImpactRow::Node(n) => Some(n),
            ImpactRow::Before(_) => None,
        }
    }
}

/// Cursor and scroll of one list-like view.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    pub at: usize,
    pub offset: usize,
}

/// Where the topology and the plan came from: the files the app never
/// writes.
#[derive(Debug, Clone, Default)]
pub struct Source {
    /// The topology; `None` for the built-in demo.
    pub path: Option<PathBuf>,
    /// The plan opened with `--plan`, if one was.
    pub plan: Option<PathBuf>,
}

/// The whole state of the TUI: one core [`Session`] (topology, plan,
/// their assessment), which only its own methods change, and the view's
/// state (cursors, focus, filter, prompts) around it.
pub struct App {
    /// The topology, the plan and their review: changed only through the
    /// session's intents, from [`App::update`], never while drawing.
    session: Session,
    pub source: Source,
    /// The impact pane's rows (cached from `review`): the nodes the plan
    /// changes or makes worse, worst first; then, under a heading, the
    /// nodes that were already not `ok` before the change. In an estate
    /// with standing failures the plan's own effect would otherwise be lost
    /// among them.
    pub impact_rows: Vec<ImpactRow>,
    /// Checklist rows with phase headings (cached from `review`).
    pub check_rows: Vec<CheckRow>,
    /// Laid out when first shown after a change of plan (see
    /// [`App::graph`]): at a million services the forest is a tenth of a
    /// keystroke, and most keystrokes never show the graph.
    graph: std::cell::OnceCell<graph::Layout>,

    pub filter: String,
    pub filtering: bool,
    /// Service indices that match the filter, in topology order.
    pub visible: Vec<usize>,
    /// Service indices in natural order of their ids (`app-101` before
    /// `app-1000`): the order the list shows them in.
    order: Vec<usize>,
    /// Lower-cased id, name, kind and team of each service, for the filter.
    haystack: Vec<String>,
    pub list: Cursor,
    pub focus: Focus,
    pub pane: Pane,
    pub impact: Cursor,
    pub findings: Cursor,
    /// Cursor over `check_rows`, always on an item row.
    pub checklist: Cursor,
    pub alerts_scroll: usize,
    pub exposure_scroll: usize,
    pub waves_scroll: usize,
    /// Computes the exposure off the keystroke path.
    worker: crate::tui::work::Worker,
    /// Where live state is read from, when the app was asked to.
    live_sources: Option<crate::live::Sources>,
    /// A refresh of live state under way.
    live_refresh: Option<std::sync::mpsc::Receiver<crate::live::Observations>>,
    pub graph_scroll: (usize, usize),
    /// `Some(scroll)` while the help is open.
    pub help: Option<usize>,
    pub prompt: Option<(PromptKind, String)>,
    /// The last thing that happened, for the status line.
    pub message: Option<String>,
    /// What the status line said, and another window's autosave: `m`
    /// shows them again.
    log: Log,
    pub autosave: Autosave,
    /// What the autosave file held when this window last read or wrote it:
    /// if it holds something else, another window wrote it.
    pub autosave_last: Option<String>,
    /// The plan before each of the last edits, newest last: `z` takes the
    /// last one back.
    undo: Vec<Plan>,
    /// The first answer of a two-step prompt (who, before why or role).
    pending: Option<String>,
    /// Held while the app runs; tells a second window on the same topology.
    pub lock: Option<persist::Lock>,
    /// `Some(why)` while the plan has changes that could not be written
    /// anywhere (autosave off or failing): quitting asks first.
    pub unsaved: Option<String>,
    /// The terminal writes autosaves after its frames (see
    /// [`App::defer_autosave`]); tests and scripts get them at once.
    autosave_deferred: bool,
    /// An edit not yet autosaved (only while deferred).
    autosave_due: bool,
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
        plan: Plan,
        rules: RuleSet,
        today: Date,
        autosave: Autosave,
        theme: Theme,
    ) -> App {
        let visible = natural_order(&topo);
        let (session, dropped) = Session::open_lenient(topo, plan, rules, today);
        App::with_session(session, source, autosave, theme, visible, dropped)
    }

    /// A new app on an open session, autosaving as `files` says (where,
    /// the lock held, what the file held when read, what to tell first).
    pub fn on(session: Session, source: Source, files: persist::Start, theme: Theme) -> App {
        let visible = natural_order(session.topology());
        App::on_ordered(session, source, files, theme, visible)
    }

    /// [`App::on`] with the services' [`natural_order`] already sorted.
    pub fn on_ordered(
        session: Session,
        source: Source,
        files: persist::Start,
        theme: Theme,
        visible: Vec<usize>,
    ) -> App {
        debug_assert_eq!(visible.len(), session.topology().services().len());
        let mut app = App::with_session(session, source, files.autosave, theme, visible, 0);
        app.autosave_last = files.last;
        app.lock = files.lock;
        app.log.other = files.other;
        if app.message.is_none()
            && let Some(m) = files.message
        {
            // A notice about another window's file is kept for `m`, and
            // says so: the next key's message replaces it in the footer.
            let m = if app.log.other.is_some() {
                format!("{m} {AGAIN}")
            } else {
                m
            };
            app.say(m);
        }
        app
    }

    fn with_session(
        session: Session,
        source: Source,
        autosave: Autosave,
        theme: Theme,
        visible: Vec<usize>,
        dropped: usize,
    ) -> App {
        let mut app = App {
            order: visible.clone(),
            session,
            source,
            impact_rows: Vec::new(),
            check_rows: Vec::new(),
            graph: std::cell::OnceCell::new(),
            filter: String::new(),
            filtering: false,
            visible,
            haystack: Vec::new(),
            list: Cursor::default(),
            focus: Focus::List,
            pane: Pane::Impact,
            impact: Cursor::default(),
            findings: Cursor::default(),
            checklist: Cursor::default(),
            alerts_scroll: 0,
            exposure_scroll: 0,
            waves_scroll: 0,
            worker: crate::tui::work::Worker::new(),
            live_sources: None,
            live_refresh: None,
            graph_scroll: (0, 0),
            help: None,
            prompt: None,
            message: None,
            log: Log::default(),
            autosave,
            autosave_last: None,
            lock: None,
            undo: Vec::new(),
            pending: None,
            unsaved: None,
            autosave_deferred: false,
            autosave_due: false,
            size: (80, 24),
            quit: false,
            theme,
        };
        app.derive();
        if dropped > 0 {
            app.say(format!(
                "{dropped} change(s) in the saved plan name services no longer in the topology: dropped"
            ));
        }
        app
    }

    /// The topology on screen.
    pub fn topo(&self) -> &Topology {
        self.session.topology()
    }

    /// The plan being edited.
    pub fn plan(&self) -> &Plan {
        self.session.plan()
    }

    /// The review of the plan.
    pub fn review(&self) -> &Review {
        self.session.review()
    }

    /// The core session.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The exposure of the plan as far as the worker got with it.
    pub fn exposure(&self) -> crate::tui::work::Answer<'_> {
        self.worker.answer()
    }

    /// How many services the exposure lists, once it is there.
    pub(super) fn worker_entries(&self) -> Option<usize> {
        match self.worker.answer() {
            crate::tui::work::Answer::Ready(e) => Some(e.entries.len()),
            _ => None,
        }
    }

    /// Builds what the first reassessment would (see [`Session::prime`]):
    /// called once the first frame is up.
    pub fn prime(&self) {
        self.session.prime();
    }

    /// True while background work has not answered: the loop looks for
    /// its answer and draws when it comes.
    pub fn background_pending(&self) -> bool {
        self.worker.pending() || self.live_refresh.is_some()
    }

    /// Blocks until background work has answered (tests; the export).
    pub fn settle(&mut self) {
        self.worker.wait();
        if let Some(rx) = self.live_refresh.take()
            && let Ok(obs) = rx.recv()
        {
            self.take_live(obs);
        }
    }

    /// Reads live state from `sources`, now and on `r`: the first refresh
    /// starts at once, in the background.
    pub fn with_live(mut self, sources: crate::live::Sources) -> App {
        self.live_sources = Some(sources);
        self.refresh();
        self
    }

    /// `]` / `[`: the focused service's change one wave later or earlier;
    /// the verdict follows (a plan with waves is assessed wave by wave).
    fn move_wave(&mut self, later: bool) {
        let Some(id) = self.focused_service() else {
            return;
        };
        let sid = self.topo().id(id).to_string();
        if self.session.named_action(id).is_none() {
            self.say(format!(
                "{sid} is not marked: mark it first, then put it in a wave"
            ));
            return;
        }
        let now = self.session.wave_of(id);
        let next = match (now, later) {
            (None, true) => Some(1),
            (None, false) => None,
            (Some(w), true) => Some(w + 1),
            (Some(1), false) => None,
            (Some(w), false) => Some(w - 1),
        };
        self.remember();
        self.session.set_wave(id, next);
        self.derive();
        self.save();
        let unwaved = self
            .plan()
            .changes
            .iter()
            .filter(|c| c.wave.is_none())
            .count();
        self.say(match next {
            Some(w) => format!(
                "{sid}: wave {w}{}",
                if unwaved > 0 {
                    format!(" ({unwaved} change(s) in no wave yet: 7 shows the waves)")
                } else {
                    String::new()
                }
            ),
            None => format!("{sid}: in no wave"),
        });
    }

    /// True when the app reads live state.
    pub fn live_enabled(&self) -> bool {
        self.live_sources.is_some()
    }

    /// `r`: starts a refresh of live state on its own thread; a keystroke
    /// never waits on the network.
    fn refresh(&mut self) {
        let Some(sources) = self.live_sources.clone() else {
            self.say(
                "no live state: start with --live (and a [live] table or --prometheus/--alertmanager)"
                    .into(),
            );
            return;
        };
        if self.live_refresh.is_some() {
            self.say("live state: a refresh is already under way".into());
            return;
        }
        let topo = self.session.file_topology();
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("blastradius live".into())
            .spawn(move || {
                let _ = tx.send(crate::live::observe(
                    &topo,
                    &sources,
                    std::time::SystemTime::now(),
                ));
            });
        match spawned {
            Ok(_) => {
                self.live_refresh = Some(rx);
                self.say("live state: reading probes and servers...".into());
            }
            Err(e) => self.say(format!("live state: cannot start a thread: {e}")),
        }
    }

    /// Takes a finished refresh, if there is one.
    fn collect_live(&mut self) {
        let Some(rx) = &self.live_refresh else {
            return;
        };
        match rx.try_recv() {
            Ok(obs) => {
                self.live_refresh = None;
                self.take_live(obs);
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => {}
            Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                self.live_refresh = None;
                self.say("live state: the refresh ended without an answer".into());
            }
        }
    }

    fn take_live(&mut self, obs: crate::live::Observations) {
        let label = self
            .live_sources
            .as_ref()
            .map_or_else(|| "service".to_string(), |s| s.label.clone());
        let when = crate::text::rfc3339(obs.at);
        let partial = obs.errors.first().cloned();
        let changed = {
            self.session.observe(obs, &label);
            self.review().live_diff.len()
        };
        self.derive();
        self.say(match partial {
            Some(e) => format!(
                "live state at {when} is PARTIAL: {e} (the file's state stands for it); {changed} service(s) differ from the file"
            ),
            None => format!("live state at {when}: {changed} service(s) differ from the file"),
        });
    }

    /// Asks the worker for the exposure when the pane shows it: a mark
    /// does not wait for it, and nobody pays for it unseen.
    fn ask_exposure(&mut self) {
        if self.pane == Pane::Exposure {
            self.worker.ask(
                self.session.topology_shared(),
                &self.session.review().assessment,
            );
            self.exposure_scroll = 0;
        }
    }

    /// The keymap context of the current state.
    pub fn context(&self) -> Context {
        if self.help.is_some() || self.log.open.is_some() {
            Context::Help
        } else if let Some((kind, _)) = &self.prompt {
            if kind.is_question() {
                Context::Confirm
            } else {
                Context::Prompt
            }
        } else if self.filtering {
            Context::Filter
        } else if self.focus == Focus::List {
            Context::List
        } else {
            match self.pane {
                Pane::Checklist => Context::Checklist,
                Pane::Impact | Pane::Findings => Context::Jumpable,
                Pane::Graph => Context::Graph,
                Pane::Alerts | Pane::Exposure | Pane::Waves => Context::Global,
            }
        }
    }

    /// The screen areas at the current size.
    pub fn areas(&self) -> Areas {
        layout::areas(self.size.0, self.size.1, self.focus, self.pane)
    }

    /// The graph pane's room at the current size (where it shows when
    /// picked).
    /// The blast-radius drawing of the current review, laid out on first
    /// use.
    pub fn graph(&self) -> &graph::Layout {
        self.graph.get_or_init(|| {
            graph::layout(
                self.topo(),
                &self.review().assessment,
                self.theme.sym.glyphs == crate::report::Glyphs::ASCII,
                self.graph_room(),
            )
        })
    }

    fn graph_room(&self) -> graph::Room {
        let pane = layout::areas(self.size.0, self.size.1, self.focus, Pane::Graph).pane;
        graph::Room {
            width: pane.width as usize,
            height: pane.height as usize,
        }
    }

    /// The service under the list cursor.
    pub fn focused_service(&self) -> Option<NodeId> {
        self.visible
            .get(self.list.at)
            .map(|&i| self.topo().service_id(i))
    }

    /// The only place state changes.
    pub fn update(&mut self, action: Action) {
        if let Action::Resize(w, h) = action {
            self.size = (w, h);
            self.follow_all();
            // The drawing uses the pane's room: trees below each other
            // rather than a sideways scroll. Refitted, it starts at the top.
            let room = self.graph_room();
            if let Some(g) = self.graph.get_mut()
                && g.refit(room)
            {
                self.graph_scroll = (0, 0);
            }
            self.clamp_pages();
            return;
        }
        if action == Action::Quit {
            self.ask_to_quit();
            return;
        }
        // The help and the messages: full-screen pages that scroll.
        let page = if self.help.is_some() {
            Some(&mut self.help)
        } else if self.log.open.is_some() {
            Some(&mut self.log.open)
        } else {
            None
        };
        if let Some(page) = page {
            let scroll = page.unwrap_or(0);
            *page = match action {
                Action::Cancel | Action::ToggleHelp | Action::Messages => None,
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
            Action::Messages => self.log.open = Some(0),
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
                // Never past the right edge of the drawing.
                let g = self.graph();
                let max = g.width.saturating_sub(g.room.width);
                self.graph_scroll.0 = (self.graph_scroll.0 + 8).min(max);
            }
            Action::NextFocus => self.cycle_focus(1),
            Action::PrevFocus => self.cycle_focus(-1),
            Action::ShowPane(p) => {
                self.pane = p;
                self.focus = Focus::Pane;
                self.ask_exposure();
            }
            Action::Collect => {
                self.worker.collect();
                self.collect_live();
            }
            Action::Refresh => self.refresh(),
            Action::MoveWave(later) => self.move_wave(later),
            Action::Mark(a) => self.mark(a),
            Action::MarkShown(a) => self.mark_shown(a),
            Action::Tick => self.tick(),
            Action::Jump => self.jump(),
            Action::Prompt(kind) => {
                let default = match kind {
                    PromptKind::SavePlan => format!("{}.plan.toml", self.file_stem()),
                    PromptKind::ExportReport => format!("{}-change-record.md", self.file_stem()),
                    PromptKind::Title => self.plan().title.clone(),
                    PromptKind::Window => meeting::window_text(self.plan()),
                    PromptKind::AcceptWho | PromptKind::SignoffWho => String::new(),
                    // Questions, and second steps, are asked by the app,
                    // not opened by a key.
                    _ => return,
                };
                self.prompt = Some((kind, default));
            }
            Action::ClearPlan => self.ask_to_clear(),
            Action::Undo => self.undo(),
            Action::Blockers => self.show_blockers(),
            Action::Click(x, y) => self.click(x, y),
            Action::Scroll(x, y, down) => {
                let a = self.areas();
                let delta = if down { 3 } else { -3 };
                if a.list.contains((x, y).into()) {
                    self.list.step(delta, self.visible.len(), a.list_rows());
                } else if let Some(p) = layout::tab_at(&a, x, y) {
                    self.pane = p;
                    self.move_pane(delta);
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

    fn mark(&mut self, action: plan::Action) {
        let Some(id) = self.focused_service() else {
            self.say("no service here: clear the filter with esc".into());
            return;
        };
        let sid = self.topo().id(id).to_string();
        let new = if self.session.named_action(id) == Some(action) {
            None
        } else {
            Some(action)
        };
        self.remember();
        self.session.mark(id, new);
        self.say(match new {
            Some(a) => format!("{sid}: {}", a.as_str()),
            None => format!("{sid}: unmarked"),
        });
        self.derive();
        self.save();
    }

    /// Marks every service the filter shows, or unmarks them all when each
    /// already has `action`. Only with a filter: without one this would be
    /// the whole estate.
    ///
    /// # Complexity
    /// O(plan changes + services shown), then one reassessment.
    fn mark_shown(&mut self, action: plan::Action) {
        if !self.filter_shows_some() {
            return;
        }
        let n = self.visible.len();
        let all_marked = self
            .visible
            .iter()
            .all(|&i| self.session.named_action(self.topo().service_id(i)) == Some(action));
        let what = if all_marked {
            format!(
                "Unmark the {n} service{} the filter `{}` shows?",
                if n == 1 { "" } else { "s" },
                self.filter
            )
        } else {
            format!(
                "Mark the {n} service{} the filter `{}` shows: {}?",
                if n == 1 { "" } else { "s" },
                self.filter,
                action.as_str()
            )
        };
        self.prompt = Some((PromptKind::MarkShown(action), what));
    }

    /// True when a filter is set and shows a service; else says why not.
    fn filter_shows_some(&mut self) -> bool {
        if self.filter.is_empty() {
            self.message =
                Some("filter the list first (/): this marks every service the filter shows".into());
            false
        } else if self.visible.is_empty() {
            self.say("the filter shows no service".into());
            false
        } else {
            true
        }
    }

    /// [`App::mark_shown`] after its yes.
    fn mark_shown_now(&mut self, action: plan::Action) {
        if !self.filter_shows_some() {
            return;
        }
        let shown: Vec<NodeId> = self
            .visible
            .iter()
            .map(|&i| self.topo().service_id(i))
            .collect();
        let all_marked = shown
            .iter()
            .all(|&id| self.session.named_action(id) == Some(action));
        let n = shown.len();
        self.remember();
        if all_marked {
            self.session.mark_many(&shown, None);
            self.say(format!(
                "{n} service{} unmarked (filter `{}`)",
                if n == 1 { "" } else { "s" },
                self.filter
            ));
        } else {
            self.session.mark_many(&shown, Some(action));
            self.say(format!(
                "{n} service{} marked: {} (filter `{}`)",
                if n == 1 { "" } else { "s" },
                action.as_str(),
                self.filter
            ));
        }
        self.derive();
        self.save();
    }

    fn tick(&mut self) {
        let Some(CheckRow::Item(i)) = self.check_rows.get(self.checklist.at).copied() else {
            return;
        };
        let Some(id) = self.review().checklist.items.get(i).map(|x| x.id.clone()) else {
            return;
        };
        self.remember();
        self.session.tick(&id);
        self.save();
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
        if self.haystack.is_empty() && !f.is_empty() {
            // Built on first use, then every keystroke is one scan without
            // allocating: snappy at 100,000 services.
            self.haystack = self
                .topo()
                .services()
                .iter()
                .map(|s| {
                    format!(
                        "{}\n{}\n{}\n{}",
                        s.id,
                        s.name,
                        s.kind.as_deref().unwrap_or(""),
                        s.team.as_deref().unwrap_or("")
                    )
                    .to_lowercase()
                })
                .collect();
        }
        self.visible = if f.is_empty() {
            self.order.clone()
        } else {
            self.order
                .iter()
                .copied()
                .filter(|&i| self.haystack[i].contains(&f))
                .collect()
        };
        self.list = Cursor::default();
    }

    /// Recomputes what the screen caches from the review.
    fn derive(&mut self) {
        // What the plan does first, then what was already so: the same
        // split as the text and Markdown reports.
        let (by_plan, before) =
            crate::report::impact_split(self.session.topology(), &self.session.review().assessment);
        self.impact_rows = by_plan.into_iter().map(ImpactRow::Node).collect();
        if !self.impact_rows.is_empty() && !before.is_empty() {
            self.impact_rows.push(ImpactRow::Before(before.len()));
        }
        self.impact_rows
            .extend(before.into_iter().map(ImpactRow::Node));
        self.check_rows.clear();
        let mut last = None;
        for (i, item) in self.session.review().checklist.items.iter().enumerate() {
            if last != Some(item.phase) {
                self.check_rows.push(CheckRow::Phase(item.phase));
                last = Some(item.phase);
            }
            self.check_rows.push(CheckRow::Item(i));
        }
        self.graph = std::cell::OnceCell::new();
        let rows = self.areas().pane_rows();
        self.move_impact(0, rows);
        self.findings
            .step(0, self.review().assessment.findings.len(), rows);
        if !matches!(
            self.check_rows.get(self.checklist.at),
            Some(CheckRow::Item(_))
        ) {
            self.checklist = Cursor::default();
            self.move_checklist(0, rows);
        }
        // A new plan draws a new graph: start it from its top left corner,
        // or a scroll kept from the old one shows blank space.
        self.graph_scroll = (0, 0);
        self.clamp_pages();
        self.ask_exposure();
    }

    /// A node's status before the change.
    pub fn standing_status(&self, id: NodeId) -> Status {
        self.session.standing_status(id)
    }

    /// Counts for the header: changes, and nodes that end down.
    pub fn counts(&self) -> (usize, usize) {
        let a = &self.review().assessment;
        let down = self
            .impact_rows
            .iter()
            .filter_map(|r| r.node())
            .filter(|&n| a.status(n) == Status::Down)
            .count();
        (self.plan().changes.len(), down)
    }
}

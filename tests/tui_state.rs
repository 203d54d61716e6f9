//! The TUI's state machine (DESIGN.md, "TUI"): feed `Action`s to
//! `App::update`, assert on the state. No terminal, no drawing (except to
//! prove a tiny size does not panic); the screens are in `tui_snapshots.rs`.

use crate::common;

use blastradius::analysis::Level;
use blastradius::plan::{self, Plan};
use blastradius::topology::{self, NodeId, Topology};
use blastradius::tui::action::{Action, Pane, PromptKind};
use blastradius::tui::app::{App, CheckRow, Focus, ImpactRow};
use blastradius::tui::persist::Autosave;
use blastradius::tui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::path::Path;

// --- helpers -------------------------------------------------------------------

use common::{demo_plan, demo_topology};

fn app_on(topo: Topology, plan: Plan, autosave: Autosave) -> App {
    let mut app = common::app(topo, plan, autosave, Theme::new(false, false));
    app.update(Action::Resize(80, 24));
    app
}

/// The demo with nothing marked, autosave off, at 80x24.
fn empty_demo() -> App {
    app_on(
        demo_topology(),
        Plan::default(),
        Autosave::Off("test".into()),
    )
}

/// The demo with the seed outage's plan, autosave off, at 80x24.
fn planned_demo() -> App {
    app_on(demo_topology(), demo_plan(), Autosave::Off("test".into()))
}

fn feed(app: &mut App, actions: impl IntoIterator<Item = Action>) {
    for a in actions {
        app.update(a);
    }
}

fn type_text(app: &mut App, text: &str) {
    feed(app, text.chars().map(Action::Input));
}

/// Filters the list to `text` and keeps the filter: the first match has
/// the focus. `/` edits the filter already kept, so clear that first.
fn focus_on(app: &mut App, text: &str) {
    app.update(Action::Cancel);
    app.update(Action::FilterStart);
    type_text(app, text);
    app.update(Action::Accept);
}

fn focused_id(app: &App) -> Option<String> {
    app.focused_service()
        .map(|id| app.topo().id(id).to_string())
}

fn changes(plan: &Plan) -> Vec<(String, plan::Action)> {
    plan.changes
        .iter()
        .map(|c| (c.service.clone(), c.action))
        .collect()
}

/// The nodes of the impact pane, in its order.
fn impacted(app: &App) -> Vec<NodeId> {
    app.impact_rows.iter().filter_map(|r| r.node()).collect()
}

/// Moves the impact pane's cursor down to `id`, as a user would.
fn move_impact_to(app: &mut App, id: &str) {
    for _ in 0..app.impact_rows.len() {
        if app.impact_focus().is_some_and(|n| app.topo().id(n) == id) {
            return;
        }
        app.update(Action::Down);
    }
    panic!("{id} is not in the impact pane");
}

fn key(code: KeyCode) -> Event {
    Event::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// Empties the prompt's suggested file name and types `path` instead.
fn answer_prompt(app: &mut App, path: &Path) {
    let suggested = app.prompt.as_ref().expect("a prompt is open").1.len();
    feed(app, std::iter::repeat_n(Action::Backspace, suggested));
    assert_eq!(app.prompt.as_ref().map(|p| p.1.as_str()), Some(""));
    type_text(app, path.to_str().expect("a UTF-8 temp path"));
    app.update(Action::Accept);
}

/// A topology with more services than an 80x24 list shows.
fn long_topology(n: usize) -> Topology {
    let mut t = String::from("[topology]\nname = \"long\"\n\n");
    for i in 0..n {
        t.push_str(&format!("[services.svc-{i:03}]\nkind = \"app\"\n\n"));
    }
    topology::load("long.toml", &t).expect("the generated topology loads")
}

/// The list cursor is inside the window of rows the list shows.
fn assert_cursor_in_view(app: &App, after: &str) {
    let rows = app.areas().list_rows();
    assert!(rows > 0, "{after}: the list has rows");
    assert!(
        app.list.offset <= app.list.at && app.list.at < app.list.offset + rows,
        "{after}: cursor {} outside offset {} + {rows} rows",
        app.list.at,
        app.list.offset
    );
}

// --- marking -------------------------------------------------------------------

#[test]
fn marking_a_service_adds_a_change_and_reassesses() {
    let mut app = empty_demo();
    let risk_before = app.review().assessment.risk;
    let impacted_before = impacted(&app);
    assert_eq!(risk_before, Level::Low, "the empty plan adds nothing");
    assert_eq!(
        app.review().assessment.risk_before,
        Level::High,
        "lb-secondary is already down"
    );

    focus_on(&mut app, "lb-primary");
    assert_eq!(focused_id(&app).as_deref(), Some("lb-primary"));
    app.update(Action::Mark(plan::Action::Reboot));

    assert_eq!(
        changes(app.plan()),
        vec![("lb-primary".to_string(), plan::Action::Reboot)]
    );
    assert_eq!(app.counts().0, 1);
    assert_eq!(
        app.review().assessment.risk,
        Level::Critical,
        "rebooting the last load balancer up takes the EU site down"
    );
    assert!((app.review().assessment.users.down - 0.30).abs() < 1e-9);
    assert_ne!(impacted(&app), impacted_before);
    let lb = app.topo().lookup("lb-primary").unwrap();
    assert!(impacted(&app).contains(&lb));
    assert!(!app.review().checklist.items.is_empty());
    assert_eq!(app.message.as_deref(), Some("lb-primary: reboot"));

    // The same mark again unmarks, and the assessment goes back.
    app.update(Action::Mark(plan::Action::Reboot));
    assert!(app.plan().changes.is_empty());
    assert_eq!(app.review().assessment.risk, risk_before);
    assert_eq!(impacted(&app), impacted_before);
    assert_eq!(app.message.as_deref(), Some("lb-primary: unmarked"));
}

#[test]
fn update_and_what_if_down_marks_replace_each_other() {
    let mut app = empty_demo();
    focus_on(&mut app, "db-primary");
    app.update(Action::Mark(plan::Action::Update));
    assert_eq!(
        changes(app.plan()),
        vec![("db-primary".to_string(), plan::Action::Update)]
    );
    let db = app.topo().lookup("db-primary").unwrap();
    assert_eq!(
        app.review().assessment.action(db),
        Some(plan::Action::Update)
    );

    // Another action on the same service replaces the first: one change.
    app.update(Action::Mark(plan::Action::Down));
    assert_eq!(
        changes(app.plan()),
        vec![("db-primary".to_string(), plan::Action::Down)]
    );
    assert_eq!(app.review().assessment.action(db), Some(plan::Action::Down));

    app.update(Action::Mark(plan::Action::Down));
    assert!(app.plan().changes.is_empty());
    assert_eq!(app.review().assessment.action(db), None);
}

#[test]
fn marking_with_no_service_under_the_cursor_says_so() {
    let mut app = empty_demo();
    app.update(Action::FilterStart);
    type_text(&mut app, "no-such-service");
    app.update(Action::Accept);
    assert!(app.visible.is_empty());
    app.update(Action::Mark(plan::Action::Reboot));
    assert!(app.plan().changes.is_empty());
    assert!(
        app.message.as_deref().unwrap_or("").contains("esc"),
        "{:?}",
        app.message
    );
}

// --- the filter ----------------------------------------------------------------

#[test]
fn the_filter_narrows_the_list_and_enter_keeps_it() {
    let mut app = empty_demo();
    let all = app.visible.len();
    assert_eq!(all, app.topo().services().len());

    app.update(Action::FilterStart);
    assert!(app.filtering);
    type_text(&mut app, "lb");
    assert_eq!(app.filter, "lb");
    assert_eq!(
        app.visible.len(),
        4,
        "lb-primary, lb-secondary, lb-us-1, lb-us-2"
    );
    for &i in &app.visible {
        assert!(app.topo().services()[i].id.contains("lb"));
    }
    // Typing does not run commands: `q` is a letter here.
    type_text(&mut app, "-u");
    assert!(!app.quit);
    assert_eq!(app.visible.len(), 2);
    app.update(Action::Backspace);
    app.update(Action::Backspace);
    assert_eq!(app.visible.len(), 4);

    app.update(Action::Down);
    app.update(Action::Accept);
    assert!(!app.filtering);
    assert_eq!(app.filter, "lb", "enter keeps the filter");
    assert_eq!(app.visible.len(), 4);
    assert_eq!(app.focus, Focus::List);
    assert_eq!(app.list.at, 0, "enter focuses the first match");
    assert_eq!(focused_id(&app).as_deref(), Some("lb-primary"));
}

#[test]
fn esc_clears_the_filter_and_keeps_the_focused_service() {
    // While typing.
    let mut app = empty_demo();
    app.update(Action::FilterStart);
    type_text(&mut app, "lb-us");
    app.update(Action::Down);
    assert_eq!(focused_id(&app).as_deref(), Some("lb-us-2"));
    app.update(Action::Cancel);
    assert!(!app.filtering);
    assert!(app.filter.is_empty());
    assert_eq!(app.visible.len(), app.topo().services().len());
    assert_eq!(focused_id(&app).as_deref(), Some("lb-us-2"));
    assert_cursor_in_view(&app, "cancel while typing");

    // After enter kept it.
    let mut app = empty_demo();
    focus_on(&mut app, "cache");
    app.update(Action::Down);
    assert_eq!(focused_id(&app).as_deref(), Some("cache-secondary"));
    app.update(Action::Cancel);
    assert!(app.filter.is_empty());
    assert_eq!(app.visible.len(), app.topo().services().len());
    assert_eq!(focused_id(&app).as_deref(), Some("cache-secondary"));
}

// --- focus and panes -----------------------------------------------------------

#[test]
fn tab_cycles_the_list_then_every_pane() {
    let mut app = planned_demo();
    assert_eq!(app.focus, Focus::List);
    let mut seen = Vec::new();
    for _ in 0..Pane::ALL.len() {
        app.update(Action::NextFocus);
        assert_eq!(app.focus, Focus::Pane);
        seen.push(app.pane);
    }
    assert_eq!(
        seen,
        vec![
            Pane::Impact,
            Pane::Findings,
            Pane::Checklist,
            Pane::Alerts,
            Pane::Graph,
            Pane::Exposure,
            Pane::Waves
        ]
    );
    app.update(Action::NextFocus);
    assert_eq!(
        app.focus,
        Focus::List,
        "after the last pane, back to the list"
    );

    app.update(Action::PrevFocus);
    assert_eq!((app.focus, app.pane), (Focus::Pane, Pane::Waves));
    app.update(Action::PrevFocus);
    assert_eq!((app.focus, app.pane), (Focus::Pane, Pane::Exposure));
}

#[test]
fn show_pane_focuses_it() {
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Findings));
    assert_eq!((app.focus, app.pane), (Focus::Pane, Pane::Findings));
}

// --- the checklist -------------------------------------------------------------

#[test]
fn tick_toggles_the_focused_item_and_the_plan() {
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Checklist));
    let Some(CheckRow::Item(i)) = app.check_rows.get(app.checklist.at).copied() else {
        panic!("the checklist cursor is on an item: {:?}", app.checklist);
    };
    let id = app.review().checklist.items[i].id.clone();
    assert!(!app.review().checklist.items[i].done);

    app.update(Action::Tick);
    assert!(app.review().checklist.items[i].done);
    assert_eq!(app.plan().done, vec![id.clone()]);

    app.update(Action::Tick);
    assert!(!app.review().checklist.items[i].done);
    assert!(app.plan().done.is_empty());
}

#[test]
fn ready_for_approval_only_when_every_blocking_item_is_ticked() {
    let mut app = planned_demo();
    let blocking = app
        .review()
        .checklist
        .items
        .iter()
        .filter(|i| i.blocking)
        .count();
    assert!(blocking > 1, "the seed outage's plan has blocking items");
    assert!(!app.review().checklist.ready());

    app.update(Action::ShowPane(Pane::Checklist));
    app.update(Action::Home);
    let mut ticked = 0;
    for _ in 0..app.review().checklist.items.len() {
        let Some(CheckRow::Item(i)) = app.check_rows.get(app.checklist.at).copied() else {
            panic!("the cursor skips phase headings");
        };
        let item = &app.review().checklist.items[i];
        if item.blocking && !item.done {
            assert!(
                !app.review().checklist.ready(),
                "not ready with {} blocking open",
                blocking - ticked
            );
            app.update(Action::Tick);
            ticked += 1;
        }
        app.update(Action::Down);
    }
    assert_eq!(ticked, blocking, "the cursor reached every item");
    assert!(app.review().checklist.ready());
    assert_eq!(app.review().checklist.open_blocking(), 0);
    assert_eq!(app.plan().done.len(), blocking);
    // Every item ticked, but the plan is critical and nobody accepted it:
    // never READY over a risk nobody accepted.
    assert!(!app.review().ready());
    let header = tui_header(&app);
    assert!(header.contains("NOT READY"), "{header}");

    // Unticking one makes it not ready again.
    app.update(Action::Home);
    app.update(Action::Tick);
    assert!(!app.review().checklist.ready());
}

/// The header row of the screen at 160 columns.
fn tui_header(app: &App) -> String {
    use ratatui::{Terminal, backend::TestBackend};
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| f.render_widget(app, f.area())).unwrap();
    let buf = term.backend().buffer();
    (0..160).map(|x| buf[(x, 0)].symbol().to_string()).collect()
}

#[test]
fn marking_every_service_the_filter_shows_and_again_unmarks_them() {
    let mut app = empty_demo();
    // Without a filter it would be the whole estate: refused.
    app.update(Action::MarkShown(plan::Action::Reboot));
    assert!(app.plan().changes.is_empty());
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .contains("filter the list first")
    );
    focus_on(&mut app, "app-eu");
    app.update(Action::MarkShown(plan::Action::Reboot));
    // It asks first, with the count; no leaves the plan as it is.
    let (_, question) = app.prompt.clone().expect("a question");
    assert!(question.contains("Mark the 2 services"), "{question}");
    app.update(Action::Cancel);
    assert!(app.plan().changes.is_empty());
    app.update(Action::MarkShown(plan::Action::Reboot));
    app.update(Action::Accept);
    assert_eq!(
        changes(app.plan()),
        vec![
            ("app-eu-1".to_string(), plan::Action::Reboot),
            ("app-eu-2".to_string(), plan::Action::Reboot),
        ]
    );
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("2 services marked")
    );
    // The verdict follows: both app servers of the EU pool.
    let pool = app.topo().lookup("app-eu").unwrap();
    assert_eq!(app.review().assessment.status(pool).as_str(), "down");
    // Another action replaces; the same one again unmarks them all.
    feed(
        &mut app,
        [Action::MarkShown(plan::Action::Update), Action::Accept],
    );
    assert!(
        changes(app.plan())
            .iter()
            .all(|c| c.1 == plan::Action::Update)
    );
    app.update(Action::MarkShown(plan::Action::Update));
    let (_, q) = app.prompt.clone().expect("asks again");
    assert!(q.starts_with("Unmark the 2 services"), "{q}");
    app.update(Action::Accept);
    assert!(app.plan().changes.is_empty());
    assert_eq!(app.review().assessment.status(pool).as_str(), "ok");
}

// --- the meeting: the whole plan from the app ------------------------------------

#[test]
fn title_and_window_are_set_from_the_app_and_reach_the_report() {
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::Title));
    // The prompt starts from the current title: clear it, type another.
    for _ in 0..200 {
        app.update(Action::Backspace);
    }
    type_text(&mut app, "Kernel 6.1 on the edge");
    app.update(Action::Accept);
    assert_eq!(app.plan().title, "Kernel 6.1 on the edge");
    app.update(Action::Prompt(PromptKind::Window));
    for _ in 0..200 {
        app.update(Action::Backspace);
    }
    type_text(&mut app, "2023-06-08T22:00:00+03:00 90");
    app.update(Action::Accept);
    assert_eq!(app.plan().minutes, Some(90));
    assert_eq!(
        app.plan().start.map(|s| s.to_string()).as_deref(),
        Some("2023-06-08T22:00:00+03:00")
    );
    let md = blastradius::report::markdown(app.topo(), app.plan(), app.review());
    assert!(md.contains("Kernel 6.1 on the edge"), "{md}");
    assert!(md.contains("2023-06-08T22:00:00+03:00 for 90 min"), "{md}");
    // A window the plan file would refuse is refused, and says why.
    app.update(Action::Prompt(PromptKind::Window));
    for _ in 0..200 {
        app.update(Action::Backspace);
    }
    type_text(&mut app, "2023-06-08T22:00:00+03:00 20000");
    app.update(Action::Accept);
    assert_eq!(app.plan().minutes, Some(90));
    assert!(
        app.message
            .as_deref()
            .unwrap()
            .starts_with("window not changed")
    );
}

#[test]
fn ready_only_once_the_risk_is_accepted_by_name_and_undo_takes_it_back() {
    let mut app = planned_demo();
    // Tick every blocking item.
    let blocking: Vec<String> = app
        .review()
        .checklist
        .items
        .iter()
        .filter(|i| i.blocking)
        .map(|i| i.id.clone())
        .collect();
    app.update(Action::Blockers);
    assert_eq!(app.pane, Pane::Checklist, "b shows the checklist");
    assert!(app.message.as_deref().unwrap().starts_with("NOT READY"));
    for _ in &blocking {
        app.update(Action::Blockers);
        app.update(Action::Tick);
    }
    assert_eq!(app.review().checklist.open_blocking(), 0);
    assert!(!app.review().ready(), "critical, accepted by nobody");
    app.update(Action::Blockers);
    let m = app.message.clone().unwrap();
    assert!(m.contains("risk CRITICAL not accepted by name"), "{m}");
    // Accept: who, then why.
    app.update(Action::Prompt(PromptKind::AcceptWho));
    type_text(&mut app, "R. Ops");
    app.update(Action::Accept);
    assert!(matches!(app.prompt, Some((PromptKind::AcceptWhy, _))));
    type_text(&mut app, "EU drained to the US");
    app.update(Action::Accept);
    assert!(app.review().ready());
    assert_eq!(app.plan().accepts[0].who, "R. Ops");
    assert_eq!(app.plan().accepts[0].risk.as_str(), "critical");
    assert!(tui_header(&app).contains("READY"));
    assert!(!tui_header(&app).contains("NOT READY"));
    // Sign off: who, then role.
    app.update(Action::Prompt(PromptKind::SignoffWho));
    type_text(&mut app, "A. Lead");
    app.update(Action::Accept);
    type_text(&mut app, "service owner");
    app.update(Action::Accept);
    assert_eq!(
        app.plan().signoffs[0].role.as_deref(),
        Some("service owner")
    );
    // z takes back the sign-off, then the acceptance.
    app.update(Action::Undo);
    assert!(app.plan().signoffs.is_empty());
    app.update(Action::Undo);
    assert!(app.plan().accepts.is_empty());
    assert!(!app.review().ready());
}

#[test]
fn clearing_the_plan_asks_keeps_the_title_and_can_be_undone() {
    let mut app = planned_demo();
    let changes_before = app.plan().changes.len();
    assert!(changes_before > 0);
    app.update(Action::ClearPlan);
    app.update(Action::Cancel);
    assert_eq!(app.plan().changes.len(), changes_before, "no leaves it");
    app.update(Action::ClearPlan);
    let (_, q) = app.prompt.clone().unwrap();
    assert!(q.contains("Clear 3 changes"), "{q}");
    app.update(Action::Accept);
    assert!(app.plan().changes.is_empty());
    assert!(!app.plan().title.is_empty());
    assert_eq!(app.review().assessment.risk.as_str(), "low");
    app.update(Action::Undo);
    assert_eq!(app.plan().changes.len(), changes_before);
    app.update(Action::Undo);
    assert_eq!(app.message.as_deref(), Some("nothing to undo"));
}

// --- the impact pane -----------------------------------------------------------

#[test]
fn the_plans_own_impact_comes_before_what_was_already_so() {
    let app = planned_demo();
    let a = &app.review().assessment;
    let heading = app
        .impact_rows
        .iter()
        .position(|r| matches!(r, ImpactRow::Before(_)))
        .expect("lb-secondary was down before the change: a heading");
    let (mine, before) = app.impact_rows.split_at(heading);
    let before_change = |n: NodeId| {
        let standing = common::app(
            app.topo().clone(),
            Plan::default(),
            Autosave::Off("test".into()),
            Theme::new(false, false),
        );
        standing.review().assessment.status(n)
    };
    assert!(!mine.is_empty());
    for r in mine {
        let n = r.node().expect("one heading");
        assert!(
            a.action(n).is_some() || a.status(n) != before_change(n),
            "{} is the plan's doing",
            app.topo().id(n)
        );
    }
    let ImpactRow::Before(count) = before[0] else {
        unreachable!()
    };
    assert_eq!(count, before.len() - 1);
    let lb = app.topo().lookup("lb-secondary").unwrap();
    assert!(before[1..].contains(&ImpactRow::Node(lb)));
    for r in &before[1..] {
        let n = r.node().expect("one heading");
        assert_eq!(a.status(n), before_change(n), "{}", app.topo().id(n));
        assert!(a.action(n).is_none());
    }
    // Each part worst first.
    for part in [mine, &before[1..]] {
        let statuses: Vec<_> = part.iter().map(|r| a.status(r.node().unwrap())).collect();
        assert!(statuses.is_sorted_by(|x, y| x >= y), "{statuses:?}");
    }
}

#[test]
fn with_nothing_marked_there_is_no_heading() {
    let app = empty_demo();
    assert!(!app.impact_rows.is_empty(), "lb-secondary is down");
    assert!(app.impact_rows.iter().all(|r| r.node().is_some()));
}

#[test]
fn the_impact_cursor_never_rests_on_the_heading() {
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Impact));
    let n = app.impact_rows.len();
    let mut seen = Vec::new();
    for _ in 0..n + 2 {
        assert!(app.impact_focus().is_some(), "at {}", app.impact.at);
        seen.push(app.impact.at);
        app.update(Action::Down);
    }
    for _ in 0..n + 2 {
        app.update(Action::Up);
        assert!(app.impact_focus().is_some(), "at {}", app.impact.at);
    }
    assert_eq!(app.impact.at, 0);
    seen.dedup();
    assert_eq!(
        seen.len(),
        n - 1,
        "every node row is reached, the heading skipped"
    );
    // Unmarking everything leaves no heading and a cursor on a row.
    app.update(Action::End);
    for c in app.plan().changes.clone() {
        focus_on(&mut app, &c.service);
        app.update(Action::Mark(c.action));
    }
    assert!(app.plan().changes.is_empty());
    assert!(app.impact_rows.iter().all(|r| r.node().is_some()));
    assert!(app.impact.at < app.impact_rows.len());
}

// --- jumping and moving --------------------------------------------------------

#[test]
fn jump_from_the_impact_pane_focuses_that_service() {
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Impact));
    // An impacted service that is not first in the list.
    move_impact_to(&mut app, "lb-primary");
    assert_ne!(app.impact.at, 0);
    app.update(Action::Jump);
    assert_eq!(app.focus, Focus::List);
    assert_eq!(focused_id(&app).as_deref(), Some("lb-primary"));
    assert_cursor_in_view(&app, "jump");
}

#[test]
fn jump_to_a_group_focuses_its_first_member_and_clears_the_filter() {
    let mut app = planned_demo();
    focus_on(&mut app, "site");
    app.update(Action::ShowPane(Pane::Impact));
    move_impact_to(&mut app, "edge-lb");
    app.update(Action::Jump);
    assert!(app.filter.is_empty(), "the target may not match the filter");
    assert_eq!(app.focus, Focus::List);
    assert_eq!(focused_id(&app).as_deref(), Some("lb-primary"));
}

#[test]
fn page_end_and_home_keep_the_cursor_in_view() {
    let mut app = app_on(
        long_topology(200),
        Plan::default(),
        Autosave::Off("test".into()),
    );
    let rows = app.areas().list_rows();
    assert!(rows < 200);
    assert_cursor_in_view(&app, "start");

    app.update(Action::PageDown);
    assert!(app.list.at > 0, "page down moves");
    assert_cursor_in_view(&app, "page down");
    let one_page = app.list.at;
    app.update(Action::PageDown);
    assert_eq!(app.list.at, 2 * one_page);
    assert_cursor_in_view(&app, "page down twice");

    app.update(Action::End);
    assert_eq!(app.list.at, 199);
    assert_cursor_in_view(&app, "end");
    app.update(Action::Down);
    assert_eq!(app.list.at, 199, "the cursor stops at the end");

    app.update(Action::PageUp);
    assert_eq!(app.list.at, 199 - one_page);
    assert_cursor_in_view(&app, "page up");

    app.update(Action::Home);
    assert_eq!((app.list.at, app.list.offset), (0, 0));
    app.update(Action::Up);
    assert_eq!(app.list.at, 0, "the cursor stops at the top");

    // A smaller window pulls the offset along.
    app.update(Action::End);
    app.update(Action::Resize(80, 16));
    assert_cursor_in_view(&app, "shrinking the terminal");
    app.update(Action::Resize(120, 60));
    assert_cursor_in_view(&app, "growing the terminal");
}

#[test]
fn a_tiny_terminal_and_back_does_not_panic() {
    let mut app = planned_demo();
    app.update(Action::End);
    for (w, h) in [(10, 3), (1, 1), (0, 0), (59, 15)] {
        app.update(Action::Resize(w, h));
        feed(
            &mut app,
            [
                Action::Down,
                Action::PageDown,
                Action::PageUp,
                Action::End,
                Action::NextFocus,
                Action::Down,
                Action::PageDown,
                Action::Click(0, 0),
                Action::Scroll(1, 1, true),
            ],
        );
        if w > 0 && h > 0 {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
        }
    }
    app.update(Action::Resize(80, 24));
    for pane in Pane::ALL {
        app.update(Action::ShowPane(pane));
        app.update(Action::End);
    }
    app.update(Action::NextFocus);
    assert_cursor_in_view(&app, "back at 80x24");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
}

#[test]
fn quit_sets_quit() {
    let mut app = planned_demo();
    assert!(!app.quit);
    app.update(Action::Quit);
    assert!(app.quit);
}

#[test]
fn help_opens_scrolls_and_closes() {
    let mut app = planned_demo();
    app.update(Action::ToggleHelp);
    assert_eq!(app.help, Some(0));
    app.update(Action::Down);
    assert_eq!(app.help, Some(1));
    // Keys meant for the list do nothing while the help is open.
    app.update(Action::Mark(plan::Action::Reboot));
    assert_eq!(app.plan().changes.len(), 3);
    app.update(Action::Cancel);
    assert_eq!(app.help, None);
}

// --- files ---------------------------------------------------------------------

#[test]
fn marking_autosaves_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plans").join("demo.plan.toml");
    let mut app = app_on(demo_topology(), Plan::default(), Autosave::To(path.clone()));
    assert!(!path.exists(), "nothing is written before a change");

    focus_on(&mut app, "cache-primary");
    app.update(Action::Mark(plan::Action::Reboot));
    focus_on(&mut app, "db-primary");
    app.update(Action::Mark(plan::Action::Update));
    assert!(path.exists(), "the autosave folder is created on first use");
    let (saved, _) = Plan::load(&path).expect("the autosave parses");
    assert_eq!(changes(&saved), changes(app.plan()));
    assert_eq!(changes(&saved).len(), 2);

    // Ticks are saved too.
    app.update(Action::ShowPane(Pane::Checklist));
    app.update(Action::Tick);
    let (saved, _) = Plan::load(&path).unwrap();
    assert_eq!(saved.done, app.plan().done);
    assert_eq!(saved.done.len(), 1);
    assert_eq!(app.autosave, Autosave::To(path));
}

#[test]
fn the_save_prompt_writes_a_plan_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.plan.toml");
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::SavePlan));
    assert_eq!(
        app.prompt,
        Some((PromptKind::SavePlan, "web-stack.plan.toml".to_string())),
        "the prompt suggests a name"
    );
    answer_prompt(&mut app, &path);
    assert_eq!(app.prompt, None);
    let (saved, _) = Plan::load(&path).expect("the saved plan parses");
    assert_eq!(changes(&saved), changes(app.plan()));
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("plan saved to"),
        "{:?}",
        app.message
    );
}

#[test]
fn cancelling_the_prompt_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("never.plan.toml");
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::SavePlan));
    feed(&mut app, std::iter::repeat_n(Action::Backspace, 40));
    type_text(&mut app, path.to_str().unwrap());
    app.update(Action::Cancel);
    assert_eq!(app.prompt, None);
    assert!(!path.exists());
    assert_eq!(app.message.as_deref(), Some("cancelled"));
}

#[test]
fn export_writes_the_markdown_change_record() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("record.md");
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::ExportReport));
    answer_prompt(&mut app, &path);
    let md = std::fs::read_to_string(&path).expect("the report was written");
    assert!(md.contains("# Change record"), "{md}");
    assert!(md.contains("lb-primary"), "{md}");
    assert!(
        app.message
            .as_deref()
            .unwrap_or("")
            .contains("report written to"),
        "{:?}",
        app.message
    );
}

#[test]
fn an_unwritable_autosave_turns_itself_off_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the autosave folder should be: the folder cannot be made.
    let blocker = dir.path().join("plans");
    std::fs::write(&blocker, "not a folder").unwrap();
    let path = blocker.join("demo.plan.toml");
    let mut app = app_on(demo_topology(), Plan::default(), Autosave::To(path));
    app.update(Action::Mark(plan::Action::Reboot));
    assert_eq!(app.plan().changes.len(), 1, "the mark itself still happens");
    assert!(
        matches!(app.autosave, Autosave::Off(_)),
        "{:?}",
        app.autosave
    );
    assert!(
        app.message.as_deref().unwrap_or("").contains("autosave"),
        "{:?}",
        app.message
    );
}

// --- keys through the keymap ---------------------------------------------------

#[test]
fn keys_go_through_the_keymap() {
    use blastradius::tui::translate;
    let mut app = empty_demo();

    let space = translate(&app, key(KeyCode::Char(' ')));
    assert_eq!(space, Some(Action::Mark(plan::Action::Reboot)));
    app.update(space.unwrap());
    assert_eq!(app.plan().changes.len(), 1);

    // In the checklist pane, space ticks instead.
    app.update(Action::ShowPane(Pane::Checklist));
    assert_eq!(translate(&app, key(KeyCode::Char(' '))), Some(Action::Tick));

    // While filtering, `q` is typed, not quit.
    app.update(Action::FilterStart);
    assert_eq!(
        translate(&app, key(KeyCode::Char('q'))),
        Some(Action::Input('q'))
    );
    assert_eq!(translate(&app, key(KeyCode::Esc)), Some(Action::Cancel));
    app.update(Action::Cancel);

    let q = translate(&app, key(KeyCode::Char('q')));
    assert_eq!(q, Some(Action::Quit));
    app.update(q.unwrap());
    // Autosave is off here and a mark was made: quitting asks first.
    assert!(!app.quit);
    let y = translate(&app, key(KeyCode::Char('y')));
    assert_eq!(y, Some(Action::Accept));
    app.update(y.unwrap());
    assert!(app.quit);

    assert_eq!(
        translate(&app, Event::Resize(100, 30)),
        Some(Action::Resize(100, 30))
    );
    let ctrl_c = Event::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert_eq!(translate(&app, ctrl_c), Some(Action::Quit));
}

/// The TUI keeps the estate's standing state and walks only what each mark
/// reaches. After every mark and unmark, on an estate with standing
/// failures, its review must be the one the CLI computes from scratch.
#[test]
fn each_keystroke_reassesses_exactly_as_the_cli_does() {
    let g = blastradius::testgen::generate(2_000, 3);
    let topo = topology::load("g.toml", &g.toml).unwrap();
    let mut app = app_on(topo.clone(), Plan::default(), Autosave::Off("test".into()));
    let today = blastradius::topology::Date {
        year: 2023,
        month: 6,
        day: 8,
    };
    let rules = blastradius::checklist::RuleSet::defaults();
    let mut marks: Vec<(&str, plan::Action)> = g
        .changes
        .iter()
        .map(|c| (c.as_str(), plan::Action::Reboot))
        .collect();
    // A what-if down, an update, and unmarking two of the reboots.
    marks.push((g.service_ids[5].as_str(), plan::Action::Down));
    marks.push((g.service_ids[900].as_str(), plan::Action::Update));
    marks.push((g.changes[0].as_str(), plan::Action::Reboot));
    marks.push((g.changes[3].as_str(), plan::Action::Reboot));
    let mut differed = 0;
    let mut last = String::new();
    for (id, action) in marks {
        focus_on(&mut app, id);
        assert_eq!(focused_id(&app).as_deref(), Some(id));
        app.update(Action::Mark(action));
        let changes = plan::resolve(&topo, &app.plan().changes, None, "plan").unwrap();
        let scratch = blastradius::review::Review::new(&topo, app.plan(), &changes, &rules, today);
        let shown = blastradius::report::json(app.topo(), app.review());
        assert_eq!(
            shown,
            blastradius::report::json(&topo, &scratch),
            "after marking {id}"
        );
        differed += usize::from(shown != last);
        last = shown;
    }
    assert_eq!(app.plan().changes.len(), g.changes.len());
    assert!(
        differed >= 10,
        "the marks changed the review only {differed} times"
    );
}

// --- files the TUI writes (issue 10) -----------------------------------------------------

use blastradius::tui::app::Source;
use blastradius::tui::persist;

/// The demo topology as a file in `dir`, loaded from it: the app on it
/// with `source` naming it (and `plan`, as if opened with --plan).
fn app_on_file(dir: &Path, plan_file: Option<&Path>) -> (App, std::path::PathBuf) {
    let path = dir.join("web-stack.toml");
    std::fs::write(&path, blastradius::DEMO_TOPOLOGY).unwrap();
    let topo = topology::load_file(&path).unwrap();
    let mut app = App::new(
        topo,
        Source {
            path: Some(path.clone()),
            plan: plan_file.map(Path::to_path_buf),
        },
        demo_plan(),
        blastradius::checklist::RuleSet::defaults(),
        topology::Date {
            year: 2023,
            month: 6,
            day: 8,
        },
        Autosave::Off("test".into()),
        Theme::new(false, false),
    );
    app.update(Action::Resize(80, 24));
    (app, path)
}

fn message(app: &App) -> String {
    app.message.clone().unwrap_or_default()
}

#[test]
fn the_save_prompt_refuses_the_open_topologys_own_path_and_its_hard_links() {
    let dir = tempfile::tempdir().unwrap();
    let (mut app, topo) = app_on_file(dir.path(), None);
    let alias = dir.path().join("alias.toml");
    std::fs::hard_link(&topo, &alias).unwrap();
    for target in [&topo, &alias] {
        for kind in [PromptKind::SavePlan, PromptKind::ExportReport] {
            app.update(Action::Prompt(kind));
            answer_prompt(&mut app, target);
            assert_eq!(app.prompt, None, "no question: a plain refusal");
            assert!(
                message(&app).contains("is the open topology"),
                "{}",
                message(&app)
            );
        }
    }
    assert_eq!(
        std::fs::read_to_string(&topo).unwrap(),
        blastradius::DEMO_TOPOLOGY
    );
}

#[test]
fn the_save_prompt_never_replaces_the_plan_opened_with_plan() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("p.plan.toml");
    std::fs::write(&plan, blastradius::DEMO_PLAN).unwrap();
    let (mut app, _) = app_on_file(dir.path(), Some(&plan));
    app.update(Action::Prompt(PromptKind::SavePlan));
    answer_prompt(&mut app, &plan);
    assert_eq!(app.prompt, None);
    assert!(
        message(&app).contains("is the plan you opened"),
        "{}",
        message(&app)
    );
    assert_eq!(
        std::fs::read_to_string(&plan).unwrap(),
        blastradius::DEMO_PLAN
    );
}

#[test]
fn saving_over_an_existing_file_asks_and_no_leaves_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.plan.toml");
    std::fs::write(&path, "mine").unwrap();
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::SavePlan));
    answer_prompt(&mut app, &path);
    assert_eq!(
        app.prompt,
        Some((PromptKind::ReplacePlan, path.display().to_string())),
        "an existing file is a question"
    );
    assert_eq!(app.context(), blastradius::tui::keymap::Context::Confirm);
    // Typing is not an answer: only y or n.
    app.update(Action::Input('x'));
    assert!(app.prompt.is_some());
    let n = blastradius::tui::translate(&app, key(KeyCode::Char('n')));
    app.update(n.unwrap());
    assert_eq!(app.prompt, None);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "mine");
}

#[test]
fn saving_over_an_existing_file_after_yes_replaces_it_keeping_its_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    for kind in [PromptKind::SavePlan, PromptKind::ExportReport] {
        let path = dir.path().join(format!("{kind:?}.out"));
        std::fs::write(&path, "mine").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let mut app = planned_demo();
        app.update(Action::Prompt(kind));
        answer_prompt(&mut app, &path);
        let y = blastradius::tui::translate(&app, key(KeyCode::Char('y')));
        app.update(y.unwrap());
        assert_eq!(app.prompt, None);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_ne!(text, "mine", "{kind:?}: replaced after yes");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640, "{kind:?}: the mode is kept");
    }
}

#[test]
fn the_save_prompt_never_writes_through_a_link_or_onto_a_fifo_or_folder() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("precious");
    std::fs::write(&real, "precious").unwrap();
    let link = dir.path().join("link.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let mut app = planned_demo();
    for (target, says) in [
        (&link, "symbolic link"),
        (&fifo, "FIFO"),
        (&dir.path().to_path_buf(), "directory"),
    ] {
        app.update(Action::Prompt(PromptKind::ExportReport));
        answer_prompt(&mut app, target);
        assert_eq!(app.prompt, None, "refused, not asked");
        assert!(message(&app).contains(says), "{}", message(&app));
    }
    assert_eq!(std::fs::read_to_string(&real).unwrap(), "precious");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn a_new_saved_plan_names_its_topology_relative_to_itself_and_is_not_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let (mut app, _) = app_on_file(dir.path(), None);
    std::fs::create_dir(dir.path().join("plans")).unwrap();
    let out = dir.path().join("plans").join("new.plan.toml");
    app.update(Action::Prompt(PromptKind::SavePlan));
    answer_prompt(&mut app, &out);
    let (saved, _) = Plan::load(&out).unwrap();
    assert_eq!(saved.topology.as_deref(), Some("../web-stack.toml"));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode();
    assert_ne!(
        mode & 0o777,
        0o600,
        "a saved plan is not private like a temp file"
    );
}

#[test]
fn an_autosave_that_cannot_be_written_is_shown_and_quit_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the autosave folder should be: as a read-only data
    // folder, every write fails (and root cannot get around it).
    std::fs::write(dir.path().join("plans"), "not a folder").unwrap();
    let path = dir.path().join("plans").join("demo.plan.toml");
    let mut app = app_on(demo_topology(), Plan::default(), Autosave::To(path));
    app.update(Action::Mark(plan::Action::Reboot));
    assert!(
        message(&app).contains("autosave failed"),
        "{}",
        message(&app)
    );
    assert!(app.unsaved.is_some());
    app.update(Action::Quit);
    assert!(!app.quit, "unsaved work: quitting asks first");
    assert!(matches!(app.prompt, Some((PromptKind::QuitUnsaved, _))));
    app.update(Action::Cancel);
    assert!(!app.quit && app.prompt.is_none(), "n stays");
    app.update(Action::Quit);
    app.update(Action::Accept);
    assert!(app.quit, "y quits anyway");
}

#[test]
fn saving_the_plan_to_a_file_clears_the_unsaved_state_and_quit_no_longer_asks() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = empty_demo();
    app.update(Action::Mark(plan::Action::Reboot));
    assert!(
        app.unsaved.is_some(),
        "autosave is off: the mark is unsaved"
    );
    app.update(Action::Prompt(PromptKind::SavePlan));
    answer_prompt(&mut app, &dir.path().join("kept.plan.toml"));
    assert_eq!(app.unsaved, None);
    app.update(Action::Quit);
    assert!(app.quit);
}

/// Sets a file's modification time `secs` seconds into the past.
fn age(path: &Path, secs: u64) {
    let t = std::time::SystemTime::now() - std::time::Duration::from_secs(secs);
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(t)
        .unwrap();
}

fn plan_text(service: &str) -> String {
    format!("[plan]\ntitle = \"t\"\n\n[[change]]\nservice = \"{service}\"\naction = \"reboot\"\n")
}

#[test]
fn a_planted_autosave_that_is_not_a_regular_file_is_not_read_and_work_goes_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for (i, target) in [Path::new("/dev/zero"), &fifo].into_iter().enumerate() {
        let shared = dir.path().join(format!("t{i}.plan.toml"));
        std::os::unix::fs::symlink(target, &shared).unwrap();
        // A FIFO would block the read and /dev/zero never end: neither is
        // opened at all.
        let start = persist::start(&shared, None);
        assert!(start.restored.is_none());
        let msg = start.message.clone().unwrap_or_default();
        assert!(msg.contains("not a regular file"), "{msg}");
        let Autosave::To(to) = &start.autosave else {
            panic!("autosave stays on")
        };
        assert_ne!(*to, shared, "work goes to a new file");
        let mut app = app_on(demo_topology(), Plan::default(), start.autosave.clone());
        app.autosave_last = start.last;
        app.update(Action::Mark(plan::Action::Reboot));
        assert!(Plan::load(to).is_ok(), "the work was saved");
        assert!(
            std::fs::symlink_metadata(&shared)
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    // A FIFO planted as the autosave itself (not through a link) too.
    let shared = dir.path().join("f.plan.toml");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&shared)
            .status()
            .unwrap()
            .success()
    );
    let start = persist::start(&shared, None);
    assert!(start.restored.is_none());
    assert_ne!(start.autosave, Autosave::To(shared));
}

#[test]
fn an_autosave_over_16_mib_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("big.plan.toml");
    std::fs::File::create(&shared)
        .unwrap()
        .set_len(17 * 1024 * 1024)
        .unwrap();
    let start = persist::start(&shared, None);
    assert!(start.restored.is_none());
    let msg = start.message.unwrap_or_default();
    assert!(msg.contains("limit of 16 MiB"), "{msg}");
}

#[test]
fn a_plan_opened_with_plan_autosaves_apart_from_the_topologys_work() {
    let topo = Path::new("/estate/web-stack.toml");
    let plan = Path::new("/estate/plans/change-42.plan.toml");
    let (Autosave::To(t), Autosave::To(p)) = (
        persist::locate("web-stack", Some(topo)),
        persist::locate_plan(plan),
    ) else {
        return; // no home directory: nothing to compare
    };
    assert_ne!(t, p, "the topology's autosave is never the plan's");
    assert!(
        p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("plan-change-42")
    );
    let other = persist::locate_plan(Path::new("/estate/other/change-42.plan.toml"));
    assert_ne!(Autosave::To(p), other, "keyed by the plan's place");
}

#[test]
fn a_plans_autosave_comes_back_only_when_newer_than_the_plan_file() {
    let dir = tempfile::tempdir().unwrap();
    let plan_file = dir.path().join("p.plan.toml");
    let shared = dir.path().join("plan-p.plan.toml");
    std::fs::write(&plan_file, plan_text("lb-primary")).unwrap();
    std::fs::write(&shared, plan_text("db-primary")).unwrap();
    age(&plan_file, 3600);
    let start = persist::start(&shared, Some(&plan_file));
    let restored = start.restored.expect("the newer autosave is restored");
    assert_eq!(restored.changes[0].service, "db-primary");
    drop(start.lock);
    // The plan file edited after the autosave: the file wins.
    age(&shared, 7200);
    let start = persist::start(&shared, Some(&plan_file));
    assert!(start.restored.is_none());
    assert_eq!(
        start.last.as_deref(),
        Some(plan_text("db-primary").as_str())
    );
}

#[test]
fn a_second_windows_autosave_is_offered_when_it_is_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("web-stack-0123.plan.toml");
    // A window that is gone (no such pid) left its own file, newer.
    let other = dir.path().join("web-stack-0123.pid999999999.plan.toml");
    std::fs::write(&shared, plan_text("lb-primary")).unwrap();
    std::fs::write(&other, plan_text("db-primary")).unwrap();
    age(&shared, 3600);
    let start = persist::start(&shared, None);
    let restored = start.restored.clone().expect("the newest is offered");
    assert_eq!(restored.changes[0].service, "db-primary");
    assert!(
        start
            .message
            .clone()
            .unwrap_or_default()
            .contains("another window")
    );
    assert_eq!(
        start.autosave,
        Autosave::To(other.clone()),
        "goes on in that file"
    );
    // Editing it never overwrites the first window's work.
    let mut app = app_on(demo_topology(), restored, start.autosave.clone());
    app.autosave_last = start.last.clone();
    app.update(Action::Mark(plan::Action::Update));
    assert_eq!(
        std::fs::read_to_string(&shared).unwrap(),
        plan_text("lb-primary")
    );
    assert_eq!(Plan::load(&other).unwrap().0.changes.len(), 2);
    drop(start.lock);
    // When the shared file is the newest, it is the one restored.
    age(&other, 7200);
    std::fs::write(&shared, plan_text("cache-primary")).unwrap();
    let start = persist::start(&shared, None);
    assert_eq!(start.restored.unwrap().changes[0].service, "cache-primary");
    assert_eq!(start.autosave, Autosave::To(shared));
}

#[test]
fn the_exposure_pane_is_computed_off_the_keystroke_and_follows_the_plan() {
    let mut app = planned_demo();
    // Not asked until the pane shows: a mark never pays for it unseen.
    assert!(matches!(
        app.exposure(),
        blastradius::tui::work::Answer::NotAsked
    ));
    app.update(Action::ShowPane(Pane::Exposure));
    app.settle();
    let listed = |app: &App| match app.exposure() {
        blastradius::tui::work::Answer::Ready(e) => e
            .entries
            .iter()
            .map(|x| app.topo().id(x.service).to_string())
            .collect::<Vec<_>>(),
        _ => panic!("settled, yet no answer"),
    };
    let before = listed(&app);
    assert!(before.contains(&"db-replica".to_string()), "{before:?}");
    // Marking db-replica as well: it is down now, so no longer exposed;
    // the pane follows the plan (asked again, answered again).
    focus_on(&mut app, "db-replica");
    app.update(Action::Mark(plan::Action::Reboot));
    assert!(app.background_pending() || !listed(&app).contains(&"db-replica".to_string()));
    app.settle();
    assert!(!listed(&app).contains(&"db-replica".to_string()));
}

#[test]
fn live_state_is_read_in_the_background_and_a_dead_source_is_said() {
    // A port nobody listens on: Prometheus there cannot answer.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sources = blastradius::live::Sources {
        prometheus: Some(
            blastradius::live::Url::parse(&format!("http://127.0.0.1:{port}")).unwrap(),
        ),
        alertmanager: None,
        label: "service".into(),
        timeout: std::time::Duration::from_millis(300),
    };
    let mut app = empty_demo().with_live(sources);
    app.update(Action::Resize(160, 48));
    // The first refresh runs on its own thread; the app answers keys
    // meanwhile.
    app.update(Action::Down);
    app.settle();
    let obs = app.session().observations().expect("a refresh arrived");
    assert!(obs.partial, "{:?}", obs.errors);
    let m = app.message.clone().unwrap();
    assert!(m.contains("PARTIAL"), "{m}");
    assert!(tui_header(&app).contains("PARTIAL"), "{}", tui_header(&app));
    // r asks again.
    app.update(Action::Refresh);
    assert!(app.background_pending());
    app.settle();
    assert!(!app.background_pending());
}

#[test]
fn moving_changes_between_waves_assesses_the_plan_wave_by_wave() {
    // The seed's three changes at once are critical.
    let mut app = planned_demo();
    assert_eq!(app.review().assessment.risk, Level::Critical);
    for id in ["lb-primary", "cache-primary", "db-primary"] {
        focus_on(&mut app, id);
        app.update(Action::MoveWave(true));
    }
    // All in wave 1: the same as at once.
    assert_eq!(app.session().waves().len(), 1);
    assert_eq!(app.review().assessment.risk, Level::Critical);
    // db-primary alone in wave 2: each wave is assessed alone, and the
    // plan's risk is the worst wave's.
    focus_on(&mut app, "db-primary");
    app.update(Action::MoveWave(true));
    let waves = app.session().waves();
    assert_eq!(waves.len(), 2);
    let wave2: Vec<String> = waves[1]
        .review
        .assessment
        .changes(app.topo())
        .map(|(n, _)| app.topo().id(n).to_string())
        .collect();
    assert_eq!(wave2, ["db-primary"]);
    assert!(waves[1].review.assessment.risk < Level::Critical);
    assert_eq!(
        app.review().assessment.risk,
        Level::Critical,
        "wave 1 still is"
    );
    // Taken out of every wave, a change makes the verdict the whole plan's
    // again, never less.
    app.update(Action::MoveWave(false));
    app.update(Action::MoveWave(false));
    assert_eq!(
        app.plan()
            .changes
            .iter()
            .filter(|c| c.wave.is_none())
            .count(),
        1
    );
    assert_eq!(app.review().assessment.risk, Level::Critical);
    // And z takes the move back.
    app.update(Action::Undo);
    assert_eq!(
        app.session()
            .wave_of(app.topo().lookup("db-primary").unwrap()),
        Some(1)
    );
}

#[test]
fn a_pair_rebooted_in_two_waves_reads_as_the_worst_wave_not_the_sum() {
    let mut app = empty_demo();
    for id in ["lb-us-1", "lb-us-2"] {
        focus_on(&mut app, id);
        app.update(Action::Mark(plan::Action::Reboot));
    }
    // Both at once: the US site goes down.
    assert_eq!(app.review().assessment.risk, Level::Critical);
    focus_on(&mut app, "lb-us-1");
    app.update(Action::MoveWave(true));
    assert_eq!(
        app.review().assessment.risk,
        Level::Critical,
        "one still in no wave"
    );
    focus_on(&mut app, "lb-us-2");
    app.update(Action::MoveWave(true));
    app.update(Action::MoveWave(true));
    // One a wave: each leaves the pair one up; nobody loses service.
    assert_eq!(app.session().waves().len(), 2);
    assert_eq!(app.review().assessment.risk, Level::Medium);
}

// --- the graph -----------------------------------------------------------------

/// The box of a service or group in the graph's layout.
fn graph_box<'a>(app: &'a App, id: &str) -> &'a blastradius::tui::graph::GBox {
    let node = app.topo().lookup(id).expect("in the topology");
    app.graph()
        .find(node)
        .unwrap_or_else(|| panic!("{id} is drawn"))
}

#[test]
fn the_graph_joins_a_standing_cause_to_the_group_it_weighs_on() {
    // The seed: lb-primary rebooted while lb-secondary is already down.
    // lb-secondary is on no chain (edge-lb's runs through lb-primary), yet
    // it is why edge-lb ends down: the drawing joins it to edge-lb's box.
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Graph));
    let lb2 = graph_box(&app, "lb-secondary");
    let edge = graph_box(&app, "edge-lb");
    let joined = lb2.joins.map(|i| app.graph().boxes[i].node);
    assert_eq!(joined, app.topo().lookup("edge-lb"));
    assert_eq!(lb2.y, edge.y, "on the row of the box it weighs on");
    assert_eq!(
        lb2.x,
        edge.x + edge.width + blastradius::tui::graph::LINK,
        "right beside it, the arrow between"
    );
    assert_eq!(lb2.tag.as_deref(), Some("[state: down]"));
    // And the arrow is drawn, pointing into edge-lb.
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).unwrap();
    app.update(Action::Resize(200, 50));
    terminal.draw(|f| f.render_widget(&app, f.area())).unwrap();
    let row: String = {
        let buf = terminal.backend().buffer();
        let pane = app.areas().pane;
        let edge = graph_box(&app, "edge-lb");
        let y = pane.y + edge.y as u16 + 1;
        (pane.x..pane.x + pane.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect()
    };
    assert!(
        row.contains("DOWN edge-lb 0/2│←┄┄│DOWN lb-secondary"),
        "{row}"
    );
}

#[test]
fn the_graph_uses_the_rooms_rows_before_it_scrolls_sideways() {
    let mut app = planned_demo();
    app.update(Action::ShowPane(Pane::Graph));
    for (w, h, all_of_it) in [(200, 50, true), (160, 48, true), (80, 24, false)] {
        app.update(Action::Resize(w, h));
        let pane = app.areas().pane;
        assert_eq!(app.graph().room.width, pane.width as usize, "{w}x{h}");
        assert!(
            app.graph().width <= pane.width as usize,
            "{w}x{h}: no sideways scroll ({} > {})",
            app.graph().width,
            pane.width
        );
        assert_eq!(
            app.graph().height <= pane.height as usize,
            all_of_it,
            "{w}x{h}: the whole drawing shows"
        );
        assert_eq!(
            app.graph().labels,
            blastradius::tui::graph::Labels::Full,
            "{w}x{h}: ids whole"
        );
    }
    // At 80x24 the trees are below each other: j scrolls down to the end,
    // not past it.
    feed(&mut app, std::iter::repeat_n(Action::Down, 200));
    let (_, sy) = app.graph_scroll;
    let rows = app.areas().pane.height as usize - 1;
    assert_eq!(sy + rows, app.graph().height, "the last row at the bottom");
    feed(&mut app, std::iter::repeat_n(Action::Right, 5));
    assert_eq!(app.graph_scroll.0, 0, "nothing to the right");
}

/// One cause that takes down more services than fit side by side at 80
/// columns, and a chain below one of them: a graph wider and taller than
/// the pane.
fn wide_topology() -> Topology {
    let mut t = String::from("[topology]\nname = \"wide\"\n\n[services.root]\n\n");
    for i in 0..12 {
        t.push_str(&format!(
            "[services.leaf-{i:02}]\nrequires = [\"root\"]\n\n"
        ));
    }
    for (i, up) in ["leaf-00", "tail-0", "tail-1"].iter().enumerate() {
        t.push_str(&format!("[services.tail-{i}]\nrequires = [\"{up}\"]\n\n"));
    }
    topology::load("wide.toml", &t).expect("the generated topology loads")
}

#[test]
fn marking_starts_the_graph_again_from_its_top_left_corner() {
    let mut plan = Plan::default();
    plan.set_change("root", Some(plan::Action::Reboot));
    let mut app = app_on(wide_topology(), plan, Autosave::Off("test".into()));
    app.update(Action::ShowPane(Pane::Graph));
    let pane = app.areas().pane;
    assert!(
        app.graph().width > pane.width as usize,
        "wider than the pane"
    );
    feed(&mut app, [Action::Right, Action::Right, Action::Down]);
    assert!(app.graph_scroll.0 > 0 && app.graph_scroll.1 > 0);
    // Mark a leaf from the list: a new drawing, seen from its corner.
    app.update(Action::NextFocus);
    focus_on(&mut app, "leaf-03");
    app.update(Action::Mark(plan::Action::Update));
    assert_eq!(app.plan().changes.len(), 2);
    assert_eq!(app.graph_scroll, (0, 0));
}

// --- the messages (m) ----------------------------------------------------------

/// The screen as text, one line per row.
fn screen_text(app: &mut App, w: u16, h: u16) -> String {
    app.update(Action::Resize(w, h));
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| f.render_widget(&*app, f.area())).unwrap();
    let buf = terminal.backend().buffer();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_second_window_notice_is_kept_and_its_files_offered_again() {
    let dir = tempfile::tempdir().unwrap();
    let topo_path = dir.path().join("web-stack.toml");
    std::fs::write(&topo_path, blastradius::DEMO_TOPOLOGY).unwrap();
    let shared = dir.path().join("web-stack-0123.plan.toml");
    // A first window holds the topology (a live pid: this one).
    let first = persist::lock(&shared).unwrap();
    assert!(first.is_some());
    let start = persist::start(&shared, None);
    let Autosave::To(own) = start.autosave.clone() else {
        panic!("the second window autosaves somewhere")
    };
    assert_ne!(own, shared, "a file of its own");
    assert_eq!(start.other.as_deref(), Some(shared.as_path()));
    let (session, _) = blastradius::session::Session::open_lenient(
        topology::load_file(&topo_path).unwrap(),
        demo_plan(),
        blastradius::checklist::RuleSet::defaults(),
        topology::Date {
            year: 2023,
            month: 6,
            day: 8,
        },
    );
    let mut app = App::on(
        session,
        Source {
            path: Some(topo_path.clone()),
            plan: None,
        },
        start,
        Theme::new(false, false),
    );
    let notice = message(&app);
    assert!(notice.contains("another blastradius"), "{notice}");
    assert!(notice.contains("m shows this again"), "{notice}");
    // The next key says something else: the footer moves on...
    app.update(Action::Resize(80, 24));
    app.update(Action::Mark(plan::Action::Update));
    assert_ne!(message(&app), notice);
    // ...and `m` brings the notice back, with both files and the command
    // that opens each, whole at 80 columns.
    let ev = |c| Event::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    let m = blastradius::tui::translate(&app, ev('m')).expect("m is bound");
    app.update(m);
    assert_eq!(app.log().open, Some(0));
    let said: Vec<&str> = app.log().newest_first().collect();
    assert_eq!(said.get(1), Some(&notice.as_str()), "{said:?}");
    let files: Vec<&Path> = app.autosave_files().iter().map(|f| f.1).collect();
    assert_eq!(files, [own.as_path(), shared.as_path()]);
    let cmd = app.reopen_command(&shared);
    assert_eq!(
        cmd,
        format!(
            "blastradius {} --plan {}",
            topo_path.display(),
            shared.display()
        )
    );
    let text = screen_text(&mut app, 80, 24);
    let joined: String = text.split_whitespace().collect::<Vec<_>>().join("");
    for must in [&own, &shared] {
        let whole: String = must.display().to_string().split_whitespace().collect();
        assert!(
            joined.contains(&whole),
            "{} not shown whole:\n{text}",
            must.display()
        );
    }
    assert!(text.contains("another blastradius"), "{text}");
    assert!(text.contains("--plan"), "{text}");
    // m again closes it; the app is where it was.
    let m = blastradius::tui::translate(&app, ev('m')).unwrap();
    app.update(m);
    assert_eq!(app.log().open, None);
    drop(first);
}

#[test]
fn a_conflict_with_another_window_is_kept_and_its_file_offered() {
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("web-stack-0123.plan.toml");
    let mut app = app_on(demo_topology(), demo_plan(), Autosave::To(shared.clone()));
    app.update(Action::Mark(plan::Action::Update));
    // Another window writes the same file.
    std::fs::write(&shared, plan_text("db-primary")).unwrap();
    app.update(Action::Down);
    app.update(Action::Mark(plan::Action::Update));
    assert!(message(&app).contains("another window changed"));
    app.update(Action::Down);
    app.update(Action::Mark(plan::Action::Down));
    assert!(!message(&app).contains("another window"));
    let files: Vec<&Path> = app.autosave_files().iter().map(|f| f.1).collect();
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(
        files[1],
        shared.as_path(),
        "the file the other window keeps"
    );
    assert!(
        app.log()
            .newest_first()
            .any(|m| m.contains("another window changed")),
        "kept"
    );
}

#[test]
fn a_message_too_long_for_the_footer_says_where_the_rest_is() {
    let mut app = planned_demo();
    app.update(Action::Prompt(PromptKind::SavePlan));
    // Clear the default name, then a very long one in a folder that is
    // not there: the error names it whole.
    for _ in 0..100 {
        app.update(Action::Backspace);
    }
    let long = format!("/nonexistent/{}/plan.toml", "deep-folder/".repeat(30));
    type_text(&mut app, &long);
    app.update(Action::Accept);
    let said = message(&app);
    assert!(said.len() > 3 * 80, "{said}");
    let text = screen_text(&mut app, 80, 24);
    let last = text.lines().last().unwrap();
    assert!(last.contains("m shows the whole message"), "{text}");
    for l in text.lines() {
        assert!(l.chars().count() <= 80);
    }
    app.update(Action::Messages);
    let text = screen_text(&mut app, 80, 24);
    assert!(text.contains("deep-folder/deep-folder"), "{text}");
    assert!(app.log().newest_first().next() == Some(said.as_str()));
}

// --- pages of text -------------------------------------------------------------

#[test]
fn alerts_and_waves_never_scroll_into_blank_space() {
    // Press 4, then j x30 (issue 15): the pane's text stays on screen.
    let mut app = planned_demo();
    for (w, h) in [(80, 24), (80, 16), (200, 50)] {
        for pane in [Pane::Alerts, Pane::Waves] {
            app.update(Action::Resize(w, h));
            app.update(Action::ShowPane(pane));
            feed(&mut app, std::iter::repeat_n(Action::Down, 30));
            let area = app.areas().pane;
            let (lines, scroll) = match pane {
                Pane::Alerts => (app.alerts_page(area.width as usize), app.alerts_scroll),
                _ => (app.waves_page(area.width as usize), app.waves_scroll),
            };
            let rows = area.height as usize;
            assert_eq!(
                scroll,
                lines.len().saturating_sub(rows),
                "{pane:?} at {w}x{h}: the last line on the last row"
            );
            let text = screen_text(&mut app, w, h);
            let first = text
                .lines()
                .nth(area.y as usize)
                .unwrap_or("")
                .chars()
                .skip(area.x as usize)
                .take(area.width as usize)
                .collect::<String>();
            assert!(!first.trim().is_empty(), "{pane:?} at {w}x{h}:\n{text}");
            // And back up to the top in as many steps as there were.
            feed(&mut app, std::iter::repeat_n(Action::Up, scroll));
            let back = match pane {
                Pane::Alerts => app.alerts_scroll,
                _ => app.waves_scroll,
            };
            assert_eq!(back, 0);
        }
    }
}
